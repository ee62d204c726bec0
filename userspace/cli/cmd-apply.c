// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify apply: re-apply at boot what the kernel forgets at reboot.
 *
 * The order is revocations, policy, mode, and every step is tried even if
 * an earlier one failed.  Revocations come first because they only ever
 * refuse more: there is never a moment with the configured mode in force
 * but revoked blobs still accepted.  The policy comes before the mode
 * because the mode is the one switch that turns enforcement on or off for
 * every name no rule matches; when it flips, the per-vendor rules and the
 * signer pins it relies on are already in place.  A failed step does not
 * stop the later ones: each moves the kernel towards the configuration,
 * and stopping would leave it further from it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "config.h"
#include "json-out.h"
#include "kstate.h"
#include "revlist.h"
#include "util.h"

/* The kernel takes at most 64 KiB of policy in one write. */
#define POLICY_MAX (64 * 1024)

/* Exit code of a write to the kernel's file @rel that failed: a locked module refuses, anything else is an error. */
static int write_failed(const char *rel, const char *what, int err)
{
	_cleanup_(freep) char *path = kstate_path(rel);

	if (err == -EPERM) {
		log_error(path ? path : rel, "refused: fwverify is locked", 0);
		return EXIT_REFUSED;
	}
	log_error(path ? path : rel, what, err);
	return EXIT_USAGE;
}

static int apply_revocations(const struct fw_config *c)
{
	_cleanup_(freep) unsigned char (*d)[32] = NULL;
	_cleanup_(freep) char *path = revlist_path(c);
	size_t n = 0;
	int err;

	err = revlist_load(c, &d, &n);
	if (err) {
		log_error(path ? path : c->state_dir,
			  err == -EBADMSG ? "not a revocation list" : "cannot read", err);
		return EXIT_USAGE;
	}
	err = kstate_revoke((const unsigned char (*)[32])d, n);
	if (err)
		return write_failed(KSTATE_SFS "revoke", "cannot write the revocation list", err);
	printf("revoked: %zu digest%s from %s\n", n, n == 1 ? "" : "s", path);
	return EXIT_OK;
}

static int apply_policy(const struct fw_config *c)
{
	_cleanup_(freep) unsigned char *text = NULL;
	size_t len = 0;
	int err;

	err = read_file(c->policy, POLICY_MAX, &text, &len);
	if (err == -ENODATA) {
		err = 0;	/* an empty policy clears the kernel's */
		len = 0;
	}
	if (err) {
		log_error(c->policy, "cannot read the policy", err);
		return EXIT_USAGE;
	}
	err = kstate_write(KSTATE_SFS "policy", text ? (const char *)text : "", len, false);
	if (err == -EINVAL) {
		log_error(c->policy, "the kernel refused the policy (its log names the line)", 0);
		return EXIT_USAGE;
	}
	if (err)
		return write_failed(KSTATE_SFS "policy", "cannot write the policy", err);
	printf("policy: %s\n", c->policy);
	return EXIT_OK;
}

static int apply_mode(const struct fw_config *c)
{
	int err = kstate_write(KSTATE_PARAMS "mode", c->mode, strlen(c->mode), false);

	if (err)
		return write_failed(KSTATE_PARAMS "mode", "cannot write the mode", err);
	printf("mode: %s\n", c->mode);
	return EXIT_OK;
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "lock", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(config_freep) struct fw_config c = { 0 };
	bool lock = false;
	struct fw_error e;
	int opt, err, locked, ret;

	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'L': lock = true; break;
		case 'h': command_help(&cmd_apply); return EXIT_OK;
		default: return command_bad_option(&cmd_apply, opt, argv);
		}
	}
	if (optind < argc) {
		log_usage("apply", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	err = config_load(NULL, &c, &e);
	if (err) {
		report_message(false, e.msg, err);
		return EXIT_USAGE;
	}
	if (!kstate_loaded()) {
		log_error("apply", "the fwverify module is not loaded", 0);
		return EXIT_USAGE;
	}
	locked = kstate_locked();
	if (locked < 0) {
		log_error(kstate_root(), "cannot read the lock", locked);
		return EXIT_USAGE;
	}
	ret = apply_revocations(&c);
	if (locked) {
		/* A locked module still takes revocations, and nothing else. */
		if (c.policy || c.mode)
			log_warning("apply", "fwverify is locked: the policy and mode stay as they are");
		return ret;
	}
	if (c.policy)
		ret = worst(ret, apply_policy(&c));
	if (c.mode)
		ret = worst(ret, apply_mode(&c));
	if (lock) {
		err = kstate_write(KSTATE_SFS "lock", "1", 1, false);
		if (err)
			ret = worst(ret, write_failed(KSTATE_SFS "lock", "cannot lock", err));
		else
			printf("locked\n");
	}
	return ret;
}

const struct command cmd_apply = {
	.name = "apply",
	.run = run,
	.summary = "re-apply the revocation list, policy and mode at boot",
	.help = "apply [--lock]\n\n"
		"Give the running module what it forgets at reboot, in this order: the\n"
		"persistent revocation list (<state_dir>/revoked), the policy file\n"
		"(config key 'policy') and the mode (config key 'mode').  Revocations\n"
		"come first, so the configured mode is never in force while revoked\n"
		"firmware is still accepted; every step is tried even if one fails.\n"
		"A locked module takes only the revocations: apply says so and leaves\n"
		"the policy and mode alone.  fwverify-apply.service runs it at boot.\n\n"
		"      --lock     lock fwverify afterwards, until reboot\n\n"
		"The configuration file is $FWVERIFY_CONFIG or /etc/fwverify/fwverify.conf.\n"
		"Exit status: 0, 1 when the module refused a change because it is locked,\n"
		"2 when the module is not loaded or a file could not be read or written.\n",
};
