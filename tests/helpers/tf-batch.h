/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_firmware's batched requests, for the programs that drive them in the
 * VM (the kselftests, fwbench).
 *
 * Each batch thread completes its request and only then clears its slot
 * (test_fw_run_batch_request(), 6.1 to 7.3): a release or reset that frees
 * the slots right after trigger_batched_requests returns can race that
 * last store, and the kernel oopses in test_firmware.  So wait for the
 * threads to be gone first.
 */
#ifndef FWVERIFY_TF_BATCH_H
#define FWVERIFY_TF_BATCH_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Wait until no test_firmware batch thread runs; up to two seconds. */
static inline void tf_batch_done(void)
{
	char path[300], comm[32];
	bool running = true;
	struct dirent *d;
	int tries, fd;
	ssize_t n;
	DIR *dir;

	for (tries = 0; running && tries < 2000; tries++) {
		running = false;
		dir = opendir("/proc");
		while (dir && !running && (d = readdir(dir))) {
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
			if (fd >= 0)
				close(fd);
			comm[n > 0 ? n : 0] = '\0';
			running = !strncmp(comm, "test_firmware-", 14);
		}
		if (dir)
			closedir(dir);
		if (running)
			usleep(1000);
	}
}

/* The last pid given out in this pid namespace, or -1. */
static inline int tf_last_pid(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/*
 * tf_batch_done() for a batch triggered after tf_last_pid() gave @since:
 * only the pids given out since are looked at, not every process in /proc,
 * whose entries a benchmark would otherwise make and drop at every load.
 * With no usable @since (or the pids wrapped), the whole of /proc.
 */
static inline void tf_batch_done_since(int since)
{
	int last = tf_last_pid(), pid, tries, fd;
	char path[64], comm[32];
	ssize_t n;

	if (since < 0 || last < since || last - since > 64) {
		tf_batch_done();
		return;
	}
	for (pid = since + 1; pid <= last; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		for (tries = 0; tries < 2000; tries++) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
			if (fd >= 0)
				close(fd);
			comm[n > 0 ? n : 0] = '\0';
			if (strncmp(comm, "test_firmware-", 14))
				break;	/* gone, or not a batch thread */
			usleep(1000);
		}
	}
}

#endif
