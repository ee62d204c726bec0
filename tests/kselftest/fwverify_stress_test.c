// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded-time stress of fwverify's load path with hostile files (issue
 * 14): for FWVERIFY_STRESS_SECONDS (default 20), random operations on a
 * private tree, /lib/firmware/fwverify-stress/: signed firmware installed
 * from a pool that mkfwtree.sh made on the host (stress-pool/MANIFEST), or
 * signed here now and then; files truncated, bytes flipped, replaced with
 * random bytes; random and malformed .xz and .zst; symlinks to other
 * firmware, signatures, directories, nowhere, themselves, /dev/zero,
 * /proc, securityfs, a FIFO; renames over, hard links, directories; copies in
 * /lib/firmware/updates.  Between them, random names are requested through
 * test_firmware (request_firmware, the async request, batched requests,
 * into a driver's buffer, partial reads at offsets; see guarded() for
 * which when) and checked through the securityfs check file; the mode
 * flips between enforce, log and off now and then, and fwverify is
 * unloaded and loaded again under load (when it is a module and not
 * locked).
 *
 * The property, on every load that succeeds in enforce mode: the bytes the
 * driver got are exactly a content signed by the test key (or a signature
 * it made, requested as firmware), one this test knows (the pool, or one it
 * signed), signed for the name requested or without a name.  A partial
 * read got exactly that content's bytes at its offset.  And whenever the
 * check file says "verified", the file at that path holds such bytes.
 * No oops: the VM panics on one (panic_on_oops, panic_on_warn); the kernel
 * log is also scanned for BUG: and WARNING: lines.
 *
 * FWVERIFY_STRESS_SEED repeats a run's sequence of operations, as far as
 * the kernel answers alike (the seed is printed); FWVERIFY_STRESS_VERBOSE=1
 * prints every operation.  A violation prints the operations before it, and
 * so does a stall of a minute.
 */
#include "fwverify_lib.h"

#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/utsname.h>

#define STRESS		"fwverify-stress"
#define TREE		"/lib/firmware/" STRESS "/"
#define UPD		"/lib/firmware/updates/" STRESS "/"
#define POOL		"/lib/firmware/fwverify-test/stress-pool/"
#define SIGN_DIR	"/tmp/fwverify-stress-sign/"
#define NSLOT		8
#define BS_MAX		1024	/* test_firmware's buffer for into_buf */
#define RING		48
#define NOTE_LEN	200

enum { M_OFF, M_LOG, M_ENFORCE };
static const char *const mode_names[] = { "off", "log", "enforce" };

struct blob {
	unsigned char *p;
	size_t n;
};

/*
 * What a driver may get in enforce mode: @dec, the bytes it gets, from a
 * file holding @raw (the same, or compressed), signed for the firmware
 * name @name ("" for a signature without one).
 */
struct entry {
	struct blob dec, raw;
	char name[64];
};

/*
 * A pool item (MANIFEST): 'p' plain, 'c' compressed: @comp, the pool's
 * file @file@ext, is @content compressed, stored as NAME@sfx in the tree;
 * @ssig, its own signature, is missing for the "-alt" encodings.
 */
struct item {
	char kind;
	char file[64], name[64], sfx[8], ext[16];
	struct blob content, csig, comp, ssig;
};

/* Shared with the watchdog: the last operations. */
struct shared {
	volatile unsigned long ops;
	volatile unsigned int head;
	char ring[RING][NOTE_LEN];
};

static struct {
	unsigned long ops, loads, allowed, refused, checked, unchecked;
	unsigned long checks, check_verified, mode_changes, reloads, signs;
	unsigned long tool_stricter;	/* signatures only the tool refuses */
	unsigned long violations, kmsg_bad;
} st;

static struct entry *ents;
static size_t nents, ents_cap;
static struct item items[64];
static int nitems;
static struct shared *sh;
static uint64_t rs;
static int mode = M_LOG;
static bool loaded = true, can_reload, can_mode, verbose;
static int kmsg_fd = -1, fifo_fd = -1;
static char kmsg_bad[4][256];
static char viol[4][512];

static uint64_t rnd64(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 2685821657736338717ULL;
}

static unsigned int rnd(unsigned int n)
{
	return n ? rnd64() % n : 0;
}

static void rand_bytes(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd64() >> 56;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __attribute__((format(printf, 1, 2))) void note(const char *fmt, ...)
{
	char *slot = sh->ring[sh->head % RING];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(slot, NOTE_LEN, fmt, ap);
	va_end(ap);
	sh->head++;
	if (verbose)
		printf("# op %lu: %s\n", st.ops, slot);
}

static void dump_ring(FILE *out)
{
	unsigned int h = sh->head, i;

	fprintf(out, "# the last operations, oldest first:\n");
	for (i = h > RING ? h - RING : 0; i < h; i++)
		fprintf(out, "#   %s\n", sh->ring[i % RING]);
}

static __attribute__((format(printf, 1, 2))) void violation(const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st.violations < 4) {
		snprintf(viol[st.violations], sizeof(viol[0]), "%s", msg);
		fprintf(stderr, "# VIOLATION at op %lu: %s\n", st.ops, msg);
		dump_ring(stderr);
	}
	st.violations++;
}

/* --- files ---------------------------------------------------------------- */

static struct blob read_blob(const char *path)
{
	struct blob b = { NULL, 0 };

	b.p = (unsigned char *)slurp(path, &b.n);
	return b;
}

static struct blob cat(struct blob a, const void *p, size_t n)
{
	struct blob b;

	b.n = a.n + n;
	b.p = malloc(b.n + 1);
	memcpy(b.p, a.p, a.n);
	if (n)
		memcpy(b.p + a.n, p, n);
	return b;
}

/* Remove whatever is at @path: a file, a symlink, an empty directory. */
static void remove_any(const char *path)
{
	if (unlink(path) && (errno == EISDIR || errno == EPERM))
		rmdir(path);
}

/*
 * Write @n bytes to @path: in place (the same inode, truncated first) or
 * by a rename over it.  Never through a symlink, into a FIFO or a device.
 */
static void put_file(const char *path, const void *p, size_t n, bool atomic)
{
	struct stat sb;
	int fd, tries;

	if (atomic) {
		unlink(TREE ".tmp");
		fd = open(TREE ".tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return;
		if (n && write(fd, p, n) != (ssize_t)n)
			n = 0;
		close(fd);
		if (rename(TREE ".tmp", path)) {
			remove_any(path);
			rename(TREE ".tmp", path);
		}
		return;
	}
	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			  O_CLOEXEC, 0644);
		if (fd >= 0 && !fstat(fd, &sb) && S_ISREG(sb.st_mode))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		remove_any(path);
	}
	if (fd < 0)
		return;
	if (!ftruncate(fd, 0) && n && write(fd, p, n) != (ssize_t)n)
		n = 0;
	close(fd);
}

/* Open @path, a regular file (not through a symlink), for writing. */
static int open_regular(const char *path, struct stat *sb)
{
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, sb) || !S_ISREG(sb->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A symlink at @path to @target, put there by a rename. */
static void put_link(const char *path, const char *target)
{
	unlink(TREE ".lnk");
	if (symlink(target, TREE ".lnk"))
		return;
	if (rename(TREE ".lnk", path)) {
		remove_any(path);
		rename(TREE ".lnk", path);
	}
}

/* --- what a driver may get -------------------------------------------------- */

static void add_entry(struct blob dec, struct blob raw, const char *name,
		      const char *suffix)
{
	struct entry *e;

	if (!dec.p || !raw.p)
		return;
	if (nents == ents_cap) {
		ents_cap = ents_cap ? 2 * ents_cap : 64;
		ents = realloc(ents, ents_cap * sizeof(*ents));
	}
	e = &ents[nents++];
	e->dec = dec;
	e->raw = raw;
	if (!name || !strcmp(name, "-"))
		e->name[0] = '\0';
	else
		snprintf(e->name, sizeof(e->name), "%s%s", name, suffix);
}

/*
 * May a signature for the firmware name @signed_for cover a load requested
 * as @req (its last component)?  No name covers any; a content or stored
 * file signature of compressed firmware names req, req.xz or req.zst.
 */
static bool name_ok(const char *signed_for, const char *req)
{
	size_t n = strlen(req);

	if (!signed_for[0] || !strcmp(signed_for, req))
		return true;
	return !strncmp(signed_for, req, n) &&
	       (!strcmp(signed_for + n, ".xz") || !strcmp(signed_for + n, ".zst"));
}

static bool slice_match(const struct blob *b, size_t off, size_t bs,
			const unsigned char *p, size_t n)
{
	size_t want;

	if (off >= b->n)
		return n == 0;
	want = b->n - off < bs ? b->n - off : bs;
	return n == want && !memcmp(b->p + off, p, n);
}

static const char *last_component(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

static bool has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), k = strlen(sfx);

	return n >= k && !strcmp(s + n - k, sfx);
}

/* Does @path hold a content the test key signed?  Counted when it does. */
static bool beside_signed_content(const char *path)
{
	struct blob f = read_blob(path);
	size_t k;

	for (k = 0; f.p && k < nents; k++) {
		if (ents[k].dec.n == f.n && !memcmp(ents[k].dec.p, f.p, f.n)) {
			if (!st.tool_stricter++)
				fprintf(stderr, "# the tool refuses %s.p7s, which the kernel verified over a signed file\n",
					path);
			free(f.p);
			return true;
		}
	}
	free(f.p);
	return false;
}

/*
 * A signature requested as firmware (X.p7s) is accepted when it is a good
 * signature of the file beside it, and a signature has bytes that nothing
 * signs (its certificates' names, for one): one a byte of which was
 * flipped may still be good.  So it need not be one the test key made:
 * the file the loader read (@paths, in the order it tries them) must hold
 * the bytes the driver got (at @off for a partial read) and verify, by the
 * fwverify tool with the test key, as the signature of the file beside it.
 *
 * The tool parses a signature's certificates with OpenSSL; the kernel
 * verifies by the trusted key, and accepts a signature whose embedded
 * certificate was damaged.  Over a file beside it that holds a signed
 * content, that is the tool's stricter reading, not a bypass: counted and
 * shown, for the offline verdict to follow the kernel.
 */
static bool good_sigfile(const char *const *paths, int npaths,
			 const unsigned char *p, size_t n, bool partial,
			 size_t off, size_t bs)
{
	char file[512], cmd[1200];
	struct blob f;
	bool same;
	int i;

	for (i = 0; i < npaths; i++) {
		f = read_blob(paths[i]);
		if (!f.p)
			continue;
		same = partial ? slice_match(&f, off, bs, p, n) :
				 f.n == n && !memcmp(f.p, p, n);
		free(f.p);
		if (!same)
			continue;
		snprintf(file, sizeof(file), "%.*s", (int)strlen(paths[i]) - 4, paths[i]);
		snprintf(cmd, sizeof(cmd),
			 "fwverify verify --ca " PKI "rsa-signer.crt --sig '%s' '%s' >/dev/null 2>&1",
			 paths[i], file);
		if (system(cmd) == 0 || beside_signed_content(file))
			return true;
	}
	return false;
}

/*
 * The driver got @p (@n bytes) for @name; @partial: a partial read at @off
 * into a buffer of @bs.  In enforce mode this must be a signed content.
 */
static void check_got(const char *how, const char *name, const unsigned char *p,
		      size_t n, bool partial, size_t off, size_t bs)
{
	const char *req = last_component(name);
	bool bytes = false;
	char where[32];
	size_t i;

	if (!loaded || mode != M_ENFORCE)
		return;
	st.checked++;
	for (i = 0; i < nents; i++) {
		struct entry *e = &ents[i];

		if (partial ? !slice_match(&e->dec, off, bs, p, n) :
			      e->dec.n != n || memcmp(e->dec.p, p, n))
			continue;
		bytes = true;
		if (name_ok(e->name, req))
			return;
	}
	if (has_suffix(name, ".p7s")) {
		char upd[256], lib[256];
		const char *paths[] = { upd, lib };

		snprintf(upd, sizeof(upd), "/lib/firmware/updates/%s", name);
		snprintf(lib, sizeof(lib), "/lib/firmware/%s", name);
		if (good_sigfile(paths, 2, p, n, partial, off, bs))
			return;
	}
	where[0] = '\0';
	if (partial)
		snprintf(where, sizeof(where), " at %zu", off);
	if (bytes)
		violation("%s '%s'%s: the driver got %zu bytes signed only for another firmware name",
			  how, name, where, n);
	else
		violation("%s '%s'%s: the driver got %zu bytes (%02x %02x %02x %02x ...) that the test key never signed",
			  how, name, where, n, n > 0 ? p[0] : 0, n > 1 ? p[1] : 0,
			  n > 2 ? p[2] : 0, n > 3 ? p[3] : 0);
}

/*
 * Does the check output @out report the digest of a content the test key
 * signed for @req (stress-pool/DIGESTS, made on the host)?
 */
static bool content_digest_ok(const char *out, const char *req)
{
	char line[256], digest[65], name[128];
	const char *d = strstr(out, "\ndigest=sha256:");
	bool ok = false;
	FILE *f;

	if (!d)
		return false;
	d += strlen("\ndigest=sha256:");
	f = fopen(POOL "DIGESTS", "re");
	if (!f)
		return false;
	while (!ok && fgets(line, sizeof(line), f))
		ok = sscanf(line, "%64s %127s", digest, name) == 2 &&
		     !strncmp(d, digest, 64) && d[64] == '\n' &&
		     name_ok(name, req);
	fclose(f);
	return ok;
}

/* --- the pool --------------------------------------------------------------- */

static int load_pool(void)
{
	char line[256], kind[16], file[64], name[64], path[512];
	FILE *f = fopen(POOL "MANIFEST", "re");
	const char *sfx;
	int i;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && nitems < (int)ARRAY_SIZE(items)) {
		struct item *it = &items[nitems];

		if (sscanf(line, "%15s %63s %63s", kind, file, name) != 3)
			continue;
		it->kind = strcmp(kind, "plain") ? 'c' : 'p';
		sfx = !strncmp(kind, "zst", 3) ? ".zst" : ".xz";
		snprintf(it->sfx, sizeof(it->sfx), "%s", sfx);
		snprintf(it->ext, sizeof(it->ext), "%s%s",
			 strstr(kind, "-alt") ? ".alt" : "", sfx);
		snprintf(it->file, sizeof(it->file), "%s", file);
		snprintf(it->name, sizeof(it->name), "%s", name);
		snprintf(path, sizeof(path), POOL "%s", file);
		it->content = read_blob(path);
		strcat(path, ".p7s");
		it->csig = read_blob(path);
		if (!it->content.p || !it->csig.p)
			continue;
		add_entry(it->content, it->content, name, "");
		add_entry(it->csig, it->csig, name, ".p7s");
		if (it->kind == 'c') {
			const char *s = it->sfx;

			snprintf(path, sizeof(path), POOL "%s%s", file, it->ext);
			it->comp = read_blob(path);
			if (!it->comp.p)
				continue;
			/* Decoded under a content signature. */
			add_entry(it->content, it->comp, name, "");
			strcat(path, ".p7s");
			it->ssig = read_blob(path);
			if (it->ssig.p) {
				/* Under the stored file's, decoded or as it is. */
				add_entry(it->content, it->comp, name, s);
				add_entry(it->comp, it->comp, name, s);
				snprintf(path, sizeof(path), "%s.p7s", s);
				add_entry(it->ssig, it->ssig, name, path);
			}
		}
		nitems++;
	}
	fclose(f);
	for (i = 0; i < nitems; i++)
		if (items[i].kind == 'c')
			return 0;
	return -ENOENT;
}

/* An item of @kind (0: any) for slot @slot (-1: any); @sfx, if set. */
static struct item *pick_item_sfx(char kind, int slot, const char *sfx)
{
	char want[16];
	int i, n = 0, cand[ARRAY_SIZE(items)];

	snprintf(want, sizeof(want), "s%d.bin", slot);
	for (i = 0; i < nitems; i++) {
		if (kind && items[i].kind != kind)
			continue;
		if (sfx && strcmp(items[i].sfx, sfx))
			continue;
		if (slot >= 0 && strcmp(items[i].name, want) && strcmp(items[i].name, "-"))
			continue;
		cand[n++] = i;
	}
	if (!n)
		return slot >= 0 ? pick_item_sfx(kind, -1, sfx) : NULL;
	return &items[cand[rnd(n)]];
}

static struct item *pick_item(char kind, int slot)
{
	return pick_item_sfx(kind, slot, NULL);
}

/* --- names -------------------------------------------------------------------- */

/* The name changed last (relative to TREE): requests favour it. */
static char hot[96];

static __attribute__((format(printf, 1, 2))) void set_hot(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hot, sizeof(hot), fmt, ap);
	va_end(ap);
}

/* A name in the tree to change, relative to TREE. */
static void pick_tree_name(char *out, size_t len)
{
	static const char *const forms[] = {
		"s%d.bin", "s%d.bin", "s%d.bin", "s%d.bin.p7s", "s%d.bin.p7s",
		"s%d.bin.xz", "s%d.bin.zst", "s%d.bin.xz.p7s", "s%d.bin.zst.p7s",
		"alt/s%d.bin", "alt/s%d.bin.p7s",
	};
	unsigned int r = rnd(100);

	if (r < 4)
		snprintf(out, len, "d");
	else
		snprintf(out, len, forms[r % ARRAY_SIZE(forms)], rnd(NSLOT));
	set_hot("%s", out);
}

/* A firmware name to request. */
static void pick_request(char *out, size_t len)
{
	static const char *const odd[] = {
		"loop1", "chain0", "chain30", "fifo", "dev0", "d", "nonexistent.bin",
		"alt", "", "d/alt/s0.bin",
	};
	static const char *const forms[] = {
		"%s/s%d.bin", "%s/s%d.bin", "%s/s%d.bin", "%s/s%d.bin", "%s/s%d.bin",
		"%s/s%d.bin", "%s/s%d.bin.p7s", "%s/s%d.bin.p7s", "%s/s%d.bin.xz",
		"%s/s%d.bin.zst", "%s/s%d.bin.xz.p7s", "%s/d/s%d.bin", "%s/d/s%d.bin",
		"%s/alt/s%d.bin", "%s/./s%d.bin", "%s//s%d.bin", "%s/alt/../s%d.bin",
		"%s/../" STRESS "/s%d.bin", "%s/d/s%d.bin.p7s",
	};
	unsigned int r = rnd(100);
	char *sfx;

	/* What just changed, as named, or the firmware it is part of. */
	if (hot[0] && r < 35) {
		snprintf(out, len, STRESS "/%s", hot);
		sfx = strstr(out, ".bin.");
		if (sfx && rnd(2))
			sfx[4] = '\0';
		return;
	}
	if (r < 43)
		snprintf(out, len, STRESS "/%s", odd[r % ARRAY_SIZE(odd)]);
	else
		snprintf(out, len, forms[r % ARRAY_SIZE(forms)], STRESS, rnd(NSLOT));
}

/* --- requests ------------------------------------------------------------------ */

static int tf_set_num(const char *attr, unsigned long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lu", v);
	return tf_set(attr, s);
}

static void count_load(int err)
{
	st.loads++;
	if (err)
		st.refused++;
	else
		st.allowed++;
}

/*
 * Loads that the loader may decompress into a buffer it sizes by the frame
 * header (request_firmware() of a .zst) are made in enforce mode only:
 * 6.12's loader WARNs on a header that declares no content (vzalloc(0) in
 * fw_decompress_zstd()) and warns on a huge one, which is the kernel's
 * business, not fwverify's, unless fwverify allowed the file.  Reads into
 * a driver's buffer decompress into that buffer: they may go on in any
 * mode, and while fwverify is not loaded.
 */
static bool guarded(void)
{
	return loaded && mode == M_ENFORCE;
}

static void op_batched(bool into_only);

static void op_request(bool async)
{
	char name[128];
	struct blob got;
	int err;

	if (!guarded()) {
		op_batched(true);
		return;
	}
	pick_request(name, sizeof(name));
	note("%s '%s' [%s]", async ? "async request" : "request", name,
	     loaded ? mode_names[mode] : "unloaded");
	err = write_str(async ? TF_DIR "trigger_async_request" : TRIGGER, name);
	count_load(err);
	if (err)
		return;
	got = read_blob(TEST_DEV);
	if (!got.p) {
		violation("cannot read " TEST_DEV " after loading '%s'", name);
		return;
	}
	check_got(async ? "async request" : "request", name, got.p, got.n,
		  false, 0, 0);
	free(got.p);
}

/*
 * Would test_firmware's read_firmware show a whole page for @name?  6.x's
 * sysfs cuts such a show to a page less a byte; 7.x's warns (a WARN, and
 * the VM panics on warnings).  So on 7.x a firmware whose file under the
 * search directories is a page long is not read back (counted unchecked).
 */
static bool page_sized_on_7x(const char *name)
{
	static const char *const dirs[] = { "/lib/firmware/updates/", "/lib/firmware/" };
	static int major = -1;
	char path[512];
	struct utsname u;
	struct stat sb;
	size_t i;

	if (major < 0)
		major = uname(&u) ? 0 : atoi(u.release);
	if (major < 7)
		return false;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s%s", dirs[i], name);
		if (!stat(path, &sb) && sb.st_size == 4096)
			return true;
	}
	return false;
}

/* Sequential partial reads go on where the last one stopped. */
static char last_partial[128];
static size_t last_partial_end;

static void op_batched(bool into_only)
{
	unsigned int nreq = 1 + rnd(3), kind = rnd(into_only ? 7 : 10), i;
	bool into = kind < 7, partial = kind < 4, direct = rnd(2);
	size_t bs = rnd(2) ? BS_MAX : 1 + rnd(BS_MAX), off = 0;
	char name[128], res[32];
	unsigned char buf[8192];
	int err, fd;
	ssize_t n;

	if (partial && last_partial[0] && rnd(2)) {
		snprintf(name, sizeof(name), "%s", last_partial);
		off = last_partial_end;
	} else {
		pick_request(name, sizeof(name));
		if (partial && rnd(2))
			off = rnd(2) ? rnd(6000) : rnd(4) * BS_MAX;
	}
	if (!into)
		bs = BS_MAX;
	note("batched '%s' x%u %s bs %zu off %zu%s [%s]", name, nreq,
	     partial ? "partial" : into ? "into_buf" : "request_firmware",
	     bs, off, direct ? " direct" : "", loaded ? mode_names[mode] : "unloaded");
	tf_set("release_all_firmware", "1");
	tf_set("reset", "1");
	if (tf_set("config_name", name) || tf_set_num("config_num_requests", nreq) ||
	    tf_set("config_into_buf", into ? "1" : "0") ||
	    tf_set("config_partial", partial ? "1" : "0") ||
	    tf_set_num("config_buf_size", bs) ||
	    tf_set_num("config_file_offset", off) ||
	    tf_set("config_sync_direct", direct ? "1" : "0")) {
		violation("cannot configure test_firmware for '%s'", name);
		return;
	}
	err = tf_set("trigger_batched_requests", "1");
	tf_batch_done();
	if (err) {
		violation("trigger_batched_requests '%s': %s", name, strerror(-err));
		return;
	}
	if (!read_str(TF_DIR "test_result", res, sizeof(res)) && atoi(res) == 0 &&
	    partial) {
		snprintf(last_partial, sizeof(last_partial), "%s", name);
		last_partial_end = off + bs;
	}
	for (i = 0; i < nreq; i++) {
		if (!into && page_sized_on_7x(name)) {
			count_load(0);	/* as a read of more than a page */
			st.unchecked++;
			continue;
		}
		tf_set_num("config_read_fw_idx", i);
		fd = open(TF_DIR "read_firmware", O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		err = n < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		/* ENOENT: this request failed; EINVAL: more than a page. */
		count_load(n < 0 && err != EINVAL);
		if (n < 0) {
			if (err == EINVAL)
				st.unchecked++;
			continue;
		}
		if (into && (size_t)n > bs)
			violation("batched '%s': %zd bytes in a buffer of %zu", name, n, bs);
		/*
		 * sysfs shows at most a page less one byte: of firmware of a
		 * page, read_firmware gives all but its last byte.
		 */
		if (!into && n == 4095)
			check_got("batched (a page, cut by sysfs)", name, buf, n,
				  true, 0, 4095);
		else
			check_got(partial ? "partial read" : into ? "into_buf" : "batched",
				  name, buf, n, partial, off, bs);
	}
	tf_set("release_all_firmware", "1");
}

/* The check file: what a load of a path would get. */
static void op_check(void)
{
	char rel[128], path[256], out[2048], req[128];
	const char *r, *sfx;
	struct stat sb;
	struct blob raw;
	bool bytes = false;
	size_t i;
	ssize_t n;
	int fd;

	switch (rnd(6)) {
	case 0:
		pick_request(rel, sizeof(rel));
		snprintf(path, sizeof(path), "/lib/firmware/%s", rel);
		break;
	case 1:
		snprintf(path, sizeof(path), UPD "s%d.bin", rnd(NSLOT));
		break;
	default:
		pick_tree_name(rel, sizeof(rel));
		snprintf(path, sizeof(path), TREE "%s", rel);
	}
	note("check '%s' [%s]", path, loaded ? mode_names[mode] : "unloaded");
	fd = open(CHECK, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (loaded)
			violation("cannot open " CHECK ": %s", strerror(errno));
		return;
	}
	st.checks++;
	if (write(fd, path, strlen(path)) != (ssize_t)strlen(path)) {
		close(fd);
		return;
	}
	n = read(fd, out, sizeof(out) - 1);
	close(fd);
	if (n <= 0) {
		violation("check '%s': the write worked, the read did not", path);
		return;
	}
	out[n] = '\0';
	if (strncmp(out, "result=verified\n", 16))
		return;
	st.check_verified++;
	/* What the path holds now: nothing changed it since. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		violation("check '%s' verified something that is not a regular file", path);
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	raw = read_blob(path);
	if (!raw.p) {
		violation("check '%s' verified a file that cannot be read", path);
		return;
	}
	snprintf(req, sizeof(req), "%s", last_component(path));
	sfx = strrchr(req, '.');
	if (sfx && (!strcmp(sfx, ".xz") || !strcmp(sfx, ".zst")))
		req[sfx - req] = '\0';
	r = req;
	for (i = 0; i < nents; i++) {
		if (ents[i].raw.n != raw.n || memcmp(ents[i].raw.p, raw.p, raw.n))
			continue;
		bytes = true;
		if (name_ok(ents[i].name, r))
			break;
	}
	if (i == nents && has_suffix(path, ".p7s")) {
		const char *paths[] = { path };

		if (good_sigfile(paths, 1, raw.p, raw.n, false, 0, 0))
			i = 0;
	}
	/*
	 * A compressed path is checked as the loader decompresses it (a
	 * request of its name without the suffix): what was verified is the
	 * content, whose digest the check reports.
	 */
	if (i == nents && strcmp(req, last_component(path)) &&
	    content_digest_ok(out, req))
		i = 0;
	if (i == nents)
		violation("check '%s' verified %zu bytes %s", path, raw.n,
			  bytes ? "signed only for another firmware name" :
				  "that the test key never signed");
	free(raw.p);
}

/* --- changes to the tree -------------------------------------------------------- */

static void op_install_plain(void)
{
	int slot = rnd(NSLOT);
	struct item *it = pick_item(0, rnd(10) < 7 ? slot : -1);
	unsigned int where = rnd(10) < 8 ? 0 : 1 + rnd(2);
	const char *dir = where == 0 ? TREE : where == 1 ? TREE "alt/" : UPD;
	char path[256];

	note("install %s (%s) as %ss%d.bin", it->file, it->name, dir, slot);
	set_hot("%ss%d.bin", where == 1 ? "alt/" : "", slot);
	snprintf(path, sizeof(path), "%ss%d.bin", dir, slot);
	put_file(path, it->content.p, it->content.n, rnd(2));
	strcat(path, ".p7s");
	put_file(path, it->csig.p, it->csig.n, rnd(2));
	if (rnd(3) == 0) {
		snprintf(path, sizeof(path), "%ss%d.bin.xz", dir, slot);
		remove_any(path);
		snprintf(path, sizeof(path), "%ss%d.bin.zst", dir, slot);
		remove_any(path);
	}
}

static const char *comp_sfx(const struct item *it)
{
	return it->sfx;
}

static void op_install_comp(void)
{
	struct item *it = pick_item('c', -1);
	int slot = rnd(10) < 7 ? it->name[1] - '0' : (int)rnd(NSLOT);
	unsigned int sig = it->ssig.p ? rnd(3) : 0;
	char path[256];

	note("install %s%s (%s) as s%d.bin%s, %s signature", it->file,
	     it->ext, it->name, slot, comp_sfx(it),
	     sig == 0 ? "content" : sig == 1 ? "stored file" : "both");
	snprintf(path, sizeof(path), TREE "s%d.bin%s", slot, comp_sfx(it));
	set_hot("s%d.bin%s", slot, comp_sfx(it));
	put_file(path, it->comp.p, it->comp.n, rnd(2));
	if (sig != 0) {
		strcat(path, ".p7s");
		put_file(path, it->ssig.p, it->ssig.n, rnd(2));
	}
	if (sig != 1) {
		snprintf(path, sizeof(path), TREE "s%d.bin.p7s", slot);
		put_file(path, it->csig.p, it->csig.n, rnd(2));
	}
	if (rnd(4)) {
		snprintf(path, sizeof(path), TREE "s%d.bin", slot);
		remove_any(path);
	}
}

static void op_truncate(void)
{
	char rel[128], path[256];
	struct stat sb;
	off_t len;
	int fd;

	pick_tree_name(rel, sizeof(rel));
	snprintf(path, sizeof(path), TREE "%s", rel);
	fd = open_regular(path, &sb);
	if (fd < 0)
		return;
	len = rnd(10) ? (off_t)rnd(sb.st_size + 1) : sb.st_size + 1 + rnd(4096);
	note("truncate %s from %lld to %lld", rel, (long long)sb.st_size, (long long)len);
	if (ftruncate(fd, len))
		note("truncate %s: %s", rel, strerror(errno));
	close(fd);
}

static void op_flip(void)
{
	char rel[128], path[256];
	unsigned int k = 1 + rnd(4);
	struct stat sb;
	unsigned char c;
	off_t pos;
	int fd;

	pick_tree_name(rel, sizeof(rel));
	snprintf(path, sizeof(path), TREE "%s", rel);
	fd = open_regular(path, &sb);
	if (fd < 0)
		return;
	if (sb.st_size == 0) {
		close(fd);
		return;
	}
	note("flip %u bytes of %s (%lld bytes)", k, rel, (long long)sb.st_size);
	while (k--) {
		pos = rnd(sb.st_size);
		if (pread(fd, &c, 1, pos) != 1)
			break;
		c ^= 1 + rnd(255);
		if (pwrite(fd, &c, 1, pos) != 1)
			break;
	}
	close(fd);
}

static void op_random_replace(void)
{
	char rel[128], path[256];
	size_t n = rnd(5) ? rnd(5000) : rnd(64);
	unsigned char *buf = malloc(n + 1);

	pick_tree_name(rel, sizeof(rel));
	snprintf(path, sizeof(path), TREE "%s", rel);
	note("replace %s with %zu random bytes", rel, n);
	rand_bytes(buf, n);
	put_file(path, buf, n, rnd(2));
	free(buf);
}

static void op_random_comp(void)
{
	static const unsigned char xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char zst_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
	int slot = rnd(NSLOT);
	bool zst = rnd(2), magic = rnd(2);
	size_t n = 1 + rnd(2000);
	unsigned char *buf = malloc(n + 16);
	char path[256];

	rand_bytes(buf, n + 16);
	if (magic) {
		memcpy(buf, zst ? zst_magic : xz_magic,
		       zst ? sizeof(zst_magic) : sizeof(xz_magic));
		n += 6;
	}
	note("random %s%zu bytes as s%d.bin%s", magic ? "magic + " : "", n, slot,
	     zst ? ".zst" : ".xz");
	snprintf(path, sizeof(path), TREE "s%d.bin%s", slot, zst ? ".zst" : ".xz");
	set_hot("s%d.bin%s", slot, zst ? ".zst" : ".xz");
	put_file(path, buf, n, rnd(2));
	if (rnd(2)) {
		struct item *it = pick_item(0, slot);

		snprintf(path, sizeof(path), TREE "s%d.bin.p7s", slot);
		put_file(path, it->csig.p, it->csig.n, rnd(2));
	}
	if (rnd(2)) {
		snprintf(path, sizeof(path), TREE "s%d.bin", slot);
		remove_any(path);
	}
	free(buf);
}

/*
 * Valid compressed firmware made invalid: a second stream or frame,
 * padding, garbage, a skippable frame, a cut, a flipped byte; with the
 * content's signature beside it (and the stored file's, sometimes).
 */
static void op_malformed_comp(void)
{
	static const char *const what[] = {
		"two streams", "padding", "garbage after", "cut", "flipped",
		"itself twice", "skippable frame before", "skippable frame after",
	};
	struct item *a = pick_item('c', -1);
	struct item *b = pick_item_sfx('c', -1, a->sfx);
	unsigned int w = rnd(strcmp(a->sfx, ".zst") ? 6 : 8);
	unsigned char extra[96];
	int slot = a->name[1] - '0';
	char path[256];
	struct blob f = { NULL, 0 };
	size_t k;

	if (a->name[0] != 's')
		slot = rnd(NSLOT);
	switch (w) {
	case 0:
		f = cat(a->comp, b->comp.p, b->comp.n);
		break;
	case 1:
		memset(extra, 0, sizeof(extra));
		f = cat(a->comp, extra, 4 * (1 + rnd(4)));
		break;
	case 2:
		k = 1 + rnd(64);
		rand_bytes(extra, k);
		f = cat(a->comp, extra, k);
		break;
	case 3:
		f = cat(a->comp, NULL, 0);
		f.n = rnd(f.n);
		break;
	case 4:
		f = cat(a->comp, NULL, 0);
		f.p[rnd(f.n)] ^= 1 + rnd(255);
		break;
	case 5:
		f = cat(a->comp, a->comp.p, a->comp.n);
		break;
	case 6:
	case 7:
		k = rnd(32);
		extra[0] = 0x50 + rnd(16);
		extra[1] = 0x2a;
		extra[2] = 0x4d;
		extra[3] = 0x18;
		extra[4] = k;
		extra[5] = extra[6] = extra[7] = 0;
		rand_bytes(extra + 8, k);
		if (w == 6) {
			struct blob e = { extra, 8 + k };

			f = cat(e, a->comp.p, a->comp.n);
		} else {
			f = cat(a->comp, extra, 8 + k);
		}
		break;
	}
	note("%s%s %s (%zu bytes) as s%d.bin%s", a->file, a->ext, what[w],
	     f.n, slot, comp_sfx(a));
	snprintf(path, sizeof(path), TREE "s%d.bin%s", slot, comp_sfx(a));
	set_hot("s%d.bin%s", slot, comp_sfx(a));
	put_file(path, f.p, f.n, rnd(2));
	snprintf(path, sizeof(path), TREE "s%d.bin.p7s", slot);
	put_file(path, a->csig.p, a->csig.n, rnd(2));
	snprintf(path, sizeof(path), TREE "s%d.bin%s.p7s", slot, comp_sfx(a));
	if (rnd(2) && a->ssig.p)
		put_file(path, a->ssig.p, a->ssig.n, rnd(2));
	else
		remove_any(path);
	snprintf(path, sizeof(path), TREE "s%d.bin", slot);
	remove_any(path);
	free(f.p);
}

static void pick_link_target(char *out, size_t len, const char *self)
{
	static const char *const fixed[] = {
		"alt", ".", "..", "/", "nonexistent", "loop1", "chain0", "chain30",
		/*
		 * No sysfs file: the loader would read it (4096 bytes, a
		 * seq_file) under test_firmware's test_fw_mutex, which its
		 * own sysfs files take under kernfs's of->mutex, and lockdep
		 * reports that as a circular dependency (between different
		 * files, so no deadlock), then stops checking for the rest
		 * of the boot.  procfs and securityfs files have size 0,
		 * which kernel_read_file() refuses before reading.
		 */
		"/dev/zero", "/dev/null", "/proc/self/status", "/proc/version",
		"/proc/self/cmdline", "/proc/self/fd/0", "fifo", "dev0",
		"/sys/kernel/security/fwverify/check",
		"/lib/firmware/fwverify-test/big.bin",
		"/lib/firmware/fwverify-test/rsa-sha256.bin", "/tmp", "d", "d/s0.bin",
		"../" STRESS "/s1.bin", "/lib/firmware/" STRESS "/s2.bin",
	};
	static const char *const forms[] = {
		"s%d.bin", "s%d.bin", "s%d.bin.p7s", "s%d.bin.xz", "./s%d.bin",
		"alt/s%d.bin", "alt/s%d.bin.p7s", TREE "s%d.bin", TREE "s%d.bin.p7s",
	};
	struct item *it = &items[rnd(nitems)];
	unsigned int r = rnd(100);

	if (r < 30)
		snprintf(out, len, "%s", fixed[rnd(ARRAY_SIZE(fixed))]);
	else if (r < 35)
		snprintf(out, len, "%s", last_component(self));
	else if (r < 55)
		snprintf(out, len, "%s%s%s", rnd(2) ? POOL : "../fwverify-test/stress-pool/",
			 it->file,
			 it->kind == 'p' ? (rnd(3) ? "" : ".p7s") :
			 rnd(2) ? it->ext : "");
	else
		snprintf(out, len, forms[rnd(ARRAY_SIZE(forms))], rnd(NSLOT));
}

static void op_symlink(void)
{
	char rel[128], path[256], target[256];

	if (rnd(6) == 0) {
		/* A compressed name linked to a file without the suffix. */
		struct item *it = pick_item('c', -1);
		int slot = it->name[0] == 's' ? it->name[1] - '0' : (int)rnd(NSLOT);

		snprintf(rel, sizeof(rel), "s%d.bin%s", slot, comp_sfx(it));
		set_hot("%s", rel);
		snprintf(target, sizeof(target), POOL "%s%s", it->file,
			 rnd(2) ? it->ext : "");
		snprintf(path, sizeof(path), TREE "s%d.bin.p7s", slot);
		put_file(path, it->csig.p, it->csig.n, true);
		snprintf(path, sizeof(path), TREE "s%d.bin", slot);
		remove_any(path);
	} else {
		pick_tree_name(rel, sizeof(rel));
		pick_link_target(target, sizeof(target), rel);
	}
	note("symlink %s -> %s", rel, target);
	snprintf(path, sizeof(path), TREE "%s", rel);
	put_link(path, target);
}

static void op_dir_link(void)
{
	static const char *const targets[] = {
		".", ".", "alt", "alt", TREE "alt", "nonexistent", "s0.bin",
		"/proc/self", POOL, "..", "/lib/firmware/fwverify-test", "loop1",
		"fifo",
	};
	const char *t = targets[rnd(ARRAY_SIZE(targets))];

	note("symlink d -> %s", t);
	put_link(TREE "d", t);
}

static void op_rename(void)
{
	char a[128], b[128], pa[256], pb[256];

	pick_tree_name(a, sizeof(a));
	pick_tree_name(b, sizeof(b));
	note("rename %s over %s", a, b);
	snprintf(pa, sizeof(pa), TREE "%s", a);
	snprintf(pb, sizeof(pb), TREE "%s", b);
	rename(pa, pb);
}

static void op_hardlink(void)
{
	char a[128], b[128], pa[256], pb[256];
	unsigned int r = rnd(4);
	struct stat sb;

	if (r == 0)
		snprintf(a, sizeof(a), "fifo");
	else if (r == 1)
		snprintf(a, sizeof(a), "dev0");
	else
		pick_tree_name(a, sizeof(a));
	pick_tree_name(b, sizeof(b));
	note("hard link %s as %s", a, b);
	if (lstat(TREE "dev0", &sb))
		mknod(TREE "dev0", S_IFCHR | 0644, makedev(1, 5));
	snprintf(pa, sizeof(pa), TREE "%s", a);
	snprintf(pb, sizeof(pb), TREE "%s", b);
	unlink(TREE ".lnk");
	if (link(pa, TREE ".lnk"))
		return;
	if (rename(TREE ".lnk", pb)) {
		remove_any(pb);
		rename(TREE ".lnk", pb);
	}
	unlink(TREE ".lnk");
}

static void op_unlink(void)
{
	char rel[128], path[256];

	pick_tree_name(rel, sizeof(rel));
	note("remove %s", rel);
	snprintf(path, sizeof(path), TREE "%s", rel);
	remove_any(path);
}

static void op_mkdir(void)
{
	char rel[128], path[256];

	pick_tree_name(rel, sizeof(rel));
	note("directory %s", rel);
	snprintf(path, sizeof(path), TREE "%s", rel);
	remove_any(path);
	mkdir(path, 0755);
}

/* A copy in /lib/firmware/updates, which the loader tries first. */
static void op_shadow(void)
{
	int slot = rnd(NSLOT);
	char path[256], target[64];
	unsigned int r = rnd(4);
	unsigned char buf[1500];

	snprintf(path, sizeof(path), UPD "s%d.bin", slot);
	if (r == 0) {
		size_t n = 1 + rnd(sizeof(buf));

		note("updates: %zu random bytes as s%d.bin", n, slot);
		rand_bytes(buf, n);
		put_file(path, buf, n, rnd(2));
	} else if (r == 1) {
		note("updates: remove s%d.bin", slot);
		remove_any(path);
		strcat(path, ".p7s");
		remove_any(path);
	} else if (r == 2) {
		snprintf(target, sizeof(target), "../../" STRESS "/s%d.bin", rnd(NSLOT));
		note("updates: s%d.bin -> %s", slot, target);
		unlink(path);
		if (symlink(target, path))
			note("updates: symlink: %s", strerror(errno));
	} else {
		op_install_plain();
	}
}

/* Sign new random content here, with the fwverify tool. */
static void op_sign(void)
{
	int slot = rnd(NSLOT);
	size_t n = 1 + rnd(3000);
	unsigned char *buf = malloc(n);
	char args[512], path[256];
	struct blob c, s;

	note("sign %zu new random bytes for s%d.bin", n, slot);
	rand_bytes(buf, n);
	put_file(SIGN_DIR "blob", buf, n, false);
	free(buf);
	snprintf(args, sizeof(args),
		 "--key " PKI "rsa-signer.key --cert " PKI "rsa-signer.crt --name s%d.bin -o " SIGN_DIR "blob.p7s",
		 slot);
	unlink(SIGN_DIR "blob.p7s");
	if (sign_args(SIGN_DIR "blob", args)) {
		violation("fwverify sign failed");
		return;
	}
	c = read_blob(SIGN_DIR "blob");
	s = read_blob(SIGN_DIR "blob.p7s");
	if (!c.p || !s.p) {
		violation("cannot read what fwverify sign made");
		return;
	}
	snprintf(path, sizeof(path), "s%d.bin", slot);
	add_entry(c, c, path, "");
	add_entry(s, s, path, ".p7s");
	st.signs++;
	snprintf(path, sizeof(path), TREE "s%d.bin", slot);
	set_hot("s%d.bin", slot);
	put_file(path, c.p, c.n, true);
	strcat(path, ".p7s");
	put_file(path, s.p, s.n, true);
}

/* --- fwverify itself ------------------------------------------------------------ */

static int read_mode(void)
{
	char m[32];
	int i;

	if (read_str(MODE, m, sizeof(m)))
		return -1;
	for (i = 0; i < 3; i++)
		if (!strcmp(m, mode_names[i]))
			return i;
	return -1;
}

static void change_mode(int to)
{
	int got;

	note("mode %s", mode_names[to]);
	set_mode(mode_names[to]);
	got = read_mode();
	if (got < 0) {
		violation("cannot read the mode");
		return;
	}
	if (got != mode)
		st.mode_changes++;
	mode = got;
}

static bool is_locked(void)
{
	char v[8] = "";

	return !read_str(LOCK, v, sizeof(v)) && !strcmp(v, "1");
}

/* Unload fwverify and load it again while a child loads firmware. */
static void op_reload(void)
{
	char params[32], name[128];
	pid_t pid;
	int err = -EBUSY, i, status;

	note("reload fwverify under load [%s]", mode_names[mode]);
	pid = fork();
	if (pid == 0) {
		/* Into a driver's buffer: see guarded(). */
		rs ^= getpid();
		tf_set("release_all_firmware", "1");
		tf_set("reset", "1");
		tf_set("config_into_buf", "1");
		for (;;) {
			pick_request(name, sizeof(name));
			tf_set("release_all_firmware", "1");
			tf_set("config_name", name);
			tf_set("config_partial", rnd(2) ? "1" : "0");
			tf_set_num("config_num_requests", 1 + rnd(2));
			tf_set("trigger_batched_requests", "1");
			tf_batch_done();
			/*
			 * No securityfs open here: one that races the kernel
			 * marking the module as going makes the kernel warn,
			 * a limit of securityfs for modules
			 * (Documentation/fwverify.rst, "Unloading").  Checks
			 * race loads everywhere else.
			 */
		}
	}
	if (pid < 0) {
		violation("fork: %s", strerror(errno));
		return;
	}
	usleep(rnd(30000));
	for (i = 0; i < 100; i++) {
		err = unload_module();
		if (err != -EBUSY && err != -EAGAIN)
			break;
		usleep(10000);
	}
	if (!err)
		loaded = false;
	else
		note("unload: %s", strerror(-err));
	usleep(rnd(30000));
	if (!loaded) {
		snprintf(params, sizeof(params), "mode=%s", mode_names[mode]);
		err = load_module(params);
		if (err)
			violation("cannot load fwverify again: %s", strerror(-err));
		else
			loaded = true;
		st.reloads++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tf_set("release_all_firmware", "1");
	if (loaded && read_mode() != mode)
		violation("fwverify came back in mode %d, not %s", read_mode(),
			  mode_names[mode]);
}

/* --- the kernel log ------------------------------------------------------------- */

static void scan_kmsg(void)
{
	static const char *const bad[] = {
		"BUG:", "WARNING:", "Oops", "general protection fault",
		"Kernel panic", "kernel BUG", "list_add corruption",
		"list_del corruption", "refcount_t:", "UBSAN:", "INFO: task",
		"Call Trace:",
	};
	char rec[2048];
	ssize_t n;
	size_t i;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten before we read them */
		if (n <= 0)
			break;
		rec[n] = '\0';
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			if (!strstr(rec, bad[i]))
				continue;
			if (st.kmsg_bad < ARRAY_SIZE(kmsg_bad))
				snprintf(kmsg_bad[st.kmsg_bad], sizeof(kmsg_bad[0]),
					 "%.250s", rec);
			st.kmsg_bad++;
			break;
		}
	}
}

/* --- setup and the loop ----------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_tree(void)
{
	char a[64], b[64];
	int i;

	rm_tree(TREE);
	rm_tree(UPD);
	mkdir(TREE, 0755);
	mkdir(TREE "alt", 0755);
	mkdir("/lib/firmware/updates", 0755);
	mkdir(UPD, 0755);
	mkdir(SIGN_DIR, 0700);
	symlink(".", TREE "d");
	symlink("loop2", TREE "loop1");
	symlink("loop1", TREE "loop2");
	/* 40 links and the file: one more than a lookup follows. */
	for (i = 0; i < 40; i++) {
		snprintf(a, sizeof(a), TREE "chain%d", i);
		snprintf(b, sizeof(b), i < 39 ? "chain%d" : "s0.bin", i + 1);
		symlink(b, a);
	}
	/* Held open for reading and writing: no open of it ever blocks. */
	mkfifo(TREE "fifo", 0644);
	fifo_fd = open(TREE "fifo", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	mknod(TREE "dev0", S_IFCHR | 0644, makedev(1, 5));
	for (i = 0; i < NSLOT; i++) {
		struct item *it = pick_item(0, i);

		snprintf(a, sizeof(a), TREE "s%d.bin", i);
		put_file(a, it->content.p, it->content.n, false);
		strcat(a, ".p7s");
		put_file(a, it->csig.p, it->csig.n, false);
	}
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* One step: weights out of 1000. */
static void step(void)
{
	unsigned int r = rnd(1000);

	if (loaded && can_mode && mode != M_ENFORCE && rnd(100) < 15) {
		change_mode(M_ENFORCE);
		return;
	}
	if (r < 170)
		op_request(false);
	else if (r < 210)
		op_request(true);
	else if (r < 380)
		op_batched(!guarded());
	else if (r < 470)
		op_check();
	else if (r < 540)
		op_install_plain();
	else if (r < 590)
		op_install_comp();
	else if (r < 640)
		op_truncate();
	else if (r < 690)
		op_flip();
	else if (r < 730)
		op_random_replace();
	else if (r < 765)
		op_random_comp();
	else if (r < 810)
		op_malformed_comp();
	else if (r < 880)
		op_symlink();
	else if (r < 895)
		op_dir_link();
	else if (r < 925)
		op_rename();
	else if (r < 940)
		op_hardlink();
	else if (r < 960)
		op_unlink();
	else if (r < 968)
		op_mkdir();
	else if (r < 985)
		op_shadow();
	else if (r < 992)
		op_sign();
	else if (r < 998) {
		if (can_mode)
			change_mode(rnd(10) < 7 ? M_LOG : M_OFF);
	} else {
		/* Counted in operations, not time: a seed repeats a run. */
		static unsigned long last_reload;

		if (can_reload && (!last_reload || st.ops - last_reload > 300)) {
			op_reload();
			last_reload = st.ops;
		}
	}
}

static void watchdog(void)
{
	unsigned long seen = ~0UL;
	int still = 0;

	for (;;) {
		sleep(5);
		if (getppid() == 1)
			_exit(0);
		if (sh->ops != seen) {
			seen = sh->ops;
			still = 0;
			continue;
		}
		if (++still == 12) {
			fprintf(stderr, "# no operation has ended for a minute (op %lu)\n",
				seen);
			dump_ring(stderr);
		}
	}
}

TEST(stress)
{
	unsigned long seconds = env_ul("FWVERIFY_STRESS_SECONDS", 20);
	unsigned long long seed = env_ul("FWVERIFY_STRESS_SEED", 0);
	char fallback[16] = "";
	double start, end;
	pid_t wd;
	size_t i;

	if (access(TRIGGER, W_OK))
		SKIP(return, "no test_firmware");
	if (!seed)
		seed = (unsigned long long)time(NULL) << 16 ^ getpid();
	rs = seed | 1;
	verbose = env_ul("FWVERIFY_STRESS_VERBOSE", 0);
	TH_LOG("seed %llu (FWVERIFY_STRESS_SEED), %lu s (FWVERIFY_STRESS_SECONDS)",
	       seed, seconds);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_EQ(0, load_pool()) TH_LOG("no stress pool at " POOL " (mkfwtree.sh)");

	can_reload = !fwverify_builtin() && !is_locked();
	can_mode = !is_locked();
	if (can_mode) {
		/* A rule would decide for our names, not the mode. */
		ASSERT_EQ(0, write_str(POLICY, ""));
		change_mode(M_ENFORCE);
	}
	mode = read_mode();
	ASSERT_LE(0, mode);
	if (mode != M_ENFORCE)
		SKIP(return, "fwverify is locked in mode %s", mode_names[mode]);
	/* No request may wait for the sysfs fallback. */
	read_str("/proc/sys/kernel/firmware_config/ignore_sysfs_fallback", fallback,
		 sizeof(fallback));
	write_str("/proc/sys/kernel/firmware_config/ignore_sysfs_fallback", "1");

	make_tree();
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);

	wd = fork();
	ASSERT_LE(0, wd);
	if (wd == 0)
		watchdog();

	start = now();
	end = start + seconds;
	while (now() < end) {
		step();
		st.ops++;
		sh->ops = st.ops;
		if (!(st.ops % 16))
			scan_kmsg();
	}
	end = now();

	kill(wd, SIGKILL);
	waitpid(wd, NULL, 0);
	tf_set("release_all_firmware", "1");
	tf_set("reset", "1");
	if (!loaded && !load_module(""))
		loaded = true;
	EXPECT_TRUE(loaded) TH_LOG("fwverify is not loaded at the end");
	if (can_mode)
		EXPECT_EQ(0, set_mode("log"));
	if (fallback[0])
		write_str("/proc/sys/kernel/firmware_config/ignore_sysfs_fallback",
			  fallback);
	if (fifo_fd >= 0)
		close(fifo_fd);
	rm_tree(TREE);
	rm_tree(UPD);
	rm_tree(SIGN_DIR);
	usleep(100000);
	scan_kmsg();

	TH_LOG("%lu operations in %.1f s: %.1f/s; %lu loads: %lu allowed (%lu checked in enforce mode), %lu refused, %lu unchecked (over a page); %lu checks (%lu verified); %lu mode changes, %lu reloads, %lu signed here; %zu signed contents known",
	       st.ops, end - start, st.ops / (end - start), st.loads, st.allowed,
	       st.checked, st.refused, st.unchecked, st.checks, st.check_verified,
	       st.mode_changes, st.reloads, st.signs, nents);
	if (st.tool_stricter)
		TH_LOG("%lu signature files the kernel verified over signed files were refused by fwverify verify",
		       st.tool_stricter);
	for (i = 0; i < st.violations && i < ARRAY_SIZE(viol); i++)
		TH_LOG("violation: %s", viol[i]);
	for (i = 0; i < st.kmsg_bad && i < ARRAY_SIZE(kmsg_bad); i++)
		TH_LOG("kernel log: %s", kmsg_bad[i]);
	EXPECT_EQ(0UL, st.violations);
	EXPECT_EQ(0UL, st.kmsg_bad);
	EXPECT_LT(0UL, st.checked) TH_LOG("no load was allowed in enforce mode: nothing was checked");
}

/* The harness's timeout: the time asked for, and room for the end. */
static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 1))) stress_timeout(void)
{
	_stress_object.timeout = env_ul("FWVERIFY_STRESS_SECONDS", 20) + 600;
}

TEST_HARNESS_MAIN
