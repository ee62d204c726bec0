/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fwverify-signd, the signing server: its configuration, its keys, and the
 * policy (grants, quotas, approvals) that stands between a request and a
 * signature.  See Documentation/signd.rst.
 */
#ifndef FWVERIFY_SIGND_H
#define FWVERIFY_SIGND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "signlog.h"
#include "cms.h"
#include "keysrc.h"

#define SIGND_CONFIG_DEFAULT "/etc/fwverify/signd.conf"
/* Longest client identity (a certificate's common name) kept. */
#define SIGND_ID_MAX 64
/* Most approvers a release key may list, and most requests held at once. */
#define SIGND_APPROVERS_MAX 16
#define SIGND_PENDING_MAX 1024

/* A comma-separated list from the configuration. */
struct strlist {
	char **v;
	size_t n;
};

/* Signatures a key made in one second. */
struct signd_second {
	int64_t t;
	uint32_t n;
};

struct signd_key {
	char *name;
	unsigned int line;		/* of its section header */
	struct key_spec spec;		/* what the configuration names */
	char *key, *cert, *chain, *module, *pin_file;	/* spec's strings, owned */
	bool insecure_pem;		/* a PEM key, allowed by allow_pem_keys */
	unsigned int per_hour, per_day;	/* quotas; 0: none */
	bool release;
	unsigned int approvals;		/* M of the approvers, for a release key */
	struct strlist approvers;
	/* At run time: */
	struct loaded_key lk;
	struct cms_signer *signer;
	char *pem;			/* its certificates, as served */
	/*
	 * How many it signed in each second of the last day that it signed
	 * in, oldest first: at most a day of seconds, whatever the rate.
	 */
	struct signd_second *times;
	size_t ntimes, cap;
};

struct signd_client {
	char *name;
	unsigned int line;
	struct strlist keys, globs;
};

struct signd_conf {
	char *path;
	char *host, *port;
	char *certificate, *private_key, *client_ca;
	struct strlist client_names;
	bool client_auth;		/* false: client_auth = none */
	char *audit_log;
	bool audit_fsync;
	unsigned int max_connections, handshake_timeout, request_timeout, approval_ttl;
	unsigned int max_handshakes, max_handshakes_per_address;	/* unauthenticated connections */
	unsigned int refusal_interval;	/* seconds over which an address's refusals are counted */
	char *pkcs11_module, *pin_file;
	bool allow_pem_keys;
	struct signd_key *keys;
	size_t nkeys;
	struct signd_client *clients;
	size_t nclients;
};

int signd_conf_load(const char *path, struct signd_conf *c, char *err, size_t errlen);
void signd_conf_free(struct signd_conf *c);
struct signd_key *signd_key_find(const struct signd_conf *c, const char *name);
bool strlist_has(const struct strlist *l, const char *s);

/* A request held for approval. */
struct pending {
	char id[33];
	struct signd_key *key;
	char name[CMS_NAME_MAX + 1];
	char sha256[65];
	uint64_t size;
	char requester[SIGND_ID_MAX + 1];
	int64_t created;		/* wall-clock seconds */
	char approvers[SIGND_APPROVERS_MAX][SIGND_ID_MAX + 1];
	unsigned int napproved;
	unsigned char *der;		/* its signature, once made */
	size_t der_len;
	bool signing;			/* a fetch is making it: other fetches wait */
};

struct signd_policy {
	pthread_mutex_t lock;
	struct signd_conf *c;
	struct pending *p;
	size_t n;
};

int policy_init(struct signd_policy *p, struct signd_conf *c);
void policy_free(struct signd_policy *p);
int policy_replay(struct json_object *rec, void *arg);
const char *policy_grant(const struct signd_conf *c, const char *client, const char *key,
			 const char *name, struct signd_key **out);
const char *policy_quota_take(struct signd_policy *p, struct signd_key *k, int64_t now,
			      char *buf, size_t size);
void policy_quota_undo(struct signd_policy *p, struct signd_key *k, int64_t now);
void policy_quota_used(struct signd_policy *p, struct signd_key *k, int64_t now,
		       unsigned int *hour, unsigned int *day);
int policy_hold(struct signd_policy *p, struct signd_key *k, const char *name, const char *sha256,
		uint64_t size, const char *requester, int64_t now, struct pending *copy);
const char *policy_approve(struct signd_policy *p, const char *id, const char *approver,
			   int64_t now, struct pending *copy);
void policy_unapprove(struct signd_policy *p, const char *id, const char *approver);
const char *policy_fetch(struct signd_policy *p, const char *id, const char *requester,
			 int64_t now, struct pending *copy);
void policy_signed(struct signd_policy *p, const char *id, const unsigned char *der, size_t len);
void policy_unsign(struct signd_policy *p, const char *id);
size_t policy_expire(struct signd_policy *p, int64_t now, char (*ids)[33], size_t max);
struct json_object *policy_list(struct signd_policy *p, const char *client);

/* Source addresses: handshakes under way and refusals counted (peers.c). */
#define PEERS_MAX 1024
#define PEER_REASONS 8

struct peer_addr {
	char host[64];			/* numeric; "": a free entry */
	unsigned int refs;		/* connections of this address the server holds */
	unsigned int handshakes;	/* of those, in a TLS handshake */
	unsigned int waiting;		/* of those, waiting for a handshake slot */
	int64_t window_end;		/* monotonic ms: when the refusal interval ends */
	char reason[PEER_REASONS][128];	/* reasons written in full this interval */
	size_t nreasons;
	uint64_t count[PEER_REASONS + 1];	/* refusals only counted, per reason; last: others */
	uint64_t counted;
};

struct peers {
	struct peer_addr *a;		/* PEERS_MAX, then "*" for any address once they are taken */
	int64_t interval_ms;
};

int peers_init(struct peers *p, unsigned int interval);
void peers_free(struct peers *p);
struct peer_addr *peers_get(struct peers *p, const char *host, int64_t now);
void peers_put(struct peer_addr *a);
bool peers_refused(struct peers *p, struct peer_addr *a, const char *why, int64_t now);
struct json_object *peers_summary(struct peers *p, int64_t now, size_t *pos);

int signd_run(struct signd_conf *c, bool check_only);

#endif
