// SPDX-License-Identifier: GPL-2.0
/* fwverify revoke: placeholder, being written. */
#include <stdio.h>

#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fwverify: revoke: not implemented yet\n");
	return EXIT_USAGE;
}

const struct command cmd_revoke = {
	.name = "revoke",
	.run = run,
	.summary = "(being written)",
	.help = "revoke\n",
};
