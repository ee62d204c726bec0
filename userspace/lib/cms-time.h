/* SPDX-License-Identifier: GPL-2.0 */
/* The signing time a detached CMS signature claims, for downgrade checks. */
#ifndef FWVERIFY_CMS_TIME_H
#define FWVERIFY_CMS_TIME_H

#include <stddef.h>
#include <stdint.h>

int cms_signing_time(const unsigned char *der, size_t len, int64_t *when);

#endif
