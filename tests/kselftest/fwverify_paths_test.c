// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify kselftests for every way firmware reaches a driver: partial
 * reads and reads into a driver's buffer, compressed firmware, symlinked
 * firmware, requests that fall through from /lib/firmware/updates, the
 * sysfs fallback, platform firmware, signature files requested as
 * firmware (cfg80211 and Debian's regulatory.db), and the verdict cache.
 */
#include "fwverify_lib.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/utsname.h>

#define FWT		"fwverify-test/"

static bool kernel_has(const char *path)
{
	return access(path, F_OK) == 0;
}

/*
 * Are @len bytes at @buf those of /lib/firmware/@name from @off (@whole:
 * and up to its end)?
 */
static bool same_as_part(const char *name, size_t off, const char *buf,
			 size_t len, bool whole)
{
	char path[512];
	size_t flen = 0;
	char *file;
	bool same;

	snprintf(path, sizeof(path), "/lib/firmware/%s", name);
	file = slurp(path, &flen);
	same = file && off <= flen && len <= flen - off &&
	       (!whole || off + len == flen) && !memcmp(file + off, buf, len);
	free(file);
	return same;
}

static bool same_as_file(const char *name, const char *buf, size_t len)
{
	return same_as_part(name, 0, buf, len, true);
}

FIXTURE(paths) {
	char mode[16];
};

FIXTURE_VARIANT(paths) {
	const char *mode;
	bool enforce;
};

FIXTURE_VARIANT_ADD(paths, enforce) { .mode = "enforce", .enforce = true };
FIXTURE_VARIANT_ADD(paths, log) { .mode = "log", .enforce = false };

FIXTURE_SETUP(paths)
{
	ASSERT_EQ(0, set_mode(variant->mode));
}

FIXTURE_TEARDOWN(paths)
{
	set_mode("log");
}

TEST_F(paths, partial_read_of_signed_file)
{
	const char *name = fresh(FWT "partial-%d.bin", variant->mode);
	long verified = read_counter("verified");
	char buf[4096], v[64];
	size_t len;

	ASSERT_EQ(0, tf_into_buf(name, true, 0, 1000, buf, &len));
	EXPECT_TRUE(same_as_file(name, buf, len));
	EXPECT_EQ(verified + 1, read_counter("verified"));
	ASSERT_EQ(0, table_field(name, "reads", v, sizeof(v)));
	EXPECT_NE(NULL, strstr(v, "verified allowed"));
}

#define MAX_SIZE	"/sys/module/fwverify/parameters/max_size"

/*
 * A partial read of a file fwverify sign signed is verified as the file is
 * read, with no copy of it: max_size, which caps copies, does not apply.
 * A signature of another form (openssl cms -noattr) is verified by the
 * kernel over a copy of the file, and max_size refuses that copy.
 */
TEST_F(paths, partial_read_verified_as_read_without_a_copy)
{
	const char *name = fresh(FWT "partial-big-%d.bin", variant->mode);
	const char *noattr = FWT "partial-noattr.bin";
	char buf[4096], r[64] = "";
	size_t len = 0;
	int ret;

	ASSERT_EQ(0, make_fw(name, 256 * 1024, "rsa-signer"));
	ASSERT_EQ(0, write_str(MAX_SIZE, "65536"));
	ret = tf_into_buf(name, true, 100000, 1000, buf, &len);
	table_field(name, "result", r, sizeof(r));
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(len == 1000 && same_as_part(name, 100000, buf, len, false));
	EXPECT_STREQ("verified", r);

	ret = tf_into_buf(noattr, true, 100000, 1000, buf, &len);
	table_field(noattr, "result", r, sizeof(r));
	write_str(MAX_SIZE, "268435456");
	EXPECT_EQ(variant->enforce ? -EKEYREJECTED : 0, ret);
	EXPECT_STREQ("error", r);
	/* With room for the copy, the same file verifies. */
	ret = tf_into_buf(noattr, true, 100000, 1000, buf, &len);
	table_field(noattr, "result", r, sizeof(r));
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(len == 1000 && same_as_part(noattr, 100000, buf, len, false));
	EXPECT_STREQ("verified", r);
}

TEST_F(paths, partial_read_of_unsigned_file)
{
	const char *name = fresh(FWT "partial-unsigned-%d.bin", variant->mode);
	long unsig = read_counter("unsigned");
	char buf[4096];
	size_t len;
	int ret = tf_into_buf(name, true, 0, 1000, buf, &len);

	if (variant->enforce) {
		EXPECT_EQ(-EKEYREJECTED, ret);
		EXPECT_EQ((size_t)0, len);
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_TRUE(same_as_file(name, buf, len));
	}
	EXPECT_EQ(unsig + 1, read_counter("unsigned"));
}

TEST_F(paths, into_buf_of_signed_file)
{
	const char *name = fresh(FWT "intobuf-%d.bin", variant->mode);
	char buf[4096];
	size_t len;

	ASSERT_EQ(0, tf_into_buf(name, false, 0, 1000, buf, &len));
	EXPECT_TRUE(same_as_file(name, buf, len));
}

TEST_F(paths, into_buf_of_unsigned_file)
{
	const char *name = fresh(FWT "intobuf-unsigned-%d.bin", variant->mode);
	char buf[4096];
	size_t len;
	int ret = tf_into_buf(name, false, 0, 1000, buf, &len);

	EXPECT_EQ(variant->enforce ? -EKEYREJECTED : 0, ret);
	if (!variant->enforce) {
		EXPECT_TRUE(same_as_file(name, buf, len));
	}
}

/* Load @name (which the loader finds as @name@sfx) and expect @result. */
static void check_compressed(struct __test_metadata *_metadata, bool enforce,
			     const char *name, const char *result)
{
	bool good = !strcmp(result, "verified");
	long before = read_counter(result);
	char r[64], want[64];
	int ret = request_fw(name);
	size_t i;

	if (good || !enforce) {
		EXPECT_EQ(0, ret) TH_LOG("%s: %s", name, strerror(-ret));
	} else {
		EXPECT_EQ(-EKEYREJECTED, ret);
	}
	EXPECT_EQ(before + 1, read_counter(result)) TH_LOG("%s: %s", name, result);
	ASSERT_EQ(0, table_field(name, "result", r, sizeof(r)))
		TH_LOG("%s: no table entry under the requested name", name);
	/* The counter "bad_signature" counts the result "bad-signature". */
	snprintf(want, sizeof(want), "%s", result);
	for (i = 0; want[i]; i++)
		if (want[i] == '_')
			want[i] = '-';
	EXPECT_STREQ(want, r);
}

TEST_F(paths, xz_with_signature_of_stored_file)
{
	check_compressed(_metadata, variant->enforce, FWT "comp-stored.bin", "verified");
}

TEST_F(paths, xz_with_signature_of_content)
{
	check_compressed(_metadata, variant->enforce, FWT "comp-content.bin", "verified");
}

TEST_F(paths, xz_unsigned)
{
	check_compressed(_metadata, variant->enforce, FWT "comp-unsigned.bin", "unsigned");
}

TEST_F(paths, xz_content_signature_of_other_content)
{
	check_compressed(_metadata, variant->enforce, FWT "comp-wrong.bin", "bad_signature");
}

static bool loader_has_zstd(void)
{
	struct utsname u;

	uname(&u);
	return strncmp(u.release, "6.1.", 4) != 0;
}

TEST_F(paths, zst_with_signature_of_stored_file)
{
	if (!loader_has_zstd())
		SKIP(return, "the 6.1 loader has no .zst support");
	check_compressed(_metadata, variant->enforce, FWT "compz-stored.bin", "verified");
}

TEST_F(paths, zst_with_signature_of_content)
{
	if (!loader_has_zstd())
		SKIP(return, "the 6.1 loader has no .zst support");
	check_compressed(_metadata, variant->enforce, FWT "compz-content.bin", "verified");
}

/* The decompressed size is capped: a bomb is refused, never allocated. */
static void check_bomb(struct __test_metadata *_metadata, bool enforce,
		       const char *name)
{
	char r[64];

	ASSERT_EQ(0, write_str("/sys/module/fwverify/parameters/max_size", "1048576"));
	EXPECT_EQ(enforce ? -EKEYREJECTED : 0, request_fw(name));
	ASSERT_EQ(0, table_field(name, "result", r, sizeof(r)));
	EXPECT_STREQ("malformed", r);
	/* With room for it, the same file verifies. */
	ASSERT_EQ(0, write_str("/sys/module/fwverify/parameters/max_size", "16777216"));
	EXPECT_EQ(0, request_fw(name));
	ASSERT_EQ(0, table_field(name, "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
	write_str("/sys/module/fwverify/parameters/max_size", "268435456");
}

TEST_F(paths, xz_decompression_bomb_is_capped)
{
	check_bomb(_metadata, variant->enforce, FWT "bomb.bin");
}

TEST_F(paths, zst_decompression_bomb_is_capped)
{
	if (!loader_has_zstd())
		SKIP(return, "the 6.1 loader has no .zst support");
	check_bomb(_metadata, variant->enforce, FWT "zbomb.bin");
}

TEST_F(paths, symlink_with_signature_beside_target)
{
	char r[256];

	ASSERT_EQ(0, request_fw(FWT "link-resolved.bin"));
	EXPECT_TRUE(driver_has(FWT "link-target/real.bin"));
	ASSERT_EQ(0, table_field(FWT "link-resolved.bin", "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
	ASSERT_EQ(0, table_field(FWT "link-resolved.bin", "path", r, sizeof(r)));
	EXPECT_STREQ("/lib/firmware/" FWT "link-target/real.bin", r);
}

TEST_F(paths, symlink_with_signature_beside_requested_name)
{
	const char *name = FWT "link-requested.bin";
	char r[256];
	int ret = request_fw(name);

	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, table_field(name, "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
}

TEST_F(paths, dangling_signature_link_falls_back_to_target)
{
	char r[256];

	ASSERT_EQ(0, request_fw(FWT "link-dangling-sig.bin"));
	ASSERT_EQ(0, table_field(FWT "link-dangling-sig.bin", "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
}

/*
 * A refused copy in /lib/firmware/updates makes the loader try
 * /lib/firmware: the report shows both reads and which one the driver got.
 */
TEST_F(paths, refused_update_falls_through_to_signed_copy)
{
	const char *name = FWT "fallthrough.bin";
	char reads[1024], path[256];

	ASSERT_EQ(0, request_fw(name));
	ASSERT_EQ(0, table_field(name, "reads", reads, sizeof(reads)));
	ASSERT_EQ(0, table_field(name, "path", path, sizeof(path)));
	if (variant->enforce) {
		EXPECT_NE(NULL, strstr(reads, "/lib/firmware/updates/" FWT
				       "fallthrough.bin unsigned denied\n"))
			TH_LOG("reads: %s", reads);
		EXPECT_NE(NULL, strstr(reads, "/lib/firmware/" FWT
				       "fallthrough.bin verified allowed"))
			TH_LOG("reads: %s", reads);
		/* The driver got the signed copy from /lib/firmware. */
		EXPECT_STREQ("/lib/firmware/" FWT "fallthrough.bin", path);
		EXPECT_TRUE(driver_has(name));
	} else {
		/* In log mode the first copy is used, as without fwverify. */
		EXPECT_NE(NULL, strstr(reads, "/lib/firmware/updates/" FWT
				       "fallthrough.bin unsigned allowed"))
			TH_LOG("reads: %s", reads);
		EXPECT_STREQ("/lib/firmware/updates/" FWT "fallthrough.bin", path);
		EXPECT_TRUE(driver_has("updates/" FWT "fallthrough.bin"));
	}
}

TEST_F(paths, refused_update_without_other_copy)
{
	const char *name = FWT "updates-only.bin";
	char action[32];

	/* The driver gets the error of the last directory tried: no file. */
	EXPECT_EQ(variant->enforce ? -ENOENT : 0, request_fw(name));
	ASSERT_EQ(0, table_field(name, "action", action, sizeof(action)));
	EXPECT_STREQ(variant->enforce ? "denied" : "allowed", action);
}

/* The sysfs fallback has no file to verify: denied in enforce mode. */
TEST_F(paths, custom_sysfs_fallback)
{
	const char *name = fresh(FWT "nofile-%d.bin", variant->mode);
	char dir[256], loading[300], data[300], r[64];
	long unsig = read_counter("unsigned");
	pid_t pid;
	int status, i;

	write_str("/sys/class/firmware/timeout", "10");
	snprintf(dir, sizeof(dir), "/sys/class/firmware/%s", name);
	for (i = 0; dir[i]; i++)
		if (i > (int)strlen("/sys/class/firmware/") && dir[i] == '/')
			dir[i] = '!';
	snprintf(loading, sizeof(loading), "%s/loading", dir);
	snprintf(data, sizeof(data), "%s/data", dir);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The user space side of the fallback: hand over some bytes. */
		for (i = 0; i < 100 && access(loading, F_OK); i++)
			usleep(50000);
		if (write_str(loading, "1") || write_str(data, "FALLBACKDATA") ||
		    write_str(loading, "0"))
			_exit(1);
		_exit(0);
	}
	i = write_str(TF_DIR "trigger_custom_fallback", name);
	if (variant->enforce) {
		EXPECT_NE(0, i);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		/*
		 * Built in, the refusal of a fallback nobody asked for by name
		 * cannot be told from the loader's announcement after every miss:
		 * refused, not reported (Documentation/integrators.rst).
		 */
		if (fwverify_builtin()) {
			EXPECT_NE(0, table_field(name, "result", r, sizeof(r)));
			return;
		}
		ASSERT_EQ(0, table_field(name, "result", r, sizeof(r)));
		EXPECT_STREQ("unsigned", r);
		ASSERT_EQ(0, table_field(name, "action", r, sizeof(r)));
		EXPECT_STREQ("denied", r);
	} else {
		EXPECT_EQ(0, i);
		waitpid(pid, &status, 0);
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		ASSERT_EQ(0, table_field("(sysfs)", "result", r, sizeof(r)));
		EXPECT_STREQ("unsigned", r);
	}
	EXPECT_EQ(unsig + 1, read_counter("unsigned"));
}

/* Platform (EFI embedded) firmware has no file either. */
TEST_F(paths, platform_firmware)
{
	const char *name = fresh(FWT "platform-%d.bin", variant->mode);
	char r[64];
	int ret;

	if (!kernel_has(TF_DIR "trigger_request_platform"))
		SKIP(return, "test_firmware without EFI embedded firmware");
	ret = write_str(TF_DIR "trigger_request_platform", name);
	EXPECT_EQ(variant->enforce ? -EKEYREJECTED : 0, ret);
	ASSERT_EQ(0, table_field(name, "result", r, sizeof(r)));
	EXPECT_STREQ("unsigned", r);
	ASSERT_EQ(0, table_field(name, "action", r, sizeof(r)));
	EXPECT_STREQ(variant->enforce ? "denied" : "allowed", r);
}

/* A .p7s requested as firmware is verified as the signature of its sibling. */
TEST_F(paths, signature_file_requested_as_firmware)
{
	char r[64];

	ASSERT_EQ(0, request_fw(FWT "rsa-sha256.bin.p7s"));
	EXPECT_TRUE(driver_has(FWT "rsa-sha256.bin.p7s"));
	ASSERT_EQ(0, table_field(FWT "rsa-sha256.bin.p7s", "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
	/* The signature of a tampered file is refused with it. */
	EXPECT_EQ(variant->enforce ? -EKEYREJECTED : 0,
		  request_fw(FWT "tampered.bin.p7s"));
}

/* A repeated load of an unchanged file costs no crypto; a change does. */
TEST(verdict_cache)
{
	const char *path = "/lib/firmware/" FWT "cache.bin";
	const char *name = FWT "cache.bin";
	long cached;
	char reads[512];

	ASSERT_EQ(0, set_mode("enforce"));
	ASSERT_EQ(0, make_blob(path, 4096));
	ASSERT_EQ(0, sign_with(path, "rsa-signer"));
	settle();
	ASSERT_EQ(0, request_fw(name));
	cached = read_counter("cached");
	ASSERT_EQ(0, request_fw(name));
	EXPECT_EQ(cached + 1, read_counter("cached"));
	ASSERT_EQ(0, table_field(name, "reads", reads, sizeof(reads)));
	EXPECT_NE(NULL, strstr(reads, "verified allowed cached"));

	/* The blob changes: verified again, and refused. */
	ASSERT_EQ(0, make_blob(path, 4096));
	settle();
	EXPECT_EQ(-EKEYREJECTED, request_fw(name));
	EXPECT_EQ(cached + 1, read_counter("cached"));
	/* Re-signed: verified again, then cached again. */
	ASSERT_EQ(0, sign_with(path, "rsa-signer"));
	settle();
	EXPECT_EQ(0, request_fw(name));
	EXPECT_EQ(cached + 1, read_counter("cached"));
	EXPECT_EQ(0, request_fw(name));
	EXPECT_EQ(cached + 2, read_counter("cached"));
	/*
	 * The signature alone changes, to one by an untrusted key: the bytes
	 * are still those a trusted key signed, and the verdict holds until
	 * keys, revocations or policy change.
	 */
	ASSERT_EQ(0, sign_with(path, "untrusted"));
	settle();
	EXPECT_EQ(0, request_fw(name));
	EXPECT_EQ(cached + 3, read_counter("cached"));
	ASSERT_EQ(0, expire_verdicts());
	EXPECT_EQ(-EKEYREJECTED, request_fw(name));
	EXPECT_EQ(cached + 3, read_counter("cached"));
	set_mode("log");
}

/*
 * A file bind-mounted over a signature is what fwverify reads, as the tool
 * and every reader of the path see it, not the file under the mount:
 * another firmware's signature over a good one is refused, a good one over
 * a wrong one verifies.
 */
TEST(signature_with_a_file_mounted_over_it)
{
	const char *a = "/lib/firmware/" FWT "mounted-a.bin";
	const char *b = "/lib/firmware/" FWT "mounted-b.bin";
	char asig[256], bsig[256], r[256];

	snprintf(asig, sizeof(asig), "%s.p7s", a);
	snprintf(bsig, sizeof(bsig), "%s.p7s", b);
	ASSERT_EQ(0, make_blob(a, 4096));
	ASSERT_EQ(0, make_blob(b, 4096));
	ASSERT_EQ(0, sign_with(a, "rsa-signer"));
	ASSERT_EQ(0, sign_with(b, "rsa-signer"));
	ASSERT_EQ(0, set_mode("enforce"));

	ASSERT_EQ(0, mount(bsig, asig, NULL, MS_BIND, NULL));
	EXPECT_NE(0, request_fw(FWT "mounted-a.bin"));
	EXPECT_EQ(0, table_field(FWT "mounted-a.bin", "result", r, sizeof(r)));
	EXPECT_STREQ("bad-signature", r);
	ASSERT_EQ(0, umount(asig));
	EXPECT_EQ(0, request_fw(FWT "mounted-a.bin"));
	EXPECT_EQ(0, table_field(FWT "mounted-a.bin", "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);

	/* b's own signature moved aside, a's mounted where it was. */
	ASSERT_EQ(0, make_blob(bsig, 64));
	EXPECT_NE(0, request_fw(FWT "mounted-b.bin"));
	ASSERT_EQ(0, sign_with(b, "rsa-signer"));
	ASSERT_EQ(0, rename(bsig, asig));
	ASSERT_EQ(0, make_blob(bsig, 64));
	ASSERT_EQ(0, mount(asig, bsig, NULL, MS_BIND, NULL));
	EXPECT_EQ(0, request_fw(FWT "mounted-b.bin"));
	EXPECT_EQ(0, table_field(FWT "mounted-b.bin", "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
	EXPECT_EQ(0, umount(bsig));
	set_mode("log");
	unlink(a);
	unlink(asig);
	unlink(b);
	unlink(bsig);
}

/*
 * A filesystem without a change counter (tmpfs) keeps nothing fwverify
 * could trust to tell a change: every load is verified again.
 */
TEST(no_verdict_cache_without_a_change_counter)
{
	const char *dir = "/lib/firmware/" FWT "tmpfs";
	const char *name = FWT "tmpfs/nocache.bin";
	char path[256], reads[512];
	long cached, verified;
	int i;

	mkdir(dir, 0755);
	ASSERT_EQ(0, mount("fwvt-tmpfs", dir, "tmpfs", 0, "size=1m"));
	snprintf(path, sizeof(path), "%s/nocache.bin", dir);
	ASSERT_EQ(0, make_blob(path, 4096));
	ASSERT_EQ(0, sign_with(path, "rsa-signer"));
	ASSERT_EQ(0, set_mode("enforce"));
	cached = read_counter("cached");
	verified = read_counter("verified");
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, request_fw(name));
	EXPECT_EQ(cached, read_counter("cached"))
		TH_LOG("a verdict on tmpfs was reused");
	EXPECT_EQ(verified + 3, read_counter("verified"));
	ASSERT_EQ(0, table_field(name, "reads", reads, sizeof(reads)));
	EXPECT_EQ(NULL, strstr(reads, "cached")) TH_LOG("reads: %s", reads);
	set_mode("log");
	umount(dir);
	rmdir(dir);
}

/*
 * Debian's layout: regulatory.db and regulatory.db.p7s are alternatives
 * links to the -debian files; cfg80211 loads both.  With Debian's regdb
 * signer trusted, both verify in enforce mode and cfg80211 accepts the
 * database.
 */
TEST(debian_regulatory_db_with_cfg80211)
{
	char r[256], kmsg[8192];
	bool bad = false;
	ssize_t n;
	int fd, i;

	if (access("/lib/modules/extra/cfg80211.ko", F_OK))
		SKIP(return, "no cfg80211 module in the image");
	/* Debian's alternatives links: see symlink_with_signature_beside_requested_name. */
	mkdir("/etc", 0755);
	mkdir("/etc/alternatives", 0755);
	symlink("/lib/firmware/regulatory.db-debian", "/etc/alternatives/regulatory.db");
	symlink("/lib/firmware/regulatory.db.p7s-debian",
		"/etc/alternatives/regulatory.db.p7s");
	ASSERT_EQ(0, set_mode("enforce"));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);

	i = open("/lib/modules/extra/cfg80211.ko", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, i);
	ASSERT_EQ(0, syscall(SYS_finit_module, i, "", 0));
	close(i);
	/* cfg80211 loads the database asynchronously. */
	for (i = 0; i < 100 && table_field("regulatory.db.p7s", "result", r, sizeof(r)); i++)
		usleep(100000);
	ASSERT_EQ(0, table_field("regulatory.db", "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
	ASSERT_EQ(0, table_field("regulatory.db", "path", r, sizeof(r)));
	EXPECT_STREQ("/lib/firmware/regulatory.db-debian", r);
	ASSERT_EQ(0, table_field("regulatory.db.p7s", "result", r, sizeof(r)));
	EXPECT_STREQ("verified", r);
	usleep(200000);
	while ((n = read(fd, kmsg, sizeof(kmsg) - 1)) > 0) {
		kmsg[n] = '\0';
		if (strstr(kmsg, "regulatory.db is malformed") ||
		    strstr(kmsg, "fwverify: /lib/firmware/regulatory"))
			bad = true;
	}
	close(fd);
	EXPECT_FALSE(bad) TH_LOG("cfg80211 or fwverify complained about regulatory.db");
	syscall(SYS_delete_module, "cfg80211", 0);
	set_mode("log");
}

TEST_HARNESS_MAIN
