// SPDX-License-Identifier: GPL-2.0
/*
 * A firmware tree (tree.h): the sorted list of its names, the walk that
 * makes it, the signature of each blob, and files opened by their name in
 * the tree, component by component with O_NOFOLLOW, so that neither a
 * source tree nor a generation can lead outside.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"
#include "manifest.h"
#include "tree.h"
#include "util.h"

/* How much of a file is compared at a time. */
#define CHUNK (256 * 1024)


static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gen_list_free(struct gen_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool gen_list_has(const struct gen_list *l, const char *name)
{
	return l->n && bsearch(&name, l->v, l->n, sizeof(*l->v), cmp_str);
}

void gen_list_sort(struct gen_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

/* Remove @name from a sorted list, if it is there. */
void gen_list_remove(struct gen_list *l, const char *name)
{
	char **p = l->n ? bsearch(&name, l->v, l->n, sizeof(*l->v), cmp_str) : NULL;

	if (!p)
		return;
	free(*p);
	memmove(p, p + 1, (l->v + l->n - p - 1) * sizeof(*p));
	l->n--;
}

/*
 * The signature the kernel takes for @name under @dirfd: "<name>.p7s", or
 * "<stem>.p7s" for a content signature, whose compression suffix *@sfx
 * (may be NULL) is then set.  NULL when memory is short.
 */
char *gen_sig_for(int dirfd, const char *name, const char **sfx)
{
	const char *c = decompress_content_signed(dirfd, name);
	char *s;

	if (sfx)
		*sfx = c;
	if (asprintf(&s, "%.*s.p7s", (int)(strlen(name) - (c ? strlen(c) : 0)), name) < 0)
		return NULL;
	return s;
}

/* The name of @name's signature under @dirfd (see gen_sig_for()), newly allocated, or NULL. */
char *gen_sig_name(int dirfd, const char *name)
{
	return gen_sig_for(dirfd, name, NULL);
}

/* Does @l hold a signature of @name: "<name>.p7s", or "<stem>.p7s" for a compressed name? */
bool gen_list_signed(const struct gen_list *l, const char *name)
{
	const char *sfx = decompress_suffix(name);
	char sig[PATH_MAX + 8];

	snprintf(sig, sizeof(sig), "%s.p7s", name);
	if (gen_list_has(l, sig))
		return true;
	if (!sfx)
		return false;
	snprintf(sig, sizeof(sig), "%.*s.p7s", (int)(strlen(name) - strlen(sfx)), name);
	return gen_list_has(l, sig);
}

/*
 * Does the signature @sig (a name ending in ".p7s") sign a file of @l:
 * "<stem>", or "<stem>.xz" / "<stem>.zst" that has no signature of its own?
 */
bool gen_list_sig_used(const struct gen_list *l, const char *sig)
{
	int stem = (int)strlen(sig) - 4;
	char name[PATH_MAX + 8], own[PATH_MAX + 16];

	if (stem > 4 && !strncmp(sig + stem - 4, ".p7s", 4))
		return false;	/* the signature of a signature */
	snprintf(name, sizeof(name), "%.*s", stem, sig);
	if (gen_list_has(l, name))
		return true;
	for (size_t i = 0; decompress_suffixes[i]; i++) {
		snprintf(name, sizeof(name), "%.*s%s", stem, sig, decompress_suffixes[i]);
		snprintf(own, sizeof(own), "%s.p7s", name);
		if (gen_list_has(l, name) && !gen_list_has(l, own))
			return true;
	}
	return false;
}

/* Copy @name to @bad with control characters made visible. */
static void set_bad(char *bad, size_t badlen, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < badlen; i++)
		bad[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
	if (badlen)
		bad[i] = '\0';
}

/* Append @name (the list is unsorted until gen_list_sort()). */
int gen_list_push(struct gen_list *l, const char *name)
{
	char **v;

	/* Grow in powers of two, a capacity the count itself implies. */
	if (!(l->n & (l->n - 1))) {
		v = realloc(l->v, (l->n ? 2 * l->n : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
	}
	l->v[l->n] = strdup(name);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

/* A tree walk: the list it fills, who hears of entries that are no firmware file. */
struct walk {
	struct gen_list *l;
	gen_bad_fn *bad_fn;
	void *ctx;
	char bad[PATH_MAX];	/* the entry at hand, control characters made '?' */
	size_t entries;		/* files and entries told to bad_fn, against GEN_FILES_MAX */
};

/* Tell w->bad_fn of @err for w->bad (an input problem); without one, the walk ends on it. */
static int walk_bad(struct walk *w, int err)
{
	return w->bad_fn ? w->bad_fn(w->ctx, w->bad, err) : err;
}

/* List the directory @fd (which walk() takes over), whose name in the tree is @prefix. */
static int walk(struct walk *w, int fd, const char *prefix, int depth)
{
	_cleanup_(closedirp) DIR *d = fdopendir(fd);
	_cleanup_(freep) char *name = NULL;
	struct dirent *e;
	struct stat st;
	int sub, err;

	if (!d) {
		err = -errno;
		close(fd);
		set_bad(w->bad, sizeof(w->bad), prefix ? prefix : ".");
		return err;
	}
	while ((errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		free(name);
		if (asprintf(&name, "%s%s%s", prefix ? prefix : "", prefix ? "/" : "", e->d_name) < 0) {
			name = NULL;
			return -ENOMEM;
		}
		set_bad(w->bad, sizeof(w->bad), name);
		if (w->entries >= GEN_FILES_MAX)
			return -E2BIG;
		err = 0;
		if (!manifest_name_ok(name))
			err = -EINVAL;
		else if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		else if (S_ISLNK(st.st_mode))
			err = -ELOOP;
		else if (S_ISDIR(st.st_mode) && depth >= GEN_DEPTH_MAX)
			err = -E2BIG;
		else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			err = -ENOTREG;
		else if (S_ISREG(st.st_mode) && st.st_size > GEN_FILE_MAX)
			err = -EFBIG;
		if (err) {
			w->entries++;
			err = walk_bad(w, err);
			if (err)
				return err;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				return -errno;
			err = walk(w, sub, name, depth + 1);
			if (err)
				return err;
			continue;
		}
		w->entries++;
		err = gen_list_push(w->l, name);
		if (err)
			return err;
	}
	if (errno) {
		set_bad(w->bad, sizeof(w->bad), prefix ? prefix : ".");
		return -errno;
	}
	return 0;
}

/*
 * List every regular file under @dirfd, sorted.  An entry that is no
 * firmware file, a symlink (-ELOOP), a device, FIFO or socket (-ENOTREG), a
 * name that is no firmware name (-EINVAL), a file over GEN_FILE_MAX
 * (-EFBIG) or a directory too deep (-E2BIG), is told to @bad_fn with its
 * name (control characters made '?') and left out, and the walk goes on
 * while @bad_fn returns 0; without a @bad_fn it fails the listing.  More
 * than GEN_FILES_MAX entries (-E2BIG) and I/O errors always fail it.  On
 * failure the name concerned is @e's path.
 */
int gen_list_tree_all(int dirfd, struct gen_list *l, gen_bad_fn *bad_fn, void *ctx, struct fw_error *e)
{
	struct gen_list r = { 0 };
	struct walk w = { .l = &r, .bad_fn = bad_fn, .ctx = ctx, .bad = "." };
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

	if (fd < 0)
		return fw_error_at(e, -errno, ".");
	err = walk(&w, fd, NULL, 0);
	if (err) {
		gen_list_free(&r);
		return fw_error_at(e, err, "%s", w.bad);
	}
	gen_list_sort(&r);
	*l = r;
	return 0;
}

/* gen_list_tree_all() that fails on the first entry that is no firmware file. */
int gen_list_tree(int dirfd, struct gen_list *l, struct fw_error *e)
{
	return gen_list_tree_all(dirfd, l, NULL, NULL, e);
}

/*
 * Open the directory that holds @name under @dirfd, component by component
 * without following a symlink, making missing ones if @create.
 * Return: a descriptor (or @dirfd itself, not to be closed, for a top-level
 * name), with *@base pointing at the last component; or -errno.
 */
int gen_open_parent(int dirfd, const char *name, bool create, const char **base)
{
	_cleanup_(freep) char *copy = strdup(name);
	char *p, *slash;
	int fd = dirfd, next;

	if (!copy)
		return -ENOMEM;
	for (p = copy; (slash = strchr(p, '/')); p = slash + 1) {
		*slash = '\0';
		if (create && mkdirat(fd, p, 0755) < 0 && errno != EEXIST)
			next = -errno;
		else
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOTDIR)
			errno = ELOOP;	/* a symlink or a file where a directory should be */
		if (next < 0)
			next = -errno;
		if (fd != dirfd)
			close(fd);
		if (next < 0)
			return next;
		fd = next;
	}
	*base = name + (p - copy);
	return fd;
}

void gen_close_parent(int fd, int dirfd)
{
	if (fd >= 0 && fd != dirfd)
		close(fd);
}

/*
 * Open the regular file @name under @dirfd for reading, following no
 * symlink and never opening a device or FIFO.  *@size is its size.
 * Return: a descriptor, or -EINVAL (not a firmware name), -ELOOP (a
 * symlink), -ENOTREG, -EISDIR, -EFBIG (over GEN_FILE_MAX), -ENOENT, -errno.
 */
int gen_open_file(int dirfd, const char *name, int flags, uint64_t *size)
{
	const char *base;
	struct stat st, st2;
	int pfd, fd, err = 0;

	if (!manifest_name_ok(name))
		return -EINVAL;
	pfd = gen_open_parent(dirfd, name, false, &base);
	if (pfd < 0)
		return pfd;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		err = -errno;
	else if (S_ISLNK(st.st_mode))
		err = -ELOOP;
	else if (S_ISDIR(st.st_mode))
		err = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = -ENOTREG;
	fd = err ? err : openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags);
	if (fd < 0 && !err)
		fd = -errno;
	gen_close_parent(pfd, dirfd);
	if (fd < 0)
		return fd;
	/* The file could have been replaced between the two looks. */
	if (fstat(fd, &st2) < 0 || !S_ISREG(st2.st_mode) || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev)
		err = -ENOTREG;
	else if (st2.st_size > GEN_FILE_MAX)
		err = -EFBIG;
	if (err) {
		close(fd);
		return err;
	}
	if (size)
		*size = st2.st_size;
	return fd;
}

/* Read the small file @name under @dirfd as gen_open_file() opens it; NUL-terminated. */
int gen_read_small(int dirfd, const char *name, size_t max, unsigned char **data, size_t *len)
{
	_cleanup_(closep) int fd = gen_open_file(dirfd, name, 0, NULL);
	unsigned char *buf = NULL;
	size_t n = 0;
	int err;

	if (fd < 0)
		return fd;
	err = read_fd(fd, max, &buf, &n);
	if (err)
		return err;
	buf[n] = '\0';	/* read_fd() allocates max + 1 and n <= max */
	*data = buf;
	*len = n;
	return 0;
}

static int read_full(int fd, unsigned char *buf, size_t len, size_t *got)
{
	ssize_t r;

	*got = 0;
	while (*got < len) {
		r = read(fd, buf + *got, len - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		*got += r;
	}
	return 0;
}

/* Do @a and @b hold the same bytes?  Both are read from the start and left there. */
int gen_same_file(int a, int b, bool *same)
{
	_cleanup_(freep) unsigned char *buf = malloc(2 * CHUNK);
	struct stat sa, sb;
	size_t ga, gb;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return -errno;
	*same = sa.st_size == sb.st_size;
	if (lseek(a, 0, SEEK_SET) < 0 || lseek(b, 0, SEEK_SET) < 0)
		return -errno;
	while (*same) {
		err = read_full(a, buf, CHUNK, &ga);
		if (!err)
			err = read_full(b, buf + CHUNK, CHUNK, &gb);
		if (err)
			break;
		*same = ga == gb && !memcmp(buf, buf + CHUNK, ga);
		if (ga < CHUNK)
			break;
	}
	if (!err && (lseek(a, 0, SEEK_SET) < 0 || lseek(b, 0, SEEK_SET) < 0))
		err = -errno;
	return err;
}
