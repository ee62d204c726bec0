/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verdict cache: what was decided on a file the loader read, kept
 * while nothing it depends on changed, so that a repeated load of verified
 * firmware costs a hash table lookup.
 */
#ifndef _FWVERIFY_CACHE_H
#define _FWVERIFY_CACHE_H

#include "fwverify.h"

struct path;

/* What a verdict was reached on: the file as the loader asked for it. */
struct fwverify_cache_key {
	struct fwverify_file_id id;	/* the file's contents */
	u64 generation;			/* keys, revocations, policy */
	const char *path;		/* the path the loader read */
	enum fwverify_source source;
	bool raw;			/* handed over as stored */
};

bool fwverify_file_id(const struct path *path, struct fwverify_file_id *id);
u64 fwverify_cache_generation(void);
void fwverify_cache_key_init(struct fwverify_cache_key *key,
			     const struct fwverify_event *ev);
/* What a cache lookup for a load found. */
enum fwverify_cache_hit {
	FWVERIFY_CACHE_MISS,
	FWVERIFY_CACHE_HIT,	/* verified before: allowed, and reported */
	FWVERIFY_CACHE_HIT_OFF,	/* verified before: allowed; policy says off */
};

enum fwverify_cache_hit
fwverify_cache_verified(const struct fwverify_cache_key *key,
			enum fwverify_mode mode);
bool fwverify_cache_lookup(const struct fwverify_cache_key *key,
			   struct fwverify_verdict *v);
void fwverify_cache_insert(const struct fwverify_cache_key *key,
			   const struct fwverify_event *ev);
void fwverify_cache_drain(void);
void fwverify_cache_exit(void);

#endif /* _FWVERIFY_CACHE_H */
