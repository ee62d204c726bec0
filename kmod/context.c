// SPDX-License-Identifier: GPL-2.0
/*
 * What the loader asked for.  The hooks see a file, not the request: this
 * remembers, per task, the path the loader is reading (set around
 * kernel_read_file_from_path_initns()) and the firmware name it last looked
 * for, so that reports name the firmware as the driver requested it and a
 * signature can be looked up beside the requested name of a symlink.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/err.h>
#include <linux/fs_struct.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/sched/task.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "fwverify.h"

static LIST_HEAD(fwverify_requests);
static DEFINE_SPINLOCK(fwverify_requests_lock);

/* The name each recent task last looked for, for fallback reports. */
#define FWVERIFY_LAST_NAMES	16
static struct {
	struct task_struct *task;
	unsigned long when;
	char *name;
	bool decided;	/* a file was read and decided on for it */
} fwverify_last[FWVERIFY_LAST_NAMES];
static unsigned int fwverify_last_next;
static DEFINE_SPINLOCK(fwverify_last_lock);

static void fwverify_remember(const char *path)
{
	unsigned long flags;
	char *name = fwverify_request_name(path, GFP_KERNEL), *old = NULL;
	const char *sfx;
	unsigned int i;

	if (!name) {
		/* Out of memory: no stale name from an earlier request. */
		spin_lock_irqsave(&fwverify_last_lock, flags);
		for (i = 0; i < FWVERIFY_LAST_NAMES; i++) {
			if (fwverify_last[i].task == current) {
				old = fwverify_last[i].name;
				fwverify_last[i].name = NULL;
				fwverify_last[i].task = NULL;
			}
		}
		spin_unlock_irqrestore(&fwverify_last_lock, flags);
		kfree(old);
		return;
	}
	/* The loader's retry of "fw.bin" as "fw.bin.xz" is the same request. */
	sfx = fwverify_compressed(name);
	if (sfx)
		name[strlen(name) - strlen(sfx)] = '\0';
	spin_lock_irqsave(&fwverify_last_lock, flags);
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++)
		if (fwverify_last[i].task == current)
			break;
	if (i == FWVERIFY_LAST_NAMES)
		i = fwverify_last_next++ % FWVERIFY_LAST_NAMES;
	old = fwverify_last[i].name;
	/* The same name again: the loader trying the next directory. */
	if (!old || strcmp(old, name))
		fwverify_last[i].decided = false;
	fwverify_last[i].task = current;
	fwverify_last[i].when = jiffies;
	fwverify_last[i].name = name;
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
	kfree(old);
}

/**
 * fwverify_last_name() - the firmware name this task last looked for
 * @gfp: allocation flags
 * @decided: set if a file of that name was read and decided on
 *
 * Return: a copy of the name if the task looked for one in the last ten
 * seconds, else NULL.
 */
char *fwverify_last_name(gfp_t gfp, bool *decided)
{
	unsigned long flags;
	char *name = NULL;
	unsigned int i;

	*decided = false;
	spin_lock_irqsave(&fwverify_last_lock, flags);
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++) {
		if (fwverify_last[i].task == current &&
		    time_before(jiffies, fwverify_last[i].when + 10 * HZ)) {
			name = kstrdup(fwverify_last[i].name, GFP_ATOMIC);
			*decided = fwverify_last[i].decided;
		}
	}
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
	return name;
}

/* A file this task looked for was read and decided on. */
void fwverify_note_decision(void)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&fwverify_last_lock, flags);
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++)
		if (fwverify_last[i].task == current)
			fwverify_last[i].decided = true;
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
}

void fwverify_request_begin(struct fwverify_request *req, const char *path,
			    loff_t offset)
{
	req->task = current;
	req->path = path;
	req->offset = offset;
	spin_lock(&fwverify_requests_lock);
	list_add(&req->node, &fwverify_requests);
	spin_unlock(&fwverify_requests_lock);
	if (path)
		fwverify_remember(path);
}

void fwverify_request_end(struct fwverify_request *req)
{
	spin_lock(&fwverify_requests_lock);
	list_del(&req->node);
	spin_unlock(&fwverify_requests_lock);
}

/**
 * fwverify_request_path() - the path the loader is reading in this task
 * @offset: set to the offset the read starts at (0 outside a read)
 *
 * Return: the path, valid until the read returns, or NULL outside a read.
 */
const char *fwverify_request_path(loff_t *offset)
{
	struct fwverify_request *req;
	const char *path = NULL;

	*offset = 0;
	spin_lock(&fwverify_requests_lock);
	list_for_each_entry(req, &fwverify_requests, node) {
		if (req->task == current && req->path) {
			path = req->path;
			*offset = req->offset;
			break;
		}
	}
	spin_unlock(&fwverify_requests_lock);
	return path;
}

/* Is this task inside firmware_request_platform()? (path NULL marks it) */
bool fwverify_in_platform_request(void)
{
	struct fwverify_request *req;
	bool in = false;

	spin_lock(&fwverify_requests_lock);
	list_for_each_entry(req, &fwverify_requests, node)
		in |= req->task == current && !req->path;
	spin_unlock(&fwverify_requests_lock);
	return in;
}

/*
 * Requests that will use the sysfs fallback whatever its configuration:
 * request_firmware_nowait() without a uevent.  Bounded, and forgotten
 * after the loader's default fallback timeout.
 */
#define FWVERIFY_PENDING	32
static struct {
	unsigned long when;
	char *name;
} fwverify_pending[FWVERIFY_PENDING];
static unsigned int fwverify_pending_next;

void fwverify_custom_fallback_add(const char *name, gfp_t gfp)
{
	unsigned long flags;
	char *copy = kstrdup(name, gfp), *old;
	unsigned int i;

	if (!copy)
		return;
	spin_lock_irqsave(&fwverify_last_lock, flags);
	i = fwverify_pending_next++ % FWVERIFY_PENDING;
	old = fwverify_pending[i].name;
	fwverify_pending[i].name = copy;
	fwverify_pending[i].when = jiffies;
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
	kfree(old);
}

/* Take @name off the pending custom fallbacks; true if it was there. */
bool fwverify_custom_fallback_take(const char *name)
{
	unsigned long flags;
	char *found = NULL;
	unsigned int i;

	spin_lock_irqsave(&fwverify_last_lock, flags);
	for (i = 0; i < FWVERIFY_PENDING && !found; i++) {
		if (fwverify_pending[i].name &&
		    time_before(jiffies, fwverify_pending[i].when + 60 * HZ) &&
		    !strcmp(fwverify_pending[i].name, name)) {
			found = fwverify_pending[i].name;
			fwverify_pending[i].name = NULL;
		}
	}
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
	kfree(found);
	return found;
}

/* Strip @dir and a '/' from the front of @path; NULL if it is not there. */
static const char *fwverify_under(const char *path, const char *dir,
				  size_t dlen)
{
	while (dlen && dir[dlen - 1] == '/')
		dlen--;
	if (!dlen || strncmp(path, dir, dlen) || path[dlen] != '/')
		return NULL;
	path += dlen;
	while (*path == '/')
		path++;
	return *path ? path : NULL;
}

/*
 * sysfs mounted for fwverify alone: no mount namespace, and no bind mount
 * over a parameter file, changes what fwverify reads through it.
 */
static struct vfsmount *fwverify_sysfs;

/**
 * fwverify_kern_path_initns() - look up @path as the loader does
 * @path: an absolute path
 * @flags: LOOKUP_* flags
 * @out: the result, for path_put()
 *
 * The loader reads firmware in the initial mount namespace
 * (kernel_read_file_from_path_initns()), whoever asked for it.
 *
 * Return: 0 or a negative errno.
 */
int fwverify_kern_path_initns(const char *path, unsigned int flags,
			      struct path *out)
{
	struct path root;
	int err;

	get_fs_root(init_task.fs, &root);
	err = vfs_path_lookup(root.dentry, root.mnt, path, flags, out);
	path_put(&root);
	return err;
}

/* firmware_class.path, the custom firmware directory, if one is set. */
static char *fwverify_custom_dir(void)
{
	struct path p;
	struct file *f;
	loff_t pos = 0;
	char *buf;
	ssize_t n;

	if (!fwverify_sysfs ||
	    vfs_path_lookup(fwverify_sysfs->mnt_root, fwverify_sysfs,
			    "module/firmware_class/parameters/path", 0, &p))
		return NULL;
	f = dentry_open(&p, O_RDONLY, current_cred());
	path_put(&p);
	if (IS_ERR(f))
		return NULL;
	buf = kzalloc(PATH_MAX, GFP_KERNEL);
	n = buf ? kernel_read(f, buf, PATH_MAX - 1, &pos) : -ENOMEM;
	fput(f);
	if (n <= 0 || buf[0] == '\n') {
		kfree(buf);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

#ifdef CONFIG_FW_LOADER_USER_HELPER
/*
 * The loader's fallback settings (compat.h), read where the loader reads
 * them, not through /proc, which a mount namespace can cover.
 */
MODULE_IMPORT_NS(FIRMWARE_LOADER_PRIVATE);

/* Does the loader run the sysfs fallback for every failed request? */
bool fwverify_fallback_forced(void)
{
	return READ_ONCE(fw_fallback_config.force_sysfs_fallback);
}
#else
bool fwverify_fallback_forced(void)
{
	return false;
}
#endif

/*
 * @dir as a file's own path shows it, with the symlinks on the way
 * resolved (/usr/lib/firmware for /lib/firmware on merged /usr, a stage
 * generation for /lib/firmware/updates); NULL if that is @dir itself.
 */
static char *fwverify_resolve_dir(const char *dir, gfp_t gfp)
{
	char *buf, *s, *ret = NULL;
	struct path p;

	if (fwverify_kern_path_initns(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p))
		return NULL;
	buf = kmalloc(PATH_MAX, gfp);
	if (buf) {
		s = d_path(&p, buf, PATH_MAX);
		if (!IS_ERR(s) && strcmp(s, dir))
			ret = kstrdup(s, gfp);
		kfree(buf);
	}
	path_put(&p);
	return ret;
}

/* @path less the first of @dirs it is in, resolved as a last resort. */
static const char *fwverify_under_any(const char *path, char **dirs, int n,
				      bool resolve, gfp_t gfp)
{
	const char *name = NULL;
	char *real;
	int i;

	for (i = 0; i < n && !name; i++) {
		if (!dirs[i])
			continue;
		if (!resolve) {
			name = fwverify_under(path, dirs[i], strlen(dirs[i]));
			continue;
		}
		real = fwverify_resolve_dir(dirs[i], gfp);
		if (real)
			name = fwverify_under(path, real, strlen(real));
		kfree(real);
	}
	return name;
}

/**
 * fwverify_request_name() - the firmware name in a path the loader reads
 * @path: "<firmware directory>/<name>" as the loader builds it
 * @gfp: allocation flags
 *
 * The name is @path less the firmware directory it is in:
 * /lib/firmware/updates/<release>, /lib/firmware/updates,
 * /lib/firmware/<release>, /lib/firmware or the custom one
 * (firmware_class.path), as written or, for a path with its symlinks
 * resolved (a file's own path), resolved.  A path elsewhere is its own
 * name.
 *
 * Return: the name, or NULL if memory is short.
 */
char *fwverify_request_name(const char *path, gfp_t gfp)
{
	const char *rel = init_utsname()->release, *name = NULL;
	char *custom, *ret, *dirs[4];

	dirs[0] = kasprintf(gfp, "/lib/firmware/updates/%s", rel);
	dirs[1] = "/lib/firmware/updates";
	dirs[2] = kasprintf(gfp, "/lib/firmware/%s", rel);
	dirs[3] = "/lib/firmware";
	name = fwverify_under_any(path, dirs, ARRAY_SIZE(dirs), false, gfp);
	/* Only then the custom directory: reading it costs an open. */
	custom = name ? NULL : fwverify_custom_dir();
	if (!name && custom)
		name = fwverify_under(path, custom, strlen(custom));
	/* And only then lookups: the path may be a file's resolved one. */
	if (!name)
		name = fwverify_under_any(path, dirs, ARRAY_SIZE(dirs), true,
					  gfp);
	if (!name && custom)
		name = fwverify_under_any(path, &custom, 1, true, gfp);
	ret = kstrdup(name ?: path, gfp);
	kfree(custom);
	kfree(dirs[0]);
	kfree(dirs[2]);
	return ret;
}

int fwverify_context_init(void)
{
	/* Built in, so get_fs_type() took no module reference to put. */
	struct file_system_type *sysfs = get_fs_type("sysfs");
	struct vfsmount *mnt;

	if (!sysfs)
		return -ENODEV;
	mnt = kern_mount(sysfs);
	if (IS_ERR(mnt)) {
		pr_err("cannot mount sysfs for itself: %ld\n", PTR_ERR(mnt));
		return PTR_ERR(mnt);
	}
	fwverify_sysfs = mnt;
	return 0;
}

/* Forget every remembered name, at module exit. */
void fwverify_context_exit(void)
{
	unsigned int i;

	kern_unmount(fwverify_sysfs);
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++)
		kfree(fwverify_last[i].name);
	for (i = 0; i < FWVERIFY_PENDING; i++)
		kfree(fwverify_pending[i].name);
}
