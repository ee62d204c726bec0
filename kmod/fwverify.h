/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fwverify: refuse firmware that is not signed by a trusted key.
 * Internal interfaces between the parts of the module.
 */
#ifndef _FWVERIFY_H
#define _FWVERIFY_H

#include <linux/types.h>
#include <crypto/sha2.h>

struct file;
struct key;
struct path;

/* Largest signature file read, in bytes; larger ones are malformed. */
#define FWVERIFY_SIG_MAX	(64 * 1024)
/* Longest signer description kept. */
#define FWVERIFY_SIGNER_MAX	128

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
	FWVERIFY_STAT_CACHED,
	FWVERIFY_STAT_NR
};

enum fwverify_mode {
	FWVERIFY_MODE_OFF,
	FWVERIFY_MODE_LOG,
	FWVERIFY_MODE_ENFORCE,
};

/* How the firmware reached the kernel. */
enum fwverify_source {
	FWVERIFY_SRC_FILE,	/* a whole file read from a firmware directory */
	FWVERIFY_SRC_PARTIAL,	/* a partial read: verified whole in the pre hook */
	FWVERIFY_SRC_FALLBACK,	/* the sysfs fallback or fw_upload: no file */
	FWVERIFY_SRC_PLATFORM,	/* platform (EFI embedded) firmware: no file */
	FWVERIFY_SRC_CHECK,	/* securityfs check: verified, never loaded */
};

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
	struct key *pin;	/* a policy rule's only trusted signer */
	struct fwverify_modes modes;
	bool loader_path;	/* @path is the loader's own, from its read */
	bool raw;		/* the loader hands the file over as stored */
	bool deny;
	struct fwverify_verdict v;
};

/* certs.S: the certificates embedded at build time, as concatenated DER */
extern const u8 fwverify_certs[];
extern const u8 fwverify_certs_end[];

/* keyring.c */
extern struct key *fwverify_keyring;
int fwverify_keyring_init(void);
void fwverify_keyring_exit(void);
void fwverify_keyring_freeze(void);
unsigned long fwverify_keyring_size(void);
int fwverify_verify_sig(const void *data, size_t len, const void *sig,
			size_t siglen, struct key *pin, bool in_fwverify,
			bool *via_fwverify);

/* revoke.c */
extern const struct file_operations fwverify_revoke_fops;
bool fwverify_revoked(const u8 *digest, const char **reason);
void fwverify_revoke_exit(void);

/* lock.c */
extern const struct file_operations fwverify_lock_fops;
bool fwverify_locked(void);
int fwverify_change_begin(void);
void fwverify_change_end(void);
void fwverify_lock_init(void);
void fwverify_lock_exit(void);

/* policy.c: the policy file */
extern const struct file_operations fwverify_policy_fops;
struct fwverify_rule_match {
	enum fwverify_mode action;
	struct key *pin;	/* referenced; key_put() it */
};

bool fwverify_policy_match(const char *name, struct fwverify_rule_match *m);
void fwverify_policy_exit(void);
bool fwverify_policy_empty(void);
bool fwverify_policy_may_enforce(void);

/* verify.c */
int fwverify_verify_init(void);
void fwverify_verify_exit(void);
void fwverify_verify_file(struct fwverify_event *ev);
void fwverify_verify_data(struct fwverify_event *ev);
const char *fwverify_result_name(enum fwverify_result result);
const char *fwverify_compressed(const char *name);
u64 fwverify_generation(void);
bool fwverify_file_id(const struct path *path, struct fwverify_file_id *id);
void fwverify_generation_bump(void);

/* decompress.c */
int fwverify_decompress(const char *suffix, const void *in, size_t in_len,
			void **out, size_t *out_len);

/* request.c: what the loader asked for, per task */
struct fwverify_request {
	struct list_head node;
	struct task_struct *task;
	const char *path;	/* NULL: a platform firmware request */
	loff_t offset;		/* > 0: a partial read past the start */
	bool judged;		/* fwverify's hooks decided on the read */
	bool decompress;	/* the loader decompresses what it reads */
	void *verified;		/* a partial read: the whole file verified */
	size_t verified_size;
};

void fwverify_request_begin(struct fwverify_request *req, const char *path,
			    loff_t offset);
void fwverify_request_end(struct fwverify_request *req, ssize_t ret);
struct fwverify_request *fwverify_request_current(void);
ssize_t fwverify_request_done(struct fwverify_request *req, void **buf,
			      bool allocated, ssize_t ret);
int fwverify_request_names(const char *path, const char **names, int max);
void fwverify_custom_dir_set(const char *val);
char *fwverify_request_name(const char *path, gfp_t gfp);
char *fwverify_last_name(gfp_t gfp, bool *decided);
bool fwverify_in_platform_request(void);
void fwverify_custom_fallback_add(const char *name, gfp_t gfp);
bool fwverify_custom_fallback_take(const char *name);
bool fwverify_fallback_forced(void);
int fwverify_request_init(void);
void fwverify_request_exit(void);
int fwverify_kern_path_initns(const char *path, unsigned int flags,
			      struct path *out);
void fwverify_note_decision(void);

/* eval.c */
extern unsigned long fwverify_max_size;
int fwverify_evaluate_read(struct file *file, void *buf, size_t size);
int fwverify_evaluate_partial(struct file *file);
int fwverify_evaluate_load_data(bool contents);
int fwverify_evaluate_post_load_data(void *buf, size_t size,
				     const char *description);
int fwverify_check_path(const char *path, struct fwverify_event *ev);
void fwverify_check_free(struct fwverify_event *ev);
enum fwverify_mode fwverify_mode(void);
const char *fwverify_mode_name(enum fwverify_mode mode);
bool fwverify_active(void);

/* stats.c */
int fwverify_stats_init(void);
void fwverify_stats_exit(void);
void fwverify_stat_inc(enum fwverify_stat stat);
extern struct kobject *fwverify_kobj;

/* table.c: /sys/kernel/fwverify/firmware/ */
int fwverify_table_init(void);
void fwverify_table_exit(void);
void fwverify_table_record(const struct fwverify_event *ev);
void fwverify_table_hits(const char *name, const char *resolved,
			 enum fwverify_source source,
			 const struct fwverify_verdict *v, unsigned int n,
			 time64_t when, u64 seq);
u64 fwverify_table_seq(void);
bool fwverify_table_last_digest(const struct fwverify_event *ev, u8 *digest);
char *fwverify_escape(const char *s, char slash, gfp_t gfp);

/* audit.c */
void fwverify_audit(const struct fwverify_event *ev);
void fwverify_audit_change(const char *what, unsigned long value);
const char *fwverify_source_name(enum fwverify_source source);

/* uevent.c */
void fwverify_uevent(const struct fwverify_event *ev);

/* securityfs.c */
int fwverify_securityfs_init(void);
void fwverify_securityfs_exit(void);

/* hook.c (the module: ftrace) or lsm.c (built in: an LSM) */
extern const char *const fwverify_form;
int fwverify_hook_init(void);
void fwverify_hook_exit(void);

#endif /* _FWVERIFY_H */
