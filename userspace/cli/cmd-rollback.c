// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify rollback: make the previous generation of the managed firmware
 * tree the active one again, in one atomic switch, after checking that it
 * still verifies (the trusted certificates or the revoke list may have
 * changed since it was active).  The generation rolled back from is removed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "config.h"
#include "generation.h"
#include "stage-check.h"
#include "util.h"

struct rollback {
	struct fw_config c;
	struct gen_state g;
	struct gen_checker k;
	struct gen_list tree;
	int tree_fd;
};

static void rollback_free(struct rollback *r)
{
	gen_list_free(&r->tree);
	closep(&r->tree_fd);
	gen_close(&r->g);
	gen_checker_free(&r->k);
	config_free(&r->c);
}

/* Does every blob of generation @n (with its signature) still verify? */
static int verify_target(struct rollback *r, unsigned long n)
{
	_cleanup_(freep) char *path = gen_tree_path(&r->g, n);
	struct fw_error e = { 0 };
	struct gen_verdict v;
	unsigned int problems = 0;
	int err;

	if (!path)
		return EXIT_USAGE;
	r->tree_fd = gen_open_tree(&r->g, n, &e);
	if (r->tree_fd < 0) {
		log_error(e.path, "cannot open", r->tree_fd);
		return EXIT_USAGE;
	}
	err = gen_list_tree(r->tree_fd, &r->tree, &e);
	if (err) {
		log_error(e.path, "generation cannot be read", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < r->tree.n; i++) {
		const char *name = r->tree.v[i];
		size_t len = strlen(name);

		if (len > 4 && !strcmp(name + len - 4, ".p7s")) {
			if (!gen_list_sig_used(&r->tree, name)) {
				fprintf(stderr, "fwverify: %s: a signature without its firmware file\n", name);
				problems++;
			}
			continue;
		}
		if (!gen_check(&r->k, r->tree_fd, path, name, &v)) {
			fprintf(stderr, "fwverify: %s: %s\n", name, v.why);
			problems++;
		}
	}
	if (problems) {
		fprintf(stderr, "fwverify: rollback: generation %lu does not verify any more (%u problem(s)); "
			"the active generation is unchanged\n", n, problems);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

static int rollback(struct rollback *r, bool wait, bool dry_run)
{
	struct fw_error e = { 0 };
	unsigned long prev, cur;
	int err, ret;

	err = gen_start(&r->c, wait, &r->g, &e);
	if (err) {
		log_error(e.path, gen_start_error(err), err == -EBUSY || err == -EEXIST ? 0 : err);
		return EXIT_USAGE;
	}
	if (r->g.note[0])
		log_warning(r->c.state_dir, "%s", r->g.note);
	cur = r->g.active;
	if (!cur) {
		log_error(r->c.search_dir, "refused: no active generation to roll back from", 0);
		return EXIT_REFUSED;
	}
	if (gen_previous(&r->g, &prev)) {
		fprintf(stderr, "fwverify: %s: refused: no generation before %lu is kept (keep = %u)\n",
			r->c.search_dir, cur, r->c.keep);
		return EXIT_REFUSED;
	}
	ret = verify_target(r, prev);
	if (ret)
		return ret;
	if (dry_run) {
		printf("dry run: generation %lu verifies and would replace generation %lu\n", prev, cur);
		return EXIT_OK;
	}
	err = gen_switch(&r->g, prev, &e);
	if (err) {
		log_error(e.path, r->g.active == cur ? "cannot switch (the active generation is unchanged)" :
			  "switched, but cannot make the switch durable", err);
		return EXIT_USAGE;
	}
	printf("activated generation %lu (was %lu)\n", prev, cur);
	/* The generation rolled back from is abandoned: a crash here leaves it to the next cleanup. */
	err = gen_drop(&r->g, cur, &e);
	if (err)
		log_warning(e.path, "cannot remove generation %lu: %s", cur, errno_text(err));
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ca", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(rollback_free) struct rollback r = { .tree_fd = -1 };
	_cleanup_(freep) char **cas = calloc(argc, sizeof(*cas));
	bool wait = false, dry_run = false;
	struct fw_error e;
	int opt, ncas = 0, ret;

	r.g.state_fd = r.g.gens_fd = r.g.lock_fd = r.g.parent_fd = -1;
	if (!cas)
		return EXIT_USAGE;
	while ((opt = getopt_long(argc, argv, ":a:nwh", options, NULL)) != -1) {
		switch (opt) {
		case 'a': cas[ncas++] = optarg; break;
		case 'n': dry_run = true; break;
		case 'w': wait = true; break;
		case 'h': command_help(&cmd_rollback); return EXIT_OK;
		default: return command_bad_option(&cmd_rollback, opt, argv);
		}
	}
	if (optind < argc) {
		log_usage("rollback", "takes no argument");
		return EXIT_USAGE;
	}
	if (config_load(NULL, &r.c, &e)) {
		fprintf(stderr, "fwverify: %s\n", e.msg);
		return EXIT_USAGE;
	}
	ret = gen_checker_load(&r.k, &r.c, cas, ncas, &e);
	if (ret == -ENOKEY) {
		log_usage("rollback", "%s", e.msg);
		return EXIT_USAGE;
	}
	if (ret) {
		log_error(e.path, "cannot load", ret);
		return EXIT_USAGE;
	}
	return rollback(&r, wait, dry_run);
}

const struct command cmd_rollback = {
	.name = "rollback",
	.run = run,
	.summary = "make the previous generation of the managed firmware tree active again",
	.help = "rollback [OPTION]...\n\n"
		"Switch search_dir back to the newest generation kept before the active\n"
		"one, in one atomic step, after verifying it again (offline against the\n"
		"configured CAs, the revoke list, and the running kernel when fwverify.ko\n"
		"is loaded). The generation rolled back from is removed; rolling back again\n"
		"goes one generation further. The configuration's 'keep' sets how many old\n"
		"generations stage keeps.\n\n"
		"  -a, --ca CERT.pem   also trust these certificates (repeatable)\n"
		"  -n, --dry-run       verify the previous generation, but do not switch\n"
		"  -w, --wait          wait for a running stage or rollback instead of failing\n\n"
		"Exit status: 0 rolled back, 1 refused (no previous generation, or it does\n"
		"not verify), 2 usage or I/O error; on failure the active generation is untouched.\n",
};
