/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lock.c: the lock (/sys/kernel/security/fwverify/lock, kernel lockdown)
 * and the gate every change of what it freezes goes through.
 */
#ifndef _FWVERIFY_LOCK_H
#define _FWVERIFY_LOCK_H

#include <linux/fs.h>
#include <linux/types.h>

extern const struct file_operations fwverify_lock_fops;

bool fwverify_locked(void);
int fwverify_change_begin(void);
void fwverify_change_end(void);
void fwverify_lock_init(void);
void fwverify_lock_exit(void);

#endif /* _FWVERIFY_LOCK_H */
