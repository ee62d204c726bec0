// SPDX-License-Identifier: GPL-2.0
/*
 * Generations of the managed firmware tree: the lock, the layout of the
 * state directory, building a generation in a staging area, the atomic
 * switch of the search directory's symlink, rollback targets, pruning, and
 * the cleanup of what an interrupted run left.  A tree's names and files
 * are tree.c's; what is checked of each blob, stage-check.c's.
 *
 * Crash safety rests on three rules (Documentation/tool-stage.rst):
 *  - a directory generations/<N> is complete: it is renamed into place
 *    after its contents are durable, and renamed to a dot name before it
 *    is removed;
 *  - search_dir is only ever replaced by rename(2) of a new symlink;
 *  - everything else (staging areas, dot names, the temporary symlink, a
 *    generation above the active one) is a leftover, removed under the lock.
 *
 * Every name inside a tree is opened component by component with
 * O_NOFOLLOW: neither a source tree nor a generation can lead outside.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generation.h"
#include "manifest.h"
#include "revlist.h"
#include "tree.h"
#include "util.h"

#define GENS "generations"
#define STAGING "staging."
#define LAST_GEN "last-generation"
#define HWM "manifest-generation"
#define REPLACED "replaced"
#define CHUNK (256 * 1024)

/* What cleanup() removed or finished. */
struct gen_cleanup {
	unsigned int staging, removed, links;	/* staging areas, dead generations, temporary symlinks */
	bool hwm_raised, revoked;		/* finished what an interrupted stage began */
};

/* List the directory @fd without disturbing @fd (a dup shares its offset: rewind). */
static DIR *opendir_fd(int fd)
{
	int dfd = dup(fd);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);

	if (!d && dfd >= 0)
		close(dfd);
	if (d)
		rewinddir(d);
	return d;
}

/* A generation's directory name: a decimal without leading zero.  Return: its number, or 0. */
static unsigned long gen_number(const char *s)
{
	unsigned long n = 0;

	if (*s < '1' || *s > '9' || strlen(s) > 9)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* Remove @name under @dirfd and everything below it, following no symlink. */
static int rm_rf(int dirfd, const char *name, int depth)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *e;
	int fd, err = 0;

	if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth > GEN_DEPTH_MAX + 4)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		err = rm_rf(fd, e->d_name, depth + 1);
		if (err)
			return err;
	}
	if (errno)
		return -errno;
	return unlinkat(dirfd, name, AT_REMOVEDIR) && errno != ENOENT ? -errno : 0;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Read the numbered (complete) generations into g->gens. */
static int list_gens(struct gen_state *g, struct fw_error *e)
{
	_cleanup_(closedirp) DIR *d = opendir_fd(g->gens_fd);
	struct dirent *de;
	unsigned long n, *v;
	size_t cap = 0;

	if (!d)
		return fw_error_at(e, -errno, "%s/" GENS, g->c->state_dir);
	g->ngens = 0;
	while ((errno = 0, de = readdir(d))) {
		n = gen_number(de->d_name);
		if (!n)
			continue;
		if (g->ngens == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(g->gens, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			g->gens = v;
		}
		g->gens[g->ngens++] = n;
	}
	if (errno)
		return fw_error_at(e, -errno, "%s/" GENS, g->c->state_dir);
	if (g->ngens)
		qsort(g->gens, g->ngens, sizeof(*g->gens), cmp_ulong);
	return 0;
}

char *gen_tree_path(const struct gen_state *g, unsigned long n)
{
	char *p;

	return asprintf(&p, "%s/" GENS "/%lu/tree", g->c->state_dir, n) < 0 ? NULL : p;
}

/* Which generation search_dir points at.  Return: 0, or -EEXIST when it is not fwverify's. */
static int read_active(struct gen_state *g, struct fw_error *e)
{
	char buf[PATH_MAX], *num, *end;
	size_t plen = strlen(g->c->state_dir);
	ssize_t n;

	g->active = 0;
	n = readlinkat(g->parent_fd, g->link_name, buf, sizeof(buf) - 1);
	if (n < 0 && errno == ENOENT)
		return 0;
	if (n < 0 && errno == EINVAL)
		return fw_error_at(e, -EEXIST, "%s", g->c->search_dir);
	if (n < 0)
		return fw_error_at(e, -errno, "%s", g->c->search_dir);
	buf[n] = '\0';
	num = buf + plen + strlen("/" GENS "/");
	if (strncmp(buf, g->c->state_dir, plen) || strncmp(buf + plen, "/" GENS "/", strlen("/" GENS "/")))
		return fw_error_at(e, -EEXIST, "%s", g->c->search_dir);
	end = strchr(num, '/');
	if (!end || strcmp(end, "/tree"))
		return fw_error_at(e, -EEXIST, "%s", g->c->search_dir);
	*end = '\0';
	g->active = gen_number(num);
	return g->active ? 0 : fw_error_at(e, -EEXIST, "%s", g->c->search_dir);
}

/* Open the directory @name (made first if @create, and then not followed if a symlink). */
static int open_dir_at(int dirfd, const char *name, bool create)
{
	int fd;

	if (create && mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (create ? O_NOFOLLOW : 0));
	return fd < 0 ? -errno : fd;
}

/*
 * Make the directory @path and any missing parent (0755), as systemd's
 * StateDirectory= would.  Return: 0 (also when it exists), or -errno.
 */
static int mkdir_parents(const char *path)
{
	_cleanup_(freep) char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/*
 * Open the state directory (made with its parents if missing), take its lock (waiting for
 * another holder if @wait, else failing with -EBUSY) and find the active
 * generation.  Return: 0, -EBUSY, -EEXIST when search_dir is not a symlink
 * to one of our generations, -EROFS, or another -errno; the path
 * concerned is @e's path.
 */
int gen_open(const struct fw_config *c, bool wait, struct gen_state *g, struct fw_error *e)
{
	_cleanup_(freep) char *parent = NULL;
	char *slash;
	int fd;

	memset(g, 0, sizeof(*g));
	g->c = c;
	g->state_fd = g->gens_fd = g->lock_fd = g->parent_fd = -1;
	fd = mkdir_parents(c->state_dir);
	if (fd < 0)
		return fw_error_at(e, fd, "%s", c->state_dir);
	fd = open_dir_at(AT_FDCWD, c->state_dir, false);
	if (fd < 0)
		return fw_error_at(e, fd, "%s", c->state_dir);
	g->state_fd = fd;
	g->lock_fd = openat(fd, "lock", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (g->lock_fd < 0)
		return fw_error_at(e, -errno, "%s/lock", c->state_dir);
	while (flock(g->lock_fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		return fw_error_at(e, errno == EWOULDBLOCK ? -EBUSY : -errno, "%s/lock", c->state_dir);
	}
	if (faccessat(fd, ".", W_OK, 0) < 0)
		return fw_error_at(e, -errno, "%s", c->state_dir);
	fd = open_dir_at(g->state_fd, GENS, true);
	if (fd < 0)
		return fw_error_at(e, fd, "%s/" GENS, c->state_dir);
	g->gens_fd = fd;

	parent = strdup(c->search_dir);
	if (!parent)
		return -ENOMEM;
	for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
		parent[n - 1] = '\0';
	slash = strrchr(parent, '/');
	if (!slash || !slash[1])
		return fw_error_at(e, -EINVAL, "%s", c->search_dir);
	if (strlen(slash + 1) > NAME_MAX)
		return fw_error_at(e, -ENAMETOOLONG, "%s", c->search_dir);
	strcpy(g->link_name, slash + 1);
	slash[slash == parent] = '\0';
	fd = open_dir_at(AT_FDCWD, parent, false);
	if (fd < 0)
		return fw_error_at(e, fd, "%s", parent);
	g->parent_fd = fd;
	if (faccessat(fd, ".", W_OK, 0) < 0)
		return fw_error_at(e, -errno, "%s", parent);
	return read_active(g, e) ?: list_gens(g, e);
}

void gen_close(struct gen_state *g)
{
	closep(&g->parent_fd);
	closep(&g->gens_fd);
	closep(&g->state_fd);
	closep(&g->lock_fd);	/* releases the lock */
	free(g->gens);
	g->gens = NULL;
	g->ngens = 0;
}

/* The highest generation below the active one.  Return: 0 or -ENOENT. */
int gen_previous(const struct gen_state *g, unsigned long *n)
{
	for (size_t i = g->ngens; i-- > 0;) {
		if (g->gens[i] < g->active) {
			*n = g->gens[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* Read the file @name kept beside generation @n's tree (its manifest). */
int gen_read_meta(struct gen_state *g, unsigned long n, const char *name, size_t max,
		  unsigned char **data, size_t *len)
{
	char path[NAME_MAX + 32];

	snprintf(path, sizeof(path), "%lu/%s", n, name);
	return gen_read_small(g->gens_fd, path, max, data, len);
}

int gen_open_tree(struct gen_state *g, unsigned long n, struct fw_error *e)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "%lu/tree", n);
	fd = openat(g->gens_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? fw_error_at(e, -errno, "%s/" GENS "/%s", g->c->state_dir, name) : fd;
}

/*
 * Remove generation @n: rename it to a dot name (so that it is never seen
 * half removed) and delete that.  Return: 0 or -errno.
 */
int gen_drop(struct gen_state *g, unsigned long n, struct fw_error *e)
{
	char name[32], old[40];
	size_t i;
	int err;

	snprintf(name, sizeof(name), "%lu", n);
	snprintf(old, sizeof(old), ".old.%lu", n);
	err = rm_rf(g->gens_fd, old, 0);
	if (!err && renameat(g->gens_fd, name, g->gens_fd, old) < 0 && errno != ENOENT)
		err = -errno;
	if (!err)
		err = rm_rf(g->gens_fd, old, 0);
	if (err)
		return fw_error_at(e, err, "%s/" GENS "/%s", g->c->state_dir, old);
	for (i = 0; i < g->ngens && g->gens[i] != n; i++)
		;
	if (i < g->ngens)
		memmove(&g->gens[i], &g->gens[i + 1], (--g->ngens - i) * sizeof(*g->gens));
	return 0;
}

static void tmp_link_name(const struct gen_state *g, char *buf, size_t size)
{
	snprintf(buf, size, ".%s.fwverify-new", g->link_name);
}

/* Read a decimal number file of the state directory; a missing file is 0.  Return: 0, -EBADMSG, -errno. */
static int read_number(struct gen_state *g, const char *name, uint64_t *v, struct fw_error *e)
{
	_cleanup_(freep) unsigned char *buf = NULL;
	size_t len;
	char *end;
	int err = gen_read_small(g->state_fd, name, 32, &buf, &len);

	if (err == -ENOENT) {
		*v = 0;
		return 0;
	}
	if (err)
		return fw_error_at(e, err, "%s/%s", g->c->state_dir, name);
	buf[len - 1] = buf[len - 1] == '\n' ? '\0' : 'x';
	errno = 0;
	*v = strtoull((char *)buf, &end, 10);
	if (errno || *end || buf[0] < '0' || buf[0] > '9')
		return fw_error_at(e, -EBADMSG, "%s/%s", g->c->state_dir, name);
	return 0;
}

static int write_number(struct gen_state *g, const char *name, uint64_t v, struct fw_error *e)
{
	_cleanup_(freep) char *path = NULL;
	char text[32];
	int err;

	if (asprintf(&path, "%s/%s", g->c->state_dir, name) < 0)
		return -ENOMEM;
	snprintf(text, sizeof(text), "%llu\n", (unsigned long long)v);
	err = write_file_atomic(path, text, strlen(text), 0644);
	return err ? fw_error_at(e, err, "%s", path) : 0;
}

int gen_hwm_read(struct gen_state *g, uint64_t *hwm, struct fw_error *e)
{
	return read_number(g, HWM, hwm, e);
}

int gen_hwm_write(struct gen_state *g, uint64_t hwm, struct fw_error *e)
{
	return write_number(g, HWM, hwm, e);
}

/*
 * Finish what activating generation @n began: raise the manifest
 * high-water mark to its manifest's generation, and apply the revocations
 * it left pending.  Run after every activation, and again by the next
 * run's cleanup, so a crash between the switch and here loses nothing.
 * Return: 0 or -errno.
 */
static int finish(struct gen_state *g, unsigned long n, struct gen_cleanup *r, struct fw_error *e)
{
	_cleanup_(freep) unsigned char *text = NULL;
	_cleanup_(freep) unsigned char (*digests)[32] = NULL;
	struct manifest m = { 0 };
	char name[64];
	unsigned int bad_line;
	uint64_t hwm = UINT64_MAX;
	size_t len, nd;
	int err;

	snprintf(name, sizeof(name), "%lu/" MANIFEST_NAME, n);
	err = gen_read_meta(g, n, MANIFEST_NAME, MANIFEST_MAX, &text, &len);
	if (!err)
		err = manifest_parse((const char *)text, len, &m, NULL);
	if (err && err != -ENOENT)
		return fw_error_at(e, err, "%s/" GENS "/%s", g->c->state_dir, name);
	err = err ? 0 : gen_hwm_read(g, &hwm, e);
	if (!err && m.generation > hwm) {
		err = gen_hwm_write(g, m.generation, e);
		if (!err && r)
			r->hwm_raised = true;
	}
	manifest_free(&m);
	if (err)
		return err;
	free(text);
	text = NULL;
	snprintf(name, sizeof(name), "%lu/" REPLACED, n);
	err = gen_read_small(g->gens_fd, name, GEN_FILES_MAX * 80, &text, &len);
	if (err == -ENOENT)
		return 0;
	if (!err)
		err = revlist_parse((const char *)text, len, &digests, &nd, &bad_line);
	if (!err)
		err = revlist_add(g->c, (const unsigned char (*)[32])digests, nd);
	if (err == -ENODEV)
		err = 0;	/* on the persistent list; the kernel module is not loaded */
	if (!err && unlinkat(g->gens_fd, name, 0) < 0)
		err = -errno;
	if (!err && r)
		r->revoked = true;
	return err ? fw_error_at(e, err, "%s/" GENS "/%s", g->c->state_dir, name) : 0;
}

int gen_finish(struct gen_state *g, unsigned long n, struct fw_error *e)
{
	return finish(g, n, NULL, e);
}

/*
 * Remove what an interrupted stage or rollback left: staging areas, dot
 * names under generations/, the temporary symlink, and generations above
 * the active one (unfinished, or rolled back from); then finish the
 * active generation's activation.  Call with the lock held.
 */
static int cleanup(struct gen_state *g, struct gen_cleanup *r, struct fw_error *e)
{
	_cleanup_(closedirp) DIR *d = opendir_fd(g->state_fd);
	struct dirent *de;
	char tmp[NAME_MAX + 32];
	int err;

	memset(r, 0, sizeof(*r));
	if (!d)
		return fw_error_at(e, -errno, "%s", g->c->state_dir);
	while ((errno = 0, de = readdir(d))) {
		if (strncmp(de->d_name, STAGING, strlen(STAGING)))
			continue;
		err = rm_rf(g->state_fd, de->d_name, 0);
		if (err)
			return fw_error_at(e, err, "%s/%s", g->c->state_dir, de->d_name);
		r->staging++;
	}
	closedir(d);
	d = opendir_fd(g->gens_fd);
	if (!d)
		return fw_error_at(e, -errno, "%s/" GENS, g->c->state_dir);
	while ((errno = 0, de = readdir(d))) {
		if (de->d_name[0] != '.' || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		err = rm_rf(g->gens_fd, de->d_name, 0);
		if (err)
			return fw_error_at(e, err, "%s/" GENS "/%s", g->c->state_dir, de->d_name);
		r->removed++;
	}
	tmp_link_name(g, tmp, sizeof(tmp));
	if (!unlinkat(g->parent_fd, tmp, 0))
		r->links++;
	else if (errno != ENOENT)
		return fw_error_at(e, -errno, "%s", tmp);
	/* Without an active generation (search_dir removed by hand?) none is known to be dead. */
	while (g->active && g->ngens && g->gens[g->ngens - 1] > g->active) {
		err = gen_drop(g, g->gens[g->ngens - 1], e);
		if (err)
			return err;
		r->removed++;
	}
	return g->active ? finish(g, g->active, r, e) : 0;
}

/*
 * Open the state (gen_open()) and clean up (see cleanup()): what every
 * stage and rollback starts with.  @g->note says what an interrupted run
 * left and was finished, or is empty.  Return: 0, or as gen_open().
 */
int gen_start(const struct fw_config *c, bool wait, struct gen_state *g, struct fw_error *e)
{
	struct gen_cleanup r;
	int err = gen_open(c, wait, g, e) ?: cleanup(g, &r, e);

	if (!err && (r.staging || r.removed || r.links || r.hwm_raised || r.revoked))
		snprintf(g->note, sizeof(g->note), "finished after an interrupted run: removed %u staging area(s), "
			 "%u generation(s), %u temporary link(s)%s%s", r.staging, r.removed, r.links,
			 r.hwm_raised ? ", raised the manifest high-water mark" : "",
			 r.revoked ? ", applied pending revocations" : "");
	return err;
}

/* What a gen_start() error means, for the command's one error line. */
const char *gen_start_error(int err)
{
	switch (err) {
	case -EBUSY:
		return "another stage or rollback is running (use --wait to wait for it)";
	case -EEXIST:
		return "not a symlink to a generation of fwverify's: move it aside, then stage its contents";
	default:
		return "cannot use";
	}
}

/*
 * Point search_dir at generation @n in one step: a new symlink under a
 * temporary name, renamed over the old one, and the directory synced.
 * Return: 0 or -errno; g->active tells whether the rename happened.
 */
int gen_switch(struct gen_state *g, unsigned long n, struct fw_error *e)
{
	_cleanup_(freep) char *target = gen_tree_path(g, n);
	char tmp[NAME_MAX + 32];

	if (!target)
		return -ENOMEM;
	tmp_link_name(g, tmp, sizeof(tmp));
	if (unlinkat(g->parent_fd, tmp, 0) < 0 && errno != ENOENT)
		return fw_error_at(e, -errno, "%s", tmp);
	if (symlinkat(target, g->parent_fd, tmp) < 0)
		return fw_error_at(e, -errno, "%s", g->c->search_dir);
	if (renameat(g->parent_fd, tmp, g->parent_fd, g->link_name) < 0) {
		int err = -errno;

		unlinkat(g->parent_fd, tmp, 0);
		return fw_error_at(e, err, "%s", g->c->search_dir);
	}
	g->active = n;
	return fsync(g->parent_fd) < 0 ? fw_error_at(e, -errno, "%s", g->c->search_dir) : 0;
}

/* Drop the oldest generations below the active one, keeping @keep of them. */
int gen_prune(struct gen_state *g, unsigned int keep, struct fw_error *e)
{
	unsigned int kept = 0;
	int err;

	for (size_t i = g->ngens; i-- > 0;) {
		if (g->gens[i] >= g->active || kept++ < keep)
			continue;
		err = gen_drop(g, g->gens[i], e);
		if (err)
			return err;
	}
	return 0;
}

/* --- staging ------------------------------------------------------------- */

/* Make a private staging area <state_dir>/staging.XXXXXX with an empty gen/tree. */
int gen_stage_begin(struct gen_state *g, struct gen_stage *s, struct fw_error *e)
{
	_cleanup_(freep) char *path = NULL;
	int fd;

	memset(s, 0, sizeof(*s));
	s->gen_fd = s->tree_fd = -1;
	if (asprintf(&path, "%s/" STAGING "XXXXXX", g->c->state_dir) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	if (!mkdtemp(path))
		return fw_error_at(e, -errno, "%s", path);
	s->dir = strdup(strrchr(path, '/') + 1);
	if (!s->dir || asprintf(&s->tree_path, "%s/gen/tree", path) < 0) {
		s->tree_path = NULL;
		return -ENOMEM;
	}
	fd = openat(g->state_fd, s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fw_error_at(e, -errno, "%s", path);
	s->gen_fd = open_dir_at(fd, "gen", true);
	close(fd);
	if (s->gen_fd < 0)
		return fw_error_at(e, s->gen_fd, "%s/gen", path);
	s->tree_fd = open_dir_at(s->gen_fd, "tree", true);
	return s->tree_fd < 0 ? fw_error_at(e, s->tree_fd, "%s", s->tree_path) : 0;
}

/* Copy the rest of @src into @dst, at most GEN_FILE_MAX bytes. */
static int copy_fd(int src, int dst)
{
	_cleanup_(freep) unsigned char *buf = malloc(CHUNK);
	long long total = 0;
	ssize_t r;
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		r = read(src, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		total += r;
		if (total > GEN_FILE_MAX)
			return -EFBIG;
		err = write_all(dst, buf, r);
		if (err)
			return err;
	}
}

/* Create @name (a new file) under @dirfd, making its directories. */
static int create_at(int dirfd, const char *name, int *pfd, const char **base)
{
	int fd;

	*pfd = gen_open_parent(dirfd, name, true, base);
	if (*pfd < 0)
		return *pfd;
	fd = openat(*pfd, *base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

/*
 * Write the staged file @name: the rest of @src_fd from its start when
 * @src_fd >= 0, else the @len bytes at @buf.
 */
int gen_stage_copy(struct gen_stage *s, const char *name, int src_fd, const void *buf, size_t len)
{
	const char *base;
	int pfd, fd, err;

	fd = create_at(s->tree_fd, name, &pfd, &base);
	if (fd < 0) {
		gen_close_parent(pfd, s->tree_fd);
		return fd;
	}
	if (src_fd >= 0)
		err = lseek(src_fd, 0, SEEK_SET) < 0 ? -errno : copy_fd(src_fd, fd);
	else
		err = write_all(fd, buf, len);
	if (close(fd) < 0 && !err)
		err = -errno;
	gen_close_parent(pfd, s->tree_fd);
	return err;
}

/* Share the file @name of another tree (@from_dirfd) with the staged tree: a hard link. */
int gen_stage_link(struct gen_stage *s, int from_dirfd, const char *name)
{
	const char *sbase, *dbase;
	int spfd, dpfd, err = 0;

	spfd = gen_open_parent(from_dirfd, name, false, &sbase);
	if (spfd < 0)
		return spfd;
	dpfd = gen_open_parent(s->tree_fd, name, true, &dbase);
	if (dpfd < 0)
		err = dpfd;
	else if (linkat(spfd, sbase, dpfd, dbase, 0) < 0)
		err = -errno;
	gen_close_parent(spfd, from_dirfd);
	gen_close_parent(dpfd, s->tree_fd);
	return err;
}

/* Write a file of the generation beside its tree (its manifest, pending revocations). */
int gen_stage_meta(struct gen_stage *s, const char *name, const void *data, size_t len)
{
	int fd = openat(s->gen_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int err;

	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

/* Remove the staging area (if it was not activated) and free @s. */
void gen_stage_end(struct gen_state *g, struct gen_stage *s)
{
	closep(&s->tree_fd);
	closep(&s->gen_fd);
	if (s->dir)
		rm_rf(g->state_fd, s->dir, 0);
	free(s->dir);
	free(s->tree_path);
	memset(s, 0, sizeof(*s));
	s->gen_fd = s->tree_fd = -1;
}

/*
 * Make the staged generation durable, give it the next number, rename it
 * into generations/ and switch search_dir to it.  If the switch fails, the
 * new generation is removed again and the active one stays.
 * Return: 0, or -errno (with *@n set if the new generation is active all
 * the same: only syncing the directory failed).
 */
int gen_activate(struct gen_state *g, struct gen_stage *s, unsigned long *n, struct fw_error *e)
{
	char from[NAME_MAX + 8], to[32];
	uint64_t last;
	int err;

	/* One syncfs() makes every staged file and directory durable before it can become active. */
	if (syncfs(s->gen_fd) < 0)
		return fw_error_at(e, -errno, "%s", s->tree_path);
	err = read_number(g, LAST_GEN, &last, e);
	if (err)
		return err;
	if (g->ngens && g->gens[g->ngens - 1] > last)
		last = g->gens[g->ngens - 1];
	if (g->active > last)
		last = g->active;
	if (last >= 999999999)
		return fw_error_at(e, -EOVERFLOW, "%s/" LAST_GEN, g->c->state_dir);
	/* The number is recorded first: a crash can skip a number, never reuse one. */
	err = write_number(g, LAST_GEN, ++last, e);
	if (err)
		return err;
	snprintf(from, sizeof(from), "%s/gen", s->dir);
	snprintf(to, sizeof(to), "%llu", (unsigned long long)last);
	closep(&s->tree_fd);
	closep(&s->gen_fd);
	if (renameat(g->state_fd, from, g->gens_fd, to) < 0)
		return fw_error_at(e, -errno, "%s/" GENS "/%s", g->c->state_dir, to);
	if (fsync(g->gens_fd) < 0) {
		err = fw_error_at(e, -errno, "%s/" GENS, g->c->state_dir);
		gen_drop(g, last, NULL);	/* @e names what the sync failed on */
		return err;
	}
	err = gen_switch(g, last, e);
	if (err && g->active != last) {
		gen_drop(g, last, NULL);	/* @e names what the switch failed on */
		return err;
	}
	if (!g->ngens || g->gens[g->ngens - 1] != last) {
		unsigned long *v = realloc(g->gens, (g->ngens + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->gens = v;
		g->gens[g->ngens++] = last;
	}
	*n = last;
	return err;
}
