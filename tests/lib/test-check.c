// SPDX-License-Identifier: GPL-2.0
/*
 * lib/check.h: the rules of the kernel whose verdict is predicted, from a
 * version (check_ctx_kernel), and the result names and exit codes.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "tap.h"

/* check_ctx_kernel(@version) gives kernel @kernel with these rules. */
static void rules(const char *version, const char *kernel, bool ecdsa, bool sha3, bool zstd)
{
	struct check_ctx c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.running = true;
	c.rules.whole = true;
	ret = check_ctx_kernel(&c, version);
	is_int(ret, 0, "kernel \"%s\" is supported", version);
	if (ret)
		return;
	is_str(c.rules.kernel, kernel, "... named \"%s\" in reasons", kernel);
	ok(c.rules.ecdsa == ecdsa, "... %s", ecdsa ? "verifies ECDSA" : "has no ECDSA");
	ok(c.rules.sha3 == sha3, "... %s", sha3 ? "knows SHA-3" : "has no SHA-3");
	ok(c.zstd == zstd, "... %s", zstd ? "decompresses .zst firmware" : "has no .zst firmware");
	ok(!c.running, "... the rules are not the running kernel's");
	ok(!c.rules.whole, "... for firmware, not a signature loaded whole");
}

static void refused(const char *version, int want, const char *why)
{
	struct check_ctx c;

	memset(&c, 0, sizeof(c));
	is_int(check_ctx_kernel(&c, version), want, "kernel \"%s\": %s", version, why);
}

static void test_kernel(void)
{
	rules("6.1", "6.1", false, false, false);
	rules("6.1.0-31-amd64", "6.1", false, false, false);
	rules("6.6", "6.6", false, false, false);
	rules("6.7", "6.7", false, true, false);
	rules("6.11", "6.11", false, true, false);
	rules("6.12", "6.12", true, true, true);
	rules("6.12.57+deb13-amd64", "6.12", true, true, true);
	rules("6.13", "6.13", true, true, true);
	rules("7.0", "7.0", true, true, true);
	rules("7.3", "7.3", true, true, true);
	refused("5.10", -ERANGE, "before 6.1, -ERANGE");
	refused("6.0", -ERANGE, "before 6.1, -ERANGE");
	refused("5.19.0-1-amd64", -ERANGE, "a release before 6.1, -ERANGE");
	refused("x", -EINVAL, "not X.Y, -EINVAL");
	refused("", -EINVAL, "empty, -EINVAL");
	refused("6", -EINVAL, "no minor, -EINVAL");
	refused("6.", -EINVAL, "no minor after the dot, -EINVAL");
	refused("v6.1", -EINVAL, "a leading v, -EINVAL");
	/* sscanf's %u takes a sign and spaces, and wraps: none of these is X.Y. */
	refused("-6.1", -EINVAL, "a minus sign, -EINVAL (not kernel 4294967290.1)");
	refused("6.-1", -EINVAL, "a negative minor, -EINVAL");
	refused("+7.3", -EINVAL, "a plus sign, -EINVAL");
	refused(" 6.12", -EINVAL, "a leading space, -EINVAL");
	refused("6. 12", -EINVAL, "a space after the dot, -EINVAL");
	refused("4294967302.1", -EINVAL, "a major past 2^32, -EINVAL (not kernel 6.1)");
	refused("6.256", -EINVAL, "a minor past KERNEL_VERSION()'s 255, -EINVAL");
	rules("255.255", "255.255", true, true, true);
}

static void test_names(void)
{
	static const struct {
		enum fwverify_result r;
		const char *name;
		int exit;
	} t[] = {
		{ FWVERIFY_VERIFIED, "verified", 0 },
		{ FWVERIFY_UNSIGNED, "unsigned", 1 },
		{ FWVERIFY_BAD_SIGNATURE, "bad-signature", 1 },
		{ FWVERIFY_UNTRUSTED, "untrusted", 1 },
		{ FWVERIFY_REVOKED, "revoked", 1 },
		{ FWVERIFY_MALFORMED, "malformed", 1 },
		{ FWVERIFY_ERROR, "error", 2 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		is_str(check_result_name(t[i].r), t[i].name, "result %d is named \"%s\"", t[i].r, t[i].name);
		is_int(check_exit_code(t[i].r), t[i].exit, "result \"%s\" exits %d", t[i].name, t[i].exit);
	}
}

int main(void)
{
	test_kernel();
	test_names();
	return done_testing();
}
