// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/fwverify/firmware/<name>/: what was decided for each firmware
 * name, and the verdict cache.  The table holds at most max_entries names;
 * the one used least recently goes first, so a flood of distinct names
 * costs a bounded amount of memory.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "audit.h"
#include "fwverify.h"
#include "lock.h"
#include "stats.h"
#include "table.h"

/* Reads kept per request: every firmware directory the loader tries. */
#define FWVERIFY_READS		6
/* Longest directory name; longer names are cut and made unique by a hash. */
#define FWVERIFY_DIRNAME_MAX	200

static unsigned int fwverify_max_entries = 256;

static int fwverify_max_entries_set(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int n;
	int err = kstrtouint(val, 0, &n);

	if (err)
		return err;
	err = fwverify_change_begin();
	if (err)
		return err;
	if (xchg(&fwverify_max_entries, n) != n)
		fwverify_audit_change("max_entries", n);
	fwverify_change_end();
	return 0;
}

static const struct kernel_param_ops fwverify_max_entries_ops = {
	.set = fwverify_max_entries_set,
	.get = param_get_uint,
};
module_param_cb(max_entries, &fwverify_max_entries_ops, &fwverify_max_entries,
		0644);
MODULE_PARM_DESC(max_entries, "most firmware names reported under /sys/kernel/fwverify/firmware/ (default 256)");

struct fwverify_read {
	char *path;
	bool denied;
	enum fwverify_source source;
	struct fwverify_verdict v;
};

struct fwverify_entry {
	struct kobject kobj;
	struct list_head node;		/* in fwverify_table, oldest first */
	struct hlist_node known;	/* in fwverify_table_names, by @raw */
	struct rcu_head rcu;
	char *raw;			/* the name as requested */
	char *name;			/* as requested, escaped */
	u64 loads;
	time64_t last_load;
	const void *task;		/* that made the latest request */
	unsigned long when;		/* jiffies of its last read */
	unsigned int nreads;		/* reads of the latest request */
	u64 seq;			/* its order (fwverify_table_seq()) */
	struct fwverify_read reads[FWVERIFY_READS];
};

/* Orders the loads reported: cached ones reach the table after others. */
static atomic64_t fwverify_seq = ATOMIC64_INIT(0);

/**
 * fwverify_table_seq() - the place of a load in the order of all loads
 *
 * Return: a number larger than any returned before.
 */
u64 fwverify_table_seq(void)
{
	return atomic64_inc_return(&fwverify_seq);
}

static LIST_HEAD(fwverify_table);
static DEFINE_MUTEX(fwverify_table_lock);
/* The names in the table, for fwverify_table_has() (RCU readers). */
static DEFINE_HASHTABLE(fwverify_table_names, 8);
static unsigned int fwverify_table_len;
static struct kobject *fwverify_table_kobj;

/*
 * Loads are written into the table after they return (report.c), the
 * verdict cache's hits when someone reads it: readers drain what waits
 * first (fwverify_table_set_drain()), to see every load that returned
 * before.
 */
static void (*fwverify_table_drain)(void);

/**
 * fwverify_table_set_drain() - what readers of the table run first
 * @drain: reports what waits to be written into the table, or NULL
 */
void fwverify_table_set_drain(void (*drain)(void))
{
	fwverify_table_drain = drain;
}

/* Write everything reported so far into the table. */
static void fwverify_table_flush(void)
{
	/* Set once at init, before anything reads the table. */
	if (fwverify_table_drain)
		fwverify_table_drain();
}

static struct fwverify_entry *to_entry(struct kobject *kobj)
{
	return container_of(kobj, struct fwverify_entry, kobj);
}

static const struct fwverify_read *fwverify_last_read(struct fwverify_entry *e)
{
	return e->nreads ? &e->reads[e->nreads - 1] : NULL;
}

static ssize_t fwverify_entry_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct fwverify_entry *e = to_entry(kobj);
	const struct fwverify_read *r;
	const char *f = attr->attr.name;
	ssize_t len = 0;
	unsigned int i;

	fwverify_table_flush();
	mutex_lock(&fwverify_table_lock);
	r = fwverify_last_read(e);
	if (!strcmp(f, "name"))
		len = sysfs_emit(buf, "%s\n", e->name);
	else if (!strcmp(f, "loads"))
		len = sysfs_emit(buf, "%llu\n", e->loads);
	else if (!strcmp(f, "last_load"))
		len = sysfs_emit(buf, "%lld\n", (long long)e->last_load);
	else if (!r)
		len = sysfs_emit(buf, "\n");
	else if (!strcmp(f, "result"))
		len = sysfs_emit(buf, "%s\n", fwverify_result_name(r->v.result));
	else if (!strcmp(f, "action"))
		len = sysfs_emit(buf, "%s\n", fwverify_action_name(r->denied));
	else if (!strcmp(f, "signer"))
		len = sysfs_emit(buf, "%s\n", r->v.signer);
	else if (!strcmp(f, "digest"))
		len = r->v.have_digest ?
		      sysfs_emit(buf, "sha256:%*phN\n", SHA256_DIGEST_SIZE,
				 r->v.digest) : sysfs_emit(buf, "\n");
	else if (!strcmp(f, "size"))
		len = sysfs_emit(buf, "%lld\n", (long long)r->v.blob_id.size);
	else if (!strcmp(f, "path"))
		len = sysfs_emit(buf, "%s\n", r->path);
	else if (!strcmp(f, "reads"))
		for (i = 0; i < e->nreads; i++)
			len += sysfs_emit_at(buf, len, "%s %s %s%s\n",
					     e->reads[i].path,
					     fwverify_result_name(e->reads[i].v.result),
					     fwverify_action_name(e->reads[i].denied),
					     e->reads[i].v.cached ? " cached" : "");
	mutex_unlock(&fwverify_table_lock);
	return len;
}

#define FWVERIFY_ENTRY_ATTR(_var, _name)					\
	static struct kobj_attribute fwverify_entry_##_var =		\
		__ATTR(_name, 0444, fwverify_entry_show, NULL)

FWVERIFY_ENTRY_ATTR(name, name);
FWVERIFY_ENTRY_ATTR(result, result);
FWVERIFY_ENTRY_ATTR(action, action);
FWVERIFY_ENTRY_ATTR(signer, signer);
FWVERIFY_ENTRY_ATTR(digest, digest);
FWVERIFY_ENTRY_ATTR(size, size);
FWVERIFY_ENTRY_ATTR(path, path);
FWVERIFY_ENTRY_ATTR(loads, loads);
FWVERIFY_ENTRY_ATTR(last_load, last_load);
FWVERIFY_ENTRY_ATTR(reads, reads);

static struct attribute *fwverify_entry_attrs[] = {
	&fwverify_entry_name.attr,
	&fwverify_entry_result.attr,
	&fwverify_entry_action.attr,
	&fwverify_entry_signer.attr,
	&fwverify_entry_digest.attr,
	&fwverify_entry_size.attr,
	&fwverify_entry_path.attr,
	&fwverify_entry_loads.attr,
	&fwverify_entry_last_load.attr,
	&fwverify_entry_reads.attr,
	NULL
};
ATTRIBUTE_GROUPS(fwverify_entry);

static void fwverify_clear_reads(struct fwverify_entry *e)
{
	unsigned int i;

	for (i = 0; i < e->nreads; i++)
		kfree(e->reads[i].path);
	e->nreads = 0;
}

static void fwverify_entry_free(struct rcu_head *rcu)
{
	struct fwverify_entry *e = container_of(rcu, struct fwverify_entry,
						rcu);

	kfree(e->raw);
	kfree(e);
}

/* fwverify_table_has() may still be reading @raw: freed after it. */
static void fwverify_entry_release(struct kobject *kobj)
{
	struct fwverify_entry *e = to_entry(kobj);

	fwverify_clear_reads(e);
	kfree(e->name);
	call_rcu(&e->rcu, fwverify_entry_free);
}

static const struct kobj_type fwverify_entry_ktype = {
	.release = fwverify_entry_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = fwverify_entry_groups,
};

/*
 * The entry of the name @raw, as requested.  Caller holds
 * fwverify_table_lock, or an RCU read lock and makes no use of the entry
 * after it.
 */
static struct fwverify_entry *fwverify_find(const char *raw)
{
	struct fwverify_entry *e;

	hash_for_each_possible_rcu(fwverify_table_names, e, known,
				   jhash(raw, strlen(raw), 0),
				   lockdep_is_held(&fwverify_table_lock))
		if (!strcmp(e->raw, raw))
			return e;
	return NULL;
}

/*
 * The directory name for the escaped @name: '/' as '!', cut at
 * FWVERIFY_DIRNAME_MAX and made unique by a hash when cut or when asked.
 */
static char *fwverify_dirname(const char *name, bool force_hash)
{
	size_t len = strlen(name), keep = min_t(size_t, len, FWVERIFY_DIRNAME_MAX);
	char *dir = kmalloc(keep + 10, GFP_KERNEL), *p;

	if (!dir)
		return NULL;
	memcpy(dir, name, keep);
	dir[keep] = '\0';
	for (p = dir; *p; p++)
		if (*p == '/')
			*p = '!';
	if (force_hash || len > FWVERIFY_DIRNAME_MAX)
		snprintf(dir + keep, 10, "~%08x", jhash(name, len, 0));
	return dir;
}

/* Is there a directory @dir in the table already? */
static bool fwverify_dir_taken(const char *dir)
{
	struct kernfs_node *kn = sysfs_get_dirent(fwverify_table_kobj->sd, dir);

	if (!kn)
		return false;
	sysfs_put(kn);
	return true;
}

/*
 * A new entry for @raw, @name escaped, which it takes: freed with it, or
 * here.
 */
static struct fwverify_entry *fwverify_new_entry(const char *raw, char *name)
{
	struct fwverify_entry *e;
	char *dir;
	int err;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (e)
		e->raw = kstrdup(raw, GFP_KERNEL);
	if (!e || !e->raw) {
		kfree(e);
		kfree(name);
		return NULL;
	}
	e->name = name;
	kobject_init(&e->kobj, &fwverify_entry_ktype);
	dir = fwverify_dirname(name, false);
	/*
	 * "a/b" and "a!b" would share a directory name: the second gets the
	 * hashed one.  Looked up first, for sysfs warns with a stack trace
	 * of every name it is asked to create twice.
	 */
	if (dir && fwverify_dir_taken(dir)) {
		kfree(dir);
		dir = fwverify_dirname(name, true);
	}
	err = dir ? kobject_add(&e->kobj, fwverify_table_kobj, "%s", dir) :
		    -ENOMEM;
	kfree(dir);
	if (err) {
		kobject_put(&e->kobj);
		return NULL;
	}
	return e;
}

/* The name @ev is reported under, as requested. */
static const char *fwverify_event_raw(const struct fwverify_event *ev)
{
	return ev->name ?: ev->path ?: "(unknown)";
}

/**
 * fwverify_table_has() - does the table have an entry for @ev's name?
 * @ev: the event, named
 *
 * Lock-free, for the load path: an entry found may be evicted before it is
 * written to, and is then made again.
 *
 * Return: true if it has.
 */
bool fwverify_table_has(const struct fwverify_event *ev)
{
	bool found;

	rcu_read_lock();
	found = fwverify_find(fwverify_event_raw(ev));
	rcu_read_unlock();
	return found;
}

/**
 * fwverify_table_last_digest() - what the last allowed read of a name held
 * @ev: the event, named
 * @digest: set to the SHA-256 of the file that read allowed
 *
 * Return: true if the latest request of @ev's name allowed a read with a
 * digest.
 */
bool fwverify_table_last_digest(const struct fwverify_event *ev, u8 *digest)
{
	struct fwverify_entry *e;
	bool found = false;
	int i;

	fwverify_table_flush();
	mutex_lock(&fwverify_table_lock);
	e = fwverify_find(fwverify_event_raw(ev));
	for (i = e ? (int)e->nreads - 1 : -1; i >= 0 && !found; i--) {
		if (!e->reads[i].denied && e->reads[i].v.have_digest) {
			memcpy(digest, e->reads[i].v.digest, SHA256_DIGEST_SIZE);
			found = true;
		}
	}
	mutex_unlock(&fwverify_table_lock);
	return found;
}

/* Is @ev a further read of the request @e last saw, or a new request? */
static bool fwverify_same_request(struct fwverify_entry *e,
				  const struct fwverify_event *ev,
				  const struct fwverify_subject *who)
{
	unsigned int i;

	if (!e->nreads || e->task != who->task ||
	    e->nreads == FWVERIFY_READS || time_after(who->when, e->when + HZ))
		return false;
	for (i = 0; i < e->nreads; i++)
		if (ev->resolved && !strcmp(e->reads[i].path, ev->resolved))
			return false;
	return true;
}

/*
 * Entries evicted, removed by a work item of their own: removal waits for
 * readers of the entry's files, and a reader waits for the hits to be
 * drained (fwverify_table_flush()), which may evict.
 */
static LIST_HEAD(fwverify_evicted);
static DEFINE_SPINLOCK(fwverify_evicted_lock);

static void fwverify_evict(struct work_struct *work)
{
	struct fwverify_entry *e, *tmp;
	LIST_HEAD(list);

	spin_lock(&fwverify_evicted_lock);
	list_splice_init(&fwverify_evicted, &list);
	spin_unlock(&fwverify_evicted_lock);
	list_for_each_entry_safe(e, tmp, &list, node) {
		list_del(&e->node);
		kobject_put(&e->kobj);
	}
}

static DECLARE_WORK(fwverify_evict_work, fwverify_evict);

/*
 * The entry of the name @raw, as requested, made if there is none, as the
 * most recently used.  Caller holds fwverify_table_lock.
 */
static struct fwverify_entry *fwverify_entry_get(const char *raw)
{
	struct fwverify_entry *e = fwverify_find(raw), *evict;
	bool evicted = false;
	char *name;

	if (e) {
		list_move_tail(&e->node, &fwverify_table);
		return e;
	}
	name = fwverify_escape(raw, 0, GFP_KERNEL);
	if (!name)
		return NULL;
	e = fwverify_new_entry(raw, name);
	if (!e)
		return NULL;
	list_add_tail(&e->node, &fwverify_table);
	hash_add_rcu(fwverify_table_names, &e->known,
		     jhash(raw, strlen(raw), 0));
	fwverify_table_len++;
	/* max_entries may have been lowered: evict down to it. */
	spin_lock(&fwverify_evicted_lock);
	while (fwverify_table_len > max(fwverify_max_entries, 1U)) {
		evict = list_first_entry(&fwverify_table, struct fwverify_entry,
					 node);
		list_move_tail(&evict->node, &fwverify_evicted);
		hash_del_rcu(&evict->known);
		fwverify_table_len--;
		evicted = true;
	}
	spin_unlock(&fwverify_evicted_lock);
	if (evicted)
		schedule_work(&fwverify_evict_work);
	return e;
}

/**
 * fwverify_table_record() - report a decision in the firmware table
 * @ev: the decision
 * @who: who made it happen, and when
 */
void fwverify_table_record(const struct fwverify_event *ev,
			   const struct fwverify_subject *who)
{
	struct fwverify_entry *e;
	struct fwverify_read *r;
	char *path;

	path = fwverify_escape(ev->resolved ?: ev->path ?: "", 0, GFP_KERNEL);
	if (!path)
		return;

	mutex_lock(&fwverify_table_lock);
	e = fwverify_entry_get(fwverify_event_raw(ev));
	if (!e)
		goto unlock;
	if (who->seq < e->seq) {
		/* A later load of the name is shown already (a cached one). */
		e->loads++;
		goto unlock;
	}
	if (!fwverify_same_request(e, ev, who)) {
		fwverify_clear_reads(e);
		e->loads++;
	}
	r = &e->reads[e->nreads++];
	r->path = path;
	path = NULL;
	r->denied = ev->deny;
	r->source = ev->source;
	r->v = ev->v;
	e->seq = who->seq;
	e->task = who->task;
	e->when = who->when;
	e->last_load = who->time;
unlock:
	mutex_unlock(&fwverify_table_lock);
	kfree(path);
}

/**
 * fwverify_table_hits() - report cached loads in the firmware table
 * @name: the firmware name, as requested
 * @resolved: the file's path
 * @source: how the loads read it
 * @v: the cached verdict
 * @n: how many loads
 * @when: the time of the last, in seconds
 * @seq: the place of the last in the order of loads (fwverify_table_seq())
 *
 * Called after the loads, from the cache's work item: each load is one
 * request, allowed.  The last one's read is shown unless a later load of
 * the name was reported already.
 */
void fwverify_table_hits(const char *name, const char *resolved,
			 enum fwverify_source source,
			 const struct fwverify_verdict *v, unsigned int n,
			 time64_t when, u64 seq)
{
	char *path = fwverify_escape(resolved, 0, GFP_KERNEL);
	struct fwverify_entry *e;
	struct fwverify_read *r;

	if (!path)
		return;
	mutex_lock(&fwverify_table_lock);
	e = fwverify_entry_get(name);
	if (e)
		e->loads += n;
	if (e && seq > e->seq) {
		fwverify_clear_reads(e);
		r = &e->reads[e->nreads++];
		r->path = path;
		path = NULL;
		r->denied = false;
		r->source = source;
		r->v = *v;
		r->v.cached = true;
		e->seq = seq;
		e->task = NULL;
		e->last_load = when;
	}
	mutex_unlock(&fwverify_table_lock);
	kfree(path);
}

/**
 * fwverify_table_init() - make /sys/kernel/fwverify/firmware/
 *
 * Return: 0, or -ENOMEM.
 */
int fwverify_table_init(void)
{
	fwverify_table_kobj = kobject_create_and_add("firmware", fwverify_kobj);
	return fwverify_table_kobj ? 0 : -ENOMEM;
}

/**
 * fwverify_table_exit() - remove /sys/kernel/fwverify/firmware/
 *
 * Nothing reports into the table any more (the verdict cache is gone).
 */
void fwverify_table_exit(void)
{
	struct fwverify_entry *e, *tmp;

	flush_work(&fwverify_evict_work);
	list_for_each_entry_safe(e, tmp, &fwverify_table, node) {
		list_del(&e->node);
		hash_del_rcu(&e->known);
		kobject_put(&e->kobj);
	}
	kobject_put(fwverify_table_kobj);
	/* fwverify_entry_free() is this module's code. */
	rcu_barrier();
}
