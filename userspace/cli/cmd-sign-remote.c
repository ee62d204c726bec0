// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify sign --server: the server signs each file's digest.  Only the
 * SHA-256, the size and the firmware name leave this machine; the signature
 * that comes back is checked against the file and its name before it is
 * written, exactly where a local signature would be.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <openssl/cms.h>
#include <openssl/evp.h>

#include "cms.h"
#include "command.h"
#include "digest.h"
#include "json-out.h"
#include "signd-client.h"
#include "util.h"
#include "wire.h"

/* The signature in a reply.  Return: 0 with it in *@der (free()), or -EBADMSG. */
static int reply_signature(struct json_object *rep, unsigned char **der, size_t *len)
{
	const char *b64 = wire_str(rep, "signature");
	size_t n = b64 ? strlen(b64) : 0;
	unsigned char *out;
	int m;

	if (!n || n % 4 || n > WIRE_REPLY_MAX)
		return -EBADMSG;
	out = malloc(n / 4 * 3);
	if (!out)
		return -ENOMEM;
	m = EVP_DecodeBlock(out, (const unsigned char *)b64, n);
	if (m < 0) {
		free(out);
		return -EBADMSG;
	}
	m -= (b64[n - 1] == '=') + (b64[n - 2] == '=');
	*der = out;
	*len = m;
	return 0;
}

/*
 * The signature must be of this file, for this name: the server signs what
 * it is told, and what it was told must be what is written beside the file.
 */
static bool signature_fits(const unsigned char *der, size_t len, int fd, const char *name,
			   char *why, size_t whylen)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, len);
	STACK_OF(X509) *own = cms ? CMS_get1_certs(cms) : NULL;
	struct cms_verdict v;

	CMS_ContentInfo_free(cms);
	if (lseek(fd, 0, SEEK_SET) < 0) {
		sk_X509_pop_free(own, X509_free);
		snprintf(why, whylen, "%s", errno_text(-errno));
		return false;
	}
	/* Trust is the kernel's business: here, only the digest and the name. */
	cms_verify(own, der, len, fd, name, &v);
	sk_X509_pop_free(own, X509_free);
	if (v.result == FW_VERIFIED && !strcmp(v.name, name))
		return true;
	snprintf(why, whylen, "the server's signature does not fit the file: %s",
		 v.result == FW_VERIFIED ? "it names no firmware" : v.reason);
	return false;
}

static void __attribute__((format(printf, 2, 3))) say(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmessage(file, fmt, ap);
	va_end(ap);
}

struct remote {
	const struct signd_opts *so;
	struct signd_conn *conn;
	const char *key, *out, *request;
	unsigned int wait;
};

static struct json_object *request_of(const struct remote *r, const char *name, const unsigned char *md,
				      uint64_t size)
{
	struct json_object *q = json_object_new_object();
	char hex[65];

	if (!q)
		return NULL;
	if (r->request) {
		json_object_object_add(q, "op", json_object_new_string("fetch"));
		json_object_object_add(q, "id", json_object_new_string(r->request));
		return q;
	}
	wire_tohex(md, 32, hex);
	json_object_object_add(q, "op", json_object_new_string("sign"));
	json_object_object_add(q, "key", json_object_new_string(r->key));
	json_object_object_add(q, "name", json_object_new_string(name));
	json_object_object_add(q, "sha256", json_object_new_string(hex));
	json_object_object_add(q, "size", json_object_new_uint64(size));
	return q;
}

/* Ask until the request is signed, refused, or --wait runs out. */
static int exchange(struct remote *r, const char *file, struct json_object *q, struct json_object **rep)
{
	int64_t until = wire_now() + r->wait * 1000LL;
	struct json_object *fetch = NULL;
	bool told = false;
	struct fw_error e;
	const char *id;
	int err;

	for (;;) {
		err = signd_call(r->conn, fetch ? fetch : q, rep, &e);
		if (err)
			break;
		if (strcmp(wire_str(*rep, "status"), "held"))
			break;
		id = wire_str(*rep, "id");
		if (!told || wire_now() >= until)
			printf("%s: held for approval: request %s (%d of %d approvals)\n", file, id ? id : "?",
			       json_object_get_int(json_object_object_get(*rep, "approvals")),
			       json_object_get_int(json_object_object_get(*rep, "required")));
		told = true;
		if (!id || wire_now() >= until) {
			json_object_put(*rep);
			json_object_put(fetch);
			return EXIT_REFUSED;
		}
		if (!fetch) {
			fetch = json_object_new_object();
			if (!fetch)
				break;
			json_object_object_add(fetch, "op", json_object_new_string("fetch"));
			json_object_object_add(fetch, "id", json_object_new_string(id));
		}
		json_object_put(*rep);
		usleep(500 * 1000);
	}
	json_object_put(fetch);
	if (!err)
		return EXIT_OK;
	fflush(stdout);
	say(file, "%s", e.msg);
	return err == -EACCES ? EXIT_REFUSED : EXIT_USAGE;
}

static int sign_one(struct remote *r, const char *file, const char *name)
{
	_cleanup_(closep) int fd = open_regular(file, 0);
	_cleanup_(json_putp) struct json_object *q = NULL;
	_cleanup_(freep) char *sig = NULL, *held_name = NULL;
	struct json_object *rep = NULL;
	struct digest d = { .alg = "sha256" };
	unsigned char *der = NULL;
	struct stat st;
	char why[512];
	size_t len;
	int err, ret;

	if (fd < 0 || fstat(fd, &st) < 0) {
		log_error(file, "cannot open", fd < 0 ? fd : -errno);
		return EXIT_USAGE;
	}
	err = digest_fd(fd, &d, 1);
	if (err) {
		log_error(file, "cannot read", err);
		return EXIT_USAGE;
	}
	q = request_of(r, name, d.md, st.st_size);
	if (!q) {
		log_error(file, "cannot sign", -ENOMEM);
		return EXIT_USAGE;
	}
	ret = exchange(r, file, q, &rep);
	if (ret)
		return ret;
	err = reply_signature(rep, &der, &len);
	/* A request held before was named then: the server's reply says how. */
	if (!err && r->request && wire_str(rep, "name") && !(held_name = strdup(wire_str(rep, "name"))))
		err = -ENOMEM;
	json_object_put(rep);
	if (err) {
		free(der);
		log_error(file, "the server's reply holds no usable signature", err == -ENOMEM ? err : 0);
		return EXIT_USAGE;
	}
	if (held_name && !cms_name_matches(held_name, file))
		say(file, "warning: the request was for the firmware name \"%s\"", held_name);
	if (!signature_fits(der, len, fd, held_name ? held_name : name, why, sizeof(why))) {
		free(der);
		say(file, "%s", why);
		return EXIT_REFUSED;
	}
	if (!r->out && asprintf(&sig, "%s.p7s", file) < 0)
		sig = NULL;
	err = r->out || sig ? write_file_atomic(r->out ? r->out : sig, der, len, 0644) : -ENOMEM;
	free(der);
	if (err) {
		log_error(r->out ? r->out : sig ? sig : file, "cannot write signature", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * Sign @n files (@names: the firmware name of each) with the server's key
 * @key over one connection.  Return: the exit code: 0 all signed, 1 one
 * refused or still held, 2 a connection, file or usage error.
 */
int sign_remote(const struct signd_opts *so, const char *key, char **files, char **names, size_t n,
		const char *out, unsigned int wait, const char *request)
{
	struct remote r = { .so = so, .key = key, .out = out, .wait = wait, .request = request };
	struct fw_error e;
	int ret = EXIT_OK, one;

	if (signd_open(so, &r.conn, &e)) {
		fprintf(stderr, "fwverify: %s\n", e.msg);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		one = sign_one(&r, files[i], names[i]);
		ret = one > ret ? one : ret;
		if (one == EXIT_USAGE && !r.conn)
			break;
	}
	signd_close(r.conn);
	return ret;
}
