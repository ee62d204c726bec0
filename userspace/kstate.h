/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's fwverify state: the files under /sys/kernel/fwverify,
 * /sys/kernel/security/fwverify and /sys/module/fwverify/parameters.
 * The sysfs root is "/sys", or $FWVERIFY_SYSFS for tests with a fake tree.
 * Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_KSTATE_H
#define FWVERIFY_KSTATE_H

#include <stdbool.h>
#include <stddef.h>

/* The module's answer to one path written to the check file. */
struct kstate_verdict {
	char result[32];	/* verified, unsigned, bad-signature, untrusted, malformed, error */
	char action[16];	/* allowed or denied */
	char reason[128];
	char signer[256];
	char digest[80];	/* "sha256:<hex>" */
	char name[256];
	int err;		/* errno= line */
};

const char *kstate_root(void);
/* Return: true when the module is loaded (its securityfs directory exists). */
bool kstate_loaded(void);
/* Ask the module about @path.  Return: 0, -ENODEV when not loaded, or -errno of the write. */
int kstate_check(const char *path, struct kstate_verdict *v);
/* Append SHA-256 digests to the kernel's revoke list.  Return: 0, -ENODEV, or -errno. */
int kstate_revoke(const unsigned char (*digests)[32], size_t n);

#endif
