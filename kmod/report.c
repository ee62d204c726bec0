// SPDX-License-Identifier: GPL-2.0
/*
 * Where a decision goes: the counters (stats.c), a rate-limited kernel log
 * line for what failed, the firmware table (table.c), an audit record
 * (audit.c) and a uevent (uevent.c).  The one place that fans a decision
 * out.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>

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

/**
 * fwverify_report() - count, log, tabulate, audit and announce a decision
 * @ev: the event, decided
 */
void fwverify_report(const struct fwverify_event *ev)
{
	fwverify_stat_inc((enum fwverify_stat)ev->v.result);
	fwverify_stat_inc(ev->deny ? FWVERIFY_STAT_DENIED :
				     FWVERIFY_STAT_ALLOWED);
	if (ev->v.cached)
		fwverify_stat_inc(FWVERIFY_STAT_CACHED);
	if (ev->v.result != FWVERIFY_VERIFIED)
		fwverify_log_failure(ev);
	else
		pr_debug("%s: verified\n", ev->resolved ?: "?");
	fwverify_table_record(ev);
	/*
	 * Verified firmware is audited and announced once per cached verdict
	 * (as IMA audits once per inode), not at every load it decides;
	 * anything else at every load.
	 */
	if (!ev->v.cached || ev->v.result != FWVERIFY_VERIFIED) {
		fwverify_audit(ev);
		fwverify_uevent(ev);
	}
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
