/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where firmware lives: the loader's directories (/lib/firmware/updates,
 * /lib/firmware and their /usr forms), firmware_class.path and the managed
 * search_dir, each as configured and as resolved; and a file found below
 * one of them by a walk that follows no symlink.  Library code: returns 0
 * or -errno and does not log.
 */
#ifndef FWVERIFY_SEARCHDIRS_H
#define FWVERIFY_SEARCHDIRS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define SEARCH_DIRS_MAX 16

/* The firmware directories, each as configured and as resolved. */
struct search_dirs {
	char *d[SEARCH_DIRS_MAX];
	size_t n;
};

/* A file found in a search directory. */
struct located {
	int dir;		/* the directory holding it, reached without a symlink */
	char *base;		/* its name in that directory */
	int fd;			/* the file, opened O_NOFOLLOW */
	char *rel;		/* its path below the search directory */
};

/* The loader's directories, firmware_class.path, and the managed search_dir. */
int search_dirs_load(struct search_dirs *s, const struct fw_config *c);
void search_dirs_free(struct search_dirs *s);
/* True if @path is @dir or below it. */
bool search_dirs_below(const char *path, const char *dir);
/*
 * Find @path in the search directories, walked a component at a time
 * without following a symlink, and open it.  Return: 0, -EPERM when it
 * lies in none, -ENOENT, -ELOOP or -ENOTDIR for a symlink, -ENOTREG,
 * -EINVAL, or another -errno.
 */
int search_dirs_locate(const struct search_dirs *s, const char *path, struct located *l);
void located_free(struct located *l);
/* The requested name a file in a search directory answers: compressed files drop .xz or .zst. */
char *search_dirs_name_of(const char *rel);

#endif
