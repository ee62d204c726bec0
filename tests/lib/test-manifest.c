// SPDX-License-Identifier: GPL-2.0
/*
 * lib/manifest.h, the pure part: manifest_parse() on canonical and broken
 * manifests, manifest_find(), manifest_name_ok() and manifest_name_reserved(),
 * manifest_parse_time() (--expires) and manifest_time().
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "tap.h"

#define HEAD "fwverify-manifest 1\ngeneration 7\nexpires 2027-06-15T12:34:56Z\n"
#define H1 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define H2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
/* 2027-06-15T12:34:56Z */
#define EXPIRES 1813062896

static int parse(const char *text, struct manifest *m, struct fw_error *e)
{
	return manifest_parse(text, strlen(text), m, e);
}

/* manifest_parse() refuses @text with -EINVAL and a reason containing @why. */
static void refuses(const char *text, const char *why, const char *desc)
{
	struct manifest m = { .generation = 42 };
	struct fw_error e;
	int ret = parse(text, &m, &e);

	is_int(ret, -EINVAL, "manifest refused: %s", desc);
	if (!ok(strstr(e.msg, why), "... the reason says \"%s\"", why))
		printf("#   reason: \"%s\"\n", e.msg);
	ok(m.generation == 42 && !m.e && !m.n, "... and the manifest is untouched");
	if (!ret)
		manifest_free(&m);
}

static void test_parse(void)
{
	struct manifest m = { 0 };
	struct fw_error e;
	int ret;

	ret = parse(HEAD
		    "file " H1 " 0 a.bin\n"
		    "file " H2 " 18446744073709551615 intel/b c.bin\n", &m, &e);
	is_int(ret, 0, "a canonical manifest with two files parses");
	if (ret) {
		printf("#   reason: %s\n", e.msg);
		return;
	}
	is_int(m.generation, 7, "... its generation");
	is_int(m.expires, EXPIRES, "... its expiry, in seconds since the epoch (UTC)");
	is_int(m.n, 2, "... two entries");
	is_str(m.e[0].name, "a.bin", "... the first name");
	is_int(m.e[0].size, 0, "... the first size, 0");
	ok(m.e[0].sha256[0] == 0x00 && m.e[0].sha256[31] == 0xff, "... the first digest");
	is_str(m.e[1].name, "intel/b c.bin", "... a name with a directory and a space");
	ok(m.e[1].size == UINT64_MAX, "... a size of 2^64 - 1");
	ok(manifest_find(&m, "a.bin") == &m.e[0], "manifest_find finds the first entry");
	ok(manifest_find(&m, "intel/b c.bin") == &m.e[1], "manifest_find finds the last entry");
	ok(!manifest_find(&m, "intel/b"), "manifest_find: a prefix of a name is not found");
	ok(!manifest_find(&m, "b.bin"), "manifest_find: a name between two entries is not found");
	manifest_free(&m);
	ok(!m.e && !m.n, "manifest_free empties it");

	is_int(parse(HEAD, &m, &e), 0, "a manifest with no file parses");
	is_int(m.n, 0, "... no entries");
	manifest_free(&m);

	is_int(parse("fwverify-manifest 1\ngeneration 18446744073709551615\nexpires 1970-01-01T00:00:00Z\n",
		     &m, &e), 0, "generation 2^64 - 1 and the epoch as expiry parse");
	ok(m.generation == UINT64_MAX && m.expires == 0, "... to those values");
	manifest_free(&m);

	is_int(parse("fwverify-manifest 1\ngeneration 1\nexpires 2024-02-29T23:59:59Z\n", &m, &e), 0,
	       "29 February of a leap year parses");
	is_int(m.expires, 1709164800 + 86399, "... to its last second");
	manifest_free(&m);

	refuses("", "truncated: no header", "empty text");
	refuses("fwverify-manifest 1\n", "no generation", "the header alone");
	refuses("fwverify-manifest 1\ngeneration 1\n", "no expires", "no expires line");
	refuses("fwverify-manifest 2\ngeneration 1\nexpires 2027-01-01T00:00:00Z\n", "line 1", "version 2");
	refuses("fwverify-manifest 1 \ngeneration 1\nexpires 2027-01-01T00:00:00Z\n", "line 1",
		"a space after the header");
	refuses("fwverify-manifest 1\r\ngeneration 1\nexpires 2027-01-01T00:00:00Z\n", "line 1", "a CRLF header");
	refuses("fwverify-manifest 1\ngeneration 0\nexpires 2027-01-01T00:00:00Z\n", "line 2", "generation 0");
	refuses("fwverify-manifest 1\ngeneration 07\nexpires 2027-01-01T00:00:00Z\n", "line 2",
		"a leading zero in the generation");
	refuses("fwverify-manifest 1\ngeneration +7\nexpires 2027-01-01T00:00:00Z\n", "line 2", "a signed generation");
	refuses("fwverify-manifest 1\ngeneration 18446744073709551616\nexpires 2027-01-01T00:00:00Z\n", "line 2",
		"generation 2^64 (overflow)");
	refuses("fwverify-manifest 1\ngeneration  1\nexpires 2027-01-01T00:00:00Z\n", "line 2",
		"two spaces before the generation");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2027-02-29T00:00:00Z\n", "line 3",
		"29 February of a common year");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2100-02-29T00:00:00Z\n", "line 3",
		"29 February 2100 (not a leap year)");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2027-04-31T00:00:00Z\n", "line 3", "31 April");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2027-01-01T24:00:00Z\n", "line 3", "hour 24");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2027-01-01T00:00:60Z\n", "line 3", "second 60");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2027-01-01\n", "line 3", "a date without a time");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2027-1-01T00:00:00Z\n", "line 3", "a one-digit month");
	refuses("fwverify-manifest 1\ngeneration 1\nexpires 2027-01-01T00:00:00+00:00\n", "line 3",
		"an offset instead of Z");
	refuses(HEAD "file " H1 " 1 a.bin", "no newline at the end", "a last line without newline");
	refuses(HEAD "file " H1 " 1 b.bin\nfile " H2 " 1 a.bin\n", "line 5: names not in increasing order",
		"names out of order");
	refuses(HEAD "file " H1 " 1 a.bin\nfile " H2 " 1 a.bin\n", "line 5: names not in increasing order",
		"a name repeated");
	refuses(HEAD "file " H1 " 1 ../a.bin\n", "line 4", "a \"..\" component");
	refuses(HEAD "file " H1 " 1 /a.bin\n", "line 4", "an absolute name");
	refuses(HEAD "file " H1 " 1 a.bin.p7s\n", "line 4", "a signature listed");
	refuses(HEAD "file " H1 " 1 fwverify.manifest\n", "line 4", "the manifest listing itself");
	refuses(HEAD "file " H1 " 1 \n", "line 4", "an empty name");
	refuses(HEAD "file 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff 1 a.bin\n", "line 4",
		"upper-case hex (not canonical)");
	refuses(HEAD "file " H1 "0 1 a.bin\n", "line 4", "65 hex digits");
	refuses(HEAD "file " H1 " 01 a.bin\n", "line 4", "a size with a leading zero");
	refuses(HEAD "file " H1 " -1 a.bin\n", "line 4", "a negative size");
	refuses(HEAD "file " H1 " 1\n", "line 4", "no name");
	refuses(HEAD "fil " H1 " 1 a.bin\n", "line 4", "a misspelt keyword");
	refuses(HEAD "\n", "line 4", "a blank line");

	/* A NUL inside a name: the text has a length, not a terminator. */
	{
		static const char text[] = HEAD "file " H1 " 1 a\0b\n";

		m.generation = 42;
		is_int(manifest_parse(text, sizeof(text) - 1, &m, &e), -EINVAL,
		       "a NUL byte inside a name: refused");
	}
}

static void test_names(void)
{
	char name[PATH_MAX + 2];

	ok(manifest_name_ok("a"), "name \"a\" is ok");
	ok(manifest_name_ok("intel/iwlwifi-9000.ucode"), "name with a directory is ok");
	ok(manifest_name_ok("..."), "name \"...\" is ok (not \"..\")");
	ok(manifest_name_ok(".hidden/..x/x.."), "names starting or ending with dots are ok");
	ok(manifest_name_ok("caf\xc3\xa9.bin"), "a UTF-8 name is ok");
	ok(!manifest_name_ok(""), "the empty name is refused");
	ok(!manifest_name_ok("/a"), "an absolute name is refused");
	ok(!manifest_name_ok("a/"), "a trailing slash (an empty component) is refused");
	ok(!manifest_name_ok("a//b"), "an empty component is refused");
	ok(!manifest_name_ok("."), "\".\" is refused");
	ok(!manifest_name_ok("a/./b"), "a \".\" component is refused");
	ok(!manifest_name_ok(".."), "\"..\" is refused");
	ok(!manifest_name_ok("a/../b"), "a \"..\" component is refused");
	ok(!manifest_name_ok("a/.."), "a last \"..\" component is refused");
	ok(!manifest_name_ok("a\nb"), "a newline is refused");
	ok(!manifest_name_ok("\x1f"), "a control character is refused");
	ok(!manifest_name_ok("a\x7f"), "DEL is refused");

	memset(name, 'x', NAME_MAX);
	name[NAME_MAX] = '\0';
	ok(manifest_name_ok(name), "a component of NAME_MAX bytes is ok");
	name[NAME_MAX] = 'x';
	name[NAME_MAX + 1] = '\0';
	ok(!manifest_name_ok(name), "a component of NAME_MAX + 1 bytes is refused");
	/* PATH_MAX - 1 bytes in components of 127 and slashes: the longest name. */
	for (size_t i = 0; i < PATH_MAX; i++)
		name[i] = i % 128 == 127 ? '/' : 'x';
	name[PATH_MAX - 1] = '\0';
	ok(manifest_name_ok(name), "a name of PATH_MAX - 1 bytes is ok");
	name[PATH_MAX - 1] = 'x';
	name[PATH_MAX] = '\0';
	ok(!manifest_name_ok(name), "a name of PATH_MAX bytes is refused");

	ok(manifest_name_reserved("fwverify.manifest"), "the manifest's own name is reserved");
	ok(manifest_name_reserved("a.bin.p7s"), "a signature's name is reserved");
	ok(manifest_name_reserved("intel/.p7s"), "\".p7s\" alone as a last component is reserved");
	ok(!manifest_name_reserved("a.p7s.bin"), "\".p7s\" inside a name is not reserved");
	ok(!manifest_name_reserved("a.P7S"), "\".P7S\" is not reserved (names are case-sensitive)");
	ok(!manifest_name_reserved("sub/fwverify.manifest"), "a manifest's name below the top is not reserved");
}

static void parses_time(const char *s, time_t now, int64_t want, const char *desc)
{
	int64_t t = -12345;
	bool r = !manifest_parse_time(s, now, &t);

	ok(r, "--expires \"%s\" parses (%s)", s, desc);
	if (r)
		is_int(t, want, "... to %lld", (long long)want);
}

static void refuses_time(const char *s, const char *desc)
{
	int64_t t = -12345;

	is_int(manifest_parse_time(s, 1000000000, &t), -EINVAL, "--expires \"%s\" is refused (%s)", s, desc);
}

static void test_parse_time(void)
{
	const time_t now = 1700000000;

	parses_time("2027-01-01", now, 1798761600, "a date, at 00:00 UTC");
	parses_time("2027-06-15T12:34:56Z", now, EXPIRES, "a date and time in UTC");
	parses_time("2024-02-29", now, 1709164800, "29 February of a leap year");
	parses_time("2000-02-29", now, 951782400, "29 February 2000 (divisible by 400)");
	parses_time("2038-01-19T03:14:08Z", now, 2147483648LL, "past 2^31 seconds");
	parses_time("1970-01-01", now, 0, "the epoch");
	parses_time("+1d", now, now + 86400, "one day from now");
	parses_time("+30d", now, now + 30 * 86400, "30 days from now");
	parses_time("+36600d", now, now + 36600LL * 86400, "100 * 366 days, the most");
	refuses_time("+36601d", "more than 100 * 366 days");
	refuses_time("+0d", "zero days");
	refuses_time("+d", "no number");
	refuses_time("+-1d", "a negative number of days");
	refuses_time("++1d", "a second sign");
	refuses_time("+1", "no 'd'");
	refuses_time("+1w", "another unit");
	refuses_time("+1 d", "a space before the unit");
	refuses_time("+99999999999999999999d", "an overflowing number of days");
	refuses_time("2027-02-30", "30 February");
	refuses_time("2027-02-29", "29 February of a common year");
	refuses_time("2100-02-29", "29 February 2100");
	refuses_time("2027-04-31", "31 April");
	refuses_time("2027-13-01", "month 13");
	refuses_time("2027-00-10", "month 0");
	refuses_time("2027-01-00", "day 0");
	refuses_time("2027-01-01T24:00:00Z", "hour 24");
	refuses_time("2027-01-01T23:60:00Z", "minute 60");
	refuses_time("2027-01-01T23:59:60Z", "a leap second, which timegm() normalises");
	refuses_time("2027-01-01T00:00:00", "a time without Z");
	refuses_time("2027-01-01T00:00Z", "a time without seconds");
	refuses_time("2027-01-01 ", "a trailing space");
	refuses_time("2027-01-01x", "trailing garbage");
	refuses_time("2027/01/01", "slashes");
	refuses_time(" 2027-01-01", "a leading space, which strptime() skips");
	refuses_time("2027-1-01", "a one-digit month");
	refuses_time("2027-01-1", "a one-digit day");
	refuses_time("2027-01-01T1:00:00Z", "a one-digit hour");
	refuses_time("2027-01-01T01: 0:00Z", "a space in the minutes");
	refuses_time("+2027-01-01", "a sign before the year");
	refuses_time("02027-01-01", "a five-digit year");
	refuses_time("tomorrow", "a word");
	refuses_time("", "the empty string");
}

static void test_time(void)
{
	char buf[32], small[8];
	struct manifest m;
	char text[128];
	struct fw_error e;

	manifest_time(0, buf, sizeof(buf));
	is_str(buf, "1970-01-01T00:00:00Z", "manifest_time(0) is the epoch");
	manifest_time(EXPIRES, buf, sizeof(buf));
	is_str(buf, "2027-06-15T12:34:56Z", "manifest_time writes YYYY-MM-DDTHH:MM:SSZ in UTC");
	manifest_time(2147483648LL, buf, sizeof(buf));
	is_str(buf, "2038-01-19T03:14:08Z", "manifest_time past 2^31 seconds");
	manifest_time(-1, buf, sizeof(buf));
	is_str(buf, "1969-12-31T23:59:59Z", "manifest_time(-1) is the second before the epoch");
	manifest_time(INT64_MAX, buf, sizeof(buf));
	is_str(buf, "@9223372036854775807", "a time gmtime() cannot break down is written as @seconds");
	memset(small, 'X', sizeof(small));
	manifest_time(0, small, sizeof(small));
	ok(memchr(small, '\0', sizeof(small)), "a buffer too small still holds a terminated string");

	/* What manifest_time writes, manifest_parse reads back. */
	for (int64_t t = 0; t < 4102444800LL; t += 86400LL * 365 + 3661 * 7) {
		manifest_time(t, buf, sizeof(buf));
		snprintf(text, sizeof(text), "fwverify-manifest 1\ngeneration 1\nexpires %s\n", buf);
		if (manifest_parse(text, strlen(text), &m, &e) || m.expires != t) {
			ok(0, "manifest_time(%lld) = %s parses back to itself", (long long)t, buf);
			return;
		}
		manifest_free(&m);
	}
	ok(1, "manifest_time of a time every ~365 days up to 2100 parses back to itself");
}

int main(void)
{
	test_parse();
	test_names();
	test_parse_time();
	test_time();
	return done_testing();
}
