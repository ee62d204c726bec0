/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel tree's own <linux/xz.h>: outside __KERNEL__ it needs only <stdint.h>. */
#ifndef SHIM_LINUX_XZ_H
#define SHIM_LINUX_XZ_H

#include KERNEL_XZ_H

#endif
