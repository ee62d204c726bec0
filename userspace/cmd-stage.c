// SPDX-License-Identifier: GPL-2.0
/* fwverify stage: placeholder, being written. */
#include <stdio.h>

#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fwverify: stage: not implemented yet\n");
	return EXIT_USAGE;
}

const struct command cmd_stage = {
	.name = "stage",
	.run = run,
	.summary = "(being written)",
	.help = "stage\n",
};
