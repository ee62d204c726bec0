// SPDX-License-Identifier: GPL-2.0
/* Loading a private key from a PEM file or a PKCS#11 token, with its certificates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cms.h"
#include "keysrc.h"
#include "util.h"

#define MODULE_ENV "FWVERIFY_PKCS11_MODULE"

static void pkcs11_uri_freep(struct pkcs11_uri **u)
{
	pkcs11_uri_free(*u);
}

/* The PIN as @ks says to take it, into *@pin (NULL: none).  Return: 0 or -errno, said in @e. */
static int read_pin(const struct key_spec *ks, char **pin, struct fw_error *e)
{
	const char *env = ks->pin_env ? getenv(ks->pin_env) : NULL;
	char name[32];
	int err = 0;

	if (ks->pin_file || ks->pin_fd >= 0)
		err = pkcs11_pin_read(ks->pin_file, ks->pin_fd, pin);
	else if (env)
		err = pkcs11_pin_dup(env, pin);
	if (!err)
		return 0;
	snprintf(name, sizeof(name), "--pin-fd %d", ks->pin_fd);
	if (ks->pin_file || ks->pin_fd >= 0)
		return fw_error_set(e, err, "%s: cannot read the PIN%s%s", ks->pin_file ? ks->pin_file : name,
				    err == -EINVAL ? ": it holds a NUL byte" : ": ",
				    err == -EINVAL ? "" : errno_text(err));
	return fw_error_set(e, err, "$%s: %s", ks->pin_env,
			    err == -ENODATA ? "the PIN is empty" : "the PIN is too long");
}

/* The key of the token @ks->key names.  Return: 0 or -errno, said in @e (the URI shown without its query). */
static int open_token(const struct key_spec *ks, struct loaded_key *k, struct fw_error *e)
{
	_cleanup_(pkcs11_uri_freep) struct pkcs11_uri *u = NULL;
	const char *module = ks->module, *env = getenv(MODULE_ENV);
	char *pin = NULL;
	int shown = strcspn(ks->key, "?"), err;

	err = pkcs11_uri_parse(ks->key, &u, e);
	if (err) {
		if (e)
			fw_error_set(e, err, "%.*s: %s%s%s", shown, ks->key,
				     err == -EPERM ? "" : "not a usable pkcs11: URI: ", e->msg,
				     err == -EPERM && ks->pin_hint ? ks->pin_hint : "");
		return err;
	}
	if (!module)
		module = pkcs11_uri_module(u);
	if (!module)
		module = env && *env ? env : PKCS11_DEFAULT_MODULE;
	err = read_pin(ks, &pin, e);
	if (err)
		return err;
	err = pkcs11_key_open(u, module, pin, &k->token, e);
	if (err && e)
		fw_error_set(e, err, "%.*s: %s%s", shown, ks->key, e->msg,
			     err == -EACCES && !pin && ks->pin_hint ? ks->pin_hint : "");
	pkcs11_pin_free(pin);
	if (err)
		return err;
	k->pkey = pkcs11_key_get0_pkey(k->token);
	if (!EVP_PKEY_up_ref(k->pkey)) {
		k->pkey = NULL;
		return fw_error_set(e, -ENOMEM, "out of memory");
	}
	return 0;
}

static int load_certs(const struct key_spec *ks, struct loaded_key *k, struct fw_error *e)
{
	X509 *x = k->token ? pkcs11_key_get0_cert(k->token) : NULL;
	const char *file = ks->cert;
	int err;

	if (!file && !x)
		return fw_error_set(e, -ENOENT, "%s: no certificate with the key's id in the token: give %s", ks->key,
				    ks->cert_hint ? ks->cert_hint : "one");
	if (!file) {
		k->certs = sk_X509_new_null();
		if (!k->certs || !X509_up_ref(x))
			return fw_error_set(e, -ENOMEM, "out of memory");
		if (!sk_X509_push(k->certs, x)) {
			X509_free(x);
			return fw_error_set(e, -ENOMEM, "out of memory");
		}
	}
	err = file ? cms_load_certs(file, &k->certs) : 0;
	for (size_t i = 0; !err && i < ks->nchain; i++)
		err = cms_load_certs(file = ks->chain[i], &k->certs);
	return err ? fw_error_set(e, err, "%s: cannot load certificates: %s", file, errno_text(err)) : 0;
}

int key_load(const struct key_spec *ks, struct loaded_key *k, struct fw_error *e)
{
	char *env = ks->pin_env ? getenv(ks->pin_env) : NULL;
	int err;

	memset(k, 0, sizeof(*k));
	if (pkcs11_is_uri(ks->key)) {
		err = open_token(ks, k, e);
	} else {
		err = cms_load_key(ks->key, &k->pkey);
		if (err)
			fw_error_set(e, err, "%s: cannot load the private key: %s", ks->key, errno_text(err));
	}
	if (!err)
		err = load_certs(ks, k, e);
	if (!err && X509_check_private_key(sk_X509_value(k->certs, 0), k->pkey) != 1)
		err = fw_error_set(e, -EKEYREJECTED, "%s: the private key does not match its certificate", ks->key);
	/* The PIN leaves the environment however the key was loaded. */
	if (env) {
		OPENSSL_cleanse(env, strlen(env));
		unsetenv(ks->pin_env);
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
