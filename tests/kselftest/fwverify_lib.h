/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the fwverify kselftests: drive test_firmware.ko, read
 * fwverify's sysfs files, load and unload the module, sign firmware.
 */
#ifndef FWVERIFY_LIB_H
#define FWVERIFY_LIB_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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


#define TF_DIR		"/sys/devices/virtual/misc/test_firmware/"
#define TABLE		"/sys/kernel/fwverify/firmware/"
#define CHECK		"/sys/kernel/security/fwverify/check"
#define PKI		"/payload/pki/"

/* Read a small sysfs file into @buf without the trailing newline. */
static int read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* A field of the firmware table entry of @name ('/' written as '!'). */
static int table_field(const char *name, const char *field, char *buf,
		       size_t len)
{
	char path[1024], dir[512];
	size_t i;

	snprintf(dir, sizeof(dir), "%s", name);
	for (i = 0; dir[i]; i++)
		if (dir[i] == '/')
			dir[i] = '!';
	snprintf(path, sizeof(path), TABLE "%s/%s", dir, field);
	return read_str(path, buf, len);
}

/* Write @len random bytes to @path. */
static int make_blob(const char *path, size_t len)
{
	char *buf = malloc(len);
	size_t i;
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		buf[i] = rand();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		ret = -EIO;
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* Sign @path with the test key @key ("rsa-signer", "untrusted", ...). */
static int sign_with(const char *path, const char *key)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "fwverify sign --key " PKI "%s.key --cert " PKI "%s.crt '%s' >/dev/null",
		 key, key, path);
	return system(cmd) == 0 ? 0 : -EIO;
}

/* Let a freshly written file age past the verdict cache's racy window. */
static void settle(void)
{
	usleep(50 * 1000);
}

#endif /* FWVERIFY_LIB_H */
