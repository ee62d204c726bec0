// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify sign: write a detached CMS signature beside each firmware file.
 *
 * The key is loaded once, from a PEM file or a PKCS#11 token (keysrc.c),
 * and files are signed in parallel (signpool.c); the failures are printed
 * in argument order, so the output is the same for any -j.  --server:
 * cmd-sign-remote.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cms.h"
#include "command.h"
#include "keysrc.h"
#include "manifest.h"
#include "pkcs11.h"
#include "signd-client.h"
#include "signpool.h"
#include "util.h"

#define JOBS_MAX 256
#define PIN_ENV "FWVERIFY_PIN"
#define PIN_HINT "give it with --pin-file, --pin-fd or $" PIN_ENV

static const char *const hashes[] = { "sha256", "sha384", "sha512" };

struct options {
	const char *key, *cert, *hash, *out, *module, *pin_file;
	char **chain;
	int nchain, pin_fd;
	bool no_certs, quiet;
	long jobs;
	bool manifest;
	const char *base, *generation, *expires;
	const char *name;
	struct signd_opts server;	/* with --server: the server signs */
	bool remote;
	unsigned int wait;
	const char *request;
};

/* The line log_error() would print, for a failure met on another thread. */
static void report(const struct sign_job *j)
{
	const char *who = j->on_sig ? j->sig : j->file;

	if (j->ssl[0])
		fprintf(stderr, "fwverify: %s: %s: %s\n", who, j->what, j->ssl);
	else
		fprintf(stderr, "fwverify: %s: %s: %s\n", who, j->what, errno_text(j->err));
}

/*
 * The firmware name each file is signed for: --name, else the path under
 * --base, else the file's own name.  Return: whether every name is valid.
 */
static bool name_all(const struct options *o, struct sign_job *job, char **files, size_t n)
{
	_cleanup_(freep) char *rbase = o->base ? realpath(o->base, NULL) : NULL;
	const char *slash;
	struct fw_error e;
	int err;

	if (o->base && !rbase) {
		log_error(o->base, "cannot resolve", -errno);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		job[i].file = files[i];
		slash = strrchr(files[i], '/');
		if (rbase) {
			err = manifest_rel_name(rbase, files[i], &job[i].name, &e);
			if (err) {
				fprintf(stderr, "fwverify: %s\n", e.msg);
				return false;
			}
		} else {
			job[i].name = strdup(o->name ? o->name : slash ? slash + 1 : files[i]);
			if (!job[i].name) {
				log_error("sign", "cannot start", -ENOMEM);
				return false;
			}
		}
		if (cms_name_valid(job[i].name))
			continue;
		/* A name of the file's own that no signature can carry: sign without one, as vendors do. */
		if (!o->name && !o->remote) {
			log_warning(files[i], "signed without a firmware name: its name cannot be one (control characters, or over %d bytes)",
				    CMS_NAME_MAX);
			free(job[i].name);
			job[i].name = NULL;
			continue;
		}
		log_usage("sign", "'%s' is not a firmware name to sign (a relative path of at most %d bytes, no '.' or '..' component)",
			  job[i].name, CMS_NAME_MAX);
		return false;
	}
	return true;
}

static void jobs_free(struct sign_job *job, size_t n)
{
	for (size_t i = 0; job && i < n; i++) {
		free(job[i].sig);
		free(job[i].name);
	}
	free(job);
}

/* Print a failed job's line; note that something failed. */
static void job_done(const struct sign_job *j, void *ctx)
{
	int *ret = ctx;

	if (j->what) {
		report(j);
		*ret = EXIT_USAGE;
	}
}

/* Sign @n files with @jobs threads; print one line per failure, in order. Return: the exit code. */
static int sign_all(const struct options *o, const struct cms_signer *s, char **files, size_t n, long jobs)
{
	struct sign_job *job = calloc(n, sizeof(*job));
	int ret = EXIT_OK, err;

	if (!job) {
		log_error("sign", "cannot start", -ENOMEM);
		return EXIT_USAGE;
	}
	if (!name_all(o, job, files, n)) {
		jobs_free(job, n);
		return EXIT_USAGE;
	}
	err = sign_jobs(s, o->out, job, n, jobs, job_done, &ret);
	if (err) {
		log_error("sign", "cannot start", err);
		ret = EXIT_USAGE;
	}
	jobs_free(job, n);
	return ret;
}

/* The signing key and its certificates (keysrc.c, as the signing server loads its own). */
static int load_signer(const struct options *o, struct cms_signer **s, struct loaded_key *lk)
{
	struct key_spec ks = {
		.key = o->key, .cert = o->cert, .chain = (const char *const *)o->chain,
		.nchain = o->nchain, .module = o->module, .pin_file = o->pin_file, .pin_fd = o->pin_fd,
		.pin_env = PIN_ENV, .pin_hint = ": " PIN_HINT, .cert_hint = "--cert",
	};
	struct fw_error e;
	int err;

	err = key_load(&ks, lk, &e);
	if (err) {
		/* The token's or OpenSSL's own words, when it left some. */
		char ssl[256];

		if (openssl_error_text(ssl, sizeof(ssl)))
			fprintf(stderr, "fwverify: %s: %s\n", e.msg, ssl);
		else
			fprintf(stderr, "fwverify: %s\n", e.msg);
		return EXIT_USAGE;
	}
	err = cms_signer_new(lk->pkey, lk->certs, o->hash, o->no_certs, s);
	if (err == -EOPNOTSUPP)
		log_error(o->key, "not an RSA or EC key", 0);
	else if (err)
		log_error(o->key, "cannot make a signer", err);
	return err ? EXIT_USAGE : EXIT_OK;
}

/* Return: whether the options fit signing by a server; logs why not. */
static bool check_remote(struct options *o, int nfiles)
{
	struct signd_opts *so = &o->server;
	struct fw_error e;

	so->module = o->module;
	so->pin_file = o->pin_file;
	so->pin_fd = o->pin_fd;
	if (!o->key && !o->request)
		log_usage("sign", "--server needs --key NAME, the server's key");
	else if (o->cert || o->nchain || o->no_certs || strcmp(o->hash, "sha256"))
		log_usage("sign", "--cert, --chain, --no-certs and --hash are the server's business with --server");
	else if (o->manifest || o->generation || o->expires)
		log_usage("sign", "--manifest is signed locally, not with --server");
	else if (!nfiles)
		log_usage("sign", "no FILE given");
	else if ((o->out || o->request) && nfiles > 1)
		log_usage("sign", "%s needs exactly one FILE", o->out ? "-o" : "--request");
	else if (o->name && (nfiles > 1 || o->base))
		log_usage("sign", "--name needs exactly one FILE, and no --base");
	else if (signd_opts_check(so, true, &e))
		log_usage("sign", "%s", e.msg);
	else
		return true;
	return false;
}

static int sign_by_server(struct options *o, char **files, int nfiles)
{
	struct sign_job *job = NULL;
	char **names = NULL;
	int ret = EXIT_USAGE;
	struct timespec start, now;

	if (!check_remote(o, nfiles))
		return EXIT_USAGE;
	clock_gettime(CLOCK_MONOTONIC, &start);
	job = calloc(nfiles, sizeof(*job));
	names = calloc(nfiles, sizeof(*names));
	if (!job || !names)
		log_error("sign", "cannot start", -ENOMEM);
	else if (name_all(o, job, files, nfiles)) {
		for (int i = 0; i < nfiles; i++)
			names[i] = job[i].name;
		ret = sign_remote(&o->server, o->key, files, names, nfiles, o->out, o->wait, o->request);
	}
	free(names);
	jobs_free(job, nfiles);
	if (ret == EXIT_OK && !o->quiet) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double secs = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;

		if (o->request)
			printf("signed %d file%s, request %s, by %s in %.2f s\n", nfiles, nfiles == 1 ? "" : "s",
			       o->request, o->server.url, secs);
		else
			printf("signed %d file%s with %s's key %s in %.2f s\n", nfiles, nfiles == 1 ? "" : "s",
			       o->server.url, o->key, secs);
	}
	return ret;
}

static long default_jobs(void)
{
	cpu_set_t set;
	long n = 0;

	if (!sched_getaffinity(0, sizeof(set), &set))
		n = CPU_COUNT(&set);
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : n;
}

static int sign_manifest(const struct options *o, const struct cms_signer *s, char **files, size_t n)
{
	unsigned long long generation;
	int64_t expires;
	struct fw_error e;
	char ssl[256];
	int err;

	/* Checked before signing anything: see check_manifest(). */
	parse_ulong(o->generation, 1, UINT64_MAX, &generation);
	manifest_parse_time(o->expires, time(NULL), &expires);
	err = manifest_sign(s, o->base, files, n, generation, expires, &e);
	if (!err)
		return EXIT_OK;
	openssl_error_text(ssl, sizeof(ssl));
	fprintf(stderr, "fwverify: %s%s%s\n", e.msg, ssl[0] ? ": " : "", ssl);
	return EXIT_USAGE;
}

static bool check_manifest(const struct options *o)
{
	unsigned long long g;
	int64_t t;

	if (!o->manifest) {
		if (!o->generation && !o->expires)
			return true;
		log_usage("sign", "--generation and --expires go with --manifest");
	} else if (!o->base || !o->generation || !o->expires) {
		log_usage("sign", "--manifest needs --base, --generation and --expires");
	} else if (o->out) {
		log_usage("sign", "--manifest and -o exclude each other");
	} else if (parse_ulong(o->generation, 1, UINT64_MAX, &g)) {
		log_usage("sign", "--generation '%s': expected a whole number from 1", o->generation);
	} else if (manifest_parse_time(o->expires, time(NULL), &t)) {
		log_usage("sign", "--expires '%s': expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or +Nd", o->expires);
	} else if (t <= time(NULL)) {
		log_usage("sign", "--expires '%s' is not in the future", o->expires);
	} else {
		return true;
	}
	return false;
}

/* Return: whether the options make sense together; logs why not. */
static bool check_options(const struct options *o, int nfiles)
{
	bool known = false, token = o->key && pkcs11_is_uri(o->key);

	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		known |= !strcmp(o->hash, hashes[i]);
	if (!o->key)
		log_usage("sign", "--key is required");
	else if (!o->cert && !token)
		log_usage("sign", "--cert is required with a key file");
	else if (!known)
		log_usage("sign", "unknown hash '%s': use sha256, sha384 or sha512", o->hash);
	else if (!token && (o->module || o->pin_file || o->pin_fd >= 0))
		log_usage("sign", "--pkcs11-module, --pin-file and --pin-fd go with a pkcs11: key");
	else if (o->pin_file && o->pin_fd >= 0)
		log_usage("sign", "--pin-file and --pin-fd exclude each other");
	else if (o->no_certs && o->nchain)
		log_usage("sign", "--no-certs and --chain exclude each other");
	else if (o->jobs < 1 || o->jobs > JOBS_MAX)
		log_usage("sign", "--jobs: expected a number from 1 to %d", JOBS_MAX);
	else if (!nfiles)
		log_usage("sign", "no FILE given");
	else if (o->out && nfiles > 1)
		log_usage("sign", "-o needs exactly one FILE");
	else if (o->name && nfiles > 1)
		log_usage("sign", "--name needs exactly one FILE");
	else if (o->name && o->base)
		log_usage("sign", "--name and --base exclude each other");
	else
		return check_manifest(o);
	return false;
}

/*
 * The one line of a run that signed everything: how many files, the key,
 * when (the signatures' signing time, to the second) and how long it took.
 */
static void print_signed(const struct options *o, int nfiles, time_t started, const struct timespec *start)
{
	struct timespec now;
	char when[32];

	clock_gettime(CLOCK_MONOTONIC, &now);
	manifest_time(started, when, sizeof(when));
	printf("signed %d file%s%s%s%s (%s) with %s at %s in %.2f s\n", nfiles, nfiles == 1 ? "" : "s",
	       o->manifest ? " and " : "", o->manifest ? o->base : "", o->manifest ? "/" MANIFEST_NAME : "",
	       o->hash, o->key, when,
	       (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9);
}

enum { OPT_MODULE = 256, OPT_PIN_FILE, OPT_PIN_FD, OPT_MANIFEST, OPT_BASE, OPT_GENERATION, OPT_EXPIRES,
       OPT_NAME, OPT_WAIT, OPT_REQUEST };

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "hash", required_argument, NULL, 'H' },
		{ "chain", required_argument, NULL, 'C' },
		{ "no-certs", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "pkcs11-module", required_argument, NULL, OPT_MODULE },
		{ "pin-file", required_argument, NULL, OPT_PIN_FILE },
		{ "pin-fd", required_argument, NULL, OPT_PIN_FD },
		{ "manifest", no_argument, NULL, OPT_MANIFEST },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "generation", required_argument, NULL, OPT_GENERATION },
		{ "expires", required_argument, NULL, OPT_EXPIRES },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "server", required_argument, NULL, SIGND_OPT_SERVER },
		{ "tls-cert", required_argument, NULL, SIGND_OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, SIGND_OPT_TLS_KEY },
		{ "tls-ca", required_argument, NULL, SIGND_OPT_TLS_CA },
		{ "timeout", required_argument, NULL, SIGND_OPT_TIMEOUT },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "request", required_argument, NULL, OPT_REQUEST },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(freep) char **chain = calloc(argc, sizeof(*chain));
	struct options o = { .hash = "sha256", .chain = chain, .pin_fd = -1, .jobs = default_jobs() };
	struct loaded_key lk = { 0 };
	struct cms_signer *s = NULL;
	unsigned long long v;
	struct fw_error e;
	struct timespec start;
	time_t started;
	int opt, ret, nfiles;

	if (!chain)
		return EXIT_USAGE;
	signd_opts_init(&o.server);
	while ((opt = getopt_long(argc, argv, ":k:c:H:C:no:j:qh", options, NULL)) != -1) {
		switch (opt) {
		case 'k': o.key = optarg; break;
		case 'c': o.cert = optarg; break;
		case 'H': o.hash = optarg; break;
		case 'C': chain[o.nchain++] = optarg; break;
		case 'n': o.no_certs = true; break;
		case 'o': o.out = optarg; break;
		case 'j': o.jobs = parse_ulong(optarg, 1, JOBS_MAX, &v) ? 0 : (long)v; break;
		case 'q': o.quiet = true; break;
		case OPT_MODULE: o.module = optarg; break;
		case OPT_PIN_FILE: o.pin_file = optarg; break;
		case OPT_PIN_FD:
			if (parse_ulong(optarg, 0, INT_MAX, &v)) {
				log_usage("sign", "--pin-fd '%s': expected a descriptor number", optarg);
				return EXIT_USAGE;
			}
			o.pin_fd = v;
			break;
		case OPT_MANIFEST: o.manifest = true; break;
		case OPT_BASE: o.base = optarg; break;
		case OPT_GENERATION: o.generation = optarg; break;
		case OPT_EXPIRES: o.expires = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case OPT_WAIT:
			if (parse_ulong(optarg, 0, 86400, &v)) {
				log_usage("sign", "--wait '%s': expected seconds from 0 to 86400", optarg);
				return EXIT_USAGE;
			}
			o.wait = v;
			break;
		case OPT_REQUEST: o.request = optarg; break;
		case SIGND_OPT_SERVER:
			o.remote = true;
			/* fall through */
		case SIGND_OPT_TLS_CERT:
		case SIGND_OPT_TLS_KEY:
		case SIGND_OPT_TLS_CA:
		case SIGND_OPT_TIMEOUT:
			if (signd_opts_parse(&o.server, opt, optarg, &e) < 0) {
				log_usage("sign", "%s", e.msg);
				return EXIT_USAGE;
			}
			break;
		case 'h': command_help(&cmd_sign); return EXIT_OK;
		default: return command_bad_option(&cmd_sign, opt, argv);
		}
	}
	nfiles = argc - optind;
	if (o.remote)
		return sign_by_server(&o, argv + optind, nfiles);
	if (!check_options(&o, nfiles))
		return EXIT_USAGE;
	clock_gettime(CLOCK_MONOTONIC, &start);
	started = time(NULL);
	ret = load_signer(&o, &s, &lk);
	if (!ret)
		ret = sign_all(&o, s, argv + optind, nfiles, o.jobs);
	if (!ret && o.manifest)
		ret = sign_manifest(&o, s, argv + optind, nfiles);
	else if (o.manifest && s)
		fprintf(stderr, "fwverify: %s/%s: not written: not every FILE was signed\n", o.base, MANIFEST_NAME);
	if (!ret && !o.quiet)
		print_signed(&o, nfiles, started, &start);
	/* The signer holds a reference to the token's key: free it first. */
	cms_signer_free(s);
	key_unload(&lk);
	return ret;
}

const struct command cmd_sign = {
	.name = "sign",
	.run = run,
	.summary = "write FILE.p7s, a detached CMS signature, beside each FILE",
	.help = "sign --key KEY [--cert CERT.pem] [OPTION]... FILE...\n\n"
		"Write FILE.p7s, a detached DER CMS signature with signed attributes\n"
		"(contentType, messageDigest, signingTime and the firmware name, which\n"
		"verify and stage check), beside each FILE.  The key is\n"
		"loaded once; files are signed in parallel.  On success, one line says\n"
		"how many files were signed (none with -q).  On failure, one line per\n"
		"failed FILE, in the order given; the other files are still signed.\n\n"
		"  -k, --key KEY           the signer's private key (RSA or EC): a PEM file,\n"
		"                          or a key in a PKCS#11 token named by an RFC 7512\n"
		"                          URI, 'pkcs11:token=LABEL;object=LABEL' (also\n"
		"                          manufacturer=, serial=, model=, slot-id=, id=,\n"
		"                          type=private, ?module-path=); it must name one\n"
		"                          token and one private key\n"
		"  -c, --cert CERT.pem     the signer's certificate; more certificates in\n"
		"                          the file are carried as its chain.  Required with\n"
		"                          a key file; with a token key, the default is the\n"
		"                          token's certificate with the key's id\n"
		"  -H, --hash ALG          sha256 (default), sha384 or sha512\n"
		"\nCertificates carried in the signature:\n"
		"  (default)               the signer's certificate (and the rest of --cert)\n"
		"  -C, --chain EXTRA.pem   also these, e.g. intermediate CAs, so that the\n"
		"                          kernel need only trust the root (repeatable)\n"
		"  -n, --no-certs          none: the signer must be trusted itself\n"
		"\nThe firmware name signed (the name the kernel is asked for):\n"
		"  (default)               each FILE's own name, without its directory\n"
		"      --name NAME         NAME, e.g. 'intel/ibt-0040.sfi' (one FILE only)\n"
		"      --base DIR          each FILE's path under DIR\n"
		"\nOutput and parallelism:\n"
		"  -o, --output OUT        write the signature to OUT (one FILE only)\n"
		"  -j, --jobs N            sign N files at a time (1 to 256; default: the\n"
		"                          number of CPUs this process may run on).  Token\n"
		"                          keys make one signature at a time; files are\n"
		"                          still hashed in parallel\n"
		"  -q, --quiet             print nothing on success; else one line: the\n"
		"                          files signed, the key, the time they were\n"
		"                          signed (UTC) and how long it took\n"
		"\nSigning by a server (fwverify-signd): only each FILE's SHA-256, size and\n"
		"name are sent; the signature returned is checked against FILE and its\n"
		"name, then written as a local one would be:\n"
		"      --server URL        signd://HOST[:PORT] (port 4743); --key then\n"
		"                          names the server's key\n"
		"      --tls-cert, --tls-key, --tls-ca, --timeout\n"
		"                          this client's TLS identity ($FWVERIFY_TLS_CERT,\n"
		"                          $FWVERIFY_TLS_KEY, $FWVERIFY_TLS_CA), see\n"
		"                          'fwverify help approve'; a --tls-key in a token\n"
		"                          takes --pkcs11-module and --pin-file/--pin-fd\n"
		"      --wait SECONDS      when a release key holds the request for\n"
		"                          approval, ask again until it is signed (default\n"
		"                          0: print the request's id, exit 1)\n"
		"      --request ID        fetch the signature of a request held before\n"
		"\nPKCS#11 (a pkcs11: --key):\n"
		"      --pkcs11-module PATH\n"
		"                          the PKCS#11 module; else the URI's module-path,\n"
		"                          else $FWVERIFY_PKCS11_MODULE, else\n"
		"                          " PKCS11_DEFAULT_MODULE " (p11-kit: every configured token)\n"
		"      --pin-file FILE     read the token's PIN from FILE (one final newline\n"
		"                          is not part of it)\n"
		"      --pin-fd N          read the PIN from descriptor N to its end\n"
		"  $FWVERIFY_PIN           the PIN, when neither option is given; it is\n"
		"                          wiped from the environment once read\n"
		"                          A PIN is never taken from the command line:\n"
		"                          a URI with pin-value= or pin-source= is refused\n"
		"\nRelease manifest:\n"
		"      --manifest          after signing every FILE, also write and sign\n"
		"                          BASE/" MANIFEST_NAME ", listing the FILEs\n"
		"      --base DIR          the release's top directory; every FILE is under it\n"
		"                          (required)\n"
		"      --generation N      the release's generation (1 or more; must grow)\n"
		"      --expires WHEN      YYYY-MM-DD (00:00 UTC), YYYY-MM-DDTHH:MM:SSZ, or\n"
		"                          +Nd (N days from now)\n"
		"\nExit status: 0 all signed, 1 (--server) refused or still held, 2 a usage,\n"
		"key, connection or I/O error.\n",
};
