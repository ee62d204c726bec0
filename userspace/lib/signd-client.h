/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client side of the signing server's protocol (wire.h), shared by
 * "sign --server", "approve" and "signd".  Library code: returns 0 or
 * -errno and says why in @e (error.h).
 */
#ifndef FWVERIFY_SIGND_CLIENT_H
#define FWVERIFY_SIGND_CLIENT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

/* The options every client command takes, and the environment's defaults. */
struct signd_opts {
	const char *url;	/* --server, $FWVERIFY_SIGND */
	const char *cert;	/* --tls-cert, $FWVERIFY_TLS_CERT: our certificate (and chain) */
	const char *key;	/* --tls-key, $FWVERIFY_TLS_KEY: a PEM file or a pkcs11: URI */
	const char *ca;		/* --tls-ca, $FWVERIFY_TLS_CA: who may sign the server's certificate */
	const char *module, *pin_file;
	int pin_fd;
	unsigned int timeout;	/* seconds per exchange */
};

enum {
	SIGND_OPT_SERVER = 512, SIGND_OPT_TLS_CERT, SIGND_OPT_TLS_KEY, SIGND_OPT_TLS_CA,
	SIGND_OPT_MODULE, SIGND_OPT_PIN_FILE, SIGND_OPT_PIN_FD, SIGND_OPT_TIMEOUT,
};

#define SIGND_LONG_OPTIONS \
	{ "server", required_argument, NULL, SIGND_OPT_SERVER }, \
	{ "tls-cert", required_argument, NULL, SIGND_OPT_TLS_CERT }, \
	{ "tls-key", required_argument, NULL, SIGND_OPT_TLS_KEY }, \
	{ "tls-ca", required_argument, NULL, SIGND_OPT_TLS_CA }, \
	{ "pkcs11-module", required_argument, NULL, SIGND_OPT_MODULE }, \
	{ "pin-file", required_argument, NULL, SIGND_OPT_PIN_FILE }, \
	{ "pin-fd", required_argument, NULL, SIGND_OPT_PIN_FD }, \
	{ "timeout", required_argument, NULL, SIGND_OPT_TIMEOUT }

#define SIGND_HELP \
	"\nThe signing server (defaults from the environment):\n" \
	"  --server URL            signd://HOST[:PORT] ($FWVERIFY_SIGND; port 4743)\n" \
	"  --tls-cert CERT.pem     this client's certificate ($FWVERIFY_TLS_CERT)\n" \
	"  --tls-key KEY           its private key: a PEM file or a pkcs11: URI\n" \
	"                          ($FWVERIFY_TLS_KEY)\n" \
	"  --tls-ca CA.pem         the authorities of the server's certificate\n" \
	"                          ($FWVERIFY_TLS_CA; default: the system's)\n" \
	"  --pkcs11-module PATH, --pin-file FILE, --pin-fd N\n" \
	"                          for a --tls-key in a token, as for sign --key\n" \
	"  --timeout SECONDS       the longest one exchange may take (default 30)\n"

void signd_opts_init(struct signd_opts *o);
int signd_opts_parse(struct signd_opts *o, int opt, const char *arg, struct fw_error *e);
int signd_opts_check(const struct signd_opts *o, bool identity, struct fw_error *e);

struct signd_conn;

int signd_open(const struct signd_opts *o, struct signd_conn **out, struct fw_error *e);
int signd_call(struct signd_conn *c, struct json_object *req, struct json_object **rep, struct fw_error *e);
void signd_close(struct signd_conn *c);

#endif
