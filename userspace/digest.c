// SPDX-License-Identifier: GPL-2.0
/*
 * Hash a firmware file in one pass, computing every digest its signature
 * needs at once.  Algorithms carry the kernel crypto API's names, which
 * OpenSSL also accepts, so a libkcapi back end can take the same names.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "digest.h"
#include "util.h"

#define CHUNK (256 * 1024)

bool digest_available(const char *alg)
{
	EVP_MD *md = EVP_MD_fetch(NULL, alg, NULL);
	bool ok = md;

	ERR_clear_error();
	EVP_MD_free(md);
	return ok;
}

/*
 * Read @fd to its end and compute the @n digests in @d.
 * Return: 0, -ENOPKG when an algorithm is not available, -ENOMEM, or -errno from read().
 */
int digest_fd(int fd, struct digest *d, size_t n)
{
	EVP_MD_CTX *ctx[8] = { NULL };
	_cleanup_(freep) unsigned char *buf = malloc(CHUNK);
	int err = 0;
	ssize_t r;

	if (n > sizeof(ctx) / sizeof(ctx[0]))
		return -E2BIG;
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		EVP_MD *md = EVP_MD_fetch(NULL, d[i].alg, NULL);

		ctx[i] = EVP_MD_CTX_new();
		if (!md || !ctx[i] || !EVP_DigestInit_ex2(ctx[i], md, NULL))
			err = md ? -ENOMEM : -ENOPKG;
		EVP_MD_free(md);
	}
	while (!err) {
		r = read(fd, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = -errno;
		if (r <= 0)
			break;
		for (size_t i = 0; i < n && !err; i++)
			if (!EVP_DigestUpdate(ctx[i], buf, r))
				err = -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int len = 0;

		if (!err && !EVP_DigestFinal_ex(ctx[i], d[i].md, &len))
			err = -ENOMEM;
		d[i].len = len;
		EVP_MD_CTX_free(ctx[i]);
	}
	return err;
}
