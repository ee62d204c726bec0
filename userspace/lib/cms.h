/* SPDX-License-Identifier: GPL-2.0 */
/* All OpenSSL CMS code: loading keys and certificates, signing, and the kernel's verification rules. */
#ifndef FWVERIFY_CMS_H
#define FWVERIFY_CMS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../../kmod/uapi/fwverify.h"

/*
 * The results, as the module defines them (kmod/uapi/fwverify.h); these
 * names stay for the callers written before check.h, which is the verdict.
 */
enum fw_result {
	FW_VERIFIED = FWVERIFY_VERIFIED,
	FW_UNSIGNED = FWVERIFY_UNSIGNED,
	FW_BAD_SIGNATURE = FWVERIFY_BAD_SIGNATURE,
	FW_UNTRUSTED = FWVERIFY_UNTRUSTED,
	FW_REVOKED = FWVERIFY_REVOKED,
	FW_MALFORMED = FWVERIFY_MALFORMED,
	FW_ERROR = FWVERIFY_ERROR,
};

/*
 * The signed attribute naming the firmware a signature was made for, one
 * UTF8String.  Signatures are made with it under id-at-name (X.520's name
 * attribute type, whose syntax DirectoryString takes a UTF8String): the
 * kernel's PKCS#7 parser knows that OID and skips the attribute quietly.
 * Older signatures carry it under an OID derived from a UUID (ITU-T X.667,
 * arc 2.25), which that parser logs as unknown each time; they are still
 * read.  A SignerInfo carries at most one name attribute, under either OID.
 */
#define CMS_NAME_OID "2.5.4.41"
#define CMS_NAME_OID_LEGACY "2.25.196871091086757864271009421185200544841"
/* Longest firmware name signed (the kernel's firmware names are far shorter). */
#define CMS_NAME_MAX 255

/*
 * What the kernel whose verdict is predicted can check (check.h picks them
 * per kernel): its crypto and its PKCS#7 parser.
 */
struct cms_rules {
	char kernel[16];	/* "6.1", for reasons that name what it lacks */
	bool ecdsa;		/* CONFIG_CRYPTO_ECDSA: ECDSA keys verify and load */
	bool sha3;		/* its PKCS#7 parser knows SHA-3 (from 6.7) */
	bool whole;		/* the signature is itself loaded: its certificates are read too */
};

/* The newest kernel's rules, for a signature alone. */
extern const struct cms_rules cms_rules_newest;

struct cms_verdict {
	enum fw_result result;
	const char *why;	/* the kernel's reason, word for word (as its check file writes it) */
	char reason[256];	/* why, in detail, when not verified */
	char signer[256];	/* who, when verified: subject CN, else whole subject */
	int validity;		/* of the signer's certificate now: <0 not yet valid, >0 expired */
	char name[CMS_NAME_MAX + 1];	/* the signed firmware name, "" when it carries none */
};

const char *fw_result_name(enum fw_result r);

int cms_load_certs(const char *path, STACK_OF(X509) **certs);
int cms_load_key(const char *path, EVP_PKEY **key);

struct cms_signer;
int cms_signer_new(EVP_PKEY *key, STACK_OF(X509) *certs, const char *hash,
		   bool no_certs, struct cms_signer **out);
void cms_signer_free(struct cms_signer *s);
int cms_sign_digest(const struct cms_signer *s, const unsigned char *md, size_t md_len,
		    const char *name, unsigned char **der, size_t *len);
int cms_sign_fd(const struct cms_signer *s, int fd, const char *name, unsigned char **der, size_t *len);

bool cms_name_valid(const char *name);
bool cms_name_matches(const char *signed_name, const char *path);
void cms_verify(STACK_OF(X509) *trusted, const unsigned char *sig, size_t sig_len,
		int fd, const char *path, struct cms_verdict *v);
void cms_verify_rules(const struct cms_rules *r, STACK_OF(X509) *trusted,
		      const unsigned char *sig, size_t sig_len, int fd, const char *path,
		      struct cms_verdict *v);

#endif
