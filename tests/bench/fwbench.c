// SPDX-License-Identifier: GPL-2.0
/*
 * fwbench: time firmware loads through test_firmware and print the median
 * and the minimum time of one load, in microseconds.
 *
 *   fwbench load NAME COUNT [uncached]   request_firmware(); "uncached"
 *                                        expires fwverify's cached verdicts
 *                                        before each load (not timed)
 *   fwbench partial NAME COUNT           request_partial_firmware_into_buf()
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TF "/sys/devices/virtual/misc/test_firmware/"
#define MAX_SIZE "/sys/module/fwverify/parameters/max_size"

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

/*
 * A change of max_size expires cached verdicts (a write of the same value
 * is no change): one byte less, then the value back.
 */
static void expire_cache(void)
{
	char buf[64] = "", less[64];
	int fd = open(MAX_SIZE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (read(fd, buf, sizeof(buf) - 1) > 0) {
		snprintf(less, sizeof(less), "%lu", strtoul(buf, NULL, 10) - 1);
		put(MAX_SIZE, less);
		put(MAX_SIZE, buf);
	}
	close(fd);
}

static int load_partial(const char *name)
{
	int err = put(TF "config_name", name);

	err = err ?: put(TF "config_num_requests", "1");
	err = err ?: put(TF "config_into_buf", "1");
	err = err ?: put(TF "config_partial", "1");
	err = err ?: put(TF "config_buf_size", "1000");
	err = err ?: put(TF "trigger_batched_requests", "1");
	put(TF "release_all_firmware", "1");
	return err;
}

int main(int argc, char **argv)
{
	bool partial, uncached;
	const char *name;
	double *t;
	int count, i, err;

	if (argc < 4 || (count = atoi(argv[3])) <= 0 ||
	    (strcmp(argv[1], "load") && strcmp(argv[1], "partial"))) {
		fprintf(stderr, "usage: fwbench load|partial NAME COUNT [uncached]\n");
		return 2;
	}
	partial = !strcmp(argv[1], "partial");
	uncached = argc > 4 && !strcmp(argv[4], "uncached");
	name = argv[2];
	t = calloc(count, sizeof(*t));
	if (!t)
		return 2;
	for (i = 0; i < count; i++) {
		double start;

		if (uncached)
			expire_cache();
		start = now_us();
		err = partial ? load_partial(name) : put(TF "trigger_request", name);
		t[i] = now_us() - start;
		if (err) {
			fprintf(stderr, "fwbench: loading %s: %s\n", name,
				strerror(-err));
			return 1;
		}
	}
	qsort(t, count, sizeof(*t), cmp_double);
	printf("%.0f %.0f\n", t[count / 2], t[0]);
	free(t);
	return 0;
}
