// SPDX-License-Identifier: GPL-2.0
/*
 * Where a decision goes: the counters (stats.c), a rate-limited kernel log
 * line for what failed, the firmware table (table.c), an audit record
 * (audit.c) and a uevent (uevent.c).  The one place that fans a decision
 * out, and the one that decides what waits until after the load.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "audit.h"
#include "cache.h"
#include "fwverify.h"
#include "report.h"
#include "stats.h"
#include "table.h"
#include "uevent.h"

static DEFINE_RATELIMIT_STATE(fwverify_log_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

static void fwverify_log_failure(const struct fwverify_event *ev)
{
	char *where;

	if (!__ratelimit(&fwverify_log_rs))
		return;
	where = fwverify_escape(ev->resolved ?: ev->name ?: "(unknown)", 0,
				GFP_KERNEL);
	pr_warn("%s: %s (%s, %d), %s\n", where ?: "(unnamed)",
		fwverify_result_name(ev->v.result), ev->v.reason, ev->v.err,
		fwverify_action_name(ev->deny));
	kfree(where);
}

/*
 * Verified firmware is audited and announced once per cached verdict (as
 * IMA audits once per inode), not at every load it decides; anything else
 * at every load.
 */
static bool fwverify_announced(const struct fwverify_event *ev)
{
	return !ev->v.cached || ev->v.result != FWVERIFY_VERIFIED;
}

/* Announce a decision: audit record, uevent. */
static void fwverify_report_out(const struct fwverify_event *ev,
				const struct fwverify_subject *who)
{
	fwverify_audit(ev, who);
	fwverify_uevent(ev);
}

/*
 * A decision on its way out, with its own copy of the event's strings: to
 * be written into the firmware table (on fwverify_tabled), announced (on
 * fwverify_pending), or both; freed by the last of them.
 */
struct fwverify_pending {
	struct llist_node node;		/* on fwverify_pending */
	struct llist_node table_node;	/* on fwverify_tabled */
	refcount_t ref;
	struct fwverify_event ev;
	struct fwverify_subject who;
	char strs[];		/* the event's strings */
};

static LLIST_HEAD(fwverify_pending);
static LLIST_HEAD(fwverify_tabled);

static void fwverify_pending_put(struct fwverify_pending *p)
{
	if (!refcount_dec_and_test(&p->ref))
		return;
	kfree(p);
}

/* Write the decisions waiting for it into the firmware table. */
static void fwverify_report_tabulate(void)
{
	static DEFINE_MUTEX(tabulate_lock);	/* a second reader waits */
	struct fwverify_pending *p, *tmp;
	struct llist_node *list;

	mutex_lock(&tabulate_lock);
	/* Oldest first: llist_add() pushes at the head. */
	list = llist_reverse_order(llist_del_all(&fwverify_tabled));
	llist_for_each_entry_safe(p, tmp, list, table_node) {
		fwverify_table_record(&p->ev, &p->who);
		fwverify_pending_put(p);
	}
	mutex_unlock(&tabulate_lock);
}

/**
 * fwverify_report_drain() - write every load so far into the firmware table
 *
 * What readers of the table run first (fwverify_table_set_drain()): the
 * decisions reported since the last drain, then the verdict cache's hits.
 */
void fwverify_report_drain(void)
{
	fwverify_report_tabulate();
	fwverify_cache_drain();
}

static void fwverify_report_pending(struct work_struct *work)
{
	struct llist_node *list;
	struct fwverify_pending *p, *tmp;

	fwverify_report_tabulate();
	list = llist_reverse_order(llist_del_all(&fwverify_pending));
	llist_for_each_entry_safe(p, tmp, list, node) {
		fwverify_report_out(&p->ev, &p->who);
		fwverify_pending_put(p);
	}
}

/*
 * A jiffy later: queued at once, the work item would wake a worker on the
 * driver's time at every load; a timer costs the load nothing, and the
 * decisions of a burst of loads go out together.  Not later: udev and
 * whoever waits for it (udevadm settle after a load) see the uevent
 * about as soon as the driver has its answer.
 */
static DECLARE_DELAYED_WORK(fwverify_report_work, fwverify_report_pending);
#define FWVERIFY_REPORT_DELAY	1

/* A copy of @ev that outlives it: strings copied, nothing else kept. */
static struct fwverify_pending *fwverify_pending_new(const struct fwverify_event *ev)
{
	struct fwverify_pending *p;
	char *at;

	p = kzalloc(struct_size(p, strs, fwverify_str_size(ev->name) +
				fwverify_str_size(ev->resolved) +
				fwverify_str_size(ev->path)), GFP_KERNEL);
	if (!p)
		return NULL;
	p->ev.source = ev->source;
	p->ev.deny = ev->deny;
	p->ev.v = ev->v;
	at = p->strs;
	p->ev.name = fwverify_str_pack(&at, ev->name);
	p->ev.resolved = fwverify_str_pack(&at, ev->resolved);
	p->ev.path = fwverify_str_pack(&at, ev->path);
	refcount_set(&p->ref, 1);
	return p;
}

/**
 * fwverify_report() - count, log, tabulate, audit and announce a decision
 * @ev: the event, decided
 *
 * The counters and the log line of a failure are written before the load
 * returns, the log line beside the driver's own.  So is the firmware
 * table's entry of a name it has no directory for: that directory must
 * exist when a reader looks it up, and no lookup can wait for it.  A name
 * it has is updated after the load, by whoever reads the table first
 * (fwverify_report_drain()) or by the work item, which also sends the
 * audit record and the uevent, a jiffy after the load, in the order of
 * the decisions.  Short of memory for the copy, all is done here.
 */
void fwverify_report(const struct fwverify_event *ev)
{
	struct fwverify_pending *p;
	struct fwverify_subject who;
	bool tabled, announce;

	fwverify_stat_inc((enum fwverify_stat)ev->v.result);
	fwverify_stat_inc(ev->deny ? FWVERIFY_STAT_DENIED :
				     FWVERIFY_STAT_ALLOWED);
	if (ev->v.cached)
		fwverify_stat_inc(FWVERIFY_STAT_CACHED);
	if (ev->v.result != FWVERIFY_VERIFIED)
		fwverify_log_failure(ev);
	else
		pr_debug("%s: verified\n", ev->resolved ?: "?");
	fwverify_subject_now(&who, fwverify_table_seq());
	tabled = fwverify_table_has(ev);
	if (!tabled)
		fwverify_table_record(ev, &who);
	announce = fwverify_announced(ev);
	if (!tabled && !announce)
		return;
	p = fwverify_pending_new(ev);
	if (!p) {
		if (tabled)
			fwverify_table_record(ev, &who);
		if (announce)
			fwverify_report_out(ev, &who);
		return;
	}
	p->who = who;
	if (tabled && announce)
		refcount_inc(&p->ref);
	if (tabled)
		llist_add(&p->table_node, &fwverify_tabled);
	if (announce)
		llist_add(&p->node, &fwverify_pending);
	queue_delayed_work(system_unbound_wq, &fwverify_report_work,
			   FWVERIFY_REPORT_DELAY);
}

/**
 * fwverify_report_exit() - tabulate and send what waits, at module exit
 *
 * Nothing decides any more: the hooks are gone.
 */
void fwverify_report_exit(void)
{
	flush_delayed_work(&fwverify_report_work);
}

/**
 * fwverify_report_cached() - count a load the verdict cache decided alone
 *
 * A verified file, unchanged since: counted as verified, allowed and
 * cached.  The firmware table hears of it from the cache; it is not audited
 * or announced again.
 */
void fwverify_report_cached(void)
{
	fwverify_stat_inc((enum fwverify_stat)FWVERIFY_VERIFIED);
	fwverify_stat_inc(FWVERIFY_STAT_ALLOWED);
	fwverify_stat_inc(FWVERIFY_STAT_CACHED);
}
