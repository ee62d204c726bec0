/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.c: /sys/kernel/fwverify (a kset, for uevents) and its counters.
 */
#ifndef _FWVERIFY_STATS_H
#define _FWVERIFY_STATS_H

#include "fwverify.h"

struct kobject;

extern struct kobject *fwverify_kobj;

int fwverify_stats_init(void);
void fwverify_stats_exit(void);
void fwverify_stat_inc(enum fwverify_stat stat);

#endif /* _FWVERIFY_STATS_H */
