/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's fwverify state: the files under /sys/kernel/fwverify,
 * /sys/kernel/security/fwverify and /sys/module/fwverify/parameters.
 * The sysfs root is "/sys", or $FWVERIFY_SYSFS for tests with a fake tree
 * (plain files and directories laid out as the kernel's).
 * Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_KSTATE_H
#define FWVERIFY_KSTATE_H

#include <stdbool.h>
#include <stddef.h>

/* Files relative to the root. */
#define KSTATE_SFS	"kernel/security/fwverify/"
#define KSTATE_SYSFS	"kernel/fwverify/"
#define KSTATE_PARAMS	"module/fwverify/parameters/"

/* The module's answer to one path written to the check file. */
struct kstate_verdict {
	char result[32];	/* verified, unsigned, bad-signature, untrusted, malformed, error */
	char action[16];	/* allowed or denied */
	char reason[128];
	char signer[256];
	char digest[80];	/* "sha256:<hex>" */
	char name[256];
	int err;		/* errno= line */
};

const char *kstate_root(void);
/* The path of @rel under the root, newly allocated (for messages), or NULL. */
char *kstate_path(const char *rel);
/*
 * Return: true when the module is loaded: its sysfs directory
 * (kernel/fwverify) or its securityfs directory exists.
 */
bool kstate_loaded(void);
/*
 * Ask the module about @path.  On a fake tree the check file is a plain
 * file holding a canned answer; the path is appended to it.
 * Return: 0, -ENODEV when not loaded, -EBADMSG for an answer without a
 * result, or -errno of the write.
 */
int kstate_check(const char *path, struct kstate_verdict *v);
/* Append SHA-256 digests to the kernel's revoke list.  Return: 0, -ENODEV, or -errno. */
int kstate_revoke(const unsigned char (*digests)[32], size_t n);
/* The kernel's revoke list (never NULL with n > 0).  Return: 0, -ENODEV, -EBADMSG, or -errno. */
int kstate_revoked(unsigned char (**digests)[32], size_t *n);

/*
 * Read the file @rel under the root, at most @max bytes, as a
 * NUL-terminated string with its trailing newline removed (an empty file
 * gives "").  Return: 0, -EFBIG, or -errno of open/read.
 */
int kstate_read(const char *rel, size_t max, char **text);
/*
 * Write @len bytes to @rel in one write(2), as the kernel wants a whole
 * value at once; @append for the append-only revoke list, else the file
 * is truncated (as a shell's ">" does).  Return: 0 or -errno (-EIO for a
 * short write).
 */
int kstate_write(const char *rel, const void *text, size_t len, bool append);
/* Return: 1 locked, 0 not, or -errno (-ENODEV when not loaded). */
int kstate_locked(void);

/* The counters of kernel/fwverify/stats, in this order. */
#define KSTATE_NSTATS 10
extern const char *const kstate_stat_names[KSTATE_NSTATS];

/* One directory of kernel/fwverify/firmware/.  Strings are as the kernel escapes them. */
struct kstate_fw {
	char *dir;		/* the directory name ('!' for '/') */
	char *name;		/* the requested name (from the name file) */
	char *result, *action, *signer, *digest, *path, *reads;	/* NULL when unreadable */
	long long size, loads, last_load;	/* -1 when unreadable */
};

/* What "fwverify status" shows.  Unknown values are NULL or -1. */
struct kstate {
	char *mode, *trust, *policy;
	int locked;			/* 1, 0 or -1 */
	long long max_entries, max_size;
	long long revoked;		/* digests on the kernel's list */
	long long stats[KSTATE_NSTATS];
	struct kstate_fw *fw;		/* sorted by name */
	size_t nfw;
};

/* Return: 0, -ENODEV when not loaded, -ENOMEM. */
int kstate_read_all(struct kstate *s);
void kstate_free(struct kstate *s);

#endif
