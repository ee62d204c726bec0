// SPDX-License-Identifier: GPL-2.0
/*
 * fwbench: time firmware loads through test_firmware and print the median
 * and the minimum time of one load, then its 10th and 90th percentiles,
 * maximum and mean (p10=, p90=, max=, mean=), in microseconds; set up IMA
 * appraisal of the same files.  The mean is the one figure that charges
 * the loads with work done after them (fwverify's reports) wherever it
 * ran within the timed loads.
 *
 *   fwbench load NAME COUNT [expire] [settle=MS] [samples=FILE]
 *                                        request_firmware()
 *   fwbench partial NAME COUNT [expire] [settle=MS] [samples=FILE]
 *                                        request_partial_firmware_into_buf(),
 *                                        1000 bytes at offset 0, made by a
 *                                        kernel thread of test_firmware;
 *                                        its set-up is not timed
 *   fwbench stats FILE                   the figures above of the times in
 *                                        FILE, one per line
 *   fwbench imasig FILE VALUE            set FILE's security.ima to the bytes
 *                                        of the file VALUE
 *   fwbench imakey CERT                  add the DER certificate CERT to the
 *                                        "_ima" keyring (made in root's user
 *                                        keyring if missing); prints the
 *                                        keyring's and the key's ids
 *
 * "expire" makes every load a first one: before each load, untimed, the
 * first byte of the stored file (NAME, NAME.xz or NAME.zst under
 * /lib/firmware) is written over with its own value.  The contents stay;
 * the change counter (i_version) moves.  fwverify's cached verdict is keyed
 * on that counter, so it no longer matches; IMA drops its appraisal on the
 * last writer's close when the counter moved (ima_check_last_writer()).
 *
 * "settle=MS" waits MS milliseconds before the first load, untimed, busy:
 * for work the loads before left behind (fwverify's reports of its first
 * verdicts) to be done, with the CPU kept busy.  Under TCG, loads that
 * follow an idle spell are slower for a while, whatever guards them.
 *
 * "samples=FILE" appends each load's time to FILE, one per line, and prints
 * nothing: a column timed in several blocks, interleaved with the others',
 * is summed up by "fwbench stats FILE" at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../helpers/tf-batch.h"

#define TF "/sys/devices/virtual/misc/test_firmware/"
#define FW_DIR "/lib/firmware/"
#define VALUE_MAX (64 << 10)	/* certificates and xattr values */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a small file whole; returns its length or a negative errno. */
static ssize_t slurp(const char *path, char **out)
{
	char *buf = malloc(VALUE_MAX);
	ssize_t n = -ENOMEM;
	int fd;

	if (!buf)
		return n;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		n = -errno;
	} else {
		n = read(fd, buf, VALUE_MAX);
		if (n < 0)
			n = -errno;
		else if (n == VALUE_MAX)
			n = -EFBIG;
		close(fd);
	}
	if (n < 0)
		free(buf);
	else
		*out = buf;
	return n;
}

/* The file the loader reads for NAME: NAME, or NAME with its compression suffix. */
static int stored_file(const char *name, char *path, size_t size)
{
	static const char *const suffixes[] = { "", ".xz", ".zst" };
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, size, FW_DIR "%s%s", name, suffixes[i]);
		if (!stat(path, &st))
			return 0;
	}
	return -ENOENT;
}

/*
 * The first byte written over with itself (see "expire" above), and synced:
 * no writeback of it runs while a load is timed.
 */
static int rewrite(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), ret = 0;
	char c;

	if (fd < 0)
		return -errno;
	errno = 0;
	if (pread(fd, &c, 1, 0) != 1 || pwrite(fd, &c, 1, 0) != 1 ||
	    fsync(fd))
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

/*
 * A load: set-up and result, untimed, around the request, timed.
 * test_firmware's batched trigger succeeds whatever the request's result:
 * that is read from test_result.
 */
struct loader {
	int (*setup)(const char *name);
	int (*request)(const char *name);
	int (*result)(void);
};

static int whole_request(const char *name)
{
	return put(TF "trigger_request", name);
}

/* The last pid before the batch's thread is made (tf_batch_done_since()). */
static int batch_since = -1;

static int partial_setup(const char *name)
{
	int err = put(TF "reset", "1");	/* test_result back to 0 too */

	err = err ?: put(TF "config_name", name);
	err = err ?: put(TF "config_num_requests", "1");
	err = err ?: put(TF "config_into_buf", "1");
	err = err ?: put(TF "config_partial", "1");
	batch_since = tf_last_pid();
	return err ?: put(TF "config_buf_size", "1000");
}

static int partial_request(const char *name)
{
	(void)name;
	return put(TF "trigger_batched_requests", "1");
}

static int partial_result(void)
{
	char buf[32] = "";
	int fd, ret;

	/* Before the release frees the batch's slots. */
	tf_batch_done_since(batch_since);
	fd = open(TF "test_result", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = read(fd, buf, sizeof(buf) - 1) > 0 ? atoi(buf) : -EIO;
	close(fd);
	put(TF "release_all_firmware", "1");
	return ret;
}

static const struct loader whole = { NULL, whole_request, NULL };
static const struct loader partial = { partial_setup, partial_request, partial_result };

/*
 * Median and minimum, then p10=, p90=, max=, mean=, of @count times, sorted
 * here.
 */
static void print_stats(double *t, int count)
{
	double sum = 0;
	int i;

	qsort(t, count, sizeof(*t), cmp_double);
	for (i = 0; i < count; i++)
		sum += t[i];
	/* The spread, for the log: first loads vary more than the median says. */
	printf("%.0f %.0f p10=%.0f p90=%.0f max=%.0f mean=%.0f\n", t[count / 2],
	       t[0], t[count / 10], t[count * 9 / 10], t[count - 1], sum / count);
}

static int timed(const struct loader *l, int argc, char **argv)
{
	const char *name, *samples = NULL;
	int count, i, err, expire = 0, settle = 0;
	double start;
	char path[4096];
	FILE *out = NULL;
	double *t;

	if (argc < 3 || (count = atoi(argv[2])) <= 0)
		return -EINVAL;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "expire"))
			expire = 1;
		else if (!strncmp(argv[i], "settle=", 7) && argv[i][7])
			settle = atoi(argv[i] + 7);
		else if (!strncmp(argv[i], "samples=", 8) && argv[i][8])
			samples = argv[i] + 8;
		else
			return -EINVAL;
	}
	name = argv[1];
	if (expire && stored_file(name, path, sizeof(path))) {
		fprintf(stderr, "fwbench: no stored file for %s under " FW_DIR "\n",
			name);
		return 1;
	}
	if (samples && !(out = fopen(samples, "a"))) {
		fprintf(stderr, "fwbench: %s: %s\n", samples, strerror(errno));
		return 1;
	}
	t = calloc(count, sizeof(*t));
	if (!t)
		return 1;
	/* settle=: busy, so that the host keeps this vCPU's thread running. */
	for (start = now_us() + settle * 1e3; now_us() < start;)
		;
	for (i = 0; i < count; i++) {
		err = expire ? rewrite(path) : 0;
		if (err) {
			fprintf(stderr, "fwbench: rewriting %s: %s\n", path,
				strerror(-err));
			return 1;
		}
		err = l->setup ? l->setup(name) : 0;
		start = now_us();
		err = err ?: l->request(name);
		t[i] = now_us() - start;
		err = err ?: l->result ? l->result() : 0;
		if (err) {
			fprintf(stderr, "fwbench: loading %s: %s\n", name,
				strerror(-err));
			return 1;
		}
	}
	if (out) {
		for (i = 0; i < count; i++)
			fprintf(out, "%.1f\n", t[i]);
		if (fclose(out)) {
			fprintf(stderr, "fwbench: %s: %s\n", samples,
				strerror(errno));
			return 1;
		}
	} else {
		print_stats(t, count);
	}
	free(t);
	return 0;
}

/* The figures of the times in a file, one per line. */
static int cmd_stats(int argc, char **argv)
{
	int count = 0, size = 256;
	double *t, *more;
	FILE *in;

	if (argc != 2)
		return -EINVAL;
	t = malloc(size * sizeof(*t));
	if (!t)
		return 1;
	in = fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "fwbench: %s: %s\n", argv[1], strerror(errno));
		free(t);
		return 1;
	}
	while (fscanf(in, "%lf", &t[count]) == 1) {
		if (++count < size)
			continue;
		more = realloc(t, 2 * size * sizeof(*t));
		if (!more) {
			fclose(in);
			free(t);
			return 1;
		}
		t = more;
		size *= 2;
	}
	fclose(in);
	if (!count) {
		fprintf(stderr, "fwbench: %s: no times\n", argv[1]);
		free(t);
		return 1;
	}
	print_stats(t, count);
	free(t);
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	return timed(&whole, argc, argv);
}

static int cmd_partial(int argc, char **argv)
{
	return timed(&partial, argc, argv);
}

static int cmd_imasig(int argc, char **argv)
{
	char *value;
	ssize_t n;

	if (argc != 3)
		return -EINVAL;
	n = slurp(argv[2], &value);
	if (n < 0) {
		fprintf(stderr, "fwbench: reading %s: %s\n", argv[2],
			strerror(-n));
		return 1;
	}
	if (setxattr(argv[1], "security.ima", value, n, 0)) {
		fprintf(stderr, "fwbench: setting security.ima of %s: %s\n",
			argv[1], strerror(errno));
		free(value);
		return 1;
	}
	free(value);
	return 0;
}

/*
 * Without CONFIG_INTEGRITY_TRUSTED_KEYRING, IMA finds its keys in the
 * keyring "_ima" that request_key() finds from the task doing the load: a
 * keyring linked from root's user keyring is found from every root task.
 * IMA holds on to the keyring it found first, so an existing one is reused.
 */
static int cmd_imakey(int argc, char **argv)
{
	long ring, key;
	char *cert;
	ssize_t n;

	if (argc != 2)
		return -EINVAL;
	n = slurp(argv[1], &cert);
	if (n < 0) {
		fprintf(stderr, "fwbench: reading %s: %s\n", argv[1],
			strerror(-n));
		return 1;
	}
	ring = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING,
		       "keyring", "_ima", 0);
	if (ring < 0)
		ring = syscall(SYS_add_key, "keyring", "_ima", NULL, 0,
			       KEY_SPEC_USER_KEYRING);
	if (ring < 0) {
		fprintf(stderr, "fwbench: making the _ima keyring: %s\n",
			strerror(errno));
		free(cert);
		return 1;
	}
	key = syscall(SYS_add_key, "asymmetric", NULL, cert, n, ring);
	if (key < 0) {
		fprintf(stderr, "fwbench: adding %s to _ima: %s\n", argv[1],
			strerror(errno));
		free(cert);
		return 1;
	}
	printf("%ld %ld\n", ring, key);
	free(cert);
	return 0;
}

static const struct {
	const char *name, *args;
	int (*run)(int argc, char **argv);
} cmds[] = {
	{ "load", "NAME COUNT [expire] [settle=MS] [samples=FILE]", cmd_load },
	{ "partial", "NAME COUNT [expire] [settle=MS] [samples=FILE]", cmd_partial },
	{ "stats", "FILE", cmd_stats },
	{ "imasig", "FILE VALUE", cmd_imasig },
	{ "imakey", "CERT", cmd_imakey },
};

static int usage(void)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "%s fwbench %s %s\n", i ? "      " : "usage:",
			cmds[i].name, cmds[i].args);
	return 2;
}

int main(int argc, char **argv)
{
	size_t i;
	int ret;

	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		ret = cmds[i].run(argc - 1, argv + 1);
		return ret == -EINVAL ? usage() : ret;
	}
	return usage();
}
