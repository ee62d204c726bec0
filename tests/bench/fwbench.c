// SPDX-License-Identifier: GPL-2.0
/*
 * fwbench NAME COUNT: load firmware NAME through test_firmware COUNT times
 * and print the median and the minimum time of one load, in microseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRIGGER "/sys/devices/virtual/misc/test_firmware/trigger_request"

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

int main(int argc, char **argv)
{
	const char *name;
	double *t;
	int count, i, fd;

	if (argc != 3 || (count = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: fwbench NAME COUNT\n");
		return 2;
	}
	name = argv[1];
	t = calloc(count, sizeof(*t));
	fd = open(TRIGGER, O_WRONLY | O_CLOEXEC);
	if (!t || fd < 0) {
		fprintf(stderr, "fwbench: %s: %s\n", TRIGGER, strerror(errno));
		return 2;
	}
	for (i = 0; i < count; i++) {
		double start = now_us();

		if (pwrite(fd, name, strlen(name), 0) < 0) {
			fprintf(stderr, "fwbench: loading %s: %s\n", name,
				strerror(errno));
			return 1;
		}
		t[i] = now_us() - start;
	}
	qsort(t, count, sizeof(*t), cmp_double);
	printf("%.0f %.0f\n", t[count / 2], t[0]);
	free(t);
	close(fd);
	return 0;
}
