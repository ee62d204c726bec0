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

#endif
