// SPDX-License-Identifier: GPL-2.0
/* fwverify status: placeholder, being written. */
#include <stdio.h>

#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fwverify: status: not implemented yet\n");
	return EXIT_USAGE;
}

const struct command cmd_status = {
	.name = "status",
	.run = run,
	.summary = "(being written)",
	.help = "status\n",
};
