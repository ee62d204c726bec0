// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the kernel log reader of "status" (root can write any record to /dev/kmsg). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text = malloc(len + 1);
	struct kmsg_gap g;

	if (!text)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	if (!kmsg_parse(text, &g))
		kmsg_gap_free(&g);
	free(text);
	return 0;
}
