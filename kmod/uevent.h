/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uevent.c: a uevent on /sys/kernel/fwverify for each decision.
 */
#ifndef _FWVERIFY_UEVENT_H
#define _FWVERIFY_UEVENT_H

#include "fwverify.h"

void fwverify_uevent(const struct fwverify_event *ev);

#endif /* _FWVERIFY_UEVENT_H */
