/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A firmware tree, in a source directory or a generation: the sorted list
 * of its names, made by a walk that takes only regular files and
 * directories; each blob's signature (<name>.p7s, or for <stem>.xz and
 * <stem>.zst without one <stem>.p7s, a signature of the decompressed
 * content); and files opened by their name in the tree, component by
 * component with O_NOFOLLOW.  Library code: returns 0 or -errno and does
 * not log.
 */
#ifndef FWVERIFY_TREE_H
#define FWVERIFY_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Limits on a tree: the largest file, the most files, the deepest directory. */
#define GEN_FILE_MAX (1024LL * 1024 * 1024)
#define GEN_FILES_MAX 100000
#define GEN_DEPTH_MAX 16

/* A sorted list of names. */
struct gen_list {
	char **v;
	size_t n;
};

/* Told of an entry of a tree that is no firmware file (gen_list_tree_all()); 0 goes on. */
typedef int gen_bad_fn(void *ctx, const char *name, int err);
int gen_list_tree_all(int dirfd, struct gen_list *l, gen_bad_fn *bad_fn, void *ctx, struct fw_error *e);
int gen_list_tree(int dirfd, struct gen_list *l, struct fw_error *e);
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

/*
 * The signature of @name under @dirfd: "<name>.p7s", or "<stem>.p7s" of a
 * content signature (*@sfx: its suffix, else NULL).  NULL if out of memory.
 */
char *gen_sig_for(int dirfd, const char *name, const char **sfx);
/*
 * Open the directory holding @name under @dirfd (made with @create), *@base
 * set to @name's last component.  Return: the directory's descriptor, or
 * -errno; close it with gen_close_parent().
 */
int gen_open_parent(int dirfd, const char *name, bool create, const char **base);
void gen_close_parent(int fd, int dirfd);

#endif
