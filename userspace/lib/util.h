/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by every command: cleanup attributes, safe file I/O, error lines. */
#ifndef FWVERIFY_UTIL_H
#define FWVERIFY_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>

/* Largest signature the tool reads; the kernel module uses the same cap. */
#define FWVERIFY_SIG_MAX (64 * 1024)
/* Largest key or certificate file (PEM) the tool reads. */
#define FWVERIFY_PEM_MAX (1024 * 1024)

/* open_regular() and read_file() report a file that is not a regular file with this. */
#define ENOTREG EMEDIUMTYPE

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

void closep(int *fd);
/* For _cleanup_(): close a directory stream, if any. */
void closedirp(DIR **d);
/*
 * A decimal number from @min to @max, the whole of @s: into *@v (untouched
 * on failure).  Return: 0, -EINVAL for no number, -ERANGE outside the bounds.
 */
int parse_ulong(const char *s, unsigned long long min, unsigned long long max,
		unsigned long long *v);

int open_regular(const char *path, int flags);
int read_file(const char *path, size_t max, unsigned char **data, size_t *len);
int read_fd(int fd, size_t max, unsigned char **data, size_t *len);
void wipe_free(unsigned char *p, size_t len);
int write_all(int fd, const void *data, size_t len);
int fsync_dir(const char *dir);
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

char *str_trim(char *s);
const char *errno_text(int err);
void log_error(const char *file, const char *what, int err);
void log_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warning(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "fwverify: FILE: <message>": for commands that wrap it in their own variadic reporter. */
void log_vmessage(const char *file, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
size_t openssl_error_text(char *buf, size_t size);

#endif
