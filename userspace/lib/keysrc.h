/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A private key and its certificates, named by a PEM file or a pkcs11: URI:
 * the signing server's keys and the TLS keys of its clients.  Library code:
 * returns 0 or -errno and says why in @e (error.h), naming the file or URI.
 */
#ifndef FWVERIFY_KEYSRC_H
#define FWVERIFY_KEYSRC_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "error.h"
#include "pkcs11.h"

struct key_spec {
	const char *key;	/* a PEM file or a pkcs11: URI */
	const char *cert;	/* PEM: the key's certificate, then a chain; NULL: the token's */
	const char *const *chain;	/* PEM files of more certificates to carry */
	size_t nchain;
	const char *module;	/* the PKCS#11 module, or NULL: the URI's, $FWVERIFY_PKCS11_MODULE, the default */
	const char *pin_file;	/* the token's PIN, or NULL */
	int pin_fd;		/* or a descriptor to read it from, -1 if none */
	/*
	 * Or, with neither, an environment variable holding it (NULL: none).
	 * It is wiped from the environment once the key is loaded, whichever
	 * way the PIN came.
	 */
	const char *pin_env;
	const char *pin_hint;	/* how to give a PIN, added when one is missing or refused; or NULL */
	const char *cert_hint;	/* how to give a certificate the token lacks, e.g. "--cert" */
};

struct loaded_key {
	EVP_PKEY *pkey;
	STACK_OF(X509) *certs;	/* the key's certificate first */
	struct pkcs11_key *token;
};

/*
 * Load @ks into @k.  Return: 0; -EKEYREJECTED when the key does not match
 * its certificate; -EINVAL or -EPERM for a pkcs11: URI that cannot be used
 * (-EPERM: it holds a PIN); -errno from reading or the token.  On failure
 * @k holds nothing and @e says why, naming the file or URI.
 */
int key_load(const struct key_spec *ks, struct loaded_key *k, struct fw_error *e);
void key_unload(struct loaded_key *k);

#endif
