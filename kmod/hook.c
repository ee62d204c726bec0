// SPDX-License-Identifier: GPL-2.0
/*
 * Attach fwverify to the firmware loader: an ftrace hook redirects every
 * call of security_kernel_post_read_file() from the kernel to
 * fwverify_post_read_file(), which calls the original and then fwverify.
 * No policy here.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/atomic.h>
#include <linux/ftrace.h>
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/wait_bit.h>

#include "fwverify.h"

/* Redirected calls that have not returned yet; unload waits for them. */
static atomic_t fwverify_inflight = ATOMIC_INIT(0);

static int fwverify_post_read_file(struct file *file, char *buf, loff_t size,
				   enum kernel_read_file_id id)
{
	int ret;

	ret = security_kernel_post_read_file(file, buf, size, id);
	/* A call, not a tail jump: the hook must see this module as caller. */
	barrier();
	if (!ret && id == READING_FIRMWARE)
		ret = fwverify_evaluate_read(file, buf, size);

	if (atomic_dec_and_test(&fwverify_inflight))
		wake_up_var(&fwverify_inflight);
	return ret;
}

static void notrace fwverify_ftrace_thunk(unsigned long ip,
					  unsigned long parent_ip,
					  struct ftrace_ops *ops,
					  struct ftrace_regs *fregs)
{
	/* Our own call of the original runs the original. */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	atomic_inc(&fwverify_inflight);
	ftrace_regs_set_instruction_pointer(fregs,
					    (unsigned long)fwverify_post_read_file);
}

static struct ftrace_ops fwverify_ftrace_ops = {
	.func = fwverify_ftrace_thunk,
	.flags = FTRACE_OPS_FL_IPMODIFY
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
		| FTRACE_OPS_FL_SAVE_REGS
#endif
};

static unsigned long fwverify_target(void)
{
	return (unsigned long)security_kernel_post_read_file;
}

int fwverify_hook_init(void)
{
	int err;

	err = ftrace_set_filter_ip(&fwverify_ftrace_ops, fwverify_target(), 0, 0);
	if (err) {
		pr_err("cannot trace security_kernel_post_read_file: %d\n", err);
		return err;
	}
	err = register_ftrace_function(&fwverify_ftrace_ops);
	if (err) {
		pr_err("cannot register the ftrace hook: %d\n", err);
		goto err_filter;
	}
	return 0;

err_filter:
	ftrace_set_filter_ip(&fwverify_ftrace_ops, fwverify_target(), 1, 0);
	return err;
}

void fwverify_hook_exit(void)
{
	/* After this no CPU is in the thunk, so every redirect is counted. */
	unregister_ftrace_function(&fwverify_ftrace_ops);
	wait_var_event(&fwverify_inflight, !atomic_read(&fwverify_inflight));
	ftrace_set_filter_ip(&fwverify_ftrace_ops, fwverify_target(), 1, 0);
	/* The last caller may still be returning through this module's text. */
	synchronize_rcu();
}
