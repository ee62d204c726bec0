/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels fwverify supports, in one place.  The
 * sources are written against the newest API; this header, force-included in
 * every object, maps it onto older kernels.  Each FWVERIFY_COMPAT_* switch is
 * set by a feature probe of the kernel's headers in kmod/Kbuild.
 */
#ifndef _FWVERIFY_COMPAT_H
#define _FWVERIFY_COMPAT_H

#include <linux/types.h>

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
 * One component looked up in a directory, with the search permission a
 * path walk checks there.  6.16 made lookup_one_unlocked() take the name as
 * a qstr and removed lookup_one_len_unlocked(), which took it with its
 * length; sources call this.
 */
#ifdef FWVERIFY_COMPAT_LOOKUP_ONE_LEN
#define fwverify_lookup_one(name, len, base) \
	lookup_one_len_unlocked(name, base, len)
#else
#define fwverify_lookup_one(name, len, base) \
	lookup_one_unlocked(&nop_mnt_idmap, &QSTR_LEN(name, len), base)
#endif

/*
 * 6.13 made MODULE_IMPORT_NS() take the namespace as a string.  The
 * sources still name it as the identifier older kernels stringify; on newer
 * ones the identifier is made that string.
 */
#ifdef FWVERIFY_COMPAT_IMPORT_NS_STRING
#define FIRMWARE_LOADER_PRIVATE "FIRMWARE_LOADER_PRIVATE"
#endif

/*
 * hex2bin() moved from <linux/kernel.h> to <linux/hex.h> after 6.1, and 7.3's
 * <linux/kernel.h> no longer includes that.
 */
#ifndef FWVERIFY_COMPAT_NO_HEX_H
#include <linux/hex.h>
#endif

/*
 * 7.x moved struct module_use to kernel/module/internal.h.  lock.c links
 * one into its own module's source_list, which struct module still has, so
 * that delete_module() refuses it; the layout is the kernel's.
 */
#ifdef FWVERIFY_COMPAT_MODULE_USE
struct module;

struct module_use {
	struct list_head source_list;
	struct list_head target_list;
	struct module *source, *target;
};
#endif

/*
 * 7.x mounts an empty nullfs as the true root: init_task's root is that,
 * and the firmware loader resolves paths from PID 1's root, the new
 * userspace_init_fs (scoped_with_init_fs() in kernel_read_file.c).  Before,
 * init_task's root was PID 1's.
 */
#ifdef FWVERIFY_COMPAT_INIT_FS
#define userspace_init_fs (init_task.fs)
#endif

/*
 * Built in: 7.x's struct lsm_info names the LSM by its lsm_id and runs an
 * LSM's initcalls itself (initcall_late, ...), in LSM order.  Before, it
 * had a name string, and fwverify started the rest of itself with a
 * late_initcall of its own.
 */
#ifdef FWVERIFY_COMPAT_LSM_NAME
#define FWVERIFY_LSM_INFO	.name = "fwverify"
#define fwverify_late_initcall(_fn)	late_initcall(_fn)
#else
#define FWVERIFY_LSM_INFO	.id = &fwverify_lsmid, .initcall_late = fwverify_init
/* The LSM's initcall_late runs it (lsm.c). */
#define fwverify_late_initcall(_fn)	\
	static_assert(__same_type(&(_fn), int (*)(void)))
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
