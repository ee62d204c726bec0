// SPDX-License-Identifier: GPL-2.0
/* fwverify status: the module's mode, lock, trust, counters and firmware table. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "command.h"
#include "json-out.h"
#include "kmsg.h"
#include "kstate.h"
#include "util.h"

static const char *or_unknown(const char *s)
{
	return s ? s : "?";
}

static const char *lock_name(int locked)
{
	return locked < 0 ? "lock unknown" : locked ? "locked" : "unlocked";
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (const char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *p = line + strspn(line, " \t");

		n += *p && *p != '\n' && *p != '#';
	}
	return n;
}

static void format_time(long long t, char *buf, size_t size)
{
	time_t tt = t;
	struct tm tm;

	if (t < 0 || !localtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "-");
}

/* Split the last space-separated word off @line; NULL if there is none. */
static char *last_word(char *line)
{
	char *sp = strrchr(line, ' ');

	if (!sp)
		return NULL;
	*sp = '\0';
	return sp + 1;
}

/* "reads": one "<path> <result> <action>[ cached]" a line; the path may hold spaces. */
static int reads_json(const char *reads, struct json_object **out)
{
	struct json_object *arr = json_object_new_array();
	_cleanup_(freep) char *copy = strdup(reads);
	char *line, *next;

	if (!arr || !copy) {
		json_object_put(arr);
		return -ENOMEM;
	}
	for (line = copy; *line; line = next) {
		struct json_object *r = json_object_new_object();
		char *action, *result;
		bool cached;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		action = last_word(line);
		cached = action && !strcmp(action, "cached");
		if (cached)
			action = last_word(line);
		result = action ? last_word(line) : NULL;
		if (json_out_add(arr, NULL, r) || json_out_str(r, "path", result ? line : NULL) ||
		    json_out_str(r, "result", result) || json_out_str(r, "action", result ? action : NULL) ||
		    json_out_bool(r, "cached", cached)) {
			json_object_put(arr);
			return -ENOMEM;
		}
	}
	*out = arr;
	return 0;
}

static int fw_json(const struct kstate_fw *f, struct json_object *arr)
{
	struct json_object *o = json_object_new_object(), *reads = NULL;

	if (json_out_add(arr, NULL, o))
		return -ENOMEM;
	if (json_out_str(o, "name", f->name) || json_out_str(o, "dir", f->dir) ||
	    json_out_str(o, "result", f->result) || json_out_str(o, "action", f->action) ||
	    json_out_str(o, "signer", f->signer) || json_out_str(o, "digest", f->digest) ||
	    json_out_uint(o, "size", f->size) || json_out_str(o, "path", f->path) ||
	    json_out_uint(o, "loads", f->loads) || json_out_uint(o, "last_load", f->last_load))
		return -ENOMEM;
	if (!f->reads)
		return json_out_str(o, "reads", NULL);
	return reads_json(f->reads, &reads) ?: json_out_add(o, "reads", reads);
}

static int policy_json(const char *policy, struct json_object *doc)
{
	_cleanup_(freep) char *copy = policy ? strdup(policy) : NULL;
	struct json_object *arr;
	char *line, *next;

	if (!policy)
		return json_out_str(doc, "policy", NULL);
	arr = json_object_new_array();
	if (!copy || json_out_add(doc, "policy", arr))
		return -ENOMEM;
	for (line = copy; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (*line && *line != '#' && json_out_str(arr, NULL, line))
			return -ENOMEM;
	}
	return 0;
}

/* What the kernel log shows of the time fwverify was not guarding loads. */
struct gap {
	int err;		/* 0, or -errno of reading the log */
	struct kmsg_gap g;
	bool debug_on;
};

static void gap_read(struct gap *gap)
{
	gap->err = kmsg_read_gap(&gap->g);
	gap->debug_on = kmsg_loader_debug_on();
}

/* "complete": the log reaches back to fwverify's start; "no-start": it does not. */
static const char *gap_log_state(const struct gap *gap)
{
	return gap->err ? "unreadable" : gap->g.started ? "complete" : "no-start";
}

/* Successful loads are in the log: 6.1 logs them, later kernels with dyndbg. */
static bool gap_loads_logged(const struct gap *gap)
{
	return gap->g.info_loads || gap->debug_on;
}

static int gap_json(const struct gap *gap, struct json_object *doc)
{
	struct json_object *o = json_object_new_object(), *arr;

	if (json_out_add(doc, "before_start", o) || json_out_str(o, "log", gap_log_state(gap)))
		return -ENOMEM;
	if (gap->err)
		return json_out_str(o, "error", errno_text(gap->err));
	if ((gap->g.started ? json_out_uint(o, "started_usec", gap->g.start_usec)
			    : json_out_str(o, "started_usec", NULL)) ||
	    json_out_bool(o, "successful_loads_logged", gap_loads_logged(gap)) ||
	    json_out_uint(o, "dropped", gap->g.dropped))
		return -ENOMEM;
	arr = json_object_new_array();
	if (json_out_add(o, "requests", arr))
		return -ENOMEM;
	for (size_t i = 0; i < gap->g.n; i++) {
		const struct kmsg_event *e = &gap->g.ev[i];
		struct json_object *r = json_object_new_object();

		if (json_out_add(arr, NULL, r) || json_out_str(r, "name", e->name) ||
		    json_out_str(r, "event", e->what) || json_out_uint(r, "time_usec", e->usec) ||
		    json_out_uint(r, "records", e->count))
			return -ENOMEM;
	}
	return 0;
}

static void gap_text(const struct gap *gap)
{
	const struct kmsg_gap *g = &gap->g;

	if (gap->err) {
		printf("\nbefore fwverify: unknown (%s: %s)\n", kmsg_path(), errno_text(gap->err));
		return;
	}
	if (!g->n && g->started)
		printf("\nbefore fwverify: the kernel log shows no firmware request before fwverify "
		       "started at %llu.%06llu s\n", g->start_usec / 1000000, g->start_usec % 1000000);
	else if (!g->n)
		printf("\nbefore fwverify: unknown: the kernel log no longer reaches back to fwverify's start\n");
	else if (g->started)
		printf("\nbefore fwverify: %zu firmware request%s unguarded (fwverify started at %llu.%06llu s):\n",
		       g->n + g->dropped, g->n + g->dropped == 1 ? "" : "s",
		       g->start_usec / 1000000, g->start_usec % 1000000);
	else
		printf("\nbefore fwverify: %zu firmware request%s unguarded; the kernel log no longer "
		       "reaches back to fwverify's start, so there may be more:\n",
		       g->n + g->dropped, g->n + g->dropped == 1 ? "" : "s");
	for (size_t i = 0; i < g->n; i++)
		printf("  %6llu.%06llu  %-9s  %s\n", g->ev[i].usec / 1000000, g->ev[i].usec % 1000000,
		       g->ev[i].what, g->ev[i].name);
	if (g->dropped)
		printf("  ... and %zu more\n", g->dropped);
	if (!gap_loads_logged(gap))
		printf("  (this kernel logs a successful load only at debug level: boot with\n"
		       "   firmware_class.dyndbg=+p to see every one)\n");
}

static int status_json(const struct kstate *s, const struct gap *gap)
{
	_cleanup_(json_putp) struct json_object *doc = json_out_new();
	struct json_object *stats, *fw;

	if (!doc || json_out_bool(doc, "loaded", true) || json_out_str(doc, "mode", s->mode) ||
	    (s->locked < 0 ? json_out_str(doc, "locked", NULL) : json_out_bool(doc, "locked", s->locked)) ||
	    json_out_str(doc, "trust", s->trust) || json_out_uint(doc, "max_entries", s->max_entries) ||
	    json_out_uint(doc, "max_size", s->max_size) || json_out_uint(doc, "revoked", s->revoked) ||
	    policy_json(s->policy, doc) || gap_json(gap, doc))
		return -ENOMEM;
	stats = json_object_new_object();
	if (json_out_add(doc, "stats", stats))
		return -ENOMEM;
	for (size_t i = 0; i < KSTATE_NSTATS; i++)
		if (json_out_uint(stats, kstate_stat_names[i], s->stats[i]))
			return -ENOMEM;
	fw = json_object_new_array();
	if (json_out_add(doc, "firmware", fw))
		return -ENOMEM;
	for (size_t i = 0; i < s->nfw; i++)
		if (fw_json(&s->fw[i], fw))
			return -ENOMEM;
	return json_out_print(doc);
}

static void print_long(const struct kstate_fw *f)
{
	char when[32];

	format_time(f->last_load, when, sizeof(when));
	printf("\n%s\n", f->name);
	printf("  result:    %s, %s\n", or_unknown(f->result), or_unknown(f->action));
	printf("  signer:    %s\n", f->signer && *f->signer ? f->signer : "-");
	printf("  digest:    %s\n", f->digest && *f->digest ? f->digest : "-");
	printf("  size:      %lld\n", f->size);
	printf("  path:      %s\n", or_unknown(f->path));
	printf("  loads:     %lld, last %s\n", f->loads, when);
	for (const char *r = f->reads; r && *r; r = strchr(r, '\n') ? strchr(r, '\n') + 1 : "")
		printf("  read:      %.*s\n", (int)(strchrnul(r, '\n') - r), r);
}

static void status_text(const struct kstate *s, const struct gap *gap, bool verbose)
{
	size_t w = 4;

	printf("fwverify: mode %s, %s, trust %s\n", or_unknown(s->mode), lock_name(s->locked),
	       or_unknown(s->trust));
	if (s->policy)
		printf("policy:   %zu rule%s\n", count_lines(s->policy), count_lines(s->policy) == 1 ? "" : "s");
	else
		printf("policy:   ?\n");
	if (s->revoked >= 0)
		printf("revoked:  %lld digest%s\n", s->revoked, s->revoked == 1 ? "" : "s");
	else
		printf("revoked:  ?\n");
	printf("counters:");
	for (size_t i = 0; i < KSTATE_NSTATS; i++)
		if (s->stats[i] >= 0)
			printf(" %s %lld", kstate_stat_names[i], s->stats[i]);
	printf("\n");
	gap_text(gap);
	if (!s->nfw) {
		printf("\nno firmware decided on yet\n");
		return;
	}
	if (verbose) {
		for (size_t i = 0; i < s->nfw; i++)
			print_long(&s->fw[i]);
		return;
	}
	for (size_t i = 0; i < s->nfw; i++)
		w = strlen(s->fw[i].name) > w ? strlen(s->fw[i].name) : w;
	printf("\n%-*s  %-13s  %-7s  %5s  %-19s  %s\n", (int)w, "NAME", "RESULT", "ACTION",
	       "LOADS", "LAST LOAD", "SIGNER");
	for (size_t i = 0; i < s->nfw; i++) {
		const struct kstate_fw *f = &s->fw[i];
		char when[32];

		format_time(f->last_load, when, sizeof(when));
		printf("%-*s  %-13s  %-7s  %5lld  %-19s  %s\n", (int)w, f->name,
		       or_unknown(f->result), or_unknown(f->action), f->loads, when,
		       f->signer && *f->signer ? f->signer : "-");
	}
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "long", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = json_requested(argc, argv), verbose = false;
	struct gap gap = {};
	struct kstate s;
	int opt, err;

	while ((opt = getopt_long(argc, argv, ":jlh", options, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'l': verbose = true; break;
		case 'h': command_help(&cmd_status); return EXIT_OK;
		default: return report_bad_option(json, &cmd_status, opt, argv);
		}
	}
	if (optind < argc) {
		report_usage(json, "status", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	err = kstate_read_all(&s);
	if (err == -ENODEV) {
		report_error(json, NULL, "the fwverify module is not loaded", err);
		return EXIT_USAGE;
	}
	if (err) {
		report_error(json, kstate_root(), "cannot read the fwverify state", err);
		return EXIT_USAGE;
	}
	gap_read(&gap);
	if (json)
		err = status_json(&s, &gap);
	else
		status_text(&s, &gap, verbose);
	kstate_free(&s);
	if (!gap.err)
		kmsg_gap_free(&gap.g);
	if (err) {
		report_error(false, NULL, "cannot write the status", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

const struct command cmd_status = {
	.name = "status",
	.run = run,
	.summary = "show the module's mode, lock, counters and firmware table",
	.help = "status [--json] [--long]\n\n"
		"Show what the running fwverify module does: its mode, whether it is\n"
		"locked, the keyrings it trusts, its policy and revocation list, its\n"
		"counters, and one line per firmware name it has decided on.\n"
		"It also lists the firmware requests the kernel log shows from before\n"
		"fwverify started (or while it was unloaded): those were not verified.\n"
		"Strings are shown as the kernel escapes them (\\xHH).\n\n"
		"  -j, --json     one JSON document on stdout (schema_version 1); errors too\n"
		"  -l, --long     every field of each firmware, one per line\n\n"
		"Exit status: 0, or 2 when the module is not loaded or its files cannot be read.\n",
};
