// SPDX-License-Identifier: GPL-2.0
/* fwverify rollback: placeholder, being written. */
#include <stdio.h>

#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fwverify: rollback: not implemented yet\n");
	return EXIT_USAGE;
}

const struct command cmd_rollback = {
	.name = "rollback",
	.run = run,
	.summary = "(being written)",
	.help = "rollback\n",
};
