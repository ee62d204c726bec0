// SPDX-License-Identifier: GPL-2.0
/*
 * The server's configuration: an INI file with one [server] section, a
 * [key NAME] section per signing key and a [client NAME] section per
 * client.  Unknown names, malformed lines and values out of range are
 * errors naming the file and line: a typo must never widen what the server
 * signs.  Defaults are in Documentation/signd.rst and signd.conf.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "signd.h"
#include "util.h"
#include "wire.h"

#define CONF_MAX (256 * 1024)
#define LIST_MAX 256

struct parser {
	struct signd_conf *c;
	const char *path;
	unsigned int line;
	struct signd_key *key;		/* the section being read, if a key's */
	struct signd_client *client;	/* or a client's */
	bool server;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3))) bad(struct parser *p, const char *fmt, ...)
{
	int n = p->line ? snprintf(p->err, p->errlen, "%s: line %u: ", p->path, p->line) :
			  snprintf(p->err, p->errlen, "%s: ", p->path);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int set_list(struct parser *p, struct strlist *l, char *v, const char *what)
{
	char *save = NULL, *tok, *item;

	if (l->n)
		return bad(p, "%s given twice", what);
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		item = str_trim(tok);
		if (!*item)
			return bad(p, "%s: an empty item", what);
		if (l->n == LIST_MAX)
			return bad(p, "%s: more than %d items", what, LIST_MAX);
		if (strlist_has(l, item))
			return bad(p, "%s: '%s' listed twice", what, item);
		if (!(l->n % 16)) {
			char **nv = realloc(l->v, (l->n + 16) * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			l->v = nv;
		}
		l->v[l->n] = strdup(item);
		if (!l->v[l->n])
			return -ENOMEM;
		l->n++;
	}
	return l->n ? 0 : bad(p, "%s: an empty list", what);
}

static int set_str(struct parser *p, char **dst, const char *v, const char *what, bool path)
{
	if (*dst)
		return bad(p, "%s given twice", what);
	if (path && *v != '/')
		return bad(p, "%s: '%s' is not an absolute path", what, v);
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int set_uint(struct parser *p, unsigned int *dst, const char *v, const char *what,
		    unsigned long min, unsigned long max)
{
	unsigned long n;
	char *e;

	errno = 0;
	n = strtoul(v, &e, 10);
	if (errno || e == v || *e || *v == '-' || n < min || n > max)
		return bad(p, "%s: '%s' is not a number from %lu to %lu", what, v, min, max);
	*dst = n;
	return 0;
}

static int set_bool(struct parser *p, bool *dst, const char *v, const char *what)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true"))
		*dst = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false"))
		*dst = false;
	else
		return bad(p, "%s: '%s' is not yes or no", what, v);
	return 0;
}

static int server_kv(struct parser *p, const char *k, char *v)
{
	struct signd_conf *c = p->c;
	int err;

	if (!strcmp(k, "listen")) {
		if (c->host)
			return bad(p, "listen given twice");
		err = wire_parse_addr(v, &c->host, &c->port);
		return err == -EINVAL ? bad(p, "listen: '%s' is not HOST:PORT with a port from 1 to 65535", v) : err;
	}
	if (!strcmp(k, "certificate"))
		return set_str(p, &c->certificate, v, k, true);
	if (!strcmp(k, "private_key"))
		return set_str(p, &c->private_key, v, k, true);
	if (!strcmp(k, "client_ca"))
		return set_str(p, &c->client_ca, v, k, true);
	if (!strcmp(k, "client_names"))
		return set_list(p, &c->client_names, v, k);
	if (!strcmp(k, "client_auth")) {
		if (strcmp(v, "required") && strcmp(v, "none"))
			return bad(p, "client_auth: '%s' is not required or none", v);
		c->client_auth = !strcmp(v, "required");
		return 0;
	}
	if (!strcmp(k, "audit_log"))
		return set_str(p, &c->audit_log, v, k, true);
	if (!strcmp(k, "audit_fsync"))
		return set_bool(p, &c->audit_fsync, v, k);
	if (!strcmp(k, "max_connections"))
		return set_uint(p, &c->max_connections, v, k, 1, 4096);
	if (!strcmp(k, "max_handshakes"))
		return set_uint(p, &c->max_handshakes, v, k, 1, 4096);
	if (!strcmp(k, "max_handshakes_per_address"))
		return set_uint(p, &c->max_handshakes_per_address, v, k, 1, 4096);
	if (!strcmp(k, "refusal_interval"))
		return set_uint(p, &c->refusal_interval, v, k, 1, 86400);
	if (!strcmp(k, "handshake_timeout"))
		return set_uint(p, &c->handshake_timeout, v, k, 1, 3600);
	if (!strcmp(k, "request_timeout"))
		return set_uint(p, &c->request_timeout, v, k, 1, 3600);
	if (!strcmp(k, "approval_ttl"))
		return set_uint(p, &c->approval_ttl, v, k, 60, 30 * 86400);
	if (!strcmp(k, "pkcs11_module"))
		return set_str(p, &c->pkcs11_module, v, k, true);
	if (!strcmp(k, "pin_file"))
		return set_str(p, &c->pin_file, v, k, true);
	if (!strcmp(k, "allow_pem_keys"))
		return set_bool(p, &c->allow_pem_keys, v, k);
	return bad(p, "unknown setting '%s' in [server]", k);
}

static int key_kv(struct parser *p, const char *k, char *v)
{
	struct signd_key *key = p->key;

	if (!strcmp(k, "pkcs11")) {
		if (!pkcs11_is_uri(v))
			return bad(p, "pkcs11: '%s' is not a pkcs11: URI", v);
		return set_str(p, &key->key, v, k, false);
	}
	if (!strcmp(k, "private_key")) {
		key->insecure_pem = true;
		return set_str(p, &key->key, v, k, true);
	}
	if (!strcmp(k, "certificate"))
		return set_str(p, &key->cert, v, k, true);
	if (!strcmp(k, "chain"))
		return set_str(p, &key->chain, v, k, true);
	if (!strcmp(k, "pkcs11_module"))
		return set_str(p, &key->module, v, k, true);
	if (!strcmp(k, "pin_file"))
		return set_str(p, &key->pin_file, v, k, true);
	if (!strcmp(k, "per_hour"))
		return set_uint(p, &key->per_hour, v, k, 0, 1000000);
	if (!strcmp(k, "per_day"))
		return set_uint(p, &key->per_day, v, k, 0, 10000000);
	if (!strcmp(k, "release"))
		return set_bool(p, &key->release, v, k);
	if (!strcmp(k, "approvals"))
		return set_uint(p, &key->approvals, v, k, 1, SIGND_APPROVERS_MAX);
	if (!strcmp(k, "approvers"))
		return set_list(p, &key->approvers, v, k);
	return bad(p, "unknown setting '%s' in [key %s]", k, key->name);
}

static int client_kv(struct parser *p, const char *k, char *v)
{
	struct signd_client *cl = p->client;

	if (!strcmp(k, "keys"))
		return set_list(p, &cl->keys, v, k);
	if (!strcmp(k, "names"))
		return set_list(p, &cl->globs, v, k);
	return bad(p, "unknown setting '%s' in [client %s]", k, cl->name);
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > SIGND_ID_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ',' || *s == ']')
			return false;
	return true;
}

static int section(struct parser *p, char *s)
{
	struct signd_conf *c = p->c;
	char *name;
	void *nv;

	p->server = false;
	p->key = NULL;
	p->client = NULL;
	if (!strcmp(s, "server")) {
		p->server = true;
		return 0;
	}
	name = strchr(s, ' ');
	if (!name)
		return bad(p, "unknown section [%s]: expected [server], [key NAME] or [client NAME]", s);
	*name = '\0';
	name = str_trim(name + 1);
	if (!valid_id(name))
		return bad(p, "[%s %s]: not a valid name", s, name);
	if (!strcmp(s, "key")) {
		if (signd_key_find(c, name))
			return bad(p, "[key %s] given twice", name);
		nv = realloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
		if (!nv)
			return -ENOMEM;
		c->keys = nv;
		p->key = memset(&c->keys[c->nkeys++], 0, sizeof(*c->keys));
		p->key->line = p->line;
		p->key->name = strdup(name);
		return p->key->name ? 0 : -ENOMEM;
	}
	if (!strcmp(s, "client")) {
		for (size_t i = 0; i < c->nclients; i++)
			if (!strcmp(c->clients[i].name, name))
				return bad(p, "[client %s] given twice", name);
		nv = realloc(c->clients, (c->nclients + 1) * sizeof(*c->clients));
		if (!nv)
			return -ENOMEM;
		c->clients = nv;
		p->client = memset(&c->clients[c->nclients++], 0, sizeof(*c->clients));
		p->client->line = p->line;
		p->client->name = strdup(name);
		return p->client->name ? 0 : -ENOMEM;
	}
	return bad(p, "unknown section [%s %s]: expected [key NAME] or [client NAME]", s, name);
}

static int parse_line(struct parser *p, char *line)
{
	char *s = str_trim(line), *eq, *k, *v;

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		if (s[strlen(s) - 1] != ']')
			return bad(p, "a section header without ']'");
		s[strlen(s) - 1] = '\0';
		return section(p, str_trim(s + 1));
	}
	eq = strchr(s, '=');
	if (!eq)
		return bad(p, "expected NAME = VALUE");
	*eq = '\0';
	k = str_trim(s);
	v = str_trim(eq + 1);
	if (!*v)
		return bad(p, "%s: an empty value", k);
	if (p->server)
		return server_kv(p, k, v);
	if (p->key)
		return key_kv(p, k, v);
	if (p->client)
		return client_kv(p, k, v);
	return bad(p, "'%s' outside a section", k);
}

/* What the sections say together: every name they use must exist. */
static int check(struct parser *p)
{
	struct signd_conf *c = p->c;

	p->line = 0;
	if (!c->host)
		return bad(p, "[server] needs listen = HOST:PORT");
	if (!c->certificate || !c->private_key)
		return bad(p, "[server] needs certificate and private_key (the server's TLS identity)");
	if (c->client_auth && !c->client_ca)
		return bad(p, "[server] needs client_ca (or client_auth = none, which signs nothing)");
	if (!c->audit_log)
		return bad(p, "[server] needs audit_log");
	for (size_t i = 0; i < c->nkeys; i++) {
		struct signd_key *k = &c->keys[i];

		p->line = k->line;
		if (!k->key)
			return bad(p, "[key %s] needs pkcs11 = URI (or private_key, for development)", k->name);
		if (k->insecure_pem && !c->allow_pem_keys)
			return bad(p, "[key %s]: a private key in a file is refused: keep it in a PKCS#11 token, or set allow_pem_keys = yes for development",
				   k->name);
		if (k->release != !!k->approvals || k->release != !!k->approvers.n)
			return bad(p, "[key %s]: release = yes goes with approvals = M and approvers = ID, ...",
				   k->name);
		if (k->approvals > k->approvers.n)
			return bad(p, "[key %s]: approvals = %u but only %zu approvers", k->name,
				   k->approvals, k->approvers.n);
		k->spec = (struct key_spec){
			.key = k->key, .cert = k->cert, .pin_fd = -1,
			.chain = (const char *const *)&k->chain, .nchain = k->chain ? 1 : 0,
			.module = k->module ? k->module : c->pkcs11_module,
			.pin_file = k->pin_file ? k->pin_file : c->pin_file,
		};
	}
	for (size_t i = 0; i < c->nclients; i++) {
		struct signd_client *cl = &c->clients[i];

		p->line = cl->line;
		if (!cl->keys.n || !cl->globs.n)
			return bad(p, "[client %s] needs keys = KEY, ... and names = GLOB, ...", cl->name);
		for (size_t j = 0; j < cl->keys.n; j++)
			if (!signd_key_find(c, cl->keys.v[j]))
				return bad(p, "[client %s]: no [key %s]", cl->name, cl->keys.v[j]);
	}
	return 0;
}

static int set_defaults(struct signd_conf *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->client_auth = true;
	c->audit_fsync = true;
	c->max_connections = 256;
	c->max_handshakes = 64;
	c->max_handshakes_per_address = 8;
	c->refusal_interval = 60;
	c->handshake_timeout = 5;
	c->request_timeout = 30;
	c->approval_ttl = 86400;
	c->path = strdup(path);
	return c->path ? 0 : -ENOMEM;
}

/*
 * Read the configuration at @path.  Return: 0; -EINVAL with the file, line
 * and reason in @err; -errno when the file cannot be read.
 */
int signd_conf_load(const char *path, struct signd_conf *c, char *err, size_t errlen)
{
	struct parser p = { .c = c, .path = path, .err = err, .errlen = errlen };
	_cleanup_(freep) unsigned char *text = NULL;
	_cleanup_(freep) char *buf = NULL;
	char *rest, *line;
	size_t len;
	int ret;

	ret = set_defaults(c, path) ?: read_file(path, CONF_MAX, &text, &len);
	if (!ret && !(buf = strndup((char *)text, len)))
		ret = -ENOMEM;
	if (!ret && strlen(buf) != len) {
		p.line = 1;
		ret = bad(&p, "a NUL byte in the file");
	}
	if (ret && ret != -EINVAL)
		snprintf(err, errlen, "%s: %s", path, errno_text(ret));
	rest = buf;
	while (!ret && rest && *rest) {
		line = strsep(&rest, "\n");
		p.line++;
		ret = parse_line(&p, line);
	}
	if (!ret)
		ret = check(&p);
	if (ret)
		signd_conf_free(c);
	return ret;
}

struct signd_key *signd_key_find(const struct signd_conf *c, const char *name)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i].name, name))
			return &c->keys[i];
	return NULL;
}

void signd_conf_free(struct signd_conf *c)
{
	for (size_t i = 0; i < c->nkeys; i++) {
		struct signd_key *k = &c->keys[i];

		cms_signer_free(k->signer);
		key_unload(&k->lk);
		free(k->name);
		free(k->key);
		free(k->cert);
		free(k->chain);
		free(k->module);
		free(k->pin_file);
		free(k->pem);
		free(k->times);
		strlist_free(&k->approvers);
	}
	for (size_t i = 0; i < c->nclients; i++) {
		free(c->clients[i].name);
		strlist_free(&c->clients[i].keys);
		strlist_free(&c->clients[i].globs);
	}
	free(c->keys);
	free(c->clients);
	free(c->path);
	free(c->host);
	free(c->port);
	free(c->certificate);
	free(c->private_key);
	free(c->client_ca);
	strlist_free(&c->client_names);
	free(c->audit_log);
	free(c->pkcs11_module);
	free(c->pin_file);
	memset(c, 0, sizeof(*c));
}
