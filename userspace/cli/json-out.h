/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --json output on json-c, shared by the reporting commands.  Every
 * document is one object with "schema_version": 1 at its top, stdout holds
 * nothing else, and an error is a document too:
 *   {"schema_version": 1, "error": {"message": "...", "errno": 2}}
 * The builders return 0 or -ENOMEM and never log.
 */
#ifndef FWVERIFY_JSON_OUT_H
#define FWVERIFY_JSON_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#define JSON_SCHEMA_VERSION 1

static inline void json_putp(struct json_object **o)
{
	json_object_put(*o);
}

/* A new document {"schema_version": 1}, or NULL. */
struct json_object *json_out_new(void);
/* Add @v (an object or an array) to @o under @key, or to the array @o when @key is NULL; @v is taken even on failure. */
int json_out_add(struct json_object *o, const char *key, struct json_object *v);
/* Add a string; NULL adds null. */
int json_out_str(struct json_object *o, const char *key, const char *s);
/* Add a number; a negative one adds null (for "unknown"). */
int json_out_uint(struct json_object *o, const char *key, int64_t v);
int json_out_bool(struct json_object *o, const char *key, bool v);
/* Print @doc to stdout, pretty, and a newline.  Return: 0, or -EIO/-ENOMEM. */
int json_out_print(struct json_object *doc);

/*
 * The command layer's one report of an error: "fwverify: FILE: WHAT: TEXT"
 * on stderr as log_error() writes it, and with @json also the error
 * document on stdout.  TEXT is OpenSSL's error if one is queued, else
 * errno's (@err < 0).  @file may be NULL.
 */
void report_error(bool json, const char *file, const char *what, int err);
/* As report_error(), for a message that is already whole; @err only goes into the document. */
void report_message(bool json, const char *msg, int err);
/* A usage error: log_usage()'s line, and with @json the error document (errno EINVAL). */
void report_usage(bool json, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct command;
/* command_bad_option()'s line, and with @json the error document.  Return: EXIT_USAGE. */
int report_bad_option(bool json, const struct command *c, int opt, char **argv);
/* True if --json (or -j) is among the options of @argv (before a "--"). */
bool json_requested(int argc, char **argv);

#endif
