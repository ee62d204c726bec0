// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify kselftests for trust, policy, revocation and the lock: keys
 * added at run time, the trust parameter and module signatures, chains
 * through intermediates, policy rules and signer pinning, the revocation
 * list, inputs no knob should choke on, policy changes racing loads, and
 * lockdown and the lock.
 *
 * The chain and runtime-key tests need the certificates of
 * tests/pki/gen-trust.sh in /payload/pki-trust/ (pass build/pki-trust to
 * vm-test.sh); without them they are skipped.
 *
 * This binary runs last in the VM and ends with fwverify locked, which
 * cannot be undone: lockdown and lock are its last two tests.
 */
#include "fwverify_lib.h"

#include <strings.h>

#include <dirent.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#define PKIT		"/payload/pki-trust/"
#define MAX_SIZE	"/sys/module/fwverify/parameters/max_size"
#define MAX_ENTRIES	"/sys/module/fwverify/parameters/max_entries"
#define LOCKDOWN	"/sys/kernel/security/lockdown"

#define NEED_PKIT()							\
	do {								\
		if (access(PKIT "rt-leaf.der", R_OK))			\
			SKIP(return, "no " PKIT ": run tests/pki/gen-trust.sh, pass build/pki-trust to vm-test.sh"); \
	} while (0)

/* Sign /lib/firmware/@name with certificates of /payload/pki-trust/. */
static int sign_trust(const char *name, const char *leaf, const char *extra)
{
	char path[512], args[512];

	snprintf(path, sizeof(path), "/lib/firmware/%s", name);
	snprintf(args, sizeof(args), "--key " PKIT "%s.key --cert " PKIT "%s.crt %s",
		 leaf, leaf, extra ?: "");
	return sign_args(path, args);
}

/* Load @name; expect @err and, in the firmware table, @result. */
static void expect_load(struct __test_metadata *_metadata, const char *name,
			int err, const char *result)
{
	char got[64] = "";
	int ret = request_fw(name);

	table_field(name, "result", got, sizeof(got));
	if (ret != err || strcmp(got, result))
		TH_LOG("%s: expected %d (%s), saw %d (%s)", name, err, result,
		       ret, got);
	EXPECT_EQ(err, ret);
	EXPECT_STREQ(result, got);
	if (!err)
		EXPECT_TRUE(driver_has(name));
}

/* Write @s to @path, expect -@err, and that @path still reads @keep. */
static void expect_refused(struct __test_metadata *_metadata, const char *path,
			   const char *s, int err)
{
	char *before = read_all(path), *after;
	int ret = write_str(path, s);

	after = read_all(path);
	if (ret != -err)
		TH_LOG("write '%.60s' to %s: expected %d, saw %d", s, path,
		       -err, ret);
	EXPECT_EQ(-err, ret);
	ASSERT_NE(NULL, before);
	ASSERT_NE(NULL, after);
	if (strcmp(before, after))
		TH_LOG("%s changed: was '%s', now '%s'", path, before, after);
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

/* The digest the firmware table reports for @name ("sha256:..."). */
static void digest_of(struct __test_metadata *_metadata, const char *name,
		      char *buf, size_t len)
{
	ASSERT_EQ(0, table_field(name, "digest", buf, len));
	ASSERT_EQ(0, strncmp(buf, "sha256:", 7)) TH_LOG("digest of %s: '%s'", name, buf);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Every table, knob and file back as the tests expect to find them. */
static void reset(void)
{
	set_mode("log");
	write_str(TRUST, "none");
	write_str(POLICY, "");
}

/* --- 1. keys added at run time ------------------------------------------ */

TEST(runtime_key_signed_by_trusted_key_is_added_and_trusted)
{
	const char *name = "fwvt-rt/leaf.bin";
	long key;

	NEED_PKIT();
	key = add_cert(PKIT "rt-leaf.der");
	ASSERT_LT(0, key) TH_LOG("add_key of a leaf issued by rsa-signer: %ld", key);
	ASSERT_EQ(0, make_fw(name, 2048, NULL));
	/* No certificate in the signature: only the added key can vouch. */
	ASSERT_EQ(0, sign_trust(name, "rt-leaf", "--no-certs"));
	ASSERT_EQ(0, set_mode("enforce"));
	expect_load(_metadata, name, 0, "verified");
	reset();
}

TEST(runtime_key_self_signed_is_refused)
{
	char desc[256];
	long key;

	NEED_PKIT();
	key = add_cert(PKIT "rt-self.der");
	if (key >= 0)
		TH_LOG("a self-signed stranger was added as key %ld", key);
	EXPECT_EQ(-ENOKEY, key);
	EXPECT_GT(0, fwverify_key("fwverify test self-signed stranger", desc,
				  sizeof(desc)));
}

TEST(runtime_key_unsigned_by_any_key_is_unusable)
{
	const char *name = "fwvt-rt/self.bin";

	NEED_PKIT();
	add_cert(PKIT "rt-self.der");
	ASSERT_EQ(0, make_fw(name, 2048, NULL));
	ASSERT_EQ(0, sign_trust(name, "rt-self", NULL));
	ASSERT_EQ(0, set_mode("enforce"));
	expect_load(_metadata, name, -EKEYREJECTED, "untrusted");
	reset();
}

TEST(keys_cannot_be_removed)
{
	long ring = fwverify_keyring_id(), key;
	char desc[256];

	ASSERT_LT(0, ring);
	key = fwverify_key("fwverify test RSA signer", desc, sizeof(desc));
	ASSERT_LT(0, key);
	EXPECT_EQ(-1, syscall(SYS_keyctl, KEYCTL_UNLINK, key, ring));
	EXPECT_TRUE(errno == EPERM || errno == EACCES) TH_LOG("unlink: errno %d", errno);
	EXPECT_EQ(-1, syscall(SYS_keyctl, KEYCTL_CLEAR, ring));
	EXPECT_TRUE(errno == EPERM || errno == EACCES) TH_LOG("clear: errno %d", errno);
	EXPECT_EQ(-1, syscall(SYS_keyctl, KEYCTL_INVALIDATE, key));
	EXPECT_TRUE(errno == EPERM || errno == EACCES) TH_LOG("invalidate: errno %d", errno);
	EXPECT_EQ(key, fwverify_key("fwverify test RSA signer", desc, sizeof(desc)));
}

/* --- 2. the trust parameter ------------------------------------------------ */

TEST(trust_reads_back_canonical)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "none", "none" },
		{ "platform,builtin", "builtin,platform" },
		{ "secondary,secondary", "secondary" },
		{ "builtin,secondary,platform\n", "builtin,secondary,platform" },
		{ "\n", "none" },
	};
	char got[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(0, write_str(TRUST, cases[i].in)) TH_LOG("'%s'", cases[i].in);
		ASSERT_EQ(0, read_str(TRUST, got, sizeof(got)));
		EXPECT_STREQ(cases[i].out, got) TH_LOG("wrote '%s'", cases[i].in);
	}
	reset();
}

TEST(trust_refuses_unknown_keyrings)
{
	ASSERT_EQ(0, write_str(TRUST, "builtin"));
	expect_refused(_metadata, TRUST, "bogus", EINVAL);
	expect_refused(_metadata, TRUST, "builtin,machine", EINVAL);
	expect_refused(_metadata, TRUST, "Builtin", EINVAL);
	reset();
}

/* Split a signed module into its content and its PKCS#7 signature. */
static bool module_signature(const char *ko, const char *name)
{
	static const char magic[] = "~Module signature appended~\n";
	size_t len = 0, ml = sizeof(magic) - 1, siglen, body;
	char path[512];
	const unsigned char *info;
	char *m = slurp(ko, &len);
	int fd;
	bool ok = false;

	if (!m || len < ml + 12 || memcmp(m + len - ml, magic, ml))
		goto out;
	info = (unsigned char *)m + len - ml - 12;
	siglen = (size_t)info[8] << 24 | info[9] << 16 | info[10] << 8 | info[11];
	if (siglen == 0 || siglen > len - ml - 12)
		goto out;
	body = len - ml - 12 - siglen;
	snprintf(path, sizeof(path), "/lib/firmware/%s", name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = fd >= 0 && write(fd, m, body) == (ssize_t)body;
	if (fd >= 0)
		close(fd);
	strcat(path, ".p7s");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = ok && fd >= 0 && write(fd, m + body, siglen) == (ssize_t)siglen;
	if (fd >= 0)
		close(fd);
out:
	free(m);
	return ok;
}

TEST(module_signature_is_no_firmware_signature)
{
	const char *name = "fwvt-mod/mod.bin";
	char ko[512];
	struct utsname u;

	ASSERT_EQ(0, uname(&u));
	snprintf(ko, sizeof(ko), "/lib/modules/%s/kernel/lib/test_firmware.ko",
		 u.release);
	mkdir("/lib/firmware/fwvt-mod", 0755);
	if (!module_signature(ko, name))
		SKIP(return, "%s is not a signed module", ko);
	settle();
	ASSERT_EQ(0, set_mode("enforce"));
	/* The builtin keyring holds the module signer: the form is refused. */
	ASSERT_EQ(0, write_str(TRUST, "builtin"));
	expect_load(_metadata, name, -EKEYREJECTED, "bad-signature");
	ASSERT_EQ(0, write_str(TRUST, "builtin,secondary,platform"));
	expect_load(_metadata, name, -EKEYREJECTED, "bad-signature");
	/* No keyring but .fwverify: nobody vouches for the module signer. */
	ASSERT_EQ(0, write_str(TRUST, "none"));
	expect_load(_metadata, name, -EKEYREJECTED, "untrusted");
	reset();
}

/* --- 3. chains ---------------------------------------------------------- */

FIXTURE(chain) {
};

FIXTURE_SETUP(chain)
{
	NEED_PKIT();
	ASSERT_EQ(0, set_mode("enforce"));
}

FIXTURE_TEARDOWN(chain)
{
	reset();
}

TEST_F(chain, intermediate_in_signature_reaches_trusted_root)
{
	ASSERT_EQ(0, make_fw("fwvt-chain/inter.bin", 3000, NULL));
	ASSERT_EQ(0, sign_trust("fwvt-chain/inter.bin", "tr-leaf1",
				"--chain " PKIT "tr-inter.crt"));
	expect_load(_metadata, "fwvt-chain/inter.bin", 0, "verified");
}

TEST_F(chain, rotated_leaves_both_verify)
{
	ASSERT_EQ(0, make_fw("fwvt-chain/rot1.bin", 3000, NULL));
	ASSERT_EQ(0, make_fw("fwvt-chain/rot2.bin", 3000, NULL));
	ASSERT_EQ(0, sign_trust("fwvt-chain/rot1.bin", "tr-leaf1",
				"--chain " PKIT "tr-inter.crt"));
	ASSERT_EQ(0, sign_trust("fwvt-chain/rot2.bin", "tr-leaf2",
				"--chain " PKIT "tr-inter.crt"));
	expect_load(_metadata, "fwvt-chain/rot1.bin", 0, "verified");
	expect_load(_metadata, "fwvt-chain/rot2.bin", 0, "verified");
}

TEST_F(chain, untrusted_root_is_untrusted)
{
	ASSERT_EQ(0, make_fw("fwvt-chain/stranger.bin", 3000, NULL));
	ASSERT_EQ(0, sign_trust("fwvt-chain/stranger.bin", "ut-leaf",
				"--chain " PKIT "ut-inter.crt --chain " PKIT "ut-root.crt"));
	expect_load(_metadata, "fwvt-chain/stranger.bin", -EKEYREJECTED,
		    "untrusted");
}

TEST_F(chain, missing_intermediate_is_untrusted)
{
	ASSERT_EQ(0, make_fw("fwvt-chain/orphan.bin", 3000, NULL));
	ASSERT_EQ(0, sign_trust("fwvt-chain/orphan.bin", "tr-leaf1", NULL));
	expect_load(_metadata, "fwvt-chain/orphan.bin", -EKEYREJECTED,
		    "untrusted");
}

/* Signed while tr-old was valid (gen-trust.sh); it has expired since. */
TEST_F(chain, expired_leaf_signed_while_valid_verifies)
{
	ASSERT_EQ(0, mkdir("/lib/firmware/fwvt-old", 0755) && errno != EEXIST);
	ASSERT_EQ(0, system("cp " PKIT "old.bin " PKIT "old.bin.p7s /lib/firmware/fwvt-old/"));
	settle();
	expect_load(_metadata, "fwvt-old/old.bin", 0, "verified");
}

/* --- 4. policy ----------------------------------------------------------- */

FIXTURE(policy) {
};

FIXTURE_SETUP(policy)
{
	reset();
}

FIXTURE_TEARDOWN(policy)
{
	reset();
}

TEST_F(policy, file_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(POLICY, &st));
	EXPECT_EQ(0600U, st.st_mode & 07777);
}

TEST_F(policy, reads_back_canonical)
{
	char *got;

	ASSERT_EQ(0, write_str(POLICY,
			       "  enforce \t a/*  \n# a comment\n\nlog b/*.bin\noff c/x"));
	got = read_all(POLICY);
	EXPECT_STREQ("enforce a/*\nlog b/*.bin\noff c/x\n", got);
	free(got);
}

TEST_F(policy, empty_write_clears)
{
	char *got;

	ASSERT_EQ(0, write_str(POLICY, "enforce a/*\n"));
	ASSERT_EQ(0, write_str(POLICY, ""));
	got = read_all(POLICY);
	EXPECT_STREQ("", got);
	free(got);
}

/* Count "policy: line 3" in the kernel log since @fd was opened. */
static int kmsg_count(int fd, const char *what)
{
	char buf[8192];
	ssize_t n;
	int found = 0;

	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		found += !!strstr(buf, what);
	}
	return found;
}

TEST_F(policy, bad_line_changes_nothing_and_is_named)
{
	int fd;

	ASSERT_EQ(0, write_str(POLICY, "enforce keep/*\n"));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);
	expect_refused(_metadata, POLICY, "log a/*\n\nbogus b/*\nenforce c/*\n",
		       EINVAL);
	EXPECT_EQ(1, kmsg_count(fd, "policy: line 3"));
	expect_refused(_metadata, POLICY, "enforce\n", EINVAL);
	expect_refused(_metadata, POLICY, "enforce a/* b/* c/*\n", EINVAL);
	expect_refused(_metadata, POLICY, "enforce a/* signer=\n", EINVAL);
	expect_refused(_metadata, POLICY, "enforce a/* signer=nosuchkey\n", EINVAL);
	expect_refused(_metadata, POLICY, "enforce a/* owner=me\n", EINVAL);
	close(fd);
}

TEST_F(policy, huge_write_is_too_big)
{
	size_t len = 64 * 1024 + 1;
	char *buf = malloc(len + 1), *before = read_all(POLICY), *after;
	size_t i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < len; i++)
		buf[i] = i % 16 == 15 ? '\n' : "log a/b*\n"[i % 16 % 9];
	EXPECT_EQ(-EFBIG, write_buf(POLICY, buf, len));
	after = read_all(POLICY);
	EXPECT_STREQ(before, after);
	free(buf);
	free(before);
	free(after);
}

TEST_F(policy, binary_is_refused)
{
	ASSERT_EQ(0, write_str(POLICY, "log keep/*\n"));
	expect_refused(_metadata, POLICY, "enforce \x01\x02/*\n", EINVAL);
	expect_refused(_metadata, POLICY, "enforce caf\xc3\xa9/*\n", EINVAL);
	EXPECT_EQ(-EINVAL, write_buf(POLICY, "log a/*\n\0log b/*\n", 17));
}

TEST_F(policy, one_vendor_enforced_the_rest_logged)
{
	long denied = read_counter("denied"), allowed = read_counter("allowed");

	ASSERT_EQ(0, make_fw("fwvt-vendorA/u.bin", 1000, NULL));
	ASSERT_EQ(0, make_fw("fwvt-vendorB/u.bin", 1000, NULL));
	ASSERT_EQ(0, write_str(POLICY, "enforce fwvt-vendorA/*\n"));
	expect_load(_metadata, "fwvt-vendorA/u.bin", -EKEYREJECTED, "unsigned");
	expect_load(_metadata, "fwvt-vendorB/u.bin", 0, "unsigned");
	EXPECT_EQ(denied + 1, read_counter("denied"));
	EXPECT_EQ(allowed + 1, read_counter("allowed"));
}

TEST_F(policy, first_match_wins)
{
	ASSERT_EQ(0, make_fw("fwvt-vendorA/open.bin", 1000, NULL));
	ASSERT_EQ(0, make_fw("fwvt-vendorA/closed.bin", 1000, NULL));
	ASSERT_EQ(0, write_str(POLICY, "log fwvt-vendorA/open*\nenforce fwvt-vendorA/*\n"));
	expect_load(_metadata, "fwvt-vendorA/open.bin", 0, "unsigned");
	expect_load(_metadata, "fwvt-vendorA/closed.bin", -EKEYREJECTED, "unsigned");
	ASSERT_EQ(0, write_str(POLICY, "enforce fwvt-vendorA/*\nlog fwvt-vendorA/open*\n"));
	expect_load(_metadata, "fwvt-vendorA/open.bin", -EKEYREJECTED, "unsigned");
	/* Mode enforce, a log rule: the rule decides. */
	ASSERT_EQ(0, set_mode("enforce"));
	ASSERT_EQ(0, write_str(POLICY, "log fwvt-vendorA/*\n"));
	expect_load(_metadata, "fwvt-vendorA/closed.bin", 0, "unsigned");
}

/* The key id a signer= takes: the hex after the last ": " of @desc. */
static const char *key_id(const char *desc)
{
	const char *p = strrchr(desc, ' ');

	return p ? p + 1 : desc;
}

TEST_F(policy, signer_pin_admits_only_that_signer)
{
	char desc[256], rule[512], *got;

	ASSERT_LT(0, fwverify_key("fwverify test RSA signer", desc, sizeof(desc)));
	snprintf(rule, sizeof(rule), "enforce fwvt-pin/* signer=%s\n", key_id(desc));
	ASSERT_EQ(0, write_str(POLICY, rule)) TH_LOG("%s", rule);
	got = read_all(POLICY);
	EXPECT_NE(NULL, strstr(got, "enforce fwvt-pin/* signer=")) TH_LOG("%s", got);
	free(got);

	ASSERT_EQ(0, make_fw("fwvt-pin/rsa.bin", 1000, "rsa-signer"));
	expect_load(_metadata, "fwvt-pin/rsa.bin", 0, "verified");
	if (kernel_has_ecdsa()) {
		/* Trusted, but not the pinned signer. */
		ASSERT_EQ(0, make_fw("fwvt-pin/ec.bin", 1000, "ec-signer"));
		expect_load(_metadata, "fwvt-pin/ec.bin", -EKEYREJECTED, "untrusted");
		ASSERT_EQ(0, make_fw("fwvt-free/ec.bin", 1000, "ec-signer"));
		ASSERT_EQ(0, set_mode("enforce"));
		expect_load(_metadata, "fwvt-free/ec.bin", 0, "verified");
		ASSERT_EQ(0, set_mode("log"));
	}
	if (!access(PKIT "rt-leaf.der", R_OK)) {
		ASSERT_LT(0, add_cert(PKIT "rt-leaf.der"));
		ASSERT_EQ(0, make_fw("fwvt-pin/leaf.bin", 1000, NULL));
		ASSERT_EQ(0, sign_trust("fwvt-pin/leaf.bin", "rt-leaf", "--no-certs"));
		expect_load(_metadata, "fwvt-pin/leaf.bin", -EKEYREJECTED, "untrusted");
	}
}

/* What the policy reads back must be a policy it accepts. */
TEST_F(policy, read_back_with_signer_can_be_written_back)
{
	char desc[256], rule[512], *got;
	int ret;

	ASSERT_LT(0, fwverify_key("fwverify test RSA signer", desc, sizeof(desc)));
	snprintf(rule, sizeof(rule), "enforce fwvt-pin/* signer=%s\n", key_id(desc));
	ASSERT_EQ(0, write_str(POLICY, rule));
	got = read_all(POLICY);
	ASSERT_NE(NULL, got);
	ret = write_str(POLICY, got);
	if (ret)
		TH_LOG("rules.c: policy read back as '%s' is refused (%d) when written back: a signer description with spaces cannot be given", got, ret);
	EXPECT_EQ(0, ret);
	free(got);
}

TEST_F(policy, off_rule_skips_verification)
{
	static const char *const stats[] = {
		"verified", "unsigned", "bad_signature", "untrusted", "revoked",
		"malformed", "error", "denied", "allowed",
	};
	long before[9], after;
	size_t i;

	ASSERT_EQ(0, make_fw("fwvt-off/u.bin", 1000, NULL));
	ASSERT_EQ(0, set_mode("enforce"));
	ASSERT_EQ(0, write_str(POLICY, "off fwvt-off/*\n"));
	for (i = 0; i < 9; i++)
		before[i] = read_counter(stats[i]);
	ASSERT_EQ(0, request_fw("fwvt-off/u.bin"));
	EXPECT_TRUE(driver_has("fwvt-off/u.bin"));
	for (i = 0; i < 9; i++) {
		after = read_counter(stats[i]);
		EXPECT_EQ(before[i], after) TH_LOG("stats/%s", stats[i]);
	}
}

/* --- 5. revocation --------------------------------------------------------- */

FIXTURE(revoke) {
};

FIXTURE_SETUP(revoke)
{
	reset();
	ASSERT_EQ(0, set_mode("enforce"));
}

FIXTURE_TEARDOWN(revoke)
{
	reset();
}

TEST_F(revoke, revoked_blob_is_refused_despite_its_signature)
{
	const char *name = "fwvt-rev/a.bin";
	char digest[128], *list;
	long revoked;

	ASSERT_EQ(0, make_fw(name, 4000, "rsa-signer"));
	expect_load(_metadata, name, 0, "verified");
	digest_of(_metadata, name, digest, sizeof(digest));
	revoked = read_counter("revoked");
	ASSERT_EQ(0, write_str(REVOKE, digest + 7));	/* bare hex */
	expect_load(_metadata, name, -EKEYREJECTED, "revoked");
	EXPECT_EQ(revoked + 1, read_counter("revoked"));
	list = read_all(REVOKE);
	EXPECT_NE(NULL, strstr(list, digest)) TH_LOG("'%s' not in '%s'", digest, list);
	free(list);
}

TEST_F(revoke, revocation_expires_a_cached_verdict)
{
	const char *name = "fwvt-rev/cached.bin";
	char digest[128];
	long cached;

	ASSERT_EQ(0, make_fw(name, 4000, "rsa-signer"));
	expect_load(_metadata, name, 0, "verified");
	cached = read_counter("cached");
	expect_load(_metadata, name, 0, "verified");
	EXPECT_EQ(cached + 1, read_counter("cached"));
	digest_of(_metadata, name, digest, sizeof(digest));
	ASSERT_EQ(0, write_str(REVOKE, digest));	/* "sha256:" form */
	expect_load(_metadata, name, -EKEYREJECTED, "revoked");
}

TEST_F(revoke, duplicates_are_harmless)
{
	const char *name = "fwvt-rev/dup.bin";
	char digest[128], twice[300];
	char *list;
	int n;

	ASSERT_EQ(0, make_fw(name, 4000, "rsa-signer"));
	expect_load(_metadata, name, 0, "verified");
	digest_of(_metadata, name, digest, sizeof(digest));
	ASSERT_EQ(0, write_str(REVOKE, digest));
	list = read_all(REVOKE);
	n = count_lines(list);
	free(list);
	snprintf(twice, sizeof(twice), "%s\n%s\n", digest, digest + 7);
	EXPECT_EQ(0, write_str(REVOKE, twice));
	list = read_all(REVOKE);
	EXPECT_EQ(n, count_lines(list));
	free(list);
}

TEST_F(revoke, bad_line_adds_nothing)
{
	const char *name = "fwvt-rev/bad.bin";
	char digest[128], buf[400], *list;
	int fd;

	ASSERT_EQ(0, make_fw(name, 4000, "rsa-signer"));
	expect_load(_metadata, name, 0, "verified");
	digest_of(_metadata, name, digest, sizeof(digest));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	lseek(fd, 0, SEEK_END);
	snprintf(buf, sizeof(buf), "%s\nsha256:%.63sz\n", digest, digest + 7);
	EXPECT_EQ(-EINVAL, write_str(REVOKE, buf));
	EXPECT_EQ(1, kmsg_count(fd, "revoke: line 2"));
	close(fd);
	list = read_all(REVOKE);
	EXPECT_EQ(NULL, strstr(list, digest)) TH_LOG("'%s' was added by a failed write", digest);
	free(list);
	EXPECT_EQ(-EINVAL, write_str(REVOKE, "sha256:1234\n"));
	EXPECT_EQ(-EINVAL, write_str(REVOKE, "md5:d41d8cd98f00b204e9800998ecf8427e\n"));
	expect_load(_metadata, name, 0, "verified");
}

/* --- 6. inputs no knob should choke on ------------------------------------ */

/* Would kstrtobool() read @s as true?  Then it would lock: never written. */
static bool locks(const unsigned char *s, size_t len)
{
	char w[3];

	/* The lock's words (ABI): "1", "y" or "on", any case, then a newline. */
	if (len && s[len - 1] == '\n')
		len--;
	if (!len || len > 2)
		return false;
	memcpy(w, s, len);
	w[len] = '\0';
	return !strcasecmp(w, "1") || !strcasecmp(w, "y") || !strcasecmp(w, "on");
}

struct snapshot {
	char mode[32], trust[64], max_size[32], max_entries[32], lock[8];
	char *policy;
};

static void snap(struct snapshot *s)
{
	read_str(MODE, s->mode, sizeof(s->mode));
	read_str(TRUST, s->trust, sizeof(s->trust));
	read_str(MAX_SIZE, s->max_size, sizeof(s->max_size));
	read_str(MAX_ENTRIES, s->max_entries, sizeof(s->max_entries));
	read_str(LOCK, s->lock, sizeof(s->lock));
	s->policy = read_all(POLICY);
}

/* What differs between two snapshots, or NULL. */
static const char *snap_diff(const struct snapshot *a, const struct snapshot *b)
{
	if (strcmp(a->mode, b->mode))
		return "mode";
	if (strcmp(a->trust, b->trust))
		return "trust";
	if (strcmp(a->max_size, b->max_size))
		return "max_size";
	if (strcmp(a->max_entries, b->max_entries))
		return "max_entries";
	if (strcmp(a->lock, b->lock))
		return "lock";
	if (!a->policy || !b->policy || strcmp(a->policy, b->policy))
		return "policy";
	return NULL;
}

/* Put back what a junk write that was taken may have changed. */
static void restore(const struct snapshot *s)
{
	write_str(MODE, s->mode);
	write_str(TRUST, s->trust);
	write_str(MAX_SIZE, s->max_size);
	write_str(MAX_ENTRIES, s->max_entries);
	write_str(POLICY, s->policy);
}

/*
 * No state of its own: a fixture only for a time limit above the inputs'
 * 60 s budget (the harness gives a TEST 30 s, which a debug kernel under
 * load exceeds).
 */
FIXTURE(junk) {
	int unused;
};

FIXTURE_SETUP(junk)
{
}

FIXTURE_TEARDOWN(junk)
{
}

TEST_F_TIMEOUT(junk, knobs_survive_junk, 120)
{
	static const char *const knobs[] = {
		POLICY, REVOKE, CHECK, MODE, TRUST, MAX_SIZE, MAX_ENTRIES, LOCK,
	};
	static const char *const fixed[] = {
		"", "x", "\n", " ", "\t\t\n", "#", "enforce", "enforce \n",
		"log *", "off  ", "sha256:", "/", "/nonexistent", "/proc/self/mem",
		"enforce fw\xc3\xa4/*\n", "\xef\xbb\xbf" "enforce a/*", "\xff\xfe\xfd",
		"-1", "18446744073709551616", "0x", "nonE", "none,", ",", "enforce\r\n",
		/* kstrtobool() takes these for true (7.x: "e..." too): no lock. */
		"yes", "true", "t", "Yep", "1x", "on2", "enable",
	};
	size_t big = 64 * 1024 + 1, len, k, i;
	unsigned char *buf = malloc(big + 1);
	struct snapshot before, after, now, then;
	const char *what;
	unsigned int seed = time(NULL);
	time_t start = time(NULL);
	int ret, fails = 0;

	ASSERT_NE(NULL, buf);
	TH_LOG("seed %u", seed);
	srand(seed);
	ASSERT_EQ(0, write_str(POLICY, "log fwvt-keep/*\n"));
	ASSERT_EQ(0, set_mode("log"));
	snap(&before);
	for (k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++) {
		for (i = 0; i < 100 && time(NULL) - start < 60; i++) {
			if (i < sizeof(fixed) / sizeof(fixed[0])) {
				len = strlen(fixed[i]);
				memcpy(buf, fixed[i], len);
			} else if (i < 40) {
				/* boundaries: PATH_MAX, a page, 64 KiB + 1, lines */
				static const size_t sizes[] = { 4095, 4096, 4097,
					65535, 65536, 65537, 255, 256, 1, 2,
					1023, 8192, 16, 17, 64, 65 };
				len = sizes[i % 16];
				memset(buf, i % 2 ? 'a' : '/', len);
				if (i % 3 == 0 && len > 8)
					memcpy(buf, "enforce ", 8);
			} else {
				len = rand() % (i < 90 ? 300 : big);
				for (size_t j = 0; j < len; j++)
					buf[j] = i % 2 ? rand() : 0x20 + rand() % 95;
				if (i % 7 == 0 && len)
					buf[rand() % len] = '\0';
			}
			if (!strcmp(knobs[k], LOCK) && locks(buf, len))
				continue;
			snap(&now);
			ret = write_buf(knobs[k], buf, len);
			if (ret && ret != -EINVAL && ret != -EFBIG && ret != -E2BIG &&
			    ret != -ENOENT && ret != -ENOTDIR && ret != -ENAMETOOLONG &&
			    ret != -ERANGE && ret != -EACCES && ret != -ENOKEY &&
			    ret != -EISDIR && ret != -ELOOP && ret != -EPERM &&
			    ret != -ENOSPC) {
				TH_LOG("%s: input %zu (%zu bytes): unexpected %d",
				       knobs[k], i, len, ret);
				fails++;
			}
			snap(&then);
			what = snap_diff(&now, &then);
			if (ret && what) {
				TH_LOG("%s: input %zu (%zu bytes) failed with %d but changed %s",
				       knobs[k], i, len, ret, what);
				fails++;
			}
			if (!ret && what)
				restore(&before);
			free(now.policy);
			free(then.policy);
		}
	}
	snap(&after);
	EXPECT_EQ(0, fails);
	EXPECT_STREQ(before.mode, after.mode);
	EXPECT_STREQ(before.trust, after.trust);
	EXPECT_STREQ(before.policy, after.policy);
	ASSERT_EQ(0, read_str(LOCK, (char *)buf, 8));
	EXPECT_STREQ("0", (char *)buf);
	ASSERT_EQ(0, make_fw("fwvt-junk/u.bin", 1000, NULL));
	ASSERT_EQ(0, set_mode("enforce"));
	expect_load(_metadata, "fwvt-junk/u.bin", -EKEYREJECTED, "unsigned");
	TH_LOG("%ld s", (long)(time(NULL) - start));
	free(before.policy);
	free(after.policy);
	free(buf);
	reset();
}

/* --- 7. policy changes racing loads ------------------------------------- */

#define RACE_LOADERS	3
#define RACE_LOADS	100

struct race {
	volatile int done;
	long ok, rejected, other, other_err, writes;
};

TEST(policy_changes_race_loads)
{
	struct race *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long denied = read_counter("denied"), allowed = read_counter("allowed");
	pid_t writer, loaders[RACE_LOADERS];
	int i, status;

	ASSERT_NE(MAP_FAILED, r);
	ASSERT_EQ(0, make_fw("fwvt-race/x.bin", 2000, NULL));
	ASSERT_EQ(0, set_mode("log"));
	writer = fork();
	ASSERT_LE(0, writer);
	if (!writer) {
		long n;

		for (n = 0; !r->done || n < 200; n++)
			if (write_str(POLICY, n % 2 ? "log fwvt-race/*\n" :
				      "enforce fwvt-race/*\n"))
				_exit(1);
		__atomic_store_n(&r->writes, n, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	for (i = 0; i < RACE_LOADERS; i++) {
		loaders[i] = fork();
		ASSERT_LE(0, loaders[i]);
		if (!loaders[i]) {
			for (int j = 0; j < RACE_LOADS; j++) {
				int ret = request_fw("fwvt-race/x.bin");

				if (!ret)
					__atomic_add_fetch(&r->ok, 1, __ATOMIC_SEQ_CST);
				else if (ret == -EKEYREJECTED)
					__atomic_add_fetch(&r->rejected, 1, __ATOMIC_SEQ_CST);
				else {
					__atomic_add_fetch(&r->other, 1, __ATOMIC_SEQ_CST);
					r->other_err = ret;
				}
			}
			_exit(0);
		}
	}
	for (i = 0; i < RACE_LOADERS; i++) {
		ASSERT_EQ(loaders[i], waitpid(loaders[i], &status, 0));
		EXPECT_EQ(0, status);
	}
	r->done = 1;
	ASSERT_EQ(writer, waitpid(writer, &status, 0));
	EXPECT_EQ(0, status) TH_LOG("a policy write failed");
	TH_LOG("%ld loads allowed, %ld refused, %ld policy writes", r->ok,
	       r->rejected, r->writes);
	EXPECT_EQ(0, r->other) TH_LOG("a load failed with %ld", r->other_err);
	EXPECT_EQ(RACE_LOADERS * RACE_LOADS, r->ok + r->rejected);
	EXPECT_EQ(r->ok, read_counter("allowed") - allowed);
	EXPECT_EQ(r->rejected, read_counter("denied") - denied);
	munmap(r, sizeof(*r));
	reset();
}

/* --- 8. lockdown and the lock: last, they cannot be undone ----------------- */

static bool wait_locked(int seconds)
{
	char v[8] = "";
	int i;

	for (i = 0; i <= seconds * 10; i++) {
		if (!read_str(LOCK, v, sizeof(v)) && !strcmp(v, "1"))
			return true;
		if (i < seconds * 10)
			usleep(100 * 1000);
	}
	return false;
}

/*
 * Lockdown comes first: once the lock file has locked fwverify, nothing
 * would show that lockdown locks it too.  The lock test then checks the
 * frozen state, whichever locked it, and writes 1 itself if lockdown was
 * not available.  The policy set here guards loads while locked.
 */
FIXTURE(lock) {
};

FIXTURE_SETUP(lock)
{
}

FIXTURE_TEARDOWN(lock)
{
}

TEST_F(lock, lockdown_locks)
{
	char level[128];

	reset();
	ASSERT_EQ(0, write_str(POLICY, "enforce fwvt-locked/*\n"));
	if (read_str(LOCKDOWN, level, sizeof(level)))
		SKIP(return, "no " LOCKDOWN " on this kernel");
	if (!strstr(level, "[none]"))
		SKIP(return, "already locked down: %s", level);
	ASSERT_EQ(0, write_str(LOCKDOWN, "integrity"));
	/* The module polls once a second: no knob write may wake it. */
	if (!wait_locked(3))
		TH_LOG("lock.c: lockdown not noticed within 3 s without a knob write");
	EXPECT_EQ(-EPERM, set_mode("enforce"));
	if (!wait_locked(1)) {
		/* Not even at a knob write: do not unload what cannot come back. */
		TH_LOG("lock.c: lockdown (%s) not noticed at a knob write either", level);
		ASSERT_TRUE(false);
	}
	EXPECT_NE(0, unload_module());
}

TEST_F(lock, lock_freezes_mode_trust_policy_and_keys)
{
	char v[64], digest[128];
	long key;
	int ret;

	if (!wait_locked(0)) {
		ASSERT_EQ(0, write_str(POLICY, "enforce fwvt-locked/*\n"));
		ASSERT_EQ(0, set_mode("log"));
		ASSERT_EQ(0, write_str(LOCK, "1"));
	}
	ASSERT_TRUE(wait_locked(0));
	EXPECT_EQ(0, write_str(LOCK, "1"));	/* again: harmless */
	EXPECT_EQ(-EPERM, write_str(LOCK, "0"));
	EXPECT_TRUE(wait_locked(0));

	expect_refused(_metadata, MODE, "enforce", EPERM);
	expect_refused(_metadata, MODE, "off", EPERM);
	expect_refused(_metadata, TRUST, "builtin", EPERM);
	expect_refused(_metadata, POLICY, "off *\n", EPERM);
	expect_refused(_metadata, POLICY, "", EPERM);
	ASSERT_EQ(0, read_str(MODE, v, sizeof(v)));
	EXPECT_STREQ("log", v);

	if (!access(PKIT "tr-inter.der", R_OK)) {
		/* Issued by rsa-signer: accepted before the lock. */
		key = add_cert(PKIT "tr-inter.der");
		EXPECT_GT(0, key) TH_LOG("a key was added while locked: %ld", key);
		EXPECT_TRUE(key == -EACCES || key == -EPERM) TH_LOG("add_key: %ld", key);
	}

	ret = unload_module();
	if (fwverify_builtin()) {
		EXPECT_EQ(-ENOENT, ret) TH_LOG("delete_module: %d", ret);
	} else {
		EXPECT_TRUE(ret == -EBUSY || ret == -EAGAIN)
			TH_LOG("delete_module: %d", ret);
	}

	/* Loads are still guarded, and revocation still grows. */
	ASSERT_EQ(0, make_fw("fwvt-locked/u.bin", 1000, NULL));
	expect_load(_metadata, "fwvt-locked/u.bin", -EKEYREJECTED, "unsigned");
	ASSERT_EQ(0, make_fw("fwvt-locked/s.bin", 1000, "rsa-signer"));
	expect_load(_metadata, "fwvt-locked/s.bin", 0, "verified");
	digest_of(_metadata, "fwvt-locked/s.bin", digest, sizeof(digest));
	EXPECT_EQ(0, write_str(REVOKE, digest));
	expect_load(_metadata, "fwvt-locked/s.bin", -EKEYREJECTED, "revoked");
}

TEST_HARNESS_MAIN
