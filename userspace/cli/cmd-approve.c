// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify approve: approve requests that a release key holds, as one of
 * its approvers (identified, like every client, by a TLS certificate); or
 * list the requests this client made or may approve.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "json-out.h"
#include "signd-client.h"
#include "util.h"
#include "wire.h"

static struct json_object *op(const char *name, const char *id)
{
	struct json_object *q = json_object_new_object();

	if (q) {
		json_object_object_add(q, "op", json_object_new_string(name));
		if (id)
			json_object_object_add(q, "id", json_object_new_string(id));
	}
	return q;
}

static void print_request(struct json_object *r)
{
	struct json_object *by = json_object_object_get(r, "approved_by");
	size_t n = json_object_array_length(by);

	printf("%s  %s  %s  sha256:%s  by %s  %zu of %d approvals%s", wire_str(r, "id"), wire_str(r, "key"),
	       wire_str(r, "name"), wire_str(r, "sha256"), wire_str(r, "requester"), n,
	       json_object_get_int(json_object_object_get(r, "required")),
	       n ? " (" : "");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", json_object_get_string(json_object_array_get_idx(by, i)));
	printf("%s%s\n", n ? ")" : "", json_object_get_boolean(json_object_object_get(r, "signed")) ?
	       ", signed" : "");
}

static int list(struct signd_conn *c, bool json)
{
	_cleanup_(json_putp) struct json_object *q = op("pending", NULL), *doc = NULL;
	struct json_object *rep = NULL, *reqs;
	struct fw_error e;
	int err;

	err = q ? signd_call(c, q, &rep, &e) : -ENOMEM;
	if (err) {
		report_message(json, err == -ENOMEM ? "fwverify: approve: out of memory" : e.msg, err);
		return err == -EACCES ? EXIT_REFUSED : EXIT_USAGE;
	}
	reqs = json_object_object_get(rep, "requests");
	if (json) {
		doc = json_out_new();
		if (!doc || json_out_add(doc, "requests", json_object_get(reqs)) || json_out_print(doc))
			err = -ENOMEM;
	} else {
		for (size_t i = 0; i < json_object_array_length(reqs); i++)
			print_request(json_object_array_get_idx(reqs, i));
	}
	json_object_put(rep);
	return err ? EXIT_USAGE : EXIT_OK;
}

static int approve_one(struct signd_conn *c, const char *id, struct json_object *out)
{
	_cleanup_(json_putp) struct json_object *q = op("approve", id);
	struct json_object *rep = NULL, *o;
	struct fw_error e;
	int err;

	err = q ? signd_call(c, q, &rep, &e) : -ENOMEM;
	if (!err && !out)
		printf("%s: approved (%d of %d approvals)\n", id,
		       json_object_get_int(json_object_object_get(rep, "approvals")),
		       json_object_get_int(json_object_object_get(rep, "required")));
	if (err && !out)
		fprintf(stderr, "fwverify: %s: %s\n", id, err == -ENOMEM ? "out of memory" : e.msg);
	if (out && (o = json_object_new_object()) && !json_out_add(out, NULL, o)) {
		json_out_str(o, "id", id);
		json_out_bool(o, "approved", !err);
		json_out_uint(o, "approvals", err ? -1 : json_object_get_int(json_object_object_get(rep, "approvals")));
		json_out_uint(o, "required", err ? -1 : json_object_get_int(json_object_object_get(rep, "required")));
		json_out_str(o, "error", err ? e.msg : NULL);
	}
	json_object_put(rep);
	return !err ? EXIT_OK : err == -EACCES ? EXIT_REFUSED : EXIT_USAGE;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		SIGND_LONG_OPTIONS,
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = json_requested(argc, argv), do_list = false;
	_cleanup_(json_putp) struct json_object *doc = NULL;
	struct json_object *results = NULL;
	struct signd_conn *c = NULL;
	struct signd_opts so;
	struct fw_error e;
	int opt, ret = EXIT_OK, one;

	signd_opts_init(&so);
	while ((opt = getopt_long(argc, argv, ":lh", options, NULL)) != -1) {
		switch (signd_opts_parse(&so, opt, optarg, &e)) {
		case 1: continue;
		case -EINVAL: log_usage("approve", "%s", e.msg); return EXIT_USAGE;
		}
		switch (opt) {
		case 'l': do_list = true; break;
		case 'J': json = true; break;
		case 'h': command_help(&cmd_approve); return EXIT_OK;
		default: return report_bad_option(json, &cmd_approve, opt, argv);
		}
	}
	if (do_list == (optind < argc)) {
		report_usage(json, "approve", do_list ? "--list takes no ID" : "no request ID given");
		return EXIT_USAGE;
	}
	if (signd_opts_check(&so, true, &e)) {
		log_usage("approve", "%s", e.msg);
		return EXIT_USAGE;
	}
	if (signd_open(&so, &c, &e)) {
		report_message(json, e.msg, -ECONNREFUSED);
		return EXIT_USAGE;
	}
	if (do_list) {
		ret = list(c, json);
		signd_close(c);
		return ret;
	}
	if (json) {
		doc = json_out_new();
		results = json_object_new_array();
		if (!doc || json_out_add(doc, "approvals", results))
			ret = EXIT_USAGE;
	}
	for (int i = optind; ret != EXIT_USAGE && i < argc; i++) {
		one = approve_one(c, argv[i], results);
		ret = one > ret ? one : ret;
	}
	signd_close(c);
	if (doc && json_out_print(doc))
		ret = EXIT_USAGE;
	return ret;
}

const struct command cmd_approve = {
	.name = "approve",
	.run = run,
	.summary = "approve a request that a release key of the signing server holds",
	.help = "approve [OPTION]... ID...\n"
		"approve --list [OPTION]...\n\n"
		"Approve each request ID as one of the approvers of its release key.  The\n"
		"approver is the common name of this client's certificate; a request is\n"
		"signed once M distinct approvers, none of them its requester, approved it.\n\n"
		"  -l, --list              list the requests held that this client made or\n"
		"                          may approve: ID, key, name, digest, requester and\n"
		"                          approvals so far\n"
		"      --json              one JSON document on stdout\n"
		SIGND_HELP
		"\nExit status: 0 approved (or listed), 1 the server refused an approval,\n"
		"2 a usage or connection error.\n",
};
