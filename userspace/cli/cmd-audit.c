// SPDX-License-Identifier: GPL-2.0
/* fwverify audit: check the signing server's hash-chained audit log. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "signlog.h"
#include "command.h"
#include "json-out.h"
#include "util.h"

/* Where in the chain the expected head (--head) is. */
struct head_search {
	const char *want;
	uint64_t records;	/* records seen */
	bool found;
	uint64_t line;		/* the line whose hash is @want (0: the genesis) */
};

/* Record @k's "prev" is the hash of line k-1: so each record tells where @want is. */
static int search_head(struct json_object *rec, void *arg)
{
	struct head_search *s = arg;
	struct json_object *prev;

	s->records++;
	if (!s->found && json_object_object_get_ex(rec, "prev", &prev) &&
	    !strcmp(json_object_get_string(prev), s->want)) {
		s->found = true;
		s->line = s->records - 1;
	}
	return 0;
}

/*
 * A valid chain whose head is not the expected one: an error in @msg when
 * no record chains to the expected head (the tail was changed or cut); a
 * note in @note when one does (the log grew since the head was taken).
 */
static void head_differs(const struct signlog_report *r, const struct head_search *s, char *msg,
			 char *note, size_t size)
{
	uint64_t more = r->records - s->line;

	if (!s->found)
		snprintf(msg, size, "head is %s, expected %s: the last record was changed or records were removed from the end",
			 r->head, s->want);
	else if (!s->line)
		snprintf(note, size, "all %" PRIu64 " record%s added after the expected head, an empty log's",
			 more, more == 1 ? " was" : "s were");
	else
		snprintf(note, size, "%" PRIu64 " record%s added after the expected head, line %" PRIu64 "'s",
			 more, more == 1 ? " was" : "s were", s->line);
}

static int print_json(const char *log, const struct signlog_report *r, const char *want,
		      const char *msg, const char *note)
{
	_cleanup_(json_putp) struct json_object *doc = json_out_new();

	if (!doc || json_out_str(doc, "log", log) || json_out_bool(doc, "valid", !msg[0]) ||
	    json_out_uint(doc, "records", r->records) || json_out_str(doc, "head", r->head) ||
	    json_out_str(doc, "expected_head", want) ||
	    json_out_uint(doc, "line", r->line ? (int64_t)r->line : -1) ||
	    json_out_str(doc, "error", msg[0] ? msg : NULL) ||
	    json_out_str(doc, "note", note[0] ? note : NULL))
		return -ENOMEM;
	return json_out_print(doc);
}

static int print_text(const char *log, const struct signlog_report *r, const char *msg,
		      const char *note)
{
	if (msg[0])
		printf("%s: %s\n", log, msg);
	else
		printf("%s: a valid chain of %" PRIu64 " record%s; head %s%s%s\n", log, r->records,
		       r->records == 1 ? "" : "s", r->head, note[0] ? "; " : "", note);
	return 0;
}

static int verify(bool json, const char *log, const char *want)
{
	struct head_search s = { .want = want ? want : "" };
	_cleanup_(closep) int fd = open_regular(log, 0);
	struct signlog_report r;
	char msg[1024] = "", note[1024] = "";
	int err;

	if (fd < 0) {
		report_error(json, log, "cannot open", fd);
		return EXIT_USAGE;
	}
	err = signlog_check(fd, search_head, &s, &r);
	if (err && err != -EBADMSG) {
		report_error(json, log, "cannot read", err);
		return EXIT_USAGE;
	}
	if (err)
		snprintf(msg, sizeof(msg), "%s", r.why);
	else if (want && strcmp(want, r.head))
		head_differs(&r, &s, msg, note, sizeof(msg));
	err = json ? print_json(log, &r, want, msg, note) : print_text(log, &r, msg, note);
	if (err) {
		report_error(json, log, "cannot print", err);
		return EXIT_USAGE;
	}
	return msg[0] ? EXIT_REFUSED : EXIT_OK;
}

/* --head's argument, in lowercase in @hex.  Return: true if it is 64 hex digits. */
static bool parse_head(const char *arg, char hex[65])
{
	if (strlen(arg) != 64 || strspn(arg, "0123456789abcdefABCDEF") != 64)
		return false;
	for (int i = 0; i < 65; i++)
		hex[i] = tolower((unsigned char)arg[i]);
	return true;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "head", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = json_requested(argc, argv);
	const char *head = NULL;
	char want[65];
	int opt;

	while ((opt = getopt_long(argc, argv, ":jh", options, NULL)) != -1) {
		switch (opt) {
		case 'H': head = optarg; break;
		case 'j': json = true; break;
		case 'h': command_help(&cmd_audit); return EXIT_OK;
		default: return report_bad_option(json, &cmd_audit, opt, argv);
		}
	}
	if (optind == argc) {
		report_usage(json, "audit", "no subcommand given (verify)");
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "verify")) {
		report_usage(json, "audit", "unknown subcommand '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (argc - ++optind != 1) {
		report_usage(json, "audit", optind == argc ? "verify needs a LOG" : "verify takes one LOG");
		return EXIT_USAGE;
	}
	if (head && !parse_head(head, want)) {
		report_usage(json, "audit", "--head needs a SHA-256 in hex (64 digits), not '%s'", head);
		return EXIT_USAGE;
	}
	return verify(json, argv[optind], head ? want : NULL);
}

const struct command cmd_audit = {
	.name = "audit",
	.run = run,
	.summary = "check the signing server's hash-chained audit log",
	.help = "audit verify [--head HEX] [--json] LOG\n\n"
		"Check the signing server's audit log LOG: one JSON record a line, each\n"
		"carrying the SHA-256 of the line before it, so that a record changed,\n"
		"removed, reordered or cut short breaks the chain where it happened.\n"
		"Print the number of records and the head (the hash of the last line), or\n"
		"the line where the chain breaks and why.  The chain alone cannot show a\n"
		"change to its last record or records removed from its end: --head\n"
		"compares its head with one noted elsewhere (the server's status, or an\n"
		"earlier verify).\n\n"
		"      --head HEX      the hash the last record must have (64 hex digits)\n"
		"  -j, --json          one JSON document on stdout (schema_version 1); errors too\n\n"
		"Exit status: 0 a valid chain (with the expected head), 1 a broken chain or\n"
		"another head, 2 for a usage or I/O error.\n",
};
