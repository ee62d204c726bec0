// SPDX-License-Identifier: GPL-2.0
/*
 * The revocation list: SHA-256 digests of firmware that must not load, even
 * with a valid signature.  Written through
 * /sys/kernel/security/fwverify/revoke, one digest a line; it only grows
 * until the module is unloaded (and a locked module cannot be).  The
 * kernel's own blacklist of binaries (is_binary_blacklisted()) is honoured
 * too.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <keys/system_keyring.h>

#include "audit.h"
#include "fwverify.h"
#include "revoke.h"

/* Most digests on the list: 64 bytes each, so at most 4 MiB. */
#define FWVERIFY_REVOKE_MAX	65536
/* Largest write: the whole list in one go, with "sha256:" and newlines. */
#define FWVERIFY_REVOKE_WRITE_MAX	(FWVERIFY_REVOKE_MAX * 72)

struct fwverify_revoked {
	struct hlist_node node;
	u8 digest[SHA256_DIGEST_SIZE];
};

static DEFINE_HASHTABLE(fwverify_revoke_table, 10);
static DEFINE_MUTEX(fwverify_revoke_lock);
static unsigned int fwverify_revoke_count;

static u32 fwverify_revoke_hash(const u8 *digest)
{
	return digest[0] | digest[1] << 8 | digest[2] << 16 | (u32)digest[3] << 24;
}

static bool fwverify_revoke_find(const u8 *digest)
{
	struct fwverify_revoked *r;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(fwverify_revoke_table, r, node,
				   fwverify_revoke_hash(digest)) {
		if (!memcmp(r->digest, digest, SHA256_DIGEST_SIZE)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * fwverify_revoked() - is a firmware with this SHA-256 revoked?
 * @digest: the SHA-256 of the file as stored
 * @reason: set to why, if it is
 *
 * Return: true if it is on fwverify's list or the kernel's blacklist.
 */
bool fwverify_revoked(const u8 *digest, const char **reason)
{
	if (fwverify_revoke_find(digest)) {
		*reason = "digest on the revocation list";
		return true;
	}
	if (is_binary_blacklisted(digest, SHA256_DIGEST_SIZE)) {
		*reason = "digest on the kernel's blacklist";
		return true;
	}
	return false;
}

/* One line: 64 hex digits, optionally after "sha256:". */
static int fwverify_parse_digest(const char *line, u8 *digest)
{
	if (!strncmp(line, "sha256:", 7))
		line += 7;
	if (strlen(line) != 2 * SHA256_DIGEST_SIZE)
		return -EINVAL;
	return hex2bin(digest, line, SHA256_DIGEST_SIZE);
}

/*
 * Parse every line first: a write with one bad line adds nothing, and the
 * error names the line.
 */
static ssize_t fwverify_revoke_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct fwverify_revoked *new = NULL, *r;
	unsigned int n = 0, added = 0, lineno = 0, i;
	char *buf, *line, *cur;
	ssize_t err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (count > FWVERIFY_REVOKE_WRITE_MAX)
		return -EFBIG;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	new = kvcalloc(count / 64 + 1, sizeof(*new), GFP_KERNEL);
	err = -ENOMEM;
	if (!new)
		goto out;

	cur = buf;
	while ((line = strsep(&cur, "\n"))) {
		lineno++;
		line = strim(line);
		if (!*line || *line == '#')
			continue;
		if (fwverify_parse_digest(line, new[n].digest)) {
			pr_warn("revoke: line %u: not a SHA-256 digest\n",
				lineno);
			err = -EINVAL;
			goto out;
		}
		n++;
	}

	mutex_lock(&fwverify_revoke_lock);
	err = -ENOSPC;
	if (fwverify_revoke_count + n > FWVERIFY_REVOKE_MAX) {
		pr_warn("revoke: the list holds at most %u digests\n",
			FWVERIFY_REVOKE_MAX);
		goto unlock;
	}
	for (i = 0; i < n; i++) {
		if (fwverify_revoke_find(new[i].digest))
			continue;	/* already revoked: harmless */
		r = kmemdup(&new[i], sizeof(*r), GFP_KERNEL);
		if (!r)
			break;
		hash_add_rcu(fwverify_revoke_table, &r->node,
			     fwverify_revoke_hash(r->digest));
		fwverify_revoke_count++;
		added++;
	}
	err = i == n ? count : -ENOMEM;
unlock:
	mutex_unlock(&fwverify_revoke_lock);
	if (added) {
		fwverify_generation_bump();
		pr_notice("revoked %u more firmware digests\n", added);
		fwverify_audit_change("revoke", added);
	}
out:
	kvfree(new);
	kfree(buf);
	return err;
}

static int fwverify_revoke_show(struct seq_file *m, void *v)
{
	struct fwverify_revoked *r;
	unsigned int bkt;

	mutex_lock(&fwverify_revoke_lock);
	hash_for_each(fwverify_revoke_table, bkt, r, node)
		seq_printf(m, "sha256:%*phN\n", SHA256_DIGEST_SIZE, r->digest);
	mutex_unlock(&fwverify_revoke_lock);
	return 0;
}

static int fwverify_revoke_open(struct inode *inode, struct file *file)
{
	return single_open(file, fwverify_revoke_show, NULL);
}

const struct file_operations fwverify_revoke_fops = {
	.owner = THIS_MODULE,
	.open = fwverify_revoke_open,
	.read = seq_read,
	.write = fwverify_revoke_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * fwverify_revoke_exit() - free the revocation list
 */
void fwverify_revoke_exit(void)
{
	struct fwverify_revoked *r;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(fwverify_revoke_table, bkt, tmp, r, node) {
		hash_del(&r->node);
		kfree(r);
	}
}
