// SPDX-License-Identifier: GPL-2.0
/* fwverify: sign firmware, and check it by the rules the kernel applies. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"

#ifndef FWVERIFY_VERSION
#define FWVERIFY_VERSION "unknown"
#endif

static const struct command *const commands[] = {
	&cmd_sign,
	&cmd_verify,
	&cmd_stage,
	&cmd_rollback,
	&cmd_status,
	&cmd_keys,
	&cmd_revoke,
	&cmd_quarantine,
	&cmd_apply,
	&cmd_approve,
	&cmd_signd,
	&cmd_audit,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void help(void)
{
	printf("Usage: fwverify COMMAND [OPTION]... [FILE]...\n"
	       "       fwverify help COMMAND\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nExit status: 0 success, 1 verification failed or refused, 2 usage or I/O error.\n");
}

/*
 * The column where descriptions start on the last option line before @end
 * that has one (after the option, two spaces or more), so that the --help
 * line lines up with the options above it; 22 when no line shows one.
 */
static int description_column(const char *h, const char *end)
{
	int col = 22;

	for (const char *line = h; line && line < end; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *eol = strchrnul(line, '\n'), *gap;

		if (strncmp(line, "  -", 3) && strncmp(line, "      --", 8))
			continue;
		gap = strstr(line + strspn(line, " "), "  ");
		if (!gap || gap > eol)
			continue;
		while (*gap == ' ')
			gap++;
		if (gap < eol)
			col = (int)(gap - line);
	}
	return col;
}

void command_help(const struct command *c)
{
	const char *h = c->help, *last = NULL, *p, *end;
	int head;

	/* The --help line ends the last block of option lines ("  -x" or "      --xx"). */
	for (p = strstr(h, "\n  -"); p; p = strstr(p + 1, "\n  -"))
		last = p;
	for (p = strstr(h, "\n      --"); p; p = strstr(p + 1, "\n      --"))
		last = p > last ? p : last;
	end = last ? strstr(last, "\n\n") : NULL;
	head = end ? (int)(end - h) + 1 : (int)strlen(h);
	printf("Usage: fwverify %.*s", head, h);
	printf("  %-*s show this help\n%s", description_column(h, h + head) - 3, "-h, --help", h + head);
}

/* Report a getopt_long() failure (optstring starting with ':') and return the usage exit code. */
int command_bad_option(const struct command *c, int opt, char **argv)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		fprintf(stderr, "fwverify: %s: option '%s' needs an argument", c->name, arg);
	else if (optopt && arg[0] == '-' && arg[1] != '-')
		fprintf(stderr, "fwverify: %s: unknown option '-%c'", c->name, optopt);
	else
		fprintf(stderr, "fwverify: %s: unknown option '%s'", c->name, arg);
	fprintf(stderr, " (see 'fwverify help %s')\n", c->name);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct command *c;
	const char *name;

	if (argc < 2) {
		fprintf(stderr, "fwverify: no command given (see 'fwverify --help')\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("fwverify %s\n", FWVERIFY_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help") && argc == 2) {
		help();
		return EXIT_OK;
	}
	name = strcmp(argv[1], "help") ? argv[1] : argv[2];
	c = find_command(name);
	if (c && name == argv[2]) {
		command_help(c);
		return EXIT_OK;
	}
	if (c)
		return c->run(argc - 1, argv + 1);
	fprintf(stderr, "fwverify: unknown command '%s' (see 'fwverify --help')\n", name);
	return EXIT_USAGE;
}
