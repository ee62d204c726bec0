// SPDX-License-Identifier: GPL-2.0
/*
 * What the server knows of each source address: how many of its
 * connections wait for a handshake slot or are in a handshake, and how
 * many of its unauthenticated connections were refused in the current
 * interval.  The first refusal for each reason in an interval is written
 * to the audit log in full; the rest are counted, and one "refusals"
 * record per address tells their number when the interval ends.  So a
 * flood of connections that never authenticate adds a few records per
 * address and interval, not one per connection.
 *
 * The table is bounded (PEERS_MAX); when it is full, new addresses share
 * one entry, "*".  The caller holds the server's lock around every call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signd.h"

/* The entry that stands for every address once the table is full. */
#define PEERS_OTHER PEERS_MAX

static bool in_use(const struct peer_addr *a, int64_t now)
{
	return a->refs || a->window_end > now || a->counted;
}

int peers_init(struct peers *p, unsigned int interval)
{
	p->a = calloc(PEERS_MAX + 1, sizeof(*p->a));
	if (!p->a)
		return -ENOMEM;
	p->interval_ms = interval * 1000LL;
	snprintf(p->a[PEERS_OTHER].host, sizeof(p->a[PEERS_OTHER].host), "*");
	return 0;
}

void peers_free(struct peers *p)
{
	free(p->a);
	p->a = NULL;
}

/* The entry of @host, made if need be, with one more reference. */
struct peer_addr *peers_get(struct peers *p, const char *host, int64_t now)
{
	struct peer_addr *a, *free_a = NULL;

	for (size_t i = 0; i < PEERS_MAX; i++) {
		a = &p->a[i];
		if (a->host[0] && !strcmp(a->host, host))
			goto found;
		if (!free_a && (!a->host[0] || !in_use(a, now)))
			free_a = a;
	}
	a = free_a ? free_a : &p->a[PEERS_OTHER];
	if (free_a) {
		memset(a, 0, sizeof(*a));
		snprintf(a->host, sizeof(a->host), "%s", host);
	}
found:
	a->refs++;
	return a;
}

void peers_put(struct peer_addr *a)
{
	a->refs--;
}

/*
 * Count a refusal of an unauthenticated connection from @a for @why.
 * Return: true when it is the first for @why in this interval and its
 * record is to be written in full; false when it was only counted.
 */
bool peers_refused(struct peers *p, struct peer_addr *a, const char *why, int64_t now)
{
	size_t i;

	/* A new interval, unless the last one's count still waits for its record. */
	if (a->window_end <= now && !a->counted) {
		a->window_end = now + p->interval_ms;
		a->nreasons = 0;
	}
	for (i = 0; i < a->nreasons; i++)
		if (!strcmp(a->reason[i], why))
			break;
	if (i == a->nreasons && i < PEER_REASONS) {
		snprintf(a->reason[i], sizeof(a->reason[i]), "%s", why);
		a->nreasons++;
		return true;
	}
	a->count[i]++;	/* i == PEER_REASONS: reasons past the first few, together */
	a->counted++;
	return false;
}

/*
 * The "refusals" record of the next address whose interval has ended with
 * refusals counted and not written, from *@pos on; NULL when none is left.
 */
struct json_object *peers_summary(struct peers *p, int64_t now, size_t *pos)
{
	struct json_object *f, *reasons;
	struct peer_addr *a;

	for (; *pos <= PEERS_MAX; (*pos)++) {
		a = &p->a[*pos];
		if (!a->counted || a->window_end > now)
			continue;
		f = json_object_new_object();
		reasons = json_object_new_object();
		if (!f || !reasons) {
			json_object_put(f);
			json_object_put(reasons);
			return NULL;
		}
		json_object_object_add(f, "address", json_object_new_string(a->host));
		json_object_object_add(f, "interval", json_object_new_int64(p->interval_ms / 1000));
		json_object_object_add(f, "count", json_object_new_uint64(a->counted));
		for (size_t i = 0; i <= PEER_REASONS; i++)
			if (a->count[i])
				json_object_object_add(reasons, i < a->nreasons ? a->reason[i] : "other",
						       json_object_new_uint64(a->count[i]));
		json_object_object_add(f, "reasons", reasons);
		memset(a->count, 0, sizeof(a->count));
		a->counted = 0;
		a->nreasons = 0;
		a->window_end = 0;
		(*pos)++;
		return f;
	}
	return NULL;
}
