// SPDX-License-Identifier: GPL-2.0
/* Loading a private key from a PEM file or a PKCS#11 token, with its certificates. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cms.h"
#include "keysrc.h"
#include "util.h"

#define MODULE_ENV "FWVERIFY_PKCS11_MODULE"

static void pkcs11_uri_freep(struct pkcs11_uri **u)
{
	pkcs11_uri_free(*u);
}

static int open_token(const struct key_spec *ks, struct loaded_key *k, char *why, size_t whylen)
{
	_cleanup_(pkcs11_uri_freep) struct pkcs11_uri *u = NULL;
	const char *module = ks->module, *env = getenv(MODULE_ENV);
	char reason[512], *pin = NULL;
	int shown = strcspn(ks->key, "?"), err;

	err = pkcs11_uri_parse(ks->key, &u, reason, sizeof(reason));
	if (err) {
		snprintf(why, whylen, "%.*s: not a usable pkcs11: URI: %s", shown, ks->key, reason);
		return err;
	}
	if (!module)
		module = pkcs11_uri_module(u);
	if (!module)
		module = env && *env ? env : PKCS11_DEFAULT_MODULE;
	if (ks->pin_file || ks->pin_fd >= 0) {
		err = pkcs11_pin_read(ks->pin_file, ks->pin_fd, &pin);
		if (err) {
			snprintf(why, whylen, "%s: cannot read the PIN: %s",
				 ks->pin_file ? ks->pin_file : "the PIN descriptor", errno_text(err));
			return err;
		}
	}
	err = pkcs11_key_open(u, module, pin, &k->token, reason, sizeof(reason));
	pkcs11_pin_free(pin);
	if (err) {
		snprintf(why, whylen, "%.*s: %s", shown, ks->key, reason);
		return err;
	}
	k->pkey = pkcs11_key_get0_pkey(k->token);
	return EVP_PKEY_up_ref(k->pkey) ? 0 : (k->pkey = NULL, -ENOMEM);
}

static int load_certs(const struct key_spec *ks, struct loaded_key *k, char *why, size_t whylen)
{
	X509 *x = k->token ? pkcs11_key_get0_cert(k->token) : NULL;
	const char *file = ks->cert;
	int err;

	if (!file && !x) {
		snprintf(why, whylen, "%s: no certificate: give one", ks->key);
		return -ENOENT;
	}
	if (!file) {
		k->certs = sk_X509_new_null();
		if (!k->certs || !X509_up_ref(x))
			return -ENOMEM;
		if (!sk_X509_push(k->certs, x)) {
			X509_free(x);
			return -ENOMEM;
		}
	}
	err = file ? cms_load_certs(file, &k->certs) : 0;
	if (!err && ks->chain)
		err = cms_load_certs(file = ks->chain, &k->certs);
	if (err)
		snprintf(why, whylen, "%s: cannot load certificates: %s", file, errno_text(err));
	return err;
}

/*
 * Load @ks into @k.  Return: 0; -EKEYREJECTED when the key does not match
 * its certificate; -errno from reading or the token.  On failure @k holds
 * nothing.
 */
int key_load(const struct key_spec *ks, struct loaded_key *k, char *why, size_t whylen)
{
	int err;

	memset(k, 0, sizeof(*k));
	if (pkcs11_is_uri(ks->key)) {
		err = open_token(ks, k, why, whylen);
	} else {
		err = cms_load_key(ks->key, &k->pkey);
		if (err)
			snprintf(why, whylen, "%s: cannot load the private key: %s", ks->key, errno_text(err));
	}
	if (!err)
		err = load_certs(ks, k, why, whylen);
	if (!err && X509_check_private_key(sk_X509_value(k->certs, 0), k->pkey) != 1) {
		snprintf(why, whylen, "%s: the private key does not match its certificate", ks->key);
		err = -EKEYREJECTED;
	}
	if (err)
		key_unload(k);
	return err;
}

void key_unload(struct loaded_key *k)
{
	EVP_PKEY_free(k->pkey);
	sk_X509_pop_free(k->certs, X509_free);
	/* The token's key is freed before its token. */
	pkcs11_key_close(k->token);
	memset(k, 0, sizeof(*k));
}
