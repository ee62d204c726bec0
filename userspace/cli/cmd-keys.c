// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify keys: the certificates the kernel trusts for firmware.  The
 * .fwverify keyring is found and read with libkeyutils; a certificate is
 * added as "keyctl padd asymmetric '' %:.fwverify" does, and the keyring's
 * restriction decides (only certificates signed by a key already in it).
 * "show" computes a certificate's key description as the kernel's X.509
 * parser does, so it can say whether the certificate is in the keyring.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <keyutils.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cms.h"
#include "command.h"
#include "json-out.h"
#include "kstate.h"
#include "util.h"

#define FWVERIFY_KEYRING ".fwverify"

/* The keyrings the trust parameter adds, by its names. */
static const struct {
	const char *trust;
	const char *keyring;
} other_keyrings[] = {
	{ "builtin", ".builtin_trusted_keys" },
	{ "secondary", ".secondary_trusted_keys" },
	{ "platform", ".platform" },
};

struct key_info {
	key_serial_t id;
	char *type;
	unsigned int uid, gid, perm;
	char *desc;
};

struct keyring {
	const char *name;
	key_serial_t id;	/* -errno when not found */
	struct key_info *keys;
	size_t n;
};

static void keyring_free(struct keyring *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->keys[i].type);
		free(r->keys[i].desc);
	}
	free(r->keys);
	r->keys = NULL;
	r->n = 0;
}

static void sk_X509_freep(STACK_OF(X509) **s)
{
	sk_X509_pop_free(*s, X509_free);
}

/* KEYCTL_DESCRIBE gives "type;uid;gid;perm;description". */
static int describe(key_serial_t id, struct key_info *k)
{
	_cleanup_(freep) char *d = NULL;
	char *desc;
	int len = 0;

	if (keyctl_describe_alloc(id, &d) < 0)
		return -errno;
	if (sscanf(d, "%*[^;];%u;%u;%x;%n", &k->uid, &k->gid, &k->perm, &len) != 3 || !len)
		return -EBADMSG;
	desc = d + len;
	d[strcspn(d, ";")] = '\0';
	k->id = id;
	k->type = strdup(d);
	k->desc = strdup(desc);
	return k->type && k->desc ? 0 : -ENOMEM;
}

/* Find the keyring @name and describe its keys.  Return: 0, -ENOKEY when there is none, or -errno. */
static int keyring_read(const char *name, struct keyring *r)
{
	_cleanup_(freep) key_serial_t *ids = NULL;
	void *buf = NULL;
	long len;
	int err;

	memset(r, 0, sizeof(*r));
	r->name = name;
	/* A request_key() in our own keyrings, then a look through /proc/keys. */
	r->id = find_key_by_type_and_desc("keyring", name, 0);
	if (r->id < 0)
		return r->id = -errno;
	len = keyctl_read_alloc(r->id, &buf);
	if (len < 0)
		return -errno;
	ids = buf;
	r->keys = calloc(len / sizeof(*ids) + 1, sizeof(*r->keys));
	if (!r->keys)
		return -ENOMEM;
	for (size_t i = 0; i < len / sizeof(*ids); i++) {
		err = describe(ids[i], &r->keys[r->n]);
		if (err == -ENOKEY || err == -EKEYREVOKED || err == -EKEYEXPIRED || err == -EACCES) {
			free(r->keys[r->n].type);
			free(r->keys[r->n].desc);
			memset(&r->keys[r->n], 0, sizeof(r->keys[r->n]));
			continue;	/* went away, or not ours to see */
		}
		r->n++;
		if (err)
			return err;
	}
	return 0;
}

/* The keyring error as a sentence. */
static const char *keyring_error(int err)
{
	if (err != -ENOKEY)
		return errno_text(err);
	/* /proc/keys shows a keyring only to those who may view it: root, for ours. */
	return kstate_loaded() ? "not visible to this user (only root may see it)"
			       : "no such keyring (is the fwverify module loaded?)";
}

static void keyring_failed(bool json, int err)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s", FWVERIFY_KEYRING, keyring_error(err));
	report_message(json, msg, err);
}

static int keyring_json(const struct keyring *r, const char *trust, struct json_object *arr)
{
	struct json_object *o = json_object_new_object(), *keys;

	if (json_out_add(arr, NULL, o) || json_out_str(o, "name", r->name) ||
	    json_out_str(o, "trust", trust) || json_out_uint(o, "id", r->id < 0 ? -1 : r->id))
		return -ENOMEM;
	if (r->id < 0)
		return json_out_str(o, "keys", NULL) ?: json_out_str(o, "error", keyring_error(r->id));
	keys = json_object_new_array();
	if (json_out_add(o, "keys", keys))
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		struct json_object *k = json_object_new_object();
		char perm[16];

		snprintf(perm, sizeof(perm), "%08x", r->keys[i].perm);
		if (json_out_add(keys, NULL, k) || json_out_uint(k, "id", r->keys[i].id) ||
		    json_out_str(k, "type", r->keys[i].type) || json_out_uint(k, "uid", r->keys[i].uid) ||
		    json_out_uint(k, "gid", r->keys[i].gid) || json_out_str(k, "perm", perm) ||
		    json_out_str(k, "description", r->keys[i].desc))
			return -ENOMEM;
	}
	return 0;
}

static void keyring_text(const struct keyring *r, const char *trust)
{
	if (r->id < 0) {
		printf("%s: %s\n", r->name, keyring_error(r->id));
		return;
	}
	printf("%s (keyring %d", r->name, r->id);
	if (trust)
		printf(", trust=%s: signatures with authenticated attributes only", trust);
	printf("): %zu key%s\n", r->n, r->n == 1 ? "" : "s");
	for (size_t i = 0; i < r->n; i++)
		printf("  %10d  %-10s  %s\n", r->keys[i].id, r->keys[i].type, r->keys[i].desc);
}

static int keys_list(bool json)
{
	_cleanup_(json_putp) struct json_object *doc = NULL;
	_cleanup_(freep) char *trust = NULL;
	struct keyring r;
	struct json_object *arr = NULL;
	int err, ret = EXIT_OK;

	err = keyring_read(FWVERIFY_KEYRING, &r);
	if (err) {
		keyring_failed(json, err);
		keyring_free(&r);
		return EXIT_USAGE;
	}
	if (json) {
		doc = json_out_new();
		arr = json_object_new_array();
		if (!doc || json_out_add(doc, "keyrings", arr))
			err = -ENOMEM;
	}
	if (kstate_read(KSTATE_PARAMS "trust", 4096, &trust))
		trust = NULL;
	if (!err && json) {
		err = json_out_str(doc, "trust", trust) ?: keyring_json(&r, NULL, arr);
	} else if (!err) {
		keyring_text(&r, NULL);
		printf("trust: %s\n", trust ? trust : "unknown");
	}
	keyring_free(&r);
	/* The keyrings the trust parameter adds. */
	for (size_t i = 0; i < sizeof(other_keyrings) / sizeof(other_keyrings[0]) && !err; i++) {
		const char *t = other_keyrings[i].trust;
		const char *p = trust ? strstr(trust, t) : NULL;

		if (!p || (p != trust && p[-1] != ',') || (p[strlen(t)] && p[strlen(t)] != ','))
			continue;
		keyring_read(other_keyrings[i].keyring, &r);
		if (json)
			err = keyring_json(&r, t, arr);
		else
			keyring_text(&r, t);
		keyring_free(&r);
	}
	if (!err && json)
		err = json_out_print(doc);
	if (err) {
		report_error(json, NULL, "cannot list the keys", err);
		ret = EXIT_USAGE;
	}
	return ret;
}

/* --- certificates -------------------------------------------------------- */

static void hex(const unsigned char *p, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * len] = '\0';
}

/* The value bytes of the last @nid attribute of @name, as the kernel's parser keeps the last. */
static const ASN1_STRING *last_entry(const X509_NAME *name, int nid)
{
	int i = -1, last = -1;

	while ((i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0)
		last = i;
	return last < 0 ? NULL : X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
}

/* The subject as x509_fabricate_name() makes it: CN, O, "O: CN" or the e-mail address. */
static char *kernel_subject(const X509 *x)
{
	const X509_NAME *n = X509_get_subject_name(x);
	const ASN1_STRING *cn = last_entry(n, NID_commonName);
	const ASN1_STRING *o = last_entry(n, NID_organizationName);
	const ASN1_STRING *email = last_entry(n, NID_pkcs9_emailAddress);
	int cl = cn ? ASN1_STRING_length(cn) : 0, ol = o ? ASN1_STRING_length(o) : 0;
	int el = email ? ASN1_STRING_length(email) : 0;
	const char *cd = cn ? (const char *)ASN1_STRING_get0_data(cn) : NULL;
	const char *od = o ? (const char *)ASN1_STRING_get0_data(o) : NULL;
	char *s;

	/* Both: the CN alone if it starts with the O or with its first 7 bytes. */
	if (cl && ol && !(cl >= ol && !memcmp(cd, od, ol)) && !(cl >= 7 && ol >= 7 && !memcmp(cd, od, 7)))
		return asprintf(&s, "%.*s: %.*s", ol, od, cl, cd) < 0 ? NULL : s;
	if (cl)
		return strndup(cd, cl);
	if (ol)
		return strndup(od, ol);
	if (el)
		return strndup((const char *)ASN1_STRING_get0_data(email), el);
	return strdup("");
}

/* The content bytes of the serial number's DER INTEGER, as the kernel keeps them (raw_serial). */
static int raw_serial(const X509 *x, unsigned char **out, size_t *len)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	long l;
	int n = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &der), tag, cls;

	if (n <= 0)
		return -ENOMEM;
	p = der;
	if (ASN1_get_object(&p, &l, &tag, &cls, n) & 0x80) {
		OPENSSL_free(der);
		return -EBADMSG;
	}
	*out = malloc(l ? l : 1);
	if (*out)
		memcpy(*out, p, l);
	*len = l;
	OPENSSL_free(der);
	return *out ? 0 : -ENOMEM;
}

struct cert_info {
	char subject[512], issuer[512];
	char serial[2 * 64 + 1];
	char not_before[32], not_after[32];
	char key_id[2 * 64 + 1];	/* hex of the subject key identifier, "" if none */
	char issuer_key_id[2 * 64 + 1];	/* hex of the authority key identifier, "" if none */
	char sha256[65];
	char *description;		/* the kernel's key description */
};

static void name_text(const X509_NAME *n, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int len;

	buf[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE) >= 0) {
		len = BIO_read(b, buf, size - 1);
		buf[len > 0 ? len : 0] = '\0';
	}
	BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *buf, size_t size)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "?");
}

static int cert_info(X509 *x, struct cert_info *ci)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(x);
	const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(x);
	_cleanup_(freep) unsigned char *serial = NULL;
	_cleanup_(freep) char *subject = NULL;
	const unsigned char *id;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t slen, idlen;
	int err;

	memset(ci, 0, sizeof(*ci));
	err = raw_serial(x, &serial, &slen);
	if (err)
		return err;
	if (slen > 64 || (skid && ASN1_STRING_length(skid) > 64) ||
	    (akid && ASN1_STRING_length(akid) > 64))
		return -EBADMSG;
	name_text(X509_get_subject_name(x), ci->subject, sizeof(ci->subject));
	name_text(X509_get_issuer_name(x), ci->issuer, sizeof(ci->issuer));
	/* Shown without the sign byte DER may need; the description keeps it, as the kernel does. */
	hex(serial + (slen > 1 && !serial[0]), slen - (slen > 1 && !serial[0]), ci->serial);
	time_text(X509_get0_notBefore(x), ci->not_before, sizeof(ci->not_before));
	time_text(X509_get0_notAfter(x), ci->not_after, sizeof(ci->not_after));
	if (skid)
		hex(ASN1_STRING_get0_data(skid), ASN1_STRING_length(skid), ci->key_id);
	if (akid)
		hex(ASN1_STRING_get0_data(akid), ASN1_STRING_length(akid), ci->issuer_key_id);
	if (!X509_digest(x, EVP_sha256(), md, &mdlen))
		return -ENOMEM;
	hex(md, mdlen, ci->sha256);
	/* "<subject>: <hex of the SKID, else of the serial>", as x509_key_preparse(). */
	subject = kernel_subject(x);
	id = skid ? ASN1_STRING_get0_data(skid) : serial;
	idlen = skid ? (size_t)ASN1_STRING_length(skid) : slen;
	if (!subject || !(ci->description = malloc(strlen(subject) + 2 + 2 * idlen + 1)))
		return -ENOMEM;
	sprintf(ci->description, "%s: ", subject);
	hex(id, idlen, ci->description + strlen(ci->description));
	return 0;
}

/* The key in @r with @desc, or NULL. */
static const struct key_info *find_desc(const struct keyring *r, const char *desc)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->keys[i].type, "asymmetric") && !strcmp(r->keys[i].desc, desc))
			return &r->keys[i];
	return NULL;
}

static int show_json(const struct cert_info *ci, const char *file, const struct keyring *r,
		     const struct key_info *k, struct json_object *arr)
{
	struct json_object *o = json_object_new_object();

	if (json_out_add(arr, NULL, o) || json_out_str(o, "file", file) ||
	    json_out_str(o, "subject", ci->subject) || json_out_str(o, "issuer", ci->issuer) ||
	    json_out_str(o, "serial", ci->serial) || json_out_str(o, "not_before", ci->not_before) ||
	    json_out_str(o, "not_after", ci->not_after) ||
	    json_out_str(o, "key_id", ci->key_id[0] ? ci->key_id : NULL) ||
	    json_out_str(o, "issuer_key_id", ci->issuer_key_id[0] ? ci->issuer_key_id : NULL) ||
	    json_out_str(o, "sha256", ci->sha256) || json_out_str(o, "description", ci->description))
		return -ENOMEM;
	if (r->id < 0)
		return json_out_str(o, "in_keyring", NULL) ?: json_out_str(o, "key", NULL);
	return json_out_bool(o, "in_keyring", k) ?: json_out_uint(o, "key", k ? k->id : -1);
}

static void show_text(const struct cert_info *ci, const char *file, const struct keyring *r,
		      const struct key_info *k)
{
	printf("%s:\n", file);
	printf("  subject:       %s\n", ci->subject);
	printf("  issuer:        %s\n", ci->issuer);
	printf("  serial:        %s\n", ci->serial);
	printf("  valid:         %s to %s\n", ci->not_before, ci->not_after);
	printf("  key id:        %s\n", ci->key_id[0] ? ci->key_id : "none (the kernel names it by serial)");
	printf("  issuer key id: %s\n", ci->issuer_key_id[0] ? ci->issuer_key_id : "none");
	printf("  sha256:        %s\n", ci->sha256);
	printf("  description:   %s\n", ci->description);
	if (r->id < 0)
		printf("  in %s:  unknown (%s)\n", FWVERIFY_KEYRING, keyring_error(r->id));
	else if (k)
		printf("  in %s:  yes (key %d)\n", FWVERIFY_KEYRING, k->id);
	else
		printf("  in %s:  no\n", FWVERIFY_KEYRING);
}

static int keys_show(bool json, char **files, int n)
{
	_cleanup_(json_putp) struct json_object *doc = NULL;
	struct json_object *arr = NULL;
	struct keyring r;
	int err = 0, ret = EXIT_OK;

	if (json) {
		doc = json_out_new();
		arr = json_object_new_array();
		if (!doc || json_out_add(doc, "certificates", arr)) {
			report_error(json, NULL, "out of memory", -ENOMEM);
			return EXIT_USAGE;
		}
	}
	keyring_read(FWVERIFY_KEYRING, &r);
	for (int i = 0; i < n && !err; i++) {
		_cleanup_(sk_X509_freep) STACK_OF(X509) *certs = NULL;

		err = cms_load_certs(files[i], &certs);
		if (err) {
			report_error(json, files[i], "cannot load a certificate", err);
			break;
		}
		for (int j = 0; j < sk_X509_num(certs) && !err; j++) {
			struct cert_info ci;

			err = cert_info(sk_X509_value(certs, j), &ci);
			if (err)
				report_error(json, files[i], "cannot read the certificate", err);
			else if (json)
				err = show_json(&ci, files[i], &r, find_desc(&r, ci.description), arr);
			else
				show_text(&ci, files[i], &r, find_desc(&r, ci.description));
			free(ci.description);
		}
	}
	keyring_free(&r);
	if (!err && json)
		err = json_out_print(doc);
	if (err)
		ret = EXIT_USAGE;
	return ret;
}

/* The exit code and message of a refused add_key(). */
static int add_refused(const char *file, const char *desc, int err)
{
	char what[768];

	switch (err) {
	case -ENOKEY:
		snprintf(what, sizeof(what), "'%s' refused: not signed by a key in %s", desc,
			 FWVERIFY_KEYRING);
		break;
	case -EKEYREJECTED:
		snprintf(what, sizeof(what), "'%s' refused: its signature does not verify, or it is blacklisted",
			 desc);
		break;
	case -ENOPKG:
		snprintf(what, sizeof(what), "'%s' refused: the kernel lacks its algorithm", desc);
		break;
	case -EACCES:
	case -EPERM:
		if (geteuid() == 0 && kstate_locked() == 1) {
			snprintf(what, sizeof(what), "'%s' refused: fwverify is locked until reboot", desc);
			break;
		}
		/* fall through */
	default:
		snprintf(what, sizeof(what), "cannot add '%s' to %s", desc, FWVERIFY_KEYRING);
		log_error(file, what, err);
		return EXIT_USAGE;
	}
	log_error(file, what, 0);
	return EXIT_REFUSED;
}

static int add_cert(const char *file, X509 *x, struct keyring *r)
{
	unsigned char *der = NULL;
	struct cert_info ci;
	key_serial_t key;
	int len, ret = EXIT_OK, err;

	err = cert_info(x, &ci);
	if (err) {
		log_error(file, "cannot read the certificate", err);
		return EXIT_USAGE;
	}
	if (find_desc(r, ci.description)) {
		printf("%s: '%s' is already in %s\n", file, ci.description, FWVERIFY_KEYRING);
		goto out;
	}
	len = i2d_X509(x, &der);
	if (len <= 0) {
		log_error(file, "cannot encode the certificate", -ENOMEM);
		ret = EXIT_USAGE;
		goto out;
	}
	/* The kernel names the key itself: "<subject>: <key id>". */
	key = add_key("asymmetric", NULL, der, len, r->id);
	OPENSSL_free(der);
	if (key < 0)
		ret = add_refused(file, ci.description, -errno);
	else
		printf("%s: added '%s' to %s (key %d)\n", file, ci.description, FWVERIFY_KEYRING, key);
out:
	free(ci.description);
	return ret;
}

static int keys_add(char **files, int n)
{
	struct keyring r;
	int err, ret = EXIT_OK, rc;

	err = keyring_read(FWVERIFY_KEYRING, &r);
	if (err) {
		keyring_failed(false, err);
		keyring_free(&r);
		return EXIT_USAGE;
	}
	/* In order: an intermediate before the certificates it signed. */
	for (int i = 0; i < n; i++) {
		_cleanup_(sk_X509_freep) STACK_OF(X509) *certs = NULL;

		err = cms_load_certs(files[i], &certs);
		if (err) {
			log_error(files[i], "cannot load a certificate", err);
			ret = EXIT_USAGE;
			continue;
		}
		for (int j = 0; j < sk_X509_num(certs); j++) {
			rc = add_cert(files[i], sk_X509_value(certs, j), &r);
			ret = rc > ret ? rc : ret;
		}
	}
	keyring_free(&r);
	return ret;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = json_requested(argc, argv);
	const char *sub;
	int opt;

	while ((opt = getopt_long(argc, argv, ":jh", options, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'h': command_help(&cmd_keys); return EXIT_OK;
		default: return report_bad_option(json, &cmd_keys, opt, argv);
		}
	}
	if (optind == argc) {
		report_usage(json, "keys", "no subcommand given (list, add or show)");
		return EXIT_USAGE;
	}
	sub = argv[optind++];
	if (!strcmp(sub, "list") && optind == argc)
		return keys_list(json);
	if (!strcmp(sub, "list")) {
		report_usage(json, "keys", "list takes no argument");
		return EXIT_USAGE;
	}
	if (strcmp(sub, "add") && strcmp(sub, "show")) {
		report_usage(json, "keys", "unknown subcommand '%s'", sub);
		return EXIT_USAGE;
	}
	if (optind == argc) {
		report_usage(json, "keys", "%s needs a CERT", sub);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "show"))
		return keys_show(json, argv + optind, argc - optind);
	if (json) {
		report_usage(json, "keys", "add has no --json");
		return EXIT_USAGE;
	}
	return keys_add(argv + optind, argc - optind);
}

const struct command cmd_keys = {
	.name = "keys",
	.run = run,
	.summary = "list, add and show the certificates trusted for firmware",
	.help = "keys list [--json]\n"
		"       fwverify keys add CERT...\n"
		"       fwverify keys show [--json] CERT...\n\n"
		"list  the keys in the kernel's .fwverify keyring, and those of the keyrings\n"
		"      the module's trust parameter adds (builtin, secondary, platform),\n"
		"      which vouch only for signatures with authenticated attributes.\n"
		"add   each certificate of each CERT (PEM, several in order, or one DER) to\n"
		"      .fwverify.  The kernel accepts only a certificate signed by a key\n"
		"      already there; a refusal exits with 1.\n"
		"show  each certificate's subject, issuer, serial, validity, key id, and\n"
		"      the key description the kernel gives it, and whether it is in .fwverify.\n\n"
		"  -j, --json     one JSON document on stdout (schema_version 1); errors too\n\n"
		"Exit status: 0, 1 when the kernel refused a certificate, 2 for a usage or I/O error.\n",
};
