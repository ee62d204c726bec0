/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fwverify: refuse firmware that is not signed by a trusted key.
 *
 * The vocabulary every part of the module speaks: what an event and a
 * verdict are, the names of results, sources, modes and actions, escaping,
 * the generation that expires verdicts, the size limits.  A leaf: it
 * includes no header of the module but the one it shares with user space
 * (uapi/fwverify.h), and vocab.c, which implements it, calls no other part.
 *
 * Every part has a header of its own for its interface, and includes only
 * the headers of parts below it; scripts/check-kmod.sh fails on an include
 * cycle.  From the top (Documentation/fwverify.rst, "Source map", says what
 * each file is for):
 *
 *   main.c                        init and exit, in order
 *   hook.c, lsm.c, securityfs.c   attachment: build an event, call eval.c
 *   eval.c                        event -> policy -> verify -> decision
 *   verify.c                      signature file -> verdict
 *   cache.c, report.c             verdict cache; a decision's reports
 *   trust.c, policy.c, table.c    trusted keyrings; rules; firmware table
 *   lock.c, revoke.c, uevent.c    the lock gate; revocations; uevents
 *   keyring.c, request.c, stats.c, audit.c, decompress.c, der.c, vocab.c
 */
#ifndef _FWVERIFY_H
#define _FWVERIFY_H

#include <linux/types.h>
#include <crypto/sha2.h>

#include "uapi/fwverify.h"

struct file;
struct fwverify_piece;
struct key;
struct path;

/* Largest signature file read, in bytes; larger ones are malformed. */
#define FWVERIFY_SIG_MAX	(64 * 1024)
/* Longest signer description kept. */
#define FWVERIFY_SIGNER_MAX	128

/*
 * Identity of a file's current contents, for the verdict cache: the inode
 * and the filesystem's change counter, which root cannot wind back as it
 * can timestamps.  Without a counter (@counted false) nothing is cached.
 */
struct fwverify_file_id {
	dev_t dev;
	u32 generation;		/* i_generation: a reused inode number differs */
	unsigned long ino;
	loff_t size;
	u64 change;		/* i_version */
	bool counted;
};

/* What verification found, and why. */
struct fwverify_verdict {
	enum fwverify_result result;
	int err;		/* the errno behind the result, 0 if verified */
	const char *reason;	/* a short fixed phrase */
	char signer[FWVERIFY_SIGNER_MAX];	/* who signed, if known */
	u8 digest[SHA256_DIGEST_SIZE];		/* SHA-256 of the file as read */
	bool have_digest;
	bool cached;		/* reused from an earlier identical read */
	bool cacheable;		/* may be reused: counted ids, no transient error */
	struct fwverify_file_id blob_id, sig_id;	/* sig_id.ino 0: none */
	u64 generation;		/* of keys, revocations and policy */
};

/*
 * The policy that applies to a load: the strictest action of the rules its
 * names meet, and whether some name meets none and so gets the mode
 * parameter's (read when the mode is needed: it changes without a new
 * generation).
 */
struct fwverify_modes {
	enum fwverify_mode floor;
	bool global;
};

/* The mode @m gives, with the mode parameter at @mode. */
static inline enum fwverify_mode
fwverify_modes_pick(const struct fwverify_modes *m, enum fwverify_mode mode)
{
	return m->global && mode > m->floor ? mode : m->floor;
}

/*
 * One decision: a firmware the loader read (or was handed) and what became
 * of it.  @name is the name the driver requested, relative to the firmware
 * directory (NULL when unknown); @path is where the loader looked for it.
 */
struct fwverify_event {
	enum fwverify_source source;
	char *name;
	const char *path;
	char *resolved;		/* the file's own path, if it has one */
	struct file *file;	/* NULL for data without a file */
	const void *buf;
	size_t size;
	void *owned;		/* a buffer verification read itself */
	struct fwverify_piece *piece;	/* a partial read: the driver's part */
	struct key *pin;	/* a policy rule's only trusted signer */
	struct fwverify_modes modes;
	/* @file's identity, taken once: by the cache lookup before anything */
	struct fwverify_file_id file_id;
	bool have_file_id;
	bool loader_path;	/* @path is the loader's own, from its read */
	bool raw;		/* the loader hands the file over as stored */
	bool deny;
	struct fwverify_verdict v;
};

/*
 * Who made a decision happen, taken when it was made: reports are written
 * after the load, by another task.  @task only tells requests apart (it
 * is never dereferenced); @seq orders decisions (fwverify_table_seq()).
 */
struct fwverify_subject {
	const void *task;
	unsigned long when;	/* jiffies */
	time64_t time;		/* seconds since the epoch */
	u64 seq;
	pid_t pid;
	uid_t uid;
	uid_t auid;
	unsigned int ses;
	char comm[16];		/* TASK_COMM_LEN */
};

/* vocab.c: names, escaping, the generation, limits */
void fwverify_subject_now(struct fwverify_subject *who, u64 seq);
const char *fwverify_result_name(enum fwverify_result result);
const char *fwverify_source_name(enum fwverify_source source);
const char *fwverify_mode_name(enum fwverify_mode mode);
int fwverify_mode_parse(const char *name);
const char *fwverify_action_name(bool deny);
size_t fwverify_escape_to(char *buf, size_t size, const char *s, char slash);
char *fwverify_escape(const char *s, char slash, gfp_t gfp);
char *fwverify_d_path(const struct path *path, gfp_t gfp);
size_t fwverify_str_size(const char *s);
char *fwverify_str_pack(char **at, const char *s);
const char *fwverify_compressed(const char *name);
u64 fwverify_generation(void);
void fwverify_generation_bump(void);
extern unsigned long fwverify_max_size;

#endif /* _FWVERIFY_H */
