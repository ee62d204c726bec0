// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify kselftests: drive test_firmware.ko and check what fwverify.ko
 * decides for each kind of signed and unsigned firmware, in every mode.
 *
 * Runs as root in the test VM with fwverify.ko loaded, test_firmware.ko
 * loaded and the test tree in /lib/firmware/fwverify-test/ (made by
 * mkfwtree.sh).
 */
#include "fwverify_lib.h"

FIXTURE(fw) {
	long verified, allowed, denied;
};

FIXTURE_VARIANT(fw) {
	const char *mode;
};

FIXTURE_VARIANT_ADD(fw, enforce) { .mode = "enforce" };
FIXTURE_VARIANT_ADD(fw, log) { .mode = "log" };
FIXTURE_VARIANT_ADD(fw, off) { .mode = "off" };

FIXTURE_SETUP(fw)
{
	ASSERT_EQ(0, set_mode(variant->mode));
}

FIXTURE_TEARDOWN(fw)
{
	set_mode("log");
}

/*
 * Load @name and check the mode's contract for a file whose verification
 * gives @result (a counter name): verified files always load; others are
 * denied in enforce mode and allowed in log mode, and counted in both; off
 * mode neither verifies nor counts.
 */
static void check_load(struct __test_metadata *_metadata, const char *mode,
		       const char *name, const char *result)
{
	bool enforce = !strcmp(mode, "enforce");
	bool off = !strcmp(mode, "off");
	bool good = !strcmp(result, "verified");
	long before = read_counter(result);
	long denied = read_counter("denied");
	long allowed = read_counter("allowed");
	int ret;

	ASSERT_LE(0, before);
	ret = request_fw(name);
	if (enforce && !good) {
		EXPECT_EQ(-EKEYREJECTED, ret)
			TH_LOG("%s: expected the load refused", name);
		EXPECT_TRUE(driver_empty());
		EXPECT_EQ(denied + 1, read_counter("denied"));
		EXPECT_EQ(allowed, read_counter("allowed"));
	} else {
		EXPECT_EQ(0, ret) TH_LOG("%s: load failed: %s", name, strerror(-ret));
		EXPECT_TRUE(driver_has(name))
			TH_LOG("%s: driver's bytes differ from the file", name);
		EXPECT_EQ(denied, read_counter("denied"));
		EXPECT_EQ(allowed + !off, read_counter("allowed"));
	}
	EXPECT_EQ(before + !off, read_counter(result))
		TH_LOG("%s: counter %s", name, result);
}

TEST_F(fw, signed_rsa_sha256)
{
	check_load(_metadata, variant->mode, "fwverify-test/rsa-sha256.bin", "verified");
}

TEST_F(fw, signed_rsa_sha512)
{
	check_load(_metadata, variant->mode, "fwverify-test/rsa-sha512.bin", "verified");
}

TEST_F(fw, signed_without_certs)
{
	check_load(_metadata, variant->mode, "fwverify-test/nocerts.bin", "verified");
}

TEST_F(fw, openssl_cms_signature)
{
	check_load(_metadata, variant->mode, "fwverify-test/openssl.bin", "verified");
}

TEST_F(fw, no_authattrs_signature_from_fwverify_key)
{
	check_load(_metadata, variant->mode, "fwverify-test/noattr.bin", "verified");
}

TEST_F(fw, ecdsa_signature)
{
	/* 6.1 has no ECDSA: the signature cannot be checked, never trusted. */
	check_load(_metadata, variant->mode, "fwverify-test/ecdsa.bin",
		   kernel_has_ecdsa() ? "verified" : "untrusted");
}

TEST_F(fw, no_signature)
{
	check_load(_metadata, variant->mode, "fwverify-test/unsigned.bin", "unsigned");
}

TEST_F(fw, blob_changed_by_one_byte)
{
	check_load(_metadata, variant->mode, "fwverify-test/tampered.bin", "bad_signature");
}

TEST_F(fw, signature_changed_by_one_byte)
{
	check_load(_metadata, variant->mode, "fwverify-test/badsig.bin", "bad_signature");
}

TEST_F(fw, signer_not_in_keyring)
{
	check_load(_metadata, variant->mode, "fwverify-test/untrusted.bin", "untrusted");
}

TEST_F(fw, empty_signature)
{
	check_load(_metadata, variant->mode, "fwverify-test/empty-sig.bin", "malformed");
}

TEST_F(fw, truncated_signature)
{
	check_load(_metadata, variant->mode, "fwverify-test/truncated-sig.bin", "malformed");
}

TEST_F(fw, garbage_signature)
{
	check_load(_metadata, variant->mode, "fwverify-test/garbage-sig.bin", "malformed");
}

TEST_F(fw, oversized_signature)
{
	check_load(_metadata, variant->mode, "fwverify-test/oversized-sig.bin", "malformed");
}

TEST_F(fw, signature_is_a_directory)
{
	mkdir(FW_DIR "/dir-sig.bin.p7s", 0755);
	check_load(_metadata, variant->mode, "fwverify-test/dir-sig.bin", "malformed");
}

TEST_F(fw, signature_is_a_fifo)
{
	/* Opening a FIFO for reading would block forever: it must not be. */
	mkfifo(FW_DIR "/fifo-sig.bin.p7s", 0644);
	check_load(_metadata, variant->mode, "fwverify-test/fifo-sig.bin", "malformed");
}

TEST_F(fw, signature_is_a_symlink_to_dev_zero)
{
	symlink("/dev/zero", FW_DIR "/zero-sig.bin.p7s");
	check_load(_metadata, variant->mode, "fwverify-test/zero-sig.bin", "malformed");
}

TEST_F(fw, signature_is_a_symlink_to_a_good_signature)
{
	symlink("../fwverify-test/openssl.bin.p7s", FW_DIR "/link-sig.bin.p7s");
	check_load(_metadata, variant->mode, "fwverify-test/link-sig.bin", "verified");
}

/* The same through a signature that names the firmware it was made for. */
TEST_F(fw, signature_symlink_for_another_name_is_refused)
{
	symlink("../fwverify-test/rsa-sha256.bin.p7s", FW_DIR "/link-named.bin.p7s");
	check_load(_metadata, variant->mode, "fwverify-test/link-named.bin", "bad_signature");
}

/*
 * The firmware name attribute: fwverify sign writes it under id-at-name
 * (2.5.4.41); signatures made before carry it under a private OID, and
 * still name their firmware.  mkfwtree.sh makes these with cms-sign-attrs.
 */
TEST_F(fw, legacy_name_oid_signature)
{
	check_load(_metadata, variant->mode, "fwverify-test/legacy-name.bin", "verified");
}

/* A copy of legacy-name.bin and its signature, which names legacy-name.bin. */
TEST_F(fw, legacy_name_oid_signature_for_another_name)
{
	check_load(_metadata, variant->mode, "fwverify-test/legacy-renamed.bin", "bad_signature");
}

/* The same name under each OID: two name attributes, as two under one. */
TEST_F(fw, name_under_both_oids_is_malformed)
{
	check_load(_metadata, variant->mode, "fwverify-test/both-names.bin", "malformed");
}

/*
 * Load @name, a file not loaded before (so verified, not taken from the
 * cache), in enforce mode: it must be verified.  Return the number of
 * "PKCS7: Unknown OID" lines the kernel logged meanwhile, printed.
 */
static int unknown_oid_lines(struct __test_metadata *_metadata, const char *name)
{
	char rec[2048], got[64] = "", *msg;
	int fd, ret, lines = 0;
	ssize_t n;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	lseek(fd, 0, SEEK_END);
	ret = set_mode("enforce") ?: request_fw(name);
	table_field(name, "result", got, sizeof(got));
	set_mode("log");
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten before they were read */
		if (n <= 0)
			break;
		rec[n] = '\0';
		rec[strcspn(rec, "\n")] = '\0';
		msg = strchr(rec, ';');		/* "prio,seq,time,flags;text" */
		if (strstr(rec, "PKCS7: Unknown OID")) {
			TH_LOG("%s: the kernel logged: %s", name, msg ? msg + 1 : rec);
			lines++;
		}
	}
	close(fd);
	EXPECT_EQ(0, ret) TH_LOG("%s: load failed: %s", name, strerror(-ret));
	EXPECT_STREQ("verified", got);
	return lines;
}

/*
 * A signature fwverify sign makes costs no kernel log line: the kernel's
 * PKCS#7 parser knows every OID in it, the name attribute's too.
 */
TEST(tool_signature_logs_no_unknown_oid)
{
	char name[128];

	snprintf(name, sizeof(name), "fwverify-oid/tool-%d.bin", getpid());
	ASSERT_EQ(0, make_fw(name, 3000, "rsa-signer"));
	EXPECT_EQ(0, unknown_oid_lines(_metadata, name));
}

/*
 * The check above can see the line: the kernel's parser logs the legacy
 * OID of a signature made before, for a copy of it (a path not loaded yet)
 * under its signed name.
 */
TEST(legacy_signature_logs_unknown_oid)
{
	char dir[128], path[256], sig[300], name[256];

	snprintf(dir, sizeof(dir), "/lib/firmware/fwverify-oid/legacy-%d", getpid());
	snprintf(path, sizeof(path), "%s/legacy-name.bin", dir);
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	mkdir("/lib/firmware/fwverify-oid", 0755);
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, copy_file(FW_DIR "/legacy-name.bin", path));
	ASSERT_EQ(0, copy_file(FW_DIR "/legacy-name.bin.p7s", sig));
	snprintf(name, sizeof(name), "%s", path + strlen("/lib/firmware/"));
	EXPECT_LE(1, unknown_oid_lines(_metadata, name));
}

/* Each failure is logged once, naming the file, the result and the action. */
TEST(failure_is_logged)
{
	char buf[8192];
	bool found = false;
	ssize_t n;
	int fd;

	/* A fresh module has a fresh log rate limit; built in, wait it out. */
	if (fwverify_builtin()) {
		sleep(6);
		ASSERT_EQ(0, set_mode("enforce"));
	} else {
		ASSERT_EQ(0, unload_module());
		ASSERT_EQ(0, load_module("mode=enforce"));
	}
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);
	ASSERT_EQ(-EKEYREJECTED, request_fw("fwverify-test/unsigned.bin"));
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, "fwverify: /lib/firmware/fwverify-test/unsigned.bin: unsigned") &&
		    strstr(buf, "denied"))
			found = true;
	}
	close(fd);
	EXPECT_TRUE(found);
	set_mode("log");
}

TEST(mode_rejects_unknown_values)
{
	EXPECT_EQ(-EINVAL, set_mode("permissive"));
	EXPECT_EQ(0, set_mode("enforce"));
	EXPECT_EQ(0, set_mode("log"));
}

/* Unloading fwverify while loads run neither crashes nor loses a load. */
TEST(unload_while_loading)
{
	const char *name = "fwverify-test/big.bin";
	pid_t pid;
	int status, i;

	SKIP_IF_BUILTIN("there is no module to unload");
	ASSERT_EQ(0, set_mode("enforce"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (i = 0; i < 40; i++)
			if (request_fw(name))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < 5; i++) {
		usleep(100000);
		ASSERT_EQ(0, unload_module());
		usleep(50000);
		ASSERT_EQ(0, load_module("mode=enforce"));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("a signed load failed while the module came and went");
	/* Whatever happened, the module that is loaded now guards loads. */
	EXPECT_EQ(-EKEYREJECTED, request_fw("fwverify-test/unsigned.bin"));
	set_mode("log");
}

TEST_HARNESS_MAIN
