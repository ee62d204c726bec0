/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's log calls, silent: format and arguments are still checked. */
#ifndef SHIM_LINUX_PRINTK_H
#define SHIM_LINUX_PRINTK_H

#include <stdio.h>

#define shim_no_printk(fmt, ...) do { if (0) printf(fmt, ##__VA_ARGS__); } while (0)
#define printk(fmt, ...) shim_no_printk(fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) shim_no_printk(fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) shim_no_printk(fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) shim_no_printk(fmt, ##__VA_ARGS__)

#endif
