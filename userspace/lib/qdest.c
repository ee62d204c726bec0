// SPDX-License-Identifier: GPL-2.0
/*
 * A quarantine's destination (qdest.h): a record directory of its own under
 * the quarantine directory, and files moved into it durably, by rename(2)
 * when they can be, else copied, synced and then removed, hashed so that
 * what arrived is known.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "qdest.h"
#include "util.h"

/* The firmware name as it appears in a record's directory name. */
#define ID_NAME_MAX 64
#define QDEST_COPY_CHUNK (256 * 1024)
/* A file name that is safe to show and to create: bytes outside [A-Za-z0-9._+-] as '_', no leading '.'. */
static void safe_file_name(const char *name, char *out, size_t size)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++) {
		char c = name[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 strchr("._+-", c) ? c : '_';
	}
	out[i] = '\0';
	if (out[0] == '.')
		out[0] = '_';
}

/* A record's directory name: UTC time, the firmware name made safe and cut, a random part. */
static char *record_id_template(const char *qdir, const char *name, time_t t)
{
	char stamp[32], safe[ID_NAME_MAX + 1], *out;
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&t, &tm));
	safe_file_name(name && name[0] ? name : "firmware", safe, sizeof(safe));
	return asprintf(&out, "%s/%s-%s-XXXXXX", qdir, stamp, safe) < 0 ? NULL : out;
}

static int fsync_fd(int fd)
{
	return fsync(fd) < 0 ? -errno : 0;
}

static int copy_fd(int in, int out)
{
	_cleanup_(freep) unsigned char *buf = malloc(QDEST_COPY_CHUNK);
	ssize_t r, w;

	if (!buf)
		return -ENOMEM;
	if (lseek(in, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		r = read(in, buf, QDEST_COPY_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;
		for (ssize_t off = 0; off < r; off += w) {
			w = write(out, buf + off, r - off);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -errno;
		}
	}
}

/*
 * Move across file systems: copy to a temporary name, fsync, rename into
 * place, fsync the directory, and only then unlink the original, if the
 * name still holds the file that was copied and it did not change since
 * @before.  An interruption leaves the original in place.
 * Return: 0, -EBUSY when the original changed, or -errno.
 */
static int copy_across(int sdir, const char *sname, int sfd, const struct stat *before,
		       int ddir, const char *dname)
{
	static const char tmp[] = ".partial";
	_cleanup_(closep) int out = -1;
	struct stat after, at_name;
	int err;

	out = openat(ddir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	err = copy_fd(sfd, out);
	if (!err && futimens(out, (struct timespec[2]){ before->st_atim, before->st_mtim }) < 0)
		err = -errno;
	if (!err)
		err = fsync_fd(out);
	if (!err && renameat(ddir, tmp, ddir, dname) < 0)
		err = -errno;
	if (err) {
		unlinkat(ddir, tmp, 0);
		return err;
	}
	err = fsync_fd(ddir);
	if (err)
		return err;
	if (fstat(sfd, &after) < 0 || fstatat(sdir, sname, &at_name, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (at_name.st_dev != before->st_dev || at_name.st_ino != before->st_ino ||
	    after.st_size != before->st_size || after.st_ctim.tv_sec != before->st_ctim.tv_sec ||
	    after.st_ctim.tv_nsec != before->st_ctim.tv_nsec) {
		unlinkat(ddir, dname, 0);
		return -EBUSY;
	}
	if (unlinkat(sdir, sname, 0) < 0)
		return -errno;
	return fsync_fd(sdir);
}

/*
 * Move @sname (open as @sfd, in state @st) from @sdir to @dname in @ddir, durably.
 * Return: 0 when renamed, 1 when copied across file systems, or -errno.
 */
static int move_file(int sdir, const char *sname, int sfd, const struct stat *st,
		     int ddir, const char *dname)
{
	int err;

	if (renameat(sdir, sname, ddir, dname) < 0) {
		err = -errno;
		if (err != -EXDEV)
			return err;
		err = copy_across(sdir, sname, sfd, st, ddir, dname);
		return err ? err : 1;
	}
	err = fsync_fd(ddir);
	return err ? err : fsync_fd(sdir);
}

/* True unless the file moved as @after may differ from the one hashed as @before. */
static bool same_file(const struct stat *before, const struct stat *after, bool copied)
{
	return after->st_size == before->st_size && after->st_mtim.tv_sec == before->st_mtim.tv_sec &&
	       after->st_mtim.tv_nsec == before->st_mtim.tv_nsec &&
	       (copied || (after->st_dev == before->st_dev && after->st_ino == before->st_ino));
}

static int hash_fd(int fd, char out[QDEST_DIGEST_TEXT])
{
	struct digest dg = { .alg = "sha256" };
	char text[2 * DIGEST_MAX + 1];
	int err;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	err = digest_fd(fd, &dg, 1);
	if (err)
		return err;
	for (size_t i = 0; i < dg.len; i++)
		sprintf(text + 2 * i, "%02x", dg.md[i]);
	snprintf(out, QDEST_DIGEST_TEXT, "sha256:%s", text);
	return 0;
}


static int mkdir_p(const char *path, mode_t leaf)
{
	_cleanup_(freep) char *p = strdup(path);
	char *s, c;

	if (!p)
		return -ENOMEM;
	for (s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, c ? 0755 : leaf) < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*s = c;
	}
}

int qdest_make(const char *qdir, const struct search_dirs *s, const char *name, time_t t,
		     struct qdest *d)
{
	_cleanup_(freep) char *real = NULL, *dir = NULL;
	_cleanup_(closep) int dfd = -1;
	int err;

	err = mkdir_p(qdir, 0700);
	if (err)
		return err;
	real = realpath(qdir, NULL);
	if (!real)
		return -errno;
	for (size_t i = 0; i < s->n; i++)
		if (search_dirs_below(real, s->d[i]) || search_dirs_below(qdir, s->d[i]))
			return -ELOOP;
	dir = record_id_template(qdir, name, t);
	if (!dir)
		return -ENOMEM;
	if (!mkdtemp(dir))
		return -errno;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || mkdirat(dfd, "firmware", 0700) < 0)
		return -errno;
	d->fw = openat(dfd, "firmware", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fw < 0)
		return -errno;
	d->dir = dir;
	dir = NULL;
	return 0;
}

void qdest_abandon(const struct qdest *d)
{
	_cleanup_(freep) char *fw = NULL;

	if (!d->dir || asprintf(&fw, "%s/firmware", d->dir) < 0) {
		fw = NULL;
		return;
	}
	if (!rmdir(fw))
		rmdir(d->dir);
}

void qdest_free(struct qdest *d)
{
	closep(&d->fw);
	free(d->dir);
}

int qdest_take(int sdir, const char *sname, const struct qdest *d, struct qtaken *t)
{
	_cleanup_(closep) int fd = -1, moved = -1;
	char safe[NAME_MAX + 1];
	struct stat st, mst;
	int err;

	fd = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOTREG;
	err = hash_fd(fd, t->digest);
	if (err)
		return err;
	safe_file_name(sname, safe, sizeof(safe));
	if (d) {
		err = move_file(sdir, sname, fd, &st, d->fw, safe);
		if (err < 0)
			return err;
		moved = openat(d->fw, safe, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (moved < 0 || fstat(moved, &mst) < 0)
			return -errno;
		if (!same_file(&st, &mst, err == 1)) {
			err = hash_fd(moved, t->digest);
			if (err)
				return err;
		}
		st = mst;
	}
	t->size = st.st_size;
	snprintf(t->to, sizeof(t->to), "firmware/%s", safe);
	return 0;
}
