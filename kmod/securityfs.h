/* SPDX-License-Identifier: GPL-2.0 */
/*
 * securityfs.c: /sys/kernel/security/fwverify/ and its check file.
 */
#ifndef _FWVERIFY_SECURITYFS_H
#define _FWVERIFY_SECURITYFS_H

int fwverify_securityfs_init(void);
void fwverify_securityfs_exit(void);

#endif /* _FWVERIFY_SECURITYFS_H */
