/* SPDX-License-Identifier: GPL-2.0 */
/*
 * revoke.c: the revocation list, /sys/kernel/security/fwverify/revoke.
 */
#ifndef _FWVERIFY_REVOKE_H
#define _FWVERIFY_REVOKE_H

#include <linux/fs.h>
#include <linux/types.h>

extern const struct file_operations fwverify_revoke_fops;

bool fwverify_revoked(const u8 *digest, const char **reason);
void fwverify_revoke_exit(void);

#endif /* _FWVERIFY_REVOKE_H */
