// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify: refuse firmware that is not signed by a trusted key, before any
 * driver sees it.  Module init and exit only.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "fwverify.h"

static int __init fwverify_init(void)
{
	int err;

	err = fwverify_keyring_init();
	if (err)
		return err;
	err = fwverify_verify_init();
	if (err)
		goto err_keyring;
	err = fwverify_sysfs_init();
	if (err)
		goto err_verify;
	err = fwverify_table_init();
	if (err)
		goto err_sysfs;
	err = fwverify_securityfs_init();
	if (err)
		goto err_table;
	err = fwverify_hook_init();
	if (err)
		goto err_securityfs;
	fwverify_lock_init();
	pr_info("guarding firmware loads\n");
	return 0;

err_securityfs:
	fwverify_securityfs_exit();
err_table:
	fwverify_table_exit();
err_sysfs:
	fwverify_sysfs_exit();
err_verify:
	fwverify_verify_exit();
err_keyring:
	fwverify_keyring_exit();
	return err;
}

static void __exit fwverify_exit(void)
{
	fwverify_lock_exit();
	fwverify_hook_exit();
	fwverify_context_exit();
	fwverify_securityfs_exit();
	fwverify_policy_exit();
	fwverify_revoke_exit();
	fwverify_table_exit();
	fwverify_sysfs_exit();
	fwverify_verify_exit();
	fwverify_keyring_exit();
}

module_init(fwverify_init);
module_exit(fwverify_exit);

MODULE_DESCRIPTION("Refuse firmware not signed by a trusted key");
MODULE_AUTHOR("The fwverify developers");
MODULE_LICENSE("GPL");
