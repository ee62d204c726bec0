// SPDX-License-Identifier: GPL-2.0
/* lib/util.h: parse_ulong() (a whole decimal within bounds) and str_trim(). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "tap.h"
#include "util.h"

/* parse_ulong(@s, @min, @max) accepts @s as @want. */
static void accepts(const char *s, unsigned long long min, unsigned long long max,
		    unsigned long long want)
{
	unsigned long long v = 12345;
	bool r = !parse_ulong(s, min, max, &v);

	ok(r, "parse_ulong(\"%s\", %llu, %llu) accepts it", s, min, max);
	if (r)
		is_int(v, want, "parse_ulong(\"%s\") is %llu", s, want);
}

static void refuses(const char *s, unsigned long long min, unsigned long long max, const char *why)
{
	unsigned long long v = 12345;
	int err = parse_ulong(s, min, max, &v);

	ok(err == -EINVAL || err == -ERANGE, "parse_ulong(\"%s\", %llu, %llu) refuses %s", s, min, max, why);
	is_int(v, 12345, "... and leaves the number untouched");
}

static void test_parse_ulong(void)
{
	unsigned long long v;

	is_int(parse_ulong("7", 0, 10, &v), 0, "parse_ulong() returns 0 for a number it takes");
	is_int(parse_ulong("7x", 0, 10, &v), -EINVAL, "... -EINVAL for what is no number");
	is_int(parse_ulong("11", 1, 10, &v), -ERANGE, "... -ERANGE for a number outside the bounds");
	is_int(parse_ulong("18446744073709551616", 0, ULLONG_MAX, &v), -ERANGE, "... and for one past 2^64 - 1");
	accepts("0", 0, 10, 0);
	accepts("7", 0, 10, 7);
	accepts("1", 1, 10, 1);
	accepts("10", 1, 10, 10);
	accepts("007", 0, 10, 7);
	accepts("18446744073709551615", 0, ULLONG_MAX, ULLONG_MAX);
	refuses("0", 1, 10, "a value below the minimum");
	refuses("11", 1, 10, "a value above the maximum");
	refuses("4", 5, 5, "anything but the one value of [5, 5]");
	accepts("5", 5, 5, 5);
	refuses("", 0, 10, "the empty string");
	refuses("-1", 0, ULLONG_MAX, "a minus sign (strtoull would wrap it)");
	refuses("+1", 0, 10, "a plus sign");
	refuses(" 1", 0, 10, "a leading space");
	refuses("1 ", 0, 10, "a trailing space");
	refuses("1x", 0, 10, "trailing garbage");
	refuses("0x10", 0, 100, "hexadecimal");
	refuses("1e3", 0, 10000, "an exponent");
	refuses("18446744073709551616", 0, ULLONG_MAX, "2^64 (overflow)");
	refuses("99999999999999999999999", 0, ULLONG_MAX, "a far larger number");
}

/* @desc spells @in visibly: a TAP line holds no tab or carriage return. */
static void trims(const char *in, const char *want, const char *desc)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", in);
	is_str(str_trim(buf), want, "str_trim: %s", desc);
}

static void test_str_trim(void)
{
	trims("", "", "the empty string stays empty");
	trims("a", "a", "nothing to trim");
	trims("  \ta b\t ", "a b", "spaces and tabs go from both ends, not from inside");
	trims("x\r", "x", "a trailing CR goes (CRLF files)");
	trims(" \t\r", "", "blanks only: empty");
	trims("\rx", "\rx", "a leading CR stays");
}

int main(void)
{
	test_parse_ulong();
	test_str_trim();
	return done_testing();
}
