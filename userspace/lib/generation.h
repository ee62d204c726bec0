/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generations of the managed firmware tree (Documentation/tool-stage.rst):
 *
 *   <state_dir>/lock                     flock()ed by stage and rollback
 *   <state_dir>/generations/<N>/tree/    a complete tree, each blob with its signature
 *   <state_dir>/generations/<N>/fwverify.manifest[.p7s]   its release manifest
 *   <state_dir>/generations/<N>/replaced pending revocations (transient)
 *   <state_dir>/last-generation          the highest N ever made
 *   <state_dir>/manifest-generation      the high-water mark of manifests
 *   <state_dir>/staging.XXXXXX/          a private staging area
 *   <search_dir> -> <state_dir>/generations/<N>/tree   (the active one)
 *
 * A directory named by a number is always complete: a generation is built
 * in a staging area and renamed into place, and removed by renaming it to
 * a dot name first.  A blob's signature is <name>.p7s, or for <stem>.xz
 * and <stem>.zst without one <stem>.p7s, a signature of the decompressed
 * content, as the kernel takes them (decompress.h).  Library code: returns
 * 0 or -errno and does not log; the path concerned by a failure is left in
 * gen_state.where.
 */
#ifndef FWVERIFY_GENERATION_H
#define FWVERIFY_GENERATION_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "check.h"
#include "config.h"

/* Limits on a tree: the largest file, the most files, the deepest directory. */
#define GEN_FILE_MAX (1024LL * 1024 * 1024)
#define GEN_FILES_MAX 100000
#define GEN_DEPTH_MAX 16

struct gen_state {
	const struct fw_config *c;
	int state_fd, gens_fd, lock_fd;
	int parent_fd;		/* the directory holding search_dir */
	char link_name[NAME_MAX + 1];	/* search_dir's last component */
	unsigned long active;	/* the generation search_dir points at; 0: none */
	unsigned long *gens;	/* the complete generations, ascending */
	size_t ngens;
	char where[PATH_MAX];	/* the path concerned by the last failure */
};

/* A sorted list of names. */
struct gen_list {
	char **v;
	size_t n;
};

/* A staging area: <state_dir>/staging.XXXXXX holding gen/tree. */
struct gen_stage {
	char *dir;		/* its name under state_dir */
	char *tree_path;	/* the absolute path of its tree, for the kernel's check */
	int gen_fd, tree_fd;
};

/* What verification of one blob found. */
struct gen_verdict {
	bool ok;
	char why[512];		/* when not ok: "<result>: <reason>", or "kernel: <result>: <reason>" */
	char signer[256];
	unsigned char sha256[32];	/* of the file as stored */
	unsigned char signed_sha256[32];	/* of what its signature covers (see gen_signed_digest()) */
	uint64_t size;
};

/* How to verify: offline trust anchors, the revoke list, and whether to ask the kernel. */
struct gen_checker {
	struct check_ctx ctx;	/* the offline verdict's keys, revocations and kernel rules */
	bool kernel;		/* the module is loaded: its check file is asked too */
};

int gen_open(const struct fw_config *c, bool wait, struct gen_state *g);
void gen_close(struct gen_state *g);
int gen_start(const struct fw_config *c, bool wait, struct gen_state *g, char *note, size_t len);
const char *gen_start_error(int err);
int gen_open_tree(struct gen_state *g, unsigned long n);
int gen_read_meta(struct gen_state *g, unsigned long n, const char *name, size_t max,
		  unsigned char **data, size_t *len);
char *gen_tree_path(const struct gen_state *g, unsigned long n);
int gen_previous(const struct gen_state *g, unsigned long *n);

/* Told of an entry of a tree that is no firmware file (gen_list_tree_all()); 0 goes on. */
typedef int gen_bad_fn(void *ctx, const char *name, int err);
int gen_list_tree_all(int dirfd, struct gen_list *l, gen_bad_fn *bad_fn, void *ctx, char *bad, size_t badlen);
int gen_list_tree(int dirfd, struct gen_list *l, char *bad, size_t badlen);
bool gen_list_has(const struct gen_list *l, const char *name);
int gen_list_push(struct gen_list *l, const char *name);
void gen_list_sort(struct gen_list *l);
void gen_list_remove(struct gen_list *l, const char *name);
void gen_list_free(struct gen_list *l);
int gen_open_file(int dirfd, const char *name, int flags, uint64_t *size);
int gen_read_small(int dirfd, const char *name, size_t max, unsigned char **data, size_t *len);
int gen_same_file(int a_fd, int b_fd, bool *same);

char *gen_sig_name(int dirfd, const char *name);
bool gen_list_signed(const struct gen_list *l, const char *name);
bool gen_list_sig_used(const struct gen_list *l, const char *sig);
int gen_signed_digest(int dirfd, const char *name, unsigned char md[32]);

int gen_stage_begin(struct gen_state *g, struct gen_stage *s);
int gen_stage_copy(struct gen_stage *s, const char *name, int src_fd, const void *buf, size_t len);
int gen_stage_link(struct gen_stage *s, int from_dirfd, const char *name);
int gen_stage_meta(struct gen_stage *s, const char *name, const void *data, size_t len);
void gen_stage_end(struct gen_state *g, struct gen_stage *s);

int gen_checker_load(struct gen_checker *k, const struct fw_config *c, char *const *cas, size_t ncas,
		     const char **where);
void gen_checker_free(struct gen_checker *k);
bool gen_check(const struct gen_checker *k, int tree_fd, const char *tree_path,
	       const char *name, struct gen_verdict *v);

int gen_activate(struct gen_state *g, struct gen_stage *s, unsigned long *n);
int gen_switch(struct gen_state *g, unsigned long n);
int gen_finish(struct gen_state *g, unsigned long n);
int gen_drop(struct gen_state *g, unsigned long n);
int gen_prune(struct gen_state *g, unsigned int keep);

int gen_hwm_read(struct gen_state *g, uint64_t *hwm);
int gen_hwm_write(struct gen_state *g, uint64_t hwm);

#endif
