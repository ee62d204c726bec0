// SPDX-License-Identifier: GPL-2.0
/*
 * One audit record per decision, of type AUDIT_INTEGRITY_DATA (1800), the
 * type IMA uses for firmware and file integrity: `ausearch -m
 * INTEGRITY_DATA` finds fwverify's records beside IMA's.
 */
#include <linux/audit.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "audit.h"
#include "fwverify.h"

/*
 * " key=value" with an untrusted value, as audit_log_untrustedstring()
 * (not exported) writes it: in quotes if it is plain, else in hex.
 */
static void fwverify_audit_str(struct audit_buffer *ab, const char *key,
			       const char *s)
{
	size_t i, n = strlen(s), chunk;
	const u8 *p = (const u8 *)s;
	bool plain = n > 0;

	for (i = 0; i < n && plain; i++)
		plain = p[i] > 0x20 && p[i] < 0x7f && p[i] != '"';
	if (plain) {
		audit_log_format(ab, " %s=\"%s\"", key, s);
		return;
	}
	audit_log_format(ab, " %s=", key);
	for (i = 0; i < n; i += chunk) {
		chunk = min_t(size_t, n - i, 64);
		audit_log_format(ab, "%*phN", (int)chunk, p + i);
	}
	if (!n)
		audit_log_format(ab, "?");
}

/**
 * fwverify_audit() - one audit record for a decision
 * @ev: the event, decided
 * @who: the task that loaded, as IMA names it (pid, uid, auid, ses, comm):
 *	 the record is written after the load, by another task
 */
void fwverify_audit(const struct fwverify_event *ev,
		    const struct fwverify_subject *who)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_INTEGRITY_DATA);
	if (!ab)
		return;
	audit_log_format(ab, "op=fwverify source=%s",
			 fwverify_source_name(ev->source));
	audit_log_format(ab, " pid=%d uid=%u auid=%u ses=%u", who->pid,
			 who->uid, who->auid, who->ses);
	fwverify_audit_str(ab, "comm", who->comm);
	fwverify_audit_str(ab, "name", ev->name ?: "");
	fwverify_audit_str(ab, "path", ev->resolved ?: ev->path ?: "");
	audit_log_format(ab, " result=%s action=%s",
			 fwverify_result_name(ev->v.result),
			 fwverify_action_name(ev->deny));
	fwverify_audit_str(ab, "signer", ev->v.signer);
	if (ev->v.have_digest)
		audit_log_format(ab, " digest=sha256:%*phN", SHA256_DIGEST_SIZE,
				 ev->v.digest);
	else
		audit_log_format(ab, " digest=?");
	audit_log_format(ab, " res=%d", !ev->deny);
	audit_log_end(ab);
}

/**
 * fwverify_audit_change() - one audit record for a change of configuration
 * @what: what changed: mode, trust, policy, revocations, lock, a limit
 * @value: its new value, or a count
 */
void fwverify_audit_change(const char *what, unsigned long value)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_INTEGRITY_DATA);
	if (!ab)
		return;
	audit_log_format(ab, "op=fwverify_config what=%s value=%lu res=1",
			 what, value);
	audit_log_end(ab);
}
