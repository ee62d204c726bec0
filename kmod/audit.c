// SPDX-License-Identifier: GPL-2.0
/*
 * One audit record per decision, of type AUDIT_INTEGRITY_DATA (1800), the
 * type IMA uses for firmware and file integrity: `ausearch -m
 * INTEGRITY_DATA` finds fwverify's records beside IMA's.
 */
#include <linux/audit.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "audit.h"
#include "fwverify.h"

/* Written in quotes by audit_log_untrustedstring() (not exported)? */
static bool fwverify_audit_plain(const char *s)
{
	const u8 *p = (const u8 *)s;

	for (; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"')
			return false;
	return p != (const u8 *)s;
}

/*
 * " key=value" with an untrusted value, as audit_log_untrustedstring()
 * writes it: in quotes if it is plain, else in hex.
 */
static void fwverify_audit_str(struct audit_buffer *ab, const char *key,
			       const char *s)
{
	size_t i, n = strlen(s), chunk;
	const u8 *p = (const u8 *)s;

	if (fwverify_audit_plain(s)) {
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

/*
 * A short untrusted value, as fwverify_audit_str() writes it, in @buf:
 * @s is at most (@size - 1) / 2 bytes long.
 */
static void fwverify_audit_short(char *buf, size_t size, const char *s)
{
	size_t n = strnlen(s, (size - 1) / 2);

	if (fwverify_audit_plain(s))
		snprintf(buf, size, "\"%s\"", s);
	else if (n)
		*bin2hex(buf, s, n) = '\0';
	else
		strscpy(buf, "?", size);
}

/* A decision's record: these fields, the name and the path between them. */
#define FWVERIFY_AUDIT_WHO \
	"op=fwverify source=%s pid=%d uid=%u auid=%u ses=%u comm=%s"
#define FWVERIFY_AUDIT_VERDICT \
	" result=%s action=%s signer=%s digest=%s res=%d"

/**
 * fwverify_audit() - one audit record for a decision
 * @ev: the event, decided
 * @who: the task that loaded, as IMA names it (pid, uid, auid, ses, comm):
 *	 the record is written after the load, by another task
 *
 * Written with one format when the name and the path are plain, as they
 * are for nearly every firmware.
 */
void fwverify_audit(const struct fwverify_event *ev,
		    const struct fwverify_subject *who)
{
	const char *name = ev->name ?: "", *path = ev->resolved ?: ev->path ?: "";
	char comm[2 * sizeof(who->comm) + 1];
	char signer[2 * sizeof(ev->v.signer) + 1];
	char digest[sizeof("sha256:") + 2 * SHA256_DIGEST_SIZE] = "?";
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_INTEGRITY_DATA);
	if (!ab)
		return;
	fwverify_audit_short(comm, sizeof(comm), who->comm);
	fwverify_audit_short(signer, sizeof(signer), ev->v.signer);
	if (ev->v.have_digest)
		snprintf(digest, sizeof(digest), "sha256:%*phN",
			 SHA256_DIGEST_SIZE, ev->v.digest);
	if (fwverify_audit_plain(name) && fwverify_audit_plain(path)) {
		audit_log_format(ab, FWVERIFY_AUDIT_WHO " name=\"%s\" path=\"%s\""
				 FWVERIFY_AUDIT_VERDICT,
				 fwverify_source_name(ev->source), who->pid,
				 who->uid, who->auid, who->ses, comm, name, path,
				 fwverify_result_name(ev->v.result),
				 fwverify_action_name(ev->deny), signer, digest,
				 !ev->deny);
	} else {
		audit_log_format(ab, FWVERIFY_AUDIT_WHO,
				 fwverify_source_name(ev->source), who->pid,
				 who->uid, who->auid, who->ses, comm);
		fwverify_audit_str(ab, "name", name);
		fwverify_audit_str(ab, "path", path);
		audit_log_format(ab, FWVERIFY_AUDIT_VERDICT,
				 fwverify_result_name(ev->v.result),
				 fwverify_action_name(ev->deny), signer, digest,
				 !ev->deny);
	}
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
