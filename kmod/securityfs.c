// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/security/fwverify/: the check file.  Write an absolute path,
 * then read, on the same open file, what a firmware load of it would get:
 * the same verification as a real load, without loading, counting,
 * caching or reporting anything.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "eval.h"
#include "fwverify.h"
#include "lock.h"
#include "policy.h"
#include "revoke.h"
#include "securityfs.h"

struct fwverify_check {
	struct mutex lock;	/* serialises out and len */
	char *out;
	size_t len;
};

static struct dentry *fwverify_sfs_dir;
static struct dentry *fwverify_sfs_files[4];

static int fwverify_check_open(struct inode *inode, struct file *file)
{
	struct fwverify_check *c;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	mutex_init(&c->lock);
	file->private_data = c;
	return 0;
}

static int fwverify_check_release(struct inode *inode, struct file *file)
{
	struct fwverify_check *c = file->private_data;

	kfree(c->out);
	kfree(c);
	return 0;
}

static char *fwverify_check_format(const struct fwverify_event *ev)
{
	char *name = fwverify_escape(ev->name ?: "", 0, GFP_KERNEL);
	char *path = fwverify_escape(ev->resolved ?: "", 0, GFP_KERNEL);
	char *signer = fwverify_escape(ev->v.signer, 0, GFP_KERNEL);
	char digest[8 + 2 * SHA256_DIGEST_SIZE + 1] = "";
	char *out = NULL;

	if (ev->v.have_digest)
		snprintf(digest, sizeof(digest), "sha256:%*phN",
			 SHA256_DIGEST_SIZE, ev->v.digest);
	if (name && path && signer)
		out = kasprintf(GFP_KERNEL,
				"result=%s\naction=%s\nreason=%s\nerrno=%d\nsigner=%s\ndigest=%s\nsize=%lld\nname=%s\npath=%s\n",
				fwverify_result_name(ev->v.result),
				fwverify_action_name(ev->deny), ev->v.reason,
				ev->v.err, signer, digest,
				(long long)ev->v.blob_id.size, name, path);
	kfree(name);
	kfree(path);
	kfree(signer);
	return out;
}

static ssize_t fwverify_check_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct fwverify_check *c = file->private_data;
	struct fwverify_event ev;
	char *path, *out;
	int err;

	if (count == 0 || count >= PATH_MAX)
		return -EINVAL;
	path = memdup_user_nul(ubuf, count);
	if (IS_ERR(path))
		return PTR_ERR(path);
	if (path[count - 1] == '\n')
		path[count - 1] = '\0';
	err = -EINVAL;
	if (path[0] != '/' || strlen(path) != strnlen(path, count))
		goto out;

	err = fwverify_check_path(path, &ev);
	if (err)
		goto out;
	out = fwverify_check_format(&ev);
	fwverify_check_free(&ev);
	err = -ENOMEM;
	if (!out)
		goto out;
	mutex_lock(&c->lock);
	kfree(c->out);
	c->out = out;
	c->len = strlen(out);
	mutex_unlock(&c->lock);
	*ppos = 0;	/* the verdict is read from its start */
	err = 0;
out:
	kfree(path);
	return err ? err : count;
}

static ssize_t fwverify_check_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct fwverify_check *c = file->private_data;
	ssize_t ret;

	mutex_lock(&c->lock);
	ret = c->out ? simple_read_from_buffer(ubuf, count, ppos, c->out,
					       c->len) : -ENODATA;
	mutex_unlock(&c->lock);
	return ret;
}

static const struct file_operations fwverify_check_fops = {
	.owner = THIS_MODULE,
	.open = fwverify_check_open,
	.release = fwverify_check_release,
	.read = fwverify_check_read,
	.write = fwverify_check_write,
	.llseek = generic_file_llseek,
};

/**
 * fwverify_securityfs_init() - make /sys/kernel/security/fwverify/
 *
 * Return: 0, or the error of the file that could not be made.
 */
int fwverify_securityfs_init(void)
{
	static const struct {
		const char *name;
		umode_t mode;
		const struct file_operations *fops;
	} files[] = {
		{ "check", 0600, &fwverify_check_fops },
		{ "policy", 0600, &fwverify_policy_fops },
		{ "revoke", 0600, &fwverify_revoke_fops },
		{ "lock", 0600, &fwverify_lock_fops },
	};
	int i, err;

	BUILD_BUG_ON(ARRAY_SIZE(files) != ARRAY_SIZE(fwverify_sfs_files));
	fwverify_sfs_dir = securityfs_create_dir("fwverify", NULL);
	if (IS_ERR(fwverify_sfs_dir))
		return PTR_ERR(fwverify_sfs_dir);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		fwverify_sfs_files[i] =
			securityfs_create_file(files[i].name, files[i].mode,
					       fwverify_sfs_dir, NULL,
					       files[i].fops);
		if (IS_ERR(fwverify_sfs_files[i])) {
			err = PTR_ERR(fwverify_sfs_files[i]);
			goto err_files;
		}
	}
	return 0;

err_files:
	while (--i >= 0)
		securityfs_remove(fwverify_sfs_files[i]);
	securityfs_remove(fwverify_sfs_dir);
	return err;
}

/**
 * fwverify_securityfs_exit() - remove /sys/kernel/security/fwverify/
 */
void fwverify_securityfs_exit(void)
{
	int i;

	for (i = ARRAY_SIZE(fwverify_sfs_files) - 1; i >= 0; i--)
		securityfs_remove(fwverify_sfs_files[i]);
	securityfs_remove(fwverify_sfs_dir);
}
