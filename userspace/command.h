/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommand table: each cmd-<name>.c defines one struct command. */
#ifndef FWVERIFY_COMMAND_H
#define FWVERIFY_COMMAND_H

/* Exit codes of every command. */
enum {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,	/* verification failed or refused */
	EXIT_USAGE = 2,		/* usage or I/O error */
};

struct command {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the command's name */
	const char *summary;			/* one line for "fwverify --help" */
	const char *help;			/* synopsis and options for "fwverify help NAME" */
};

extern const struct command cmd_sign, cmd_verify, cmd_stage, cmd_rollback, cmd_status,
	cmd_keys, cmd_revoke, cmd_quarantine, cmd_apply;

void command_help(const struct command *c);
int command_bad_option(const struct command *c, int opt, char **argv);

#endif
