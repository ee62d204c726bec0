// SPDX-License-Identifier: GPL-2.0
/* fwverify-signd: the command line of the signing server. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "signd.h"

static const char usage[] =
	"Usage: fwverify-signd [--config FILE] [--check]\n\n"
	"Sign firmware digests for clients with TLS 1.3 client certificates, by\n"
	"grant, quota and approval, and keep a hash-chained audit log.\n\n"
	"  -c, --config FILE   the configuration (default " SIGND_CONFIG_DEFAULT ",\n"
	"                      or $FWVERIFY_SIGND_CONFIG)\n"
	"  --check             load the configuration, the keys and the TLS\n"
	"                      identity, say whether they are usable, and exit\n"
	"  -h, --help          this text\n"
	"  --version           the version\n\n"
	"SIGTERM or SIGINT: stop taking connections, finish the requests under\n"
	"way, write the last audit record and exit.  See fwverify-signd(8).\n\n"
	"Exit status: 0 stopped cleanly (or --check passed), 2 a configuration,\n"
	"key, audit log or network error.\n";

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *path = getenv("FWVERIFY_SIGND_CONFIG");
	struct signd_conf c;
	bool check = false;
	char err[1024];
	int opt, ret;

	if (!path || !*path)
		path = SIGND_CONFIG_DEFAULT;
	while ((opt = getopt_long(argc, argv, ":c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'C': check = true; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': puts("fwverify-signd " FWVERIFY_VERSION); return 0;
		case ':':
			fprintf(stderr, "fwverify-signd: %s needs an argument (see --help)\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "fwverify-signd: unknown option '%s' (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fwverify-signd: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (signd_conf_load(path, &c, err, sizeof(err))) {
		fprintf(stderr, "fwverify-signd: %s\n", err);
		return 2;
	}
	ret = signd_run(&c, check);
	signd_conf_free(&c);
	return ret ? 2 : 0;
}
