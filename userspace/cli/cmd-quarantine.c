// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify quarantine: move a refused firmware file and its signature out of
 * the firmware search path into <quarantine_dir>/<id>/, with a JSON record
 * of why.  udev runs it on fwverify's "change" uevent (--from-uevent), and
 * the name and path in a uevent are untrusted: the path must lie in a
 * firmware search directory, it is walked below that directory one
 * component at a time without following a symlink, and only regular files
 * are moved.  The library part returns -errno; run() reports once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/uapi/fwverify.h"
#include "check.h"
#include "cms.h"
#include "command.h"
#include "config.h"
#include "digest.h"
#include "json-out.h"
#include "kstate.h"
#include "util.h"

/* The module cuts uevent values at this many bytes: a value this long may be cut. */
#define UEVENT_VALUE_MAX 256
/* Largest environment value read. */
#define ENV_VALUE_MAX 4096
/* The firmware name as it appears in a record's directory name. */
#define ID_NAME_MAX 64
#define NDIRS 16
/* "sha256:<hex>" */
#define DIGEST_TEXT_MAX (8 + 2 * DIGEST_MAX)
#define COPY_CHUNK (256 * 1024)
#define FIRMWARE_CLASS_PATH "module/firmware_class/parameters/path"

/* What the module's uevents say (FWVERIFY_RESULT, _ACTION, _SOURCE). */
static const char *const results[] = {
	[FWVERIFY_VERIFIED] = FWVERIFY_NAME_VERIFIED,
	[FWVERIFY_UNSIGNED] = FWVERIFY_NAME_UNSIGNED,
	[FWVERIFY_BAD_SIGNATURE] = FWVERIFY_NAME_BAD_SIGNATURE,
	[FWVERIFY_UNTRUSTED] = FWVERIFY_NAME_UNTRUSTED,
	[FWVERIFY_REVOKED] = FWVERIFY_NAME_REVOKED,
	[FWVERIFY_MALFORMED] = FWVERIFY_NAME_MALFORMED,
	[FWVERIFY_ERROR] = FWVERIFY_NAME_ERROR,
	[FWVERIFY_RESULT_NR] = NULL,
};
static const char *const actions[] = { FWVERIFY_NAME_ALLOWED, FWVERIFY_NAME_DENIED, NULL };
/* Not "check": the check file sends no uevent. */
static const char *const sources[] = {
	FWVERIFY_NAME_SRC_FILE, FWVERIFY_NAME_SRC_PARTIAL, FWVERIFY_NAME_SRC_FALLBACK,
	FWVERIFY_NAME_SRC_PLATFORM, NULL,
};

/* What became of a request; the exit code follows from it. */
enum status {
	ST_QUARANTINED,
	ST_DRY_RUN,
	ST_NOT_DENIED,		/* uevent: the kernel let the firmware through */
	ST_NO_FILE,		/* uevent: fallback or platform firmware has no file */
	ST_ABSENT,		/* uevent: the file is gone, quarantined already */
	ST_VERIFIES,		/* the file verifies now: left in place */
	ST_REFUSED,		/* not a file this command may move */
};

static const char *const status_names[] = {
	[ST_QUARANTINED] = "quarantined", [ST_DRY_RUN] = "dry-run", [ST_NOT_DENIED] = "not-denied",
	[ST_NO_FILE] = "no-file", [ST_ABSENT] = "absent", [ST_VERIFIES] = "verifies",
	[ST_REFUSED] = "refused",
};

struct request {
	bool uevent, force, dry_run, json;
	char *name;		/* the firmware name, escaped as the kernel does; NULL when unknown */
	char *path;		/* the file, as raw bytes */
	char *epath;		/* the file, escaped as the kernel does: for messages and the record */
	const char *result, *action, *source;
};

/* The firmware directories, each as configured and as resolved. */
struct search_dirs {
	char *d[NDIRS];
	size_t n;
};

/* A file found in a search directory. */
struct located {
	int dir;		/* the directory holding it, reached without a symlink */
	char *base;		/* its name in that directory */
	int fd;			/* the file, opened O_NOFOLLOW */
	char *rel;		/* its path below the search directory */
};

/* The verdict on the file as it is now. */
struct now {
	const char *by;		/* "kernel" or "offline" */
	char result[32], action[16], reason[256], signer[256];
};

static bool in_set(const char *const *set, const char *s)
{
	for (; *set; set++)
		if (!strcmp(*set, s))
			return true;
	return false;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void kstate_freep(struct kstate *s)
{
	kstate_free(s);
}

/*
 * Escape @s as the module does for sysfs and uevents: bytes below 0x20 or
 * above 0x7e as \xHH, and with @backslash also '\'.  Without it the result
 * leaves text the module escaped already unchanged, and is safe in JSON.
 */
static char *escape(const char *s, bool backslash)
{
	char *out = malloc(strlen(s) * 4 + 1), *o = out;
	const unsigned char *p;

	if (!out)
		return NULL;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || (backslash && *p == '\\'))
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Undo escape(@s, true).  Return: 0, -EINVAL for another '\' sequence or a NUL, -ENOMEM. */
static int unescape(const char *s, char **out)
{
	char *buf = malloc(strlen(s) + 1), *o = buf;
	int hi, lo;

	if (!buf)
		return -ENOMEM;
	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		hi = s[1] == 'x' ? hexval(s[2]) : -1;
		lo = hi < 0 ? -1 : hexval(s[3]);
		if (lo < 0 || (hi == 0 && lo == 0)) {
			free(buf);
			return -EINVAL;
		}
		*o++ = (char)(hi << 4 | lo);
		s += 4;
	}
	*o = '\0';
	*out = buf;
	return 0;
}

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

/* --- where firmware lives ----------------------------------------------- */

static void dirs_free(struct search_dirs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->d[i]);
	s->n = 0;
}

static int dirs_put(struct search_dirs *s, const char *dir, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->d[i]) == len && !strncmp(s->d[i], dir, len))
			return 0;
	if (s->n == NDIRS)
		return -E2BIG;
	s->d[s->n] = strndup(dir, len);
	return s->d[s->n] ? (s->n++, 0) : -ENOMEM;
}

/* Add @dir as spelled and as resolved (/lib may be a link to /usr/lib); a relative or missing one is skipped. */
static int dirs_add(struct search_dirs *s, const char *dir)
{
	_cleanup_(freep) char *real = NULL;
	size_t len = strlen(dir);
	int err;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (dir[0] != '/' || len < 2)
		return 0;
	err = dirs_put(s, dir, len);
	real = realpath(dir, NULL);
	if (!err && real && strcmp(real, "/"))
		err = dirs_put(s, real, strlen(real));
	return err;
}

/* The loader's directories, firmware_class.path, and the managed search_dir. */
static int dirs_load(struct search_dirs *s, const struct fw_config *c)
{
	static const char *const fixed[] = {
		"/lib/firmware/updates", "/lib/firmware", "/usr/lib/firmware/updates", "/usr/lib/firmware",
	};
	_cleanup_(freep) char *param = NULL;
	int err = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && !err; i++)
		err = dirs_add(s, fixed[i]);
	if (!err && !kstate_read(FIRMWARE_CLASS_PATH, PATH_MAX, &param))
		err = dirs_add(s, param);
	if (!err && c->search_dir)
		err = dirs_add(s, c->search_dir);
	return err;
}

/* True if @path is @dir or below it. */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/*
 * Walk @rel below the directory @top without following a symlink, and open
 * the directory holding its last component.  "", "." and ".." are refused.
 * Return: 0, -EINVAL for such a component, -ELOOP or -ENOTDIR for a symlink
 * or a file on the way, or another -errno.
 */
static int walk_below(const char *top, const char *rel, int *dirfd, char **base)
{
	_cleanup_(freep) char *copy = strdup(rel);
	_cleanup_(closep) int fd = -1;
	char *p, *next, *slash;
	int sub;

	if (!copy)
		return -ENOMEM;
	fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (p = copy;; p = next) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		next = slash ? slash + 1 : NULL;
		if (!*p || !strcmp(p, ".") || !strcmp(p, ".."))
			return -EINVAL;
		if (!next)
			break;
		sub = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return -errno;
		close(fd);
		fd = sub;
	}
	*base = strdup(p);
	if (!*base)
		return -ENOMEM;
	*dirfd = fd;
	fd = -1;
	return 0;
}

static void located_free(struct located *l)
{
	closep(&l->dir);
	closep(&l->fd);
	free(l->base);
	free(l->rel);
	l->dir = l->fd = -1;
	l->base = l->rel = NULL;
}

/*
 * Find @path in the search directories and open it.  It is walked from the
 * deepest directory that holds it: /lib/firmware/updates may be a link to
 * a generation, which the walk from /lib/firmware would refuse.
 * Return: 0, -EPERM when it lies in none, -ENOENT, -ELOOP or -ENOTDIR for
 * a symlink, -ENOTREG, -EINVAL, or another -errno.
 */
static int locate(const struct search_dirs *s, const char *path, struct located *l)
{
	size_t best = s->n, len = 0;
	struct stat st;
	int err;

	for (size_t i = 0; i < s->n; i++)
		if (below(path, s->d[i]) && strlen(s->d[i]) > len)
			best = i, len = strlen(s->d[i]);
	if (best == s->n || !path[len] || !path[len + 1])
		return -EPERM;
	err = walk_below(s->d[best], path + len + 1, &l->dir, &l->base);
	if (err)
		return err;
	l->fd = openat(l->dir, l->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (l->fd < 0)
		err = -errno;
	else if (fstat(l->fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -ENOTREG;
	else if (!(l->rel = strdup(path + len + 1)))
		err = -ENOMEM;
	if (err)
		located_free(l);
	return err;
}

/* The requested name a file in a search directory answers: compressed files drop .xz or .zst. */
static char *name_of(const char *rel)
{
	size_t n = strlen(rel);

	if (has_suffix(rel, ".xz"))
		n -= 3;
	else if (has_suffix(rel, ".zst"))
		n -= 4;
	return strndup(rel, n);
}

/* --- the verdict now ---------------------------------------------------- */

/*
 * Verify against the configured CA files, when the module cannot be asked:
 * check.h's verdict, by the running kernel's rules, with the persistent
 * revoke list.  Return: 0 or -errno.
 */
static int verdict_offline(const struct fw_config *c, const char *path, int fd, struct now *n)
{
	_cleanup_(freep) unsigned char *sig = NULL;
	struct check_ctx ctx = { 0 };
	struct check_verdict v = { 0 };
	size_t len = 0;
	int err;

	err = check_ctx_kernel(&ctx, NULL);
	if (err == -EINVAL || err == -ERANGE)
		err = check_ctx_kernel(&ctx, cms_rules_newest.kernel);
	for (size_t i = 0; i < c->nca && !err; i++)
		err = cms_load_certs(c->ca[i], &ctx.trusted);
	if (!err)
		err = check_ctx_revocations(&ctx, c);
	if (err) {
		check_ctx_free(&ctx);
		return err;
	}
	err = check_find_sig(path, &v, &sig, &len);
	check_blob(&ctx, fd, path, err ? NULL : v.content, sig, len, err, &v);
	check_ctx_free(&ctx);
	n->by = "offline";
	snprintf(n->result, sizeof(n->result), "%s", check_result_name(v.result));
	snprintf(n->reason, sizeof(n->reason), "%s", v.detail[0] ? v.detail : v.reason);
	snprintf(n->signer, sizeof(n->signer), "%s", v.signer);
	return 0;
}

/*
 * Ask the module through its check file, which runs the code that guards
 * loads; else verify offline against the configured CAs.  A path with a
 * newline cannot be written to the line-based check file.
 * Return: 0, -ENODEV when nothing can tell, or -errno.
 */
static int verdict_now(const struct fw_config *c, const char *path, int fd, struct now *n)
{
	struct kstate_verdict v;
	int err;

	memset(n, 0, sizeof(*n));
	if (kstate_loaded()) {
		if (strchr(path, '\n'))
			return -ENODEV;
		err = kstate_check(path, &v);
		if (err)
			return err;
		n->by = "kernel";
		snprintf(n->result, sizeof(n->result), "%s", v.result);
		snprintf(n->action, sizeof(n->action), "%s", v.action);
		snprintf(n->reason, sizeof(n->reason), "%s", v.reason);
		snprintf(n->signer, sizeof(n->signer), "%s", v.signer);
		return 0;
	}
	return c->nca ? verdict_offline(c, path, fd, n) : -ENODEV;
}

/* --- moving ------------------------------------------------------------- */

static int fsync_fd(int fd)
{
	return fsync(fd) < 0 ? -errno : 0;
}

static int copy_fd(int in, int out)
{
	_cleanup_(freep) unsigned char *buf = malloc(COPY_CHUNK);
	ssize_t r, w;

	if (!buf)
		return -ENOMEM;
	if (lseek(in, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		r = read(in, buf, COPY_CHUNK);
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

static int hash_fd(int fd, char out[DIGEST_TEXT_MAX])
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
	snprintf(out, DIGEST_TEXT_MAX, "sha256:%s", text);
	return 0;
}

/* What one quarantine writes to: the record's directory and its firmware/ subdirectory. */
struct dest {
	char *dir;		/* <quarantine_dir>/<id> */
	int fw;			/* its firmware/ directory */
};

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

/*
 * Make <qdir>/<time>-<name>-<random>/firmware, private to root.  The
 * quarantine directory must not lie in a search directory: what is moved
 * there would still be found.  Return: 0, -ELOOP for such a directory, or -errno.
 */
static int dest_make(const char *qdir, const struct search_dirs *s, const char *name, time_t t,
		     struct dest *d)
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
		if (below(real, s->d[i]) || below(qdir, s->d[i]))
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

/* Remove the record's directories when nothing was moved into them: evidence is never deleted. */
static void dest_abandon(const struct dest *d)
{
	_cleanup_(freep) char *fw = NULL;

	if (!d->dir || asprintf(&fw, "%s/firmware", d->dir) < 0) {
		fw = NULL;
		return;
	}
	if (!rmdir(fw))
		rmdir(d->dir);
}

static void dest_free(struct dest *d)
{
	closep(&d->fw);
	free(d->dir);
}

/*
 * Take @sname from @sdir: move it into @d (or, without @d, a dry run: leave
 * it) and add {role, from, to, size, digest} for what was taken to @files.
 * It is hashed before it moves, so that a failure leaves it in place, and
 * hashed again where it arrived only if it may have changed on the way.
 * @digest_out gets "sha256:<hex>", and @size (if not NULL) its size.
 * Return: 0, -ENOENT, -ELOOP for a symlink, -ENOTREG, or -errno.
 */
static int take_file(int sdir, const char *sname, const char *from, const char *role,
		     const struct dest *d, struct json_object *files, char digest_out[DIGEST_TEXT_MAX],
		     int64_t *size)
{
	_cleanup_(closep) int fd = -1, moved = -1;
	struct json_object *f;
	char safe[NAME_MAX + 1], to[NAME_MAX + 16];
	struct stat st, mst;
	int err;

	fd = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOTREG;
	err = hash_fd(fd, digest_out);
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
			err = hash_fd(moved, digest_out);
			if (err)
				return err;
		}
		st = mst;
	}
	if (size)
		*size = st.st_size;
	snprintf(to, sizeof(to), "firmware/%s", safe);
	f = json_object_new_object();
	err = json_out_add(files, NULL, f);
	if (!err)
		err = json_out_str(f, "role", role) ?: json_out_str(f, "from", from) ?:
		      json_out_str(f, "to", d ? to : NULL) ?: json_out_uint(f, "size", st.st_size) ?:
		      json_out_str(f, "digest", digest_out);
	return err;
}

/* --- the record --------------------------------------------------------- */

/* Add a string that came from outside (kernel-escaped already, or a certificate's name): JSON-safe. */
static int add_text(struct json_object *o, const char *key, const char *s)
{
	_cleanup_(freep) char *e = s ? escape(s, false) : NULL;

	if (s && !e)
		return -ENOMEM;
	return json_out_str(o, key, e);
}

static int add_lines(struct json_object *o, const char *key, const char *text)
{
	struct json_object *a;
	const char *p, *end;
	int err;

	if (!text)
		return json_out_str(o, key, NULL);
	a = json_object_new_array();
	err = json_out_add(o, key, a);
	for (p = text; !err && *p; p = *end ? end + 1 : end) {
		_cleanup_(freep) char *line = NULL;

		end = strchrnul(p, '\n');
		line = strndup(p, end - p);
		err = line ? add_text(a, NULL, line) : -ENOMEM;
	}
	return err;
}

static int add_entry(struct json_object *o, const struct kstate_fw *e)
{
	struct json_object *j;

	if (!e)
		return json_out_str(o, "entry", NULL);
	j = json_object_new_object();
	return json_out_add(o, "entry", j) ?: add_text(j, "name", e->name) ?:
	       add_text(j, "result", e->result) ?: add_text(j, "action", e->action) ?:
	       add_text(j, "signer", e->signer) ?: add_text(j, "digest", e->digest) ?:
	       json_out_uint(j, "size", e->size) ?: add_text(j, "path", e->path) ?:
	       json_out_uint(j, "loads", e->loads) ?: json_out_uint(j, "last_load", e->last_load) ?:
	       add_lines(j, "reads", e->reads);
}

static int add_now(struct json_object *o, const struct now *n)
{
	struct json_object *j;

	if (!n->by)
		return json_out_str(o, "now", NULL);
	j = json_object_new_object();
	return json_out_add(o, "now", j) ?: json_out_str(j, "by", n->by) ?:
	       add_text(j, "result", n->result) ?: add_text(j, "action", n->by[0] == 'k' ? n->action : NULL) ?:
	       add_text(j, "reason", n->reason[0] ? n->reason : NULL) ?:
	       add_text(j, "signer", n->signer[0] ? n->signer : NULL);
}

/* The tail of the record: what the kernel knew, and the verdict just before the move. */
static int record_kernel(struct json_object *rec, const struct kstate *ks, const struct kstate_fw *e,
			 const struct now *n)
{
	struct json_object *k = json_object_new_object();

	return json_out_add(rec, "kernel", k) ?: add_text(k, "mode", ks->mode) ?: add_entry(k, e) ?:
	       add_now(rec, n);
}

/* The head of the record: what was quarantined and why. */
static struct json_object *record_new(const struct request *r, const struct kstate_fw *e,
				      const struct now *n, time_t t)
{
	const char *result = r->result ? r->result : e ? e->result : n->by ? n->result : NULL;
	struct json_object *rec = json_out_new();
	char when[32];
	struct tm tm;
	int err;

	if (!rec)
		return NULL;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	err = add_text(rec, "name", r->name) ?: json_out_str(rec, "path", r->epath) ?:
	      add_text(rec, "result", result) ?:
	      add_text(rec, "action", r->action ? r->action : e ? e->action : NULL) ?:
	      json_out_str(rec, "source", r->source) ?:
	      json_out_str(rec, "trigger", r->uevent ? "uevent" : "admin") ?:
	      json_out_str(rec, "time", when);
	if (err) {
		json_object_put(rec);
		return NULL;
	}
	return rec;
}

/* The signature files the kernel may use for @base: <base>.p7s, and <stem>.p7s for a compressed file. */
static int signature_names(const char *base, char names[2][NAME_MAX + 8])
{
	int n = 0;
	size_t len = strlen(base);

	snprintf(names[n++], NAME_MAX + 8, "%s.p7s", base);
	if (has_suffix(base, ".xz"))
		snprintf(names[n++], NAME_MAX + 8, "%.*s.p7s", (int)(len - 3), base);
	else if (has_suffix(base, ".zst"))
		snprintf(names[n++], NAME_MAX + 8, "%.*s.p7s", (int)(len - 4), base);
	return n;
}

/*
 * Move the firmware and its signatures (without @d: only hash them), then
 * complete @rec.  A signature that is a symlink or not a regular file stays
 * where it is and is listed under "left".  Return: 0 or -errno.
 */
static int take_all(const struct request *r, const struct located *l, const struct dest *d,
		    struct json_object *rec)
{
	struct json_object *files = json_object_new_array(), *left = json_object_new_array();
	char sigs[2][NAME_MAX + 8], digest[DIGEST_TEXT_MAX] = "", sdigest[DIGEST_TEXT_MAX];
	size_t dirlen = strlen(r->epath) - strlen(l->base);
	int err, nsig;

	int64_t size = -1;

	err = !files || !left ? -ENOMEM : take_file(l->dir, l->base, r->epath, "firmware", d, files, digest, &size);
	if (!err)
		err = json_out_str(rec, "digest", digest) ?: json_out_uint(rec, "size", size) ?:
		      json_out_str(rec, "digest_backend", digest_backend());
	if (err) {
		json_object_put(files);
		json_object_put(left);
		return err;
	}
	err = json_out_add(rec, "files", files) ?: json_out_add(rec, "left", left);
	nsig = err ? 0 : signature_names(l->base, sigs);
	for (int i = 0; i < nsig && !err; i++) {
		_cleanup_(freep) char *from = NULL, *esig = escape(sigs[i], true);

		if (!esig || asprintf(&from, "%.*s%s", (int)dirlen, r->epath, esig) < 0) {
			from = NULL;
			return -ENOMEM;
		}
		err = take_file(l->dir, sigs[i], from, "signature", d, files, sdigest, NULL);
		if (err == -ELOOP || err == -ENOTREG) {
			struct json_object *o = json_object_new_object();

			err = json_out_add(left, NULL, o) ?: json_out_str(o, "path", from) ?:
			      json_out_str(o, "why", err == -ELOOP ? "symlink" : "not a regular file");
		} else if (err == -ENOENT) {
			err = 0;
		}
	}
	return err;
}

/* --- the command -------------------------------------------------------- */

static void request_free(struct request *r)
{
	free(r->name);
	free(r->path);
	free(r->epath);
}

/* Print the outcome: one line, or with --json one document.  Return: the exit code. */
static int outcome(const struct request *r, enum status st, const char *msg, const char *dir,
		   struct json_object *rec)
{
	_cleanup_(json_putp) struct json_object *doc = NULL;
	int code = st == ST_REFUSED || (st == ST_VERIFIES && !r->uevent) ? EXIT_REFUSED : EXIT_OK;
	const char *who = r->epath && r->epath[0] ? r->epath : r->name ? r->name : "(no name)";

	if (code)
		fprintf(stderr, "fwverify: %s: %s\n", who, msg);
	else if (!r->json)
		printf("%s: %s%s%s\n", who, msg, dir ? " in " : "", dir ? dir : "");
	if (!r->json)
		return code;
	doc = json_out_new();
	if (!doc || json_out_str(doc, "status", status_names[st]) || json_out_str(doc, "message", msg) ||
	    json_out_str(doc, "directory", dir) ||
	    (rec ? json_out_add(doc, "record", json_object_get(rec)) : json_out_str(doc, "record", NULL)) ||
	    json_out_print(doc)) {
		fprintf(stderr, "fwverify: %s: cannot print the JSON document\n", who);
		return EXIT_USAGE;
	}
	return code;
}

/* @path, made absolute without resolving anything, or NULL. */
static char *absolute(const char *path)
{
	_cleanup_(freep) char *cwd = path[0] == '/' ? NULL : getcwd(NULL, 0);
	char *out;

	if (path[0] == '/')
		return strdup(path);
	return cwd && asprintf(&out, "%s/%s", cwd, path) >= 0 ? out : NULL;
}

/* Read one FWVERIFY_* variable.  Return: its value, "" when unset, or NULL when too long. */
static const char *env(const char *key)
{
	const char *v = getenv(key);

	if (!v)
		return "";
	return strlen(v) < ENV_VALUE_MAX ? v : NULL;
}

/* Fill @r from the uevent's variables.  Return: 0, or -EINVAL with the offending variable in @bad. */
static int request_from_env(struct request *r, const char **bad)
{
	static const char *const keys[] = { "FWVERIFY_NAME", "FWVERIFY_RESULT", "FWVERIFY_ACTION",
					    "FWVERIFY_SOURCE", "FWVERIFY_PATH" };
	const char *v[5];

	for (int i = 0; i < 5; i++) {
		v[i] = env(keys[i]);
		*bad = keys[i];
		if (!v[i] || (i < 4 && !v[i][0]))
			return -EINVAL;
	}
	*bad = keys[1];
	if (!in_set(results, v[1]))
		return -EINVAL;
	*bad = keys[2];
	if (!in_set(actions, v[2]))
		return -EINVAL;
	*bad = keys[3];
	if (!in_set(sources, v[3]))
		return -EINVAL;
	r->result = v[1];
	r->action = v[2];
	r->source = v[3];
	r->name = escape(v[0], false);
	r->epath = escape(v[4], false);
	return r->name && r->epath ? 0 : -ENOMEM;
}

static const char *refusal(int err)
{
	switch (err) {
	case -EPERM:
		return "refused: not in a firmware search directory";
	case -ELOOP:
	case -ENOTDIR:
		return "refused: a symlink on the way or at the end";
	case -ENOTREG:
		return "refused: not a regular file";
	case -EINVAL:
		return "refused: '.', '..' or an empty component in the path";
	default:
		return NULL;
	}
}

static const char *failure(int err)
{
	switch (err) {
	case -EBUSY:
		return "changed while being copied: left in place";
	case -EAFNOSUPPORT:
		return "cannot hash: FWVERIFY_DIGEST=kcapi, and the kernel offers no AF_ALG hash";
	case -EPROTONOSUPPORT:
		return "cannot hash: FWVERIFY_DIGEST=kcapi, and the kernel offers no NETLINK_CRYPTO (crypto_user)";
	case -ENOPKG:
		return "cannot hash: no SHA-256 in the back end FWVERIFY_DIGEST chose";
	case -EINVAL:	/* the one source of EINVAL here: digest_fd() */
		return "cannot hash: FWVERIFY_DIGEST is not kcapi, openssl or auto";
	default:
		return "cannot quarantine";
	}
}

/* Quarantine the file @r names.  Return: the exit code, after reporting. */
static int quarantine(struct request *r, const struct fw_config *c)
{
	_cleanup_(kstate_freep) struct kstate ks = { 0 };
	_cleanup_(json_putp) struct json_object *rec = NULL;
	struct search_dirs dirs = { .n = 0 };
	struct located l = { .dir = -1, .fd = -1 };
	struct dest d = { .fw = -1 };
	const struct kstate_fw *entry = NULL;
	struct now now;
	char msg[512];
	time_t t = time(NULL);
	int err, code;

	if (r->uevent && strcmp(r->action, "denied"))
		return outcome(r, ST_NOT_DENIED, "allowed by the kernel: nothing to quarantine", NULL, NULL);
	if (r->uevent && !r->epath[0])
		return outcome(r, ST_NO_FILE, "no file (fallback or platform firmware): nothing to quarantine",
			       NULL, NULL);
	if (r->uevent && strlen(r->epath) >= UEVENT_VALUE_MAX)
		return outcome(r, ST_REFUSED, "refused: the path may have been cut by the kernel", NULL, NULL);
	if (r->uevent && unescape(r->epath, &r->path))
		return outcome(r, ST_REFUSED, "refused: a malformed path in the uevent", NULL, NULL);
	if (r->path[0] != '/' || strlen(r->path) >= PATH_MAX)
		return outcome(r, ST_REFUSED, "refused: not an absolute path", NULL, NULL);

	err = dirs_load(&dirs, c);
	if (!err)
		err = locate(&dirs, r->path, &l);
	if (err == -ENOENT && r->uevent) {
		code = outcome(r, ST_ABSENT, "not there: quarantined already, or removed", NULL, NULL);
		goto out;
	}
	if (refusal(err)) {
		code = outcome(r, ST_REFUSED, refusal(err), NULL, NULL);
		goto out;
	}
	if (err) {
		report_error(r->json, r->epath, "cannot open", err);
		code = EXIT_USAGE;
		goto out;
	}
	if (!r->name) {
		_cleanup_(freep) char *raw = name_of(l.rel);

		r->name = raw ? escape(raw, true) : NULL;
	}

	err = verdict_now(c, r->path, l.fd, &now);
	if (err && err != -ENODEV)
		log_warning(r->epath, "cannot tell whether it verifies now: %s", errno_text(err));
	if (!err && !strcmp(now.result, "verified") && !r->force) {
		snprintf(msg, sizeof(msg), "verifies now (%s check, signer %s): left in place%s", now.by,
			 now.signer[0] ? now.signer : "unknown", r->uevent ? "" : " (--force moves it)");
		code = outcome(r, ST_VERIFIES, msg, NULL, NULL);
		goto out;
	}
	if (!kstate_read_all(&ks))
		for (size_t i = 0; i < ks.nfw && !entry; i++)
			if (r->name && ks.fw[i].name && !strcmp(ks.fw[i].name, r->name))
				entry = &ks.fw[i];

	rec = record_new(r, entry, &now, t);
	err = rec ? 0 : -ENOMEM;
	if (!err && !r->dry_run) {
		err = dest_make(c->quarantine_dir, &dirs, r->name, t, &d);
		if (err) {
			report_error(r->json, c->quarantine_dir, err == -ELOOP ?
				     "lies in a firmware search directory: not a quarantine" :
				     "cannot make a record directory", err == -ELOOP ? 0 : err);
			code = EXIT_USAGE;
			goto out;
		}
	}
	if (!err)
		err = take_all(r, &l, r->dry_run ? NULL : &d, rec) ?: record_kernel(rec, &ks, entry, &now);
	if (!err && !r->dry_run) {
		_cleanup_(freep) char *path = NULL, *text = NULL;
		const char *doc = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE);

		if (!doc || asprintf(&text, "%s\n", doc) < 0) {
			text = NULL;
			err = -ENOMEM;
		} else if (asprintf(&path, "%s/record.json", d.dir) < 0) {
			path = NULL;
			err = -ENOMEM;
		} else {
			err = write_file_atomic(path, text, strlen(text), 0600);
		}
	}
	if (err)
		dest_abandon(&d);
	if (err == -ENOENT && r->uevent) {
		code = outcome(r, ST_ABSENT, "not there: quarantined already, or removed", NULL, NULL);
	} else if (err) {
		report_error(r->json, r->epath, failure(err), err);
		code = EXIT_USAGE;
	} else {
		code = outcome(r, r->dry_run ? ST_DRY_RUN : ST_QUARANTINED,
			       r->dry_run ? "would be quarantined" : "quarantined", d.dir, rec);
	}
out:
	dest_free(&d);
	located_free(&l);
	dirs_free(&dirs);
	return code;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "from-uevent", no_argument, NULL, 'u' },
		{ "result", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(config_freep) struct fw_config c = { 0 };
	struct request r = { .json = json_requested(argc, argv) };
	const char *name = NULL, *bad;
	char msg[512];
	int opt, err, code = EXIT_USAGE;

	while ((opt = getopt_long(argc, argv, ":ur:n:fdjh", options, NULL)) != -1) {
		switch (opt) {
		case 'u': r.uevent = true; break;
		case 'r': r.result = optarg; break;
		case 'n': name = optarg; break;
		case 'f': r.force = true; break;
		case 'd': r.dry_run = true; break;
		case 'j': r.json = true; break;
		case 'h': command_help(&cmd_quarantine); return EXIT_OK;
		default: return report_bad_option(r.json, &cmd_quarantine, opt, argv);
		}
	}
	if (r.uevent && (optind < argc || r.result || name || r.force)) {
		report_usage(r.json, "quarantine", "--from-uevent takes no PATH, --result, --name or --force");
		return EXIT_USAGE;
	}
	if (!r.uevent && argc - optind != 1) {
		report_usage(r.json, "quarantine", "give one PATH, or --from-uevent");
		return EXIT_USAGE;
	}
	if (r.result && !in_set(results, r.result)) {
		report_usage(r.json, "quarantine", "unknown result '%.64s'", r.result);
		return EXIT_USAGE;
	}
	if (r.uevent) {
		err = request_from_env(&r, &bad);
		if (err) {
			report_usage(r.json, "quarantine", "%s: %s in the environment (run by udev's fwverify rule?)",
				     bad, err == -ENOMEM ? "out of memory" : "missing or not valid");
			goto out;
		}
	} else {
		r.path = absolute(argv[optind]);
		r.epath = r.path ? escape(r.path, true) : NULL;
		r.name = name ? escape(name, true) : NULL;
		if (!r.path || !r.epath || (name && !r.name)) {
			report_error(r.json, NULL, "out of memory", -ENOMEM);
			goto out;
		}
	}
	err = config_load(NULL, &c, msg, sizeof(msg));
	if (err) {
		report_message(r.json, msg, err);
		goto out;
	}
	code = quarantine(&r, &c);
out:
	request_free(&r);
	return code;
}

const struct command cmd_quarantine = {
	.name = "quarantine",
	.run = run,
	.summary = "move refused firmware and its signature out of the search path",
	.help = "quarantine [--result R] [--name NAME] [--force] [--dry-run] [--json] PATH\n"
		"       fwverify quarantine --from-uevent [--dry-run] [--json]\n\n"
		"Move the firmware file PATH and its signature (PATH.p7s; for PATH.xz or\n"
		"PATH.zst also PATH.p7s) into <quarantine_dir>/<time>-<name>-<random>/firmware/\n"
		"and write record.json there: name, path, result, action, source, the\n"
		"SHA-256 of what was moved, the time, the kernel's table entry for the name\n"
		"and the verdict on the file just before the move.  PATH must lie in a\n"
		"firmware search directory (/lib/firmware, /lib/firmware/updates,\n"
		"/usr/lib/firmware, firmware_class.path, search_dir) and is walked below it\n"
		"without following any symlink.  A file that verifies now is left in place.\n\n"
		"  -u, --from-uevent   take FWVERIFY_NAME, _RESULT, _ACTION, _PATH and _SOURCE\n"
		"                      from the environment, as udev passes fwverify's uevent;\n"
		"                      only a denied file is moved, and a file that is gone,\n"
		"                      verifies now, or has no file is not an error\n"
		"  -r, --result R      the result to record (default: the kernel's)\n"
		"  -n, --name NAME     the firmware name, for the kernel's table entry\n"
		"                      (default: PATH below its search directory)\n"
		"  -f, --force         move PATH even if it verifies now\n"
		"  -d, --dry-run       check and hash, move nothing\n"
		"  -j, --json          one JSON document on stdout (schema_version 1)\n\n"
		"The configuration file is $FWVERIFY_CONFIG or /etc/fwverify/fwverify.conf.\n"
		"Exit status: 0 quarantined or nothing to do; 1 refused (outside the search\n"
		"path, a symlink, not a regular file, or PATH verifies now); 2 usage or I/O error.\n",
};
