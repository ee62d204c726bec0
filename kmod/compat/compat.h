/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels fwverify supports, in one place.  The
 * sources are written against the newest API; this header, force-included in
 * every object, maps it onto older kernels.  Decided by feature probes where
 * the API is a macro, by version otherwise.
 */
#ifndef _FWVERIFY_COMPAT_H
#define _FWVERIFY_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || \
	LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#error "fwverify supports Linux 6.1 to 6.12"
#endif

/* 6.2 renamed ftrace_instruction_pointer_set(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define ftrace_regs_set_instruction_pointer(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
#endif

/* 6.1 declares vfs_path_lookup() only in fs/internal.h; it is exported. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
struct dentry;
struct vfsmount;
struct path;
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);
#endif

#endif /* _FWVERIFY_COMPAT_H */
