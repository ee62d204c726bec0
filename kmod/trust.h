/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trust.c: which keyrings sign firmware (the trust parameter), and
 * verifying a signature by those rules.
 */
#ifndef _FWVERIFY_TRUST_H
#define _FWVERIFY_TRUST_H

#include <linux/types.h>

struct key;

int fwverify_verify_sig(const void *data, size_t len, const void *sig,
			size_t siglen, struct key *pin, bool in_fwverify,
			bool *via_fwverify);

#endif /* _FWVERIFY_TRUST_H */
