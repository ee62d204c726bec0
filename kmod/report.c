// SPDX-License-Identifier: GPL-2.0
/*
 * Where a decision goes: the counters (stats.c), a rate-limited kernel log
 * line for what failed, the firmware table (table.c), an audit record
 * (audit.c) and a uevent (uevent.c).  The one place that fans a decision
 * out.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/llist.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "audit.h"
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

/* A decision on its way out, with its own copy of the event's strings. */
struct fwverify_pending {
	struct llist_node node;
	struct fwverify_event ev;
	struct fwverify_subject who;
};

static LLIST_HEAD(fwverify_pending);

static void fwverify_pending_free(struct fwverify_pending *p)
{
	kfree(p->ev.name);
	kfree(p->ev.resolved);
	kfree(p->ev.path);
	kfree(p);
}

static void fwverify_report_pending(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&fwverify_pending);
	struct fwverify_pending *p, *tmp;

	/* Oldest first: llist_add() pushes at the head. */
	list = llist_reverse_order(list);
	llist_for_each_entry_safe(p, tmp, list, node) {
		fwverify_report_out(&p->ev, &p->who);
		fwverify_pending_free(p);
	}
}

/*
 * A jiffy later: queued at once, the work item would wake a worker on the
 * driver's time at every load; a timer costs the load nothing, and the
 * decisions of a burst of loads go out together.
 */
static DECLARE_DELAYED_WORK(fwverify_report_work, fwverify_report_pending);
#define FWVERIFY_REPORT_DELAY	1

/* A copy of @ev that outlives it: strings copied, nothing else kept. */
static struct fwverify_pending *fwverify_pending_new(const struct fwverify_event *ev)
{
	struct fwverify_pending *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->ev.source = ev->source;
	p->ev.deny = ev->deny;
	p->ev.v = ev->v;
	p->ev.name = ev->name ? kstrdup(ev->name, GFP_KERNEL) : NULL;
	p->ev.resolved = ev->resolved ? kstrdup(ev->resolved, GFP_KERNEL) :
					NULL;
	p->ev.path = ev->path ? kstrdup(ev->path, GFP_KERNEL) : NULL;
	if ((ev->name && !p->ev.name) || (ev->resolved && !p->ev.resolved) ||
	    (ev->path && !p->ev.path)) {
		fwverify_pending_free(p);
		return NULL;
	}
	return p;
}

/**
 * fwverify_report() - count, log, tabulate, audit and announce a decision
 * @ev: the event, decided
 *
 * The counters, the log line of a failure and the firmware table are
 * written before the load returns: the log line beside the driver's own,
 * and a new name's directory must exist when a reader looks it up (no
 * lookup can wait for it).  The audit record and the uevent are sent by a
 * work item a jiffy after the load, in the order of the decisions; short of
 * memory for the copy, they are sent here.
 */
void fwverify_report(const struct fwverify_event *ev)
{
	struct fwverify_pending *p;
	struct fwverify_subject who;

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
	fwverify_table_record(ev, &who);
	if (!fwverify_announced(ev))
		return;
	p = fwverify_pending_new(ev);
	if (!p) {
		fwverify_report_out(ev, &who);
		return;
	}
	p->who = who;
	llist_add(&p->node, &fwverify_pending);
	queue_delayed_work(system_unbound_wq, &fwverify_report_work,
			   FWVERIFY_REPORT_DELAY);
}

/**
 * fwverify_report_exit() - send what waits to be sent, at module exit
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
