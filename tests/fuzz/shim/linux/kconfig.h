/* SPDX-License-Identifier: GPL-2.0 */
/* Force-included, as Kbuild force-includes the kernel's: the options Debian's 6.12 sets. */
#ifndef SHIM_LINUX_KCONFIG_H
#define SHIM_LINUX_KCONFIG_H

#define CONFIG_FW_LOADER_COMPRESS 1
#define CONFIG_FW_LOADER_COMPRESS_XZ 1
#define CONFIG_FW_LOADER_COMPRESS_ZSTD 1

/* The kernel's IS_ENABLED() trick: 1 for an option defined to 1, else 0. */
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option) __is_defined(option)

#endif
