// SPDX-License-Identifier: GPL-2.0
/*
 * Attach fwverify to the firmware loader.  Ftrace hooks redirect calls from
 * the kernel of the security hooks the loader calls, and of the function it
 * reads firmware paths with, to wrappers here that call the original and
 * then fwverify.  No policy here.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/atomic.h>
#include <linux/firmware.h>
#include <linux/ftrace.h>
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/security.h>
#include <linux/string.h>
#include <linux/wait_bit.h>

#include "eval.h"
#include "fwverify.h"
#include "hook.h"
#include "request.h"

const char *const fwverify_form = "module, ftrace hooks";

/*
 * Wrappers entered and not yet left; unload waits for them.  Counted in the
 * wrapper, not in the ftrace thunk: a BPF fmod_ret program on the same
 * function can skip the redirected call, and the wrapper never runs.
 */
static atomic_t fwverify_inflight = ATOMIC_INIT(0);

static void fwverify_enter(void)
{
	atomic_inc(&fwverify_inflight);
}

static void fwverify_return(void)
{
	if (atomic_dec_and_test(&fwverify_inflight))
		wake_up_var(&fwverify_inflight);
}

/*
 * Each wrapper calls the original first, so that every LSM still runs; a
 * call, never a tail jump (barrier()), or the hook would see the kernel as
 * the caller and redirect the call back here.
 */
static ssize_t fwverify_read_path(const char *path, loff_t offset, void **buf,
				  size_t buf_size, size_t *file_size,
				  enum kernel_read_file_id id)
{
	ssize_t ret;

	fwverify_enter();
	ret = fwverify_read_firmware_path(path, offset, buf, buf_size,
					  file_size, id);
	fwverify_return();
	return ret;
}

/*
 * A security hook returns 0 or a negative errno.  Anything else (a BPF
 * program attached to the hook can return any value) would reach
 * kernel_read_file() as a byte count: refuse it.
 */
static int fwverify_lsm_ret(int ret)
{
	return ret > 0 ? -EPERM : ret;
}

static int fwverify_read_file(struct file *file, enum kernel_read_file_id id,
			      bool contents)
{
	int ret;

	fwverify_enter();
	ret = fwverify_lsm_ret(security_kernel_read_file(file, id, contents));
	barrier();
	/* Only a partial read: a whole one is checked after it is read. */
	if (!ret && id == READING_FIRMWARE && !contents)
		ret = fwverify_evaluate_partial(file);
	fwverify_return();
	return ret;
}

static int fwverify_post_read_file(struct file *file, char *buf, loff_t size,
				   enum kernel_read_file_id id)
{
	int ret;

	fwverify_enter();
	ret = fwverify_lsm_ret(security_kernel_post_read_file(file, buf, size,
							      id));
	barrier();
	if (!ret && id == READING_FIRMWARE)
		ret = fwverify_evaluate_read(file, buf, size);
	fwverify_return();
	return ret;
}

static int fwverify_load_data(enum kernel_load_data_id id, bool contents)
{
	int ret;

	fwverify_enter();
	ret = fwverify_lsm_ret(security_kernel_load_data(id, contents));
	barrier();
	if (!ret && id == LOADING_FIRMWARE)
		ret = fwverify_evaluate_load_data(contents);
	fwverify_return();
	return ret;
}

static int fwverify_post_load_data(char *buf, loff_t size,
				   enum kernel_load_data_id id,
				   char *description)
{
	int ret;

	fwverify_enter();
	ret = fwverify_lsm_ret(security_kernel_post_load_data(buf, size, id,
							      description));
	barrier();
	if (!ret && id == LOADING_FIRMWARE)
		ret = fwverify_evaluate_post_load_data(buf, size, description);
	fwverify_return();
	return ret;
}

static int fwverify_request_nowait(struct module *module, bool uevent,
				   const char *name, struct device *device,
				   gfp_t gfp, void *context,
				   void (*cont)(const struct firmware *fw,
						void *context))
{
	int ret;

	fwverify_enter();
	/* Without a uevent, the request uses the sysfs fallback regardless. */
	if (!uevent && name)
		fwverify_custom_fallback_add(name, gfp);
	ret = request_firmware_nowait(module, uevent, name, device, gfp,
				      context, cont);
	barrier();
	fwverify_return();
	return ret;
}

/* firmware_class.path changes the names fwverify reads paths as. */
static int fwverify_param_set_string(const char *val,
				     const struct kernel_param *kp)
{
	int ret;

	fwverify_enter();
	ret = param_set_copystring(val, kp);
	barrier();
	if (!ret && kp->name && !strcmp(kp->name, "firmware_class.path"))
		fwverify_custom_dir_set(kp->str->string);
	fwverify_return();
	return ret;
}

static int fwverify_request_platform(const struct firmware **fw,
				     const char *name, struct device *device)
{
	struct fwverify_request req;
	int ret;

	fwverify_enter();
	fwverify_request_begin(&req, NULL, 0, 0, false);
	ret = firmware_request_platform(fw, name, device);
	barrier();
	fwverify_request_end(&req, ret);
	fwverify_return();
	return ret;
}

struct fwverify_hook {
	const char *name;
	void *target;
	void *wrapper;
	struct ftrace_ops ops;
};

#define FWVERIFY_HOOK(_target, _wrapper) {				\
	.name = #_target,						\
	.target = _target,						\
	.wrapper = _wrapper,						\
}

static struct fwverify_hook fwverify_hooks[] = {
	FWVERIFY_HOOK(security_kernel_read_file, fwverify_read_file),
	FWVERIFY_HOOK(security_kernel_post_read_file, fwverify_post_read_file),
	FWVERIFY_HOOK(security_kernel_load_data, fwverify_load_data),
	FWVERIFY_HOOK(security_kernel_post_load_data, fwverify_post_load_data),
	FWVERIFY_HOOK(request_firmware_nowait, fwverify_request_nowait),
	FWVERIFY_HOOK(firmware_request_platform, fwverify_request_platform),
	FWVERIFY_HOOK(param_set_copystring, fwverify_param_set_string),
	/*
	 * Last on, first off: a read the wrapper follows has the hooks that
	 * judge it in place, or it would be refused as read without them.
	 */
	FWVERIFY_HOOK(kernel_read_file_from_path_initns, fwverify_read_path),
};

static void notrace fwverify_ftrace_thunk(unsigned long ip,
					  unsigned long parent_ip,
					  struct ftrace_ops *ops,
					  struct ftrace_regs *fregs)
{
	struct fwverify_hook *h = container_of(ops, struct fwverify_hook, ops);

	/* Our own call of the original runs the original. */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	ftrace_regs_set_instruction_pointer(fregs, (unsigned long)h->wrapper);
}

static int fwverify_attach(struct fwverify_hook *h)
{
	int err;

	h->ops.func = fwverify_ftrace_thunk;
	/*
	 * Permanent, as livepatch's: kernel.ftrace_enabled cannot be set to 0
	 * while fwverify is loaded, which would switch every hook off.
	 */
	h->ops.flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT;
	if (!IS_ENABLED(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS))
		h->ops.flags |= FTRACE_OPS_FL_SAVE_REGS;
	err = ftrace_set_filter_ip(&h->ops, (unsigned long)h->target, 0, 0);
	if (err) {
		pr_err("cannot trace %s: %d\n", h->name, err);
		return err;
	}
	err = register_ftrace_function(&h->ops);
	if (err == -EBUSY)
		pr_err("cannot hook %s: kernel.ftrace_enabled is 0\n", h->name);
	else if (err)
		pr_err("cannot hook %s: %d\n", h->name, err);
	if (err)
		ftrace_set_filter_ip(&h->ops, (unsigned long)h->target, 1, 0);
	return err;
}

static void fwverify_detach(struct fwverify_hook *h)
{
	/* After this no CPU is in the thunk for @h: every redirect counted. */
	unregister_ftrace_function(&h->ops);
	ftrace_set_filter_ip(&h->ops, (unsigned long)h->target, 1, 0);
}

/**
 * fwverify_hook_init() - attach to the firmware loader
 *
 * Redirects the loader's security hooks and reads to fwverify's with
 * ftrace; all or none.
 *
 * Return: 0, or the error of the attachment that failed.
 */
int fwverify_hook_init(void)
{
	int i, err;

	/*
	 * firmware_class.path before the hooks, so that no load they see
	 * reads it through sysfs (under the driver's locks), and again after
	 * them, for a change in between: from then on its setter is hooked.
	 */
	fwverify_custom_dir_set(NULL);
	for (i = 0; i < ARRAY_SIZE(fwverify_hooks); i++) {
		err = fwverify_attach(&fwverify_hooks[i]);
		if (err)
			goto err_detach;
	}
	fwverify_custom_dir_set(NULL);
	return 0;

err_detach:
	while (--i >= 0)
		fwverify_detach(&fwverify_hooks[i]);
	return err;
}

/**
 * fwverify_hook_exit() - detach from the firmware loader
 *
 * Waits for the calls already in fwverify's wrappers to return.
 */
void fwverify_hook_exit(void)
{
	int i;

	fwverify_unguard();
	for (i = ARRAY_SIZE(fwverify_hooks) - 1; i >= 0; i--)
		fwverify_detach(&fwverify_hooks[i]);
	/*
	 * A task redirected before the detach may not have entered its
	 * wrapper yet: once every task has scheduled voluntarily, it has.
	 */
	synchronize_rcu_tasks();
	wait_var_event(&fwverify_inflight, !atomic_read(&fwverify_inflight));
	/*
	 * The last caller may still be returning through this module's text,
	 * or be preempted there: wait again, as ftrace does for its own
	 * trampolines.
	 */
	synchronize_rcu_tasks();
}
