// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a detached signature as the tool reads it from
 * FILE.p7s, checked against a fixed blob and no trusted certificate, which
 * runs the DER walker, OpenSSL's parser and every rule before the trust step;
 * and the signing-time reader that stage's downgrade check uses.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cms-time.h"
#include "cms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int fd = -1;
	struct cms_verdict v;
	int64_t when;

	if (fd < 0) {
		fd = memfd_create("blob", MFD_CLOEXEC);
		if (fd < 0 || write(fd, "firmware", 8) != 8)
			return 0;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	cms_verify(NULL, data, len, fd, "lib/firmware/blob", &v);
	cms_signing_time(data, len, &when);
	return 0;
}
