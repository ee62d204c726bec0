// SPDX-License-Identifier: GPL-2.0
/*
 * The policy: /sys/kernel/security/fwverify/policy holds ordered rules
 *
 *	<enforce|log|off> <glob> [signer=<key description or id>]
 *
 * over requested firmware names; the first that matches decides, and the
 * mode parameter decides for names no rule matches.  A rule with a signer
 * trusts only signatures that chain to that certificate of .fwverify, so a
 * key trusted for one vendor cannot sign another vendor's firmware.
 *
 * A write replaces the whole policy or, if any line is bad, changes
 * nothing and fails with EINVAL, naming the line in the kernel log.  The
 * policy is published with RCU: a load sees the old or the new one.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/glob.h>
#include <linux/key.h>
#include <linux/key-type.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <keys/asymmetric-type.h>

#include "audit.h"
#include "fwverify.h"
#include "keyring.h"
#include "lock.h"
#include "policy.h"

#define FWVERIFY_POLICY_MAX_RULES	1024
#define FWVERIFY_POLICY_MAX_WRITE	(64 * 1024)

struct fwverify_rule {
	enum fwverify_mode action;
	char *glob;
	char *signer;		/* the pinned key's id, or NULL */
	struct key *pin;	/* a keyring holding only that key */
};

struct fwverify_policy {
	struct rcu_head rcu;
	unsigned int n;
	struct fwverify_rule rules[];
};

static struct fwverify_policy __rcu *fwverify_policy;
static DEFINE_MUTEX(fwverify_policy_lock);

static void fwverify_policy_free(struct fwverify_policy *p)
{
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		kfree(p->rules[i].glob);
		kfree(p->rules[i].signer);
		key_put(p->rules[i].pin);
	}
	kfree(p);
}

/*
 * The keyring a rule's signer= pins: a new keyring holding only the key of
 * .fwverify whose description is @spec, or whose id ends in @spec.
 */
static int fwverify_pin(const char *spec, struct fwverify_rule *r)
{
	key_ref_t ref = ERR_PTR(-ENOKEY);
	struct key *key, *ring;
	char *id;
	int err;

	ref = keyring_search(make_key_ref(fwverify_keyring, true),
			     &key_type_asymmetric, spec, false);
	if (IS_ERR(ref)) {
		id = kasprintf(GFP_KERNEL, "id:%s", spec);
		if (!id)
			return -ENOMEM;
		ref = keyring_search(make_key_ref(fwverify_keyring, true),
				     &key_type_asymmetric, id, false);
		kfree(id);
	}
	if (IS_ERR(ref))
		return -ENOKEY;
	key = key_ref_to_ptr(ref);

	ring = keyring_alloc(".fwverify-pin", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
			     current_cred(), KEY_POS_SEARCH | KEY_POS_VIEW,
			     KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	err = PTR_ERR_OR_ZERO(ring);
	if (!err)
		err = key_link(ring, key);
	/* Named by its key id, the last word of its description: re-parsable. */
	if (!err)
		r->signer = kstrdup(strrchr(key->description, ' ') ?
				    strrchr(key->description, ' ') + 1 :
				    key->description, GFP_KERNEL);
	if (!err && !r->signer)
		err = -ENOMEM;
	key_put(key);
	if (err) {
		if (!IS_ERR(ring))
			key_put(ring);
		return err;
	}
	r->pin = ring;
	return 0;
}

/* One line: "<action> <glob> [signer=<spec>]". */
static int fwverify_parse_rule(char *line, struct fwverify_rule *r)
{
	char *action, *glob, *opt;
	int a;

	action = strsep(&line, " \t");
	line = skip_spaces(line ?: "");
	glob = strsep(&line, " \t");
	line = skip_spaces(line ?: "");
	opt = strsep(&line, " \t");
	if (line && *skip_spaces(line))
		return -E2BIG;		/* more than three fields */

	/* Lines are split at '\n': the mode parameter's names match exactly. */
	a = fwverify_mode_parse(action);
	if (a < 0 || !glob || !*glob)
		return -EINVAL;
	r->action = a;
	r->glob = kstrdup(glob, GFP_KERNEL);
	if (!r->glob)
		return -ENOMEM;
	if (!opt || !*opt)
		return 0;
	if (strncmp(opt, "signer=", 7) || !opt[7])
		return -EINVAL;
	return fwverify_pin(opt + 7, r);
}

static bool fwverify_printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\t' && (s[i] < 0x20 || s[i] > 0x7e))
			return false;
	return true;
}

static ssize_t fwverify_policy_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct fwverify_policy *p, *old;
	unsigned int lineno = 0, n;
	char *buf, *cur, *line;
	ssize_t err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (fwverify_locked())
		return -EPERM;
	if (count > FWVERIFY_POLICY_MAX_WRITE)
		return -EFBIG;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	p = kzalloc(struct_size(p, rules, FWVERIFY_POLICY_MAX_RULES), GFP_KERNEL);
	err = -ENOMEM;
	if (!p)
		goto out;

	err = -EINVAL;
	if (!fwverify_printable(buf, count)) {
		pr_warn("policy: not text\n");
		goto out;
	}
	cur = buf;
	while ((line = strsep(&cur, "\n"))) {
		lineno++;
		line = strim(line);
		if (!*line || *line == '#')
			continue;
		if (p->n == FWVERIFY_POLICY_MAX_RULES) {
			pr_warn("policy: line %u: more than %u rules\n", lineno,
				FWVERIFY_POLICY_MAX_RULES);
			err = -E2BIG;
			goto out;
		}
		err = fwverify_parse_rule(line, &p->rules[p->n++]);
		if (err) {
			pr_warn("policy: line %u: %s\n", lineno,
				err == -ENOKEY ? "no such signer in .fwverify" :
				err == -E2BIG ? "too many fields" :
				"expected \"<enforce|log|off> <glob> [signer=<key>]\"");
			err = err == -ENOMEM ? -ENOMEM : -EINVAL;
			goto out;
		}
	}

	err = fwverify_change_begin();
	if (err)
		goto out;
	/* No rule: no policy, which fwverify_policy_empty() tells at once. */
	n = p->n;
	if (!n) {
		fwverify_policy_free(p);
		p = NULL;
	}
	mutex_lock(&fwverify_policy_lock);
	old = rcu_replace_pointer(fwverify_policy, p,
				  lockdep_is_held(&fwverify_policy_lock));
	mutex_unlock(&fwverify_policy_lock);
	fwverify_change_end();
	synchronize_rcu();
	fwverify_generation_bump();
	pr_notice("policy replaced: %u rules\n", n);
	fwverify_audit_change("policy", n);
	p = old;
	err = count;
out:
	fwverify_policy_free(p);
	kfree(buf);
	return err;
}

static int fwverify_policy_show(struct seq_file *m, void *v)
{
	struct fwverify_policy *p;
	unsigned int i;

	mutex_lock(&fwverify_policy_lock);
	p = rcu_dereference_protected(fwverify_policy,
				      lockdep_is_held(&fwverify_policy_lock));
	for (i = 0; p && i < p->n; i++) {
		seq_printf(m, "%s %s", fwverify_mode_name(p->rules[i].action),
			   p->rules[i].glob);
		if (p->rules[i].signer)
			seq_printf(m, " signer=%s", p->rules[i].signer);
		seq_putc(m, '\n');
	}
	mutex_unlock(&fwverify_policy_lock);
	return 0;
}

static int fwverify_policy_open(struct inode *inode, struct file *file)
{
	return single_open(file, fwverify_policy_show, NULL);
}

const struct file_operations fwverify_policy_fops = {
	.owner = THIS_MODULE,
	.open = fwverify_policy_open,
	.read = seq_read,
	.write = fwverify_policy_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * fwverify_policy_match() - the rule for a requested firmware name
 * @name: the name the driver requested
 * @m: set to the rule's action and pinned signer (referenced)
 *
 * Return: true if a rule matched; false if the mode decides.
 */
bool fwverify_policy_match(const char *name, struct fwverify_rule_match *m)
{
	struct fwverify_policy *p;
	bool found = false;
	unsigned int i;

	rcu_read_lock();
	p = rcu_dereference(fwverify_policy);
	for (i = 0; p && name && i < p->n && !found; i++) {
		if (glob_match(p->rules[i].glob, name)) {
			m->action = p->rules[i].action;
			m->pin = p->rules[i].pin ? key_get(p->rules[i].pin) : NULL;
			found = true;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * fwverify_policy_may_enforce() - could any rule enforce?
 *
 * Then what cannot be named is refused.
 *
 * Return: true if a rule's action is enforce.
 */
bool fwverify_policy_may_enforce(void)
{
	struct fwverify_policy *p;
	bool may = false;
	unsigned int i;

	rcu_read_lock();
	p = rcu_dereference(fwverify_policy);
	for (i = 0; p && i < p->n && !may; i++)
		may = p->rules[i].action == FWVERIFY_MODE_ENFORCE;
	rcu_read_unlock();
	return may;
}

/**
 * fwverify_policy_empty() - does the policy have no rule?
 *
 * Return: true if no rule can apply: the mode alone decides.
 */
bool fwverify_policy_empty(void)
{
	return !rcu_access_pointer(fwverify_policy);
}

/**
 * fwverify_policy_exit() - free the policy
 */
void fwverify_policy_exit(void)
{
	fwverify_policy_free(rcu_dereference_protected(fwverify_policy, true));
}
