/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who made a signature: the key of .fwverify, if it holds it, and whether
 * the certificates the signature carries may be left out of verifying it.
 */
#ifndef _FWVERIFY_SIGNER_H
#define _FWVERIFY_SIGNER_H

#include <linux/types.h>

bool fwverify_signer(const void *sig, size_t len, char *name, size_t size,
		     bool *bare);
void fwverify_signer_exit(void);

#endif /* _FWVERIFY_SIGNER_H */
