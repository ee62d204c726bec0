// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify stage: build a new generation of the managed firmware tree in a
 * private staging area, verify all of it, and activate it in one rename.
 *
 * A DIR is a whole release: the new tree is exactly what DIR holds (with
 * its signed manifest, when it carries one).  FILEs overlay the active
 * tree.  Unchanged files are hard links to the active generation's.
 * Documentation/tool-stage.rst gives the design and the rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cms-time.h"
#include "command.h"
#include "config.h"
#include "generation.h"
#include "kstate.h"
#include "manifest.h"
#include "revlist.h"
#include "stage-check.h"
#include "util.h"

enum change { UNCHANGED, ADDED, CHANGED, REMOVED };
static const char *const change_names[] = { "unchanged", "added", "changed", "removed" };

struct item {
	char *name;
	enum change change;
	struct gen_verdict v;	/* of the staged blob */
};

struct stage {
	struct fw_config c;
	bool allow_downgrade, revoke_replaced, dry_run, wait, no_manifest, allow_empty;
	bool whole;		/* a DIR: the whole tree; else FILEs overlaying the active tree */
	const char *src_name;	/* for messages */
	int src_fd, act_fd;
	struct gen_state g;
	struct gen_stage s;
	struct gen_checker k;
	struct gen_list src, act;	/* every file name, signatures included */
	struct gen_list bad;		/* the names refused so far (unsorted) */
	struct item *items;
	size_t n;
	bool has_manifest;
	bool same_manifest;	/* byte for byte the active generation's: the same release again */
	unsigned int refused;
	unsigned int empty_kept;	/* --revoke-replaced: empty blobs not revoked */
};

static void stage_free(struct stage *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->items[i].name);
	free(st->items);
	gen_list_free(&st->src);
	gen_list_free(&st->act);
	gen_list_free(&st->bad);
	gen_checker_free(&st->k);
	closep(&st->src_fd);
	closep(&st->act_fd);
	config_free(&st->c);
}

static bool is_sig(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && !strcmp(name + len - 4, ".p7s");
}

/* "NAME.p7s", or NULL when memory is short. */
static char *sig_of(const char *name)
{
	char *s;

	return asprintf(&s, "%s.p7s", name) < 0 ? NULL : s;
}

/*
 * One refusal line: "fwverify: NAME: WHY" (the command's verdict follows at
 * the end).  @name is remembered, so that no later check names it again.
 */
static void refuse(struct stage *st, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void refuse(struct stage *st, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmessage(name, fmt, ap);
	va_end(ap);
	st->refused++;
	/* Short of memory, a name may be named twice: no reason to fail. */
	gen_list_push(&st->bad, name);
}

/* The command's verdict after its refusals.  Return: EXIT_REFUSED. */
static int refusal_summary(const struct stage *st)
{
	fprintf(stderr, "fwverify: stage: %u problem%s, nothing activated%s\n", st->refused,
		st->refused == 1 ? "" : "s", st->g.active ? "; the active generation is unchanged" : "");
	return EXIT_REFUSED;
}

static const char *tree_error(int err)
{
	switch (err) {
	case -ELOOP:
		return "a symlink (only regular files are staged)";
	case -ENOTREG:
		return "not a regular file (a device, FIFO or socket)";
	case -EINVAL:
		return "not a valid firmware name (empty, '.' or '..' component, control character)";
	case -EFBIG:
		return "larger than the limit of 1 GiB";
	case -E2BIG:
		return "too many files or directories too deep";
	case -EISDIR:
		return "a directory";
	default:
		return errno_text(err);
	}
}

/* I/O errors are exit 2; what the input is (a symlink, a FIFO, ...) is a refusal. */
static bool input_error(int err)
{
	return err == -ELOOP || err == -ENOTREG || err == -EINVAL || err == -EFBIG ||
	       err == -E2BIG || err == -EISDIR || err == -ENODATA;
}

/* Log why gen_checker_load() failed. */
static int checker_error(const char *cmd, const struct fw_error *e)
{
	if (e->err == -ENOKEY)
		log_usage(cmd, "%s", e->msg);
	else
		log_error(e->path, "cannot load", e->err);
	return EXIT_USAGE;
}

/*
 * Take a name list of blobs and signatures; every blob needs its signature
 * and every signature its blob (gen_list_signed(), gen_list_sig_used()).
 * An unsigned blob is refused here and left out of the list, so that
 * staging does not name it again.
 */
static int check_pairs(struct stage *st, struct gen_list *l)
{
	_cleanup_(freep) bool *drop = calloc(l->n ?: 1, sizeof(*drop));
	size_t kept = 0;

	if (!drop)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		const char *name = l->v[i];

		if (is_sig(name)) {
			if (!gen_list_sig_used(l, name))
				refuse(st, name, "a signature without its firmware file");
		} else if (!gen_list_signed(l, name)) {
			refuse(st, name, "unsigned: no %s.p7s", name);
			drop[i] = true;
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		if (drop[i])
			free(l->v[i]);
		else
			l->v[kept++] = l->v[i];
	}
	l->n = kept;
	return 0;
}

static int add_item(struct stage *st, const char *name, enum change change)
{
	struct item *v = st->items;

	/* Grow in powers of two, a capacity the count itself implies. */
	if (!(st->n & (st->n - 1))) {
		v = realloc(v, (st->n ? 2 * st->n : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		st->items = v;
	}
	v[st->n] = (struct item){ .name = strdup(name), .change = change };
	if (!v[st->n].name)
		return -ENOMEM;
	st->n++;
	return 0;
}

/* gen_bad_fn: an entry of the source tree that is no firmware file is refused. */
static int source_bad(void *ctx, const char *name, int err)
{
	refuse(ctx, name, "%s", tree_error(err));
	return 0;
}

/* The source: DIR (every file under it) or FILEs (each with its .p7s) relative to @base. */
static int read_source(struct stage *st, char **args, int nargs, const char *base)
{
	struct fw_error e;
	int err;

	st->src_fd = open(st->whole ? args[0] : base ? base : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->src_fd < 0) {
		log_error(st->whole ? args[0] : base ? base : ".", "cannot open", -errno);
		return EXIT_USAGE;
	}
	if (!st->whole) {
		for (int i = 0; i < nargs; i++) {
			_cleanup_(freep) char *sig = sig_of(args[i]);

			if (!sig || gen_list_push(&st->src, args[i]) || gen_list_push(&st->src, sig))
				return EXIT_USAGE;
		}
		gen_list_sort(&st->src);
		return EXIT_OK;
	}
	err = gen_list_tree_all(st->src_fd, &st->src, source_bad, st, &e);
	if (err == -E2BIG) {
		refuse(st, e.path, "%s", tree_error(err));
		return refusal_summary(st);
	}
	if (err) {
		fprintf(stderr, "fwverify: %s/%s: %s\n", st->src_name, e.path, tree_error(err));
		return EXIT_USAGE;
	}
	/* The release's manifest is not part of the tree. */
	st->has_manifest = gen_list_has(&st->src, MANIFEST_NAME) || gen_list_has(&st->src, MANIFEST_NAME ".p7s");
	gen_list_remove(&st->src, MANIFEST_NAME);
	gen_list_remove(&st->src, MANIFEST_NAME ".p7s");
	if (check_pairs(st, &st->src)) {
		log_error(st->src_name, "cannot read", -ENOMEM);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * Is the source's @name (blob and its signature @src_sig) the same as the
 * active tree's, signature name included?  Opens nothing on error.
 */
static int same_as_active(struct stage *st, const char *name, int src, const char *src_sig,
			  const unsigned char *sig, size_t sig_len, bool *same)
{
	_cleanup_(closep) int act = -1;
	_cleanup_(freep) unsigned char *asig = NULL;
	_cleanup_(freep) char *sig_name = NULL;
	size_t alen;
	int err;

	*same = false;
	if (st->act_fd < 0 || !gen_list_has(&st->act, name))
		return 0;
	sig_name = gen_sig_name(st->act_fd, name);
	if (!sig_name)
		return -ENOMEM;
	if (strcmp(sig_name, src_sig))
		return 0;
	err = gen_read_small(st->act_fd, sig_name, FWVERIFY_SIG_MAX, &asig, &alen);
	if (err)
		return err == -ENOENT || input_error(err) ? 0 : err;
	if (alen != sig_len || memcmp(asig, sig, sig_len))
		return 0;
	act = gen_open_file(st->act_fd, name, 0, NULL);
	if (act < 0)
		return 0;
	return gen_same_file(src, act, same);
}

/* Refuse a signature that a second blob of the new tree would take: it is staged once. */
static int shared_sig(struct stage *st, const char *name, const char *sig_name)
{
	refuse(st, sig_name, "the signature of more than one firmware file: sign %s itself (%s.p7s)",
	       name, name);
	return 0;
}

/* Share the active tree's @name and its signature with the staged tree. */
static int link_pair(struct stage *st, const char *name)
{
	_cleanup_(freep) char *sig_name = gen_sig_name(st->act_fd, name);
	int err;

	if (!sig_name)
		return -ENOMEM;
	err = gen_stage_link(&st->s, st->act_fd, name) ?: gen_stage_link(&st->s, st->act_fd, sig_name);
	return err == -EEXIST ? shared_sig(st, name, sig_name) : err;
}

/* Put the source's @name into the staging tree: a link to the active file when unchanged. */
static int stage_given(struct stage *st, const char *name)
{
	_cleanup_(closep) int src = -1;
	_cleanup_(freep) unsigned char *sig = NULL;
	_cleanup_(freep) char *sig_name = gen_sig_name(st->src_fd, name);
	size_t sig_len;
	bool same;
	int err;

	if (!sig_name)
		return -ENOMEM;
	src = gen_open_file(st->src_fd, name, 0, NULL);
	if (src < 0) {
		refuse(st, name, "%s", tree_error(src));
		return input_error(src) || src == -ENOENT ? 0 : src;
	}
	err = gen_read_small(st->src_fd, sig_name, FWVERIFY_SIG_MAX, &sig, &sig_len);
	if (err) {
		refuse(st, sig_name, "%s", err == -ENOENT ? "missing: the firmware file is unsigned" :
		       err == -EFBIG ? "larger than a signature can be" : tree_error(err));
		return input_error(err) || err == -ENOENT ? 0 : err;
	}
	err = same_as_active(st, name, src, sig_name, sig, sig_len, &same);
	if (err)
		return err;
	if (same)
		return link_pair(st, name) ?: add_item(st, name, UNCHANGED);
	err = gen_stage_copy(&st->s, name, src, NULL, 0);
	if (err == -EFBIG) {
		refuse(st, name, "%s", tree_error(err));
		return 0;
	}
	err = err ?: gen_stage_copy(&st->s, sig_name, -1, sig, sig_len);
	if (err == -EEXIST)
		return shared_sig(st, name, sig_name);
	return err ?: add_item(st, name, gen_list_has(&st->act, name) ? CHANGED : ADDED);
}

/* Build the new tree in the staging area and record what changes. */
static int build(struct stage *st)
{
	size_t i = 0, j = 0;
	int err = 0;

	/* Merge the sorted source and active name lists, blobs only. */
	while (!err && (i < st->src.n || j < st->act.n)) {
		const char *s = i < st->src.n ? st->src.v[i] : NULL;
		const char *a = j < st->act.n ? st->act.v[j] : NULL;
		int c = !s ? 1 : !a ? -1 : strcmp(s, a);
		const char *name = c <= 0 ? s : a;

		i += c <= 0;
		j += c >= 0;
		if (is_sig(name))
			continue;
		if (c <= 0)
			err = stage_given(st, name);
		else if (st->whole)
			err = add_item(st, name, REMOVED);
		else
			err = link_pair(st, name) ?: add_item(st, name, UNCHANGED);
		if (err)
			fprintf(stderr, "fwverify: %s: cannot stage: %s\n", name, errno_text(err));
	}
	return err;
}

/* Verify every blob of the new tree (and keep each one's digest for the manifest). */
static void verify(struct stage *st)
{
	for (size_t i = 0; i < st->n; i++) {
		struct item *it = &st->items[i];

		if (it->change == REMOVED)
			continue;
		if (!gen_check(&st->k, st->s.tree_fd, st->s.tree_path, it->name, &it->v))
			refuse(st, it->name, "%s", it->v.why);
	}
}

static struct item *find_item(struct stage *st, const char *name)
{
	for (size_t lo = 0, hi = st->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, st->items[mid].name);

		if (!c)
			return &st->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * Refuse each name of the manifest @m that the new tree lacks, unless it
 * was refused already (a symlink, an unsigned file, ...).
 */
static int refuse_missing(struct stage *st, const struct manifest *m)
{
	_cleanup_(freep) bool *missing = calloc(m->n ?: 1, sizeof(*missing));

	if (!missing)
		return -ENOMEM;
	/* Decided first: a refusal adds to the list of names refused. */
	gen_list_sort(&st->bad);
	for (size_t i = 0; i < m->n; i++) {
		const struct item *it = find_item(st, m->e[i].name);

		missing[i] = (!it || it->change == REMOVED) && !gen_list_has(&st->bad, m->e[i].name);
	}
	for (size_t i = 0; i < m->n; i++)
		if (missing[i])
			refuse(st, m->e[i].name, "in the release's manifest but missing from the release");
	return 0;
}

/*
 * Stage the release's manifest beside the tree, verify it like firmware,
 * and hold the tree to it: the same names, sizes and digests, a
 * generation above the high-water mark, not expired.
 */
static int check_manifest(struct stage *st, uint64_t hwm)
{
	_cleanup_(freep) unsigned char *text = NULL, *sig = NULL, *active = NULL;
	_cleanup_(freep) char *gen_path = NULL;
	struct manifest m = { 0 };
	struct gen_verdict v;
	struct fw_error e;
	char when[32];
	size_t len, sig_len, alen;
	int err;

	err = gen_read_small(st->src_fd, MANIFEST_NAME, MANIFEST_MAX, &text, &len);
	if (!err)
		err = gen_read_small(st->src_fd, MANIFEST_NAME ".p7s", FWVERIFY_SIG_MAX, &sig, &sig_len);
	if (err) {
		refuse(st, MANIFEST_NAME, "the release's manifest or its signature: %s",
		       err == -ENOENT ? "missing" : tree_error(err));
		return input_error(err) || err == -ENOENT ? 0 : err;
	}
	err = gen_stage_meta(&st->s, MANIFEST_NAME, text, len) ?:
	      gen_stage_meta(&st->s, MANIFEST_NAME ".p7s", sig, sig_len);
	if (err) {
		log_error(MANIFEST_NAME, "cannot stage", err);
		return err;
	}
	free(text);
	text = NULL;
	/* What is checked from here on is the staged copy, which is what becomes active. */
	gen_path = strndup(st->s.tree_path, strlen(st->s.tree_path) - strlen("/tree"));
	if (!gen_path)
		return -ENOMEM;
	if (!gen_check(&st->k, st->s.gen_fd, gen_path, MANIFEST_NAME, &v)) {
		refuse(st, MANIFEST_NAME, "%s", v.why);
		return 0;
	}
	err = gen_read_small(st->s.gen_fd, MANIFEST_NAME, MANIFEST_MAX, &text, &len);
	if (err) {
		log_error(MANIFEST_NAME, "cannot read the staged copy", err);
		return err;
	}
	err = manifest_parse((const char *)text, len, &m, &e);
	if (err) {
		refuse(st, MANIFEST_NAME, "malformed: %s", e.msg);
		return err == -ENOMEM ? err : 0;
	}
	manifest_time(m.expires, when, sizeof(when));
	if (m.expires <= (int64_t)time(NULL))
		refuse(st, MANIFEST_NAME, "expired on %s", when);
	st->same_manifest = st->g.active &&
			    !gen_read_meta(&st->g, st->g.active, MANIFEST_NAME, MANIFEST_MAX, &active, &alen) &&
			    alen == len && !memcmp(active, text, len);
	if (m.generation <= hwm && !st->same_manifest)
		refuse(st, MANIFEST_NAME, "generation %llu is not above %llu, the newest one staged: a replayed or older release",
		       (unsigned long long)m.generation, (unsigned long long)hwm);
	for (size_t i = 0; i < st->n; i++) {
		const struct item *it = &st->items[i];
		const struct manifest_entry *e;

		/* A file refused already is named once. */
		if (it->change == REMOVED || !it->v.ok)
			continue;
		e = manifest_find(&m, it->name);
		if (!e)
			refuse(st, it->name, "not in the release's manifest (added or renamed)");
		else if (e->size != it->v.size || memcmp(e->sha256, it->v.sha256, 32))
			refuse(st, it->name, "differs from the release's manifest (another file under this name)");
	}
	err = refuse_missing(st, &m);
	manifest_free(&m);
	return err;
}

/* Read the signing time of @name's signature in a tree.  Return: 0, -ENODATA (none), -errno. */
static int sig_time(int dirfd, const char *name, int64_t *t)
{
	_cleanup_(freep) unsigned char *sig = NULL;
	_cleanup_(freep) char *sig_name = gen_sig_name(dirfd, name);
	size_t len;
	int err;

	if (!sig_name)
		return -ENOMEM;
	err = gen_read_small(dirfd, sig_name, FWVERIFY_SIG_MAX, &sig, &len);
	return err ?: cms_signing_time(sig, len, t);
}

/*
 * Refuse a changed blob whose signature is older than the active one's.
 * A signature without a signing time cannot prove that it is newer: it
 * replaces another blob only in a release whose signed manifest proves
 * freshness by its generation number, or with --allow-downgrade.
 */
static void check_downgrades(struct stage *st)
{
	char told[32], tnew[32];
	int64_t t0, t1;
	int e0, e1;

	if (st->allow_downgrade)
		return;
	for (size_t i = 0; i < st->n; i++) {
		const struct item *it = &st->items[i];

		if (it->change != CHANGED || !it->v.ok)
			continue;
		e1 = sig_time(st->s.tree_fd, it->name, &t1);
		e0 = sig_time(st->act_fd, it->name, &t0);
		if (e1 && e1 != -ENODATA) {
			refuse(st, it->name, "cannot read the signing time: %s", errno_text(e1));
			continue;
		}
		if (e0 && e0 != -ENODATA && e0 != -EBADMSG) {
			refuse(st, it->name, "cannot read the active signature's signing time: %s", errno_text(e0));
			continue;
		}
		if (!e1 && !e0 && t1 < t0) {
			manifest_time(t1, tnew, sizeof(tnew));
			manifest_time(t0, told, sizeof(told));
			refuse(st, it->name, "downgrade: signed %s, before the active one (%s); use --allow-downgrade",
			       tnew, told);
		} else if (e1 && !st->has_manifest) {
			refuse(st, it->name, "its signature has no signing time, so it cannot be shown to be newer than the active one; "
			       "stage it in a release with a signed manifest, or use --allow-downgrade");
		}
	}
}

/*
 * For --revoke-replaced: the digests of the active blobs that are changed
 * or removed, each the digest of what its signature covers (the content of
 * a content-signed .xz or .zst, gen_signed_digest()), unless the kernel
 * would then refuse a blob of the new tree by it (the same bytes, or the
 * same content, under some name): written as the generation's pending
 * revocations.  The digest of empty content is never revoked this way: it
 * would refuse every empty file, of any name (st->empty_kept counts them).
 */
static int stage_revocations(struct stage *st, unsigned int *count)
{
	static const unsigned char sha256_of_nothing[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	_cleanup_(freep) char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err = 0;

	*count = 0;
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < st->n && !err; i++) {
		const struct item *it = &st->items[i];
		unsigned char md[32];
		bool kept = false;

		if (it->change != CHANGED && it->change != REMOVED)
			continue;
		err = gen_signed_digest(st->act_fd, it->name, md);
		if (!err && !memcmp(md, sha256_of_nothing, 32)) {
			st->empty_kept++;
			continue;
		}
		for (size_t k = 0; k < st->n && !err; k++)
			kept |= st->items[k].change != REMOVED && (!memcmp(st->items[k].v.sha256, md, 32) ||
								 !memcmp(st->items[k].v.signed_sha256, md, 32));
		if (err || kept)
			continue;
		fputs("sha256:", f);
		for (int b = 0; b < 32; b++)
			fprintf(f, "%02x", md[b]);
		fputc('\n', f);
		(*count)++;
	}
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (!err && *count)
		err = gen_stage_meta(&st->s, "replaced", text, len);
	return err;
}

/* --revoke-replaced: say which replaced files were not revoked, and why. */
static void print_empty_kept(const struct stage *st)
{
	if (st->empty_kept)
		printf("not revoked: %u replaced file(s) that were empty: the digest of empty content would "
		       "refuse every empty file, of any name ('fwverify revoke' takes it if you mean that)\n",
		       st->empty_kept);
}

static void print_changes(const struct stage *st)
{
	for (size_t i = 0; i < st->n; i++)
		printf("%-9s %s\n", change_names[st->items[i].change], st->items[i].name);
}

/* Take the lock, clean up, and read the active tree and the high-water mark. */
static int open_state(struct stage *st, uint64_t *hwm)
{
	struct fw_error e = { 0 };
	int err;

	err = gen_start(&st->c, st->wait, &st->g, &e);
	if (err) {
		log_error(e.path, gen_start_error(err), err == -EBUSY || err == -EEXIST ? 0 : err);
		return EXIT_USAGE;
	}
	if (st->g.note[0])
		log_warning(st->c.state_dir, "%s", st->g.note);
	if (st->g.active) {
		st->act_fd = gen_open_tree(&st->g, st->g.active, &e);
		if (st->act_fd < 0) {
			log_error(e.path, "cannot open the active generation", st->act_fd);
			return EXIT_USAGE;
		}
		err = gen_list_tree(st->act_fd, &st->act, &e);
		if (err) {
			log_error(e.path, "the active generation cannot be read", err);
			return EXIT_USAGE;
		}
	}
	err = gen_hwm_read(&st->g, hwm, &e);
	if (err) {
		log_error(e.path, "cannot read the manifest high-water mark", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Build the new generation in the staging area and run every check; the refusals are counted in st->refused. */
static int build_and_check(struct stage *st, uint64_t hwm)
{
	struct fw_error e = { 0 };
	int err = gen_stage_begin(&st->g, &st->s, &e);

	if (err) {
		log_error(e.path, "cannot make a staging area", err);
		return EXIT_USAGE;
	}
	if (build(st))
		return EXIT_USAGE;
	/* Every check runs, whatever an earlier one refused: all problems are named at once. */
	verify(st);
	if (st->has_manifest && check_manifest(st, hwm))
		return EXIT_USAGE;
	check_downgrades(st);
	return EXIT_OK;
}

/* Switch to the staged generation, then finish: manifest mark, revocations, old generations. */
static int activate(struct stage *st, unsigned int nrev)
{
	struct fw_error e = { 0 };
	unsigned long n = 0, old = st->g.active;
	int err = gen_activate(&st->g, &st->s, &n, &e);

	if (err) {
		log_error(e.path, st->g.active == old ? "cannot activate the new generation (the active one is unchanged)" :
			  "activated the new generation, but cannot make the switch durable", err);
		return EXIT_USAGE;
	}
	print_changes(st);
	if (old)
		printf("activated generation %lu (was %lu)\n", n, old);
	else
		printf("activated generation %lu\n", n);
	err = gen_finish(&st->g, n, &e);
	if (err) {
		log_error(e.path, "activated, but could not record the manifest or revoke the replaced files "
			  "(the next stage or rollback finishes it)", err);
		return EXIT_USAGE;
	}
	if (nrev)
		printf("revoked %u replaced file(s)\n", nrev);
	print_empty_kept(st);
	err = gen_prune(&st->g, st->c.keep, &e);
	if (err)
		log_warning(e.path, "cannot remove an old generation: %s", errno_text(err));
	return EXIT_OK;
}

/* Everything after the source was read. */
static int stage(struct stage *st)
{
	unsigned int nrev = 0, changes = 0;
	uint64_t hwm = 0;
	int ret, err;

	ret = open_state(st, &hwm);
	if (ret)
		return ret;
	if (hwm && !st->has_manifest && !st->no_manifest)
		refuse(st, st->src_name, "no signed manifest, but staged releases have carried one "
		       "(use --no-manifest to stage it anyway)");
	ret = build_and_check(st, hwm);
	if (ret)
		return ret;
	for (size_t i = 0; i < st->n; i++)
		changes += st->items[i].change != UNCHANGED;
	/* The same tree (and the same manifest, if any) as the active generation. */
	if (!st->refused && !changes && (!st->has_manifest || st->same_manifest)) {
		printf("no change: generation %lu stays active\n", st->g.active);
		return EXIT_OK;
	}
	if (st->refused)
		return refusal_summary(st);
	if (st->revoke_replaced) {
		err = stage_revocations(st, &nrev);
		if (err) {
			log_error(st->s.tree_path, "cannot record the revocations", err);
			return EXIT_USAGE;
		}
	}
	if (st->dry_run) {
		print_changes(st);
		print_empty_kept(st);
		printf("dry run: verified, nothing activated\n");
		return EXIT_OK;
	}
	return activate(st, nrev);
}

/* A FILE argument as a firmware name: "./" prefixes dropped; not a signature or the manifest. */
static int check_file_arg(char **arg)
{
	while (!strncmp(*arg, "./", 2))
		*arg += 2;
	if (!manifest_name_ok(*arg)) {
		log_usage("stage", "'%s' is not a firmware name: give paths relative to the release's top directory (see -C)", *arg);
		return EXIT_USAGE;
	}
	if (manifest_name_reserved(*arg)) {
		log_usage("stage", "'%s': give the firmware file, its .p7s comes with it (a manifest needs a DIR)", *arg);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ca", required_argument, NULL, 'a' },
		{ "directory", required_argument, NULL, 'C' },
		{ "allow-downgrade", no_argument, NULL, 'D' },
		{ "revoke-replaced", no_argument, NULL, 'R' },
		{ "no-manifest", no_argument, NULL, 'M' },
		{ "allow-empty", no_argument, NULL, 'E' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(stage_free) struct stage st = { .src_fd = -1, .act_fd = -1 };
	_cleanup_(freep) char **cas = calloc(argc, sizeof(*cas));
	const char *base = NULL;
	struct fw_error e;
	int opt, ncas = 0, ret, nargs;
	struct stat sb;

	st.g.state_fd = st.g.gens_fd = st.g.lock_fd = st.g.parent_fd = -1;
	st.s.gen_fd = st.s.tree_fd = -1;
	if (!cas)
		return EXIT_USAGE;
	while ((opt = getopt_long(argc, argv, ":a:C:DRMEnwh", options, NULL)) != -1) {
		switch (opt) {
		case 'a': cas[ncas++] = optarg; break;
		case 'C': base = optarg; break;
		case 'D': st.allow_downgrade = true; break;
		case 'R': st.revoke_replaced = true; break;
		case 'M': st.no_manifest = true; break;
		case 'E': st.allow_empty = true; break;
		case 'n': st.dry_run = true; break;
		case 'w': st.wait = true; break;
		case 'h': command_help(&cmd_stage); return EXIT_OK;
		default: return command_bad_option(&cmd_stage, opt, argv);
		}
	}
	nargs = argc - optind;
	if (!nargs) {
		log_usage("stage", "no DIR or FILE given");
		return EXIT_USAGE;
	}
	st.whole = nargs == 1 && !base && stat(argv[optind], &sb) == 0 && S_ISDIR(sb.st_mode);
	st.src_name = st.whole ? argv[optind] : base ? base : ".";
	for (int i = optind; !st.whole && i < argc; i++) {
		if (check_file_arg(&argv[i]))
			return EXIT_USAGE;
		for (int k = optind; k < i; k++) {
			if (!strcmp(argv[k], argv[i])) {
				log_usage("stage", "'%s' given twice", argv[i]);
				return EXIT_USAGE;
			}
		}
	}
	if (config_load(NULL, &st.c, &e)) {
		fprintf(stderr, "fwverify: %s\n", e.msg);
		return EXIT_USAGE;
	}
	ret = gen_checker_load(&st.k, &st.c, cas, ncas, &e);
	if (ret)
		return checker_error("stage", &e);
	ret = read_source(&st, argv + optind, nargs, base);
	if (ret)
		return ret;
	/* A DIR with no file at all would remove every file of the managed tree. */
	if (st.whole && !st.src.n && !st.refused && !st.allow_empty)
		refuse(&st, st.src_name, "an empty release: staging it would remove every file of %s "
		       "(use --allow-empty if that is what you want)", st.c.search_dir);
	ret = stage(&st);
	gen_stage_end(&st.g, &st.s);
	gen_close(&st.g);
	return ret;
}

const struct command cmd_stage = {
	.name = "stage",
	.run = run,
	.summary = "verify a firmware release and make it the active generation, atomically",
	.help = "stage [OPTION]... DIR | FILE...\n\n"
		"Build a new generation of the managed firmware tree (search_dir in the\n"
		"configuration) in a private staging area, verify every file against its\n"
		".p7s (offline against the configured CAs, and by the running kernel's\n"
		"check file when fwverify.ko is loaded), then activate it with one atomic\n"
		"switch of the search_dir symlink. Unchanged files are hard links.\n"
		"FILE.xz or FILE.zst without its own .p7s may be signed by FILE.p7s, a\n"
		"signature of the decompressed content, as the kernel takes it.\n\n"
		"  DIR        a whole release: the new tree is exactly DIR's files (each\n"
		"             with FILE.p7s). If DIR holds fwverify.manifest(.p7s), the\n"
		"             tree must match that signed manifest, its generation must be\n"
		"             above every one staged before, and it must not have expired.\n"
		"  FILE...    firmware names relative to the current directory (or -C DIR),\n"
		"             each with FILE.p7s: they are added to or replace files of the\n"
		"             active tree; the rest of the tree stays.\n\n"
		"A file whose signature is older than the active one's (by signing time)\n"
		"is refused as a downgrade; so is one whose signature has no signing time,\n"
		"unless the release has a signed manifest. Prints one line per file\n"
		"(added, changed, removed, unchanged) and the generation activated.\n\n"
		"  -a, --ca CERT.pem        also trust these certificates (repeatable)\n"
		"  -C, --directory DIR      FILEs are relative to DIR\n"
		"  -D, --allow-downgrade    accept older signatures and ones without a time\n"
		"  -R, --revoke-replaced    revoke (in the kernel and the persistent list)\n"
		"                           the files that are replaced or removed, by the\n"
		"                           digest the kernel matches, as 'revoke FILE';\n"
		"                           never an empty file's (it would refuse every\n"
		"                           empty file): that is said, not done\n"
		"  -M, --no-manifest        accept a release without a manifest after\n"
		"                           releases that carried one\n"
		"  -E, --allow-empty        accept a DIR with no file, which empties the\n"
		"                           managed tree (refused otherwise)\n"
		"  -n, --dry-run            stage and verify, but do not activate\n"
		"  -w, --wait               wait for another stage or rollback to finish\n"
		"                           instead of failing\n\n"
		"Exit status: 0 activated (or no change), 1 refused, 2 usage or I/O error;\n"
		"on failure the active generation is untouched.\n",
};
