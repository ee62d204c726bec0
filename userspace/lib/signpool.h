/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signing many firmware files in parallel with one signer: each signature
 * written to <file>.p7s (or one given path), each failure kept in its
 * file's slot.  Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_SIGNPOOL_H
#define FWVERIFY_SIGNPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "cms.h"

/* One file to sign, and how it failed. */
struct sign_job {
	const char *file;
	char *name;		/* the firmware name signed with it */
	char *sig;		/* the signature's path, once known */
	const char *what;	/* NULL when signed */
	bool on_sig;		/* the failure concerns the signature file */
	int err;
	char ssl[256];		/* OpenSSL's reason, taken on the worker's own error queue */
	bool done;
};

/*
 * Sign @jobs (@n of them, file and name set) with @s on up to @threads
 * threads, each signature to @out (one job only) or "<file>.p7s"; @done
 * is called for every job in order, as soon as it and those before it are
 * done.  Return: 0, or -ENOMEM before anything was signed.
 */
int sign_jobs(const struct cms_signer *s, const char *out, struct sign_job *jobs, size_t n, long threads,
	      void (*done)(const struct sign_job *j, void *ctx), void *ctx);

#endif
