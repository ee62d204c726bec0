// SPDX-License-Identifier: GPL-2.0
/*
 * Who may sign what, how often, and with whose approval.
 *
 * Grants are read-only configuration.  Quotas and requests held for
 * approval change at run time under one lock, and are rebuilt at start
 * from the audit log (policy_replay()), so a restart neither resets a
 * quota nor forgets an approval.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "signd.h"
#include "wire.h"

#define HOUR 3600
#define DAY 86400

int policy_init(struct signd_policy *p, struct signd_conf *c)
{
	memset(p, 0, sizeof(*p));
	p->c = c;
	p->p = calloc(SIGND_PENDING_MAX, sizeof(*p->p));
	if (!p->p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	return 0;
}

void policy_free(struct signd_policy *p)
{
	if (!p->p)
		return;
	for (size_t i = 0; i < p->n; i++)
		OPENSSL_free(p->p[i].der);
	free(p->p);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof(*p));
}

/*
 * May @client sign @name with @key?  Return: NULL with the key in *@out, or
 * why not (a sentence for the client and the audit log).
 */
const char *policy_grant(const struct signd_conf *c, const char *client, const char *key,
			 const char *name, struct signd_key **out)
{
	const struct signd_client *cl = NULL;

	for (size_t i = 0; i < c->nclients && !cl; i++)
		if (!strcmp(c->clients[i].name, client))
			cl = &c->clients[i];
	if (!cl)
		return "no grant for this client";
	if (!strlist_has(&cl->keys, key) || !(*out = signd_key_find(c, key)))
		return "the client has no grant for this key";
	for (size_t i = 0; i < cl->globs.n; i++)
		if (!fnmatch(cl->globs.v[i], name, FNM_PATHNAME))
			return NULL;
	return "the firmware name is outside the client's grant";
}

/* Forget the seconds older than a day. */
static void quota_prune(struct signd_key *k, int64_t now)
{
	size_t drop = 0;

	while (drop < k->ntimes && k->times[drop].t <= now - DAY)
		drop++;
	if (drop)	/* times is NULL until the key first signs */
		memmove(k->times, k->times + drop, (k->ntimes - drop) * sizeof(*k->times));
	k->ntimes -= drop;
}

static unsigned int count_since(const struct signd_key *k, int64_t since)
{
	unsigned int n = 0;

	for (size_t i = k->ntimes; i-- && k->times[i].t > since;)
		n += k->times[i].n;
	return n;
}

/*
 * Count a signature at @t.  A clock set back counts it in the latest
 * second: it stays in the quotas' windows longer, never shorter.
 */
static int quota_push(struct signd_key *k, int64_t t)
{
	struct signd_second *nt;

	if (k->ntimes && k->times[k->ntimes - 1].t >= t) {
		k->times[k->ntimes - 1].n++;
		return 0;
	}
	if (k->ntimes == k->cap) {
		nt = realloc(k->times, (k->cap ? 2 * k->cap : 64) * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		k->times = nt;
		k->cap = k->cap ? 2 * k->cap : 64;
	}
	k->times[k->ntimes++] = (struct signd_second){ .t = t, .n = 1 };
	return 0;
}

/* Take one signature of @k's quotas at @now.  Return: NULL, or why not (in @buf). */
const char *policy_quota_take(struct signd_policy *p, struct signd_key *k, int64_t now,
			      char *buf, size_t size)
{
	const char *why = buf;

	pthread_mutex_lock(&p->lock);
	quota_prune(k, now);
	if (k->per_hour && count_since(k, now - HOUR) >= k->per_hour)
		snprintf(buf, size, "quota exceeded: key %s signs at most %u per hour", k->name, k->per_hour);
	else if (k->per_day && count_since(k, now - DAY) >= k->per_day)
		snprintf(buf, size, "quota exceeded: key %s signs at most %u per day", k->name, k->per_day);
	else if (quota_push(k, now))
		snprintf(buf, size, "out of memory");
	else
		why = NULL;
	pthread_mutex_unlock(&p->lock);
	return why;
}

/*
 * Give back a signature taken at @now that was not made: from the second
 * it was counted in, or a later one (quota_push()).
 */
void policy_quota_undo(struct signd_policy *p, struct signd_key *k, int64_t now)
{
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < k->ntimes; i++) {
		if (k->times[i].t < now)
			continue;
		if (!--k->times[i].n) {
			memmove(k->times + i, k->times + i + 1, (k->ntimes - i - 1) * sizeof(*k->times));
			k->ntimes--;
		}
		break;
	}
	pthread_mutex_unlock(&p->lock);
}

void policy_quota_used(struct signd_policy *p, struct signd_key *k, int64_t now,
		       unsigned int *hour, unsigned int *day)
{
	pthread_mutex_lock(&p->lock);
	quota_prune(k, now);
	*hour = count_since(k, now - HOUR);
	*day = count_since(k, now - DAY);
	pthread_mutex_unlock(&p->lock);
}

static struct pending *find(struct signd_policy *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->p[i].id, id))
			return &p->p[i];
	return NULL;
}

static void drop(struct signd_policy *p, struct pending *r)
{
	OPENSSL_free(r->der);
	*r = p->p[--p->n];
	memset(&p->p[p->n], 0, sizeof(p->p[p->n]));
}

static int add(struct signd_policy *p, const char *id, struct signd_key *k, const char *name,
	       const char *sha256, uint64_t size, const char *requester, int64_t created,
	       struct pending **out)
{
	struct pending *r;

	if (p->n == SIGND_PENDING_MAX)
		return -ENOSPC;
	r = memset(&p->p[p->n++], 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->key = k;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->sha256, sizeof(r->sha256), "%s", sha256);
	r->size = size;
	snprintf(r->requester, sizeof(r->requester), "%s", requester);
	r->created = created;
	*out = r;
	return 0;
}

/*
 * Hold a request for @k's approvers; a copy of it goes to @copy.
 * Return: 0, -ENOSPC when SIGND_PENDING_MAX requests are held, -EIO when no
 * random identifier can be made.
 */
int policy_hold(struct signd_policy *p, struct signd_key *k, const char *name, const char *sha256,
		uint64_t size, const char *requester, int64_t now, struct pending *copy)
{
	unsigned char rnd[16];
	struct pending *r;
	char id[33];
	int err;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -EIO;
	wire_tohex(rnd, sizeof(rnd), id);
	pthread_mutex_lock(&p->lock);
	err = add(p, id, k, name, sha256, size, requester, now, &r);
	if (!err)
		*copy = *r;
	pthread_mutex_unlock(&p->lock);
	copy->der = NULL;
	return err;
}

static const char *approve(struct pending *r, const char *approver)
{
	if (!strlist_has(&r->key->approvers, approver))
		return "not an approver of this key";
	if (!strcmp(r->requester, approver))
		return "a requester cannot approve their own request";
	for (unsigned int i = 0; i < r->napproved; i++)
		if (!strcmp(r->approvers[i], approver))
			return "already approved by this approver";
	if (r->napproved == SIGND_APPROVERS_MAX)
		return "too many approvals";
	snprintf(r->approvers[r->napproved++], SIGND_ID_MAX + 1, "%s", approver);
	return NULL;
}

static bool expired(const struct signd_policy *p, const struct pending *r, int64_t now)
{
	return now - r->created >= p->c->approval_ttl;
}

/* Approve request @id as @approver.  Return: NULL with the request in @copy, or why not. */
const char *policy_approve(struct signd_policy *p, const char *id, const char *approver,
			   int64_t now, struct pending *copy)
{
	struct pending *r;
	const char *why;

	pthread_mutex_lock(&p->lock);
	r = find(p, id);
	why = !r || expired(p, r, now) ? "no such request (it may have expired)" :
	      r->der ? "already signed" : approve(r, approver);
	if (r) {
		*copy = *r;
		copy->der = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	return why;
}

/* Take back @approver's approval of @id, whose record could not be written. */
void policy_unapprove(struct signd_policy *p, const char *id, const char *approver)
{
	struct pending *r;

	pthread_mutex_lock(&p->lock);
	r = find(p, id);
	for (unsigned int i = 0; r && i < r->napproved; i++) {
		if (!strcmp(r->approvers[i], approver)) {
			memmove(r->approvers[i], r->approvers[i + 1],
				(r->napproved - i - 1) * sizeof(r->approvers[0]));
			r->napproved--;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * The requester asks for request @id.  Return: NULL with the request in
 * @copy (its der, when already signed, is a copy to free), or why not.
 */
const char *policy_fetch(struct signd_policy *p, const char *id, const char *requester,
			 int64_t now, struct pending *copy)
{
	struct pending *r;
	const char *why = NULL;

	pthread_mutex_lock(&p->lock);
	r = find(p, id);
	if (!r || expired(p, r, now))
		why = "no such request (it may have expired)";
	else if (strcmp(r->requester, requester))
		why = "only the requester may fetch a request's signature";
	if (!why) {
		*copy = *r;
		copy->der = r->der ? OPENSSL_memdup(r->der, r->der_len) : NULL;
		if (r->der && !copy->der)
			why = "out of memory";
		/* One fetch signs; one that comes meanwhile is told to ask again. */
		if (!r->der && !r->signing && r->napproved >= r->key->approvals)
			r->signing = true;
	}
	pthread_mutex_unlock(&p->lock);
	return why;
}

/* Keep the signature made for request @id, for a requester who asks again. */
void policy_signed(struct signd_policy *p, const char *id, const unsigned char *der, size_t len)
{
	struct pending *r;

	pthread_mutex_lock(&p->lock);
	r = find(p, id);
	if (r && !r->der && (r->der = OPENSSL_memdup(der, len)))
		r->der_len = len;
	if (r)
		r->signing = false;
	pthread_mutex_unlock(&p->lock);
}

/* The fetch that was signing @id failed: another may try. */
void policy_unsign(struct signd_policy *p, const char *id)
{
	struct pending *r;

	pthread_mutex_lock(&p->lock);
	r = find(p, id);
	if (r)
		r->signing = false;
	pthread_mutex_unlock(&p->lock);
}

/* Drop requests past approval_ttl; their ids go to @ids.  Return: how many. */
size_t policy_expire(struct signd_policy *p, int64_t now, char (*ids)[33], size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->n && n < max;) {
		if (expired(p, &p->p[i], now)) {
			memcpy(ids[n++], p->p[i].id, 33);
			drop(p, &p->p[i]);
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* The requests @client made or may approve, as a JSON array (NULL on ENOMEM). */
struct json_object *policy_list(struct signd_policy *p, const char *client)
{
	struct json_object *a = json_object_new_array(), *o, *ap;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; a && i < p->n; i++) {
		struct pending *r = &p->p[i];

		if (strcmp(r->requester, client) && !strlist_has(&r->key->approvers, client))
			continue;
		o = json_object_new_object();
		ap = json_object_new_array();
		if (!o || !ap || json_object_array_add(a, o)) {
			json_object_put(o);
			json_object_put(ap);
			break;
		}
		json_object_object_add(o, "id", json_object_new_string(r->id));
		json_object_object_add(o, "key", json_object_new_string(r->key->name));
		json_object_object_add(o, "name", json_object_new_string(r->name));
		json_object_object_add(o, "sha256", json_object_new_string(r->sha256));
		json_object_object_add(o, "size", json_object_new_uint64(r->size));
		json_object_object_add(o, "requester", json_object_new_string(r->requester));
		json_object_object_add(o, "created", json_object_new_int64(r->created));
		for (unsigned int j = 0; j < r->napproved; j++)
			json_object_array_add(ap, json_object_new_string(r->approvers[j]));
		json_object_object_add(o, "approved_by", ap);
		json_object_object_add(o, "required", json_object_new_int(r->key->approvals));
		json_object_object_add(o, "signed", json_object_new_boolean(r->der != NULL));
	}
	pthread_mutex_unlock(&p->lock);
	return a;
}

static int64_t rec_int(struct json_object *rec, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(rec, key, &v) ? json_object_get_int64(v) : -1;
}

/*
 * Rebuild quotas and held requests from one audit record (an signlog_fn).
 * Records of keys no longer configured are skipped.
 */
int policy_replay(struct json_object *rec, void *arg)
{
	struct signd_policy *p = arg;
	const char *ev = wire_str(rec, "event"), *id = wire_str(rec, "id");
	const char *kname = wire_str(rec, "key"), *client = wire_str(rec, "client");
	struct signd_key *k = kname ? signd_key_find(p->c, kname) : NULL;
	int64_t when = rec_int(rec, "unix_time");
	struct pending *r;

	if (!ev)
		return 0;
	if (!strcmp(ev, "sign") && k && when > 0) {
		quota_prune(k, when);
		if (quota_push(k, when))
			return -ENOMEM;
	}
	if (!strcmp(ev, "held") && k && id && client && wire_str(rec, "name") && wire_str(rec, "sha256") &&
	    !find(p, id))
		return add(p, id, k, wire_str(rec, "name"), wire_str(rec, "sha256"),
			   rec_int(rec, "size"), client, when, &r) == -ENOMEM ? -ENOMEM : 0;
	r = id ? find(p, id) : NULL;
	if (!r)
		return 0;
	/* A request signed before a restart is done: its signature was returned then. */
	if (!strcmp(ev, "approve") && client)
		approve(r, client);
	else if (!strcmp(ev, "sign") || !strcmp(ev, "expired"))
		drop(p, r);
	return 0;
}
