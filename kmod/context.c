// SPDX-License-Identifier: GPL-2.0
/*
 * What the loader asked for.  The hooks see a file, not the request: this
 * remembers, per task, the path the loader is reading (set around
 * kernel_read_file_from_path_initns()) and the firmware name it last looked
 * for, so that reports name the firmware as the driver requested it and a
 * signature can be looked up beside the requested name of a symlink.
 */
#include <linux/err.h>
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
	char *name = fwverify_request_name(path, GFP_KERNEL), *old = NULL;
	const char *sfx;
	unsigned int i;

	if (!name)
		return;
	/* The loader's retry of "fw.bin" as "fw.bin.xz" is the same request. */
	sfx = fwverify_compressed(name);
	if (sfx)
		name[strlen(name) - strlen(sfx)] = '\0';
	spin_lock(&fwverify_last_lock);
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
	spin_unlock(&fwverify_last_lock);
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
	char *name = NULL;
	unsigned int i;

	*decided = false;
	spin_lock(&fwverify_last_lock);
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++) {
		if (fwverify_last[i].task == current &&
		    time_before(jiffies, fwverify_last[i].when + 10 * HZ)) {
			name = kstrdup(fwverify_last[i].name, GFP_ATOMIC);
			*decided = fwverify_last[i].decided;
		}
	}
	spin_unlock(&fwverify_last_lock);
	return name;
}

/* A file this task looked for was read and decided on. */
void fwverify_note_decision(void)
{
	unsigned int i;

	spin_lock(&fwverify_last_lock);
	for (i = 0; i < FWVERIFY_LAST_NAMES; i++)
		if (fwverify_last[i].task == current)
			fwverify_last[i].decided = true;
	spin_unlock(&fwverify_last_lock);
}

void fwverify_request_begin(struct fwverify_request *req, const char *path)
{
	req->task = current;
	req->path = path;
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
 *
 * Return: the path, valid until the read returns, or NULL outside a read.
 */
const char *fwverify_request_path(void)
{
	struct fwverify_request *req;
	const char *path = NULL;

	spin_lock(&fwverify_requests_lock);
	list_for_each_entry(req, &fwverify_requests, node) {
		if (req->task == current && req->path) {
			path = req->path;
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

void fwverify_custom_fallback_add(const char *name)
{
	char *copy = kstrdup(name, GFP_KERNEL), *old;
	unsigned int i;

	if (!copy)
		return;
	spin_lock(&fwverify_last_lock);
	i = fwverify_pending_next++ % FWVERIFY_PENDING;
	old = fwverify_pending[i].name;
	fwverify_pending[i].name = copy;
	fwverify_pending[i].when = jiffies;
	spin_unlock(&fwverify_last_lock);
	kfree(old);
}

/* Take @name off the pending custom fallbacks; true if it was there. */
bool fwverify_custom_fallback_take(const char *name)
{
	char *found = NULL;
	unsigned int i;

	spin_lock(&fwverify_last_lock);
	for (i = 0; i < FWVERIFY_PENDING && !found; i++) {
		if (fwverify_pending[i].name &&
		    time_before(jiffies, fwverify_pending[i].when + 60 * HZ) &&
		    !strcmp(fwverify_pending[i].name, name)) {
			found = fwverify_pending[i].name;
			fwverify_pending[i].name = NULL;
		}
	}
	spin_unlock(&fwverify_last_lock);
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

/* The first line of a small kernel file (a parameter, a sysctl), or NULL. */
static char *fwverify_read_line(const char *param)
{
	struct file *f;
	loff_t pos = 0;
	char *buf;
	ssize_t n;

	f = filp_open(param, O_RDONLY, 0);
	if (IS_ERR(f))
		return NULL;
	buf = kzalloc(PATH_MAX, GFP_KERNEL);
	n = buf ? kernel_read(f, buf, PATH_MAX - 1, &pos) : -ENOMEM;
	fput(f);
	if (n <= 0) {
		kfree(buf);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* firmware_class.path, the custom firmware directory, if one is set. */
static char *fwverify_custom_dir(void)
{
	return fwverify_read_line("/sys/module/firmware_class/parameters/path");
}

/* Does the loader run the sysfs fallback for every failed request? */
bool fwverify_fallback_forced(void)
{
	char *v = fwverify_read_line("/proc/sys/kernel/firmware_config/force_sysfs_fallback");
	bool forced = v && !strcmp(v, "1");

	kfree(v);
	return forced;
}

/*
 * @dir as a file's own path shows it, with the symlinks on the way
 * resolved (/usr/lib/firmware for /lib/firmware on merged /usr, a stage
 * generation for /lib/firmware/updates); NULL if that is @dir itself.
 */
static char *fwverify_resolve_dir(const char *dir, gfp_t gfp)
{
	char *buf, *s, *ret = NULL;
	struct path p;

	if (kern_path(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p))
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

/* Forget every remembered name, at module exit. */
void fwverify_context_exit(void)
{
	unsigned int i;

	for (i = 0; i < FWVERIFY_LAST_NAMES; i++)
		kfree(fwverify_last[i].name);
	for (i = 0; i < FWVERIFY_PENDING; i++)
		kfree(fwverify_pending[i].name);
}
