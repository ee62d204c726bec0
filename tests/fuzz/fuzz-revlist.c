// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the persistent revoke list parser (<state_dir>/revoked). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "revlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned char (*d)[32] = NULL;
	unsigned int bad = 0;
	size_t n = 0;

	if (!revlist_parse((const char *)data, len, &d, &n, &bad))
		free(d);
	return 0;
}
