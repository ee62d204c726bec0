// SPDX-License-Identifier: GPL-2.0
/* How a library function says what failed: error.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

/*
 * Fill @e whole: @err, @fmt into @dst (its msg or its path), the other
 * cleared.  Formatted apart first: an argument may be @e's own message, as
 * in fw_error_set(e, err, "%s: %s", path, e->msg).
 */
static void __attribute__((format(printf, 4, 0)))
error_vset(struct fw_error *e, int err, char *dst, const char *fmt, va_list ap)
{
	char text[sizeof(e->path) > sizeof(e->msg) ? sizeof(e->path) : sizeof(e->msg)];
	size_t size = dst == e->msg ? sizeof(e->msg) : sizeof(e->path);

	/* vsnprintf() cuts a long text at size - 1 and always ends it. */
	vsnprintf(text, size, fmt, ap);
	e->err = err;
	e->msg[0] = e->path[0] = '\0';
	memcpy(dst, text, strlen(text) + 1);
}

int fw_error_set(struct fw_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	error_vset(e, err, e->msg, fmt, ap);
	va_end(ap);
	return err;
}

int fw_error_at(struct fw_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	error_vset(e, err, e->path, fmt, ap);
	va_end(ap);
	return err;
}
