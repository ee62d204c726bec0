/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP producer for the unit tests of libfwverify: one "ok N - what"
 * or "not ok N - what" line per check, a failure followed by "#   expected:"
 * and "#   saw:" lines and where it was checked, and the plan "1..N" at the
 * end.  Header only, no dependency; each test program is one file.
 *
 *   ok(cond, "what", ...)             the condition holds
 *   is_int(got, want, "what", ...)    two integers are equal
 *   is_str(got, want, "what", ...)    two strings are equal (NULL is a value)
 *   return done_testing();            the plan; exit 1 if a check failed
 */
#ifndef FWVERIFY_TAP_H
#define FWVERIFY_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static unsigned int tap_run, tap_failed;

static void __attribute__((format(printf, 4, 0)))
tap_line(bool pass, const char *file, int line, const char *fmt, va_list ap)
{
	tap_run++;
	printf("%sok %u - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	/* What was checked before a crash is not lost in a pipe's buffer. */
	fflush(stdout);
}

static bool __attribute__((format(printf, 4, 5), unused))
tap_ok(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static bool __attribute__((format(printf, 5, 6), unused))
tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	bool pass = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_line(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   expected: %lld\n#   saw:      %lld\n", want, got);
	fflush(stdout);
	return pass;
}

static bool __attribute__((format(printf, 5, 6), unused))
tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	bool pass = got && want ? !strcmp(got, want) : got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_line(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		printf("#   expected: %s%s%s\n", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
		printf("#   saw:      %s%s%s\n", got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* Print the plan.  Return: the exit status, 1 if any check failed. */
static int __attribute__((unused)) done_testing(void)
{
	printf("1..%u\n", tap_run);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
