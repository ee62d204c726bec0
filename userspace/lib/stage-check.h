/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What staging and rollback check of each blob of a tree: the offline
 * verdict (check.h), as verify gives it, then the running kernel's check
 * file when the module is loaded.  Library code: returns 0 or -errno and
 * does not log.
 */
#ifndef FWVERIFY_STAGE_CHECK_H
#define FWVERIFY_STAGE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "error.h"

/* What verification of one blob found. */
struct gen_verdict {
	bool ok;
	char why[512];		/* when not ok: "<result>: <reason>", or "kernel: <result>: <reason>" */
	char signer[256];
	unsigned char sha256[32];	/* of the file as stored */
	unsigned char signed_sha256[32];	/* of what its signature covers (see gen_signed_digest()) */
	uint64_t size;
};

/* How to verify: offline trust anchors, the revoke list, and whether to ask the kernel. */
struct gen_checker {
	struct check_ctx ctx;	/* the offline verdict's keys, revocations and kernel rules */
	bool kernel;		/* the module is loaded: its check file is asked too */
};

int gen_signed_digest(int dirfd, const char *name, unsigned char md[32]);
int gen_checker_load(struct gen_checker *k, const struct fw_config *c, char *const *cas, size_t ncas,
		     struct fw_error *e);
void gen_checker_free(struct gen_checker *k);
bool gen_check(const struct gen_checker *k, int tree_fd, const char *tree_path,
	       const char *name, struct gen_verdict *v);

#endif
