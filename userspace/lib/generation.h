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
 * content, as the kernel takes them (decompress.h).  A tree's names and
 * files are tree.h's; what is checked of each blob, stage-check.h's.
 * Library code: returns 0 or -errno and does not log (error.h).  A
 * function that takes a struct fw_error *e names the path concerned by a
 * failure as @e's path (fw_error_at()); it leaves @e untouched for an
 * errno that concerns no path (-ENOMEM), and @e may be NULL.
 */
#ifndef FWVERIFY_GENERATION_H
#define FWVERIFY_GENERATION_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "tree.h"

struct gen_state {
	const struct fw_config *c;
	int state_fd, gens_fd, lock_fd;
	int parent_fd;		/* the directory holding search_dir */
	char link_name[NAME_MAX + 1];	/* search_dir's last component */
	unsigned long active;	/* the generation search_dir points at; 0: none */
	unsigned long *gens;	/* the complete generations, ascending */
	size_t ngens;
	char note[256];		/* what gen_start() finished of an interrupted run, or "" */
};

/* A staging area: <state_dir>/staging.XXXXXX holding gen/tree. */
struct gen_stage {
	char *dir;		/* its name under state_dir */
	char *tree_path;	/* the absolute path of its tree, for the kernel's check */
	int gen_fd, tree_fd;
};

int gen_open(const struct fw_config *c, bool wait, struct gen_state *g, struct fw_error *e);
void gen_close(struct gen_state *g);
int gen_start(const struct fw_config *c, bool wait, struct gen_state *g, struct fw_error *e);
const char *gen_start_error(int err);
int gen_open_tree(struct gen_state *g, unsigned long n, struct fw_error *e);
int gen_read_meta(struct gen_state *g, unsigned long n, const char *name, size_t max,
		  unsigned char **data, size_t *len);
char *gen_tree_path(const struct gen_state *g, unsigned long n);
int gen_previous(const struct gen_state *g, unsigned long *n);

int gen_stage_begin(struct gen_state *g, struct gen_stage *s, struct fw_error *e);
int gen_stage_copy(struct gen_stage *s, const char *name, int src_fd, const void *buf, size_t len);
int gen_stage_link(struct gen_stage *s, int from_dirfd, const char *name);
int gen_stage_meta(struct gen_stage *s, const char *name, const void *data, size_t len);
void gen_stage_end(struct gen_state *g, struct gen_stage *s);

int gen_activate(struct gen_state *g, struct gen_stage *s, unsigned long *n, struct fw_error *e);
int gen_switch(struct gen_state *g, unsigned long n, struct fw_error *e);
int gen_finish(struct gen_state *g, unsigned long n, struct fw_error *e);
int gen_drop(struct gen_state *g, unsigned long n, struct fw_error *e);
int gen_prune(struct gen_state *g, unsigned int keep, struct fw_error *e);

int gen_hwm_read(struct gen_state *g, uint64_t *hwm, struct fw_error *e);
int gen_hwm_write(struct gen_state *g, uint64_t hwm, struct fw_error *e);

#endif
