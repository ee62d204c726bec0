// SPDX-License-Identifier: GPL-2.0
/* fwverify verify: predict the kernel's verdict on each firmware file, offline, or ask it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "command.h"
#include "config.h"
#include "json-out.h"
#include "kstate.h"
#include "revlist.h"
#include "util.h"

/* @file with its directory resolved, not the file itself: the name a symlink is loaded by. */
static char *named_path(const char *file)
{
	const char *slash = strrchr(file, '/');
	_cleanup_(freep) char *dir = slash ? strndup(file, slash == file ? 1 : slash - file) : NULL;
	_cleanup_(freep) char *rdir = realpath(slash ? dir ? dir : "/" : ".", NULL);
	char *out;

	if (!rdir || asprintf(&out, "%s/%s", strcmp(rdir, "/") ? rdir : "", slash ? slash + 1 : file) < 0)
		return NULL;
	return out;
}

/* One file's result in a --json document, or on stdout as a line. */
struct line {
	const char *file, *result, *reason, *detail, *signer, *name, *sig, *content, *action;
	char digest[80];	/* "sha256:<hex>" (REVLIST_LINE), or as the kernel wrote it */
	int err;		/* the kernel's errno= line; 0 offline */
	int exit;
};

static void print_line(const struct line *l)
{
	if (!strcmp(l->result, FWVERIFY_NAME_VERIFIED))
		printf("%s: verified (signer: %s)\n", l->file, l->signer);
	else if (l->action)
		printf("%s: %s: %s (a load would be %s)\n", l->file, l->result, l->reason, l->action);
	else
		printf("%s: %s: %s\n", l->file, l->result, l->detail && l->detail[0] ? l->detail : l->reason);
}

/* "" is null in the document. */
static int add_opt(struct json_object *o, const char *key, const char *s)
{
	return json_out_str(o, key, s && s[0] ? s : NULL);
}

static int add_line(struct json_object *files, const struct line *l)
{
	struct json_object *f = json_object_new_object();
	int err = json_out_add(files, NULL, f);

	if (err)
		return err;
	err = json_out_str(f, "file", l->file) ?: json_out_str(f, "result", l->result) ?:
	      add_opt(f, "reason", l->reason) ?: add_opt(f, "detail", l->detail) ?:
	      add_opt(f, "signer", l->signer) ?: add_opt(f, "signed_name", l->name) ?:
	      add_opt(f, "digest", l->digest) ?: json_out_uint(f, "exit", l->exit);
	if (!err && l->action)
		err = json_out_str(f, "action", l->action) ?: json_out_uint(f, "errno", l->err);
	else if (!err)
		err = add_opt(f, "signature", l->sig) ?: add_opt(f, "content", l->content);
	return err;
}

/* Show one verdict: a line, or an entry of @files with --json. */
static int show(struct json_object *files, const struct line *l)
{
	if (files)
		return add_line(files, l);
	print_line(l);
	return 0;
}

static int verify_file(const struct check_ctx *c, struct json_object *files, const char *file,
		       const char *sig_path)
{
	_cleanup_(freep) char *real = named_path(file);
	struct check_verdict v;
	struct line l = { .file = file };

	check_file(c, real ? real : file, sig_path, &v);
	l.result = check_result_name(v.result);
	l.reason = v.reason;
	l.detail = v.detail;
	l.signer = v.signer;
	l.name = v.name;
	l.sig = v.sig_path;
	l.content = v.content;
	l.exit = check_exit_code(v.result);
	if (v.have_digest)
		revlist_format(v.sha256, l.digest);
	if (v.result == FWVERIFY_VERIFIED && v.validity)
		log_warning(file, "signer certificate %s", v.validity > 0 ? "has expired" : "is not yet valid");
	return show(files, &l) ? -ENOMEM : l.exit;
}

/*
 * A file the kernel could not be asked about: the error on stderr, as
 * before, and with --json an entry whose result is error.
 */
static int not_asked(struct json_object *files, const char *file, const char *what, int err)
{
	char msg[256];
	struct line l = { .file = file, .result = FWVERIFY_NAME_ERROR, .reason = msg, .exit = EXIT_USAGE };

	log_error(file, what, err);
	snprintf(msg, sizeof(msg), "%s%s%s", what, err ? ": " : "", err ? errno_text(err) : "");
	return files && add_line(files, &l) ? -ENOMEM : EXIT_USAGE;
}

/* Ask the running module, through its check file, what a load of @file would get. */
static int verify_kernel(struct json_object *files, const char *file)
{
	_cleanup_(freep) char *abs = realpath(file, NULL);
	struct kstate_verdict v;
	struct line l = { .file = file };
	int err;

	if (!abs)
		return not_asked(files, file, "cannot resolve", -errno);
	err = kstate_check(abs, &v);
	if (err == -ENODEV)
		return not_asked(files, file, "the fwverify module is not loaded", 0);
	if (err)
		return not_asked(files, file, "the kernel's check failed", err);
	l.result = v.result;
	l.reason = v.reason;
	l.action = v.action;
	l.signer = v.signer;
	l.name = v.name;
	l.err = v.err;
	snprintf(l.digest, sizeof(l.digest), "%s", v.digest);
	l.exit = !strcmp(v.result, FWVERIFY_NAME_VERIFIED) ? EXIT_OK :
		 !strcmp(v.result, FWVERIFY_NAME_ERROR) ? EXIT_USAGE : EXIT_REFUSED;
	return show(files, &l) ? -ENOMEM : l.exit;
}

/* The trust anchors, the kernel's rules and the revocations an offline verdict uses. */
static int offline_setup(bool json, struct check_ctx *c, const char *version)
{
	_cleanup_(config_freep) struct fw_config conf = { 0 };
	struct fw_error e;
	int err;

	err = check_ctx_kernel(c, version);
	if (err) {
		report_usage(json, "verify", "--kernel-version %s: %s", version ? version : "(running)",
			     err == -ERANGE ? "fwverify supports Linux 6.1 and later" : "not X.Y");
		return EXIT_USAGE;
	}
	err = config_load(NULL, &conf, &e);
	if (err) {
		report_message(json, e.msg, err);
		return EXIT_USAGE;
	}
	err = check_ctx_revocations(c, &conf);
	if (err) {
		_cleanup_(freep) char *path = revlist_path(&conf);

		report_error(json, path, "cannot read the revoke list", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int add_kernel(struct json_object *doc, const struct check_ctx *c)
{
	struct json_object *k = json_object_new_object();

	return json_out_add(doc, "kernel", k) ?: json_out_str(k, "version", c->rules.kernel) ?:
	       json_out_bool(k, "running", c->running) ?: json_out_bool(k, "ecdsa", c->rules.ecdsa) ?:
	       json_out_bool(k, "sha3", c->rules.sha3) ?: json_out_bool(k, "zstd", c->zstd) ?:
	       json_out_uint(doc, "revoked", c->nrevoked) ?:
	       json_out_bool(doc, "kernel_revocations", c->kernel_list);
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ca", required_argument, NULL, 'a' },
		{ "sig", required_argument, NULL, 's' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "kernel-version", required_argument, NULL, 'K' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(json_putp) struct json_object *doc = NULL;
	struct json_object *files = NULL;
	struct check_ctx c = { 0 };
	const char *sig = NULL, *version = NULL;
	bool json = json_requested(argc, argv), kernel = false;
	int opt, err, ret = EXIT_OK, rc, nca = 0;

	while ((opt = getopt_long(argc, argv, ":a:s:kK:jh", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			nca++;
			err = cms_load_certs(optarg, &c.trusted);
			if (err) {
				report_error(json, optarg, "cannot load certificates", err);
				ret = EXIT_USAGE;
			}
			break;
		case 's': sig = optarg; break;
		case 'k': kernel = true; break;
		case 'K': version = optarg; break;
		case 'j': break;
		case 'h': command_help(&cmd_verify); goto out;
		default: ret = report_bad_option(json, &cmd_verify, opt, argv); goto out;
		}
	}
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (!nca && !kernel)
		report_usage(json, "verify", "--ca or --kernel is required");
	else if (nca && kernel)
		report_usage(json, "verify", "--ca and --kernel exclude each other");
	else if (sig && kernel)
		report_usage(json, "verify", "--sig and --kernel exclude each other: the kernel finds the signature itself");
	else if (version && kernel)
		report_usage(json, "verify", "--kernel-version and --kernel exclude each other: the running kernel decides");
	else if (optind == argc)
		report_usage(json, "verify", "no FILE given");
	else if (sig && argc - optind > 1)
		report_usage(json, "verify", "--sig needs exactly one FILE");
	else
		ret = kernel ? EXIT_OK : offline_setup(json, &c, version);
	if (ret)
		goto out;
	if (json) {
		doc = json_out_new();
		files = json_object_new_array();
		if (!doc || json_out_str(doc, "by", kernel ? "kernel" : "offline") ||
		    (!kernel && add_kernel(doc, &c)) || json_out_add(doc, "files", files)) {
			report_error(json, NULL, "cannot build the document", -ENOMEM);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	/* Verify every file and keep the worst exit code. */
	for (int i = optind; i < argc; i++) {
		rc = kernel ? verify_kernel(files, argv[i]) : verify_file(&c, files, argv[i], sig);
		if (rc < 0) {
			report_error(json, NULL, "cannot build the document", rc);
			ret = EXIT_USAGE;
			goto out;
		}
		ret = rc > ret ? rc : ret;
	}
	if (doc && json_out_print(doc)) {
		report_error(false, NULL, "cannot write the document", -EIO);
		ret = EXIT_USAGE;
	}
out:
	check_ctx_free(&c);
	return ret;
}

const struct command cmd_verify = {
	.name = "verify",
	.run = run,
	.summary = "check FILE against FILE.p7s by the kernel's rules",
	.help = "verify --ca CERT.pem [--ca MORE.pem]... [--kernel-version X.Y] [--sig SIG.p7s] [--json] FILE...\n"
		"       fwverify verify --kernel [--json] FILE...\n\n"
		"Predict, offline, what the fwverify module would decide for each FILE with a\n"
		"keyring holding the --ca certificates: the same result, reason and exit code\n"
		"as its check file.  The signature is found as the module finds it (FILE.p7s,\n"
		"or for FILE.xz or FILE.zst the content's FILE.p7s); a FILE ending in .p7s is\n"
		"checked as the signature of the file beside it.  Digests on the persistent\n"
		"revoke list (<state_dir>/revoked) and on the running kernel's, when it can\n"
		"be read, are revoked.  One line per FILE:\n"
		"  FILE: verified (signer: NAME)\n"
		"  FILE: unsigned|bad-signature|untrusted|revoked|malformed|error: REASON\n\n"
		"  -a, --ca CERT.pem       trust the certificates in this PEM file (repeatable)\n"
		"  -K, --kernel-version X.Y\n"
		"                          predict Linux X.Y (default: the running kernel): 6.1\n"
		"                          has no ECDSA, so an ECDSA signature is untrusted there\n"
		"  -s, --sig SIG.p7s       the signature of the one FILE, instead of FILE.p7s\n"
		"  -k, --kernel            ask the running fwverify module instead, through\n"
		"                          /sys/kernel/security/fwverify/check: its keys, its\n"
		"                          revocations and its code decide, and nothing is loaded\n"
		"  -j, --json              one JSON document on stdout (schema_version 1); errors too\n",
};
