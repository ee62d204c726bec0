/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.c: where a decision goes: the counters, the kernel log, the
 * firmware table, audit and a uevent.
 */
#ifndef _FWVERIFY_REPORT_H
#define _FWVERIFY_REPORT_H

#include "fwverify.h"

void fwverify_report(const struct fwverify_event *ev);
void fwverify_report_cached(void);
void fwverify_report_drain(void);
void fwverify_report_exit(void);

#endif /* _FWVERIFY_REPORT_H */
