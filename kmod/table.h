/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.c: /sys/kernel/fwverify/firmware/, one directory per firmware name
 * with what became of its latest request.
 */
#ifndef _FWVERIFY_TABLE_H
#define _FWVERIFY_TABLE_H

#include "fwverify.h"

int fwverify_table_init(void);
void fwverify_table_exit(void);
void fwverify_table_record(const struct fwverify_event *ev,
			   const struct fwverify_subject *who);
void fwverify_table_set_drain(void (*drain)(void));
bool fwverify_table_has(const struct fwverify_event *ev);
void fwverify_table_hits(const char *name, const char *resolved,
			 enum fwverify_source source,
			 const struct fwverify_verdict *v, unsigned int n,
			 time64_t when, u64 seq);
u64 fwverify_table_seq(void);
bool fwverify_table_last_digest(const struct fwverify_event *ev, u8 *digest);

#endif /* _FWVERIFY_TABLE_H */
