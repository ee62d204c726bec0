// SPDX-License-Identifier: GPL-2.0
/*
 * --json output: documents built with json-c (never by hand), printed
 * whole to stdout, and errors as documents of their own.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "json-out.h"
#include "util.h"

struct json_object *json_out_new(void)
{
	struct json_object *doc = json_object_new_object();

	if (doc && json_out_uint(doc, "schema_version", JSON_SCHEMA_VERSION)) {
		json_object_put(doc);
		doc = NULL;
	}
	return doc;
}

int json_out_add(struct json_object *o, const char *key, struct json_object *v)
{
	int ret;

	if (!v)
		return -ENOMEM;
	ret = key ? json_object_object_add(o, key, v) : json_object_array_add(o, v);
	if (ret) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* Add a JSON null, which json-c represents as a NULL object. */
static int add_null(struct json_object *o, const char *key)
{
	int ret = key ? json_object_object_add(o, key, NULL) : json_object_array_add(o, NULL);

	return ret ? -ENOMEM : 0;
}

int json_out_str(struct json_object *o, const char *key, const char *s)
{
	return s ? json_out_add(o, key, json_object_new_string(s)) : add_null(o, key);
}

int json_out_uint(struct json_object *o, const char *key, int64_t v)
{
	return v >= 0 ? json_out_add(o, key, json_object_new_int64(v)) : add_null(o, key);
}

int json_out_bool(struct json_object *o, const char *key, bool v)
{
	return json_out_add(o, key, json_object_new_boolean(v));
}

int json_out_print(struct json_object *doc)
{
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -ENOMEM;
	if (printf("%s\n", s) < 0 || fflush(stdout))
		return -EIO;
	return 0;
}

/* The error document; if even that cannot be built, a fixed one. */
static void print_error_doc(const char *message, int err)
{
	_cleanup_(json_putp) struct json_object *doc = json_out_new();
	struct json_object *e = json_object_new_object();

	if (!doc || json_out_add(doc, "error", e) || json_out_str(e, "message", message) ||
	    json_out_uint(e, "errno", err < 0 ? -err : 0) || json_out_print(doc))
		printf("{\"schema_version\": 1, \"error\": {\"message\": \"out of memory\", \"errno\": %d}}\n",
		       ENOMEM);
}

void report_error(bool json, const char *file, const char *what, int err)
{
	char text[256], msg[1024];

	if (!openssl_error_text(text, sizeof(text)) && err < 0)
		snprintf(text, sizeof(text), "%s", errno_text(err));
	snprintf(msg, sizeof(msg), "%s%s%s%s%s", file ? file : "", file ? ": " : "", what,
		 text[0] ? ": " : "", text);
	report_message(json, msg, err);
}

void report_message(bool json, const char *msg, int err)
{
	fprintf(stderr, "fwverify: %s\n", msg);
	if (json)
		print_error_doc(msg, err);
}

void report_usage(bool json, const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_usage(cmd, "%s", msg);
	if (json)
		print_error_doc(msg, -EINVAL);
}

bool json_requested(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			return true;
	return false;
}

int report_bad_option(bool json, const struct command *c, int opt, char **argv)
{
	char msg[256];

	command_bad_option(c, opt, argv);
	if (json) {
		snprintf(msg, sizeof(msg), "%s: bad option '%s'", c->name, argv[optind - 1]);
		print_error_doc(msg, -EINVAL);
	}
	return EXIT_USAGE;
}
