/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fwverify: refuse firmware that is not signed by a trusted key.
 * Internal interfaces between the parts of the module.
 */
#ifndef _FWVERIFY_H
#define _FWVERIFY_H

#include <linux/types.h>

struct file;
struct key;

/* Largest signature file read, in bytes; larger ones are malformed. */
#define FWVERIFY_SIG_MAX	(64 * 1024)

/* The outcome of checking one firmware file; names in fwverify_result_name(). */
enum fwverify_result {
	FWVERIFY_VERIFIED,
	FWVERIFY_UNSIGNED,
	FWVERIFY_BAD_SIGNATURE,
	FWVERIFY_UNTRUSTED,
	FWVERIFY_REVOKED,
	FWVERIFY_MALFORMED,
	FWVERIFY_ERROR,
	FWVERIFY_RESULT_NR
};

/* Counters in /sys/kernel/fwverify/stats/: one per result, then actions. */
enum fwverify_stat {
	FWVERIFY_STAT_DENIED = FWVERIFY_RESULT_NR,
	FWVERIFY_STAT_ALLOWED,
	FWVERIFY_STAT_NR
};

enum fwverify_mode {
	FWVERIFY_MODE_OFF,
	FWVERIFY_MODE_LOG,
	FWVERIFY_MODE_ENFORCE,
};

/* What verification found, and why, for the report. */
struct fwverify_verdict {
	enum fwverify_result result;
	int err;		/* the errno behind the result, 0 if verified */
	const char *reason;	/* a short fixed phrase */
};

/* certs.S: the certificates embedded at build time, as concatenated DER */
extern const u8 fwverify_certs[];
extern const u8 fwverify_certs_end[];

/* keyring.c */
extern struct key *fwverify_keyring;
int fwverify_keyring_init(void);
void fwverify_keyring_exit(void);

/* verify.c */
void fwverify_verify_file(struct file *file, const void *buf, size_t size,
			  struct fwverify_verdict *v);
const char *fwverify_result_name(enum fwverify_result result);

/* policy.c */
int fwverify_evaluate_read(struct file *file, void *buf, size_t size);

/* sysfs.c */
int fwverify_sysfs_init(void);
void fwverify_sysfs_exit(void);
void fwverify_stat_inc(enum fwverify_stat stat);

/* hook.c */
int fwverify_hook_init(void);
void fwverify_hook_exit(void);

#endif /* _FWVERIFY_H */
