// SPDX-License-Identifier: GPL-2.0
/*
 * The vocabulary of fwverify (fwverify.h): the names of results, sources,
 * modes and actions, as reports write them; escaping for reports; the
 * compression suffixes of firmware names; the generation that expires
 * verdicts; the max_size limit.  A leaf: it calls no other part of the
 * module.
 */
#include <linux/atomic.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "fwverify.h"

static const char *const fwverify_result_names[FWVERIFY_RESULT_NR] =
	FWVERIFY_RESULT_NAMES;

static const char *const fwverify_source_names[] = {
	[FWVERIFY_SRC_FILE]	= FWVERIFY_NAME_SRC_FILE,
	[FWVERIFY_SRC_PARTIAL]	= FWVERIFY_NAME_SRC_PARTIAL,
	[FWVERIFY_SRC_FALLBACK]	= FWVERIFY_NAME_SRC_FALLBACK,
	[FWVERIFY_SRC_PLATFORM]	= FWVERIFY_NAME_SRC_PLATFORM,
	[FWVERIFY_SRC_CHECK]	= FWVERIFY_NAME_SRC_CHECK,
};

static const char *const fwverify_mode_names[] = {
	[FWVERIFY_MODE_OFF]	= FWVERIFY_NAME_MODE_OFF,
	[FWVERIFY_MODE_LOG]	= FWVERIFY_NAME_MODE_LOG,
	[FWVERIFY_MODE_ENFORCE]	= FWVERIFY_NAME_MODE_ENFORCE,
};

/**
 * fwverify_result_name() - the name of a result
 * @result: a result
 *
 * Return: its name, as sysfs, audit, uevents and the log write it.
 */
const char *fwverify_result_name(enum fwverify_result result)
{
	return fwverify_result_names[result];
}

/**
 * fwverify_source_name() - the name of the way firmware reached the kernel
 * @source: a source
 *
 * Return: its name, as audit records and uevents write it.
 */
const char *fwverify_source_name(enum fwverify_source source)
{
	return fwverify_source_names[source];
}

/**
 * fwverify_mode_name() - the name of a mode
 * @mode: a mode
 *
 * Return: its name, as the mode parameter and policy rules spell it.
 */
const char *fwverify_mode_name(enum fwverify_mode mode)
{
	return fwverify_mode_names[mode];
}

/**
 * fwverify_mode_parse() - the mode a name spells
 * @name: "off", "log" or "enforce", with or without a trailing newline
 *
 * Return: the mode, or -EINVAL.
 */
int fwverify_mode_parse(const char *name)
{
	return sysfs_match_string(fwverify_mode_names, name);
}

/**
 * fwverify_action_name() - the name of what a decision did
 * @deny: whether it denied the firmware
 *
 * Return: "denied" or "allowed".
 */
const char *fwverify_action_name(bool deny)
{
	return deny ? FWVERIFY_NAME_DENIED : FWVERIFY_NAME_ALLOWED;
}

/* Put @c at @buf[@n] if it fits in @size with a NUL; count it anyway. */
static size_t fwverify_put(char *buf, size_t size, size_t n, char c)
{
	if (n + 1 < size)
		buf[n] = c;
	return n + 1;
}

/**
 * fwverify_escape_to() - escape a name or path into a buffer
 * @buf: where, or NULL to count only
 * @size: its size: at most @size - 1 characters are written, and a NUL
 * @s: the string
 * @slash: if not 0, what replaces '/'
 *
 * Control characters, bytes that are not ASCII and the backslash become
 * \xHH.  What does not fit is cut, even within an escape, as
 * snprintf("%.*s") would cut the whole escaped string.
 *
 * Return: the length of the whole escaped string, without its NUL.
 */
size_t fwverify_escape_to(char *buf, size_t size, const char *s, char slash)
{
	size_t n = 0;
	const u8 *p;

	for (p = s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\') {
			n = fwverify_put(buf, size, n, '\\');
			n = fwverify_put(buf, size, n, 'x');
			n = fwverify_put(buf, size, n, hex_asc_hi(*p));
			n = fwverify_put(buf, size, n, hex_asc_lo(*p));
		} else {
			n = fwverify_put(buf, size, n,
					 *p == '/' && slash ? slash : *p);
		}
	}
	if (size)
		buf[min(n, size - 1)] = '\0';
	return n;
}

/**
 * fwverify_escape() - escape a name or path for sysfs, uevents and logs
 * @s: the string
 * @slash: if not 0, what replaces '/'
 * @gfp: how to allocate
 *
 * As fwverify_escape_to(), whole.
 *
 * Return: the escaped copy, for the caller to kfree(), or NULL.
 */
char *fwverify_escape(const char *s, char slash, gfp_t gfp)
{
	size_t n = fwverify_escape_to(NULL, 0, s, slash);
	char *out = kmalloc(n + 1, gfp);

	if (out)
		fwverify_escape_to(out, n + 1, s, slash);
	return out;
}

/* A path this long or shorter is written without a PATH_MAX buffer. */
#define FWVERIFY_D_PATH_SHORT	192

/**
 * fwverify_d_path() - a copy of the path d_path() gives
 * @path: a file or directory
 * @gfp: how to allocate
 *
 * Written on the stack first: a PATH_MAX buffer is allocated only for a
 * longer path.  The kernels fwverify runs on zero every allocation
 * (init_on_alloc), and 4 KiB for each firmware's path was the costliest
 * step of naming it.
 *
 * Return: the path, for the caller to kfree(); an ERR_PTR() of d_path()'s
 * error, or of -ENOMEM.
 */
char *fwverify_d_path(const struct path *path, gfp_t gfp)
{
	char buf[FWVERIFY_D_PATH_SHORT], *big, *p, *ret;

	p = d_path(path, buf, sizeof(buf));
	if (!IS_ERR(p))
		return kstrdup(p, gfp) ?: ERR_PTR(-ENOMEM);
	if (PTR_ERR(p) != -ENAMETOOLONG)
		return p;
	big = kmalloc(PATH_MAX, gfp);
	if (!big)
		return ERR_PTR(-ENOMEM);
	p = d_path(path, big, PATH_MAX);
	ret = IS_ERR(p) ? p : kstrdup(p, gfp) ?: ERR_PTR(-ENOMEM);
	kfree(big);
	return ret;
}

/**
 * fwverify_str_size() - the room fwverify_str_pack() takes for a string
 * @s: the string, or NULL
 *
 * Return: its length and its NUL, 0 for NULL.
 */
size_t fwverify_str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/**
 * fwverify_str_pack() - copy a string into room allocated with its owner
 * @at: where it goes, sized with fwverify_str_size(); moved past it
 * @s: the string, or NULL
 *
 * A record that outlives the event it copies (a cache entry, a pending
 * report) holds its strings in one allocation with itself.
 *
 * Return: the copy, or NULL if @s is NULL.
 */
char *fwverify_str_pack(char **at, const char *s)
{
	size_t n = fwverify_str_size(s);
	char *copy = *at;

	if (!s)
		return NULL;
	memcpy(copy, s, n);
	*at += n;
	return copy;
}

/**
 * fwverify_compressed() - the compression suffix of a firmware name
 * @name: a name or path
 *
 * Return: the suffix the loader may have added to @name (".xz", ".zst"),
 * or NULL.
 */
const char *fwverify_compressed(const char *name)
{
	static const char *const suffixes[] = { ".xz", ".zst" };
	size_t n = strlen(name), s;
	int i;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		s = strlen(suffixes[i]);
		if (n > s && !strcmp(name + n - s, suffixes[i]))
			return suffixes[i];
	}
	return NULL;
}

/* Bumped whenever trust, revocations, policy or limits change. */
static atomic64_t fwverify_gen = ATOMIC64_INIT(1);

/**
 * fwverify_generation() - the count of changes that expire verdicts
 *
 * Keys added to .fwverify are not counted here (keyctl adds them without
 * fwverify): verdicts are kept under fwverify_cache_generation(), which
 * adds them.
 *
 * Return: a number that grows with every change of trust, revocations,
 * policy or limits.
 */
u64 fwverify_generation(void)
{
	return atomic64_read(&fwverify_gen);
}

/**
 * fwverify_generation_bump() - trust, revocations, policy or limits changed
 *
 * No verdict reached before holds any more.
 */
void fwverify_generation_bump(void)
{
	atomic64_inc(&fwverify_gen);
}

/*
 * The largest copy of a file made to verify a partial read (verify.c), and
 * the largest decompressed content: the max_size parameter (eval.c).
 */
unsigned long fwverify_max_size = 256UL << 20;

/**
 * fwverify_subject_now() - who is deciding, now
 * @who: set to the current task's identity and the time
 * @seq: the decision's place in the order of all (fwverify_table_seq())
 */
void fwverify_subject_now(struct fwverify_subject *who, u64 seq)
{
	who->task = current;
	who->when = jiffies;
	who->time = ktime_get_real_seconds();
	who->seq = seq;
	who->pid = task_tgid_nr(current);
	who->uid = from_kuid(&init_user_ns, current_uid());
	who->auid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	who->ses = audit_get_sessionid(current);
	BUILD_BUG_ON(sizeof(who->comm) != TASK_COMM_LEN);
	get_task_comm(who->comm, current);
}
