// SPDX-License-Identifier: GPL-2.0
/* fwverify quarantine: placeholder, being written. */
#include <stdio.h>

#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fwverify: quarantine: not implemented yet\n");
	return EXIT_USAGE;
}

const struct command cmd_quarantine = {
	.name = "quarantine",
	.run = run,
	.summary = "(being written)",
	.help = "quarantine\n",
};
