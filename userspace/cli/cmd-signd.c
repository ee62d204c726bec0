// SPDX-License-Identifier: GPL-2.0
/* fwverify signd: what the signing server reports: its status, and its keys' certificates. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "json-out.h"
#include "signd-client.h"
#include "util.h"
#include "wire.h"

static const char *quota(struct json_object *v, char *buf, size_t size)
{
	int n = json_object_get_int(v);

	if (!n)
		return "no quota";
	snprintf(buf, size, "of %d", n);
	return buf;
}

static void print_status(struct json_object *st)
{
	struct json_object *keys = json_object_object_get(st, "keys"), *k;
	char hour[32], day[32];

	printf("version %s, up %lld s, client certificates %s\n", wire_str(st, "version"),
	       (long long)json_object_get_int64(json_object_object_get(st, "uptime")),
	       wire_str(st, "client_auth"));
	printf("connections %lld (active %d), signatures %lld, refusals %lld\n",
	       (long long)json_object_get_int64(json_object_object_get(st, "connections")),
	       json_object_get_int(json_object_object_get(st, "active_connections")),
	       (long long)json_object_get_int64(json_object_object_get(st, "signatures")),
	       (long long)json_object_get_int64(json_object_object_get(st, "refusals")));
	printf("audit log: %lld records, head %s\n",
	       (long long)json_object_get_int64(json_object_object_get(st, "audit_records")),
	       wire_str(st, "audit_head"));
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		k = json_object_array_get_idx(keys, i);
		printf("key %s: %s, %d this hour (%s), %d today (%s)\n", wire_str(k, "name"),
		       json_object_get_boolean(json_object_object_get(k, "release")) ? "release" : "direct",
		       json_object_get_int(json_object_object_get(k, "used_hour")),
		       quota(json_object_object_get(k, "per_hour"), hour, sizeof(hour)),
		       json_object_get_int(json_object_object_get(k, "used_day")),
		       quota(json_object_object_get(k, "per_day"), day, sizeof(day)));
	}
}

static int ask(struct signd_conn *c, const char *what, const char *key, bool json)
{
	_cleanup_(json_putp) struct json_object *q = json_object_new_object(), *doc = NULL;
	struct json_object *rep = NULL, *v;
	bool status = !strcmp(what, "status");
	struct fw_error e;
	int err;

	if (q) {
		json_object_object_add(q, "op", json_object_new_string(status ? "status" : "certificate"));
		if (key)
			json_object_object_add(q, "key", json_object_new_string(key));
	}
	err = q ? signd_call(c, q, &rep, &e) : -ENOMEM;
	if (err) {
		report_message(json, err == -ENOMEM ? "fwverify: signd: out of memory" : e.msg, err);
		return err == -EACCES ? EXIT_REFUSED : EXIT_USAGE;
	}
	v = json_object_object_get(rep, status ? "server" : "certificates");
	if (json) {
		doc = json_out_new();
		if (!doc || json_out_add(doc, status ? "server" : "certificates", json_object_get(v)) ||
		    json_out_print(doc))
			err = -ENOMEM;
	} else if (status) {
		print_status(v);
	} else {
		json_object_object_foreach(v, name, pem)
			printf("# key %s\n%s", name, json_object_get_string(pem));
	}
	json_object_put(rep);
	return err ? EXIT_USAGE : EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		SIGND_LONG_OPTIONS,
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = json_requested(argc, argv);
	const char *key = NULL, *what;
	struct signd_conn *c = NULL;
	struct signd_opts so;
	struct fw_error e;
	int opt, ret;

	signd_opts_init(&so);
	while ((opt = getopt_long(argc, argv, ":k:h", options, NULL)) != -1) {
		switch (signd_opts_parse(&so, opt, optarg, &e)) {
		case 1: continue;
		case -EINVAL: log_usage("signd", "%s", e.msg); return EXIT_USAGE;
		}
		switch (opt) {
		case 'k': key = optarg; break;
		case 'J': json = true; break;
		case 'h': command_help(&cmd_signd); return EXIT_OK;
		default: return report_bad_option(json, &cmd_signd, opt, argv);
		}
	}
	what = optind < argc ? argv[optind] : NULL;
	if (!what || optind + 1 < argc || (strcmp(what, "status") && strcmp(what, "certificates"))) {
		report_usage(json, "signd", "expected one of: status, certificates");
		return EXIT_USAGE;
	}
	if (key && !strcmp(what, "status")) {
		report_usage(json, "signd", "--key goes with certificates");
		return EXIT_USAGE;
	}
	if (signd_opts_check(&so, strcmp(what, "certificates"), &e)) {
		log_usage("signd", "%s", e.msg);
		return EXIT_USAGE;
	}
	if (signd_open(&so, &c, &e)) {
		report_message(json, e.msg, -ECONNREFUSED);
		return EXIT_USAGE;
	}
	ret = ask(c, what, key, json);
	signd_close(c);
	return ret;
}

const struct command cmd_signd = {
	.name = "signd",
	.run = run,
	.summary = "ask the signing server for its status or its keys' certificates",
	.help = "signd status [OPTION]...\n"
		"signd certificates [--key NAME] [OPTION]...\n\n"
		"status: the server's version, uptime, connections, signatures and\n"
		"refusals, its audit log's length and head (for 'fwverify audit verify\n"
		"--head'), and each key's quota use.\n"
		"certificates: the certificates of the server's keys (PEM), the ones a\n"
		"kernel must trust; a server without client authentication serves these\n"
		"alone.\n\n"
		"  -k, --key NAME          only this key's certificates\n"
		"      --json              one JSON document on stdout\n"
		SIGND_HELP
		"\nExit status: 0 answered, 1 refused, 2 a usage or connection error.\n",
};
