/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.c: the policy file (/sys/kernel/security/fwverify/policy) and
 * the matching of firmware names against its rules.
 */
#ifndef _FWVERIFY_POLICY_H
#define _FWVERIFY_POLICY_H

#include <linux/fs.h>

#include "fwverify.h"

extern const struct file_operations fwverify_policy_fops;

/* The rule a name matched. */
struct fwverify_rule_match {
	enum fwverify_mode action;
	struct key *pin;	/* referenced; key_put() it */
};

bool fwverify_policy_match(const char *name, struct fwverify_rule_match *m);
void fwverify_policy_exit(void);
bool fwverify_policy_empty(void);
bool fwverify_policy_may_enforce(void);

#endif /* _FWVERIFY_POLICY_H */
