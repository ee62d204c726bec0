// SPDX-License-Identifier: GPL-2.0
/*
 * Safe file I/O and the command layer's one-line error messages.
 *
 * Reads follow symlinks (/lib/firmware and /etc/ssl/certs are symlink farms)
 * but only ever read a regular file: the check is made with fstat() on the
 * descriptor, which was opened O_NONBLOCK so a FIFO cannot block the open.
 * Writes never follow anything: they go to a fresh O_EXCL temporary file.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "util.h"

void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Return: an open descriptor, or -ENOENT, -EISDIR, -ENOTREG, or another -errno. */
int open_regular(const char *path, int flags)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENOTREG;
	}
	return fd;
}

/*
 * Read a whole regular file of at most @max bytes into a new buffer.
 * Return: 0, -ENODATA when empty, -EFBIG when larger than @max, or as open_regular().
 */
int read_file(const char *path, size_t max, unsigned char **data, size_t *len)
{
	_cleanup_(closep) int fd = open_regular(path, 0);

	return fd < 0 ? fd : read_fd(fd, max, data, len);
}

/*
 * Read @fd to its end, at most @max bytes, into a new buffer.
 * Return: 0, -ENODATA when empty, -EFBIG when larger than @max, -ENOMEM, or -errno of read().
 */
int read_fd(int fd, size_t max, unsigned char **data, size_t *len)
{
	unsigned char *buf;
	size_t n = 0;
	ssize_t r;

	/* One byte more than allowed tells a full file from a too large one. */
	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	while (n <= max) {
		r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			wipe_free(buf, n);
			return err;
		}
		if (r == 0)
			break;
		n += r;
	}
	if (n == 0 || n > max) {
		wipe_free(buf, n);
		return n ? -EFBIG : -ENODATA;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* Free a buffer that may have held a secret. */
void wipe_free(unsigned char *p, size_t len)
{
	if (p)
		OPENSSL_cleanse(p, len);
	free(p);
}

/* Write all @len bytes, retrying short writes.  Return: 0 or -errno. */
int write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= r;
	}
	return 0;
}

/* Make a directory's entries durable: after a rename or a create in it.  Return: 0 or -errno. */
int fsync_dir(const char *dir)
{
	_cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fsync(fd) < 0 ? -errno : 0;
}

/*
 * Replace @path with @data so that a reader sees the old file or the
 * complete new one, and a crash leaves no partial file under @path.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_(freep) char *dcopy = strdup(path), *bcopy = strdup(path), *tmp = NULL;
	_cleanup_(closep) int fd = -1;
	const char *dir, *base;
	int err;

	if (!dcopy || !bcopy)
		return -ENOMEM;
	dir = dirname(dcopy);
	base = basename(bcopy);
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (!err && fchmod(fd, mode) < 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return fsync_dir(dir);
}

const char *errno_text(int err)
{
	switch (err) {
	case -ENOTREG:
		return "not a regular file";
	case -ENODATA:
		return "empty file";
	case -EFBIG:
		return "file too large";
	default:
		return strerror(-err);
	}
}

/* Take the first (root cause) of OpenSSL's queued errors as text and clear the queue. Return: its length. */
size_t openssl_error_text(char *buf, size_t size)
{
	unsigned long e = ERR_peek_error();
	const char *lib, *reason;

	buf[0] = '\0';
	if (e) {
		lib = ERR_lib_error_string(e);
		reason = ERR_reason_error_string(e);
		snprintf(buf, size, "%s%s%s", lib ? lib : "", lib ? ": " : "",
			 reason ? reason : "unknown error");
	}
	ERR_clear_error();
	return strlen(buf);
}

/* One line on stderr: "fwverify: FILE: WHAT: <OpenSSL error, else errno text>". */
void log_error(const char *file, const char *what, int err)
{
	char ssl[256];

	if (openssl_error_text(ssl, sizeof(ssl)))
		fprintf(stderr, "fwverify: %s: %s: %s\n", file, what, ssl);
	else if (err < 0)
		fprintf(stderr, "fwverify: %s: %s: %s\n", file, what, errno_text(err));
	else
		fprintf(stderr, "fwverify: %s: %s\n", file, what);
}

/* "fwverify: FILE: TAG<message>[ (see 'fwverify help CMD')]" on stderr. */
static void log_line(const char *file, const char *tag, const char *help_cmd,
		     const char *fmt, va_list ap)
{
	fprintf(stderr, "fwverify: %s: %s", file, tag);
	vfprintf(stderr, fmt, ap);
	if (help_cmd)
		fprintf(stderr, " (see 'fwverify help %s')", help_cmd);
	fputc('\n', stderr);
}

void log_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(cmd, "", cmd, fmt, ap);
	va_end(ap);
}

void log_warning(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(file, "warning: ", NULL, fmt, ap);
	va_end(ap);
}

void log_vmessage(const char *file, const char *fmt, va_list ap)
{
	log_line(file, "", NULL, fmt, ap);
}

/* @s without its leading blanks and trailing blanks or CR, cut in place. */
char *str_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int parse_ulong(const char *s, unsigned long long min, unsigned long long max,
		unsigned long long *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || n < min || n > max)
		return -ERANGE;
	*v = n;
	return 0;
}
