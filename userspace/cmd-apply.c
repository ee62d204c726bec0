// SPDX-License-Identifier: GPL-2.0
/* fwverify apply: placeholder, being written. */
#include <stdio.h>

#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fwverify: apply: not implemented yet\n");
	return EXIT_USAGE;
}

const struct command cmd_apply = {
	.name = "apply",
	.run = run,
	.summary = "(being written)",
	.help = "apply\n",
};
