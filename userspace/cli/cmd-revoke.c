// SPDX-License-Identifier: GPL-2.0
/* fwverify revoke: refuse firmware by its SHA-256, now and after every reboot. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "config.h"
#include "decompress.h"
#include "digest.h"
#include "json-out.h"
#include "kstate.h"
#include "revlist.h"
#include "util.h"

/* What a revoked digest is of: the argument itself, a file as stored, or a file's decompressed content. */
enum digest_of { OF_ARGUMENT, OF_STORED, OF_CONTENT };

static const char *const of_names[] = {
	[OF_ARGUMENT] = "argument", [OF_STORED] = "stored", [OF_CONTENT] = "content",
};

/* True for an argument that was meant as a digest rather than a file name. */
static bool looks_like_digest(const char *s)
{
	return !strncmp(s, "sha256:", 7) || strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* Report why @file did not decompress: the rule it broke, or the system error. */
static void report_decompress(bool json, const char *file, const char *sfx, int err)
{
	const char *rule = decompress_rule(sfx, err);
	char msg[PATH_MAX + 160];

	if (!rule) {
		report_error(json, file, "cannot decompress", err);
		return;
	}
	snprintf(msg, sizeof(msg), "%s: cannot decompress: %s", file, rule);
	report_message(json, msg, err);
}

/* Hash the content of @fd, compressed as @sfx says. */
static int content_digest(bool json, const char *file, int fd, const char *sfx, struct digest *d)
{
	_cleanup_(closep) int mfd = decompress_memfd(sfx, fd, DECOMPRESS_MAX);
	int err;

	if (mfd < 0) {
		report_decompress(json, file, sfx, mfd);
		return mfd;
	}
	err = digest_fd(mfd, d, 1);
	if (err)
		report_error(json, file, "cannot hash the decompressed content", err);
	return err;
}

/*
 * The digest an argument names: "sha256:<hex>", 64 hex digits, or a file
 * to hash: its decompressed content when its signature is of the content
 * (the digest the kernel matches then), else the file as stored.
 */
static int arg_digest(bool json, const char *arg, unsigned char digest[32], enum digest_of *of)
{
	struct digest d = { .alg = "sha256" };
	_cleanup_(closep) int fd = -1;
	const char *sfx;
	int err;

	*of = OF_ARGUMENT;
	if (!revlist_parse_digest(arg, strlen(arg), digest))
		return 0;
	fd = open_regular(arg, 0);
	if (fd == -ENOENT && looks_like_digest(arg)) {
		report_usage(json, "revoke", "'%s' is neither a SHA-256 digest (64 hex digits) nor a file",
			     arg);
		return fd;
	}
	if (fd < 0) {
		report_error(json, arg, "cannot open", fd);
		return fd;
	}
	sfx = decompress_content_signed(AT_FDCWD, arg);
	if (sfx) {
		*of = OF_CONTENT;
		err = content_digest(json, arg, fd, sfx, &d);
	} else {
		*of = OF_STORED;
		err = digest_fd(fd, &d, 1);
		if (err)
			report_error(json, arg, "cannot hash", err);
	}
	if (err)
		return err;
	memcpy(digest, d.md, 32);
	return 0;
}

/* One line for a digest revoked: which file and which of its digests, when an argument was a file. */
static void print_revoked(const unsigned char digest[32], const char *arg, enum digest_of of)
{
	char line[REVLIST_LINE];
	size_t stem;

	revlist_format(digest, line);
	switch (of) {
	case OF_CONTENT:
		stem = strlen(arg) - strlen(decompress_suffix(arg));
		printf("revoked %s (decompressed content of %s, which %.*s.p7s signs)\n", line, arg,
		       (int)stem, arg);
		break;
	case OF_STORED:
		printf("revoked %s (stored file %s)\n", line, arg);
		break;
	default:
		if (strcasecmp(line + 7, arg) && strcasecmp(line, arg))
			printf("revoked %s (%s)\n", line, arg);
		else
			printf("revoked %s\n", line);
	}
}

/* "digests" and, in the same order, "digest_of": argument, stored or content. */
static int add_json(const char *path, const unsigned char (*d)[32], const enum digest_of *of,
		    size_t n, size_t added, bool kernel)
{
	_cleanup_(json_putp) struct json_object *doc = json_out_new();
	struct json_object *arr = json_object_new_array(), *ofs = json_object_new_array();
	char line[REVLIST_LINE];

	if (!doc || json_out_str(doc, "path", path) || json_out_uint(doc, "added", added) ||
	    json_out_bool(doc, "kernel", kernel) || json_out_add(doc, "digests", arr) ||
	    json_out_add(doc, "digest_of", ofs))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		revlist_format(d[i], line);
		if (json_out_str(arr, NULL, line) || json_out_str(ofs, NULL, of_names[of[i]]))
			return -ENOMEM;
	}
	return json_out_print(doc);
}

static int revoke_all(bool json, const struct fw_config *c, char **args, size_t nargs)
{
	_cleanup_(freep) unsigned char (*d)[32] = calloc(nargs, 32);
	_cleanup_(freep) enum digest_of *of = calloc(nargs, sizeof(*of));
	_cleanup_(freep) char *path = revlist_path(c);
	size_t added = 0;
	bool kernel = kstate_loaded();
	int err = 0;

	if (!d || !of || !path) {
		report_error(json, NULL, "out of memory", -ENOMEM);
		return EXIT_USAGE;
	}
	/* Every argument first: one bad one and nothing is written. */
	for (size_t i = 0; i < nargs && !err; i++)
		err = arg_digest(json, args[i], d[i], &of[i]);
	if (err)
		return EXIT_USAGE;
	err = revlist_save(c, (const unsigned char (*)[32])d, nargs, &added);
	if (err) {
		report_error(json, path, "cannot save the revocation list", err);
		return EXIT_USAGE;
	}
	if (kernel) {
		err = kstate_revoke((const unsigned char (*)[32])d, nargs);
		if (err) {
			_cleanup_(freep) char *kfile = kstate_path(KSTATE_SFS "revoke");
			char what[512];

			snprintf(what, sizeof(what), "the kernel did not take the digests (saved in %s for the next boot)",
				 path);
			report_error(json, kfile ? kfile : "revoke", what, err);
			return EXIT_USAGE;
		}
	} else {
		log_warning("revoke", "the fwverify module is not loaded: saved to %s for the next boot",
			    path);
	}
	if (json) {
		err = add_json(path, (const unsigned char (*)[32])d, of, nargs, added, kernel);
	} else {
		for (size_t i = 0; i < nargs; i++)
			print_revoked(d[i], args[i], of[i]);
	}
	return err ? EXIT_USAGE : EXIT_OK;
}

static int list_json(const char *path, const unsigned char (*p)[32], size_t np,
		     const unsigned char (*k)[32], size_t nk, bool loaded)
{
	_cleanup_(json_putp) struct json_object *doc = json_out_new();
	struct json_object *pa = json_object_new_array(), *ka = NULL;
	char line[REVLIST_LINE];

	if (!doc || json_out_str(doc, "path", path) || json_out_bool(doc, "loaded", loaded) ||
	    json_out_add(doc, "persistent", pa))
		return -ENOMEM;
	if (loaded) {
		ka = json_object_new_array();
		if (json_out_add(doc, "kernel", ka))
			return -ENOMEM;
	} else if (json_out_str(doc, "kernel", NULL)) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < np + nk; i++) {
		revlist_format(i < np ? p[i] : k[i - np], line);
		if (json_out_str(i < np ? pa : ka, NULL, line))
			return -ENOMEM;
	}
	return json_out_print(doc);
}

/* One line per digest on either list, saying on which. */
static void list_text(const unsigned char (*p)[32], size_t np, const unsigned char (*k)[32],
		      size_t nk, bool loaded)
{
	char line[REVLIST_LINE];

	if (!np && !nk) {
		printf("no digests revoked%s\n", loaded ? "" : " (module not loaded)");
		return;
	}
	printf("%-71s  %-5s  %s\n", "DIGEST", "SAVED", "KERNEL");
	for (size_t i = 0; i < np; i++) {
		revlist_format(p[i], line);
		printf("%-71s  %-5s  %s\n", line, "yes", !loaded ? "-" : revlist_contains(k, nk, p[i]) ? "yes" : "no");
	}
	for (size_t i = 0; i < nk; i++) {
		if (revlist_contains(p, np, k[i]))
			continue;
		revlist_format(k[i], line);
		printf("%-71s  %-5s  %s\n", line, "no", "yes");
	}
}

static int list(bool json, const struct fw_config *c)
{
	_cleanup_(freep) unsigned char (*p)[32] = NULL, (*k)[32] = NULL;
	_cleanup_(freep) char *path = revlist_path(c);
	size_t np = 0, nk = 0;
	bool loaded = kstate_loaded();
	int err;

	if (!path) {
		report_error(json, NULL, "out of memory", -ENOMEM);
		return EXIT_USAGE;
	}
	err = revlist_load(c, &p, &np);
	if (err) {
		report_error(json, path, err == -EBADMSG ? "not a revocation list" : "cannot read", err);
		return EXIT_USAGE;
	}
	if (loaded) {
		err = kstate_revoked(&k, &nk);
		if (err) {
			report_error(json, kstate_root(), "cannot read the kernel's revocation list", err);
			return EXIT_USAGE;
		}
	}
	if (json) {
		err = list_json(path, (const unsigned char (*)[32])p, np, (const unsigned char (*)[32])k,
				nk, loaded);
		return err ? EXIT_USAGE : EXIT_OK;
	}
	list_text((const unsigned char (*)[32])p, np, (const unsigned char (*)[32])k, nk, loaded);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(config_freep) struct fw_config c = { 0 };
	bool json = json_requested(argc, argv), listing = false;
	struct fw_error e;
	int opt, err;

	while ((opt = getopt_long(argc, argv, ":ljh", options, NULL)) != -1) {
		switch (opt) {
		case 'l': listing = true; break;
		case 'j': json = true; break;
		case 'h': command_help(&cmd_revoke); return EXIT_OK;
		default: return report_bad_option(json, &cmd_revoke, opt, argv);
		}
	}
	if (listing && optind < argc) {
		report_usage(json, "revoke", "--list takes no DIGEST or FILE");
		return EXIT_USAGE;
	}
	if (!listing && optind == argc) {
		report_usage(json, "revoke", "no DIGEST or FILE given");
		return EXIT_USAGE;
	}
	if (argc - optind > REVLIST_MAX) {
		report_usage(json, "revoke", "more than %d digests", REVLIST_MAX);
		return EXIT_USAGE;
	}
	err = config_load(NULL, &c, &e);
	if (err) {
		report_message(json, e.msg, err);
		return EXIT_USAGE;
	}
	return listing ? list(json, &c) : revoke_all(json, &c, argv + optind, argc - optind);
}

const struct command cmd_revoke = {
	.name = "revoke",
	.run = run,
	.summary = "refuse firmware by its SHA-256, now and after reboot",
	.help = "revoke [--json] DIGEST|FILE...\n"
		"       fwverify revoke --list [--json]\n\n"
		"Add each DIGEST (64 hex digits, optionally \"sha256:\" before them), or the\n"
		"SHA-256 of each FILE, to the persistent revocation list\n"
		"<state_dir>/revoked and then to the kernel's\n"
		"(/sys/kernel/security/fwverify/revoke).  The kernel refuses a revoked blob\n"
		"even with a valid signature; its list only grows until reboot, and\n"
		"'fwverify apply' re-applies the persistent one at boot.  Arguments are\n"
		"all checked first: one bad one and nothing is written.  Without the\n"
		"module the list is still saved, with a warning.\n\n"
		"A FILE's digest is the one the kernel matches.  For fw.bin.xz or\n"
		"fw.bin.zst signed by fw.bin.p7s (and no fw.bin.xz.p7s), a signature of\n"
		"the content, it is the SHA-256 of the decompressed content, decoded by\n"
		"the kernel's rules: one .xz stream with nothing after it, or zstd frames\n"
		"to the end of the file, at most 256 MiB; else it is refused (\"cannot\n"
		"decompress\").  For any other file it is the SHA-256 of the file as\n"
		"stored.  Each line printed says which.\n\n"
		"  -l, --list     show both lists, and on which each digest is\n"
		"  -j, --json     one JSON document on stdout (schema_version 1); errors too\n\n"
		"The configuration file is $FWVERIFY_CONFIG or /etc/fwverify/fwverify.conf.\n"
		"Exit status: 0, or 2 for a bad argument or an I/O error.\n",
};
