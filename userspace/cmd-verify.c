// SPDX-License-Identifier: GPL-2.0
/* fwverify verify: predict the kernel's verdict on each firmware file, offline. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cms.h"
#include "command.h"
#include "kstate.h"
#include "util.h"

static int exit_code(enum fw_result r)
{
	return r == FW_VERIFIED ? EXIT_OK : r == FW_ERROR ? EXIT_USAGE : EXIT_REFUSED;
}

/* Classify a failure to read the signature file. */
static void sig_unreadable(const char *path, int err, struct cms_verdict *v)
{
	switch (err) {
	case -ENOENT:
		v->result = FW_UNSIGNED;
		snprintf(v->reason, sizeof(v->reason), "no %s", path);
		return;
	case -EISDIR:
	case -ENOTREG:
	case -ENODATA:
	case -EFBIG:
	case -ELOOP:
		v->result = FW_MALFORMED;
		break;
	default:
		v->result = FW_ERROR;
	}
	snprintf(v->reason, sizeof(v->reason), "%s: %s", path, errno_text(err));
}

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

static int verify_file(STACK_OF(X509) *trusted, const char *file, const char *sig_path)
{
	_cleanup_(closep) int fd = open_regular(file, 0);
	_cleanup_(freep) char *own = NULL, *real = named_path(file);
	_cleanup_(freep) unsigned char *sig = NULL;
	struct cms_verdict v = { .result = FW_ERROR };
	size_t len;
	int err;

	if (fd < 0) {
		snprintf(v.reason, sizeof(v.reason), "cannot open: %s", errno_text(fd));
	} else if (!sig_path && asprintf(&own, "%s.p7s", file) < 0) {
		own = NULL;
		snprintf(v.reason, sizeof(v.reason), "out of memory");
	} else {
		sig_path = sig_path ? sig_path : own;
		err = read_file(sig_path, FWVERIFY_SIG_MAX, &sig, &len);
		if (err)
			sig_unreadable(sig_path, err, &v);
		else
			cms_verify(trusted, sig, len, fd, real ? real : file, &v);
	}
	if (v.result == FW_VERIFIED)
		printf("%s: verified (signer: %s)\n", file, v.signer);
	else
		printf("%s: %s: %s\n", file, fw_result_name(v.result), v.reason);
	if (v.validity)
		log_warning(file, "signer certificate %s", v.validity > 0 ? "has expired" : "is not yet valid");
	return exit_code(v.result);
}

/* Ask the running module, through its check file, what a load of @file would get. */
static int verify_kernel(const char *file)
{
	_cleanup_(freep) char *abs = realpath(file, NULL);
	struct kstate_verdict v;
	int err;

	if (!abs) {
		log_error(file, "cannot resolve", -errno);
		return EXIT_USAGE;
	}
	err = kstate_check(abs, &v);
	if (err == -ENODEV) {
		log_error(file, "the fwverify module is not loaded", 0);
		return EXIT_USAGE;
	}
	if (err) {
		log_error(file, "the kernel's check failed", err);
		return EXIT_USAGE;
	}
	if (!strcmp(v.result, "verified"))
		printf("%s: verified (signer: %s)\n", file, v.signer);
	else
		printf("%s: %s: %s (a load would be %s)\n", file, v.result, v.reason, v.action);
	return !strcmp(v.result, "verified") ? EXIT_OK : !strcmp(v.result, "error") ? EXIT_USAGE :
	       EXIT_REFUSED;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ca", required_argument, NULL, 'a' },
		{ "sig", required_argument, NULL, 's' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	STACK_OF(X509) *trusted = NULL;
	const char *sig = NULL;
	int opt, err, ret = EXIT_OK, rc, nca = 0;
	bool kernel = false;

	while ((opt = getopt_long(argc, argv, ":a:s:kh", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			nca++;
			err = cms_load_certs(optarg, &trusted);
			if (err) {
				log_error(optarg, "cannot load certificates", err);
				ret = EXIT_USAGE;
			}
			break;
		case 's': sig = optarg; break;
		case 'k': kernel = true; break;
		case 'h': command_help(&cmd_verify); goto out;
		default: ret = command_bad_option(&cmd_verify, opt, argv); goto out;
		}
	}
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (!nca && !kernel)
		log_usage("verify", "--ca or --kernel is required");
	else if (nca && kernel)
		log_usage("verify", "--ca and --kernel exclude each other");
	else if (sig && kernel)
		log_usage("verify", "--sig and --kernel exclude each other: the kernel finds the signature itself");
	else if (optind == argc)
		log_usage("verify", "no FILE given");
	else if (sig && argc - optind > 1)
		log_usage("verify", "--sig needs exactly one FILE");
	else
		ret = EXIT_OK;
	if (ret)
		goto out;
	/* Verify every file and keep the worst exit code. */
	for (int i = optind; i < argc; i++) {
		rc = kernel ? verify_kernel(argv[i]) : verify_file(trusted, argv[i], sig);
		ret = rc > ret ? rc : ret;
	}
out:
	sk_X509_pop_free(trusted, X509_free);
	return ret;
}

const struct command cmd_verify = {
	.name = "verify",
	.run = run,
	.summary = "check FILE against FILE.p7s by the kernel's rules",
	.help = "verify --ca CERT.pem [--ca MORE.pem]... [--sig SIG.p7s] FILE...\n"
		"       fwverify verify --kernel FILE...\n\n"
		"Check each FILE against FILE.p7s offline, by the rules the kernel applies\n"
		"with a keyring holding the --ca certificates, and print one line per FILE:\n"
		"  FILE: verified (signer: NAME)\n"
		"  FILE: unsigned|bad-signature|untrusted|malformed|error: REASON\n\n"
		"  -a, --ca CERT.pem       trust the certificates in this PEM file (repeatable)\n"
		"  -s, --sig SIG.p7s       the signature of the one FILE, instead of FILE.p7s\n"
		"  -k, --kernel            ask the running fwverify module instead, through\n"
		"                          /sys/kernel/security/fwverify/check: its keys, its\n"
		"                          revocations and its code decide, and nothing is loaded\n",
};
