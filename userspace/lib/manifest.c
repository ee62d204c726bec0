// SPDX-License-Identifier: GPL-2.0
/*
 * Release manifests: a text file listing every firmware file of a release,
 * signed like firmware.  The format (Documentation/tool-stage.rst) is
 * canonical, so that one set of files has one manifest:
 *
 *   fwverify-manifest 1
 *   generation <decimal, 1 or more, no leading zero>
 *   expires <YYYY-MM-DDTHH:MM:SSZ>
 *   file <sha256, 64 lowercase hex> <size in bytes> <name>
 *   ...
 *
 * one "file" line per firmware file (signatures are not listed: each is
 * checked against its file), names in strictly increasing byte order, every
 * line ending in '\n'.  manifest_parse() is a pure function of its input so
 * that it can be fuzzed; anything else is refused with the line number.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "digest.h"
#include "error.h"
#include "manifest.h"
#include "util.h"

#define MAGIC "fwverify-manifest 1"

/*
 * A firmware name as the tree may hold it: relative, '/'-separated, no
 * empty, "." or ".." component, no control character (names are written
 * one a line, here and to the kernel's check file).
 */
bool manifest_name_ok(const char *name)
{
	size_t len = strlen(name), comp = 0;

	if (!len || len >= PATH_MAX)
		return false;
	for (const char *p = name; ; p++) {
		if (*p == '/' || !*p) {
			if (!comp || comp > NAME_MAX ||
			    (comp == 1 && p[-1] == '.') ||
			    (comp == 2 && p[-1] == '.' && p[-2] == '.'))
				return false;
			if (!*p)
				return true;
			comp = 0;
			continue;
		}
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
		comp++;
	}
}

/* A name that is a signature or the manifest itself, which a manifest does not list. */
bool manifest_name_reserved(const char *name)
{
	size_t len = strlen(name);

	return (len >= 4 && !strcmp(name + len - 4, ".p7s")) || !strcmp(name, MANIFEST_NAME);
}

/* A decimal without sign, spaces or leading zero.  Return: the end, or NULL. */
static const char *parse_u64(const char *p, const char *end, uint64_t *v)
{
	uint64_t n = 0;
	const char *s = p;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (*p - '0')) / 10)
			return NULL;
		n = n * 10 + (*p - '0');
	}
	if (p == s || (*s == '0' && p - s > 1))
		return NULL;
	*v = n;
	return p;
}

static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SSZ", exactly.  Return: 0 or -EINVAL. */
static int parse_time(const char *p, size_t len, int64_t *t)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	unsigned int v[6] = { 0 }, k = 0;
	bool leap;

	if (len != sizeof(form) - 1)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (form[i] != 'd') {
			if (p[i] != form[i])
				return -EINVAL;
			k++;
			continue;
		}
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		v[k] = v[k] * 10 + (p[i] - '0');
	}
	leap = (v[0] % 4 == 0 && v[0] % 100) || v[0] % 400 == 0;
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
	    (v[1] == 2 && v[2] == 29 && !leap) || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return -EINVAL;
	*t = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "<64 hex> <size> <name>" into @e.  Return: 0, -EINVAL, -ENOMEM. */
static int parse_entry(const char *p, const char *end, struct manifest_entry *e)
{
	const char *q;

	if (end - p < 65 || p[64] != ' ')
		return -EINVAL;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		e->sha256[i] = hi << 4 | lo;
	}
	q = parse_u64(p + 65, end, &e->size);
	if (!q || q == end || *q != ' ')
		return -EINVAL;
	q++;
	if (memchr(q, '\0', end - q))
		return -EINVAL;
	e->name = strndup(q, end - q);
	if (!e->name)
		return -ENOMEM;
	if (!manifest_name_ok(e->name) || manifest_name_reserved(e->name)) {
		free(e->name);
		e->name = NULL;
		return -EINVAL;
	}
	return 0;
}

/* Does the line [@p, @end) start with @word and a space?  Return: what follows, or NULL. */
static const char *keyword(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) > n && !memcmp(p, word, n) && p[n] == ' ' ? p + n + 1 : NULL;
}

/*
 * Parse @len bytes of manifest text into @m.
 * Return: 0, -EINVAL, -EFBIG beyond MANIFEST_MAX, or -ENOMEM, with the
 * reason (and line) in @e.  @m is untouched on failure.
 */
int manifest_parse(const char *text, size_t len, struct manifest *m, struct fw_error *e)
{
	struct manifest r = { 0 };
	const char *p = text, *end = text + len, *eol, *v;
	size_t cap = 0, line = 0;
	int ret = -EINVAL;

	if (len > MANIFEST_MAX)
		return fw_error_set(e, -EFBIG, "larger than %d bytes", MANIFEST_MAX);
	for (; p < end; p = eol + 1) {
		line++;
		eol = memchr(p, '\n', end - p);
		if (!eol) {
			fw_error_set(e, ret, "line %zu: no newline at the end", line);
			goto fail;
		}
		if (line == 1) {
			if ((size_t)(eol - p) != strlen(MAGIC) || memcmp(p, MAGIC, eol - p)) {
				fw_error_set(e, ret, "line 1: not a fwverify manifest (version 1)");
				goto fail;
			}
		} else if (line == 2) {
			v = keyword(p, eol, "generation");
			if (!v || parse_u64(v, eol, &r.generation) != eol || !r.generation) {
				fw_error_set(e, ret, "line 2: expected 'generation N' with N > 0");
				goto fail;
			}
		} else if (line == 3) {
			v = keyword(p, eol, "expires");
			if (!v || parse_time(v, eol - v, &r.expires)) {
				fw_error_set(e, ret, "line 3: expected 'expires YYYY-MM-DDTHH:MM:SSZ'");
				goto fail;
			}
		} else {
			v = keyword(p, eol, "file");
			if (r.n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct manifest_entry *ne = realloc(r.e, ncap * sizeof(*ne));

				if (!ne) {
					ret = fw_error_set(e, -ENOMEM, "line %zu: out of memory", line);
					goto fail;
				}
				r.e = ne;
				cap = ncap;
			}
			ret = v ? parse_entry(v, eol, &r.e[r.n]) : -EINVAL;
			if (ret) {
				fw_error_set(e, ret, "line %zu: %s", line, ret == -ENOMEM ? "out of memory" :
					"expected 'file SHA256 SIZE NAME' with a valid name");
				goto fail;
			}
			r.n++;
			ret = -EINVAL;
			if (r.n > 1 && strcmp(r.e[r.n - 2].name, r.e[r.n - 1].name) >= 0) {
				fw_error_set(e, ret, "line %zu: names not in increasing order (or repeated)", line);
				goto fail;
			}
		}
	}
	if (line < 3) {
		fw_error_set(e, ret, "truncated: no %s line",
			     line < 1 ? "header" : line < 2 ? "generation" : "expires");
		goto fail;
	}
	*m = r;
	return 0;
fail:
	manifest_free(&r);
	return ret;
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].name);
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* The entry of @name (entries are sorted), or NULL. */
const struct manifest_entry *manifest_find(const struct manifest *m, const char *name)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, m->e[mid].name);

		if (!c)
			return &m->e[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Format @t as the manifest writes it. */
void manifest_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "@%lld", (long long)t);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->name, ((const struct manifest_entry *)b)->name);
}

/*
 * The name of @file relative to the real path @rbase, by its directory's
 * real path: a symlinked file is named where it is, not where it points.
 * Return: 0 with a name to free in *@name, -EINVAL for a file outside
 * @rbase, -ENOMEM, or -errno from realpath(); @e says why.
 */
int manifest_rel_name(const char *rbase, const char *file, char **name, struct fw_error *e)
{
	_cleanup_(freep) char *dcopy = strdup(file), *dir = NULL;
	const char *base, *slash;
	size_t rlen = strlen(rbase);
	int ret;

	if (!dcopy)
		return fw_error_set(e, -ENOMEM, "out of memory");
	slash = strrchr(file, '/');
	base = slash ? slash + 1 : file;
	if (slash)
		dcopy[slash == file ? 1 : slash - file] = '\0';
	dir = realpath(slash ? dcopy : ".", NULL);
	if (!dir) {
		ret = -errno;
		return fw_error_set(e, ret, "%s: %s", file, errno_text(ret));
	}
	if (strncmp(dir, rbase, rlen) || (dir[rlen] && dir[rlen] != '/' && strcmp(rbase, "/")))
		return fw_error_set(e, -EINVAL, "%s: not under the release directory", file);
	if (asprintf(name, "%s%s%s", dir[rlen] ? dir + rlen + 1 : "", dir[rlen] ? "/" : "", base) < 0) {
		*name = NULL;
		return fw_error_set(e, -ENOMEM, "out of memory");
	}
	return 0;
}

/* What manifest_sign() says when memory runs out: the manifest of @base was not written. */
static int unwritten(struct fw_error *e, const char *base)
{
	return fw_error_set(e, -ENOMEM, "%s/" MANIFEST_NAME ": cannot write: %s", base, errno_text(-ENOMEM));
}

/* Fill @me for @file: its name relative to the real path @rbase, its size and digest. */
static int sign_entry(const char *base, const char *rbase, const char *file, struct manifest_entry *me,
		      struct fw_error *e)
{
	_cleanup_(closep) int fd = -1;
	struct digest d = { .alg = "sha256" };
	struct stat st;
	int ret;

	/* Resolve the directory, not the file: a symlink is refused, not followed. */
	ret = manifest_rel_name(rbase, file, &me->name, e);
	if (ret)
		return ret == -ENOMEM ? unwritten(e, base) : ret;
	if (!manifest_name_ok(me->name) || manifest_name_reserved(me->name))
		return fw_error_set(e, -EINVAL, "%s: not a firmware name a manifest can list", file);
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = errno == ELOOP ? -ENOTREG : -errno;
		return fw_error_set(e, ret, "%s: %s", file, errno == ELOOP ? "a symlink" : errno_text(ret));
	}
	if (!S_ISREG(st.st_mode))
		return fw_error_set(e, -ENOTREG, "%s: %s", file, errno_text(-ENOTREG));
	ret = digest_fd(fd, &d, 1);
	if (ret)
		return fw_error_set(e, ret, "%s: cannot read: %s", file, errno_text(ret));
	memcpy(me->sha256, d.md, sizeof(me->sha256));
	me->size = st.st_size;
	return 0;
}

static char *manifest_text(const struct manifest *m, size_t *len)
{
	char exp[32], *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	manifest_time(m->expires, exp, sizeof(exp));
	fprintf(f, MAGIC "\ngeneration %llu\nexpires %s\n", (unsigned long long)m->generation, exp);
	for (size_t i = 0; i < m->n; i++) {
		fputs("file ", f);
		for (int k = 0; k < 32; k++)
			fprintf(f, "%02x", m->e[i].sha256[k]);
		fprintf(f, " %llu %s\n", (unsigned long long)m->e[i].size, m->e[i].name);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	*len = size;
	return text;
}

static int sign_written(const struct cms_signer *s, const char *base, const char *path, struct fw_error *e)
{
	_cleanup_(freep) char *sig_path = NULL;
	_cleanup_(closep) int fd = open_regular(path, 0);
	unsigned char *der = NULL;
	size_t len;
	int ret;

	if (fd < 0)
		return fw_error_set(e, fd, "%s: %s", path, errno_text(fd));
	if (asprintf(&sig_path, "%s.p7s", path) < 0) {
		sig_path = NULL;
		return unwritten(e, base);
	}
	ret = cms_sign_fd(s, fd, NULL, &der, &len);
	if (ret)
		return fw_error_set(e, ret, "%s: cannot sign", path);
	ret = write_file_atomic(sig_path, der, len, 0644);
	OPENSSL_free(der);
	return ret ? fw_error_set(e, ret, "%s: %s", sig_path, errno_text(ret)) : 0;
}

/*
 * Write <base>/fwverify.manifest listing @files (paths, each in @base or a
 * directory under it; a symlink is refused) and sign it with @s into
 * fwverify.manifest.p7s.  Return: 0, or -errno said in @e.
 */
int manifest_sign(const struct cms_signer *s, const char *base, char *const *files, size_t n,
		  uint64_t generation, int64_t expires, struct fw_error *e)
{
	_cleanup_(freep) char *rbase = realpath(base, NULL), *path = NULL, *text = NULL;
	struct manifest m = { .generation = generation, .expires = expires };
	size_t len;
	int ret;

	if (!rbase) {
		ret = -errno;
		return fw_error_set(e, ret, "%s: %s", base, errno_text(ret));
	}
	if (!generation)
		return fw_error_set(e, -EINVAL, "the generation must be 1 or more");
	m.e = calloc(n ? n : 1, sizeof(*m.e));
	if (!m.e)
		return unwritten(e, base);
	for (; m.n < n; m.n++) {
		ret = sign_entry(base, rbase, files[m.n], &m.e[m.n], e);
		if (ret) {
			m.n++;
			goto out;
		}
	}
	qsort(m.e, m.n, sizeof(*m.e), cmp_entry);
	for (size_t i = 1; i < m.n; i++) {
		if (!strcmp(m.e[i - 1].name, m.e[i].name)) {
			ret = fw_error_set(e, -EINVAL, "%s: given twice", m.e[i].name);
			goto out;
		}
	}
	text = manifest_text(&m, &len);
	if (!text || asprintf(&path, "%s/" MANIFEST_NAME, rbase) < 0) {
		path = NULL;
		ret = unwritten(e, base);
		goto out;
	}
	ret = write_file_atomic(path, text, len, 0644);
	if (ret) {
		fw_error_set(e, ret, "%s: %s", path, errno_text(ret));
		goto out;
	}
	ret = sign_written(s, base, path, e);
out:
	manifest_free(&m);
	return ret;
}

/* Is @s of @shape, where 'd' is any decimal digit and anything else itself? */
static bool time_shaped(const char *s, const char *shape)
{
	for (; *shape; s++, shape++)
		if (*shape == 'd' ? *s < '0' || *s > '9' : *s != *shape)
			return false;
	return !*s;
}

/* --expires: YYYY-MM-DD (00:00 UTC), YYYY-MM-DDTHH:MM:SSZ, or +Nd from @now.  Return: 0, -EINVAL or -ENOMEM. */
int manifest_parse_time(const char *s, time_t now, int64_t *t)
{
	static const char *const formats[] = { "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d" };
	static const char *const shapes[] = { "dddd-dd-ddTdd:dd:ddZ", "dddd-dd-dd" };
	unsigned long long days;
	struct tm tm, back;
	const char *end;
	time_t v;

	if (s[0] == '+' && strlen(s) > 2 && s[strlen(s) - 1] == 'd') {
		_cleanup_(freep) char *n = strndup(s + 1, strlen(s) - 2);

		if (!n)
			return -ENOMEM;
		if (parse_ulong(n, 1, 100 * 366, &days))
			return -EINVAL;
		*t = (int64_t)now + (int64_t)days * 86400;
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		/* strptime() skips spaces and takes one digit where two are written. */
		if (!time_shaped(s, shapes[i]))
			continue;
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, formats[i], &tm);
		if (!end || *end)
			continue;
		back = tm;
		v = timegm(&tm);
		/* timegm() makes 02-30 into 03-02: refuse what it had to normalise. */
		if (v == (time_t)-1 || tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon ||
		    tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
			return -EINVAL;
		*t = v;
		return 0;
	}
	return -EINVAL;
}
