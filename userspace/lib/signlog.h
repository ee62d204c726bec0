/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signing server's log (its audit trail, not the kernel's audit
 * records): one JSON object per line, each carrying the SHA-256 of the
 * line before it, so that a changed, removed or reordered record breaks
 * the chain where it happened.
 *
 *   {"seq":1,"time":"2026-11-25T10:00:00.123Z","prev":"000...000","event":"start",...}
 *
 * "seq" counts from 1 without gaps; "prev" is the lowercase hex SHA-256 of
 * the previous line's bytes (without its newline), 64 zeros for the first
 * record; "time" is UTC with milliseconds; "event" names what happened; the
 * other members are the event's own.  Library code: returns 0 or -errno.
 */
#ifndef FWVERIFY_SIGNLOG_H
#define FWVERIFY_SIGNLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

/* Longest record line, newline included; longer records are refused. */
#define AUDITLOG_LINE_MAX 8192
/* "prev" of the first record. */
#define AUDITLOG_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* What reading a log found: where its chain breaks, and its last valid record. */
struct signlog_report {
	uint64_t records;	/* valid records before the break (all of them when valid) */
	uint64_t line;		/* the line where the chain breaks; 0 when it does not */
	char head[65];		/* hex SHA-256 of the last valid record, or AUDITLOG_GENESIS */
	char why[512];		/* what is wrong at that line */
};

/* Called on each valid record in order; a non-zero return stops the walk and is returned. */
typedef int (*signlog_fn)(struct json_object *rec, void *arg);

int signlog_check(int fd, signlog_fn fn, void *arg, struct signlog_report *r);

struct signlog;

int signlog_open(const char *path, bool sync, signlog_fn replay, void *arg,
		  struct signlog **out, struct fw_error *e);
int signlog_append(struct signlog *l, struct json_object *rec);
int signlog_write(struct signlog *l, struct json_object *rec, bool wait);
void signlog_head(struct signlog *l, uint64_t *seq, char head[65]);
void signlog_close(struct signlog *l);

#endif
