// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify quarantine: move a refused firmware file and its signature out of
 * the firmware search path into <quarantine_dir>/<id>/, with a JSON record
 * of why.  udev runs it on fwverify's "change" uevent (--from-uevent), and
 * the name and path in a uevent are untrusted: the path must lie in a
 * firmware search directory, it is walked below that directory one
 * component at a time without following a symlink, and only regular files
 * are moved.  The search directories are searchdirs.c's, the record's
 * directory and the moves qdest.c's; the verdict is check.c's.  The
 * library part returns -errno; run() reports once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/uapi/fwverify.h"
#include "check.h"
#include "cms.h"
#include "command.h"
#include "config.h"
#include "digest.h"
#include "json-out.h"
#include "kstate.h"
#include "qdest.h"
#include "searchdirs.h"
#include "util.h"

/* The module cuts uevent values at this many bytes: a value this long may be cut. */
#define UEVENT_VALUE_MAX 256
/* Largest environment value read. */
#define ENV_VALUE_MAX 4096

/* What the module's uevents say (FWVERIFY_ACTION, _SOURCE; FWVERIFY_RESULT: is_result()). */
static const char *const actions[] = { FWVERIFY_NAME_ALLOWED, FWVERIFY_NAME_DENIED, NULL };
/* Not "check": the check file sends no uevent. */
static const char *const sources[] = {
	FWVERIFY_NAME_SRC_FILE, FWVERIFY_NAME_SRC_PARTIAL, FWVERIFY_NAME_SRC_FALLBACK,
	FWVERIFY_NAME_SRC_PLATFORM, NULL,
};

/* What became of a request; the exit code follows from it. */
enum status {
	ST_QUARANTINED,
	ST_DRY_RUN,
	ST_NOT_DENIED,		/* uevent: the kernel let the firmware through */
	ST_NO_FILE,		/* uevent: fallback or platform firmware has no file */
	ST_ABSENT,		/* uevent: the file is gone, quarantined already */
	ST_VERIFIES,		/* the file verifies now: left in place */
	ST_REFUSED,		/* not a file this command may move */
};

static const char *const status_names[] = {
	[ST_QUARANTINED] = "quarantined", [ST_DRY_RUN] = "dry-run", [ST_NOT_DENIED] = "not-denied",
	[ST_NO_FILE] = "no-file", [ST_ABSENT] = "absent", [ST_VERIFIES] = "verifies",
	[ST_REFUSED] = "refused",
};

struct request {
	bool uevent, force, dry_run, json;
	char *name;		/* the firmware name, escaped as the kernel does; NULL when unknown */
	char *path;		/* the file, as raw bytes */
	char *epath;		/* the file, escaped as the kernel does: for messages and the record */
	const char *result, *action, *source;
};

/* The verdict on the file as it is now. */
struct now {
	const char *by;		/* "kernel" or "offline" */
	char result[32], action[16], reason[256], signer[256];
};

static bool in_set(const char *const *set, const char *s)
{
	for (; *set; set++)
		if (!strcmp(*set, s))
			return true;
	return false;
}

/* Is @s the name of a result, as the module writes them (check_result_name())? */
static bool is_result(const char *s)
{
	for (unsigned int r = 0; r < FWVERIFY_RESULT_NR; r++)
		if (!strcmp(check_result_name(r), s))
			return true;
	return false;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void kstate_freep(struct kstate *s)
{
	kstate_free(s);
}

/*
 * Escape @s as the module does for sysfs and uevents: bytes below 0x20 or
 * above 0x7e as \xHH, and with @backslash also '\'.  Without it the result
 * leaves text the module escaped already unchanged, and is safe in JSON.
 */
static char *escape(const char *s, bool backslash)
{
	char *out = malloc(strlen(s) * 4 + 1), *o = out;
	const unsigned char *p;

	if (!out)
		return NULL;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || (backslash && *p == '\\'))
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Undo escape(@s, true).  Return: 0, -EINVAL for another '\' sequence or a NUL, -ENOMEM. */
static int unescape(const char *s, char **out)
{
	char *buf = malloc(strlen(s) + 1), *o = buf;
	int hi, lo;

	if (!buf)
		return -ENOMEM;
	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		hi = s[1] == 'x' ? hexval(s[2]) : -1;
		lo = hi < 0 ? -1 : hexval(s[3]);
		if (lo < 0 || (hi == 0 && lo == 0)) {
			free(buf);
			return -EINVAL;
		}
		*o++ = (char)(hi << 4 | lo);
		s += 4;
	}
	*o = '\0';
	*out = buf;
	return 0;
}


/* --- the verdict now ---------------------------------------------------- */

/*
 * Verify against the configured CA files, when the module cannot be asked:
 * check.h's verdict, by the running kernel's rules, with the persistent
 * revoke list.  Return: 0 or -errno.
 */
static int verdict_offline(const struct fw_config *c, const char *path, int fd, struct now *n)
{
	_cleanup_(freep) unsigned char *sig = NULL;
	struct check_ctx ctx = { 0 };
	struct check_verdict v = { 0 };
	size_t len = 0;
	int err;

	err = check_ctx_kernel(&ctx, NULL);
	if (err == -EINVAL || err == -ERANGE)
		err = check_ctx_kernel(&ctx, cms_rules_newest.kernel);
	for (size_t i = 0; i < c->nca && !err; i++)
		err = cms_load_certs(c->ca[i], &ctx.trusted);
	if (!err)
		err = check_ctx_revocations(&ctx, c);
	if (err) {
		check_ctx_free(&ctx);
		return err;
	}
	err = check_find_sig(path, &v, &sig, &len);
	check_blob(&ctx, fd, path, err ? NULL : v.content, sig, len, err, &v);
	check_ctx_free(&ctx);
	n->by = "offline";
	snprintf(n->result, sizeof(n->result), "%s", check_result_name(v.result));
	snprintf(n->reason, sizeof(n->reason), "%s", v.detail[0] ? v.detail : v.reason);
	snprintf(n->signer, sizeof(n->signer), "%s", v.signer);
	return 0;
}

/*
 * Ask the module through its check file, which runs the code that guards
 * loads; else verify offline against the configured CAs.  A path with a
 * newline cannot be written to the line-based check file.
 * Return: 0, -ENODEV when nothing can tell, or -errno.
 */
static int verdict_now(const struct fw_config *c, const char *path, int fd, struct now *n)
{
	struct kstate_verdict v;
	int err;

	memset(n, 0, sizeof(*n));
	if (kstate_loaded()) {
		if (strchr(path, '\n'))
			return -ENODEV;
		err = kstate_check(path, &v);
		if (err)
			return err;
		n->by = "kernel";
		snprintf(n->result, sizeof(n->result), "%s", v.result);
		snprintf(n->action, sizeof(n->action), "%s", v.action);
		snprintf(n->reason, sizeof(n->reason), "%s", v.reason);
		snprintf(n->signer, sizeof(n->signer), "%s", v.signer);
		return 0;
	}
	return c->nca ? verdict_offline(c, path, fd, n) : -ENODEV;
}

/* --- the record --------------------------------------------------------- */

/* Add a string that came from outside (kernel-escaped already, or a certificate's name): JSON-safe. */
static int add_text(struct json_object *o, const char *key, const char *s)
{
	_cleanup_(freep) char *e = s ? escape(s, false) : NULL;

	if (s && !e)
		return -ENOMEM;
	return json_out_str(o, key, e);
}

static int add_lines(struct json_object *o, const char *key, const char *text)
{
	struct json_object *a;
	const char *p, *end;
	int err;

	if (!text)
		return json_out_str(o, key, NULL);
	a = json_object_new_array();
	err = json_out_add(o, key, a);
	for (p = text; !err && *p; p = *end ? end + 1 : end) {
		_cleanup_(freep) char *line = NULL;

		end = strchrnul(p, '\n');
		line = strndup(p, end - p);
		err = line ? add_text(a, NULL, line) : -ENOMEM;
	}
	return err;
}

static int add_entry(struct json_object *o, const struct kstate_fw *e)
{
	struct json_object *j;

	if (!e)
		return json_out_str(o, "entry", NULL);
	j = json_object_new_object();
	return json_out_add(o, "entry", j) ?: add_text(j, "name", e->name) ?:
	       add_text(j, "result", e->result) ?: add_text(j, "action", e->action) ?:
	       add_text(j, "signer", e->signer) ?: add_text(j, "digest", e->digest) ?:
	       json_out_uint(j, "size", e->size) ?: add_text(j, "path", e->path) ?:
	       json_out_uint(j, "loads", e->loads) ?: json_out_uint(j, "last_load", e->last_load) ?:
	       add_lines(j, "reads", e->reads);
}

static int add_now(struct json_object *o, const struct now *n)
{
	struct json_object *j;

	if (!n->by)
		return json_out_str(o, "now", NULL);
	j = json_object_new_object();
	return json_out_add(o, "now", j) ?: json_out_str(j, "by", n->by) ?:
	       add_text(j, "result", n->result) ?: add_text(j, "action", n->by[0] == 'k' ? n->action : NULL) ?:
	       add_text(j, "reason", n->reason[0] ? n->reason : NULL) ?:
	       add_text(j, "signer", n->signer[0] ? n->signer : NULL);
}

/* The tail of the record: what the kernel knew, and the verdict just before the move. */
static int record_kernel(struct json_object *rec, const struct kstate *ks, const struct kstate_fw *e,
			 const struct now *n)
{
	struct json_object *k = json_object_new_object();

	return json_out_add(rec, "kernel", k) ?: add_text(k, "mode", ks->mode) ?: add_entry(k, e) ?:
	       add_now(rec, n);
}

/* The head of the record: what was quarantined and why. */
static struct json_object *record_new(const struct request *r, const struct kstate_fw *e,
				      const struct now *n, time_t t)
{
	const char *result = r->result ? r->result : e ? e->result : n->by ? n->result : NULL;
	struct json_object *rec = json_out_new();
	char when[32];
	struct tm tm;
	int err;

	if (!rec)
		return NULL;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	err = add_text(rec, "name", r->name) ?: json_out_str(rec, "path", r->epath) ?:
	      add_text(rec, "result", result) ?:
	      add_text(rec, "action", r->action ? r->action : e ? e->action : NULL) ?:
	      json_out_str(rec, "source", r->source) ?:
	      json_out_str(rec, "trigger", r->uevent ? "uevent" : "admin") ?:
	      json_out_str(rec, "time", when);
	if (err) {
		json_object_put(rec);
		return NULL;
	}
	return rec;
}

/* The signature files the kernel may use for @base: <base>.p7s, and <stem>.p7s for a compressed file. */
static int signature_names(const char *base, char names[2][NAME_MAX + 8])
{
	int n = 0;
	size_t len = strlen(base);

	snprintf(names[n++], NAME_MAX + 8, "%s.p7s", base);
	if (has_suffix(base, ".xz"))
		snprintf(names[n++], NAME_MAX + 8, "%.*s.p7s", (int)(len - 3), base);
	else if (has_suffix(base, ".zst"))
		snprintf(names[n++], NAME_MAX + 8, "%.*s.p7s", (int)(len - 4), base);
	return n;
}

/*
 * Take @sname from @sdir into @d (NULL: a dry run) and add {role, from,
 * to, size, digest} for it to @files.  @digest_out gets "sha256:<hex>",
 * and @size (if not NULL) its size.  Return: as qdest_take(), or -ENOMEM.
 */
static int take_file(int sdir, const char *sname, const char *from, const char *role,
		     const struct qdest *d, struct json_object *files, char digest_out[QDEST_DIGEST_TEXT],
		     int64_t *size)
{
	struct json_object *f;
	struct qtaken t;
	int err = qdest_take(sdir, sname, d, &t);

	if (err)
		return err;
	memcpy(digest_out, t.digest, QDEST_DIGEST_TEXT);
	if (size)
		*size = t.size;
	f = json_object_new_object();
	err = json_out_add(files, NULL, f);
	if (!err)
		err = json_out_str(f, "role", role) ?: json_out_str(f, "from", from) ?:
		      json_out_str(f, "to", d ? t.to : NULL) ?: json_out_uint(f, "size", t.size) ?:
		      json_out_str(f, "digest", t.digest);
	return err;
}

/*
 * Move the firmware and its signatures (without @d: only hash them), then
 * complete @rec.  A signature that is a symlink or not a regular file stays
 * where it is and is listed under "left".  Return: 0 or -errno.
 */
static int take_all(const struct request *r, const struct located *l, const struct qdest *d,
		    struct json_object *rec)
{
	struct json_object *files = json_object_new_array(), *left = json_object_new_array();
	char sigs[2][NAME_MAX + 8], digest[QDEST_DIGEST_TEXT] = "", sdigest[QDEST_DIGEST_TEXT];
	size_t dirlen = strlen(r->epath) - strlen(l->base);
	int err, nsig;

	int64_t size = -1;

	err = !files || !left ? -ENOMEM : take_file(l->dir, l->base, r->epath, "firmware", d, files, digest, &size);
	if (!err)
		err = json_out_str(rec, "digest", digest) ?: json_out_uint(rec, "size", size) ?:
		      json_out_str(rec, "digest_backend", digest_backend());
	if (err) {
		json_object_put(files);
		json_object_put(left);
		return err;
	}
	err = json_out_add(rec, "files", files) ?: json_out_add(rec, "left", left);
	nsig = err ? 0 : signature_names(l->base, sigs);
	for (int i = 0; i < nsig && !err; i++) {
		_cleanup_(freep) char *from = NULL, *esig = escape(sigs[i], true);

		if (!esig || asprintf(&from, "%.*s%s", (int)dirlen, r->epath, esig) < 0) {
			from = NULL;
			return -ENOMEM;
		}
		err = take_file(l->dir, sigs[i], from, "signature", d, files, sdigest, NULL);
		if (err == -ELOOP || err == -ENOTREG) {
			struct json_object *o = json_object_new_object();

			err = json_out_add(left, NULL, o) ?: json_out_str(o, "path", from) ?:
			      json_out_str(o, "why", err == -ELOOP ? "symlink" : "not a regular file");
		} else if (err == -ENOENT) {
			err = 0;
		}
	}
	return err;
}

/* --- the command -------------------------------------------------------- */

static void request_free(struct request *r)
{
	free(r->name);
	free(r->path);
	free(r->epath);
}

/* Print the outcome: one line, or with --json one document.  Return: the exit code. */
static int outcome(const struct request *r, enum status st, const char *msg, const char *dir,
		   struct json_object *rec)
{
	_cleanup_(json_putp) struct json_object *doc = NULL;
	int code = st == ST_REFUSED || (st == ST_VERIFIES && !r->uevent) ? EXIT_REFUSED : EXIT_OK;
	const char *who = r->epath && r->epath[0] ? r->epath : r->name ? r->name : "(no name)";

	if (code)
		fprintf(stderr, "fwverify: %s: %s\n", who, msg);
	else if (!r->json)
		printf("%s: %s%s%s\n", who, msg, dir ? " in " : "", dir ? dir : "");
	if (!r->json)
		return code;
	doc = json_out_new();
	if (!doc || json_out_str(doc, "status", status_names[st]) || json_out_str(doc, "message", msg) ||
	    json_out_str(doc, "directory", dir) ||
	    (rec ? json_out_add(doc, "record", json_object_get(rec)) : json_out_str(doc, "record", NULL)) ||
	    json_out_print(doc)) {
		fprintf(stderr, "fwverify: %s: cannot print the JSON document\n", who);
		return EXIT_USAGE;
	}
	return code;
}

/* @path, made absolute without resolving anything, or NULL. */
static char *absolute(const char *path)
{
	_cleanup_(freep) char *cwd = path[0] == '/' ? NULL : getcwd(NULL, 0);
	char *out;

	if (path[0] == '/')
		return strdup(path);
	return cwd && asprintf(&out, "%s/%s", cwd, path) >= 0 ? out : NULL;
}

/* Read one FWVERIFY_* variable.  Return: its value, "" when unset, or NULL when too long. */
static const char *env(const char *key)
{
	const char *v = getenv(key);

	if (!v)
		return "";
	return strlen(v) < ENV_VALUE_MAX ? v : NULL;
}

/* Fill @r from the uevent's variables.  Return: 0, or -EINVAL with the offending variable in @bad. */
static int request_from_env(struct request *r, const char **bad)
{
	static const char *const keys[] = { "FWVERIFY_NAME", "FWVERIFY_RESULT", "FWVERIFY_ACTION",
					    "FWVERIFY_SOURCE", "FWVERIFY_PATH" };
	const char *v[5];

	for (int i = 0; i < 5; i++) {
		v[i] = env(keys[i]);
		*bad = keys[i];
		if (!v[i] || (i < 4 && !v[i][0]))
			return -EINVAL;
	}
	*bad = keys[1];
	if (!is_result(v[1]))
		return -EINVAL;
	*bad = keys[2];
	if (!in_set(actions, v[2]))
		return -EINVAL;
	*bad = keys[3];
	if (!in_set(sources, v[3]))
		return -EINVAL;
	r->result = v[1];
	r->action = v[2];
	r->source = v[3];
	r->name = escape(v[0], false);
	r->epath = escape(v[4], false);
	return r->name && r->epath ? 0 : -ENOMEM;
}

static const char *refusal(int err)
{
	switch (err) {
	case -EPERM:
		return "refused: not in a firmware search directory";
	case -ELOOP:
	case -ENOTDIR:
		return "refused: a symlink on the way or at the end";
	case -ENOTREG:
		return "refused: not a regular file";
	case -EINVAL:
		return "refused: '.', '..' or an empty component in the path";
	default:
		return NULL;
	}
}

static const char *failure(int err)
{
	switch (err) {
	case -EBUSY:
		return "changed while being copied: left in place";
	case -EAFNOSUPPORT:
		return "cannot hash: FWVERIFY_DIGEST=kcapi, and the kernel offers no AF_ALG hash";
	case -EPROTONOSUPPORT:
		return "cannot hash: FWVERIFY_DIGEST=kcapi, and the kernel offers no NETLINK_CRYPTO (crypto_user)";
	case -ENOPKG:
		return "cannot hash: no SHA-256 in the back end FWVERIFY_DIGEST chose";
	case -EINVAL:	/* the one source of EINVAL here: digest_fd() */
		return "cannot hash: FWVERIFY_DIGEST is not kcapi, openssl or auto";
	default:
		return "cannot quarantine";
	}
}

/* Quarantine the file @r names.  Return: the exit code, after reporting. */
static int quarantine(struct request *r, const struct fw_config *c)
{
	_cleanup_(kstate_freep) struct kstate ks = { 0 };
	_cleanup_(json_putp) struct json_object *rec = NULL;
	struct search_dirs dirs = { .n = 0 };
	struct located l = { .dir = -1, .fd = -1 };
	struct qdest d = { .fw = -1 };
	const struct kstate_fw *entry = NULL;
	struct now now;
	char msg[512];
	time_t t = time(NULL);
	int err, code;

	if (r->uevent && strcmp(r->action, "denied"))
		return outcome(r, ST_NOT_DENIED, "allowed by the kernel: nothing to quarantine", NULL, NULL);
	if (r->uevent && !r->epath[0])
		return outcome(r, ST_NO_FILE, "no file (fallback or platform firmware): nothing to quarantine",
			       NULL, NULL);
	if (r->uevent && strlen(r->epath) >= UEVENT_VALUE_MAX)
		return outcome(r, ST_REFUSED, "refused: the path may have been cut by the kernel", NULL, NULL);
	if (r->uevent && unescape(r->epath, &r->path))
		return outcome(r, ST_REFUSED, "refused: a malformed path in the uevent", NULL, NULL);
	if (r->path[0] != '/' || strlen(r->path) >= PATH_MAX)
		return outcome(r, ST_REFUSED, "refused: not an absolute path", NULL, NULL);

	err = search_dirs_load(&dirs, c);
	if (!err)
		err = search_dirs_locate(&dirs, r->path, &l);
	if (err == -ENOENT && r->uevent) {
		code = outcome(r, ST_ABSENT, "not there: quarantined already, or removed", NULL, NULL);
		goto out;
	}
	if (refusal(err)) {
		code = outcome(r, ST_REFUSED, refusal(err), NULL, NULL);
		goto out;
	}
	if (err) {
		report_error(r->json, r->epath, "cannot open", err);
		code = EXIT_USAGE;
		goto out;
	}
	if (!r->name) {
		_cleanup_(freep) char *raw = search_dirs_name_of(l.rel);

		r->name = raw ? escape(raw, true) : NULL;
	}

	err = verdict_now(c, r->path, l.fd, &now);
	if (err && err != -ENODEV)
		log_warning(r->epath, "cannot tell whether it verifies now: %s", errno_text(err));
	if (!err && !strcmp(now.result, "verified") && !r->force) {
		snprintf(msg, sizeof(msg), "verifies now (%s check, signer %s): left in place%s", now.by,
			 now.signer[0] ? now.signer : "unknown", r->uevent ? "" : " (--force moves it)");
		code = outcome(r, ST_VERIFIES, msg, NULL, NULL);
		goto out;
	}
	if (!kstate_read_all(&ks))
		for (size_t i = 0; i < ks.nfw && !entry; i++)
			if (r->name && ks.fw[i].name && !strcmp(ks.fw[i].name, r->name))
				entry = &ks.fw[i];

	rec = record_new(r, entry, &now, t);
	err = rec ? 0 : -ENOMEM;
	if (!err && !r->dry_run) {
		err = qdest_make(c->quarantine_dir, &dirs, r->name, t, &d);
		if (err) {
			report_error(r->json, c->quarantine_dir, err == -ELOOP ?
				     "lies in a firmware search directory: not a quarantine" :
				     "cannot make a record directory", err == -ELOOP ? 0 : err);
			code = EXIT_USAGE;
			goto out;
		}
	}
	if (!err)
		err = take_all(r, &l, r->dry_run ? NULL : &d, rec) ?: record_kernel(rec, &ks, entry, &now);
	if (!err && !r->dry_run) {
		_cleanup_(freep) char *path = NULL, *text = NULL;
		const char *doc = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE);

		if (!doc || asprintf(&text, "%s\n", doc) < 0) {
			text = NULL;
			err = -ENOMEM;
		} else if (asprintf(&path, "%s/record.json", d.dir) < 0) {
			path = NULL;
			err = -ENOMEM;
		} else {
			err = write_file_atomic(path, text, strlen(text), 0600);
		}
	}
	if (err)
		qdest_abandon(&d);
	if (err == -ENOENT && r->uevent) {
		code = outcome(r, ST_ABSENT, "not there: quarantined already, or removed", NULL, NULL);
	} else if (err) {
		report_error(r->json, r->epath, failure(err), err);
		code = EXIT_USAGE;
	} else {
		code = outcome(r, r->dry_run ? ST_DRY_RUN : ST_QUARANTINED,
			       r->dry_run ? "would be quarantined" : "quarantined", d.dir, rec);
	}
out:
	qdest_free(&d);
	located_free(&l);
	search_dirs_free(&dirs);
	return code;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "from-uevent", no_argument, NULL, 'u' },
		{ "result", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(config_freep) struct fw_config c = { 0 };
	struct request r = { .json = json_requested(argc, argv) };
	const char *name = NULL, *bad;
	struct fw_error e;
	int opt, err, code = EXIT_USAGE;

	while ((opt = getopt_long(argc, argv, ":ur:n:fdjh", options, NULL)) != -1) {
		switch (opt) {
		case 'u': r.uevent = true; break;
		case 'r': r.result = optarg; break;
		case 'n': name = optarg; break;
		case 'f': r.force = true; break;
		case 'd': r.dry_run = true; break;
		case 'j': r.json = true; break;
		case 'h': command_help(&cmd_quarantine); return EXIT_OK;
		default: return report_bad_option(r.json, &cmd_quarantine, opt, argv);
		}
	}
	if (r.uevent && (optind < argc || r.result || name || r.force)) {
		report_usage(r.json, "quarantine", "--from-uevent takes no PATH, --result, --name or --force");
		return EXIT_USAGE;
	}
	if (!r.uevent && argc - optind != 1) {
		report_usage(r.json, "quarantine", "give one PATH, or --from-uevent");
		return EXIT_USAGE;
	}
	if (r.result && !is_result(r.result)) {
		report_usage(r.json, "quarantine", "unknown result '%.64s'", r.result);
		return EXIT_USAGE;
	}
	if (r.uevent) {
		err = request_from_env(&r, &bad);
		if (err) {
			report_usage(r.json, "quarantine", "%s: %s in the environment (run by udev's fwverify rule?)",
				     bad, err == -ENOMEM ? "out of memory" : "missing or not valid");
			goto out;
		}
	} else {
		r.path = absolute(argv[optind]);
		r.epath = r.path ? escape(r.path, true) : NULL;
		r.name = name ? escape(name, true) : NULL;
		if (!r.path || !r.epath || (name && !r.name)) {
			report_error(r.json, NULL, "out of memory", -ENOMEM);
			goto out;
		}
	}
	err = config_load(NULL, &c, &e);
	if (err) {
		report_message(r.json, e.msg, err);
		goto out;
	}
	code = quarantine(&r, &c);
out:
	request_free(&r);
	return code;
}

const struct command cmd_quarantine = {
	.name = "quarantine",
	.run = run,
	.summary = "move refused firmware and its signature out of the search path",
	.help = "quarantine [--result R] [--name NAME] [--force] [--dry-run] [--json] PATH\n"
		"       fwverify quarantine --from-uevent [--dry-run] [--json]\n\n"
		"Move the firmware file PATH and its signature (PATH.p7s; for PATH.xz or\n"
		"PATH.zst also PATH.p7s) into <quarantine_dir>/<time>-<name>-<random>/firmware/\n"
		"and write record.json there: name, path, result, action, source, the\n"
		"SHA-256 of what was moved, the time, the kernel's table entry for the name\n"
		"and the verdict on the file just before the move.  PATH must lie in a\n"
		"firmware search directory (/lib/firmware, /lib/firmware/updates,\n"
		"/usr/lib/firmware, firmware_class.path, search_dir) and is walked below it\n"
		"without following any symlink.  A file that verifies now is left in place.\n\n"
		"  -u, --from-uevent   take FWVERIFY_NAME, _RESULT, _ACTION, _PATH and _SOURCE\n"
		"                      from the environment, as udev passes fwverify's uevent;\n"
		"                      only a denied file is moved, and a file that is gone,\n"
		"                      verifies now, or has no file is not an error\n"
		"  -r, --result R      the result to record (default: the kernel's)\n"
		"  -n, --name NAME     the firmware name, for the kernel's table entry\n"
		"                      (default: PATH below its search directory)\n"
		"  -f, --force         move PATH even if it verifies now\n"
		"  -d, --dry-run       check and hash, move nothing\n"
		"  -j, --json          one JSON document on stdout (schema_version 1)\n\n"
		"The configuration file is $FWVERIFY_CONFIG or /etc/fwverify/fwverify.conf.\n"
		"Exit status: 0 quarantined or nothing to do; 1 refused (outside the search\n"
		"path, a symlink, not a regular file, or PATH verifies now); 2 usage or I/O error.\n",
};
