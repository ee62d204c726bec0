// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the release manifest parser (fwverify.manifest). */
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct manifest m;
	char err[256];

	if (!manifest_parse((const char *)data, len, &m, err, sizeof(err)))
		manifest_free(&m);
	return 0;
}
