// SPDX-License-Identifier: GPL-2.0
/* fwverify sign: write a detached CMS signature beside each firmware file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cms.h"
#include "command.h"
#include "util.h"

static const char *const hashes[] = { "sha256", "sha384", "sha512" };

static int sign_file(const struct cms_signer *s, const char *file, const char *out)
{
	_cleanup_(closep) int fd = open_regular(file, 0);
	_cleanup_(freep) char *path = NULL;
	unsigned char *der;
	size_t len;
	int err;

	if (fd < 0) {
		log_error(file, "cannot open", fd);
		return EXIT_USAGE;
	}
	err = cms_sign_fd(s, fd, &der, &len);
	if (err) {
		log_error(file, "cannot sign", err);
		return EXIT_USAGE;
	}
	if (out)
		path = strdup(out);
	else if (asprintf(&path, "%s.p7s", file) < 0)
		path = NULL;
	err = path ? write_file_atomic(path, der, len, 0644) : -ENOMEM;
	OPENSSL_free(der);
	if (err) {
		log_error(path ? path : file, "cannot write signature", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int load_signer(const char *key_path, const char *cert_path, char **chain, int nchain,
		       const char *hash, bool no_certs, struct cms_signer **s)
{
	STACK_OF(X509) *certs = NULL;
	EVP_PKEY *key = NULL;
	int err;

	err = cms_load_key(key_path, &key);
	if (err)
		log_error(key_path, "cannot load private key", err);
	for (int i = -1; !err && i < nchain; i++) {
		const char *path = i < 0 ? cert_path : chain[i];

		err = cms_load_certs(path, &certs);
		if (err)
			log_error(path, "cannot load certificates", err);
	}
	if (!err) {
		err = cms_signer_new(key, certs, hash, no_certs, s);
		if (err == -EKEYREJECTED)
			log_error(key_path, "private key does not match the certificate", 0);
		else if (err == -EOPNOTSUPP)
			log_error(key_path, "not an RSA or EC key", 0);
		else if (err)
			log_error(key_path, "cannot make a signer", err);
	}
	EVP_PKEY_free(key);
	sk_X509_pop_free(certs, X509_free);
	return err ? EXIT_USAGE : EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "hash", required_argument, NULL, 'H' },
		{ "chain", required_argument, NULL, 'C' },
		{ "no-certs", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *key = NULL, *cert = NULL, *hash = "sha256", *out = NULL;
	_cleanup_(freep) char **chain = calloc(argc, sizeof(*chain));
	struct cms_signer *s = NULL;
	int opt, nchain = 0, ret;
	bool no_certs = false, known = false;

	if (!chain)
		return EXIT_USAGE;
	while ((opt = getopt_long(argc, argv, ":k:c:H:C:no:h", options, NULL)) != -1) {
		switch (opt) {
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'H': hash = optarg; break;
		case 'C': chain[nchain++] = optarg; break;
		case 'n': no_certs = true; break;
		case 'o': out = optarg; break;
		case 'h': command_help(&cmd_sign); return EXIT_OK;
		default: return command_bad_option(&cmd_sign, opt, argv);
		}
	}
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		known |= !strcmp(hash, hashes[i]);
	if (!key || !cert) {
		log_usage("sign", "--key and --cert are required");
		return EXIT_USAGE;
	}
	if (!known) {
		log_usage("sign", "unknown hash '%s': use sha256, sha384 or sha512", hash);
		return EXIT_USAGE;
	}
	if (optind == argc) {
		log_usage("sign", "no FILE given");
		return EXIT_USAGE;
	}
	if (out && argc - optind > 1) {
		log_usage("sign", "-o needs exactly one FILE");
		return EXIT_USAGE;
	}
	ret = load_signer(key, cert, chain, nchain, hash, no_certs, &s);
	if (ret)
		return ret;
	for (int i = optind; i < argc; i++)
		if (sign_file(s, argv[i], out))
			ret = EXIT_USAGE;
	cms_signer_free(s);
	return ret;
}

const struct command cmd_sign = {
	.name = "sign",
	.run = run,
	.summary = "write FILE.p7s, a detached CMS signature, beside each FILE",
	.help = "sign --key KEY.pem --cert CERT.pem [OPTION]... FILE...\n\n"
		"Write FILE.p7s, a detached DER CMS signature with signed attributes,\n"
		"beside each FILE. The key (RSA or EC, PEM) is loaded once for all files.\n\n"
		"  -k, --key KEY.pem       private key of the signer\n"
		"  -c, --cert CERT.pem     the signer's certificate; more certificates in\n"
		"                          the file are carried as its chain\n"
		"  -H, --hash ALG          sha256 (default), sha384 or sha512\n"
		"  -C, --chain EXTRA.pem   also carry these certificates (repeatable)\n"
		"  -n, --no-certs          carry no certificate: the signer must be trusted itself\n"
		"  -o, --output OUT        write the signature to OUT (one FILE only)\n",
};
