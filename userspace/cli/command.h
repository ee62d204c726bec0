/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommand table: each cmd-<name>.c defines one struct command. */
#ifndef FWVERIFY_COMMAND_H
#define FWVERIFY_COMMAND_H

#include <stddef.h>

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
	cmd_keys, cmd_revoke, cmd_quarantine, cmd_apply, cmd_audit, cmd_approve, cmd_signd;

void command_help(const struct command *c);

struct signd_opts;
/* sign --server: in cmd-sign-remote.c. */
int sign_remote(const struct signd_opts *so, const char *key, char **files, char **names, size_t n,
		const char *out, unsigned int wait, const char *request);
int command_bad_option(const struct command *c, int opt, char **argv);

#endif
