/* SPDX-License-Identifier: GPL-2.0 */
/*
 * audit.c: one audit record per decision and per change of configuration.
 */
#ifndef _FWVERIFY_AUDIT_H
#define _FWVERIFY_AUDIT_H

#include "fwverify.h"

void fwverify_audit(const struct fwverify_event *ev,
		    const struct fwverify_subject *who);
void fwverify_audit_change(const char *what, unsigned long value);

#endif /* _FWVERIFY_AUDIT_H */
