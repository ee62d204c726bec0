// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's fwverify state, read and written through its files.
 * Every path is taken relative to kstate_root(), so the host tests can lay
 * out a fake tree of plain files.  Kernel files want a value in a single
 * write(2): a policy or a batch of revocations is accepted or refused whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../kmod/uapi/fwverify.h"
#include "kstate.h"
#include "revlist.h"
#include "util.h"

/* A sysfs value is at most a page; the revoke list is the largest file. */
#define KSTATE_VALUE_MAX 4096
#define KSTATE_LIST_MAX (REVLIST_MAX * REVLIST_LINE)
#define KSTATE_POLICY_MAX (64 * 1024)

_Static_assert(KSTATE_NSTATS == FWVERIFY_STAT_NR, "one counter a stats file");

const char *const kstate_stat_names[KSTATE_NSTATS] = {
	[FWVERIFY_VERIFIED] = FWVERIFY_STAT_FILE_VERIFIED,
	[FWVERIFY_UNSIGNED] = FWVERIFY_STAT_FILE_UNSIGNED,
	[FWVERIFY_BAD_SIGNATURE] = FWVERIFY_STAT_FILE_BAD_SIGNATURE,
	[FWVERIFY_UNTRUSTED] = FWVERIFY_STAT_FILE_UNTRUSTED,
	[FWVERIFY_REVOKED] = FWVERIFY_STAT_FILE_REVOKED,
	[FWVERIFY_MALFORMED] = FWVERIFY_STAT_FILE_MALFORMED,
	[FWVERIFY_ERROR] = FWVERIFY_STAT_FILE_ERROR,
	[FWVERIFY_STAT_DENIED] = FWVERIFY_STAT_FILE_DENIED,
	[FWVERIFY_STAT_ALLOWED] = FWVERIFY_STAT_FILE_ALLOWED,
	[FWVERIFY_STAT_CACHED] = FWVERIFY_STAT_FILE_CACHED,
};

const char *kstate_root(void)
{
	const char *root = getenv("FWVERIFY_SYSFS");

	return root && *root ? root : "/sys";
}

char *kstate_path(const char *rel)
{
	char *p;

	return asprintf(&p, "%s/%s", kstate_root(), rel) < 0 ? NULL : p;
}

static bool kexists(const char *rel)
{
	_cleanup_(freep) char *p = kstate_path(rel);
	struct stat st;

	return p && stat(p, &st) == 0;
}

bool kstate_loaded(void)
{
	return kexists(KSTATE_SYSFS) || kexists(KSTATE_SFS);
}

static int kopen(const char *rel, int flags)
{
	_cleanup_(freep) char *p = kstate_path(rel);
	int fd;

	if (!p)
		return -ENOMEM;
	fd = open(p, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int kstate_read(const char *rel, size_t max, char **text)
{
	_cleanup_(freep) char *path = kstate_path(rel);
	_cleanup_(freep) unsigned char *data = NULL;
	size_t len = 0;
	int err;

	if (!path)
		return -ENOMEM;
	err = read_file(path, max, &data, &len);
	if (err && err != -ENODATA)
		return err;
	if (len && data[len - 1] == '\n')
		len--;
	*text = strndup(data ? (const char *)data : "", len);
	return *text ? 0 : -ENOMEM;
}

/* One write(2) of the whole value. */
static int write_once(int fd, const void *text, size_t len)
{
	ssize_t r;

	do
		r = write(fd, text, len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return (size_t)r == len ? 0 : -EIO;
}

int kstate_write(const char *rel, const void *text, size_t len, bool append)
{
	_cleanup_(closep) int fd = kopen(rel, O_WRONLY | (append ? O_APPEND : O_TRUNC));

	return fd < 0 ? fd : write_once(fd, text, len);
}

/* A number file; -1 when it cannot be read or is not a number. */
static long long read_number(const char *rel)
{
	_cleanup_(freep) char *text = NULL;
	long long v;
	char *end;

	if (kstate_read(rel, KSTATE_VALUE_MAX, &text))
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	return errno || end == text || *end || v < 0 ? -1 : v;
}

int kstate_locked(void)
{
	_cleanup_(freep) char *text = NULL;
	int err;

	if (!kstate_loaded())
		return -ENODEV;
	err = kstate_read(KSTATE_SFS "lock", KSTATE_VALUE_MAX, &text);
	if (err)
		return err;
	if (!strcmp(text, "0") || !strcmp(text, "1"))
		return text[0] == '1';
	return -EBADMSG;
}

/* Copy the value of "@key=" from the answer @text into @buf (empty if absent). */
static void verdict_field(const char *text, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p, *end;

	buf[0] = '\0';
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, klen) || p[klen] != '=')
			continue;
		p += klen + 1;
		end = strchrnul(p, '\n');
		snprintf(buf, size, "%.*s", (int)(end - p), p);
		return;
	}
}

int kstate_check(const char *path, struct kstate_verdict *v)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *line = NULL;
	struct kstate_verdict r = { 0 };
	char text[4 * KSTATE_VALUE_MAX + 1], num[16];
	ssize_t n;
	int err;

	if (!kstate_loaded())
		return -ENODEV;
	/*
	 * O_APPEND does nothing to the kernel's file, which answers from the
	 * start; on a fake tree it keeps the canned answer and logs the path.
	 */
	fd = kopen(KSTATE_SFS "check", O_RDWR | O_APPEND);
	if (fd < 0)
		return fd;
	if (asprintf(&line, "%s\n", path) < 0) {
		line = NULL;
		return -ENOMEM;
	}
	err = write_once(fd, line, strlen(line));
	if (err)
		return err;
	/* The answer is read from the start, whatever the write did to the offset. */
	do
		n = pread(fd, text, sizeof(text) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	verdict_field(text, "result", r.result, sizeof(r.result));
	if (!r.result[0])
		return -EBADMSG;
	verdict_field(text, "action", r.action, sizeof(r.action));
	verdict_field(text, "reason", r.reason, sizeof(r.reason));
	verdict_field(text, "signer", r.signer, sizeof(r.signer));
	verdict_field(text, "digest", r.digest, sizeof(r.digest));
	verdict_field(text, "name", r.name, sizeof(r.name));
	verdict_field(text, "errno", num, sizeof(num));
	r.err = atoi(num);
	*v = r;
	return 0;
}

int kstate_revoke(const unsigned char (*digests)[32], size_t n)
{
	_cleanup_(freep) char *text = NULL;
	char *p;

	if (!kstate_loaded())
		return -ENODEV;
	if (!n)
		return 0;
	if (n > REVLIST_MAX)
		return -E2BIG;
	text = malloc(n * REVLIST_LINE + 1);
	if (!text)
		return -ENOMEM;
	p = text;
	for (size_t i = 0; i < n; i++) {
		revlist_format(digests[i], p);
		p += strlen(p);
		*p++ = '\n';
	}
	/* One write: the kernel adds the whole batch or, on a bad line, nothing. */
	return kstate_write(KSTATE_SFS "revoke", text, p - text, true);
}

int kstate_revoked(unsigned char (**digests)[32], size_t *n)
{
	_cleanup_(freep) char *text = NULL;
	unsigned int bad_line;
	int err;

	if (!kstate_loaded())
		return -ENODEV;
	err = kstate_read(KSTATE_SFS "revoke", KSTATE_LIST_MAX, &text);
	if (err)
		return err;
	err = revlist_parse(text, strlen(text), digests, n, &bad_line);
	return err == -EINVAL ? -EBADMSG : err;
}

static char *read_string(const char *rel, size_t max)
{
	char *text = NULL;

	return kstate_read(rel, max, &text) ? NULL : text;
}

static void fw_free(struct kstate_fw *f)
{
	free(f->dir);
	free(f->name);
	free(f->result);
	free(f->action);
	free(f->signer);
	free(f->digest);
	free(f->path);
	free(f->reads);
}

/*
 * Read one firmware directory.  Directories come and go at run time: one
 * that vanished while being read gives -ENOENT and is skipped.
 */
static int read_fw(const char *dir, struct kstate_fw *f)
{
	char *rel;
	struct {
		const char *file;
		char **slot;
	} strs[] = {
		{ "name", &f->name }, { "result", &f->result }, { "action", &f->action },
		{ "signer", &f->signer }, { "digest", &f->digest }, { "path", &f->path },
		{ "reads", &f->reads },
	};
	struct {
		const char *file;
		long long *slot;
	} nums[] = {
		{ "size", &f->size }, { "loads", &f->loads }, { "last_load", &f->last_load },
	};

	memset(f, 0, sizeof(*f));
	f->dir = strdup(dir);
	if (!f->dir)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (asprintf(&rel, KSTATE_SYSFS "firmware/%s/%s", dir, strs[i].file) < 0)
			return -ENOMEM;
		*strs[i].slot = read_string(rel, KSTATE_VALUE_MAX);
		free(rel);
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (asprintf(&rel, KSTATE_SYSFS "firmware/%s/%s", dir, nums[i].file) < 0)
			return -ENOMEM;
		*nums[i].slot = read_number(rel);
		free(rel);
	}
	if (!f->name && !f->result)
		return -ENOENT;
	if (!f->name) {
		/* An older module without the name file: undo the '!' at least. */
		f->name = strdup(dir);
		if (!f->name)
			return -ENOMEM;
		for (char *c = f->name; *c; c++)
			if (*c == '!')
				*c = '/';
	}
	return 0;
}

static int fw_cmp(const void *a, const void *b)
{
	const struct kstate_fw *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int read_table(struct kstate *s)
{
	_cleanup_(freep) char *p = kstate_path(KSTATE_SYSFS "firmware");
	_cleanup_(closedirp) DIR *d = p ? opendir(p) : NULL;
	struct kstate_fw *nf;
	struct dirent *de;
	size_t cap = 0;
	int err;

	if (!p)
		return -ENOMEM;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (s->nfw == cap) {
			cap = cap ? cap * 2 : 16;
			nf = realloc(s->fw, cap * sizeof(*nf));
			if (!nf)
				return -ENOMEM;
			s->fw = nf;
		}
		err = read_fw(de->d_name, &s->fw[s->nfw]);
		if (err) {
			fw_free(&s->fw[s->nfw]);
			if (err != -ENOENT)
				return err;
			continue;
		}
		s->nfw++;
	}
	if (errno)
		return -errno;
	if (s->nfw)
		qsort(s->fw, s->nfw, sizeof(*s->fw), fw_cmp);
	return 0;
}

int kstate_read_all(struct kstate *s)
{
	_cleanup_(freep) unsigned char (*revoked)[32] = NULL;
	size_t nrevoked = 0;
	int err;

	memset(s, 0, sizeof(*s));
	if (!kstate_loaded())
		return -ENODEV;
	s->mode = read_string(KSTATE_PARAMS "mode", KSTATE_VALUE_MAX);
	s->trust = read_string(KSTATE_PARAMS "trust", KSTATE_VALUE_MAX);
	s->max_entries = read_number(KSTATE_PARAMS "max_entries");
	s->max_size = read_number(KSTATE_PARAMS "max_size");
	/* securityfs may not be mounted, or not readable by this user. */
	s->policy = read_string(KSTATE_SFS "policy", KSTATE_POLICY_MAX);
	err = kstate_locked();
	s->locked = err < 0 ? -1 : err;
	s->revoked = kstate_revoked(&revoked, &nrevoked) ? -1 : (long long)nrevoked;
	for (size_t i = 0; i < KSTATE_NSTATS; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), KSTATE_SYSFS "stats/%s", kstate_stat_names[i]);
		s->stats[i] = read_number(rel);
	}
	err = read_table(s);
	if (err)
		kstate_free(s);
	return err;
}

void kstate_free(struct kstate *s)
{
	free(s->mode);
	free(s->trust);
	free(s->policy);
	for (size_t i = 0; i < s->nfw; i++)
		fw_free(&s->fw[i]);
	free(s->fw);
	memset(s, 0, sizeof(*s));
}
