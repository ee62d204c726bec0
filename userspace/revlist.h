/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The persistent revoke list, <state_dir>/revoked: one "sha256:<hex>" a
 * line, re-applied to the kernel at boot by fwverify-apply.service.
 * Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_REVLIST_H
#define FWVERIFY_REVLIST_H

#include <stddef.h>

#include "config.h"

/* Parse list text.  Return: 0 or -EINVAL (with the bad line number in *bad_line). */
int revlist_parse(const char *text, size_t len, unsigned char (**digests)[32], size_t *n,
		  unsigned int *bad_line);
/* Read <state_dir>/revoked (missing means empty). */
int revlist_load(const struct fw_config *c, unsigned char (**digests)[32], size_t *n);
/* Add digests to the persistent list (durably, atomically) and then to the kernel's when loaded. */
int revlist_add(const struct fw_config *c, const unsigned char (*digests)[32], size_t n);

#endif
