// SPDX-License-Identifier: GPL-2.0
/* Connecting to the signing server with a client certificate, and one exchange at a time. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "keysrc.h"
#include "signd-client.h"
#include "util.h"
#include "wire.h"

struct signd_conn {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	unsigned int timeout;
	struct loaded_key key;
};

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void signd_opts_init(struct signd_opts *o)
{
	*o = (struct signd_opts){
		.url = env("FWVERIFY_SIGND"), .cert = env("FWVERIFY_TLS_CERT"),
		.key = env("FWVERIFY_TLS_KEY"), .ca = env("FWVERIFY_TLS_CA"),
		.pin_fd = -1, .timeout = 30,
	};
}

/* Take one of SIGND_LONG_OPTIONS.  Return: 1 taken, 0 not ours, or -EINVAL for a bad value, said in @e. */
int signd_opts_parse(struct signd_opts *o, int opt, const char *arg, struct fw_error *e)
{
	char *end;
	long v;

	switch (opt) {
	case SIGND_OPT_SERVER: o->url = arg; return 1;
	case SIGND_OPT_TLS_CERT: o->cert = arg; return 1;
	case SIGND_OPT_TLS_KEY: o->key = arg; return 1;
	case SIGND_OPT_TLS_CA: o->ca = arg; return 1;
	case SIGND_OPT_MODULE: o->module = arg; return 1;
	case SIGND_OPT_PIN_FILE: o->pin_file = arg; return 1;
	case SIGND_OPT_PIN_FD:
	case SIGND_OPT_TIMEOUT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < (opt == SIGND_OPT_PIN_FD ? 0 : 1) ||
		    v > (opt == SIGND_OPT_PIN_FD ? INT_MAX : 3600))
			return fw_error_set(e, -EINVAL, "%s '%s': expected %s",
					    opt == SIGND_OPT_PIN_FD ? "--pin-fd" : "--timeout", arg,
					    opt == SIGND_OPT_PIN_FD ? "a descriptor number" : "seconds from 1 to 3600");
		if (opt == SIGND_OPT_PIN_FD)
			o->pin_fd = v;
		else
			o->timeout = v;
		return 1;
	}
	return 0;
}

/* Return: 0 when the options are enough to connect, else -EINVAL with what is missing in @e. */
int signd_opts_check(const struct signd_opts *o, bool identity, struct fw_error *e)
{
	if (!o->url)
		return fw_error_set(e, -EINVAL, "no server: give --server signd://HOST[:PORT] or set $FWVERIFY_SIGND");
	if (!o->cert != !o->key || (identity && !o->cert))
		return fw_error_set(e, -EINVAL,
				    "the server needs this client's certificate: give --tls-cert and --tls-key");
	if (o->pin_file && o->pin_fd >= 0)
		return fw_error_set(e, -EINVAL, "--pin-file and --pin-fd exclude each other");
	return 0;
}

void signd_close(struct signd_conn *c)
{
	if (!c)
		return;
	if (c->ssl) {
		wire_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	SSL_CTX_free(c->ctx);
	key_unload(&c->key);
	free(c);
}

/* Fail with @err, said as "@what: " and OpenSSL's reason, or the errno's when it left none. */
static int ssl_error(struct fw_error *e, const char *what, int err)
{
	char ssl[256];

	return fw_error_set(e, err, "%s: %s", what, openssl_error_text(ssl, sizeof(ssl)) ? ssl : errno_text(err));
}

static int client_ctx(struct signd_conn *c, const struct signd_opts *o, struct fw_error *e)
{
	struct key_spec ks = { .key = o->key, .cert = o->cert, .module = o->module,
			       .pin_file = o->pin_file, .pin_fd = o->pin_fd };
	int err;

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx || !SSL_CTX_set_min_proto_version(c->ctx, TLS1_3_VERSION))
		return -ENOMEM;
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (o->ca ? SSL_CTX_load_verify_file(c->ctx, o->ca) != 1 : SSL_CTX_set_default_verify_paths(c->ctx) != 1)
		return ssl_error(e, o->ca ? o->ca : "the system's authorities", -EINVAL);
	if (!o->key && !o->cert)
		return 0;	/* no identity: a server without client authentication */
	err = key_load(&ks, &c->key, e);
	if (err)
		return err;
	if (SSL_CTX_use_certificate(c->ctx, sk_X509_value(c->key.certs, 0)) != 1 ||
	    SSL_CTX_use_PrivateKey(c->ctx, c->key.pkey) != 1)
		return ssl_error(e, o->key, -EINVAL);
	for (int i = 1; i < sk_X509_num(c->key.certs); i++)
		if (SSL_CTX_add1_chain_cert(c->ctx, sk_X509_value(c->key.certs, i)) != 1)
			return ssl_error(e, o->cert, -ENOMEM);
	return 0;
}

/* Check the server's certificate against the host of the URL: a name, or an address. */
static int expect_host(SSL *ssl, const char *host)
{
	X509_VERIFY_PARAM *p = SSL_get0_param(ssl);

	if (X509_VERIFY_PARAM_set1_ip_asc(p, host) == 1)
		return 0;
	ERR_clear_error();
	return SSL_set1_host(ssl, host) == 1 && SSL_set_tlsext_host_name(ssl, host) == 1 ? 0 : -ENOMEM;
}

/* Connect to @o->url and finish the TLS handshake.  Return: 0 or -errno. */
int signd_open(const struct signd_opts *o, struct signd_conn **out, struct fw_error *e)
{
	struct signd_conn *c = calloc(1, sizeof(*c));
	_cleanup_(freep) char *host = NULL, *port = NULL;
	int64_t deadline = wire_now() + o->timeout * 1000LL;
	int err;

	if (!c)
		return fw_error_set(e, -ENOMEM, "out of memory");
	/* A server that goes away mid-exchange is an error to report, not a signal to die of. */
	signal(SIGPIPE, SIG_IGN);
	c->fd = -1;
	c->timeout = o->timeout;
	ERR_clear_error();
	err = wire_parse_addr(o->url, &host, &port);
	if (err) {
		fw_error_set(e, err, "%s: not a server address (signd://HOST[:PORT])", o->url);
		goto fail;
	}
	err = client_ctx(c, o, e);
	if (err)
		goto fail;
	err = wire_connect(host, port, deadline, &c->fd);
	if (err) {
		fw_error_set(e, err, "%s: cannot connect: %s", o->url,
			     err == -EHOSTUNREACH ? "no such host" : errno_text(err));
		goto fail;
	}
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || expect_host(c->ssl, host)) {
		err = -ENOMEM;
		goto fail;
	}
	SSL_set_connect_state(c->ssl);
	err = wire_handshake(c->ssl, deadline, -1);
	if (err) {
		ssl_error(e, o->url, err);
		if (err == -ETIMEDOUT)
			fw_error_set(e, err, "%s: the TLS handshake timed out", o->url);
		else if (SSL_get_verify_result(c->ssl) != X509_V_OK)
			fw_error_set(e, err, "%s: the server's certificate is not trusted: %s", o->url,
				     X509_verify_cert_error_string(SSL_get_verify_result(c->ssl)));
		goto fail;
	}
	*out = c;
	return 0;
fail:
	if (err == -ENOMEM)
		fw_error_set(e, err, "out of memory");
	signd_close(c);
	return err;
}

/*
 * Send @req and read the reply.  Return: 0 with the reply in *@rep when its
 * status is "ok" or "held"; -EACCES when the server refused; -EIO for a
 * server error; -errno for the connection; each said in @e.
 */
int signd_call(struct signd_conn *c, struct json_object *req, struct json_object **rep, struct fw_error *e)
{
	int64_t deadline = wire_now() + c->timeout * 1000LL;
	struct json_object *r = NULL;
	const char *status, *error;
	int err;

	ERR_clear_error();
	err = wire_send(c->ssl, req, deadline, -1) ?: wire_recv(c->ssl, WIRE_REPLY_MAX, deadline, -1, &r);
	if (err) {
		if (err == -ETIMEDOUT)
			fw_error_set(e, err, "the server did not answer within %u s", c->timeout);
		else if (err == -ENODATA || err == -ECONNRESET || err == -EPIPE)
			ssl_error(e, "the server closed the connection", err);
		else
			ssl_error(e, "the exchange with the server failed", err);
		return err;
	}
	status = wire_str(r, "status");
	error = wire_str(r, "error");
	if (status && (!strcmp(status, "ok") || !strcmp(status, "held"))) {
		*rep = r;
		return 0;
	}
	err = status && !strcmp(status, "refused") ? -EACCES : -EIO;
	fw_error_set(e, err, "%s: %s", err == -EACCES ? "refused by the server" : "the server failed",
		     error ? error : "no reason given");
	json_object_put(r);
	return err;
}
