// SPDX-License-Identifier: GPL-2.0
/*
 * The persistent revoke list.  It is the user-space half of downgrade
 * protection: the kernel's list is lost at reboot, this one is re-applied.
 * An update is read-modify-write under a lock file, so two concurrent
 * "fwverify revoke" runs cannot lose each other's digests, and the new list
 * replaces the old by rename after an fsync, so a crash leaves one or the
 * other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kstate.h"
#include "revlist.h"
#include "util.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int revlist_parse_digest(const char *s, size_t len, unsigned char digest[32])
{
	unsigned char d[32];

	if (len == 7 + 64 && !strncmp(s, "sha256:", 7)) {
		s += 7;
		len -= 7;
	}
	if (len != 64)
		return -EINVAL;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		d[i] = hi << 4 | lo;
	}
	memcpy(digest, d, 32);
	return 0;
}

void revlist_format(const unsigned char digest[32], char *out)
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	out += 7;
	for (size_t i = 0; i < 32; i++) {
		*out++ = hex[digest[i] >> 4];
		*out++ = hex[digest[i] & 15];
	}
	*out = '\0';
}

int revlist_parse(const char *text, size_t len, unsigned char (**digests)[32], size_t *n,
		  unsigned int *bad_line)
{
	unsigned char (*d)[32] = NULL, (*nd)[32];
	size_t count = 0, cap = 0;
	const char *p = text, *end = text + len, *eol, *a, *b;
	unsigned int line = 0;

	while (p < end) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		line++;
		for (a = p; a < eol && (*a == ' ' || *a == '\t'); a++)
			;
		for (b = eol; b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'); b--)
			;
		p = eol + 1;
		if (a == b || *a == '#')
			continue;
		if (count == REVLIST_MAX) {
			free(d);
			*bad_line = line;
			return -E2BIG;
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			nd = realloc(d, cap * sizeof(*d));
			if (!nd) {
				free(d);
				return -ENOMEM;
			}
			d = nd;
		}
		if (revlist_parse_digest(a, b - a, d[count])) {
			free(d);
			*bad_line = line;
			return -EINVAL;
		}
		count++;
	}
	if (!count) {
		free(d);
		d = NULL;
	}
	*digests = d;
	*n = count;
	return 0;
}

char *revlist_path(const struct fw_config *c)
{
	char *p;

	return asprintf(&p, "%s/" REVLIST_FILE, c->state_dir) < 0 ? NULL : p;
}

int revlist_load(const struct fw_config *c, unsigned char (**digests)[32], size_t *n)
{
	_cleanup_(freep) char *path = revlist_path(c);
	_cleanup_(freep) unsigned char *text = NULL;
	unsigned int bad_line;
	size_t len;
	int err;

	if (!path)
		return -ENOMEM;
	err = read_file(path, REVLIST_MAX * (REVLIST_LINE + 8), &text, &len);
	if (err == -ENOENT || err == -ENODATA) {
		*digests = NULL;
		*n = 0;
		return 0;
	}
	if (err)
		return err;
	err = revlist_parse((const char *)text, len, digests, n, &bad_line);
	return err == -EINVAL ? -EBADMSG : err;
}

/* mkdir -p, for state_dir on a fresh machine. */
static int make_dirs(const char *dir)
{
	_cleanup_(freep) char *p = strdup(dir);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; ; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*s = c;
	}
}

bool revlist_contains(const unsigned char (*d)[32], size_t n, const unsigned char *x)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(d[i], x, 32))
			return true;
	return false;
}

static int write_list(const char *path, const unsigned char (*d)[32], size_t n)
{
	_cleanup_(freep) char *text = malloc(n * REVLIST_LINE + 1);
	char *p = text;

	if (!text)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		revlist_format(d[i], p);
		p += strlen(p);
		*p++ = '\n';
	}
	return write_file_atomic(path, text, p - text, 0644);
}

int revlist_save(const struct fw_config *c, const unsigned char (*digests)[32], size_t n,
		 size_t *added)
{
	_cleanup_(freep) char *path = revlist_path(c), *lock = NULL;
	_cleanup_(freep) unsigned char (*all)[32] = NULL;
	_cleanup_(closep) int lfd = -1;
	unsigned char (*na)[32];
	size_t count = 0, old;
	int err;

	if (!path)
		return -ENOMEM;
	err = make_dirs(c->state_dir);
	if (err)
		return err;
	/* A lock file of its own: the list itself is replaced by rename. */
	if (asprintf(&lock, "%s/." REVLIST_FILE ".lock", c->state_dir) < 0) {
		lock = NULL;
		return -ENOMEM;
	}
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lfd < 0)
		return -errno;
	if (flock(lfd, LOCK_EX) < 0)
		return -errno;
	err = revlist_load(c, &all, &count);
	if (err)
		return err;
	old = count;
	if (count + n > REVLIST_MAX)
		return -E2BIG;
	na = realloc(all, (count + n ? count + n : 1) * sizeof(*all));
	if (!na)
		return -ENOMEM;
	all = na;
	for (size_t i = 0; i < n; i++)
		if (!revlist_contains((const unsigned char (*)[32])all, count, digests[i]))
			memcpy(all[count++], digests[i], 32);
	if (added)
		*added = count - old;
	if (count == old)
		return 0;
	return write_list(path, (const unsigned char (*)[32])all, count);
}

int revlist_add(const struct fw_config *c, const unsigned char (*digests)[32], size_t n)
{
	int err = revlist_save(c, digests, n, NULL);

	return err ? err : kstate_revoke(digests, n);
}
