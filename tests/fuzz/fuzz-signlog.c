// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: reading the signing server's audit log, which an attacker may have edited. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "signlog.h"

static int count(struct json_object *rec, void *arg)
{
	(void)rec;
	++*(size_t *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct signlog_report r;
	size_t n = 0;
	int fd = memfd_create("log", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, len) == (ssize_t)len && lseek(fd, 0, SEEK_SET) == 0)
		signlog_check(fd, count, &n, &r);
	close(fd);
	return 0;
}
