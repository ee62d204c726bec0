/* SPDX-License-Identifier: GPL-2.0 */
/*
 * verify.c: from a firmware file and its detached signature to a verdict.
 */
#ifndef _FWVERIFY_VERIFY_H
#define _FWVERIFY_VERIFY_H

#include "fwverify.h"

int fwverify_verify_init(void);
void fwverify_verify_exit(void);
void fwverify_verify_file(struct fwverify_event *ev);
void fwverify_verify_data(struct fwverify_event *ev);

#endif /* _FWVERIFY_VERIFY_H */
