// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict cache.  An entry is the verdict on one file (its inode and
 * change counter, fwverify_file_id()) read by one path, under one
 * generation of keys, revocations and policy.  Lookups are RCU; a hit on a
 * verified file is the whole of a cached load: no name, no signature file,
 * no allocation, no work item.  What hits report (the firmware table) is
 * written when someone reads the table, which drains them first.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/iversion.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/magic.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "cache.h"
#include "keyring.h"
#include "table.h"

/* Most entries kept; the oldest goes first. */
#define FWVERIFY_CACHE_MAX	1024

struct fwverify_cached {
	struct hlist_node node;		/* in fwverify_cache_table */
	struct list_head age;		/* in fwverify_cache_ages, oldest first */
	struct rcu_head rcu;
	refcount_t ref;			/* the table's, and a queued hit's */
	u32 hash;
	struct fwverify_cache_key key;	/* key.path: @path */
	char *path;
	struct fwverify_modes modes;	/* the policy rules of the path */
	struct fwverify_verdict v;
	char *name;			/* for the firmware table */
	char *resolved;
	/* Hits not yet in the firmware table. */
	atomic_t hits;
	time64_t last_hit;
	u64 last_seq;			/* fwverify_table_seq() of the last */
	unsigned long queued;		/* bit 0: on fwverify_hits */
	struct llist_node hit_node;
	char strs[];			/* @path, @name and @resolved */
};

static DEFINE_HASHTABLE(fwverify_cache_table, 8);
static LIST_HEAD(fwverify_cache_ages);
static DEFINE_SPINLOCK(fwverify_cache_lock);
static unsigned int fwverify_cache_len;

static LLIST_HEAD(fwverify_hits);

/*
 * Can a change to a file on @sb be told from its change counter?  Only on a
 * local filesystem that keeps one (i_version: ext4 on 6.2+ or with
 * "iversion", xfs, btrfs); not FUSE, whose server writes unseen, nor
 * filesystems without a device (tmpfs, overlayfs, network filesystems).
 * Timestamps are no substitute: root sets the clock.
 */
static bool fwverify_counts_changes(const struct super_block *sb)
{
	return (sb->s_flags & SB_I_VERSION) &&
	       (sb->s_type->fs_flags & FS_REQUIRES_DEV) &&
	       sb->s_magic != FUSE_SUPER_MAGIC;
}

/**
 * fwverify_file_id() - identity of what @path holds now
 * @path: a file
 * @id: set to its identity
 *
 * Taken before the file is read: a write after it moves the counter, so a
 * verdict kept under it can only be lost, never wrongly reused.  Not
 * subject to the LSMs' getattr check: this is fwverify's own look at a
 * file the loader has open, not a caller's.
 *
 * Return: false if it cannot be had.
 */
bool fwverify_file_id(const struct path *path, struct fwverify_file_id *id)
{
	struct inode *inode = d_backing_inode(path->dentry);
	struct kstat st;

	memset(id, 0, sizeof(*id));	/* no padding: ids are memcmp()ed */
	if (vfs_getattr_nosec(path, &st, STATX_BASIC_STATS,
			      AT_STATX_SYNC_AS_STAT))
		return false;
	id->dev = st.dev;
	id->ino = st.ino;
	id->size = st.size;
	id->generation = inode->i_generation;
	if (fwverify_counts_changes(inode->i_sb)) {
		id->change = inode_query_iversion(inode);
		id->counted = true;
	}
	return true;
}

/**
 * fwverify_cache_generation() - the generation verdicts are kept under
 *
 * Keys are only ever added to .fwverify, by keyctl without fwverify: their
 * number tells a change too, added to fwverify_generation().
 *
 * Return: a number that changes with every change of keys, trust,
 * revocations, policy or limits.
 */
u64 fwverify_cache_generation(void)
{
	return fwverify_generation() + ((u64)fwverify_keyring_size() << 40);
}

/**
 * fwverify_cache_key_init() - the key of the verdict on @ev
 * @key: set; @key->path points into @ev
 * @ev: the event, with its verdict's file identity and generation set
 */
void fwverify_cache_key_init(struct fwverify_cache_key *key,
			     const struct fwverify_event *ev)
{
	key->id = ev->v.blob_id;
	key->generation = ev->v.generation;
	key->path = ev->path;
	key->source = ev->source;
	key->raw = ev->raw;
}

static u32 fwverify_cache_hash(const struct fwverify_cache_key *key)
{
	u32 h = jhash(key->path, strlen(key->path), 0);

	return jhash_3words((u32)key->id.ino, (u32)key->id.change,
			    (u32)key->generation, h);
}

static bool fwverify_cache_match(const struct fwverify_cached *c,
				 const struct fwverify_cache_key *key, u32 hash)
{
	return c->hash == hash &&
	       c->key.generation == key->generation &&
	       c->key.source == key->source && c->key.raw == key->raw &&
	       !memcmp(&c->key.id, &key->id, sizeof(key->id)) &&
	       !strcmp(c->path, key->path);
}

/* Caller holds rcu_read_lock(). */
static struct fwverify_cached *
fwverify_cache_find(const struct fwverify_cache_key *key)
{
	struct fwverify_cached *c;
	u32 hash;

	if (!key->id.counted || !key->path)
		return NULL;
	hash = fwverify_cache_hash(key);
	hash_for_each_possible_rcu(fwverify_cache_table, c, node, hash)
		if (fwverify_cache_match(c, key, hash))
			return c;
	return NULL;
}

static void fwverify_cached_free(struct rcu_head *rcu)
{
	struct fwverify_cached *c = container_of(rcu, struct fwverify_cached,
						 rcu);

	kfree(c);
}

static void fwverify_cached_put(struct fwverify_cached *c)
{
	if (refcount_dec_and_test(&c->ref))
		call_rcu(&c->rcu, fwverify_cached_free);
}

/* A hit, to be reported in the firmware table after the load. */
static void fwverify_cache_note_hit(struct fwverify_cached *c)
{
	WRITE_ONCE(c->last_seq, fwverify_table_seq());
	WRITE_ONCE(c->last_hit, ktime_get_real_seconds());
	atomic_inc(&c->hits);
	if (test_and_set_bit(0, &c->queued))
		return;
	if (!refcount_inc_not_zero(&c->ref))
		return;		/* on its way out: nothing to report into */
	llist_add(&c->hit_node, &fwverify_hits);
}

/**
 * fwverify_cache_drain() - write the hits so far into the firmware table
 *
 * Nothing runs for a hit until someone reads the table (table.c calls
 * this first) or the module goes: a cached load costs no work item, and
 * each entry is written once for all its hits.  Entries wait at most one
 * each (FWVERIFY_CACHE_MAX in all).
 */
void fwverify_cache_drain(void)
{
	static DEFINE_MUTEX(drain_lock);	/* a second reader waits */
	struct fwverify_cached *c, *tmp;
	struct llist_node *list;
	unsigned int n;

	mutex_lock(&drain_lock);
	list = llist_del_all(&fwverify_hits);

	llist_for_each_entry_safe(c, tmp, list, hit_node) {
		clear_bit(0, &c->queued);
		smp_mb__after_atomic();	/* a hit after this queues again */
		n = atomic_xchg(&c->hits, 0);
		if (n)
			fwverify_table_hits(c->name, c->resolved, c->key.source,
					    &c->v, n, READ_ONCE(c->last_hit),
					    READ_ONCE(c->last_seq));
		fwverify_cached_put(c);
	}
	mutex_unlock(&drain_lock);
}

/**
 * fwverify_cache_verified() - is the file of @key verified, as before?
 * @key: the file, path, generation and form of the load
 * @mode: the mode parameter now
 *
 * The whole of a cached load of verified firmware: the hit is reported in
 * the firmware table after the load, unless the policy has fwverify off for
 * it.  A signature file is not looked at again: the bytes are those a
 * trusted key's signature was verified over, and a change of keys,
 * revocations or policy is a new generation.
 *
 * Return: whether it was a hit, and whether to report it.
 */
enum fwverify_cache_hit
fwverify_cache_verified(const struct fwverify_cache_key *key,
			enum fwverify_mode mode)
{
	enum fwverify_cache_hit hit = FWVERIFY_CACHE_MISS;
	struct fwverify_cached *c;

	rcu_read_lock();
	c = fwverify_cache_find(key);
	if (c && c->v.result == FWVERIFY_VERIFIED) {
		hit = FWVERIFY_CACHE_HIT_OFF;
		if (fwverify_modes_pick(&c->modes, mode) != FWVERIFY_MODE_OFF) {
			fwverify_cache_note_hit(c);
			hit = FWVERIFY_CACHE_HIT;
		}
	}
	rcu_read_unlock();
	return hit;
}

/**
 * fwverify_cache_lookup() - the verdict on an unchanged file and signature
 * @key: the file, path, generation and form of the load
 * @v: with the identity of the signature file found now (sig_id.ino 0:
 *     none); filled from the cache on a hit
 *
 * A verified verdict is reused whatever the signature file is now, as by
 * fwverify_cache_verified(); any other only with the same signature file.
 *
 * Return: true on a hit.
 */
bool fwverify_cache_lookup(const struct fwverify_cache_key *key,
			   struct fwverify_verdict *v)
{
	struct fwverify_cached *c;
	bool hit = false;

	rcu_read_lock();
	c = fwverify_cache_find(key);
	/* A verified verdict is on the bytes (fwverify_cache_verified()). */
	if (c && (c->v.result == FWVERIFY_VERIFIED ||
		  !memcmp(&c->v.sig_id, &v->sig_id, sizeof(v->sig_id)))) {
		*v = c->v;
		v->cached = true;
		hit = true;
	}
	rcu_read_unlock();
	return hit;
}

/* Caller holds fwverify_cache_lock. */
static void fwverify_cache_unlink(struct fwverify_cached *c)
{
	hash_del_rcu(&c->node);
	list_del(&c->age);
	fwverify_cache_len--;
	fwverify_cached_put(c);
}

/**
 * fwverify_cache_insert() - keep the verdict on @ev
 * @key: its key (fwverify_cache_key_init())
 * @ev: the event, decided
 *
 * Kept only when a change counter vouches for the file and for its
 * signature, and nothing transient decided the verdict.
 */
void fwverify_cache_insert(const struct fwverify_cache_key *key,
			   const struct fwverify_event *ev)
{
	const char *name = ev->name ?: ev->path;
	const char *resolved = ev->resolved ?: ev->path;
	struct fwverify_cached *c, *old;
	char *at;
	u32 hash;

	if (!ev->file || !ev->v.cacheable || !key->id.counted ||
	    (ev->v.sig_id.ino && !ev->v.sig_id.counted) || !key->path ||
	    !name || !resolved)
		return;
	c = kzalloc(struct_size(c, strs, fwverify_str_size(key->path) +
				fwverify_str_size(name) +
				fwverify_str_size(resolved)), GFP_KERNEL);
	if (!c)
		return;
	at = c->strs;
	c->path = fwverify_str_pack(&at, key->path);
	c->name = fwverify_str_pack(&at, name);
	c->resolved = fwverify_str_pack(&at, resolved);
	c->key = *key;
	c->key.path = c->path;
	hash = fwverify_cache_hash(key);
	c->hash = hash;
	c->modes = ev->modes;
	c->v = ev->v;
	c->v.cached = false;
	refcount_set(&c->ref, 1);

	spin_lock(&fwverify_cache_lock);
	hash_for_each_possible(fwverify_cache_table, old, node, hash) {
		if (fwverify_cache_match(old, key, hash)) {
			fwverify_cache_unlink(old);
			break;
		}
	}
	hash_add_rcu(fwverify_cache_table, &c->node, hash);
	list_add_tail(&c->age, &fwverify_cache_ages);
	if (++fwverify_cache_len > FWVERIFY_CACHE_MAX)
		fwverify_cache_unlink(list_first_entry(&fwverify_cache_ages,
						       struct fwverify_cached,
						       age));
	spin_unlock(&fwverify_cache_lock);
}

/**
 * fwverify_cache_exit() - report the last hits and forget every verdict
 */
void fwverify_cache_exit(void)
{
	struct fwverify_cached *c, *tmp;

	fwverify_cache_drain();
	spin_lock(&fwverify_cache_lock);
	list_for_each_entry_safe(c, tmp, &fwverify_cache_ages, age)
		fwverify_cache_unlink(c);
	spin_unlock(&fwverify_cache_lock);
	rcu_barrier();
}
