/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Firmware digests: the one place that hashes a blob.  The kernel crypto API
 * through AF_ALG (libkcapi) where the kernel offers it, OpenSSL elsewhere;
 * $FWVERIFY_DIGEST=kcapi|openssl|auto (default auto) chooses.
 */
#ifndef FWVERIFY_DIGEST_H
#define FWVERIFY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#define DIGEST_MAX 64

struct digest {
	const char *alg;		/* kernel crypto API name, e.g. "sha256"; set by the caller */
	unsigned char md[DIGEST_MAX];
	size_t len;
};

bool digest_available(const char *alg);
int digest_fd(int fd, struct digest *d, size_t n);
/* The back end of this thread's last successful digest_fd(): "kcapi" or "openssl"; NULL before. */
const char *digest_backend(void);

#endif
