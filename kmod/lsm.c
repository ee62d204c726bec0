// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify built into the kernel (CONFIG_SECURITY_FWVERIFY=y): a real LSM.
 * The kernel calls these hooks after every LSM before it, in order, so
 * fwverify decides only on what the others let through, as the module's
 * ftrace wrappers do (hook.c).  From here on the code is the module's.
 *
 * The hooks exist from security_init(), long before the keyring and the
 * reports can (late_initcall, main.c).  Firmware read in between, by a
 * built-in driver probing at boot, is judged by the mode alone: denied in
 * enforce mode, allowed otherwise, and logged either way.
 *
 * The LSM hooks see the file the loader opened, not the name the driver
 * asked for, nor the suffix the loader added, nor where a partial read
 * starts.  The loader patch (kmod/intree/patches/, applied by
 * scripts/intree/install.sh) has the loader read each path it tries
 * through fwverify_firmware_read(), as the module's wrapper of
 * kernel_read_file_from_path_initns() does: from there on the code is the
 * module's.  What the module also learns from the loader's own functions,
 * the platform-firmware request and the no-uevent fallback, is judged
 * without it.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel_read_file.h>
#include <linux/lsm_hooks.h>
#include <linux/security.h>
#include <linux/string.h>

/* fwverify_firmware_read(), from the loader patch: built in, fwverify is in security/. */
#include "../../drivers/base/firmware_loader/firmware.h"

#include "eval.h"
#include "fwverify.h"
#include "hook.h"
#include "request.h"

/* Not in include/uapi/linux/lsm.h: fwverify is not upstream. */
#define FWVERIFY_LSM_ID		199

const char *const fwverify_form = "built-in LSM";

/* Set when main.c's late initcall has brought the rest up. */
static bool fwverify_ready __ro_after_init;

static bool fwverify_is_ready(void)
{
	/* Pairs with fwverify_hook_init(): ready means all of init is seen. */
	return smp_load_acquire(&fwverify_ready);
}

/* Firmware before fwverify was ready: only the mode can decide. */
static int fwverify_not_ready(struct file *file, const char *what)
{
	bool deny = fwverify_mode() == FWVERIFY_MODE_ENFORCE;

	if (file)
		pr_warn_ratelimited("%pD: %s before fwverify was ready, %s\n",
				    file, what, fwverify_action_name(deny));
	else
		pr_warn_ratelimited("%s before fwverify was ready, %s\n",
				    what, fwverify_action_name(deny));
	return deny ? -EKEYREJECTED : 0;
}

static int fwverify_lsm_read_file(struct file *file,
				  enum kernel_read_file_id id, bool contents)
{
	/* Only a partial read: a whole one is checked after it is read. */
	if (id != READING_FIRMWARE || contents || !fwverify_active())
		return 0;
	if (!fwverify_is_ready())
		return fwverify_not_ready(file, "partial read");
	return fwverify_evaluate_partial(file);
}

static int fwverify_lsm_post_read_file(struct file *file, char *buf,
				       loff_t size, enum kernel_read_file_id id)
{
	int ret;

	if (id != READING_FIRMWARE || !fwverify_active())
		return 0;
	if (fwverify_is_ready())
		return fwverify_evaluate_read(file, buf, size);
	ret = fwverify_not_ready(file, "read");
	if (ret)
		memset(buf, 0, size);
	return ret;
}

static int fwverify_lsm_load_data(enum kernel_load_data_id id, bool contents)
{
	if (id != LOADING_FIRMWARE || !fwverify_active())
		return 0;
	if (!fwverify_is_ready())
		return fwverify_not_ready(NULL, "firmware without a file");
	return fwverify_evaluate_load_data(contents);
}

static int fwverify_lsm_post_load_data(char *buf, loff_t size,
				       enum kernel_load_data_id id,
				       char *description)
{
	if (id != LOADING_FIRMWARE || !fwverify_active())
		return 0;
	if (!fwverify_is_ready())
		return fwverify_not_ready(NULL, description ?: "firmware data");
	return fwverify_evaluate_post_load_data(buf, size, description);
}

/*
 * Declared by the loader patch: a tree without it fails to build here,
 * rather than build a fwverify that never sees a request.
 */
static_assert(__same_type(&fwverify_firmware_read,
			  ssize_t (*)(const char *, loff_t, void **, size_t,
				      size_t *)));

/**
 * fwverify_firmware_read() - the loader reads a path it tries
 * @path: "<search directory>/<name><suffix>"
 * @offset: where a partial read starts
 * @buf: as for kernel_read_file_from_path_initns()
 * @buf_size: as for kernel_read_file_from_path_initns()
 * @file_size: as for kernel_read_file_from_path_initns()
 *
 * Called by the patched loader (its firmware.h) instead of
 * kernel_read_file_from_path_initns(): fwverify follows the request as the
 * module does.  Before fwverify is ready, the hooks alone judge the read.
 *
 * Return: as kernel_read_file_from_path_initns(), or -EKEYREJECTED.
 */
ssize_t fwverify_firmware_read(const char *path, loff_t offset, void **buf,
			       size_t buf_size, size_t *file_size)
{
	if (!fwverify_is_ready())
		return kernel_read_file_from_path_initns(path, offset, buf,
							 buf_size, file_size,
							 READING_FIRMWARE);
	return fwverify_read_firmware_path(path, offset, buf, buf_size,
					   file_size, READING_FIRMWARE);
}
EXPORT_SYMBOL_GPL(fwverify_firmware_read);

static const struct lsm_id fwverify_lsmid = {
	.name = "fwverify",
	.id = FWVERIFY_LSM_ID,
};

static struct security_hook_list fwverify_lsm_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(kernel_read_file, fwverify_lsm_read_file),
	LSM_HOOK_INIT(kernel_post_read_file, fwverify_lsm_post_read_file),
	LSM_HOOK_INIT(kernel_load_data, fwverify_lsm_load_data),
	LSM_HOOK_INIT(kernel_post_load_data, fwverify_lsm_post_load_data),
};

static int __init fwverify_lsm_init(void)
{
	security_add_hooks(fwverify_lsm_hooks, ARRAY_SIZE(fwverify_lsm_hooks),
			   &fwverify_lsmid);
	pr_info("LSM hooks registered, mode %s\n",
		fwverify_mode_name(fwverify_mode()));
	return 0;
}

/*
 * Last, like IMA and EVM: always on when built in, whatever "lsm=" or
 * CONFIG_LSM say, and after every LSM that may refuse the read first.
 */
DEFINE_LSM(fwverify) = {
	/* The rest starts late (main.c): what it builds on exists by then. */
	FWVERIFY_LSM_INFO,
	.order = LSM_ORDER_LAST,
	.init = fwverify_lsm_init,
};

/**
 * fwverify_hook_init() - the LSM hooks decide from now on
 *
 * They are in place since boot: until this, they refuse what enforce mode
 * would (fwverify_not_ready()).
 *
 * Return: 0.
 */
int fwverify_hook_init(void)
{
	/* Everything main.c set up is visible to a hook that sees ready. */
	smp_store_release(&fwverify_ready, true);
	return 0;
}

/**
 * fwverify_hook_exit() - the hooks no longer decide
 *
 * Built in, there is no unload: only main.c's error path gets here.
 */
void fwverify_hook_exit(void)
{
}
