/* SPDX-License-Identifier: GPL-2.0 */
/* All OpenSSL CMS code: loading keys and certificates, signing, and the kernel's verification rules. */
#ifndef FWVERIFY_CMS_H
#define FWVERIFY_CMS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The verdict vocabulary shared with the kernel module. */
enum fw_result {
	FW_VERIFIED,
	FW_UNSIGNED,
	FW_BAD_SIGNATURE,
	FW_UNTRUSTED,
	FW_MALFORMED,
	FW_ERROR,
};

struct cms_verdict {
	enum fw_result result;
	char reason[256];	/* why, when not verified */
	char signer[256];	/* who, when verified: subject CN, else whole subject */
	int validity;		/* of the signer's certificate now: <0 not yet valid, >0 expired */
};

const char *fw_result_name(enum fw_result r);

int cms_load_certs(const char *path, STACK_OF(X509) **certs);
int cms_load_key(const char *path, EVP_PKEY **key);

struct cms_signer;
int cms_signer_new(EVP_PKEY *key, STACK_OF(X509) *certs, const char *hash,
		   bool no_certs, struct cms_signer **out);
void cms_signer_free(struct cms_signer *s);
int cms_sign_digest(const struct cms_signer *s, const unsigned char *md, size_t md_len,
		    unsigned char **der, size_t *len);
int cms_sign_fd(const struct cms_signer *s, int fd, unsigned char **der, size_t *len);

void cms_verify(STACK_OF(X509) *trusted, const unsigned char *sig, size_t sig_len,
		int fd, struct cms_verdict *v);

#endif
