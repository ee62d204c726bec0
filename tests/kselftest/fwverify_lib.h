/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the fwverify kselftests: drive test_firmware.ko, read
 * fwverify's sysfs files, load and unload the module, sign firmware.
 */
#ifndef FWVERIFY_LIB_H
#define FWVERIFY_LIB_H

#define _GNU_SOURCE
#include <dirent.h>
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
#include "../helpers/tf-batch.h"

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

/*
 * Expire every cached verdict: a change of max_size is a new generation of
 * verdicts (writing the same value is no change), so one byte less, then
 * the value back.
 */
static int expire_verdicts(void)
{
	const char *p = "/sys/module/fwverify/parameters/max_size";
	char buf[32] = "", less[32];
	ssize_t n;
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	snprintf(less, sizeof(less), "%lu", strtoul(buf, NULL, 10) - 1);
	return write_str(p, less) ?: write_str(p, buf);
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

/*
 * fwverify built into the kernel (an LSM, scripts/intree): its parameters
 * are in /sys/module/fwverify, but there is no module to unload or load.
 */
static bool fwverify_builtin(void)
{
	return access("/sys/module/fwverify/initstate", F_OK) &&
	       !access("/sys/module/fwverify/parameters", F_OK);
}

#define SKIP_IF_BUILTIN(what)						\
	do {								\
		if (fwverify_builtin())					\
			SKIP(return, "fwverify is built in: " what);	\
	} while (0)

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

/* Write @val to test_firmware's configuration file @attr. */
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
static int tf_into_buf(const char *name, bool partial, size_t offset,
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
	tf_batch_done();
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
 * A fresh name per variant of a fixture (@fmt with %d: 1 in enforce mode,
 * 2 in log mode), for state fwverify and the loader keep per name.
 */
static const char *fresh(const char *fmt, const char *mode)
{
	static int n;
	static char buf[8][128];
	char *b = buf[n++ % 8];

	snprintf(b, 128, fmt, strcmp(mode, "enforce") ? 2 : 1);
	return b;
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

/*
 * Once the verdict cache trusted a file's ctime only after it had aged 20 ms.
 * It keys on the change counter now, which a write moves at once: nothing
 * to wait for, and a test that needed to would show a bug.
 */
static void settle(void)
{
}

/* --- trust, policy, revocation and lock (fwverify_trust_test) --- */

#include <linux/keyctl.h>

#define SFS		"/sys/kernel/security/fwverify/"
#define POLICY		SFS "policy"
#define REVOKE		SFS "revoke"
#define LOCK		SFS "lock"
#define TRUST		"/sys/module/fwverify/parameters/trust"

/* Write @len bytes of @buf in one write(2); 0 (a short write too) or -errno. */
static int write_buf(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* The whole of a small text file (policy, revoke) as a string, or NULL. */
static char *read_all(const char *path)
{
	size_t len = 0;
	char *buf = slurp(path, &len), *s;

	if (!buf)
		return NULL;
	s = realloc(buf, len + 1);
	if (!s) {
		free(buf);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

/* Run "fwverify sign ARGS 'path'"; 0 or -EIO. */
static int sign_args(const char *path, const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "fwverify sign %s '%s' >/dev/null", args,
		 path);
	return system(cmd) == 0 ? 0 : -EIO;
}

/*
 * A firmware file /lib/firmware/@name of @len random bytes, signed by the
 * test key @signer of /payload/pki/ (NULL: unsigned, no .p7s beside it).
 */
static int make_fw(const char *name, size_t len, const char *signer)
{
	char path[512], dir[512], *slash;
	int err;

	snprintf(path, sizeof(path), "/lib/firmware/%s", name);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	/* Every blob its own: equal blobs share a digest, and revocation. */
	srand(time(NULL) ^ getpid() << 16 ^ rand());
	err = make_blob(path, len);
	strcat(path, ".p7s");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	if (!err && signer)
		err = sign_with(path, signer);
	settle();
	return err;
}

/* The serial of the .fwverify keyring, from /proc/keys; -errno if none. */
static long fwverify_keyring_id(void)
{
	char line[512], desc[128];
	unsigned long id;
	long found = -ENOKEY;
	FILE *f = fopen("/proc/keys", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %*s %*s %*s %*s %*s %*s keyring %127[^:]",
			   &id, desc) == 2 && !strcmp(desc, ".fwverify"))
			found = id;
	fclose(f);
	return found;
}

/* Add the DER certificate @der to .fwverify; its key serial or -errno. */
static long add_cert(const char *der)
{
	long ring = fwverify_keyring_id(), key;
	size_t len = 0;
	char *buf;

	if (ring < 0)
		return ring;
	buf = slurp(der, &len);
	if (!buf)
		return -ENOENT;
	key = syscall(SYS_add_key, "asymmetric", NULL, buf, len, ring);
	free(buf);
	return key < 0 ? -errno : key;
}

/*
 * The description of the key in .fwverify whose description starts with
 * @prefix ("fwverify test RSA signer"); its serial, or -errno.
 */
static long fwverify_key(const char *prefix, char *desc, size_t len)
{
	long ring = fwverify_keyring_id(), n, i;
	int32_t keys[256];
	char d[512], *p;

	if (ring < 0)
		return ring;
	n = syscall(SYS_keyctl, KEYCTL_READ, ring, keys, sizeof(keys));
	if (n < 0)
		return -errno;
	for (i = 0; i < n / 4 && i < 256; i++) {
		if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, keys[i], d, sizeof(d)) < 0)
			continue;
		/* "type;uid;gid;perm;description" */
		p = d;
		for (int f = 0; f < 4 && p; f++)
			p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL;
		if (p && !strncmp(p, prefix, strlen(prefix))) {
			snprintf(desc, len, "%s", p);
			return keys[i];
		}
	}
	return -ENOKEY;
}

#endif /* FWVERIFY_LIB_H */
