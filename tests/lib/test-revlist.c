// SPDX-License-Identifier: GPL-2.0
/*
 * lib/revlist.h, the pure part: one digest (revlist_parse_digest), a
 * digest written (revlist_format), list text (revlist_parse) and
 * membership (revlist_contains).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "revlist.h"
#include "tap.h"

#define HEX_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define HEX_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static const unsigned char digest_a[32] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

static int parse_digest(const char *s, unsigned char d[32])
{
	return revlist_parse_digest(s, strlen(s), d);
}

static void test_parse_digest(void)
{
	static const char upper[] = "sha256:00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";
	unsigned char d[32], keep[32];

	memset(d, 0x5a, sizeof(d));
	is_int(parse_digest("sha256:" HEX_A, d), 0, "\"sha256:<hex>\" parses");
	ok(!memcmp(d, digest_a, 32), "... to the bytes the hex spells");
	memset(d, 0x5a, sizeof(d));
	is_int(parse_digest(HEX_A, d), 0, "bare \"<hex>\" parses");
	ok(!memcmp(d, digest_a, 32), "... to the same bytes");
	memset(d, 0x5a, sizeof(d));
	is_int(parse_digest(upper, d), 0, "upper-case hex parses");
	ok(!memcmp(d, digest_a, 32), "... to the same bytes as lower case");

	memset(d, 0x5a, sizeof(d));
	memcpy(keep, d, sizeof(d));
	is_int(parse_digest("sha256:" HEX_A "0", d), -EINVAL, "65 hex digits: -EINVAL");
	is_int(parse_digest(HEX_A + 1, d), -EINVAL, "63 hex digits: -EINVAL");
	is_int(parse_digest("", d), -EINVAL, "empty: -EINVAL");
	is_int(parse_digest("sha256:", d), -EINVAL, "\"sha256:\" alone: -EINVAL");
	is_int(parse_digest("sha384:" HEX_A, d), -EINVAL, "another algorithm's prefix: -EINVAL");
	is_int(parse_digest("SHA256:" HEX_A, d), -EINVAL, "an upper-case prefix: -EINVAL");
	is_int(parse_digest("sha256:" HEX_A + 1, d), -EINVAL, "prefix and 63 hex digits: -EINVAL");
	is_int(parse_digest("g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", d), -EINVAL,
	       "a non-hex first digit: -EINVAL");
	is_int(parse_digest("00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg", d), -EINVAL,
	       "a non-hex last digit: -EINVAL");
	is_int(parse_digest(" 0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", d), -EINVAL,
	       "a space in place of a digit: -EINVAL");
	ok(!memcmp(d, keep, 32), "a refused digest leaves the output untouched");
	/* @len is the whole input: a longer buffer is judged by its first @len bytes. */
	is_int(revlist_parse_digest(HEX_A "trailing", 64, d), 0, "only @len bytes are read");
	ok(!memcmp(d, digest_a, 32), "... and they give the digest");
}

static void test_format(void)
{
	char out[REVLIST_LINE + 8];
	unsigned char d[32];

	memset(out, 'X', sizeof(out));
	revlist_format(digest_a, out);
	is_str(out, "sha256:" HEX_A, "revlist_format writes \"sha256:\" and lower-case hex");
	is_int(strlen(out) + 1, REVLIST_LINE, "... in REVLIST_LINE bytes with its NUL");
	is_int(out[REVLIST_LINE], 'X', "... and not a byte more");
	is_int(parse_digest(out, d), 0, "what it writes parses back");
	ok(!memcmp(d, digest_a, 32), "... to the same digest");
}

static int parse(const char *text, unsigned char (**d)[32], size_t *n, unsigned int *bad)
{
	*d = (void *)1;
	*n = 99;
	*bad = 0;
	return revlist_parse(text, strlen(text), d, n, bad);
}

static void test_parse(void)
{
	unsigned char (*d)[32];
	unsigned int bad;
	size_t n;
	char *big;
	int ret;

	is_int(parse("", &d, &n, &bad), 0, "empty text is an empty list");
	ok(n == 0 && d == NULL, "... with no digests and a NULL array");
	is_int(parse("# only a comment\n\n   \n\t\n", &d, &n, &bad), 0, "comments and blank lines only: empty");
	ok(n == 0 && d == NULL, "... with no digests and a NULL array");

	ret = parse("# revoked\n"
		    "sha256:" HEX_A "\n"
		    "\n"
		    "  \t" HEX_B " \t\r\n"
		    "sha256:" HEX_A, &d, &n, &bad);
	is_int(ret, 0, "two digests, a comment, a blank line, spaces and CRLF around one, no final newline");
	is_int(n, 3, "... three digests, in order, repeats kept");
	if (!ret && n == 3) {
		ok(!memcmp(d[0], digest_a, 32) && !memcmp(d[2], digest_a, 32), "... the first and third are A");
		ok(d[1][0] == 0xff && d[1][31] == 0x00, "... the second is B");
	}
	if (!ret)
		free(d);

	is_int(parse("sha256:" HEX_A "\nnot a digest\n", &d, &n, &bad), -EINVAL, "a bad second line: -EINVAL");
	is_int(bad, 2, "... at line 2");
	is_int(parse("\n\n# x\n" HEX_A " # trailing comment\n", &d, &n, &bad), -EINVAL,
	       "a comment after a digest: -EINVAL");
	is_int(bad, 4, "... at line 4, blank and comment lines counted");
	is_int(parse("sha256:" HEX_A "x\n", &d, &n, &bad), -EINVAL, "65 hex digits on a line: -EINVAL");
	is_int(parse(HEX_A " " HEX_B "\n", &d, &n, &bad), -EINVAL, "two digests on one line: -EINVAL");

	/* REVLIST_MAX digests are taken, one more is -E2BIG at its line. */
	big = malloc((size_t)(REVLIST_MAX + 1) * 65 + 1);
	if (!ok(big, "allocating a list of REVLIST_MAX + 1 lines"))
		return;
	for (size_t i = 0; i <= REVLIST_MAX; i++)
		memcpy(big + i * 65, HEX_B "\n", 65);
	ret = revlist_parse(big, (size_t)REVLIST_MAX * 65, &d, &n, &bad);
	is_int(ret, 0, "REVLIST_MAX (%d) digests: taken", REVLIST_MAX);
	is_int(n, REVLIST_MAX, "... all of them");
	if (!ret)
		free(d);
	bad = 0;
	is_int(revlist_parse(big, (size_t)(REVLIST_MAX + 1) * 65, &d, &n, &bad), -E2BIG,
	       "REVLIST_MAX + 1 digests: -E2BIG");
	is_int(bad, REVLIST_MAX + 1, "... at line REVLIST_MAX + 1");
	free(big);
}

static void test_contains(void)
{
	unsigned char list[3][32], x[32];

	memset(list, 0, sizeof(list));
	memcpy(list[0], digest_a, 32);
	list[1][31] = 1;
	list[2][0] = 0xff;
	memcpy(x, digest_a, 32);
	ok(revlist_contains((const unsigned char (*)[32])list, 3, x), "the first digest is on the list");
	x[0] = 0xff;
	memset(x + 1, 0, 31);
	ok(revlist_contains((const unsigned char (*)[32])list, 3, x), "the last digest is on the list (unsorted)");
	memset(x, 0, 32);
	x[31] = 1;
	ok(revlist_contains((const unsigned char (*)[32])list, 3, x), "a middle digest is on the list");
	x[31] = 2;
	ok(!revlist_contains((const unsigned char (*)[32])list, 3, x), "a digest differing in its last byte is not");
	memcpy(x, digest_a, 32);
	x[0] ^= 1;
	ok(!revlist_contains((const unsigned char (*)[32])list, 3, x), "a digest differing in its first byte is not");
	ok(!revlist_contains((const unsigned char (*)[32])list, 2, list[2]), "only the first @n digests count");
	ok(!revlist_contains(NULL, 0, x), "nothing is on an empty list (NULL, 0)");
}

int main(void)
{
	test_parse_digest();
	test_format();
	test_parse();
	test_contains();
	return done_testing();
}
