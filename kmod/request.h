/* SPDX-License-Identifier: GPL-2.0 */
/*
 * request.c: what the loader asked for, per task: the path it reads, the
 * firmware name it looked for, its search directories.
 */
#ifndef _FWVERIFY_REQUEST_H
#define _FWVERIFY_REQUEST_H

#include <linux/list.h>
#include <linux/types.h>
#include <crypto/sha2.h>

struct path;
struct task_struct;

/*
 * The part of a file a partial read gives the driver: @len bytes from
 * @offset, at most @max (the driver's buffer).  Once the file is verified,
 * @digest is the SHA-256 of that part of the bytes verified, and the bytes
 * the loader then reads must have it (fwverify_piece_matches()).
 */
struct fwverify_piece {
	loff_t offset;
	size_t max;
	size_t len;
	u8 digest[SHA256_DIGEST_SIZE];
	bool set;		/* @len and @digest are known */
};

/* A read of a firmware path by the loader, from its start to its end. */
struct fwverify_request {
	struct list_head node;
	struct task_struct *task;
	const char *path;	/* NULL: a platform firmware request */
	loff_t offset;		/* > 0: a partial read past the start */
	bool judged;		/* fwverify's hooks decided on the read */
	bool decompress;	/* the loader decompresses what it reads */
	struct fwverify_piece piece;	/* of a partial read */
};

void fwverify_request_begin(struct fwverify_request *req, const char *path,
			    loff_t offset, size_t max, bool partial);
void fwverify_request_end(struct fwverify_request *req, ssize_t ret);
struct fwverify_request *fwverify_request_current(void);
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

#endif /* _FWVERIFY_REQUEST_H */
