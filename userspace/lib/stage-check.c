// SPDX-License-Identifier: GPL-2.0
/*
 * What staging and rollback check of each blob of a tree (stage-check.h):
 * the offline verdict (check.c) the verify command gives, then the running
 * kernel's own check file when the module is loaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decompress.h"
#include "digest.h"
#include "kstate.h"
#include "stage-check.h"
#include "tree.h"
#include "util.h"

static bool why(struct gen_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool why(struct gen_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	v->ok = false;
	return false;
}

/*
 * Decode the compressed blob @fd (as @sfx says) into a memfd and hash it.
 * Return: the memfd, or -errno (as decompress_memfd(), or of the hash).
 */
static int open_content(int fd, const char *sfx, unsigned char md[32])
{
	struct digest d = { .alg = "sha256" };
	int cfd, err;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	cfd = decompress_memfd(sfx, fd, DECOMPRESS_MAX);
	if (cfd < 0)
		return cfd;
	err = digest_fd(cfd, &d, 1);
	if (err) {
		close(cfd);
		return err;
	}
	memcpy(md, d.md, 32);
	return cfd;
}

/*
 * The SHA-256 of what the signature of @name under @dirfd covers, the
 * digest the kernel reports and its revocation matches: of the decompressed
 * content for a content signature, else of the file as stored.
 * Return: 0; -EBADMSG or -EFBIG for content the kernel would not decode
 * (decompress_rule()); or as gen_open_file(), or -errno.
 */
int gen_signed_digest(int dirfd, const char *name, unsigned char md[32])
{
	_cleanup_(closep) int fd = gen_open_file(dirfd, name, 0, NULL), cfd = -1;
	const char *sfx = decompress_content_signed(dirfd, name);
	struct digest d = { .alg = "sha256" };
	int err;

	if (fd < 0)
		return fd;
	if (sfx) {
		cfd = open_content(fd, sfx, md);
		return cfd < 0 ? cfd : 0;
	}
	err = digest_fd(fd, &d, 1);
	if (!err)
		memcpy(md, d.md, 32);
	return err;
}

/*
 * Verify the blob @name of a tree and its signature (gen_sig_name()) by
 * the offline verdict (check.c) the verify command gives: the kernel's
 * rules, the name signed, and revocation of the file as stored and, for a
 * content signature, of its content, on the persistent list and the
 * running kernel's; then by the running kernel's check file when
 * @k->kernel (@tree_path is the tree's absolute path).
 * Return: whether it passed both (v->ok).
 */
bool gen_check(const struct gen_checker *k, int tree_fd, const char *tree_path,
	       const char *name, struct gen_verdict *v)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *sig_name = NULL, *path = NULL;
	_cleanup_(freep) unsigned char *sig = NULL;
	struct check_verdict cv = { 0 };
	struct kstate_verdict kv;
	const char *sfx;
	size_t len = 0;
	int err;

	memset(v, 0, sizeof(*v));
	fd = gen_open_file(tree_fd, name, 0, &v->size);
	if (fd < 0)
		return why(v, "error: cannot open: %s", errno_text(fd));
	sig_name = gen_sig_for(tree_fd, name, &sfx);
	if (!sig_name)
		return why(v, "error: out of memory");
	err = gen_read_small(tree_fd, sig_name, FWVERIFY_SIG_MAX, &sig, &len);
	snprintf(cv.sig_path, sizeof(cv.sig_path), "%s", sig_name);
	/* A content signature of a file without one is judged as the stored file's absence. */
	check_blob(&k->ctx, fd, name, err ? NULL : sfx, sig, len, err, &cv);
	memcpy(v->sha256, cv.stored_sha256, sizeof(v->sha256));
	memcpy(v->signed_sha256, cv.sha256, sizeof(v->signed_sha256));
	if (cv.result != FWVERIFY_VERIFIED)
		return why(v, "%s: %s", check_result_name(cv.result), cv.detail[0] ? cv.detail : cv.reason);
	snprintf(v->signer, sizeof(v->signer), "%s", cv.signer);
	if (k->kernel) {
		if (asprintf(&path, "%s/%s", tree_path, name) < 0) {
			path = NULL;
			return why(v, "error: out of memory");
		}
		err = kstate_check(path, &kv);
		if (err)
			return why(v, "kernel: cannot check: %s", errno_text(err));
		if (strcmp(kv.result, "verified"))
			return why(v, "kernel: %s: %s", kv.result, kv.reason);
	}
	v->ok = true;
	return true;
}

/*
 * Load what gen_check() needs: the configured CAs and @cas, the persistent
 * revoke list (sorted), and whether the kernel module is there to ask.
 * Return: 0; -ENOKEY when no certificate is given at all (said in @e); or
 * -errno with the file concerned as @e's path.
 */
int gen_checker_load(struct gen_checker *k, const struct fw_config *c, char *const *cas, size_t ncas,
		     struct fw_error *e)
{
	const char *where;
	int err;

	memset(k, 0, sizeof(*k));
	/* The running kernel's rules; one too new to know, the newest known. */
	err = check_ctx_kernel(&k->ctx, NULL);
	if (err == -EINVAL || err == -ERANGE)
		err = check_ctx_kernel(&k->ctx, cms_rules_newest.kernel);
	if (err)
		return fw_error_at(e, err, "the running kernel");
	for (size_t i = 0; i < c->nca + ncas; i++) {
		where = i < c->nca ? c->ca[i] : cas[i - c->nca];
		err = cms_load_certs(where, &k->ctx.trusted);
		if (err)
			return fw_error_at(e, err, "%s", where);
	}
	if (!k->ctx.trusted)
		return fw_error_set(e, -ENOKEY, "no certificate to verify against: add a 'ca =' line to the "
				    "configuration or give --ca");
	err = check_ctx_revocations(&k->ctx, c);
	if (err)
		return fw_error_at(e, err, "%s", c->state_dir);
	k->kernel = kstate_loaded();
	return 0;
}

void gen_checker_free(struct gen_checker *k)
{
	check_ctx_free(&k->ctx);
	memset(k, 0, sizeof(*k));
}
