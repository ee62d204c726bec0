// SPDX-License-Identifier: GPL-2.0
/*
 * The server proper: TLS 1.3 with client certificates, one thread per
 * connection (at most max_handshakes not yet authenticated, of them at
 * most max_handshakes_per_address from one address, and max_connections
 * authenticated), and the requests.
 *
 * Every request that names something to sign, every approval, refusal and
 * signature becomes an audit record first; a signature leaves the server
 * only after its record is written (and fsync'd).  When the record cannot
 * be written, the request fails: the server fails closed.
 *
 * Shutdown (SIGTERM, SIGINT): stop accepting, wake every connection that
 * waits for a request, let those inside one finish, write "stop", exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "signd.h"
#include "util.h"
#include "wire.h"

#define EXPIRE_BATCH 64
/* Longest string of a request copied into a refusal's record. */
#define FIELD_MAX 300

struct server {
	struct signd_conf *c;
	struct signd_policy pol;
	struct signlog *log;
	SSL_CTX *ctx;
	int lfd, sfd;
	int wake[2];		/* written once at shutdown: wakes every waiting connection */
	int slot[2];		/* a byte when a handshake slot frees: wakes the accept loop */
	pthread_mutex_t lock;
	pthread_cond_t idle;
	unsigned int active;	/* connection threads */
	unsigned int handshaking;	/* of those, not yet authenticated */
	struct peers peers;
	struct waiter *wait;	/* accepted, waiting for a handshake slot, oldest first */
	size_t nwait;
	uint64_t connections, signatures, refusals;
	int64_t started;
	int failed;		/* why the loop stopped, when not by a signal */
};

/*
 * Connections waiting for a handshake slot: at most WAIT_MAX, and
 * WAIT_PER_ADDRESS of one address; past that a connection is closed at once.
 */
#define WAIT_MAX 1024
#define WAIT_PER_ADDRESS 256

struct waiter {
	int fd;
	struct peer_addr *addr;
	char peer[64];
	int64_t since;		/* monotonic ms, accepted */
};

struct conn {
	struct server *s;
	int fd;
	SSL *ssl;
	char peer[64];
	struct peer_addr *addr;
	int64_t since;		/* accepted: the handshake must end handshake_timeout after */
	bool handshaking;	/* holds a handshake slot */
	char client[SIGND_ID_MAX + 1];	/* the certificate's common name, once authenticated */
};

/* The OpenSSL reason on the queue, else @fallback. */
static const char *ssl_reason(char *buf, size_t size, const char *fallback)
{
	return openssl_error_text(buf, size) ? buf : fallback;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

/*
 * Append one record: @event, who asked, then @fields' members (taken); with
 * @wait (and audit_fsync), once it is on disk.
 * Return: 0 or -errno (logged once here; the caller fails the request).
 */
static int audit_write(struct conn *cn, struct server *s, const char *event, struct json_object *fields,
		       bool wait)
{
	struct json_object *rec = json_object_new_object();
	int err = rec ? 0 : -ENOMEM;

	if (!err) {
		add_str(rec, "event", event);
		if (cn) {
			add_str(rec, "client", cn->client[0] ? cn->client : NULL);
			add_str(rec, "peer", cn->peer);
		}
		json_object_object_add(rec, "unix_time", json_object_new_int64(time(NULL)));
		json_object_object_foreach(fields, k, v)
			json_object_object_add(rec, k, json_object_get(v));
		err = signlog_write(s->log, rec, wait);
	}
	if (err)
		fprintf(stderr, "fwverify-signd: %s: cannot write the audit record '%s': %s\n",
			s->c->audit_log, event, errno_text(err));
	json_object_put(rec);
	json_object_put(fields);
	return err;
}

static int audit(struct conn *cn, struct server *s, const char *event, struct json_object *fields)
{
	return audit_write(cn, s, event, fields, true);
}

static struct json_object *reply(const char *status, const char *error)
{
	struct json_object *r = json_object_new_object();

	if (r) {
		add_str(r, "status", status);
		add_str(r, "error", error);
	}
	return r;
}

static struct json_object *audit_failed(void)
{
	return reply("error", "the server cannot write its audit log: nothing was signed");
}

/* The request's members that say what was asked, for a refusal's record. */
static struct json_object *what_of(struct json_object *req)
{
	static const char *const keys[] = { "op", "key", "name", "sha256", "size", "id" };
	struct json_object *f = json_object_new_object(), *v;

	for (size_t i = 0; f && req && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_object_object_get_ex(req, keys[i], &v))
			continue;
		/*
		 * A record must fit a line and parse as JSON: a client's string
		 * is cut at FIELD_MAX bytes between characters, and bytes that
		 * are not UTF-8 become U+FFFD.
		 */
		if (json_object_is_type(v, json_type_string)) {
			size_t n;
			char *t = wire_text_clean(json_object_get_string(v), json_object_get_string_len(v),
						  FIELD_MAX, &n);

			json_object_object_add(f, keys[i], t ? json_object_new_string_len(t, n) : NULL);
			free(t);
		} else if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
			json_object_object_add(f, keys[i], json_object_new_string("(not a value)"));
		else
			json_object_object_add(f, keys[i], json_object_get(v));
	}
	return f;
}

/*
 * Count a refusal.  Return: whether its record is to be written: always for
 * an authenticated client; for a connection without one, only the first
 * of each reason from its address in a refusal interval (peers.c).
 */
static bool refusal_recorded(struct server *s, struct peer_addr *a, bool authenticated, const char *why)
{
	bool full = true;

	pthread_mutex_lock(&s->lock);
	s->refusals++;
	if (!authenticated && a)
		full = peers_refused(&s->peers, a, why, wire_now());
	pthread_mutex_unlock(&s->lock);
	return full;
}

/* Refuse @req (or the connection, when NULL) for @why: a record, then the reply. */
static struct json_object *refuse(struct conn *cn, struct json_object *req, const char *op, const char *why)
{
	struct json_object *f;

	if (!refusal_recorded(cn->s, cn->addr, cn->client[0], why))
		return reply("refused", why);
	f = what_of(req);
	if (f && op && !json_object_object_get_ex(f, "op", NULL))
		add_str(f, "op", op);
	if (f)
		add_str(f, "reason", why);
	if (audit(cn, cn->s, "refused", f))
		return audit_failed();
	return reply("refused", why);
}

static struct json_object *pending_fields(const struct pending *r)
{
	struct json_object *f = json_object_new_object();

	if (!f)
		return NULL;
	add_str(f, "id", r->id);
	add_str(f, "key", r->key->name);
	add_str(f, "name", r->name);
	add_str(f, "sha256", r->sha256);
	json_object_object_add(f, "size", json_object_new_uint64(r->size));
	return f;
}

static char *base64(const unsigned char *der, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, der, len);
	return out;
}

static struct json_object *signature_reply(const char *status, const unsigned char *der, size_t len,
					   const struct pending *r)
{
	struct json_object *rep = reply(status, NULL);
	char *b64 = base64(der, len);

	if (!rep || !b64) {
		json_object_put(rep);
		free(b64);
		return reply("error", "out of memory");
	}
	add_str(rep, "signature", b64);
	add_str(rep, "key", r->key->name);
	add_str(rep, "name", r->name);
	free(b64);
	return rep;
}

/* Sign what @r describes (quota first); @r->id is "" unless it was held for approval. */
static struct json_object *sign_now(struct conn *cn, struct json_object *req, struct pending *r)
{
	struct server *s = cn->s;
	unsigned char md[32], *der = NULL, h[32];
	char why[256], hex[65];
	struct json_object *f, *rep;
	int64_t now = time(NULL);
	const char *q;
	size_t len;
	int err;

	q = policy_quota_take(&s->pol, r->key, now, why, sizeof(why));
	if (q)
		return refuse(cn, req, "sign", q);
	wire_hex(r->sha256, md, sizeof(md));
	ERR_clear_error();
	err = cms_sign_digest(r->key->signer, md, sizeof(md), r->name, &der, &len);
	if (err) {
		policy_quota_undo(&s->pol, r->key, now);
		fprintf(stderr, "fwverify-signd: key %s: cannot sign: %s\n", r->key->name,
			ssl_reason(why, sizeof(why), errno_text(err)));
		return reply("error", "the key failed to sign");
	}
	EVP_Digest(der, len, h, NULL, EVP_sha256(), NULL);
	wire_tohex(h, sizeof(h), hex);
	f = pending_fields(r);
	if (f && !r->id[0])
		json_object_object_del(f, "id");
	if (f)
		add_str(f, "signature_sha256", hex);
	if (audit(cn, s, "sign", f)) {
		policy_quota_undo(&s->pol, r->key, now);
		OPENSSL_free(der);
		return audit_failed();
	}
	pthread_mutex_lock(&s->lock);
	s->signatures++;
	pthread_mutex_unlock(&s->lock);
	if (r->id[0])
		policy_signed(&s->pol, r->id, der, len);
	rep = signature_reply("ok", der, len, r);
	OPENSSL_free(der);
	return rep;
}

static struct json_object *held_reply(const struct pending *r)
{
	struct json_object *rep = reply("held", NULL);

	if (rep) {
		add_str(rep, "id", r->id);
		json_object_object_add(rep, "approvals", json_object_new_int(r->napproved));
		json_object_object_add(rep, "required", json_object_new_int(r->key->approvals));
	}
	return rep;
}

/* {"op":"sign","key":K,"name":N,"sha256":HEX,"size":BYTES} */
static struct json_object *op_sign(struct conn *cn, struct json_object *req)
{
	struct server *s = cn->s;
	const char *key = wire_str(req, "key"), *name = wire_str(req, "name");
	const char *sha = wire_str(req, "sha256"), *why;
	struct pending r = { .id = "" }, held;
	struct json_object *v;
	unsigned char md[32];
	int64_t size = -1;

	if (json_object_object_get_ex(req, "size", &v) && json_object_is_type(v, json_type_int))
		size = json_object_get_int64(v);
	if (!key || !name || !sha || size < 0)
		return refuse(cn, req, NULL, "malformed request: sign needs key, name, sha256 and size");
	if (!cms_name_valid(name))
		return refuse(cn, req, NULL, "malformed request: not a firmware name");
	if (wire_hex(sha, md, sizeof(md)))
		return refuse(cn, req, NULL, "malformed request: sha256 is not 64 hex digits");
	/*
	 * Not waited for: the sync of the record that ends the request (sign,
	 * held or refused) puts this one on disk too, as it precedes it.
	 */
	if (audit_write(cn, s, "request", what_of(req), false))
		return audit_failed();
	why = policy_grant(s->c, cn->client, key, name, &r.key);
	if (why)
		return refuse(cn, req, NULL, why);
	snprintf(r.name, sizeof(r.name), "%s", name);
	wire_tohex(md, sizeof(md), r.sha256);
	r.size = size;
	if (!r.key->release)
		return sign_now(cn, req, &r);
	if (policy_hold(&s->pol, r.key, r.name, r.sha256, r.size, cn->client, time(NULL), &held))
		return refuse(cn, req, NULL, "too many requests are waiting for approval");
	v = pending_fields(&held);
	if (v) {
		json_object_object_add(v, "unix_time", json_object_new_int64(held.created));
		json_object_object_add(v, "required", json_object_new_int(r.key->approvals));
	}
	if (audit(cn, s, "held", v))
		return audit_failed();
	return held_reply(&held);
}

/* {"op":"fetch","id":ID}: the requester asks again for a held request. */
static struct json_object *op_fetch(struct conn *cn, struct json_object *req)
{
	const char *id = wire_str(req, "id"), *why;
	struct json_object *rep;
	struct pending r;

	if (!id)
		return refuse(cn, req, NULL, "malformed request: fetch needs id");
	why = policy_fetch(&cn->s->pol, id, cn->client, time(NULL), &r);
	if (why)
		return refuse(cn, req, NULL, why);
	if (r.der) {
		rep = signature_reply("ok", r.der, r.der_len, &r);
		OPENSSL_free(r.der);
		return rep;
	}
	if (r.napproved < r.key->approvals || r.signing)
		return held_reply(&r);
	rep = sign_now(cn, req, &r);
	if (strcmp(wire_str(rep, "status") ?: "", "ok"))
		policy_unsign(&cn->s->pol, id);
	return rep;
}

/* {"op":"approve","id":ID} */
static struct json_object *op_approve(struct conn *cn, struct json_object *req)
{
	const char *id = wire_str(req, "id"), *why;
	struct json_object *f, *rep;
	struct pending r;

	if (!id)
		return refuse(cn, req, NULL, "malformed request: approve needs id");
	why = policy_approve(&cn->s->pol, id, cn->client, time(NULL), &r);
	if (why)
		return refuse(cn, req, NULL, why);
	f = pending_fields(&r);
	if (f) {
		add_str(f, "requester", r.requester);
		json_object_object_add(f, "approvals", json_object_new_int(r.napproved));
		json_object_object_add(f, "required", json_object_new_int(r.key->approvals));
	}
	if (audit(cn, cn->s, "approve", f)) {
		policy_unapprove(&cn->s->pol, id, cn->client);
		return audit_failed();
	}
	rep = reply("ok", NULL);
	if (rep) {
		add_str(rep, "id", r.id);
		json_object_object_add(rep, "approvals", json_object_new_int(r.napproved));
		json_object_object_add(rep, "required", json_object_new_int(r.key->approvals));
	}
	return rep;
}

/* {"op":"certificate"[,"key":K]}: the signing keys' certificates, PEM. */
static struct json_object *op_certificate(struct conn *cn, struct json_object *req)
{
	const char *key = wire_str(req, "key");
	struct json_object *rep, *certs;
	struct signd_conf *c = cn->s->c;

	if (key && !signd_key_find(c, key))
		return reply("refused", "no such key");
	rep = reply("ok", NULL);
	certs = json_object_new_object();
	if (!rep || !certs) {
		json_object_put(rep);
		json_object_put(certs);
		return reply("error", "out of memory");
	}
	for (size_t i = 0; i < c->nkeys; i++)
		if (!key || !strcmp(key, c->keys[i].name))
			add_str(certs, c->keys[i].name, c->keys[i].pem);
	json_object_object_add(rep, "certificates", certs);
	return rep;
}

/* The server's status, for "fwverify signd status": counters, audit head, quota use. */
static struct json_object *status_of(struct server *s)
{
	struct json_object *st = json_object_new_object(), *keys = json_object_new_array(), *k;
	int64_t now = time(NULL);
	unsigned int hour, day;
	char head[65];
	uint64_t seq;

	if (!st || !keys) {
		json_object_put(st);
		json_object_put(keys);
		return NULL;
	}
	signlog_head(s->log, &seq, head);
	add_str(st, "version", FWVERIFY_VERSION);
	json_object_object_add(st, "uptime", json_object_new_int64(now - s->started));
	add_str(st, "client_auth", s->c->client_auth ? "required" : "none");
	pthread_mutex_lock(&s->lock);
	json_object_object_add(st, "active_connections", json_object_new_int(s->active));
	json_object_object_add(st, "connections", json_object_new_uint64(s->connections));
	json_object_object_add(st, "signatures", json_object_new_uint64(s->signatures));
	json_object_object_add(st, "refusals", json_object_new_uint64(s->refusals));
	pthread_mutex_unlock(&s->lock);
	json_object_object_add(st, "audit_records", json_object_new_uint64(seq));
	add_str(st, "audit_head", head);
	for (size_t i = 0; i < s->c->nkeys; i++) {
		struct signd_key *key = &s->c->keys[i];

		policy_quota_used(&s->pol, key, now, &hour, &day);
		k = json_object_new_object();
		if (!k || json_object_array_add(keys, k)) {
			json_object_put(k);
			break;
		}
		add_str(k, "name", key->name);
		json_object_object_add(k, "release", json_object_new_boolean(key->release));
		json_object_object_add(k, "approvals", json_object_new_int(key->approvals));
		json_object_object_add(k, "per_hour", json_object_new_int(key->per_hour));
		json_object_object_add(k, "per_day", json_object_new_int(key->per_day));
		json_object_object_add(k, "used_hour", json_object_new_int(hour));
		json_object_object_add(k, "used_day", json_object_new_int(day));
	}
	json_object_object_add(st, "keys", keys);
	return st;
}

static struct json_object *handle(struct conn *cn, struct json_object *req)
{
	static const char *const named[] = { "op", "key", "name", "sha256", "id" };
	const char *op = wire_str(req, "op"), *bad = wire_bad_string(req), *what = "a member";
	struct json_object *rep, *v;
	char why[128];

	if (bad) {
		/* Name the member only when it is one of ours: its name is the client's text too. */
		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (!strcmp(bad, named[i]))
				what = named[i];
		snprintf(why, sizeof(why), "malformed request: %s is not text (a control character or invalid UTF-8)",
			 what);
		return refuse(cn, req, op ? NULL : "?", why);
	}
	if (!op)
		return refuse(cn, req, "?", "malformed request: no op");
	if (!strcmp(op, "certificate"))
		return op_certificate(cn, req);
	if (!cn->s->c->client_auth)
		return refuse(cn, req, NULL, "this server does not authenticate clients: it serves only certificates");
	if (!strcmp(op, "sign"))
		return op_sign(cn, req);
	if (!strcmp(op, "fetch"))
		return op_fetch(cn, req);
	if (!strcmp(op, "approve"))
		return op_approve(cn, req);
	if (!strcmp(op, "pending") || !strcmp(op, "status")) {
		rep = reply("ok", NULL);
		v = !strcmp(op, "status") ? status_of(cn->s) : policy_list(&cn->s->pol, cn->client);
		if (!rep || !v) {
			json_object_put(rep);
			json_object_put(v);
			return reply("error", "out of memory");
		}
		json_object_object_add(rep, !strcmp(op, "status") ? "server" : "requests", v);
		return rep;
	}
	return refuse(cn, req, NULL, "unknown operation");
}

/* The client's identity: the one common name of a certificate that verified. */
static const char *authenticate(struct conn *cn, char *buf, size_t size)
{
	const struct signd_conf *c = cn->s->c;
	X509 *x = SSL_get0_peer_certificate(cn->ssl);
	long v = SSL_get_verify_result(cn->ssl);
	const X509_NAME *subj;
	unsigned char *utf8 = NULL;
	int i, n;

	if (!c->client_auth)
		return NULL;
	if (!x)
		return "no client certificate";
	if (v != X509_V_OK) {
		snprintf(buf, size, "client certificate refused: %s", X509_verify_cert_error_string(v));
		return buf;
	}
	subj = X509_get_subject_name(x);
	i = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	if (i < 0 || X509_NAME_get_index_by_NID(subj, NID_commonName, i) >= 0)
		return "the client certificate does not have exactly one common name";
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i)));
	if (n <= 0 || n > SIGND_ID_MAX || !wire_text_ok((const char *)utf8, n)) {
		OPENSSL_free(utf8);
		return "the client certificate's common name is not usable";
	}
	memcpy(cn->client, utf8, n);
	cn->client[n] = '\0';
	OPENSSL_free(utf8);
	if (c->client_names.n && !strlist_has(&c->client_names, cn->client)) {
		snprintf(buf, size, "client '%s' is not on the allowlist", cn->client);
		return buf;
	}
	return NULL;
}

static const char *recv_error(struct server *s, int err, char *buf, size_t size)
{
	switch (err) {
	case -EMSGSIZE:
		snprintf(buf, size, "request larger than %d bytes", WIRE_REQUEST_MAX);
		return buf;
	case -ETIMEDOUT:
		snprintf(buf, size, "no whole request within %u s", s->c->request_timeout);
		return buf;
	case -EBADMSG:
		return "malformed request: not one JSON object";
	default:
		return ssl_reason(buf, size, errno_text(err));
	}
}

/* Give back @cn's handshake slot, and wake the accept loop to hand it on. */
static void handshake_done(struct conn *cn)
{
	struct server *s = cn->s;

	if (!cn->handshaking)
		return;
	pthread_mutex_lock(&s->lock);
	cn->handshaking = false;
	s->handshaking--;
	cn->addr->handshakes--;
	pthread_mutex_unlock(&s->lock);
	if (write(s->slot[1], "x", 1) < 0 && errno != EAGAIN)
		fprintf(stderr, "fwverify-signd: cannot wake the accept loop: %s\n", errno_text(-errno));
}

static void serve(struct conn *cn)
{
	struct server *s = cn->s;
	unsigned int ms = s->c->request_timeout * 1000;
	struct json_object *req, *rep;
	char buf[256];
	const char *why;
	int err;

	ERR_clear_error();
	err = wire_handshake(cn->ssl, cn->since + s->c->handshake_timeout * 1000, s->wake[0]);
	if (err == -ECANCELED)
		return;
	if (err) {
		why = err == -ETIMEDOUT ? "TLS handshake timed out" : ssl_reason(buf, sizeof(buf), errno_text(err));
		refuse(cn, NULL, "handshake", why);
		return;
	}
	why = authenticate(cn, buf, sizeof(buf));
	if (why) {
		cn->client[0] = '\0';
		/* Take the request the client is sending: closing on it would reset the refusal. */
		req = NULL;
		if (!wire_recv(cn->ssl, WIRE_REQUEST_MAX, wire_now() + (ms < 2000 ? ms : 2000), s->wake[0], &req))
			json_object_put(req);
		rep = refuse(cn, NULL, "connect", why);
		if (rep)
			wire_send(cn->ssl, rep, wire_now() + ms, -1);
		json_object_put(rep);
		return;
	}
	handshake_done(cn);
	for (;;) {
		ERR_clear_error();
		req = NULL;
		err = wire_recv(cn->ssl, WIRE_REQUEST_MAX, wire_now() + ms, s->wake[0], &req);
		if (err == -ENODATA || err == -ECANCELED || err == -ECONNRESET || err == -EPIPE)
			return;
		rep = err ? refuse(cn, NULL, "?", recv_error(s, err, buf, sizeof(buf))) : handle(cn, req);
		json_object_put(req);
		if (rep && (err != -ETIMEDOUT && err != -EPROTO))
			err = wire_send(cn->ssl, rep, wire_now() + ms, -1) ?: err;
		json_object_put(rep);
		if (err || !rep)
			return;
	}
}

static void *conn_main(void *arg)
{
	struct conn *cn = arg;
	struct server *s = cn->s;

	serve(cn);
	handshake_done(cn);
	wire_shutdown(cn->ssl);
	SSL_free(cn->ssl);
	close(cn->fd);
	ERR_clear_error();
	OPENSSL_thread_stop();
	pthread_mutex_lock(&s->lock);
	peers_put(cn->addr);
	if (!--s->active)
		pthread_cond_signal(&s->idle);
	pthread_mutex_unlock(&s->lock);
	free(cn);
	return NULL;
}

/* The numeric host of @ss in @host, and "host:port" ("[v6]:port") in @peer. */
static void peer_name(const struct sockaddr_storage *ss, socklen_t len, char *host, size_t hsize,
		      char *peer, size_t psize)
{
	char h[64], port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, len, h, sizeof(h), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(host, hsize, "?");
		snprintf(peer, psize, "?");
		return;
	}
	snprintf(host, hsize, "%.63s", h);
	snprintf(peer, psize, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, port);
}

/*
 * Refuse a connection the accept loop will not serve: close it, count the
 * refusal, and write its record when it is the first of its kind from its
 * address in the interval.  Drops the reference on @a.
 */
static void refuse_waiter(struct server *s, struct waiter *w, const char *why)
{
	struct conn cn = { .s = s, .addr = w->addr };
	struct json_object *f;

	close(w->fd);
	snprintf(cn.peer, sizeof(cn.peer), "%s", w->peer);
	if (refusal_recorded(s, w->addr, false, why)) {
		f = json_object_new_object();
		if (f) {
			add_str(f, "op", "connect");
			add_str(f, "reason", why);
		}
		audit(&cn, s, "refused", f);
	}
	pthread_mutex_lock(&s->lock);
	peers_put(w->addr);
	pthread_mutex_unlock(&s->lock);
}

/* Give @w a thread and a handshake slot (taken by the caller).  Return: 0, or -errno (@w is closed). */
static int start_conn(struct server *s, struct waiter *w)
{
	static pthread_attr_t attr;
	static bool attr_ready;
	struct conn *cn;
	pthread_t t;

	if (!attr_ready) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		attr_ready = true;
	}
	cn = calloc(1, sizeof(*cn));
	if (cn)
		cn->ssl = SSL_new(s->ctx);
	if (!cn || !cn->ssl || !SSL_set_fd(cn->ssl, w->fd)) {
		fprintf(stderr, "fwverify-signd: cannot take a connection: out of memory\n");
		goto fail;
	}
	SSL_set_accept_state(cn->ssl);
	cn->s = s;
	cn->fd = w->fd;
	cn->addr = w->addr;
	cn->since = w->since;
	cn->handshaking = true;
	snprintf(cn->peer, sizeof(cn->peer), "%s", w->peer);
	if (!pthread_create(&t, &attr, conn_main, cn))
		return 0;
	fprintf(stderr, "fwverify-signd: cannot take a connection: no thread\n");
fail:
	if (cn)
		SSL_free(cn->ssl);
	free(cn);
	close(w->fd);
	return -ENOMEM;
}

/*
 * Hand out the free handshake slots to waiting connections, oldest first,
 * at most max_handshakes_per_address to one address; refuse those that
 * waited past handshake_timeout.
 */
static void dispatch(struct server *s)
{
	int64_t now = wire_now(), expired = now - s->c->handshake_timeout * 1000LL;
	struct waiter *w;
	size_t i, kept = 0;
	bool start;

	for (i = 0; i < s->nwait; i++) {
		w = &s->wait[i];
		pthread_mutex_lock(&s->lock);
		start = w->since > expired && s->handshaking < s->c->max_handshakes &&
			s->active - s->handshaking < s->c->max_connections &&
			w->addr->handshakes < s->c->max_handshakes_per_address;
		if (start || w->since <= expired)
			w->addr->waiting--;
		if (start) {
			s->handshaking++;
			w->addr->handshakes++;
			s->active++;
			s->connections++;
		}
		pthread_mutex_unlock(&s->lock);
		if (start && start_conn(s, w)) {
			pthread_mutex_lock(&s->lock);
			s->handshaking--;
			w->addr->handshakes--;
			s->active--;
			peers_put(w->addr);
			pthread_mutex_unlock(&s->lock);
		} else if (!start && w->since <= expired) {
			refuse_waiter(s, w, "no handshake slot free within handshake_timeout");
		} else if (!start) {
			s->wait[kept++] = *w;
		}
	}
	s->nwait = kept;
}

/* Take one connection from the backlog into the waiting list.  Return: false when none was there. */
static bool accept_one(struct server *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[64];
	struct waiter w;
	bool full;
	int one = 1;

	w.fd = accept4(s->lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (w.fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)) {
		/* Out of descriptors: let connections finish instead of spinning. */
		fprintf(stderr, "fwverify-signd: cannot take a connection: %s\n", errno_text(-errno));
		usleep(100 * 1000);
	}
	if (w.fd < 0)
		return false;
	setsockopt(w.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_name(&ss, len, host, sizeof(host), w.peer, sizeof(w.peer));
	w.since = wire_now();
	pthread_mutex_lock(&s->lock);
	w.addr = peers_get(&s->peers, host, w.since);
	full = w.addr->waiting >= WAIT_PER_ADDRESS;
	if (!full)
		w.addr->waiting++;
	pthread_mutex_unlock(&s->lock);
	if (full)
		refuse_waiter(s, &w, "too many connections from this address wait for a handshake");
	else
		s->wait[s->nwait++] = w;
	return true;
}

/* Write the "refusals" record of each address whose refusal interval has ended by @now. */
static void summarize_by(struct server *s, int64_t now)
{
	struct json_object *f;
	size_t pos = 0;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		f = peers_summary(&s->peers, now, &pos);
		pthread_mutex_unlock(&s->lock);
		if (!f)
			return;
		audit(NULL, s, "refusals", f);
	}
}

static void summarize(struct server *s)
{
	summarize_by(s, wire_now());
}

/* At the stop: the counts of the intervals still running, too. */
static void summarize_all(struct server *s)
{
	summarize_by(s, INT64_MAX);
}

/* Waiting connections hold descriptors: take the most the hard limit allows. */
static void more_files(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static void expire(struct server *s)
{
	char ids[EXPIRE_BATCH][33];
	struct json_object *f;
	size_t n = policy_expire(&s->pol, time(NULL), ids, EXPIRE_BATCH);

	for (size_t i = 0; i < n; i++) {
		f = json_object_new_object();
		if (f)
			add_str(f, "id", ids[i]);
		audit(NULL, s, "expired", f);
	}
}

/*
 * Accept until a signal asks to stop.  Accepted connections wait, without
 * a thread, for a handshake slot (dispatch()); a connection that never
 * finishes its handshake holds one slot for handshake_timeout at most, and
 * one address never more than max_handshakes_per_address of them.
 * Return: the signal's name.
 */
static const char *run_loop(struct server *s)
{
	struct signalfd_siginfo si;
	struct pollfd p[3];
	int64_t last = 0;
	char buf[64];

	for (;;) {
		p[0] = (struct pollfd){ .fd = s->lfd, .events = s->nwait < WAIT_MAX ? POLLIN : 0 };
		p[1] = (struct pollfd){ .fd = s->sfd, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = s->slot[0], .events = POLLIN };
		if (poll(p, 3, s->nwait ? 100 : 1000) < 0 && errno != EINTR) {
			s->failed = -errno;
			return "poll failed";
		}
		if (p[1].revents && read(s->sfd, &si, sizeof(si)) == sizeof(si))
			return strsignal(si.ssi_signo);
		if (p[2].revents)
			while (read(s->slot[0], buf, sizeof(buf)) > 0)
				;
		for (int i = 0; i < 64 && (p[0].revents & POLLIN) && s->nwait < WAIT_MAX; i++)
			if (!accept_one(s))
				break;
		dispatch(s);
		if (wire_now() - last >= 1000) {
			last = wire_now();
			expire(s);
			summarize(s);
		}
	}
}

static int listen_on(struct server *s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res;
	int one = 1, err, rc;

	rc = getaddrinfo(s->c->host, s->c->port, &hints, &res);
	if (rc) {
		fprintf(stderr, "fwverify-signd: listen = %s: %s\n", s->c->host, gai_strerror(rc));
		return -EINVAL;
	}
	s->lfd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	err = s->lfd < 0 ? -errno : 0;
	if (!err)
		setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!err && (bind(s->lfd, res->ai_addr, res->ai_addrlen) || listen(s->lfd, 1024)))
		err = -errno;
	freeaddrinfo(res);
	if (err)
		fprintf(stderr, "fwverify-signd: cannot listen on %s:%s: %s\n", s->c->host, s->c->port,
			errno_text(err));
	return err;
}

/* Keep going: SSL_get_verify_result() still holds the error for authenticate(). */
static int verify_later(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static int tls_setup(struct server *s)
{
	char buf[256];
	X509_STORE *store;

	s->ctx = SSL_CTX_new(TLS_server_method());
	if (!s->ctx || !SSL_CTX_set_min_proto_version(s->ctx, TLS1_3_VERSION))
		return -ENOMEM;
	SSL_CTX_set_num_tickets(s->ctx, 0);
	/* A client that goes without close_notify has left, not failed. */
	SSL_CTX_set_options(s->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_OFF);
	/* A request in one read(), not one for the record's header and one for the rest. */
	SSL_CTX_set_read_ahead(s->ctx, 1);
	if (SSL_CTX_use_certificate_chain_file(s->ctx, s->c->certificate) != 1) {
		fprintf(stderr, "fwverify-signd: %s: cannot load the server certificate: %s\n",
			s->c->certificate, ssl_reason(buf, sizeof(buf), "?"));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(s->ctx, s->c->private_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(s->ctx) != 1) {
		fprintf(stderr, "fwverify-signd: %s: cannot use the server's private key: %s\n",
			s->c->private_key, ssl_reason(buf, sizeof(buf), "?"));
		return -EINVAL;
	}
	if (!s->c->client_auth)
		return 0;
	if (SSL_CTX_load_verify_file(s->ctx, s->c->client_ca) != 1) {
		fprintf(stderr, "fwverify-signd: %s: cannot load the client authorities: %s\n",
			s->c->client_ca, ssl_reason(buf, sizeof(buf), "no certificate"));
		return -EINVAL;
	}
	/* A list of accepted client certificates: each is an anchor of its own. */
	store = SSL_CTX_get_cert_store(s->ctx);
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	/*
	 * Ask for a certificate, finish the handshake whatever it is, and judge
	 * it after: the client then gets a reason, and the audit log a record.
	 */
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, verify_later);
	return 0;
}

static int cert_pem(STACK_OF(X509) *certs, char **pem)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int ok = !!b;

	for (int i = 0; ok && i < sk_X509_num(certs); i++)
		ok = PEM_write_bio_X509(b, sk_X509_value(certs, i));
	n = ok ? BIO_get_mem_data(b, &data) : 0;
	*pem = n > 0 ? strndup(data, n) : NULL;
	BIO_free(b);
	return *pem ? 0 : -ENOMEM;
}

/* Open every key (tokens log in here, once) and make its signer. */
static int keys_load(struct signd_conf *c)
{
	struct fw_error e;
	char buf[256];
	int err;

	for (size_t i = 0; i < c->nkeys; i++) {
		struct signd_key *k = &c->keys[i];

		ERR_clear_error();
		err = key_load(&k->spec, &k->lk, &e);
		if (!err) {
			err = cms_signer_new(k->lk.pkey, k->lk.certs, "sha256", false, &k->signer);
			if (err)
				fw_error_set(&e, err, "%s: %s", k->key, err == -EOPNOTSUPP ?
					     "not an RSA or EC key" : errno_text(err));
		}
		if (!err) {
			err = cert_pem(k->lk.certs, &k->pem);
			if (err)
				fw_error_set(&e, err, "%s: %s", k->key, errno_text(err));
		}
		if (err) {
			fprintf(stderr, "fwverify-signd: [key %s]: %s%s%s\n", k->name, e.msg,
				openssl_error_text(buf, sizeof(buf)) ? ": " : "", buf);
			return err;
		}
		if (k->insecure_pem)
			fprintf(stderr, "fwverify-signd: [key %s]: warning: the private key is in a file (%s); for development only\n",
				k->name, k->key);
	}
	return 0;
}

static int signals_block(struct server *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	s->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	return s->sfd < 0 ? -errno : 0;
}

static int audit_start(struct server *s)
{
	struct json_object *f = json_object_new_object(), *keys = json_object_new_array();
	char addr[300];

	if (!f || !keys) {
		json_object_put(f);
		json_object_put(keys);
		return -ENOMEM;
	}
	snprintf(addr, sizeof(addr), "%s:%s", s->c->host, s->c->port);
	add_str(f, "version", FWVERIFY_VERSION);
	json_object_object_add(f, "pid", json_object_new_int(getpid()));
	add_str(f, "listen", addr);
	add_str(f, "client_auth", s->c->client_auth ? "required" : "none");
	for (size_t i = 0; i < s->c->nkeys; i++)
		json_object_array_add(keys, json_object_new_string(s->c->keys[i].name));
	json_object_object_add(f, "keys", keys);
	return audit(NULL, s, "start", f);
}

static int open_log(struct server *s)
{
	struct fw_error e;
	int err;

	err = signlog_open(s->c->audit_log, s->c->audit_fsync, policy_replay, &s->pol, &s->log, &e);
	if (err)
		fprintf(stderr, "fwverify-signd: %s: cannot use the audit log: %s\n", s->c->audit_log, e.msg);
	return err;
}

/*
 * Run the server of @c until SIGTERM or SIGINT; with @check_only, stop
 * once keys, audit log and TLS are ready.  Return: 0 or -errno (logged).
 */
int signd_run(struct signd_conf *c, bool check_only)
{
	struct server s = { .c = c, .lfd = -1, .sfd = -1, .wake = { -1, -1 }, .slot = { -1, -1 } };
	const char *why;
	int err;

	s.started = time(NULL);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.idle, NULL);
	err = policy_init(&s.pol, c);
	if (err)
		goto out;
	err = keys_load(c);
	if (err)
		goto out_policy;
	err = tls_setup(&s);
	if (err)
		goto out_tls;
	if (check_only) {
		printf("%s: the configuration, %zu key(s) and the TLS identity are usable\n", c->path, c->nkeys);
		goto out_tls;
	}
	err = open_log(&s);
	if (err)
		goto out_tls;
	err = signals_block(&s);
	if (!err && (pipe2(s.wake, O_CLOEXEC) || pipe2(s.slot, O_CLOEXEC | O_NONBLOCK)))
		err = -errno;
	if (!err)
		err = peers_init(&s.peers, c->refusal_interval);
	if (!err) {
		s.wait = calloc(WAIT_MAX, sizeof(*s.wait));
		err = s.wait ? 0 : -ENOMEM;
	}
	if (!err)
		more_files();
	if (!err)
		err = listen_on(&s);
	if (!err)
		err = audit_start(&s);
	if (err)
		goto out_log;
	fprintf(stderr, "fwverify-signd: listening on %s:%s with %zu key(s)\n", c->host, c->port, c->nkeys);
	why = run_loop(&s);
	close(s.lfd);
	s.lfd = -1;
	pthread_mutex_lock(&s.lock);
	for (size_t i = 0; i < s.nwait; i++) {
		close(s.wait[i].fd);
		peers_put(s.wait[i].addr);
	}
	pthread_mutex_unlock(&s.lock);
	s.nwait = 0;
	/* Wake every connection waiting for a request; those inside one finish it. */
	if (write(s.wake[1], "x", 1) != 1)
		fprintf(stderr, "fwverify-signd: cannot wake the connections: %s\n", errno_text(-errno));
	pthread_mutex_lock(&s.lock);
	while (s.active)
		pthread_cond_wait(&s.idle, &s.lock);
	pthread_mutex_unlock(&s.lock);
	summarize_all(&s);
	{
		struct json_object *f = json_object_new_object();

		if (f)
			add_str(f, "reason", why);
		err = audit(NULL, &s, "stop", f) ?: s.failed;
	}
	fprintf(stderr, "fwverify-signd: stopped (%s)\n", why);
out_log:
	if (s.lfd >= 0)
		close(s.lfd);
	if (s.sfd >= 0)
		close(s.sfd);
	for (int i = 0; i < 2; i++) {
		if (s.wake[i] >= 0)
			close(s.wake[i]);
		if (s.slot[i] >= 0)
			close(s.slot[i]);
	}
	free(s.wait);
	peers_free(&s.peers);
	signlog_close(s.log);
out_tls:
	SSL_CTX_free(s.ctx);
out_policy:
	policy_free(&s.pol);
out:
	pthread_cond_destroy(&s.idle);
	pthread_mutex_destroy(&s.lock);
	return err;
}
