// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the configuration file parser. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fw_config c;
	struct fw_error e;

	if (!config_parse((const char *)data, len, &c, &e))
		config_free(&c);
	return 0;
}
