/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gap before fwverify: the firmware requests the kernel log shows while
 * fwverify was not guarding loads (before it started, or after it was
 * unloaded), read from /dev/kmsg or $FWVERIFY_KMSG (a file of records in
 * /dev/kmsg's format, for tests).
 * Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_KMSG_H
#define FWVERIFY_KMSG_H

#include <stdbool.h>
#include <stddef.h>

/* Most events kept; more are counted in kmsg_gap.dropped. */
#define KMSG_MAX_EVENTS 512

struct kmsg_event {
	char *name;		/* the firmware name (or path) as the kernel logged it */
	const char *what;	/* "loaded", "failed", "fallback" or "unguarded" */
	unsigned long long usec;	/* first time, in microseconds since boot */
	unsigned int count;	/* how many records said the same */
};

struct kmsg_gap {
	bool started;		/* the log holds fwverify's first start */
	unsigned long long start_usec;
	bool info_loads;	/* the kernel logs every direct load at info level (6.1) */
	struct kmsg_event *ev;
	size_t n, dropped;
};

/* The path read: $FWVERIFY_KMSG or /dev/kmsg. */
const char *kmsg_path(void);
/*
 * Parse kmsg records in @text (NUL-terminated, one record a line,
 * continuation lines starting with a space) into @g.
 * Return: 0 or -ENOMEM (then @g is freed).
 */
int kmsg_parse(const char *text, struct kmsg_gap *g);
/* Read kmsg_path() and parse it.  Return: 0, -ENOMEM, or -errno of open/read. */
int kmsg_read_gap(struct kmsg_gap *g);
void kmsg_gap_free(struct kmsg_gap *g);
/*
 * Return: true if the kernel command line (/proc/cmdline, or
 * $FWVERIFY_CMDLINE) turns on the firmware loader's debug messages, which
 * are the only record of successful loads after 6.1.
 */
bool kmsg_loader_debug_on(void);

#endif
