// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify: refuse firmware that is not signed by a trusted key, before any
 * driver sees it.  Init and exit of both forms: a loadable module, which
 * attaches to the firmware loader with ftrace (hook.c), and a built-in LSM
 * (lsm.c), whose hooks the kernel registers at boot.  Everything between
 * the hooks and the reports is the same code in both.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "cache.h"
#include "hook.h"
#include "keyring.h"
#include "lock.h"
#include "policy.h"
#include "report.h"
#include "request.h"
#include "revoke.h"
#include "securityfs.h"
#include "signer.h"
#include "stats.h"
#include "table.h"
#include "verify.h"

/**
 * fwverify_init() - bring up everything but the hooks, then attach them
 *
 * The module's init; built in, a late initcall (the LSM's initcall_late
 * where the kernel has it).
 *
 * Return: 0, or the error of the part that failed (all undone).
 */
int __init fwverify_init(void)
{
	int err;

	err = fwverify_keyring_init();
	if (err)
		goto err_out;
	err = fwverify_verify_init();
	if (err)
		goto err_keyring;
	err = fwverify_stats_init();
	if (err)
		goto err_verify;
	err = fwverify_table_init();
	if (err)
		goto err_stats;
	/* Loads reach the table after they return, at the latest when read. */
	fwverify_table_set_drain(fwverify_report_drain);
	err = fwverify_securityfs_init();
	if (err)
		goto err_table;
	err = fwverify_request_init();
	if (err)
		goto err_securityfs;
	err = fwverify_hook_init();
	if (err)
		goto err_request;
	fwverify_lock_init();
	pr_info("guarding firmware loads (%s)\n", fwverify_form);
	return 0;

err_request:
	fwverify_request_exit();
err_securityfs:
	fwverify_securityfs_exit();
err_table:
	fwverify_table_exit();
err_stats:
	fwverify_stats_exit();
err_verify:
	fwverify_signer_exit();
	fwverify_verify_exit();
err_keyring:
	fwverify_keyring_exit();
err_out:
	pr_err("cannot start: %d\n", err);
	return err;
}

#ifdef MODULE
static void __exit fwverify_exit(void)
{
	/*
	 * The securityfs files first: from delete_module() on, an open of one
	 * cannot pin the module and the VFS warns, so the window where they
	 * can still be found is kept to the few instructions before this.
	 * The hooks that follow need none of them.
	 */
	fwverify_securityfs_exit();
	fwverify_lock_exit();
	fwverify_hook_exit();
	fwverify_report_exit();
	fwverify_request_exit();
	fwverify_policy_exit();
	fwverify_revoke_exit();
	fwverify_cache_exit();
	fwverify_table_exit();
	fwverify_stats_exit();
	fwverify_signer_exit();
	fwverify_verify_exit();
	fwverify_keyring_exit();
	/* fwverify status reads this line: loads after it are not guarded. */
	pr_info("no longer guarding firmware loads\n");
}

module_init(fwverify_init);
module_exit(fwverify_exit);
#else
/*
 * Built in, the hooks are in place from security_init(); the rest waits
 * for what it builds on: kobjects, securityfs, and the asymmetric key type
 * that parses the embedded certificates.  The system keyrings get their
 * certificates at the same level.
 */
fwverify_late_initcall(fwverify_init);
#endif

MODULE_DESCRIPTION("Refuse firmware not signed by a trusted key");
MODULE_AUTHOR("The fwverify developers");
MODULE_LICENSE("GPL");
