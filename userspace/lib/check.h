/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The offline verdict: what the fwverify module would decide for a
 * firmware file, with the same result, the same reason and the same exit
 * code, so that verify, quarantine and stage predict the kernel alike.
 *
 * It follows the module's steps (kmod/verify.c): the signature beside the
 * file, or of its decompressed content ("fw.bin.p7s" beside "fw.bin.xz"),
 * or, for a ".p7s" read as firmware, the file beside it; the signature by
 * the kernel's PKCS#7 rules (cms_verify_rules()) with the algorithms of
 * the kernel predicted; the firmware name every SignerInfo carries; then
 * revocation, which overrides any result once the file is read: the
 * persistent list and the running kernel's when it can be read.
 *
 * Not seen from here, so not predicted: the keys the trust parameter adds
 * (builtin, secondary, platform), keys added to .fwverify at run time
 * unless given as --ca, a policy rule's pinned signer, the kernel's
 * blacklist, and max_size when it is not the default.
 * Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_CHECK_H
#define FWVERIFY_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "../../kmod/uapi/fwverify.h"
#include "cms.h"
#include "config.h"

/* What is trusted and revoked, and whose rules: set up once, used for many files. */
struct check_ctx {
	STACK_OF(X509) *trusted;	/* the certificates .fwverify would hold */
	unsigned char (*revoked)[32];	/* sorted */
	size_t nrevoked;
	bool kernel_list;		/* the running kernel's revoke list is among them */
	bool running;			/* the rules are the running kernel's */
	bool zstd;			/* its loader decompresses .zst (CONFIG_FW_LOADER_COMPRESS_ZSTD) */
	struct cms_rules rules;		/* rules.kernel: "X.Y" */
};

struct check_verdict {
	enum fwverify_result result;
	const char *reason;		/* the module's words for it, as its check file writes them */
	char detail[256];		/* which part failed and why, in the tool's words */
	char signer[256];		/* when verified: subject CN, else the whole subject */
	int validity;			/* of the signer's certificate now: <0 not yet valid, >0 expired */
	char name[CMS_NAME_MAX + 1];	/* the firmware name signed, "" if none */
	bool have_digest;
	unsigned char sha256[32];	/* what was signed: the content's for a signature of the content */
	unsigned char stored_sha256[32];/* the file as stored */
	const char *content;		/* the compression suffix when the signature is of the content */
	char sig_path[4096];		/* the signature judged, "" when none */
};

/*
 * The rules of kernel @version ("X.Y", or a release such as
 * "6.1.0-31-amd64"; NULL: the running kernel's, from uname(2), with its
 * configuration when /boot tells) into @c->rules and @c->zstd.  ECDSA and
 * zstd firmware from 6.12 on (Debian's 6.1 is built without
 * CONFIG_CRYPTO_ECDSA and CONFIG_FW_LOADER_COMPRESS_ZSTD), SHA-3 from 6.7.
 * Return: 0, -EINVAL for a version that does not start with X.Y (decimals
 * to 255), -ERANGE before 6.1.
 */
int check_ctx_kernel(struct check_ctx *c, const char *version);
/*
 * Add the persistent revoke list of @conf and the running kernel's when it
 * can be read (@c->kernel_list says if it was).  Return: 0 or as revlist_load().
 */
int check_ctx_revocations(struct check_ctx *c, const struct fw_config *conf);
void check_ctx_free(struct check_ctx *c);

/*
 * The verdict on the firmware @fd (a regular file, read from its start)
 * whose signature was read into @sig (@len bytes) when @sig_err is 0, or
 * could not be: -ENOENT none, -EISDIR/-ENOTREG not a regular file,
 * -ENODATA empty, -EFBIG too large, another -errno an error.  @name: the
 * file's path, or its name in a tree, which a signed firmware name must
 * end; @content: the compression suffix of @name when @sig is a signature
 * of the decompressed content, else NULL.  @v is filled whole; a
 * sig_path set in it beforehand is kept, for the reasons.
 */
void check_blob(const struct check_ctx *c, int fd, const char *name, const char *content,
		const unsigned char *sig, size_t len, int sig_err, struct check_verdict *v);
/*
 * Find and read the signature of the firmware at @path as the module does
 * (fwverify_find_sig()): "<path>.p7s", then for compressed firmware the
 * content's "<path less suffix>.p7s"; when @path is a symlink to a file of
 * another name, the same beside that file.  @v->sig_path is set to the one
 * read (or, when none is there, the first looked for) and @v->content to
 * the compression suffix for a signature of the content.
 * Return: 0 with *@sig (free()) and *@len, or the -errno check_blob() takes.
 */
int check_find_sig(const char *path, struct check_verdict *v, unsigned char **sig, size_t *len);
/*
 * The verdict on the file @path, its signature found as the module finds
 * it, or @sig_path when not NULL (a signature of the file as stored).
 */
void check_file(const struct check_ctx *c, const char *path, const char *sig_path,
		struct check_verdict *v);

const char *check_result_name(enum fwverify_result r);
/* 0 verified, 2 error, 1 any other result: the tool's exit codes. */
int check_exit_code(enum fwverify_result r);

#endif
