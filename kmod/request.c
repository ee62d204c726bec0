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
#include <linux/moduleparam.h>
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
#include "request.h"

/* The loader's own search directories, after the custom one, in its order. */
static char *fwverify_dirs[4];
static size_t fwverify_dir_len[ARRAY_SIZE(fwverify_dirs)];	/* their lengths */
#define FWVERIFY_LAST_DIR	ARRAY_SIZE(fwverify_dirs)

/* Under fwverify_last_lock, as the slots: one lock for a read's bookkeeping. */
static LIST_HEAD(fwverify_requests);

/*
 * The name each recent task last looked for, for fallback reports, and
 * its last read: the loader tries a name in every search directory, then
 * with ".zst", then with ".xz", and decompresses only what it read with a
 * suffix it added (fwverify_loader_decompresses()).  A slot's strings are
 * buffers it keeps: the loader reads the same name in each directory, and
 * a read that repeats them allocates nothing.
 */
#define FWVERIFY_LAST_NAMES	16
#define FWVERIFY_LAST_MIN	64	/* the smallest buffer a slot keeps */
static struct {
	struct task_struct *task;
	unsigned long when;
	char *name;
	size_t name_size;
	bool decided;	/* a file was read and decided on for it */
	char *read;	/* the last read: its name, with any suffix */
	size_t read_size;
	int read_dir;	/* its search directory (fwverify_loader_dir()) */
	int read_err;	/* how it failed: 0, or a negative errno */
	bool read_partial;	/* of a partial request: never decompressed */
	bool read_decompressed;
} fwverify_last[FWVERIFY_LAST_NAMES];
static unsigned int fwverify_last_next;
static DEFINE_SPINLOCK(fwverify_last_lock);

/* firmware_class.path holds at most this much (fw_path_para in the loader). */
#define FWVERIFY_CUSTOM_MAX	256
static bool fwverify_custom_dir_none(void);
static void fwverify_custom_dir(char *buf);
static int fwverify_loader_dir(const char *path, const char *custom,
			       const char **name);
static const char *fwverify_request_name_as_written(const char *path,
						    const char *custom);

/* The suffix the loader tries before @sfx: ".zst" comes before ".xz". */
static const char *fwverify_suffix_before(const char *sfx)
{
	if (!strcmp(sfx, ".xz") && IS_ENABLED(CONFIG_FW_LOADER_COMPRESS_ZSTD))
		return ".zst";
	return "";
}

/*
 * Does the loader decompress @read, in search directory @dir, given this
 * task's read before it (slot @i)?  Only if it added the suffix itself:
 * then every read before it in the request failed, and it was the same
 * name with the same suffix in the directory before (the loader goes on
 * after any error), or the same name with the suffix before this one in
 * the last directory, which failed with ENOENT: after any other error
 * there, the loader gives up (_request_firmware()), and a read of the
 * name with the suffix is a new request, for a file to be handed over as
 * stored.  So is every read of a partial request (FW_OPT_PARTIAL), which
 * the loader never decompresses.
 */
static bool fwverify_loader_decompresses(unsigned int i, const char *read,
					 int dir, int first, bool partial)
{
	const char *sfx = fwverify_compressed(read), *prev = fwverify_last[i].read;
	size_t base = sfx ? strlen(read) - strlen(sfx) : 0;

	if (!sfx || partial || dir < 0 || !prev || !*prev ||
	    fwverify_last[i].task != current || !fwverify_last[i].read_err ||
	    !time_before(jiffies, fwverify_last[i].when + 10 * HZ))
		return false;
	if (fwverify_last[i].read_decompressed && !strcmp(prev, read))
		return fwverify_last[i].read_dir < dir;
	return fwverify_last[i].read_dir == FWVERIFY_LAST_DIR &&
	       fwverify_last[i].read_err == -ENOENT &&
	       !fwverify_last[i].read_partial && dir == first &&
	       !strncmp(prev, read, base) &&
	       !strcmp(prev + base, fwverify_suffix_before(sfx));
}

/*
 * Put the first @n bytes of @s in a slot's buffer *@buf of *@size bytes,
 * under fwverify_last_lock: a larger buffer only if it must grow.
 */
static bool fwverify_slot_set(char **buf, size_t *size, const char *s,
			      size_t n)
{
	size_t want = max_t(size_t, n + 1, FWVERIFY_LAST_MIN);
	char *p;

	if (n + 1 > *size) {
		p = kmalloc(want, GFP_ATOMIC);
		if (!p)
			return false;
		kfree(*buf);
		*buf = p;
		*size = want;
	}
	memcpy(*buf, s, n);
	(*buf)[n] = '\0';
	return true;
}

/*
 * Remember what this task reads (@partial: for a partial request), with
 * @custom the loader's custom directory (fwverify_custom_dir()), and add
 * @req to the reads under way; true if the loader decompresses it.
 */
static bool fwverify_remember(struct fwverify_request *req, const char *path,
			      const char *custom, bool partial)
{
	const char *name, *rel, *sfx;
	bool decompress = false, same;
	char *resolved = NULL;
	unsigned long flags;
	unsigned int i;
	size_t len;
	int dir, first;

	dir = fwverify_loader_dir(path, custom, &rel);
	first = custom[0] ? 0 : 1;
	/*
	 * Without a custom directory, the first search directory holding the
	 * path names it, as for reports.  Only a path not as the loader
	 * builds them needs lookups to name.
	 */
	if (dir < 0)
		name = NULL;
	else if (!custom[0])
		name = rel;
	else
		name = fwverify_request_name_as_written(path, custom);
	if (dir >= 0 && !name) {
		resolved = fwverify_request_name(path, GFP_KERNEL);
		name = resolved;
	}
	spin_lock_irqsave(&fwverify_last_lock, flags);
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++)
		if (fwverify_last[i].task == current)
			break;
	if (!name || dir < 0)
		goto forget;
	if (i < FWVERIFY_LAST_NAMES)
		decompress = fwverify_loader_decompresses(i, rel, dir, first,
							  partial);
	else
		i = fwverify_last_next++ % FWVERIFY_LAST_NAMES;
	/* The loader's retry of "fw.bin" as "fw.bin.xz" is the same request. */
	sfx = decompress ? fwverify_compressed(name) : NULL;
	len = strlen(name) - (sfx ? strlen(sfx) : 0);
	/* The same name again: the loader trying the next directory. */
	same = fwverify_last[i].task == current && fwverify_last[i].name &&
	       !strncmp(fwverify_last[i].name, name, len) &&
	       !fwverify_last[i].name[len];
	if (!fwverify_slot_set(&fwverify_last[i].name,
			       &fwverify_last[i].name_size, name, len) ||
	    !fwverify_slot_set(&fwverify_last[i].read,
			       &fwverify_last[i].read_size, rel, strlen(rel)))
		goto forget;
	if (!same)
		fwverify_last[i].decided = false;
	fwverify_last[i].task = current;
	fwverify_last[i].when = jiffies;
	fwverify_last[i].read_dir = dir;
	fwverify_last[i].read_err = 0;
	fwverify_last[i].read_partial = partial;
	fwverify_last[i].read_decompressed = decompress;
	list_add(&req->node, &fwverify_requests);
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
	kfree(resolved);
	return decompress;

forget:
	/* Out of memory, or no search directory: no stale name or read. */
	if (i < FWVERIFY_LAST_NAMES) {
		fwverify_last[i].task = NULL;
		if (fwverify_last[i].name)
			fwverify_last[i].name[0] = '\0';
		if (fwverify_last[i].read)
			fwverify_last[i].read[0] = '\0';
	}
	list_add(&req->node, &fwverify_requests);
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
	kfree(resolved);
	return false;
}

/*
 * fwverify_remember() with a copy of the custom directory.  Apart: each of
 * the loader's tries calls fwverify_remember(), and mostly there is no
 * custom directory, whose buffer every call would clear (the kernels
 * fwverify runs on clear every variable on the stack).
 */
static noinline bool fwverify_remember_custom(struct fwverify_request *req,
					      const char *path, bool partial)
{
	char custom[FWVERIFY_CUSTOM_MAX];

	fwverify_custom_dir(custom);
	return fwverify_remember(req, path, custom, partial);
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

/**
 * fwverify_note_decision() - a file this task looked for was decided on
 */
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

/**
 * fwverify_request_begin() - the loader starts a read of a firmware path
 * @req: the request, on the caller's stack until fwverify_request_end()
 * @path: the path read, or NULL for a platform firmware request
 * @offset: where a partial read starts
 * @max: the most it reads (the size of the buffer read into)
 * @partial: the read is of a partial request (the loader asks for the
 *	     file's size): one the loader never decompresses
 */
void fwverify_request_begin(struct fwverify_request *req, const char *path,
			    loff_t offset, size_t max, bool partial)
{
	unsigned long flags;

	req->task = current;
	req->path = path;
	req->offset = offset;
	req->judged = false;
	req->piece.offset = offset;
	req->piece.max = max;
	req->piece.set = false;
	req->decompress = false;
	if (path) {
		req->decompress = fwverify_custom_dir_none() ?
				  fwverify_remember(req, path, "", partial) :
				  fwverify_remember_custom(req, path, partial);
		return;
	}
	spin_lock_irqsave(&fwverify_last_lock, flags);
	list_add(&req->node, &fwverify_requests);
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
}

/**
 * fwverify_request_end() - the read of a firmware path returned
 * @req: the request begun by fwverify_request_begin()
 * @ret: what the read returned: bytes read, or a negative errno
 */
void fwverify_request_end(struct fwverify_request *req, ssize_t ret)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&fwverify_last_lock, flags);
	list_del(&req->node);
	/* This task's read failed: how, for the loader's next try. */
	for (i = 0; req->path && ret < 0 && i < FWVERIFY_LAST_NAMES; i++)
		if (fwverify_last[i].task == current)
			fwverify_last[i].read_err = ret;
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
}

/**
 * fwverify_request_current() - the loader's read of a path in this task
 *
 * Only its own task touches a request: the caller may use it until the
 * read returns.
 *
 * Return: the request, or NULL outside a read.
 */
struct fwverify_request *fwverify_request_current(void)
{
	struct fwverify_request *req, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&fwverify_last_lock, flags);
	list_for_each_entry(req, &fwverify_requests, node) {
		if (req->task == current && req->path) {
			found = req;
			break;
		}
	}
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
	return found;
}

/**
 * fwverify_in_platform_request() - is this task in firmware_request_platform()?
 *
 * Return: true if so (a request with no path marks it).
 */
bool fwverify_in_platform_request(void)
{
	struct fwverify_request *req;
	unsigned long flags;
	bool in = false;

	spin_lock_irqsave(&fwverify_last_lock, flags);
	list_for_each_entry(req, &fwverify_requests, node)
		in |= req->task == current && !req->path;
	spin_unlock_irqrestore(&fwverify_last_lock, flags);
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

/**
 * fwverify_custom_fallback_add() - @name will use the sysfs fallback
 * @name: a firmware name requested with request_firmware_nowait() without
 *	a uevent
 * @gfp: how to allocate
 */
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

/**
 * fwverify_custom_fallback_take() - take @name off the pending fallbacks
 * @name: a firmware name
 *
 * Return: true if it was there.
 */
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

	get_fs_root(userspace_init_fs, &root);
	err = vfs_path_lookup(root.dentry, root.mnt, path, flags, out);
	path_put(&root);
	return err;
}

/*
 * firmware_class.path as the loader has it, newline and all (6.1's loader
 * uses the whole string, 6.12's cuts it at the first newline).  The
 * module form keeps this copy current (fwverify_custom_dir_set(), from its
 * hook on the parameter's setter); built in, it is read again each time.
 */
static char fwverify_custom[FWVERIFY_CUSTOM_MAX];
static bool fwverify_custom_tracked;
/* Tracked and empty, as it mostly is: nothing to copy on a load's path. */
static bool fwverify_custom_none;
static DEFINE_SPINLOCK(fwverify_custom_lock);

#ifndef MODULE
/*
 * Built in, the parameter itself, under the parameters' lock: no file is
 * opened, no sysfs lock taken, on a load's path, where the driver may hold
 * locks of its own that a sysfs write orders before them (lockdep).  Only
 * where the loader is built in too, as in Debian's kernels; a modular
 * loader's parameter is read through sysfs.
 */
static const struct kernel_param *fwverify_custom_kp;

static bool fwverify_custom_param(char *buf)
{
	const struct kernel_param *kp = READ_ONCE(fwverify_custom_kp);

	/* Found once: every built-in parameter is in __param, for good. */
	for (kp = kp ?: __start___param; kp < __stop___param; kp++) {
		if (!strcmp(kp->name, "firmware_class.path") &&
		    kp->ops == &param_ops_string)
			break;
	}
	if (kp >= __stop___param)
		return false;
	WRITE_ONCE(fwverify_custom_kp, kp);
	kernel_param_lock(NULL);
	strscpy(buf, kp->str->string, FWVERIFY_CUSTOM_MAX);
	kernel_param_unlock(NULL);
	return true;
}
#else
static bool fwverify_custom_param(char *buf)
{
	return false;
}
#endif

/*
 * Read the parameter into @buf: built in, the parameter itself; else
 * through fwverify's own sysfs mount.
 */
static void fwverify_custom_read(char *buf)
{
	struct path p;
	struct file *f;
	loff_t pos = 0;
	ssize_t n = -ENOENT;

	buf[0] = '\0';
	if (fwverify_custom_param(buf))
		return;
	if (!fwverify_sysfs ||
	    vfs_path_lookup(fwverify_sysfs->mnt_root, fwverify_sysfs,
			    "module/firmware_class/parameters/path", 0, &p))
		return;
	f = dentry_open(&p, O_RDONLY, current_cred());
	path_put(&p);
	if (IS_ERR(f))
		return;
	n = kernel_read(f, buf, FWVERIFY_CUSTOM_MAX - 1, &pos);
	fput(f);
	buf[max_t(ssize_t, n, 0)] = '\0';
	/* The show function adds a newline of its own. */
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

/**
 * fwverify_custom_dir_set() - the loader's custom directory changed
 * @val: its new value, NULL to read it now and track it from here on
 */
void fwverify_custom_dir_set(const char *val)
{
	char buf[FWVERIFY_CUSTOM_MAX] = "";
	bool changed;

	if (val)
		strscpy(buf, val, sizeof(buf));
	else
		fwverify_custom_read(buf);
	spin_lock(&fwverify_custom_lock);
	changed = memcmp(fwverify_custom, buf, sizeof(buf));
	memcpy(fwverify_custom, buf, sizeof(buf));
	fwverify_custom_tracked = true;
	WRITE_ONCE(fwverify_custom_none, !buf[0]);
	spin_unlock(&fwverify_custom_lock);
	/* Paths are names of other rules now: cached verdicts expire. */
	if (changed)
		fwverify_generation_bump();
}

/* Is firmware_class.path known to be empty (tracked, and empty)? */
static bool fwverify_custom_dir_none(void)
{
	return READ_ONCE(fwverify_custom_none);
}

/* Copy firmware_class.path into @buf (FWVERIFY_CUSTOM_MAX bytes). */
static void fwverify_custom_dir(char *buf)
{
	bool tracked;

	if (fwverify_custom_dir_none()) {
		buf[0] = '\0';
		return;
	}
	spin_lock(&fwverify_custom_lock);
	tracked = fwverify_custom_tracked;
	if (tracked)
		memcpy(buf, fwverify_custom, FWVERIFY_CUSTOM_MAX);
	spin_unlock(&fwverify_custom_lock);
	if (!tracked)
		fwverify_custom_read(buf);
}

#ifdef CONFIG_FW_LOADER_USER_HELPER
/*
 * The loader's fallback settings (compat.h), read where the loader reads
 * them, not through /proc, which a mount namespace can cover.
 */
MODULE_IMPORT_NS(FIRMWARE_LOADER_PRIVATE);

/**
 * fwverify_fallback_forced() - does every failed request use the fallback?
 *
 * Return: true if the loader's force_sysfs_fallback is set.
 */
bool fwverify_fallback_forced(void)
{
	return READ_ONCE(fw_fallback_config.force_sysfs_fallback);
}
#else
/**
 * fwverify_fallback_forced() - does every failed request use the fallback?
 *
 * Return: true if the loader's force_sysfs_fallback is set.
 */
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
	struct path p;
	char *s;

	if (fwverify_kern_path_initns(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p))
		return NULL;
	s = fwverify_d_path(&p, gfp);
	path_put(&p);
	if (IS_ERR(s))
		return NULL;
	if (!strcmp(s, dir)) {
		kfree(s);
		return NULL;
	}
	return s;
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
 * fwverify_request_names() - every name a path the loader reads can be for
 * @path: "<firmware directory>/<name>" as the loader builds it
 * @names: set to the names, pointers into @path
 * @max: the size of @names
 *
 * The custom directory may lie inside a standard one: then a path is the
 * request of more than one name, and each may meet another policy rule.
 *
 * Return: how many names; 0 if no search directory holds @path.
 */
int fwverify_request_names(const char *path, const char **names, int max)
{
	char custom[FWVERIFY_CUSTOM_MAX];
	const char *name;
	size_t len;
	int n = 0, i;

	fwverify_custom_dir(custom);
	/* Whole (6.1's loader), and cut at a newline (6.12's). */
	for (i = 0; i < 2 && custom[0] && n < max; i++) {
		len = i ? strcspn(custom, "\n") : strlen(custom);
		if (i && len == strlen(custom))
			break;
		name = fwverify_under(path, custom, len);
		if (name)
			names[n++] = name;
	}
	for (i = 0; i < ARRAY_SIZE(fwverify_dirs) && n < max; i++) {
		name = fwverify_under(path, fwverify_dirs[i],
				      fwverify_dir_len[i]);
		if (name)
			names[n++] = name;
	}
	return n;
}

/*
 * The search directory @path is in, in the loader's order: 0 the custom
 * one (@custom, fwverify_custom_dir()), then fwverify_dirs[] from 1 to
 * FWVERIFY_LAST_DIR; -1 if none.
 */
static int fwverify_loader_dir(const char *path, const char *custom,
			       const char **name)
{
	int i;

	if (custom[0]) {
		*name = fwverify_under(path, custom, strlen(custom));
		if (!*name)
			*name = fwverify_under(path, custom,
					       strcspn(custom, "\n"));
		if (*name)
			return 0;
	}
	for (i = 0; i < ARRAY_SIZE(fwverify_dirs); i++) {
		*name = fwverify_under(path, fwverify_dirs[i],
				       fwverify_dir_len[i]);
		if (*name)
			return i + 1;
	}
	return -1;
}

/*
 * The firmware name in @path as the loader writes paths: less a search
 * directory as written (@custom the custom one); NULL if it is in none.
 */
static const char *fwverify_request_name_as_written(const char *path,
						    const char *custom)
{
	const char *name;

	name = fwverify_under_any(path, fwverify_dirs,
				  ARRAY_SIZE(fwverify_dirs), false, 0);
	if (!name && custom[0])
		name = fwverify_under(path, custom, strlen(custom));
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
 * name.  Policy looks at every name the path can be for
 * (fwverify_request_names()); this one names the reports.
 *
 * Return: the name, or NULL if memory is short.
 */
char *fwverify_request_name(const char *path, gfp_t gfp)
{
	char custom[FWVERIFY_CUSTOM_MAX], *c = custom;
	const char *name;

	fwverify_custom_dir(custom);
	name = fwverify_request_name_as_written(path, custom);
	/* Only then lookups: the path may be a file's resolved one. */
	if (!name)
		name = fwverify_under_any(path, fwverify_dirs,
					  ARRAY_SIZE(fwverify_dirs), true, gfp);
	if (!name && custom[0])
		name = fwverify_under_any(path, &c, 1, true, gfp);
	return kstrdup(name ?: path, gfp);
}

static void fwverify_request_free_dirs(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(fwverify_dirs); i++) {
		kfree(fwverify_dirs[i]);
		fwverify_dirs[i] = NULL;
	}
}

/**
 * fwverify_request_init() - learn the loader's search directories
 *
 * Return: 0, or -ENOMEM.
 */
int fwverify_request_init(void)
{
	/* Built in, so get_fs_type() took no module reference to put. */
	struct file_system_type *sysfs = get_fs_type("sysfs");
	const char *rel = init_utsname()->release;
	struct vfsmount *mnt;
	int i;

	if (!sysfs)
		return -ENODEV;
	fwverify_dirs[0] = kasprintf(GFP_KERNEL, "/lib/firmware/updates/%s", rel);
	fwverify_dirs[1] = kstrdup("/lib/firmware/updates", GFP_KERNEL);
	fwverify_dirs[2] = kasprintf(GFP_KERNEL, "/lib/firmware/%s", rel);
	fwverify_dirs[3] = kstrdup("/lib/firmware", GFP_KERNEL);
	if (!fwverify_dirs[0] || !fwverify_dirs[1] || !fwverify_dirs[2] ||
	    !fwverify_dirs[3])
		goto err_dirs;
	for (i = 0; i < ARRAY_SIZE(fwverify_dirs); i++)
		fwverify_dir_len[i] = strlen(fwverify_dirs[i]);
	mnt = kern_mount(sysfs);
	if (IS_ERR(mnt)) {
		pr_err("cannot mount sysfs for itself: %ld\n", PTR_ERR(mnt));
		fwverify_request_free_dirs();
		return PTR_ERR(mnt);
	}
	fwverify_sysfs = mnt;
	return 0;

err_dirs:
	fwverify_request_free_dirs();
	return -ENOMEM;
}

/**
 * fwverify_request_exit() - forget every remembered name, at module exit
 */
void fwverify_request_exit(void)
{
	unsigned int i;

	kern_unmount(fwverify_sysfs);
	fwverify_request_free_dirs();
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++) {
		kfree(fwverify_last[i].name);
		kfree(fwverify_last[i].read);
	}
	for (i = 0; i < FWVERIFY_PENDING; i++)
		kfree(fwverify_pending[i].name);
}
