/* SPDX-License-Identifier: GPL-2.0 */
/*
 * verify.c: from a firmware file and its detached signature to a verdict.
 */
#ifndef _FWVERIFY_VERIFY_H
#define _FWVERIFY_VERIFY_H

#include "fwverify.h"

struct fwverify_piece;

int fwverify_verify_init(void);
void fwverify_verify_exit(void);
void fwverify_verify_file(struct fwverify_event *ev);
void fwverify_verify_data(struct fwverify_event *ev);
void fwverify_piece_set(struct fwverify_piece *piece, const void *buf,
			size_t size);
bool fwverify_piece_matches(const struct fwverify_piece *piece,
			    const void *buf, size_t n);

#endif /* _FWVERIFY_VERIFY_H */
