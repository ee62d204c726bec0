// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the release manifest parser (fwverify.manifest). */
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct manifest m;
	struct fw_error e;

	if (!manifest_parse((const char *)data, len, &m, &e))
		manifest_free(&m);
	return 0;
}
