// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify kselftests of attacks (issue 14): ways to hand a driver bytes
 * no trusted key signed for it, or to make fwverify report them wrongly.
 * Each test does what an attacker who can write the firmware tree, or root
 * against a locked fwverify, would do, and asserts what the driver got
 * (read back through test_firmware) and what fwverify reported.
 *
 *  1. compression: frames, streams and bytes after the signed one
 *  2. a revoked content recompressed
 *  3. a compressed name linked to a file without the suffix: this oopsed
 *     once, so its tests are a fixture of their own (-f symlink_oops)
 *  4. the verdict cache and forged timestamps
 *  5. the lock: ftrace_enabled, rmmod -f, max_size and max_entries; the
 *     locked fixture runs after fwverify_trust_test has locked fwverify
 *     (run_vm.sh: this binary with -F locked, then -f locked at the end)
 *  6. partial reads spliced from two files, the custom firmware path seen
 *     from a private mount namespace, allocation failures
 *  7. a signature made for another firmware name
 *
 * The fixtures are made by mkfwtree.sh (fwverify-test/attack/) or here.
 */
#include "fwverify_lib.h"

#include <sched.h>
#include <sys/mount.h>

#define FWA		"fwverify-test/attack/"
#define FWROOT		"/lib/firmware/"
/* What the loader decodes from each fixture of mkfwtree.sh. */
#define PLAIN		FWROOT FWA "plain/"
#define FW_PATH_PARAM	"/sys/module/firmware_class/parameters/path"
#define MAX_SIZE	"/sys/module/fwverify/parameters/max_size"
#define MAX_ENTRIES	"/sys/module/fwverify/parameters/max_entries"
#define FTRACE_ENABLED	"/proc/sys/kernel/ftrace_enabled"
#define FAILSLAB	"/sys/kernel/debug/failslab/"

/* --- helpers ------------------------------------------------------------- */

static int tf_set(const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), TF_DIR "%s", attr);
	return write_str(path, val);
}

/*
 * One request through test_firmware's batched interface: with @partial,
 * request_partial_firmware_into_buf() of @size bytes at @offset, else
 * request_firmware_into_buf() into a buffer of @size bytes (at most 1000:
 * test_firmware's buffer is 1 KiB).  Returns 0 or the request's -errno;
 * the bytes the driver got go to @out (4096 bytes), their number to @outlen.
 */
static int into_buf(const char *name, bool partial, size_t offset,
		    size_t size, char *out, size_t *outlen)
{
	char res[32], num[32];
	int err, fd;
	ssize_t n;

	*outlen = 0;
	tf_set("reset", "1");
	snprintf(num, sizeof(num), "%zu", size);
	if (tf_set("config_name", name) || tf_set("config_num_requests", "1") ||
	    tf_set("config_into_buf", "1") ||
	    tf_set("config_partial", partial ? "1" : "0") ||
	    tf_set("config_buf_size", num))
		return -EIO;
	snprintf(num, sizeof(num), "%zu", offset);
	if (tf_set("config_file_offset", num))
		return -EIO;
	err = tf_set("trigger_batched_requests", "1");
	if (!err)
		err = read_str(TF_DIR "test_result", res, sizeof(res)) ? -EIO :
								      atoi(res);
	if (!err) {
		fd = open(TF_DIR "read_firmware", O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, out, 4096) : -1;
		if (fd >= 0)
			close(fd);
		*outlen = n > 0 ? n : 0;
	}
	tf_set("release_all_firmware", "1");
	tf_set("reset", "1");
	return err;
}

/* Are the @len bytes of @buf the bytes at @off of the file @path? */
static bool same_range(const char *path, size_t off, const char *buf,
		       size_t len)
{
	size_t flen = 0;
	char *file = slurp(path, &flen);
	bool same = file && flen >= off + len && !memcmp(file + off, buf, len);

	free(file);
	return same;
}

/* Are the @len bytes of @buf the whole file @path? */
static bool same_file(const char *path, const char *buf, size_t len)
{
	size_t flen = 0;
	char *file = slurp(path, &flen);
	bool same = file && flen == len && !memcmp(file, buf, len);

	free(file);
	return same;
}

/* Does the driver (trigger_request's firmware) hold exactly the file @path? */
static bool driver_holds(const char *path)
{
	size_t len = 0;
	char *dev = slurp(TEST_DEV, &len);
	bool same = dev && same_file(path, dev, len);

	free(dev);
	return same;
}

static int copy_file(const char *from, const char *to)
{
	size_t len = 0;
	char *buf = slurp(from, &len);
	int fd, err = 0;

	if (!buf)
		return -ENOENT;
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		err = -EIO;
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

/*
 * Load @name through request_firmware(); expect @err and @result in the
 * firmware table, and the driver to hold exactly the file @content, or
 * (@content NULL) nothing at all.
 */
#define expect_load(...) expect_load_at(_metadata, __LINE__, __VA_ARGS__)

static void expect_load_at(struct __test_metadata *_metadata, int line,
			   const char *name, int err, const char *result,
			   const char *content)
{
	char got[64] = "";
	int ret = request_fw(name);

	table_field(name, "result", got, sizeof(got));
	if (ret != err || strcmp(got, result))
		TH_LOG("line %d: %s: expected %d (%s), saw %d (%s)", line, name,
		       err, result, ret, got[0] ? got : "no table entry");
	EXPECT_EQ(err, ret);
	EXPECT_STREQ(result, got);
	if (content) {
		EXPECT_TRUE(driver_holds(content))
			TH_LOG("line %d: %s: the driver does not hold %s", line,
			       name, content);
	} else {
		EXPECT_TRUE(driver_empty())
			TH_LOG("line %d: %s: the driver holds the bytes of a refused load",
			       line, name);
	}
}

/*
 * Write @value to the knob @path: expect -@err, and the knob unchanged.
 * A write that was taken is undone.
 */
static void expect_knob_refused(struct __test_metadata *_metadata,
				const char *path, const char *value, int err)
{
	char before[64], after[64];
	int ret;

	ASSERT_EQ(0, read_str(path, before, sizeof(before)));
	ret = write_str(path, value);
	ASSERT_EQ(0, read_str(path, after, sizeof(after)));
	if (ret != -err || strcmp(before, after))
		TH_LOG("write %s to %s: expected %d and %s kept, saw %d and %s",
		       value, path, -err, before, ret, after);
	EXPECT_EQ(-err, ret);
	EXPECT_STREQ(before, after);
	if (strcmp(before, after))
		write_str(path, before);
}

/* Does this kernel's loader decompress .zst?  (Debian's 6.1 does not.) */
static bool loader_has_zstd(void)
{
	/* zprobe.bin.zst is signed: any mode loads it where .zst is known. */
	return request_fw(FWA "zprobe.bin") != -ENOENT;
}

#define SKIP_WITHOUT_ZSTD()						\
	do {								\
		if (!loader_has_zstd())					\
			SKIP(return, "this kernel's firmware loader has no .zst support"); \
	} while (0)

/* --- fixtures ------------------------------------------------------------ */

/* The same attack in each mode: enforce refuses, log reports and allows. */
FIXTURE(attack) {
};

FIXTURE_VARIANT(attack) {
	const char *mode;
	bool enforce;
};

FIXTURE_VARIANT_ADD(attack, enforce) { .mode = "enforce", .enforce = true };
FIXTURE_VARIANT_ADD(attack, log) { .mode = "log", .enforce = false };

FIXTURE_SETUP(attack)
{
	ASSERT_EQ(0, set_mode(variant->mode));
}

FIXTURE_TEARDOWN(attack)
{
	set_mode("log");
}

/* A fresh name per variant, for state fwverify keeps per name. */
static const char *fresh(const char *fmt, const char *mode)
{
	static int n;
	static char buf[8][128];
	char *b = buf[n++ % 8];

	snprintf(b, 128, fmt, strcmp(mode, "enforce") ? 2 : 1);
	return b;
}

/* Attacks set up by hand: every knob they touch is put back. */
FIXTURE(plain) {
};

FIXTURE_SETUP(plain)
{
}

FIXTURE_TEARDOWN(plain)
{
	if (!access(FAILSLAB "probability", F_OK))
		write_str(FAILSLAB "probability", "0");
	/* One NUL byte: the empty string, the loader's default. */
	write_buf(FW_PATH_PARAM, "", 1);
	write_str(POLICY, "");
	set_mode("log");
}

/* --- 1. compression ------------------------------------------------------ */

/*
 * zsplice.bin.zst: a frame of signed content, then a frame of other bytes;
 * zsplice.bin.p7s covers the first frame only.  request_firmware_into_buf()
 * decodes every frame into the driver's buffer.
 */
TEST_F(attack, zstd_unsigned_frame_after_signed_frame_is_refused)
{
	const char *name = FWA "zsplice.bin";
	char buf[4096], got[64] = "";
	size_t len = 0;
	int ret;

	SKIP_WITHOUT_ZSTD();
	ret = into_buf(name, false, 0, 1000, buf, &len);
	table_field(name, "result", got, sizeof(got));
	if (ret != (variant->enforce ? -EKEYREJECTED : 0) ||
	    strcmp(got, "bad-signature") || (variant->enforce && len))
		TH_LOG("%s into a buffer: expected %d (bad-signature), saw %d (%s) and %zu bytes in the driver",
		       name, variant->enforce ? -EKEYREJECTED : 0, ret, got, len);
	EXPECT_STREQ("bad-signature", got);
	if (variant->enforce) {
		EXPECT_EQ(-EKEYREJECTED, ret);
		EXPECT_EQ((size_t)0, len);
	} else {
		EXPECT_EQ(0, ret);
		/* As without fwverify: both frames. */
		EXPECT_TRUE(same_file(PLAIN "zsplice.bin", buf, len))
			TH_LOG("the driver got %zu bytes, not both frames", len);
	}
}

/* zskip.bin.zst: signed content, then a skippable frame the loader skips. */
TEST_F(attack, zstd_skippable_frame_after_signed_frame_verifies)
{
	SKIP_WITHOUT_ZSTD();
	expect_load(FWA "zskip.bin", 0, "verified",
		    PLAIN "zskip.bin");
}

/*
 * One stream of signed content, then 64 random bytes (xtrail), a second
 * stream (xtwo) or stream padding (xpad).  The loader decodes the first
 * stream only, but fwverify decodes exactly one stream and nothing after.
 */
TEST_F(attack, xz_data_after_the_stream_is_malformed)
{
	static const char *const names[] = { "xtrail.bin", "xtwo.bin", "xpad.bin" };
	char name[128], content[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(name, sizeof(name), FWA "%s", names[i]);
		snprintf(content, sizeof(content), PLAIN "%s", names[i]);
		expect_load(name, variant->enforce ? -EKEYREJECTED : 0,
			    "malformed", variant->enforce ? NULL : content);
	}
}

/* --- 2. revocation ------------------------------------------------------- */

/*
 * rev.bin.xz and rev-alt/rev.bin.xz: the same signed content (rev.bin.p7s),
 * compressed with other xz settings.  Revoking the digest fwverify reports
 * revokes the content, not one compressed file of it.
 */
TEST_F(plain, revoked_content_stays_revoked_when_recompressed)
{
	const char *name = FWA "rev.bin";
	char digest[128] = "", want[128] = "";

	ASSERT_EQ(0, set_mode("enforce"));
	expect_load(name, 0, "verified", PLAIN "rev.bin");
	ASSERT_EQ(0, table_field(name, "digest", digest, sizeof(digest)));
	ASSERT_EQ(0, read_str(PLAIN "rev.bin.sha256", want, sizeof(want)));
	EXPECT_STREQ(want, digest)
		TH_LOG("a content signature's digest is the content's");
	ASSERT_EQ(0, write_str(REVOKE, digest));
	expect_load(name, -EKEYREJECTED, "revoked", NULL);

	ASSERT_EQ(0, rename(FWROOT FWA "rev-alt/rev.bin.xz", FWROOT FWA "rev.bin.xz"));
	settle();
	expect_load(name, -EKEYREJECTED, "revoked", NULL);
}

/* --- 3. a compressed name linked to a file without the suffix ----------- */

/*
 * oops/fw.bin.xz -> ../oops-store/blob and oops/fw2.bin.xz ->
 * ../oops-store/blob2: the loader reads them as xz, whatever the target is
 * called.  blob is not xz (oops/fw.bin.p7s signs its raw bytes); blob2 is
 * xz of the content oops/fw2.bin.p7s signs.
 */
FIXTURE(symlink_oops) {
};

FIXTURE_VARIANT(symlink_oops) {
	const char *mode;
	bool enforce;
};

FIXTURE_VARIANT_ADD(symlink_oops, enforce) { .mode = "enforce", .enforce = true };
FIXTURE_VARIANT_ADD(symlink_oops, log) { .mode = "log", .enforce = false };

FIXTURE_SETUP(symlink_oops)
{
	ASSERT_EQ(0, set_mode(variant->mode));
}

FIXTURE_TEARDOWN(symlink_oops)
{
	set_mode("log");
}

TEST_F(symlink_oops, compressed_link_to_a_file_that_is_not_xz_is_malformed)
{
	const char *name = FWA "oops/fw.bin";
	char got[64] = "";
	int ret = request_fw(name);

	/* Reaching this line at all is the first half of the test. */
	if (fwverify_builtin())
		SKIP(return, "built in, fwverify sees only the link's target");
	table_field(name, "result", got, sizeof(got));
	if (strcmp(got, "malformed") || !ret ||
	    (variant->enforce && ret != -EKEYREJECTED))
		TH_LOG("%s: expected a refusal (malformed), saw %d (%s)", name,
		       ret, got[0] ? got : "no table entry");
	EXPECT_STREQ("malformed", got);
	/* In log mode the loader's own decompression fails. */
	EXPECT_NE(0, ret);
	if (variant->enforce)
		EXPECT_EQ(-EKEYREJECTED, ret);
	EXPECT_TRUE(driver_empty());
}

TEST_F(symlink_oops, compressed_link_to_xz_of_signed_content_verifies)
{
	if (fwverify_builtin()) {
		request_fw(FWA "oops/fw2.bin");
		SKIP(return, "built in, fwverify sees only the link's target");
	}
	expect_load(FWA "oops/fw2.bin", 0, "verified",
		    PLAIN "oops-fw2.bin");
}

/* --- 4. the verdict cache ------------------------------------------------ */

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/*
 * Give @path the ctime @ct: set the clock back to @ct and chmod, which
 * stamps the ctime from the coarse clock (exactly @ct until its next
 * tick), then put the clock where it would have been.  True if it worked.
 */
static bool forge_ctime(const char *path, mode_t mode, struct timespec ct)
{
	struct timespec real, m0, m1, now;
	struct stat st;
	int i;

	for (i = 0; i < 100; i++) {
		clock_gettime(CLOCK_REALTIME, &real);
		clock_gettime(CLOCK_MONOTONIC, &m0);
		if (clock_settime(CLOCK_REALTIME, &ct))
			return false;
		chmod(path, mode);
		clock_gettime(CLOCK_MONOTONIC, &m1);
		now.tv_sec = real.tv_sec + m1.tv_sec - m0.tv_sec;
		now.tv_nsec = real.tv_nsec + m1.tv_nsec - m0.tv_nsec;
		while (now.tv_nsec < 0) {
			now.tv_nsec += 1000000000;
			now.tv_sec--;
		}
		while (now.tv_nsec >= 1000000000) {
			now.tv_nsec -= 1000000000;
			now.tv_sec++;
		}
		clock_settime(CLOCK_REALTIME, &now);
		if (!stat(path, &st) && ts_eq(st.st_ctim, ct))
			return true;
	}
	return false;
}

/* Overwrite the @len bytes of @path with random ones, in place. */
static int rewrite_in_place(const char *path, size_t len)
{
	char *buf = malloc(len);
	int fd, err = 0;
	size_t i;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		buf[i] = rand();
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len)
		err = -EIO;
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

/*
 * A signed firmware is loaded, then rewritten in place: same size, its
 * mtime put back with utimensat(), its ctime forged by setting the clock
 * back.  Every timestamp and the inode are what they were; the contents
 * are not.  The next load is verified afresh and refused.
 */
TEST_F(plain, cache_is_not_fooled_by_forged_timestamps)
{
	const char *name = FWA "forged.bin";
	const char *path = FWROOT FWA "forged.bin";
	struct timespec times[2];
	struct stat st0, st1;
	char reads[1024] = "";
	long cached;

	ASSERT_EQ(0, set_mode("enforce"));
	ASSERT_EQ(0, make_fw(name, 4096, "rsa-signer"));
	ASSERT_EQ(0, stat(path, &st0));
	expect_load(name, 0, "verified", path);
	cached = read_counter("cached");

	ASSERT_EQ(0, rewrite_in_place(path, 4096));
	times[0].tv_sec = 0;
	times[0].tv_nsec = UTIME_OMIT;
	times[1] = st0.st_mtim;
	ASSERT_EQ(0, utimensat(AT_FDCWD, path, times, 0));
	ASSERT_TRUE(forge_ctime(path, st0.st_mode & 07777, st0.st_ctim))
		TH_LOG("could not set the ctime of %s back", path);
	ASSERT_EQ(0, stat(path, &st1));
	ASSERT_EQ(st0.st_ino, st1.st_ino);
	ASSERT_EQ(st0.st_size, st1.st_size);
	ASSERT_TRUE(ts_eq(st0.st_mtim, st1.st_mtim));
	ASSERT_TRUE(ts_eq(st0.st_ctim, st1.st_ctim));
	settle();

	expect_load(name, -EKEYREJECTED, "bad-signature", NULL);
	ASSERT_EQ(0, table_field(name, "reads", reads, sizeof(reads)));
	EXPECT_EQ(NULL, strstr(reads, "cached")) TH_LOG("reads: %s", reads);
	EXPECT_EQ(cached, read_counter("cached"));
}

/* --- 5. knobs, and the lock ---------------------------------------------- */

TEST_F(plain, max_size_above_int_max_is_refused)
{
	expect_knob_refused(_metadata, MAX_SIZE, "18446744073709551615", EINVAL);
	expect_knob_refused(_metadata, MAX_SIZE, "2147483648", EINVAL);
}

/*
 * A locked fwverify, as fwverify_trust_test leaves it (run alone, this
 * fixture locks it so): an enforce rule for fwvt-locked/, mode log.  Its last test
 * tries to unload the module.
 */
FIXTURE(locked) {
};

FIXTURE_SETUP(locked)
{
	char v[8] = "";

	if (read_str(LOCK, v, sizeof(v)) || strcmp(v, "1")) {
		ASSERT_EQ(0, write_str(POLICY, "enforce fwvt-locked/*\n"));
		ASSERT_EQ(0, set_mode("log"));
		ASSERT_EQ(0, write_str(LOCK, "1"));
	}
	ASSERT_EQ(0, read_str(LOCK, v, sizeof(v)));
	ASSERT_STREQ("1", v);
}

FIXTURE_TEARDOWN(locked)
{
	/* Whatever a test did, function tracing (fwverify's hooks) is back on. */
	if (!access(FTRACE_ENABLED, F_OK))
		write_str(FTRACE_ENABLED, "1");
}

/* An unsigned firmware under the locked policy is still refused. */
static void expect_guarded(struct __test_metadata *_metadata, const char *after)
{
	static int n;
	char name[128], got[64] = "";
	bool empty;
	int ret;

	snprintf(name, sizeof(name), "fwvt-locked/attack-%d-%d.bin", getpid(), n++);
	ASSERT_EQ(0, make_fw(name, 1000, NULL));
	ret = request_fw(name);
	empty = driver_empty();
	table_field(name, "result", got, sizeof(got));
	if (ret != -EKEYREJECTED || strcmp(got, "unsigned") || !empty)
		TH_LOG("after %s: the unsigned %s: expected %d (unsigned), saw %d (%s)%s",
		       after, name, -EKEYREJECTED, ret, got[0] ? got : "no table entry",
		       empty ? "" : ", and the driver holds it");
	EXPECT_EQ(-EKEYREJECTED, ret);
	EXPECT_STREQ("unsigned", got);
	EXPECT_TRUE(empty);
}

TEST_F(locked, ftrace_cannot_be_switched_off)
{
	int ret;

	SKIP_IF_BUILTIN("no ftrace hooks");
	if (access(FTRACE_ENABLED, W_OK))
		SKIP(return, "no " FTRACE_ENABLED);
	ret = write_str(FTRACE_ENABLED, "0");
	if (ret != -EBUSY)
		TH_LOG("write 0 to " FTRACE_ENABLED ": expected %d, saw %d",
		       -EBUSY, ret);
	EXPECT_EQ(-EBUSY, ret);
	expect_guarded(_metadata, "echo 0 > " FTRACE_ENABLED);
	EXPECT_EQ(0, write_str(FTRACE_ENABLED, "1"));
}

TEST_F(locked, max_size_and_max_entries_are_frozen)
{
	char v[64], more[64];

	ASSERT_EQ(0, read_str(MAX_SIZE, v, sizeof(v)));
	snprintf(more, sizeof(more), "%lu", strtoul(v, NULL, 10) + 1);
	expect_knob_refused(_metadata, MAX_SIZE, more, EPERM);
	ASSERT_EQ(0, read_str(MAX_ENTRIES, v, sizeof(v)));
	snprintf(more, sizeof(more), "%lu", strtoul(v, NULL, 10) + 1);
	expect_knob_refused(_metadata, MAX_ENTRIES, more, EPERM);
}

/* Last: on a kernel that lets it, this unloads fwverify. */
TEST_F(locked, forced_unload_fails)
{
	long ret;

	SKIP_IF_BUILTIN("no module to unload");
	/* rmmod -f */
	ret = syscall(SYS_delete_module, "fwverify", O_TRUNC | O_NONBLOCK);
	ret = ret ? -errno : 0;
	if (ret != -EBUSY && ret != -EWOULDBLOCK)
		TH_LOG("delete_module(fwverify, O_TRUNC | O_NONBLOCK): expected %d or %d, saw %ld",
		       -EBUSY, -EWOULDBLOCK, ret);
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK);
	EXPECT_EQ(0, access("/sys/module/fwverify", F_OK));
	expect_guarded(_metadata, "rmmod -f fwverify");
}

/* --- 6. partial reads, the custom path, allocation failures ------------- */

/*
 * A driver reads a signed file in parts; between two parts another signed
 * file of the same size is renamed over it.  The driver would hold half of
 * each: the second part is refused (in log mode, reported).
 */
TEST_F(attack, partial_reads_spliced_from_two_files_are_refused)
{
	const char *name = fresh(FWA "splice-%d.bin", variant->mode);
	char path[256], next[300], sig[300], nsig[320], args[512];
	char buf[4096], got[64] = "";
	size_t len = 0;
	int ret;

	snprintf(path, sizeof(path), FWROOT "%s", name);
	snprintf(next, sizeof(next), "%s.next", path);
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	snprintf(nsig, sizeof(nsig), "%s.p7s", next);
	ASSERT_EQ(0, make_fw(name, 1000, "rsa-signer"));
	/* Both halves of the same file: allowed. */
	ASSERT_EQ(0, into_buf(name, true, 0, 500, buf, &len));
	EXPECT_TRUE(len == 500 && same_range(path, 0, buf, len));
	ASSERT_EQ(0, into_buf(name, true, 500, 500, buf, &len));
	EXPECT_TRUE(len == 500 && same_range(path, 500, buf, len));

	/* Signed for this name too: only the splice is wrong. */
	ASSERT_EQ(0, make_blob(next, 1000));
	snprintf(args, sizeof(args), "--key " PKI "rsa-signer.key --cert " PKI
		 "rsa-signer.crt --name %s", strrchr(name, '/') + 1);
	ASSERT_EQ(0, sign_args(next, args));
	ASSERT_EQ(0, rename(nsig, sig));
	ASSERT_EQ(0, rename(next, path));
	settle();

	ret = into_buf(name, true, 500, 500, buf, &len);
	table_field(name, "result", got, sizeof(got));
	if (ret != (variant->enforce ? -EKEYREJECTED : 0) || strcmp(got, "error"))
		TH_LOG("%s at 500 after a rename: expected %d (error), saw %d (%s)",
		       name, variant->enforce ? -EKEYREJECTED : 0, ret, got);
	EXPECT_STREQ("error", got);
	if (variant->enforce) {
		EXPECT_EQ(-EKEYREJECTED, ret);
		EXPECT_EQ((size_t)0, len);
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_TRUE(len == 500 && same_range(path, 500, buf, len));
	}
}

struct ns_request {
	int setup_err;		/* -errno of the namespace's set-up, or 0 */
	int ret;		/* of the request */
	char seen[64];		/* the path parameter as read in there */
};

/*
 * Request @name from a private mount namespace in which the file @fake is
 * bind-mounted over firmware_class's path parameter.
 */
static struct ns_request request_in_private_ns(const char *fake,
					       const char *name)
{
	struct ns_request r = { .setup_err = -EIO };
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return r;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount(fake, FW_PATH_PARAM, NULL, MS_BIND, NULL)) {
			r.setup_err = -errno;
		} else {
			r.setup_err = 0;
			read_str(FW_PATH_PARAM, r.seen, sizeof(r.seen));
			r.ret = request_fw(name);
		}
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &r, sizeof(r)) != sizeof(r))
		r.setup_err = -EIO;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return r;
}

/*
 * firmware_class.path is /lib/firmware-custom, and a policy rule enforces
 * custom-vendor/.  A process in its own mount namespace shows fwverify
 * "/" as the path parameter: fwverify must still name its request
 * custom-vendor/x.bin and apply the rule.
 */
TEST_F(plain, custom_path_is_read_in_the_initial_mount_namespace)
{
	const char *fake = "/tmp/fwverify-attack-path";
	struct ns_request r;
	char got[64] = "", action[16] = "", v[256];
	int fd;

	ASSERT_EQ(0, mkdir("/lib/firmware-custom", 0755) && errno != EEXIST);
	ASSERT_EQ(0, mkdir("/lib/firmware-custom/custom-vendor", 0755) && errno != EEXIST);
	ASSERT_EQ(0, make_blob("/lib/firmware-custom/custom-vendor/control.bin", 1000));
	ASSERT_EQ(0, make_blob("/lib/firmware-custom/custom-vendor/x.bin", 1000));
	settle();
	ASSERT_EQ(0, write_str(POLICY, "enforce custom-vendor/*\n"));
	ASSERT_EQ(0, set_mode("log"));
	ASSERT_EQ(0, write_str(FW_PATH_PARAM, "/lib/firmware-custom"));
	ASSERT_EQ(0, read_str(FW_PATH_PARAM, v, sizeof(v)));
	ASSERT_STREQ("/lib/firmware-custom", v);
	/*
	 * From the initial namespace: the rule applies.  The custom directory
	 * is the loader's first; refused there, it finds no other copy.
	 */
	expect_load("custom-vendor/control.bin", -ENOENT, "unsigned", NULL);
	ASSERT_EQ(0, table_field("custom-vendor/control.bin", "action", action,
				 sizeof(action)));
	ASSERT_STREQ("denied", action);

	fd = open(fake, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "/", 1));
	close(fd);
	r = request_in_private_ns(fake, "custom-vendor/x.bin");
	ASSERT_EQ(0, r.setup_err) TH_LOG("private mount namespace: %s",
					 strerror(-r.setup_err));
	ASSERT_STREQ("/", r.seen) TH_LOG("the bind mount did not take");
	got[0] = action[0] = '\0';
	table_field("custom-vendor/x.bin", "result", got, sizeof(got));
	table_field("custom-vendor/x.bin", "action", action, sizeof(action));
	if (r.ret != -ENOENT || strcmp(got, "unsigned") || strcmp(action, "denied"))
		TH_LOG("custom-vendor/x.bin from a namespace that sees path=/: expected %d (unsigned, denied, under that name), saw %d (%s)",
		       -ENOENT, r.ret, got[0] ? got : "no table entry");
	EXPECT_EQ(-ENOENT, r.ret);
	EXPECT_STREQ("unsigned", got);
	EXPECT_STREQ("denied", action);
	EXPECT_TRUE(driver_empty());
	unlink(fake);
}

/*
 * With an enforcing rule, a load for which fwverify cannot even allocate
 * the firmware's name is refused, not let through: every allocation of the
 * request fails from a growing budget on, and no unsigned load succeeds.
 */
TEST_F_TIMEOUT(plain, allocation_failure_fails_closed, 300)
{
	const char *name = "fwva-nomem/u.bin";
	int fail, trig, allowed = 0;
	char space[32];
	long budget;
	ssize_t n;

	if (access(FAILSLAB "space", F_OK))
		SKIP(return, "no " FAILSLAB " (CONFIG_FAILSLAB, which Debian's kernels lack): allocations cannot be made to fail");
	ASSERT_EQ(0, make_fw(name, 1000, NULL));
	ASSERT_EQ(0, write_str(POLICY, "enforce fwva-nomem/*\n"));
	ASSERT_EQ(0, set_mode("log"));
	ASSERT_EQ(0, write_str(FAILSLAB "task-filter", "Y"));
	ASSERT_EQ(0, write_str(FAILSLAB "interval", "1"));
	ASSERT_EQ(0, write_str(FAILSLAB "times", "-1"));
	ASSERT_EQ(0, write_str(FAILSLAB "verbose", "0"));
	write_str(FAILSLAB "ignore-gfp-wait", "N");
	ASSERT_EQ(0, write_str(FAILSLAB "probability", "100"));
	/* Opened beforehand: an open allocates. */
	fail = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	trig = open(TRIGGER, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fail);
	ASSERT_LE(0, trig);
	for (budget = 0; budget <= 64 * 1024; budget += 64) {
		snprintf(space, sizeof(space), "%ld", budget);
		ASSERT_EQ(0, write_str(FAILSLAB "space", space));
		ASSERT_EQ(1, pwrite(fail, "1", 1, 0));
		n = pwrite(trig, name, strlen(name), 0);
		ASSERT_EQ(1, pwrite(fail, "0", 1, 0));
		if (n >= 0) {
			allowed++;
			TH_LOG("failing allocations after %ld bytes: the unsigned %s was loaded",
			       budget, name);
		}
	}
	close(fail);
	close(trig);
	EXPECT_EQ(0, allowed);
	expect_load(name, -EKEYREJECTED, "unsigned", NULL);
}

/* --- 7. name binding ----------------------------------------------------- */

/*
 * A firmware signed by fwverify sign (for its own name), copied with its
 * signature to another name: the signature is not for that name.
 */
TEST_F(attack, signature_copied_to_another_name_is_refused)
{
	const char *orig = fresh(FWA "bind-orig-%d.bin", variant->mode);
	const char *copy = fresh(FWA "bind-copy-%d.bin", variant->mode);
	char op[256], cp[256], ops[300], cps[300];

	snprintf(op, sizeof(op), FWROOT "%s", orig);
	snprintf(cp, sizeof(cp), FWROOT "%s", copy);
	snprintf(ops, sizeof(ops), "%s.p7s", op);
	snprintf(cps, sizeof(cps), "%s.p7s", cp);
	ASSERT_EQ(0, make_fw(orig, 2000, "rsa-signer"));
	ASSERT_EQ(0, copy_file(op, cp));
	ASSERT_EQ(0, copy_file(ops, cps));
	settle();
	expect_load(copy, variant->enforce ? -EKEYREJECTED : 0,
		    "bad-signature", variant->enforce ? NULL : cp);
	expect_load(orig, 0, "verified", op);
}

/*
 * bind-gpu-N.bin -> bind-wifi-N.bin, whose signature beside it names
 * bind-wifi-N.bin: requested as the gpu's firmware, it is refused.
 */
TEST_F(attack, symlink_to_firmware_signed_for_another_name_is_refused)
{
	const char *wifi = fresh(FWA "bind-wifi-%d.bin", variant->mode);
	const char *gpu = fresh(FWA "bind-gpu-%d.bin", variant->mode);
	char wp[256], gp[256];

	SKIP_IF_BUILTIN("built in, fwverify names a symlinked firmware by its target");
	snprintf(wp, sizeof(wp), FWROOT "%s", wifi);
	snprintf(gp, sizeof(gp), FWROOT "%s", gpu);
	ASSERT_EQ(0, make_fw(wifi, 2000, "rsa-signer"));
	ASSERT_EQ(0, symlink(strrchr(wifi, '/') + 1, gp));
	expect_load(gpu, variant->enforce ? -EKEYREJECTED : 0,
		    "bad-signature", variant->enforce ? NULL : wp);
	expect_load(wifi, 0, "verified", wp);
}

TEST_HARNESS_MAIN
