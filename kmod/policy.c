// SPDX-License-Identifier: GPL-2.0
/*
 * What happens to a verdict: the mode decides between allowing and denying,
 * and every failure is counted and logged.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "fwverify.h"

static const char *const fwverify_mode_names[] = {
	[FWVERIFY_MODE_OFF]	= "off",
	[FWVERIFY_MODE_LOG]	= "log",
	[FWVERIFY_MODE_ENFORCE]	= "enforce",
};

static int fwverify_mode = FWVERIFY_MODE_LOG;

static int fwverify_mode_set(const char *val, const struct kernel_param *kp)
{
	int mode = sysfs_match_string(fwverify_mode_names, val);

	if (mode < 0)
		return -EINVAL;
	if (xchg(&fwverify_mode, mode) != mode)
		pr_notice("mode %s\n", fwverify_mode_names[mode]);
	return 0;
}

static int fwverify_mode_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 fwverify_mode_names[READ_ONCE(fwverify_mode)]);
}

static const struct kernel_param_ops fwverify_mode_ops = {
	.set = fwverify_mode_set,
	.get = fwverify_mode_get,
};
module_param_cb(mode, &fwverify_mode_ops, NULL, 0644);
MODULE_PARM_DESC(mode, "off, log (verify, report, allow) or enforce (deny what fails); default log");

static DEFINE_RATELIMIT_STATE(fwverify_log_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

static void fwverify_log_failure(struct file *file,
				 const struct fwverify_verdict *v, bool deny)
{
	char *tmp, *path = ERR_PTR(-ENOMEM);

	if (!__ratelimit(&fwverify_log_rs))
		return;
	tmp = kmalloc(PATH_MAX, GFP_KERNEL);
	if (tmp)
		path = d_path(&file->f_path, tmp, PATH_MAX);
	if (IS_ERR(path))
		path = "(unnamed)";
	pr_warn("%s: %s (%s, %d), %s\n", path,
		fwverify_result_name(v->result), v->reason, v->err,
		deny ? "denied" : "allowed");
	kfree(tmp);
}

/**
 * fwverify_evaluate_read() - decide on a firmware file the loader has read
 * @file: the firmware file
 * @buf: its whole contents; wiped when the read is denied
 * @size: the size of @buf
 *
 * Return: 0 to let the loader use the file, -EKEYREJECTED to deny it.
 */
int fwverify_evaluate_read(struct file *file, void *buf, size_t size)
{
	enum fwverify_mode mode = READ_ONCE(fwverify_mode);
	struct fwverify_verdict v;
	bool deny;

	if (mode == FWVERIFY_MODE_OFF)
		return 0;

	fwverify_verify_file(file, buf, size, &v);
	deny = v.result != FWVERIFY_VERIFIED && mode == FWVERIFY_MODE_ENFORCE;

	fwverify_stat_inc((enum fwverify_stat)v.result);
	fwverify_stat_inc(deny ? FWVERIFY_STAT_DENIED : FWVERIFY_STAT_ALLOWED);
	if (v.result == FWVERIFY_VERIFIED) {
		pr_debug("%pD: verified\n", file);
		return 0;
	}
	fwverify_log_failure(file, &v, deny);
	if (!deny)
		return 0;

	/* The buffer may be the driver's own: leave nothing of the blob in it. */
	memset(buf, 0, size);
	return -EKEYREJECTED;
}
