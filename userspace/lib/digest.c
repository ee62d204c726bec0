// SPDX-License-Identifier: GPL-2.0
/*
 * Hash a firmware file in one pass, computing every digest its signature
 * needs at once.  Algorithms carry the kernel crypto API's names, which
 * OpenSSL also accepts.
 *
 * Two back ends, chosen at run time for each call: the kernel's own drivers
 * through AF_ALG (libkcapi), the same code that guards firmware loads, and
 * OpenSSL when the kernel has no AF_ALG (or no algif_hash, or a sandbox
 * forbids the socket, as systemd-udevd's does), no NETLINK_CRYPTO
 * (crypto_user, which libkcapi asks about the algorithm), or lacks an
 * algorithm.
 * $FWVERIFY_DIGEST=kcapi or =openssl forces one back end, with no fallback:
 * a test can then prove which one ran.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kcapi.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "digest.h"
#include "util.h"

#define CHUNK (256 * 1024)
#define NMAX 8

enum backend { BE_AUTO, BE_KCAPI, BE_OPENSSL, BE_INVALID };

static const char *const backend_names[] = { [BE_KCAPI] = "kcapi", [BE_OPENSSL] = "openssl" };
/* Per thread: "fwverify sign" hashes in several threads at once. */
static _Thread_local const char *last_backend;
/* Set once AF_ALG is found missing: automatic choice stops asking the kernel. */
static atomic_bool no_af_alg;
static pthread_once_t kcapi_quiet_once = PTHREAD_ONCE_INIT;

/* libkcapi logs its errors to stderr unless told not to: library code does not log. */
static void kcapi_quiet(void)
{
	kcapi_set_verbosity(KCAPI_LOG_NONE);
}

/* The digests of one digest_fd() call, in one back end. */
struct ctx {
	enum backend be;
	size_t n;
	EVP_MD_CTX *evp[NMAX];
	struct kcapi_handle *kc[NMAX];
};

static enum backend backend_wanted(void)
{
	const char *e = getenv("FWVERIFY_DIGEST");

	if (!e || !*e || !strcmp(e, "auto"))
		return BE_AUTO;
	if (!strcmp(e, "kcapi"))
		return BE_KCAPI;
	if (!strcmp(e, "openssl"))
		return BE_OPENSSL;
	return BE_INVALID;
}

/*
 * Return: 0, -EAFNOSUPPORT without AF_ALG, -EPROTONOSUPPORT without
 * NETLINK_CRYPTO, -ENOPKG without @alg (or without algif_hash), or -errno.
 */
static int kcapi_open(const char *alg, struct kcapi_handle **h)
{
	struct kcapi_handle *handle = NULL;
	int err;

	if (atomic_load(&no_af_alg))
		return -EAFNOSUPPORT;
	pthread_once(&kcapi_quiet_once, kcapi_quiet);
	err = kcapi_md_init(&handle, alg, 0);
	if (!err) {
		*h = handle;
		return 0;
	}
	if (err == -EAFNOSUPPORT || err == -EOPNOTSUPP) {
		atomic_store(&no_af_alg, true);
		return -EAFNOSUPPORT;
	}
	return err == -ENOENT ? -ENOPKG : err;
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		EVP_MD_CTX_free(c->evp[i]);
		if (c->kc[i])
			kcapi_md_destroy(c->kc[i]);
	}
	memset(c, 0, sizeof(*c));
}

/* Return: 0, -ENOPKG when an algorithm is not available, -EAFNOSUPPORT, -ENOMEM. */
static int ctx_init(struct ctx *c, enum backend be, const struct digest *d, size_t n)
{
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->be = be;
	for (c->n = 0; c->n < n && !err; c->n++) {
		EVP_MD *md;

		if (be == BE_KCAPI) {
			err = kcapi_open(d[c->n].alg, &c->kc[c->n]);
			continue;
		}
		md = EVP_MD_fetch(NULL, d[c->n].alg, NULL);
		c->evp[c->n] = EVP_MD_CTX_new();
		if (!md || !c->evp[c->n] || !EVP_DigestInit_ex2(c->evp[c->n], md, NULL))
			err = md ? -ENOMEM : -ENOPKG;
		EVP_MD_free(md);
	}
	ERR_clear_error();
	if (err)
		ctx_free(c);
	return err;
}

static int ctx_update(struct ctx *c, const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->be == BE_KCAPI) {
			ssize_t r = kcapi_md_update(c->kc[i], buf, len);

			if (r < 0)
				return (int)r;
		} else if (!EVP_DigestUpdate(c->evp[i], buf, len)) {
			return -ENOMEM;
		}
	}
	return 0;
}

static int ctx_final(struct ctx *c, struct digest *d)
{
	for (size_t i = 0; i < c->n; i++) {
		unsigned int len = 0;
		ssize_t r;

		if (c->be == BE_KCAPI) {
			r = kcapi_md_final(c->kc[i], d[i].md, DIGEST_MAX);
			if (r <= 0)
				return r < 0 ? (int)r : -EIO;
			d[i].len = r;
		} else {
			if (!EVP_DigestFinal_ex(c->evp[i], d[i].md, &len))
				return -ENOMEM;
			d[i].len = len;
		}
	}
	return 0;
}

/* Set up @c in the wanted back end.  Return: 0 or as ctx_init(), -EINVAL for a bad $FWVERIFY_DIGEST. */
static int ctx_start(struct ctx *c, const struct digest *d, size_t n)
{
	enum backend be = backend_wanted();
	int err;

	switch (be) {
	case BE_INVALID:
		return -EINVAL;
	case BE_AUTO:
		err = ctx_init(c, BE_KCAPI, d, n);
		return err && err != -ENOMEM ? ctx_init(c, BE_OPENSSL, d, n) : err;
	default:
		return ctx_init(c, be, d, n);
	}
}

bool digest_available(const char *alg)
{
	enum backend be = backend_wanted();
	struct kcapi_handle *h = NULL;
	EVP_MD *md;
	bool ok = false;

	if (be == BE_AUTO || be == BE_OPENSSL) {
		md = EVP_MD_fetch(NULL, alg, NULL);
		ok = md;
		ERR_clear_error();
		EVP_MD_free(md);
	}
	if (!ok && (be == BE_AUTO || be == BE_KCAPI)) {
		ok = !kcapi_open(alg, &h);
		if (h)
			kcapi_md_destroy(h);
	}
	return ok;
}

/*
 * Read @fd to its end and compute the @n digests in @d.
 * Return: 0, -ENOPKG when an algorithm is not available, -EAFNOSUPPORT or
 * -EPROTONOSUPPORT when the kcapi back end is forced and the kernel has no
 * AF_ALG or no NETLINK_CRYPTO, -EINVAL when $FWVERIFY_DIGEST names no back
 * end, -ENOMEM, or -errno from read() or the kernel.
 */
int digest_fd(int fd, struct digest *d, size_t n)
{
	_cleanup_(freep) unsigned char *buf = malloc(CHUNK);
	struct ctx c;
	int err;
	ssize_t r;

	if (n > NMAX)
		return -E2BIG;
	if (!buf)
		return -ENOMEM;
	err = ctx_start(&c, d, n);
	if (err)
		return err;
	while (!err) {
		r = read(fd, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = -errno;
		if (r <= 0)
			break;
		err = ctx_update(&c, buf, r);
	}
	if (!err)
		err = ctx_final(&c, d);
	if (!err)
		last_backend = backend_names[c.be];
	ctx_free(&c);
	return err;
}

const char *digest_backend(void)
{
	return last_backend;
}
