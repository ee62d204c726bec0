// SPDX-License-Identifier: GPL-2.0
/*
 * A KOBJ_CHANGE uevent on /sys/kernel/fwverify for each decision, so that
 * udev can act on a refused firmware (fwverify quarantine).
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/kobject.h>
#include <linux/string.h>

#include "fwverify.h"
#include "stats.h"
#include "uevent.h"

/* Names and paths are cut to this length: a uevent carries at most 2 KiB. */
#define FWVERIFY_UEVENT_VALUE_MAX	256
#define FWVERIFY_UEVENT_NAME		"FWVERIFY_NAME="
#define FWVERIFY_UEVENT_PATH		"FWVERIFY_PATH="

/* "KEY=" and @s escaped, cut to FWVERIFY_UEVENT_VALUE_MAX, in @var. */
static void fwverify_uevent_var(char *var, const char *key, const char *s)
{
	size_t keylen = strlen(key);

	memcpy(var, key, keylen);
	fwverify_escape_to(var + keylen, FWVERIFY_UEVENT_VALUE_MAX + 1, s, 0);
}

/**
 * fwverify_uevent() - announce a decision with a KOBJ_CHANGE uevent
 * @ev: the event, decided
 *
 * Its variables are written on the stack: kobject_uevent_env() copies them.
 */
void fwverify_uevent(const struct fwverify_event *ev)
{
	char name[sizeof(FWVERIFY_UEVENT_NAME) + FWVERIFY_UEVENT_VALUE_MAX];
	char path[sizeof(FWVERIFY_UEVENT_PATH) + FWVERIFY_UEVENT_VALUE_MAX];
	char result[48], action[32], source[48];
	char *envp[6] = { name, result, action, path, source, NULL };

	fwverify_uevent_var(name, FWVERIFY_UEVENT_NAME, ev->name ?: "");
	snprintf(result, sizeof(result), "FWVERIFY_RESULT=%s",
		 fwverify_result_name(ev->v.result));
	snprintf(action, sizeof(action), "FWVERIFY_ACTION=%s",
		 fwverify_action_name(ev->deny));
	fwverify_uevent_var(path, FWVERIFY_UEVENT_PATH,
			    ev->resolved ?: ev->path ?: "");
	snprintf(source, sizeof(source), "FWVERIFY_SOURCE=%s",
		 fwverify_source_name(ev->source));
	if (kobject_uevent_env(fwverify_kobj, KOBJ_CHANGE, envp))
		pr_debug("cannot send a uevent for %s\n", name);
}
