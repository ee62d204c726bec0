// SPDX-License-Identifier: GPL-2.0
/*
 * Private keys in a PKCS#11 token, through libp11 (not the OpenSSL engine:
 * no ENGINE call is made anywhere).  libp11's header still declares
 * RSA_METHOD and EC_KEY_METHOD, so this one file is compiled without
 * OPENSSL_NO_DEPRECATED (see the Makefile); it calls nothing deprecated.
 *
 * A URI names exactly one token and exactly one private key in it: an
 * ambiguous URI is an error rather than a guess.  Attributes that this code
 * does not understand are refused, not ignored, because ignoring a filter
 * could select another key.  A PIN in the URI (pin-value, pin-source) is
 * refused: a command line is visible to every user.
 *
 * The EVP_PKEY handed out is a legacy (provider-less) key whose operations
 * run in the token; cms.c serialises them (see cms_signer_new()).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libp11.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "error.h"
#include "pkcs11.h"
#include "util.h"

#define URI_SCHEME "pkcs11:"

struct pkcs11_uri {
	char *token, *manufacturer, *serial, *model, *object, *module;
	unsigned char *id;
	size_t id_len;
	unsigned long slot_id;
	bool has_slot_id;
};

struct pkcs11_key {
	PKCS11_CTX *ctx;
	bool loaded;
	PKCS11_SLOT *slots;
	unsigned int nslots;
	EVP_PKEY *pkey;
	X509 *cert;		/* the token's certificate with the key's id, or NULL */
};

enum attr_kind { ATTR_STRING, ATTR_ID, ATTR_SLOT_ID, ATTR_TYPE, ATTR_PIN };

static const struct uri_attr {
	const char *name;
	enum attr_kind kind;
	size_t off;		/* of the char * field, for ATTR_STRING */
} uri_attrs[] = {
	{ "token", ATTR_STRING, offsetof(struct pkcs11_uri, token) },
	{ "manufacturer", ATTR_STRING, offsetof(struct pkcs11_uri, manufacturer) },
	{ "serial", ATTR_STRING, offsetof(struct pkcs11_uri, serial) },
	{ "model", ATTR_STRING, offsetof(struct pkcs11_uri, model) },
	{ "object", ATTR_STRING, offsetof(struct pkcs11_uri, object) },
	{ "module-path", ATTR_STRING, offsetof(struct pkcs11_uri, module) },
	{ "id", ATTR_ID, 0 },
	{ "slot-id", ATTR_SLOT_ID, 0 },
	{ "type", ATTR_TYPE, 0 },
	{ "pin-value", ATTR_PIN, 0 },
	{ "pin-source", ATTR_PIN, 0 },
};

bool pkcs11_is_uri(const char *s)
{
	return !strncmp(s, URI_SCHEME, strlen(URI_SCHEME));
}

void pkcs11_uri_free(struct pkcs11_uri *u)
{
	if (!u)
		return;
	free(u->token);
	free(u->manufacturer);
	free(u->serial);
	free(u->model);
	free(u->object);
	free(u->module);
	free(u->id);
	free(u);
}

const char *pkcs11_uri_module(const struct pkcs11_uri *u)
{
	return u->module;
}

/* Percent-decode @len bytes of @s into a new NUL-terminated buffer. Return: its length, or -EINVAL, -ENOMEM. */
static int pct_decode(const char *s, size_t len, unsigned char **out)
{
	unsigned char *buf = malloc(len + 1);
	size_t n = 0;
	int hi, lo;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			buf[n++] = s[i];
			continue;
		}
		hi = i + 2 < len ? OPENSSL_hexchar2int(s[i + 1]) : -1;
		lo = i + 2 < len ? OPENSSL_hexchar2int(s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			free(buf);
			return -EINVAL;
		}
		buf[n++] = hi << 4 | lo;
		i += 2;
	}
	buf[n] = '\0';
	*out = buf;
	return n;
}

/* Parse one "name=value" of @len bytes into @u. */
static int uri_attr(struct pkcs11_uri *u, const char *s, size_t len, struct fw_error *e)
{
	const char *eq = memchr(s, '=', len);
	const struct uri_attr *a = NULL;
	unsigned char *val = NULL;
	size_t nlen = eq ? (size_t)(eq - s) : len;
	char **field;
	char *end;
	int n;

	for (size_t i = 0; i < sizeof(uri_attrs) / sizeof(uri_attrs[0]); i++)
		if (strlen(uri_attrs[i].name) == nlen && !memcmp(uri_attrs[i].name, s, nlen))
			a = &uri_attrs[i];
	if (a && a->kind == ATTR_PIN)
		return fw_error_set(e, -EPERM,
				    "the URI carries a PIN (%s=), which would be visible in the process list", a->name);
	if (!a || !eq)
		return fw_error_set(e, -EINVAL, a ? "attribute '%.*s' has no value" :
				    "unknown or unsupported attribute '%.*s'", (int)nlen, s);
	n = pct_decode(eq + 1, len - nlen - 1, &val);
	if (n == -EINVAL)
		return fw_error_set(e, n, "attribute '%s': bad percent-encoding", a->name);
	if (n < 0)
		return fw_error_set(e, n, "out of memory");
	switch (a->kind) {
	case ATTR_STRING:
		field = (char **)((char *)u + a->off);
		if (*field || strlen((char *)val) != (size_t)n)
			break;
		*field = (char *)val;
		return 0;
	case ATTR_ID:
		if (u->id || !n)
			break;
		u->id = val;
		u->id_len = n;
		return 0;
	case ATTR_SLOT_ID:
		errno = 0;
		u->slot_id = strtoul((char *)val, &end, 10);
		if (u->has_slot_id || !n || *end || errno || val[0] == '-')
			break;
		u->has_slot_id = true;
		free(val);
		return 0;
	case ATTR_TYPE:
		if (!strcmp((char *)val, "private")) {
			free(val);
			return 0;
		}
		fw_error_set(e, -EINVAL, "type=%s: only a private key can sign", (char *)val);
		free(val);
		return -EINVAL;
	case ATTR_PIN:
		break;
	}
	free(val);
	return fw_error_set(e, -EINVAL, "attribute '%s' is repeated or has a bad value", a->name);
}

/* Parse the attributes in [@p, @end), separated by @sep. */
static int uri_attrs_parse(struct pkcs11_uri *u, const char *p, const char *end, char sep,
			   struct fw_error *e)
{
	const char *next;
	int err = 0;

	for (; p < end && !err; p = next + 1) {
		next = memchr(p, sep, end - p);
		if (!next)
			next = end;
		if (next > p)
			err = uri_attr(u, p, next - p, e);
	}
	return err;
}

/*
 * Parse an RFC 7512 URI: path attributes separated by ';', then after the
 * first '?' query attributes separated by '&' (a value in the path may hold
 * '&', one in the query ';' or '?').  Either part may hold any attribute.
 * Return: 0, -EPERM for a PIN in the URI, -EINVAL for anything else wrong, -ENOMEM.
 */
int pkcs11_uri_parse(const char *s, struct pkcs11_uri **out, struct fw_error *e)
{
	struct pkcs11_uri *u;
	const char *path, *query;
	int err;

	if (!pkcs11_is_uri(s))
		return fw_error_set(e, -EINVAL, "not a pkcs11: URI");
	u = calloc(1, sizeof(*u));
	if (!u)
		return fw_error_set(e, -ENOMEM, "out of memory");
	path = s + strlen(URI_SCHEME);
	query = path + strcspn(path, "?");
	err = uri_attrs_parse(u, path, query, ';', e);
	if (!err && *query)
		err = uri_attrs_parse(u, query + 1, query + strlen(query), '&', e);
	if (err) {
		pkcs11_uri_free(u);
		return err;
	}
	*out = u;
	return 0;
}

/* Copy a NUL-free PIN of @len bytes at @s, without a final newline, into a new string. */
static int pin_copy(const unsigned char *s, size_t len, char **pin)
{
	char *p;

	if (len && s[len - 1] == '\n')
		len--;
	if (len && s[len - 1] == '\r')
		len--;
	if (!len)
		return -ENODATA;
	if (memchr(s, '\0', len))
		return -EINVAL;
	p = malloc(len + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, s, len);
	p[len] = '\0';
	*pin = p;
	return 0;
}

/* Copy a PIN held in a string (an environment variable). Return: 0, -ENODATA when empty, -ENOMEM. */
int pkcs11_pin_dup(const char *s, char **pin)
{
	size_t len = strlen(s);

	if (len > PKCS11_PIN_MAX)
		return -EFBIG;
	return pin_copy((const unsigned char *)s, len, pin);
}

/*
 * Read a PIN from the file @path, else from the descriptor @fd (which is
 * closed), up to its end; one final newline is not part of it.
 * Return: 0, -ENODATA when empty, -EFBIG when longer than PKCS11_PIN_MAX,
 * -EINVAL when it holds a NUL byte, or another -errno.
 */
int pkcs11_pin_read(const char *path, int fd, char **pin)
{
	unsigned char *buf = NULL;
	size_t n = 0;
	int err;

	if (path) {
		err = read_file(path, PKCS11_PIN_MAX + 2, &buf, &n);
	} else {
		err = read_fd(fd, PKCS11_PIN_MAX + 2, &buf, &n);
		close(fd);
	}
	if (err)
		return err;
	err = pin_copy(buf, n, pin);
	if (!err && strlen(*pin) > PKCS11_PIN_MAX) {
		pkcs11_pin_free(*pin);
		err = -EFBIG;
	}
	wipe_free(buf, n);
	return err;
}

void pkcs11_pin_free(char *pin)
{
	if (pin)
		wipe_free((unsigned char *)pin, strlen(pin));
}

static bool str_match(const char *want, const char *have)
{
	return !want || (have && !strcmp(want, have));
}

static bool token_match(const struct pkcs11_uri *u, PKCS11_SLOT *slot)
{
	const PKCS11_TOKEN *t = slot->token;

	return t && t->initialized && str_match(u->token, t->label) &&
	       str_match(u->manufacturer, t->manufacturer) && str_match(u->serial, t->serialnr) &&
	       str_match(u->model, t->model) &&
	       (!u->has_slot_id || PKCS11_get_slotid_from_slot(slot) == u->slot_id);
}

static bool key_match(const struct pkcs11_uri *u, const PKCS11_KEY *k)
{
	return str_match(u->object, k->label) &&
	       (!u->id || (k->id_len == u->id_len && !memcmp(k->id, u->id, u->id_len)));
}

void pkcs11_key_close(struct pkcs11_key *k)
{
	if (!k)
		return;
	/* The key refers to the slots, and the slots to the module: free in that order. */
	EVP_PKEY_free(k->pkey);
	if (k->slots)
		PKCS11_release_all_slots(k->ctx, k->slots, k->nslots);
	if (k->loaded)
		PKCS11_CTX_unload(k->ctx);
	PKCS11_CTX_free(k->ctx);
	free(k);
}

EVP_PKEY *pkcs11_key_get0_pkey(const struct pkcs11_key *k)
{
	return k->pkey;
}

X509 *pkcs11_key_get0_cert(const struct pkcs11_key *k)
{
	return k->cert;
}

static int find_slot(struct pkcs11_key *k, const struct pkcs11_uri *u, PKCS11_SLOT **slot,
		     struct fw_error *e)
{
	unsigned int match = 0, tokens = 0;

	for (unsigned int i = 0; i < k->nslots; i++) {
		tokens += k->slots[i].token && k->slots[i].token->initialized;
		if (token_match(u, &k->slots[i]) && !match++)
			*slot = &k->slots[i];
	}
	if (match == 1)
		return 0;
	if (!match)
		return fw_error_set(e, -ENODEV, "no token matches the URI (%u initialized token%s present)", tokens,
				    tokens == 1 ? "" : "s");
	return fw_error_set(e, -ENOTUNIQ, "%u tokens match the URI: name one with token= or serial=", match);
}

static int login(PKCS11_SLOT *slot, const char *pin, struct fw_error *e)
{
	const char *label = slot->token->label;

	if (!slot->token->loginRequired)
		return 0;
	if (!pin)
		return fw_error_set(e, -EACCES, "token '%s' needs a PIN", label);
	if (PKCS11_login(slot, 0, pin))
		return fw_error_set(e, -EACCES, "cannot log in to token '%s'", label);
	return 0;
}

static int find_key(const struct pkcs11_uri *u, PKCS11_SLOT *slot, PKCS11_KEY **key,
		    struct fw_error *e)
{
	const char *label = slot->token->label;
	PKCS11_KEY *keys;
	unsigned int n, match = 0;

	if (PKCS11_enumerate_keys(slot->token, &keys, &n))
		return fw_error_set(e, -EIO, "cannot list the keys of token '%s'", label);
	for (unsigned int i = 0; i < n; i++)
		if (key_match(u, &keys[i]) && !match++)
			*key = &keys[i];
	if (match == 1)
		return 0;
	if (!match)
		return fw_error_set(e, -ENOKEY, "no private key in token '%s' matches the URI", label);
	return fw_error_set(e, -ENOTUNIQ, "%u private keys in token '%s' match the URI: name one with object= or id=",
			    match, label);
}

/*
 * Load @module, find the one token and the one private key that @u names,
 * and log in with @pin if the token asks for it.
 * Return: 0, -ENOENT or -ELIBACC when the module cannot be loaded, -ENODEV
 * when no token matches, -ENOKEY when no key matches, -ENOTUNIQ when several
 * do, -EACCES when a PIN is missing or refused, -EIO, -ENOMEM.
 */
int pkcs11_key_open(const struct pkcs11_uri *u, const char *module, const char *pin,
		    struct pkcs11_key **out, struct fw_error *e)
{
	struct pkcs11_key *k = calloc(1, sizeof(*k));
	PKCS11_SLOT *slot = NULL;
	PKCS11_KEY *key = NULL;
	PKCS11_CERT *cert;
	int err = 0;

	if (!k || !(k->ctx = PKCS11_CTX_new())) {
		free(k);
		return fw_error_set(e, -ENOMEM, "out of memory");
	}
	/* A missing module gets a plain message rather than the loader's. */
	if (strchr(module, '/')) {
		int fd = open_regular(module, 0);

		if (fd < 0)
			err = fw_error_set(e, fd, "PKCS#11 module %s: %s", module, errno_text(fd));
		closep(&fd);
	}
	if (!err && PKCS11_CTX_load(k->ctx, module))
		err = fw_error_set(e, -ELIBACC, "cannot load the PKCS#11 module %s", module);
	k->loaded = !err;
	if (!err && PKCS11_enumerate_slots(k->ctx, &k->slots, &k->nslots)) {
		k->slots = NULL;
		err = fw_error_set(e, -EIO, "cannot list the slots of %s", module);
	}
	if (!err)
		err = find_slot(k, u, &slot, e);
	if (!err)
		err = login(slot, pin, e);
	if (!err)
		err = find_key(u, slot, &key, e);
	if (!err && !(k->pkey = PKCS11_get_private_key(key)))
		err = fw_error_set(e, -EIO, "cannot use private key '%s'", key->label ? key->label : "");
	if (err) {
		pkcs11_key_close(k);
		return err;
	}
	cert = PKCS11_find_certificate(key);
	k->cert = cert ? cert->x509 : NULL;
	/* Looking for a certificate that is not there queues errors that mean nothing. */
	ERR_clear_error();
	*out = k;
	return 0;
}
