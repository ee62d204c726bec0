// SPDX-License-Identifier: GPL-2.0
/*
 * A KOBJ_CHANGE uevent on /sys/kernel/fwverify for each decision, so that
 * udev can act on a refused firmware (fwverify quarantine).
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/kobject.h>
#include <linux/slab.h>

#include "fwverify.h"
#include "stats.h"
#include "uevent.h"

/* Values are cut to this length: a uevent carries at most 2 KiB. */
#define FWVERIFY_UEVENT_VALUE_MAX	256

/**
 * fwverify_uevent() - announce a decision with a KOBJ_CHANGE uevent
 * @ev: the event, decided
 */
void fwverify_uevent(const struct fwverify_event *ev)
{
	char *name, *path, *envp[6] = { NULL };
	int i;

	name = fwverify_escape(ev->name ?: "", 0, GFP_KERNEL);
	path = fwverify_escape(ev->resolved ?: ev->path ?: "", 0, GFP_KERNEL);
	if (!name || !path)
		goto out;
	envp[0] = kasprintf(GFP_KERNEL, "FWVERIFY_NAME=%.*s",
			    FWVERIFY_UEVENT_VALUE_MAX, name);
	envp[1] = kasprintf(GFP_KERNEL, "FWVERIFY_RESULT=%s",
			    fwverify_result_name(ev->v.result));
	envp[2] = kasprintf(GFP_KERNEL, "FWVERIFY_ACTION=%s",
			    fwverify_action_name(ev->deny));
	envp[3] = kasprintf(GFP_KERNEL, "FWVERIFY_PATH=%.*s",
			    FWVERIFY_UEVENT_VALUE_MAX, path);
	envp[4] = kasprintf(GFP_KERNEL, "FWVERIFY_SOURCE=%s",
			    fwverify_source_name(ev->source));
	for (i = 0; i < 5; i++)
		if (!envp[i])
			goto out;
	if (kobject_uevent_env(fwverify_kobj, KOBJ_CHANGE, envp))
		pr_debug("cannot send a uevent for %s\n", name);
out:
	for (i = 0; i < 5; i++)
		kfree(envp[i]);
	kfree(name);
	kfree(path);
}
