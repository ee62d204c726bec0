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
 *  6. partial reads spliced from two files or that differ from the bytes
 *     verified (FUSE), the custom firmware path seen from a private mount
 *     namespace or inside /lib/firmware, allocation failures
 *  7. a signature made for another firmware name
 *  8. a BPF program on a security hook of the read that returns a byte
 *     count, skipping fwverify's hook
 *
 * The fixtures are made by mkfwtree.sh (fwverify-test/attack/) or here.
 */
#include "fwverify_lib.h"

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/fuse.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/uio.h>

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
 * zsplice.bin.p7s covers the first frame only.  request_firmware_tf_into_buf()
 * decodes every frame into the driver's buffer.
 */
TEST_F(attack, zstd_unsigned_frame_after_signed_frame_is_refused)
{
	const char *name = FWA "zsplice.bin";
	char buf[4096], got[64] = "";
	size_t len = 0;
	int ret;

	SKIP_WITHOUT_ZSTD();
	ret = tf_into_buf(name, false, 0, 1000, buf, &len);
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
/* Write @len bytes at the start of the existing @path (@flags: O_TRUNC or 0). */
static int write_at_start(const char *path, const void *buf, size_t len,
			  int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags), err = 0;

	if (fd < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len)
		err = -EIO;
	if (fd >= 0)
		close(fd);
	return err;
}

static int rewrite_in_place(const char *path, size_t len)
{
	char *buf = malloc(len);
	size_t i;
	int err;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		buf[i] = rand();
	err = write_at_start(path, buf, len, 0);
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
	/*
	 * EBUSY: fwverify's hooks are permanent.  Newer kernels (7.x) no
	 * longer let ftrace be switched off at all: EOPNOTSUPP.
	 */
	ret = write_str(FTRACE_ENABLED, "0");
	if (ret != -EBUSY && ret != -EOPNOTSUPP)
		TH_LOG("write 0 to " FTRACE_ENABLED ": expected %d or %d, saw %d",
		       -EBUSY, -EOPNOTSUPP, ret);
	EXPECT_TRUE(ret == -EBUSY || ret == -EOPNOTSUPP);
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
	ASSERT_EQ(0, tf_into_buf(name, true, 0, 500, buf, &len));
	EXPECT_TRUE(len == 500 && same_range(path, 0, buf, len));
	ASSERT_EQ(0, tf_into_buf(name, true, 500, 500, buf, &len));
	EXPECT_TRUE(len == 500 && same_range(path, 500, buf, len));

	/* Signed for this name too: only the splice is wrong. */
	ASSERT_EQ(0, make_blob(next, 1000));
	snprintf(args, sizeof(args), "--key " PKI "rsa-signer.key --cert " PKI
		 "rsa-signer.crt --name %s", strrchr(name, '/') + 1);
	ASSERT_EQ(0, sign_args(next, args));
	ASSERT_EQ(0, rename(nsig, sig));
	ASSERT_EQ(0, rename(next, path));
	settle();

	ret = tf_into_buf(name, true, 500, 500, buf, &len);
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

/*
 * A FUSE file system of a few files, served by a child of the test.  Its
 * files are opened with FOPEN_DIRECT_IO: every read reaches the server,
 * as with a network file system, and a file whose @changes is set gives a
 * read of the whole file its bytes and any other read other bytes.
 */
#define FUSE_DIR	FWROOT "fwva-fuse"

struct fuse_file {
	const char *name;
	char *data;
	size_t size;
	bool changes;
};

static void fuse_reply(int fd, uint64_t unique, int error, const void *arg,
		       size_t len)
{
	struct fuse_out_header h = {
		.len = sizeof(h) + len, .error = error, .unique = unique,
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)arg, .iov_len = len },
	};

	if (writev(fd, iov, len ? 2 : 1) < 0)
		_exit(1);
}

static void fuse_attr_of(struct fuse_attr *a, uint64_t ino,
			 const struct fuse_file *f)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = f ? S_IFREG | 0644 : S_IFDIR | 0755;
	a->size = f ? f->size : 0;
	a->blocks = (a->size + 511) / 512;
	a->nlink = 1;
	a->blksize = 4096;
}

/* Serve the @n @files at the FUSE connection @fd until it is unmounted. */
static void fuse_serve(int fd, const struct fuse_file *files, int n)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536], out[65536];
	const struct fuse_in_header *in = (const void *)buf;
	const void *arg = buf + sizeof(*in);
	const struct fuse_file *f;
	ssize_t len;
	size_t off, size, i;

	for (;;) {
		len = read(fd, buf, sizeof(buf));
		if (len < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		if (len < (ssize_t)sizeof(*in))
			return;
		/* Node 1 is the root, node 2 + i the file i. */
		f = in->nodeid >= 2 && in->nodeid < 2 + (uint64_t)n ?
		    &files[in->nodeid - 2] : NULL;
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = arg;
			struct fuse_init_out io = {
				.major = FUSE_KERNEL_VERSION,
				.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ?
					 ii->minor : FUSE_KERNEL_MINOR_VERSION,
				.max_readahead = ii->max_readahead,
				.max_write = 4096,
			};

			fuse_reply(fd, in->unique, 0, &io, sizeof(io));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out eo = { 0 };

			for (i = 0; i < (size_t)n && strcmp(arg, files[i].name); i++)
				;
			if (in->nodeid != FUSE_ROOT_ID || i == (size_t)n) {
				fuse_reply(fd, in->unique, -ENOENT, NULL, 0);
				break;
			}
			eo.nodeid = 2 + i;
			eo.generation = 1;
			fuse_attr_of(&eo.attr, eo.nodeid, &files[i]);
			fuse_reply(fd, in->unique, 0, &eo, sizeof(eo));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out ao = { 0 };

			fuse_attr_of(&ao.attr, in->nodeid, f);
			fuse_reply(fd, in->unique, 0, &ao, sizeof(ao));
			break;
		}
		case FUSE_OPEN: {
			struct fuse_open_out oo = { .open_flags = FOPEN_DIRECT_IO };

			if (f)
				fuse_reply(fd, in->unique, 0, &oo, sizeof(oo));
			else
				fuse_reply(fd, in->unique, -EISDIR, NULL, 0);
			break;
		}
		case FUSE_READ: {
			const struct fuse_read_in *ri = arg;

			if (!f) {
				fuse_reply(fd, in->unique, -EISDIR, NULL, 0);
				break;
			}
			off = ri->offset < f->size ? ri->offset : f->size;
			size = f->size - off < ri->size ? f->size - off : ri->size;
			size = size < sizeof(out) ? size : sizeof(out);
			memcpy(out, f->data + off, size);
			if (f->changes && (off || size < f->size))
				for (i = 0; i < size; i++)
					out[i] ^= 0x5a;
			fuse_reply(fd, in->unique, 0, out, size);
			break;
		}
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;
		case FUSE_FLUSH:
		case FUSE_RELEASE:
			fuse_reply(fd, in->unique, 0, NULL, 0);
			break;
		default:
			fuse_reply(fd, in->unique, -ENOSYS, NULL, 0);
		}
	}
}

/* Mount @files at FUSE_DIR: the server's pid, or -errno. */
static pid_t fuse_mount(const struct fuse_file *files, int n)
{
	char opts[128];
	pid_t pid;
	int fd, err;

	if (mkdir(FUSE_DIR, 0755) && errno != EEXIST)
		return -errno;
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40755,user_id=0,group_id=0,allow_other", fd);
	if (mount("fwva-fuse", FUSE_DIR, "fuse", MS_NOSUID | MS_NODEV, opts)) {
		err = -errno;
		close(fd);
		return err;
	}
	pid = fork();
	if (pid == 0) {
		fuse_serve(fd, files, n);
		_exit(0);
	}
	err = pid < 0 ? -errno : 0;
	close(fd);
	if (err)
		umount2(FUSE_DIR, MNT_DETACH);
	return err ?: pid;
}

static void fuse_unmount(pid_t pid)
{
	umount2(FUSE_DIR, MNT_DETACH);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * A driver reads part of a signed file from FUSE (or NFS): fwverify reads
 * the whole file and verifies it, then the loader reads the driver's part,
 * and the server answers that second read with other bytes.  The part must
 * be bytes of the file verified: refused, the driver gets nothing.
 */
TEST_F(plain, partial_read_differing_from_the_bytes_verified_is_refused)
{
	static const char *const names[] = { "x.bin", "x.bin.p7s", "y.bin", "y.bin.p7s" };
	struct fuse_file files[4];
	char path[256], buf[4096];
	size_t len = 0;
	int i, ret;
	pid_t pid;

	if (access("/dev/fuse", F_OK))
		SKIP(return, "no /dev/fuse (CONFIG_FUSE_FS; on 6.1 a module, VM_KMODS=fuse)");
	ASSERT_EQ(0, make_fw("fwva-fuse-src/x.bin", 1000, "rsa-signer"));
	ASSERT_EQ(0, make_fw("fwva-fuse-src/y.bin", 1000, "rsa-signer"));
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), FWROOT "fwva-fuse-src/%s", names[i]);
		files[i].name = names[i];
		files[i].data = slurp(path, &files[i].size);
		ASSERT_NE(NULL, files[i].data);
		files[i].changes = i == 0;
	}
	ASSERT_EQ(0, set_mode("enforce"));
	pid = fuse_mount(files, 4);
	ASSERT_LT(0, pid) TH_LOG("mount FUSE at " FUSE_DIR ": %s", strerror(-pid));

	/* y.bin, the same bytes at every read: the driver gets its part. */
	ret = tf_into_buf("fwva-fuse/y.bin", true, 0, 500, buf, &len);
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(len == 500 && !memcmp(buf, files[2].data, 500))
		TH_LOG("fwva-fuse/y.bin at 0: the driver got %zu bytes, not the file's", len);

	ret = tf_into_buf("fwva-fuse/x.bin", true, 0, 500, buf, &len);
	if (ret != -EKEYREJECTED || len)
		TH_LOG("fwva-fuse/x.bin at 0, read again with other bytes: expected %d and nothing in the driver, saw %d and %zu bytes%s",
		       -EKEYREJECTED, ret, len,
		       len && memcmp(buf, files[0].data, len) ?
		       " (not the bytes verified)" : "");
	EXPECT_EQ(-EKEYREJECTED, ret);
	EXPECT_EQ((size_t)0, len);

	fuse_unmount(pid);
	for (i = 0; i < 4; i++)
		free(files[i].data);
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
 * firmware_class.path is @param (@shown in messages); each of @dirs, the
 * directory the loader makes of it (kernels differ), holds the same
 * unsigned fwvt-cp/u.bin and fwvt-cpo/u.bin.  The policy enforces fwvt-cp/,
 * mode log: fwvt-cpo/u.bin loads, fwvt-cp/u.bin is refused, whatever other
 * name its path inside /lib/firmware could be for.
 */
static void expect_custom_dir_rule(struct __test_metadata *_metadata,
				   const char *param, const char *shown,
				   const char *const *dirs)
{
	static const char *const names[] = { "fwvt-cp/u.bin", "fwvt-cpo/u.bin" };
	char path[512], first[512];
	long denied;
	bool empty;
	int i, j, ret;

	for (i = 0; dirs[i]; i++) {
		ASSERT_EQ(0, mkdir(dirs[i], 0755) && errno != EEXIST);
		for (j = 0; j < 2; j++) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i], names[j]);
			*strrchr(path, '/') = '\0';
			ASSERT_EQ(0, mkdir(path, 0755) && errno != EEXIST);
			snprintf(path, sizeof(path), "%s/%s", dirs[i], names[j]);
			snprintf(first, sizeof(first), "%s/%s", dirs[0], names[j]);
			ASSERT_EQ(0, i ? copy_file(first, path) : make_blob(path, 1000));
		}
	}
	settle();
	ASSERT_EQ(0, write_str(POLICY, "enforce fwvt-cp/*\n"));
	ASSERT_EQ(0, set_mode("log"));
	ASSERT_EQ(0, write_str(FW_PATH_PARAM, param));

	/* No rule for fwvt-cpo/: log mode lets it through. */
	snprintf(first, sizeof(first), "%s/fwvt-cpo/u.bin", dirs[0]);
	EXPECT_EQ(0, request_fw("fwvt-cpo/u.bin"));
	EXPECT_TRUE(driver_holds(first))
		TH_LOG("path %s: the driver does not hold fwvt-cpo/u.bin", shown);

	denied = read_counter("denied");
	ret = request_fw("fwvt-cp/u.bin");
	empty = driver_empty();
	if (ret != -ENOENT || !empty || read_counter("denied") != denied + 1)
		TH_LOG("path %s: the unsigned fwvt-cp/u.bin: expected %d, one more denied and the driver empty; saw %d, %ld more denied%s",
		       shown, -ENOENT, ret, read_counter("denied") - denied,
		       empty ? "" : ", and the driver holds it");
	/* The custom directory is the loader's first; refused there, it finds no other copy. */
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_EQ(denied + 1, read_counter("denied"));
	EXPECT_TRUE(empty);
}

/*
 * firmware_class.path is a directory inside /lib/firmware: the file the
 * loader reads for fwvt-cp/u.bin is also /lib/firmware's
 * fwvt-cpdir/fwvt-cp/u.bin, which no rule enforces.
 */
TEST_F(plain, custom_path_inside_lib_firmware_keeps_the_rule)
{
	static const char *const dirs[] = { FWROOT "fwvt-cpdir", NULL };

	expect_custom_dir_rule(_metadata, FWROOT "fwvt-cpdir",
			       FWROOT "fwvt-cpdir", dirs);
}

/*
 * The same with a newline inside firmware_class.path: 6.12's loader cuts
 * the directory at the first newline, 6.1's keeps the whole string.
 */
TEST_F(plain, custom_path_with_a_newline_inside_keeps_the_rule)
{
	static const char *const dirs[] = { FWROOT "fwvt-nldir",
					    FWROOT "fwvt-nldir\nx", NULL };

	expect_custom_dir_rule(_metadata, FWROOT "fwvt-nldir\nx",
			       FWROOT "fwvt-nldir\\nx", dirs);
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

/*
 * "t-xz.bin" is refused in the last search directory: the loader gives up
 * (only ENOENT makes it try the name with ".zst", then ".xz").  A request
 * for "t-xz.bin.xz" just after, by the same task, is a new one: the file
 * is handed over as stored, and no signature covers it as stored.  The
 * module had taken its reads for the loader's retry and checked the
 * content against t-xz.bin.p7s (the stress test found it).  The same with
 * ".zst", which 6.12's loader tries first.  A partial request never
 * decompresses either.
 */
TEST_F(attack, name_with_suffix_after_a_refused_request_is_stored)
{
	static const char *const sfx[] = { "xz", "zst" };
	char name[128], stored[160], path[256], spath[256];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), FWA "sfx/t-%s.bin", sfx[i]);
		snprintf(stored, sizeof(stored), "%s.%s", name, sfx[i]);
		snprintf(path, sizeof(path), FWROOT "%s", name);
		snprintf(spath, sizeof(spath), FWROOT "%s", stored);
		expect_load(name, variant->enforce ? -EKEYREJECTED : 0,
			    "bad-signature", variant->enforce ? NULL : path);
		expect_load(stored, variant->enforce ? -EKEYREJECTED : 0,
			    "unsigned", variant->enforce ? NULL : spath);
	}
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
 * Tag the signed attributes of the signature at @path as a primitive [0]
 * (0x80 for 0xa0).  They are the [0] ("a0 LL", "a0 81 LL" or "a0 82 LL
 * LL") that holds exactly a run of attributes: SEQUENCEs of a short
 * length, each starting with an OID.  Not found by the OID of the first
 * one: DER sorts them by their encoding, and which is first (and whether
 * they take 128 bytes) depends on the name's length.  The certificates'
 * [0] holds long SEQUENCEs, a certificate's version [0] an INTEGER.
 */
static int flip_attrs_tag(const char *path)
{
	size_t len = 0, i, hdr, end, p;
	unsigned char *b = (unsigned char *)slurp(path, &len);
	int ret = -ENOENT;

	if (!b)
		return -errno;
	for (i = 0; i + 4 < len && ret; i++) {
		if (b[i] != 0xa0 || (b[i + 1] > 0x80 && b[i + 1] != 0x81 &&
				     b[i + 1] != 0x82))
			continue;
		hdr = b[i + 1] < 0x80 ? 2 : b[i + 1] == 0x81 ? 3 : 4;
		end = i + hdr + (hdr == 2 ? b[i + 1] : hdr == 3 ? b[i + 2] :
				 (size_t)b[i + 2] << 8 | b[i + 3]);
		if (end > len)
			continue;
		for (p = i + hdr; p + 2 < end && b[p] == 0x30 && b[p + 1] < 0x80 &&
		     b[p + 2] == 0x06; p += 2 + b[p + 1])
			;
		if (p == end && end > i + hdr) {
			b[i] = 0x80;
			ret = 0;
		}
	}
	if (!ret)
		ret = write_at_start(path, b, len, O_TRUNC);
	free(b);
	return ret;
}

/*
 * The same with the signed attributes tagged as a primitive [0]: the
 * kernel's decoder takes them, and the signature still verifies, so the
 * name in them is still checked (found by fuzz-der against OpenSSL: the
 * module's DER reader had taken such a signature for one without a name).
 */
TEST_F(attack, signature_with_primitive_attributes_keeps_its_name)
{
	const char *orig = fresh(FWA "bind-prim-%d.bin", variant->mode);
	const char *copy = fresh(FWA "bind-pcopy-%d.bin", variant->mode);
	char op[256], cp[256], ops[300], cps[300];

	snprintf(op, sizeof(op), FWROOT "%s", orig);
	snprintf(cp, sizeof(cp), FWROOT "%s", copy);
	snprintf(ops, sizeof(ops), "%s.p7s", op);
	snprintf(cps, sizeof(cps), "%s.p7s", cp);
	ASSERT_EQ(0, make_fw(orig, 2000, "rsa-signer"));
	ASSERT_EQ(0, flip_attrs_tag(ops));
	ASSERT_EQ(0, copy_file(op, cp));
	ASSERT_EQ(0, copy_file(ops, cps));
	settle();
	/* Valid as it is, for its own name. */
	expect_load(orig, 0, "verified", op);
	expect_load(copy, variant->enforce ? -EKEYREJECTED : 0,
		    "bad-signature", variant->enforce ? NULL : cp);
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

	snprintf(wp, sizeof(wp), FWROOT "%s", wifi);
	snprintf(gp, sizeof(gp), FWROOT "%s", gpu);
	ASSERT_EQ(0, make_fw(wifi, 2000, "rsa-signer"));
	ASSERT_EQ(0, symlink(strrchr(wifi, '/') + 1, gp));
	expect_load(gpu, variant->enforce ? -EKEYREJECTED : 0,
		    "bad-signature", variant->enforce ? NULL : wp);
	expect_load(wifi, 0, "verified", wp);
}

/* --- 8. BPF on the read's security hooks --------------------------------- */

/* enum kernel_read_file_id (include/linux/kernel_read_file.h), not uapi */
#define READING_FIRMWARE	1
/* What a program on the hook before the read returns: it read nothing. */
#define BPF_COUNT		64

/* The BTF id of the function @func in the kernel's BTF, or -errno. */
static int btf_func_id(const char *func)
{
	size_t len = 0;
	char *btf = slurp("/sys/kernel/btf/vmlinux", &len);
	const struct btf_header *h = (const void *)btf;
	const struct btf_type *t;
	const char *p, *end, *strs;
	int id = 1, found = -ENOENT;
	__u32 vlen;

	if (!btf)
		return -ENOENT;
	if (len < sizeof(*h) || h->magic != BTF_MAGIC ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > len ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > len) {
		free(btf);
		return -EINVAL;
	}
	p = btf + h->hdr_len + h->type_off;
	end = p + h->type_len;
	strs = btf + h->hdr_len + h->str_off;
	for (; found < 0 && p + sizeof(*t) <= end; id++) {
		t = (const void *)p;
		vlen = BTF_INFO_VLEN(t->info);
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
		    t->name_off < h->str_len && !strcmp(strs + t->name_off, func))
			found = id;
		p += sizeof(*t);
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_INT:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
			p += sizeof(__u32);
			break;
		case BTF_KIND_ARRAY:
			p += sizeof(struct btf_array);
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			p += vlen * sizeof(struct btf_member);
			break;
		case BTF_KIND_ENUM:
			p += vlen * sizeof(struct btf_enum);
			break;
		case BTF_KIND_FUNC_PROTO:
			p += vlen * sizeof(struct btf_param);
			break;
		case BTF_KIND_DATASEC:
			p += vlen * sizeof(struct btf_var_secinfo);
			break;
		case BTF_KIND_ENUM64:
			p += vlen * sizeof(struct btf_enum64);
			break;
		}
	}
	free(btf);
	return found;
}

#define BPF_INSN(c, d, s, o, i)					\
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

/*
 * A BPF program on a security hook of kernel_read_file(): for a firmware
 * read, it returns the hook's size argument, or BPF_COUNT before the read.
 * An fmod_ret program that returns non-zero replaces the whole hook (every
 * LSM's, and fwverify's ftrace redirect on it); kernel_read_file() returns
 * the value as the number of bytes read.  A BPF LSM program returns it
 * from inside security_kernel_*read_file().
 */
FIXTURE(bpf) {
	int link;
};

FIXTURE_VARIANT(bpf) {
	const char *func;	/* the function attached to, by its BTF name */
	bool lsm;		/* a BPF LSM program, else fmod_ret */
	int id_arg;		/* @func's argument that is the read's id */
	int size_arg;		/* the argument returned; -1: BPF_COUNT */
	int err;		/* what the request gets */
};

FIXTURE_VARIANT_ADD(bpf, fmod_ret_post_read_file) {
	.func = "security_kernel_post_read_file", .id_arg = 3, .size_arg = 2,
	.err = -EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(bpf, fmod_ret_read_file) {
	.func = "security_kernel_read_file", .id_arg = 1, .size_arg = -1,
	.err = -EKEYREJECTED,
};

/* 6.12's verifier keeps an LSM program's return in [-4095, 0]: skipped. */
FIXTURE_VARIANT_ADD(bpf, lsm_post_read_file) {
	.func = "bpf_lsm_kernel_post_read_file", .lsm = true, .id_arg = 3,
	.size_arg = 2, .err = -EPERM,
};

FIXTURE_VARIANT_ADD(bpf, lsm_read_file) {
	.func = "bpf_lsm_kernel_read_file", .lsm = true, .id_arg = 1,
	.size_arg = -1, .err = -EPERM,
};

FIXTURE_SETUP(bpf)
{
	self->link = -1;
	ASSERT_EQ(0, set_mode("enforce"));
}

FIXTURE_TEARDOWN(bpf)
{
	if (self->link >= 0)
		close(self->link);
	set_mode("log");
}

/* The line of a verifier log that says what it refused. */
static const char *verifier_reason(char *log)
{
	char *line, *save = NULL, *why = "";

	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if ((*line < '0' || *line > '9') && strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17))
			why = line;
	return why;
}

/*
 * Load and attach @v's program (raw bpf(2), as root would without libbpf).
 * Returns the link, which detaches when closed, or -errno with @why set.
 */
static int bpf_attach(const FIXTURE_VARIANT(bpf) *v, char *why, size_t len)
{
	struct bpf_insn prog[] = {
		/* r2 = the read's id; r0 = 0 */
		BPF_INSN(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 8 * v->id_arg, 0),
		BPF_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		/* a firmware read: r0 = the size argument, or BPF_COUNT */
		BPF_INSN(BPF_JMP32 | BPF_JNE | BPF_K, 2, 0, 1, READING_FIRMWARE),
		v->size_arg >= 0 ?
		BPF_INSN(BPF_LDX | BPF_MEM | BPF_DW, 0, 1, 8 * v->size_arg, 0) :
		BPF_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, BPF_COUNT),
		BPF_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	static char log[65536];
	union bpf_attr a;
	int id = btf_func_id(v->func), prog_fd, link, err;

	if (id < 0) {
		snprintf(why, len, "no %s in /sys/kernel/btf/vmlinux: %s",
			 v->func, strerror(-id));
		return id;
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = v->lsm ? BPF_PROG_TYPE_LSM : BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = v->lsm ? BPF_LSM_MAC : BPF_MODIFY_RETURN;
	a.attach_btf_id = id;
	a.insns = (uintptr_t)prog;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	log[0] = '\0';
	prog_fd = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (prog_fd < 0) {
		err = -errno;
		snprintf(why, len, "BPF_PROG_LOAD on %s: %s: %s", v->func,
			 strerror(-err), verifier_reason(log));
		return err;
	}
	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.prog_fd = prog_fd;
	link = syscall(SYS_bpf, BPF_RAW_TRACEPOINT_OPEN, &a, sizeof(a));
	err = link < 0 ? -errno : 0;
	/* The link holds the program. */
	close(prog_fd);
	if (err)
		snprintf(why, len, "attach to %s: %s", v->func, strerror(-err));
	return err ?: link;
}

/*
 * With the program attached, an unsigned firmware in enforce mode is still
 * refused and the driver gets nothing: fwverify refuses a read whose bytes
 * none of its hooks judged, and takes a hook's positive return as -EPERM.
 */
TEST_F(bpf, unsigned_firmware_read_past_fwverify_is_refused)
{
	char name[128], bname[128], path[256], why[512], buf[4096];
	size_t len = 0;
	bool empty;
	int ret;

	SKIP_IF_BUILTIN("its hooks are the LSM's own, which such a program skips (security.rst, Known gaps)");
	snprintf(name, sizeof(name), "fwva-bpf/%s.bin", variant->func);
	/* Another name: the loader refuses a buffer for a name it caches. */
	snprintf(bname, sizeof(bname), "fwva-bpf/%s-buf.bin", variant->func);
	ASSERT_EQ(0, make_fw(name, 1000, NULL));
	ASSERT_EQ(0, make_fw(bname, 1000, NULL));
	expect_load(name, -EKEYREJECTED, "unsigned", NULL);

	self->link = bpf_attach(variant, why, sizeof(why));
	if (self->link < 0)
		SKIP(return, "%s", why);
	/*
	 * Before the read, the program makes kernel_read_file() return a
	 * count with nothing read or allocated: a request without a buffer
	 * of its own would hand the driver a NULL pointer (which 6.12's
	 * loader hashes), so only the driver's own buffer is tried.
	 */
	if (variant->size_arg >= 0) {
		ret = request_fw(name);
		empty = driver_empty();
		if (ret != variant->err || !empty)
			TH_LOG("%s with a program on %s: expected %d and the driver empty, saw %d%s",
			       name, variant->func, variant->err, ret,
			       empty ? "" : ", and the driver holds it");
		EXPECT_EQ(variant->err, ret);
		EXPECT_TRUE(empty);
	}
	/* Into the driver's own buffer (request_firmware_tf_into_buf()). */
	ret = tf_into_buf(bname, false, 0, 1000, buf, &len);
	snprintf(path, sizeof(path), FWROOT "%s", bname);
	if (ret != variant->err || len)
		TH_LOG("%s into a buffer with a program on %s: expected %d and nothing in the driver, saw %d and %zu bytes%s",
		       bname, variant->func, variant->err, ret, len,
		       !len ? "" : same_file(path, buf, len) ?
		       " (the unsigned file)" : " (not the file's)");
	EXPECT_EQ(variant->err, ret);
	EXPECT_EQ((size_t)0, len);

	close(self->link);
	self->link = -1;
	expect_load(name, -EKEYREJECTED, "unsigned", NULL);
}

TEST_HARNESS_MAIN
