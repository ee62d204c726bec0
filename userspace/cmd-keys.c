// SPDX-License-Identifier: GPL-2.0
/* fwverify keys: placeholder, being written. */
#include <stdio.h>

#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fwverify: keys: not implemented yet\n");
	return EXIT_USAGE;
}

const struct command cmd_keys = {
	.name = "keys",
	.run = run,
	.summary = "(being written)",
	.help = "keys\n",
};
