// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify kselftests: drive test_firmware.ko and check what fwverify.ko
 * decides for each kind of signed and unsigned firmware, in every mode.
 *
 * Runs as root in the test VM with fwverify.ko loaded, test_firmware.ko
 * loaded and the test tree in /lib/firmware/fwverify-test/ (made by
 * mkfwtree.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define FW_DIR		"/lib/firmware/fwverify-test"
#define TRIGGER		"/sys/devices/virtual/misc/test_firmware/trigger_request"
#define TEST_DEV	"/dev/test_firmware"
#define MODE		"/sys/module/fwverify/parameters/mode"
#define STATS		"/sys/kernel/fwverify/stats/"
#define MODULE_KO	"/lib/modules/extra/fwverify.ko"

#ifndef EKEYREJECTED
#define EKEYREJECTED 129
#endif

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static long read_counter(const char *name)
{
	char path[256], buf[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), STATS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* The whole file, or NULL; *len is its size. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 16, used = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + used, cap - used)) > 0) {
		used += n;
		if (used == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				n = -1;
				break;
			}
			buf = nb;
		}
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*len = used;
	return buf;
}

/* Ask test_firmware for @name; 0 or -errno. */
static int request_fw(const char *name)
{
	return write_str(TRIGGER, name);
}

/* True if what the driver holds now is exactly the file @name. */
static bool driver_has(const char *name)
{
	char path[512];
	size_t flen = 0, dlen = 0;
	char *file, *dev;
	bool same;

	snprintf(path, sizeof(path), "/lib/firmware/%s", name);
	file = slurp(path, &flen);
	dev = slurp(TEST_DEV, &dlen);
	same = file && dev && flen == dlen && !memcmp(file, dev, flen);
	free(file);
	free(dev);
	return same;
}

/* The driver holds no firmware (test_firmware read returns nothing). */
static bool driver_empty(void)
{
	size_t dlen = 1;
	char *dev = slurp(TEST_DEV, &dlen);

	free(dev);
	return dev && dlen == 0;
}

static int set_mode(const char *mode)
{
	return write_str(MODE, mode);
}

static int load_module(const char *params)
{
	int fd = open(MODULE_KO, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static int unload_module(void)
{
	return syscall(SYS_delete_module, "fwverify", 0) ? -errno : 0;
}

static bool kernel_has_ecdsa(void)
{
	size_t len = 0;
	char *crypto = slurp("/proc/crypto", &len);
	bool has;

	has = crypto && memmem(crypto, len, "ecdsa-nist-p256", 15);
	free(crypto);
	return has;
}

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
	symlink("../fwverify-test/rsa-sha256.bin.p7s", FW_DIR "/link-sig.bin.p7s");
	check_load(_metadata, variant->mode, "fwverify-test/link-sig.bin", "verified");
}

/* Each failure is logged once, naming the file, the result and the action. */
TEST(failure_is_logged)
{
	char buf[8192];
	bool found = false;
	ssize_t n;
	int fd;

	/* A fresh module has a fresh log rate limit. */
	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module("mode=enforce"));
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
