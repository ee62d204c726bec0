// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/fwverify/: the counters of what fwverify decided.
 */
#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/percpu.h>
#include <linux/sysfs.h>

#include "fwverify.h"
#include "stats.h"

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

/* The counter @_stat, in the file FWVERIFY_STAT_FILE_@_file (uapi/fwverify.h). */
#define FWVERIFY_STAT_ATTR(_file, _stat)				\
	static struct fwverify_stat_attr fwverify_stat_##_file = {	\
		.attr = {						\
			.attr = {					\
				.name = FWVERIFY_STAT_FILE_##_file,	\
				.mode = 0444,				\
			},						\
			.show = fwverify_stat_show,			\
		},							\
		.stat = (enum fwverify_stat)(_stat),			\
	}

FWVERIFY_STAT_ATTR(VERIFIED, FWVERIFY_VERIFIED);
FWVERIFY_STAT_ATTR(UNSIGNED, FWVERIFY_UNSIGNED);
FWVERIFY_STAT_ATTR(BAD_SIGNATURE, FWVERIFY_BAD_SIGNATURE);
FWVERIFY_STAT_ATTR(UNTRUSTED, FWVERIFY_UNTRUSTED);
FWVERIFY_STAT_ATTR(REVOKED, FWVERIFY_REVOKED);
FWVERIFY_STAT_ATTR(MALFORMED, FWVERIFY_MALFORMED);
FWVERIFY_STAT_ATTR(ERROR, FWVERIFY_ERROR);
FWVERIFY_STAT_ATTR(DENIED, FWVERIFY_STAT_DENIED);
FWVERIFY_STAT_ATTR(ALLOWED, FWVERIFY_STAT_ALLOWED);
FWVERIFY_STAT_ATTR(CACHED, FWVERIFY_STAT_CACHED);

static struct attribute *fwverify_stat_attrs[] = {
	&fwverify_stat_VERIFIED.attr.attr,
	&fwverify_stat_UNSIGNED.attr.attr,
	&fwverify_stat_BAD_SIGNATURE.attr.attr,
	&fwverify_stat_UNTRUSTED.attr.attr,
	&fwverify_stat_REVOKED.attr.attr,
	&fwverify_stat_MALFORMED.attr.attr,
	&fwverify_stat_ERROR.attr.attr,
	&fwverify_stat_DENIED.attr.attr,
	&fwverify_stat_ALLOWED.attr.attr,
	&fwverify_stat_CACHED.attr.attr,
	NULL
};

static const struct attribute_group fwverify_stats_group = {
	.name = "stats",
	.attrs = fwverify_stat_attrs,
};

/**
 * fwverify_stat_inc() - count one in a counter
 * @stat: the counter
 */
void fwverify_stat_inc(enum fwverify_stat stat)
{
	this_cpu_inc(fwverify_stats[stat]);
}

/**
 * fwverify_stats_init() - make /sys/kernel/fwverify and its counters
 *
 * Return: 0, or a negative errno.
 */
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

/**
 * fwverify_stats_exit() - remove /sys/kernel/fwverify
 */
void fwverify_stats_exit(void)
{
	sysfs_remove_group(fwverify_kobj, &fwverify_stats_group);
	kset_unregister(fwverify_kset);
}
