/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels fwverify supports, in one place.  The
 * sources are written against the newest API; this header, force-included in
 * every object, maps it onto older kernels.  Each FWVERIFY_COMPAT_* switch is
 * set by a feature probe of the kernel's headers in kmod/Kbuild.
 */
#ifndef _FWVERIFY_COMPAT_H
#define _FWVERIFY_COMPAT_H

/* Before 6.2: ftrace_instruction_pointer_set(). */
#ifdef FWVERIFY_COMPAT_FTRACE_IP_SET
#define ftrace_regs_set_instruction_pointer(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
#endif

/* Before 6.2, vfs_path_lookup() was exported but declared in fs/internal.h. */
#ifdef FWVERIFY_COMPAT_VFS_PATH_LOOKUP
struct dentry;
struct vfsmount;
struct path;
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);
#endif

/*
 * Not in the kernel's headers on any version: the firmware loader's
 * fallback settings (drivers/base/firmware_loader/sysfs.h, unchanged since
 * 4.17), exported to its own tests in namespace FIRMWARE_LOADER_PRIVATE.
 */
struct firmware_fallback_config {
	unsigned int force_sysfs_fallback;
	unsigned int ignore_sysfs_fallback;
	int old_timeout;
	int loading_timeout;
};

extern struct firmware_fallback_config fw_fallback_config;

#endif /* _FWVERIFY_COMPAT_H */
