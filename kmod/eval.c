// SPDX-License-Identifier: GPL-2.0
/*
 * What happens to firmware: one evaluator per way firmware reaches the
 * kernel builds an event, finds the mode its policy rules and the mode
 * parameter give, has it verified (verify.c), decides between allowing and
 * denying, and reports the decision (report.c).  And the parameters that
 * decide: mode and max_size.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/kernel_read_file.h>
#include <linux/vmalloc.h>

#include "audit.h"
#include "cache.h"
#include "eval.h"
#include "fwverify.h"
#include "lock.h"
#include "policy.h"
#include "report.h"
#include "request.h"
#include "table.h"
#include "verify.h"

/* Built in, Kconfig may make enforce the default; "fwverify.mode=" wins. */
static int fwverify_mode_param =
	IS_ENABLED(CONFIG_SECURITY_FWVERIFY_ENFORCE) ? FWVERIFY_MODE_ENFORCE :
						       FWVERIFY_MODE_LOG;

static int fwverify_mode_set(const char *val, const struct kernel_param *kp)
{
	int mode = fwverify_mode_parse(val);
	int err;

	if (mode < 0)
		return -EINVAL;
	err = fwverify_change_begin();
	if (err)
		return err;
	if (xchg(&fwverify_mode_param, mode) != mode) {
		pr_notice("mode %s\n", fwverify_mode_name(mode));
		fwverify_audit_change("mode", mode);
	}
	fwverify_change_end();
	return 0;
}

static int fwverify_mode_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 fwverify_mode_name(READ_ONCE(fwverify_mode_param)));
}

static const struct kernel_param_ops fwverify_mode_ops = {
	.set = fwverify_mode_set,
	.get = fwverify_mode_get,
};
module_param_cb(mode, &fwverify_mode_ops, NULL, 0644);
MODULE_PARM_DESC(mode, "off, log (verify, report, allow) or enforce (deny what fails); default log");

/*
 * A new cap changes what is malformed: earlier verdicts expire.  The loader
 * reads no file larger than INT_MAX, and the decompressors count one byte
 * past the cap: a larger cap would only wrap.
 */
static int fwverify_max_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long size;
	int err = kstrtoul(val, 0, &size);

	if (err)
		return err;
	if (size > INT_MAX)
		return -EINVAL;
	err = fwverify_change_begin();
	if (err)
		return err;
	if (xchg(&fwverify_max_size, size) != size) {
		fwverify_generation_bump();
		fwverify_audit_change("max_size", size);
	}
	fwverify_change_end();
	return 0;
}

static const struct kernel_param_ops fwverify_max_size_ops = {
	.set = fwverify_max_size_set,
	.get = param_get_ulong,
};
module_param_cb(max_size, &fwverify_max_size_ops, &fwverify_max_size, 0644);
MODULE_PARM_DESC(max_size, "largest copy of a file made to verify a partial read, and largest decompressed content, in bytes (default 256 MiB)");

/**
 * fwverify_mode() - the mode parameter
 *
 * Return: the mode loads get where no policy rule says otherwise.
 */
enum fwverify_mode fwverify_mode(void)
{
	return READ_ONCE(fwverify_mode_param);
}

/**
 * fwverify_active() - may anything be verified?
 *
 * Off with no policy costs nothing.
 *
 * Return: false if the mode is off and the policy has no rule.
 */
bool fwverify_active(void)
{
	return fwverify_mode() != FWVERIFY_MODE_OFF || !fwverify_policy_empty();
}

static void fwverify_event_free(struct fwverify_event *ev)
{
	key_put(ev->pin);
	kfree(ev->name);
	kfree(ev->resolved);
	vfree(ev->owned);
}

/* The name the driver asked for, and where the file really is. */
static int fwverify_event_names(struct fwverify_event *ev, struct file *file,
				const char *path)
{
	const char *sfx;
	bool decided;
	char *p;

	p = fwverify_d_path(&file->f_path, GFP_KERNEL);
	if (IS_ERR(p) && PTR_ERR(p) != -ENOMEM)
		p = kstrdup("(unreachable)", GFP_KERNEL);
	ev->resolved = IS_ERR(p) ? NULL : p;
	ev->path = path ?: ev->resolved;
	if (!ev->resolved)
		return -ENOMEM;
	/* The loader's read of @path already named it (fwverify_remember()). */
	if (path && ev->source != FWVERIFY_SRC_CHECK) {
		ev->name = fwverify_last_name(GFP_KERNEL, &decided);
		if (ev->name)
			return 0;
	}
	ev->name = fwverify_request_name(ev->path, GFP_KERNEL);
	if (!ev->name)
		return -ENOMEM;
	/* "fw.bin.xz" is what the loader read for a request of "fw.bin". */
	sfx = ev->source != FWVERIFY_SRC_CHECK && !ev->raw ?
	      fwverify_compressed(ev->name) : NULL;
	if (sfx)
		ev->name[strlen(ev->name) - strlen(sfx)] = '\0';
	return 0;
}

/* Add @name's rule to @m (and its signer to *@pin, if the strictest). */
static void fwverify_modes_add(struct fwverify_modes *m, const char *name,
			       struct key **pin)
{
	struct fwverify_rule_match r = { };

	if (!fwverify_policy_match(name, &r)) {
		m->global = true;
		return;
	}
	if (r.action > m->floor || (r.action == m->floor && r.pin && !*pin)) {
		key_put(*pin);
		*pin = r.pin;
		m->floor = r.action;
	} else {
		key_put(r.pin);
	}
}

/* Most names one path the loader reads can be for. */
#define FWVERIFY_PATH_NAMES	6

/*
 * A path the loader read is the request of every name a search directory
 * explains (the custom one may lie inside a standard one): the strictest
 * of their rules applies, so firmware_class.path cannot move a file out of
 * its rule.  A path no search directory explains has no name at all.
 */
static void fwverify_modes_of_path(struct fwverify_event *ev)
{
	const char *names[FWVERIFY_PATH_NAMES];
	const char *sfx = ev->raw ? NULL : fwverify_compressed(ev->path);
	char *path;
	int n, i;

	/* Rules are over requested names: "fw.bin", not "fw.bin.xz". */
	path = kstrndup(ev->path, strlen(ev->path) - (sfx ? strlen(sfx) : 0),
			GFP_KERNEL);
	n = path ? fwverify_request_names(path, names, ARRAY_SIZE(names)) : 0;
	for (i = 0; i < n; i++)
		fwverify_modes_add(&ev->modes, names[i], &ev->pin);
	kfree(path);
	if (!n) {
		ev->modes.floor = fwverify_policy_may_enforce() ?
				  FWVERIFY_MODE_ENFORCE : FWVERIFY_MODE_OFF;
		ev->modes.global = true;
	}
}

/*
 * The mode for @ev: its policy rule's action, else the mode parameter.
 * Without a name no rule can be matched: if any rule could enforce, this
 * one might have, so it does.  @ev->modes and @ev->pin are set.
 */
static enum fwverify_mode fwverify_mode_for(struct fwverify_event *ev)
{
	ev->modes.floor = FWVERIFY_MODE_OFF;
	/* No rule: every name has the mode parameter's, as has no name. */
	ev->modes.global = fwverify_policy_empty();
	if (ev->modes.global)
		return fwverify_mode();
	if (ev->loader_path)
		fwverify_modes_of_path(ev);
	else if (ev->name)
		fwverify_modes_add(&ev->modes, ev->name, &ev->pin);
	else
		ev->modes.floor = fwverify_policy_may_enforce() ?
				  FWVERIFY_MODE_ENFORCE : FWVERIFY_MODE_OFF;
	if (!ev->name && !ev->loader_path)
		ev->modes.global = true;
	return fwverify_modes_pick(&ev->modes, fwverify_mode());
}

/*
 * A load of firmware verified before and unchanged since, through the
 * same path: decided by the verdict cache alone, before anything else.
 */
static bool fwverify_cached_load(struct fwverify_event *ev, const char *path)
{
	struct fwverify_cache_key key = {
		.path = path, .source = ev->source, .raw = ev->raw,
	};

	if (!fwverify_file_id(&ev->file->f_path, &key.id))
		return false;
	/* A miss is verified next: the same identity, no second getattr. */
	ev->file_id = key.id;
	ev->have_file_id = true;
	key.generation = fwverify_cache_generation();
	switch (fwverify_cache_verified(&key, fwverify_mode())) {
	case FWVERIFY_CACHE_MISS:
		return false;
	case FWVERIFY_CACHE_HIT:
		fwverify_report_cached();
		break;
	case FWVERIFY_CACHE_HIT_OFF:
		break;
	}
	fwverify_note_decision();
	return true;
}

/*
 * A partial read past the start is one more piece of a file the driver
 * already has pieces of: it must come from the file the last allowed read
 * of that name verified, or two signed versions could be spliced.
 */
static void fwverify_check_same_file(struct fwverify_event *ev)
{
	u8 digest[SHA256_DIGEST_SIZE];

	if (ev->v.result != FWVERIFY_VERIFIED || !ev->v.have_digest ||
	    !fwverify_table_last_digest(ev, digest) ||
	    !memcmp(digest, ev->v.digest, sizeof(digest)))
		return;
	ev->v.result = FWVERIFY_ERROR;
	ev->v.err = -ESTALE;
	ev->v.reason = "file changed between partial reads";
	ev->v.cacheable = false;
	ev->v.cached = false;
}

/* Verify a file the loader has open, decide, report.  0 or -EKEYREJECTED. */
static int fwverify_evaluate_file(struct fwverify_event *ev, struct file *file)
{
	struct fwverify_request *req = fwverify_request_current();
	enum fwverify_mode mode;
	int err;

	if (req)
		req->judged = true;
	if (!fwverify_active())
		return 0;
	ev->file = file;
	if (req && ev->source == FWVERIFY_SRC_PARTIAL && !req->piece.set)
		ev->piece = &req->piece;
	ev->loader_path = req && ev->source != FWVERIFY_SRC_CHECK;
	ev->raw = req && !req->decompress;
	/* A later piece of a partial read is compared with the first. */
	if (ev->loader_path &&
	    (ev->source != FWVERIFY_SRC_PARTIAL || req->offset <= 0) &&
	    fwverify_cached_load(ev, req->path))
		return 0;
	err = fwverify_event_names(ev, file, req ? req->path : NULL);
	if (err) {
		/* Not even a name: refused if anything could enforce. */
		fwverify_event_free(ev);
		return fwverify_mode() == FWVERIFY_MODE_ENFORCE ||
		       fwverify_policy_may_enforce() ? -EKEYREJECTED : 0;
	}
	mode = fwverify_mode_for(ev);
	if (mode == FWVERIFY_MODE_OFF) {
		fwverify_event_free(ev);
		return 0;
	}
	fwverify_verify_file(ev);
	if (ev->source == FWVERIFY_SRC_PARTIAL && req && req->offset > 0)
		fwverify_check_same_file(ev);
	ev->deny = ev->v.result != FWVERIFY_VERIFIED &&
		   mode == FWVERIFY_MODE_ENFORCE;
	if (!ev->v.cached) {
		struct fwverify_cache_key key;

		fwverify_cache_key_init(&key, ev);
		fwverify_cache_insert(&key, ev);
	}
	/*
	 * A partial read reads the file again after this: what it gives the
	 * driver must be bytes of the file verified.
	 */
	if (ev->piece && !ev->piece->set && ev->buf)
		fwverify_piece_set(ev->piece, ev->buf, ev->size);
	fwverify_report(ev);
	fwverify_note_decision();
	fwverify_event_free(ev);
	return ev->deny ? -EKEYREJECTED : 0;
}

/* The module is unloading: its hooks may be gone before a read ends. */
static bool fwverify_unguarded;

/**
 * fwverify_unguard() - hooks are going: a read may end unjudged
 *
 * The module, unloading: a read under way may have missed hooks already
 * detached, and is not refused for it.
 */
void fwverify_unguard(void)
{
	WRITE_ONCE(fwverify_unguarded, true);
}

/**
 * fwverify_read_firmware_path() - read a path the loader tries, and judge it
 * @path: "<search directory>/<name><suffix>", as the loader builds it
 * @offset: where a partial read starts
 * @buf: as for kernel_read_file_from_path_initns()
 * @buf_size: as for kernel_read_file_from_path_initns()
 * @file_size: as for kernel_read_file_from_path_initns(); set only by a
 *	       partial request
 * @id: what is read
 *
 * The loader's read of each path it tries, with the request around it
 * (request.c): the name the driver asked for, the suffix the loader added,
 * where a partial read starts.  Both forms call it: the module from its
 * wrapper of kernel_read_file_from_path_initns(), the built-in form from
 * the loader itself (fwverify_firmware_read()).
 *
 * Return: as kernel_read_file_from_path_initns(), or -EKEYREJECTED.
 */
ssize_t fwverify_read_firmware_path(const char *path, loff_t offset,
				    void **buf, size_t buf_size,
				    size_t *file_size,
				    enum kernel_read_file_id id)
{
	bool allocated = !*buf, track;
	struct fwverify_request req;
	ssize_t ret;

	track = id == READING_FIRMWARE && fwverify_active();
	if (track)
		/* Only a partial request asks for the file's size. */
		fwverify_request_begin(&req, path, offset, buf_size,
				       !!file_size);
	/*
	 * A call, never a tail jump (barrier()): the module's hook would see
	 * the kernel as the caller and redirect the call back to its wrapper.
	 */
	ret = kernel_read_file_from_path_initns(path, offset, buf, buf_size,
						file_size, id);
	barrier();
	if (!track)
		return ret;
	fwverify_request_end(&req, ret);
	/* Unloaded, fwverify guards nothing: a locked one cannot be. */
	if (READ_ONCE(fwverify_unguarded))
		req.judged = true;
	return fwverify_request_done(&req, buf, allocated, ret);
}

/**
 * fwverify_request_done() - the loader's read of a firmware path returned
 * @req: the request, begun before the read
 * @buf: the buffer read into
 * @allocated: kernel_read_file() allocated *@buf (it was NULL)
 * @ret: what the read returned: bytes read, or a negative errno
 *
 * Bytes come back only when fwverify's hooks decided on them: if they did
 * not run (something made the security hooks return early), the read is
 * refused.  A partial read must return bytes of the file verified whole.
 *
 * Return: @ret, or -EKEYREJECTED with the buffer freed or wiped.
 */
ssize_t fwverify_request_done(struct fwverify_request *req, void **buf,
			      bool allocated, ssize_t ret)
{
	const char *why = NULL;

	if (ret > 0 && !req->judged)
		why = "read without fwverify's hooks running";
	else if (ret > 0 && req->piece.set &&
		 !fwverify_piece_matches(&req->piece, *buf, ret))
		why = "partial read differs from the file verified";
	if (!why)
		return ret;
	pr_warn_ratelimited("%s: %s, refused\n", req->path, why);
	if (allocated) {
		vfree(*buf);
		*buf = NULL;
	} else {
		memset(*buf, 0, ret);
	}
	return -EKEYREJECTED;
}

/**
 * fwverify_evaluate_read() - decide on a firmware file the loader has read
 * @file: the firmware file
 * @buf: its whole contents; wiped when the read is denied
 * @size: the size of @buf
 *
 * Return: 0 to let the loader use the file, -EKEYREJECTED to deny it.
 */
int fwverify_evaluate_read(struct file *file, void *buf, size_t size)
{
	struct fwverify_event ev = {
		.source = FWVERIFY_SRC_FILE, .buf = buf, .size = size,
	};
	int ret = fwverify_evaluate_file(&ev, file);

	/* The buffer may be the driver's own: leave nothing of the blob in it. */
	if (ret)
		memset(buf, 0, size);
	return ret;
}

/**
 * fwverify_evaluate_partial() - decide on a file the loader reads in parts
 * @file: the firmware file, with writes to it denied until the read ends
 *
 * The post-read hook never sees the whole of a partial read, so the whole
 * file is verified here, before the first byte reaches the driver.
 *
 * Return: 0 to let the read go on, -EKEYREJECTED to deny it.
 */
int fwverify_evaluate_partial(struct file *file)
{
	struct fwverify_event ev = { .source = FWVERIFY_SRC_PARTIAL };

	return fwverify_evaluate_file(&ev, file);
}

/* Firmware without a file: unsigned.  Report it; deny it in enforce mode. */
static int fwverify_evaluate_nofile(enum fwverify_source source, char *name,
				    const void *buf, size_t size)
{
	struct fwverify_event ev = {
		.source = source, .name = name, .buf = buf, .size = size,
	};
	enum fwverify_mode mode = fwverify_mode_for(&ev);

	if (mode == FWVERIFY_MODE_OFF) {
		fwverify_event_free(&ev);
		return 0;
	}
	ev.deny = mode == FWVERIFY_MODE_ENFORCE;
	fwverify_verify_data(&ev);
	fwverify_report(&ev);
	fwverify_note_decision();
	fwverify_event_free(&ev);
	return ev.deny ? -EKEYREJECTED : 0;
}

/**
 * fwverify_evaluate_load_data() - the loader announces firmware without a file
 * @contents: whether the data will be handed over
 *
 * The sysfs fallback and platform firmware are announced before any data
 * exists.  In enforce mode they are refused right away, as IMA and LoadPin
 * do, so no user space helper is even asked; otherwise the decision waits
 * for the data (fwverify_evaluate_post_load_data()).
 *
 * The loader announces the sysfs fallback after every failed request, even
 * when none will run.  Only a fallback that would run is reported: a
 * platform request, a request_firmware_nowait() without uevent, or any
 * request while force_sysfs_fallback is set.  A request whose file was
 * already refused was reported then.
 *
 * Return: 0 or -EKEYREJECTED.
 */
int fwverify_evaluate_load_data(bool contents)
{
	struct fwverify_event probe = { };
	bool decided, real;
	char *name;

	if (!fwverify_active())
		return 0;
	name = fwverify_last_name(GFP_KERNEL, &decided);
	probe.name = name;
	if (fwverify_mode_for(&probe) != FWVERIFY_MODE_ENFORCE) {
		key_put(probe.pin);
		kfree(name);
		return 0;
	}
	key_put(probe.pin);
	if (decided) {
		kfree(name);
		return -EKEYREJECTED;
	}
	if (fwverify_in_platform_request())
		return fwverify_evaluate_nofile(FWVERIFY_SRC_PLATFORM, name,
						NULL, 0);
	real = fwverify_fallback_forced() ||
	       (name && fwverify_custom_fallback_take(name));
	if (real)
		return fwverify_evaluate_nofile(FWVERIFY_SRC_FALLBACK, name,
						NULL, 0);
	kfree(name);
	return -EKEYREJECTED;
}

/**
 * fwverify_evaluate_post_load_data() - firmware handed over without a file
 * @buf: the data
 * @size: its size
 * @description: "blob" (sysfs fallback, fw_upload) or "platform"
 *
 * Return: 0 or -EKEYREJECTED.
 */
int fwverify_evaluate_post_load_data(void *buf, size_t size,
				     const char *description)
{
	bool platform = description && !strcmp(description, "platform");
	bool decided;
	char *name;

	if (!fwverify_active())
		return 0;
	/* Platform data comes in the requester's task; sysfs data in a writer's. */
	name = fwverify_last_name(GFP_KERNEL, &decided);
	if (!platform) {
		kfree(name);
		name = kstrdup("(sysfs)", GFP_KERNEL);
	}
	/*
	 * Not wiped when denied: the loader discards the sysfs buffer on this
	 * error (a driver's own buffer, request_firmware_into_buf(), is
	 * refilled or released by the driver on the failed request).
	 */
	return fwverify_evaluate_nofile(platform ? FWVERIFY_SRC_PLATFORM :
					FWVERIFY_SRC_FALLBACK, name, buf, size);
}

/**
 * fwverify_check_path() - what would a load of @path get?
 * @path: an absolute path
 * @ev: filled with the verdict and the action the current mode would take;
 *	the caller frees it with fwverify_check_free()
 *
 * Runs the verification of real loads on @path without loading anything
 * and without counting, caching or reporting.
 *
 * Return: 0, or a negative errno if @path cannot be opened.
 */
int fwverify_check_path(const char *path, struct fwverify_event *ev)
{
	struct file *file;
	int err;

	memset(ev, 0, sizeof(*ev));
	ev->source = FWVERIFY_SRC_CHECK;
	file = filp_open(path, O_RDONLY | O_NONBLOCK, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	err = -EINVAL;
	if (!S_ISREG(file_inode(file)->i_mode))
		goto out;
	/* Like kernel_read_file(): the file cannot change while checked. */
	err = deny_write_access(file);
	if (err)
		goto out;
	ev->file = file;
	err = fwverify_event_names(ev, file, path);
	if (!err) {
		enum fwverify_mode mode = fwverify_mode_for(ev);

		fwverify_verify_file(ev);
		ev->deny = ev->v.result != FWVERIFY_VERIFIED &&
			   mode == FWVERIFY_MODE_ENFORCE;
	}
	allow_write_access(file);
out:
	ev->file = NULL;
	fput(file);
	if (err)
		fwverify_event_free(ev);
	return err;
}

/**
 * fwverify_check_free() - free what fwverify_check_path() filled in
 * @ev: the event it filled
 */
void fwverify_check_free(struct fwverify_event *ev)
{
	fwverify_event_free(ev);
}
