// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/fwverify/: the counters of what fwverify decided.
 */
#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/percpu.h>
#include <linux/sysfs.h>

#include "fwverify.h"

/* Per CPU: a load counts without a shared cache line. */
static DEFINE_PER_CPU(unsigned long[FWVERIFY_STAT_NR], fwverify_stats);
static struct kset *fwverify_kset;
struct kobject *fwverify_kobj;

struct fwverify_stat_attr {
	struct kobj_attribute attr;
	enum fwverify_stat stat;
};

static ssize_t fwverify_stat_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct fwverify_stat_attr *sa =
		container_of(attr, struct fwverify_stat_attr, attr);
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(fwverify_stats, cpu)[sa->stat];
	return sysfs_emit(buf, "%lu\n", sum);
}

#define FWVERIFY_STAT_ATTR(_var, _name, _stat)				\
	static struct fwverify_stat_attr fwverify_stat_##_var = {	\
		.attr = {						\
			.attr = { .name = _name, .mode = 0444 },	\
			.show = fwverify_stat_show,			\
		},							\
		.stat = (enum fwverify_stat)(_stat),			\
	}

FWVERIFY_STAT_ATTR(st_verified, "verified", FWVERIFY_VERIFIED);
FWVERIFY_STAT_ATTR(st_unsigned, "unsigned", FWVERIFY_UNSIGNED);
FWVERIFY_STAT_ATTR(st_bad_signature, "bad_signature", FWVERIFY_BAD_SIGNATURE);
FWVERIFY_STAT_ATTR(st_untrusted, "untrusted", FWVERIFY_UNTRUSTED);
FWVERIFY_STAT_ATTR(st_revoked, "revoked", FWVERIFY_REVOKED);
FWVERIFY_STAT_ATTR(st_malformed, "malformed", FWVERIFY_MALFORMED);
FWVERIFY_STAT_ATTR(st_error, "error", FWVERIFY_ERROR);
FWVERIFY_STAT_ATTR(st_denied, "denied", FWVERIFY_STAT_DENIED);
FWVERIFY_STAT_ATTR(st_allowed, "allowed", FWVERIFY_STAT_ALLOWED);
FWVERIFY_STAT_ATTR(st_cached, "cached", FWVERIFY_STAT_CACHED);

static struct attribute *fwverify_stat_attrs[] = {
	&fwverify_stat_st_verified.attr.attr,
	&fwverify_stat_st_unsigned.attr.attr,
	&fwverify_stat_st_bad_signature.attr.attr,
	&fwverify_stat_st_untrusted.attr.attr,
	&fwverify_stat_st_revoked.attr.attr,
	&fwverify_stat_st_malformed.attr.attr,
	&fwverify_stat_st_error.attr.attr,
	&fwverify_stat_st_denied.attr.attr,
	&fwverify_stat_st_allowed.attr.attr,
	&fwverify_stat_st_cached.attr.attr,
	NULL
};

static const struct attribute_group fwverify_stats_group = {
	.name = "stats",
	.attrs = fwverify_stat_attrs,
};

void fwverify_stat_inc(enum fwverify_stat stat)
{
	this_cpu_inc(fwverify_stats[stat]);
}

int fwverify_stats_init(void)
{
	int err;

	fwverify_kset = kset_create_and_add("fwverify", NULL, kernel_kobj);
	if (!fwverify_kset)
		return -ENOMEM;
	fwverify_kobj = &fwverify_kset->kobj;
	/*
	 * A uevent needs a kset above its kobject, and nothing above
	 * /sys/kernel has one: /sys/kernel/fwverify is its own kset, so that
	 * its uevents carry DEVPATH=/kernel/fwverify and SUBSYSTEM=fwverify.
	 * The reference is dropped when the kobject leaves its kset.
	 */
	fwverify_kobj->kset = kset_get(fwverify_kset);
	err = sysfs_create_group(fwverify_kobj, &fwverify_stats_group);
	if (err)
		goto err_kset;
	return 0;

err_kset:
	kset_unregister(fwverify_kset);
	return err;
}

void fwverify_stats_exit(void)
{
	sysfs_remove_group(fwverify_kobj, &fwverify_stats_group);
	kset_unregister(fwverify_kset);
}
