/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The persistent revoke list, <state_dir>/revoked: one "sha256:<hex>" a
 * line, re-applied to the kernel at boot by fwverify-apply.service.
 * Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_REVLIST_H
#define FWVERIFY_REVLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The most digests on a list, as the kernel's. */
#define REVLIST_MAX 65536
/* The longest line written: "sha256:" 64 hex digits and a NUL (or newline). */
#define REVLIST_LINE (7 + 64 + 1)
#define REVLIST_FILE "revoked"

/*
 * Parse one digest, "sha256:<64 hex>" or "<64 hex>" (either case), of
 * exactly @len bytes.  Return: 0 or -EINVAL.
 */
int revlist_parse_digest(const char *s, size_t len, unsigned char digest[32]);
/* Write "sha256:<hex>" and a NUL to @out (REVLIST_LINE bytes). */
void revlist_format(const unsigned char digest[32], char *out);

/*
 * Parse list text: a digest a line; blank lines, '#' comments, and spaces
 * or a '\r' around a digest are ignored.  Pure: no I/O, so it can be fuzzed.
 * Return: 0 or -EINVAL (with the bad line number in *bad_line), -E2BIG
 * past REVLIST_MAX digests, -ENOMEM.  *digests is NULL when *n is 0.
 */
int revlist_parse(const char *text, size_t len, unsigned char (**digests)[32], size_t *n,
		  unsigned int *bad_line);
/* True if @x is one of the @n digests of @d. */
bool revlist_contains(const unsigned char (*d)[32], size_t n, const unsigned char *x);
/* The path of the list, newly allocated, or NULL. */
char *revlist_path(const struct fw_config *c);
/* Read <state_dir>/revoked (missing means empty).  Return: 0, -EBADMSG for a bad list, or -errno. */
int revlist_load(const struct fw_config *c, unsigned char (**digests)[32], size_t *n);
/*
 * Add digests to the persistent list only: deduplicated, rewritten
 * atomically and synced (creating state_dir if needed).  *added (may be
 * NULL) counts those that were not on it yet.  Return: 0 or -errno.
 */
int revlist_save(const struct fw_config *c, const unsigned char (*digests)[32], size_t n,
		 size_t *added);
/*
 * Add digests to the persistent list (durably, atomically) and then to the
 * kernel's when loaded.  Return: 0; -ENODEV when the module is not loaded
 * (the persistent list was written); the -errno of the persistent write
 * (nothing was done); or the -errno of the kernel's write (the persistent
 * list was written).  Callers that must tell the last two apart call
 * revlist_save() and kstate_revoke() themselves.
 */
int revlist_add(const struct fw_config *c, const unsigned char (*digests)[32], size_t n);

#endif
