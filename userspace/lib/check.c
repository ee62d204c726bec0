// SPDX-License-Identifier: GPL-2.0
/*
 * The offline verdict (check.h): the module's steps of kmod/verify.c, in
 * its order, with its results and reasons.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"
#include "decompress.h"
#include "digest.h"
#include "kstate.h"
#include "revlist.h"
#include "util.h"

/* The oldest kernel the module supports. */
#define CHECK_OLDEST_MAJOR 6
#define CHECK_OLDEST_MINOR 1

/* What the running kernel's configuration says of @option: 1 built, 0 not, -1 unknown. */
static int running_config(const char *release, const char *option)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) unsigned char *text = NULL;
	size_t len, n = strlen(option);
	char *line, *save;

	if (asprintf(&path, "/boot/config-%s", release) < 0) {
		path = NULL;
		return -1;
	}
	if (read_file(path, 1 << 20, &text, &len))
		return -1;
	text[len - 1] = '\0';
	for (line = strtok_r((char *)text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, option, n) && line[n] == '=')
			return line[n + 1] == 'y' || line[n + 1] == 'm';
		if (!strncmp(line, "# ", 2) && !strncmp(line + 2, option, n) && !strcmp(line + 2 + n, " is not set"))
			return 0;
	}
	return -1;
}

/*
 * The "X.Y" a version or release starts with: digits, a dot, digits, each
 * at most 255 as KERNEL_VERSION() holds them (sscanf's %u would take a
 * sign or spaces and wrap).  Return: 0 or -EINVAL.
 */
static int parse_version(const char *v, unsigned int *major, unsigned int *minor)
{
	unsigned long a, b;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	a = strtoul(v, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -EINVAL;
	b = strtoul(end + 1, NULL, 10);
	if (errno || a > 255 || b > 255)
		return -EINVAL;
	*major = a;
	*minor = b;
	return 0;
}

int check_ctx_kernel(struct check_ctx *c, const char *version)
{
	struct utsname u;
	unsigned int major, minor;
	int ecdsa, zstd;

	c->running = !version;
	if (!version) {
		if (uname(&u) < 0)
			return -errno;
		version = u.release;
	}
	if (parse_version(version, &major, &minor))
		return -EINVAL;
	if (major < CHECK_OLDEST_MAJOR || (major == CHECK_OLDEST_MAJOR && minor < CHECK_OLDEST_MINOR))
		return -ERANGE;
	snprintf(c->rules.kernel, sizeof(c->rules.kernel), "%u.%u", major, minor);
	/* As Debian builds them: 6.1 without CONFIG_CRYPTO_ECDSA, 6.12 and later with it. */
	c->rules.ecdsa = major > 6 || minor >= 12;
	/* The PKCS#7 parser's SHA-3 OIDs (6.7). */
	c->rules.sha3 = major > 6 || minor >= 7;
	c->rules.whole = false;
	c->zstd = c->rules.ecdsa;
	if (c->running) {
		ecdsa = running_config(version, "CONFIG_CRYPTO_ECDSA");
		if (ecdsa >= 0)
			c->rules.ecdsa = ecdsa;
		zstd = running_config(version, "CONFIG_FW_LOADER_COMPRESS_ZSTD");
		if (zstd >= 0)
			c->zstd = zstd;
	}
	return 0;
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Append @n digests to the list of @c (which takes @d either way). */
static int add_revoked(struct check_ctx *c, unsigned char (*d)[32], size_t n)
{
	unsigned char (*all)[32];

	if (!n) {
		free(d);
		return 0;
	}
	all = realloc(c->revoked, (c->nrevoked + n) * 32);
	if (!all) {
		free(d);
		return -ENOMEM;
	}
	memcpy(all + c->nrevoked, d, n * 32);
	free(d);
	c->revoked = all;
	c->nrevoked += n;
	qsort(c->revoked, c->nrevoked, 32, cmp_digest);
	return 0;
}

int check_ctx_revocations(struct check_ctx *c, const struct fw_config *conf)
{
	unsigned char (*d)[32] = NULL;
	size_t n = 0;
	int err;

	err = revlist_load(conf, &d, &n);
	if (!err)
		err = add_revoked(c, d, n);
	if (err)
		return err;
	/* The kernel's list only grows until reboot: it may hold more than the persistent one. */
	d = NULL;
	n = 0;
	c->kernel_list = !kstate_revoked(&d, &n);
	return c->kernel_list ? add_revoked(c, d, n) : 0;
}

void check_ctx_free(struct check_ctx *c)
{
	sk_X509_pop_free(c->trusted, X509_free);
	free(c->revoked);
	memset(c, 0, sizeof(*c));
}

const char *check_result_name(enum fwverify_result r)
{
	return fw_result_name((enum fw_result)r);
}

/* The values of command.h's EXIT_OK, EXIT_USAGE and EXIT_REFUSED, which the library does not see. */
int check_exit_code(enum fwverify_result r)
{
	return r == FWVERIFY_VERIFIED ? 0 : r == FWVERIFY_ERROR ? 2 : 1;
}

static void set(struct check_verdict *v, enum fwverify_result r, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set(struct check_verdict *v, enum fwverify_result r, const char *reason, const char *fmt, ...)
{
	va_list ap;

	v->result = r;
	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

/*
 * fwverify_check_revoked(): a revoked digest is refused whatever the
 * signature said.  @content: @digest is of the decompressed content.
 */
static bool revoked(const struct check_ctx *c, const unsigned char *digest, bool content,
		    struct check_verdict *v)
{
	char hex[REVLIST_LINE];

	if (!c->nrevoked || !bsearch(digest, c->revoked, c->nrevoked, 32, cmp_digest))
		return false;
	revlist_format(digest, hex);
	set(v, FWVERIFY_REVOKED, "digest on the revocation list", "%s%s%s is on the revoke list",
	    content ? "the digest of its decompressed content, " : "", hex, content ? "," : "");
	return true;
}

/* SHA-256 of @fd from its start.  Return: 0 or -errno. */
static int sha256_fd(int fd, unsigned char md[32])
{
	struct digest d = { .alg = "sha256" };
	int err;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	err = digest_fd(fd, &d, 1);
	if (!err)
		memcpy(md, d.md, 32);
	return err;
}

/* fwverify_open_sig_path(), fwverify_read_sig(): a signature that cannot be read. */
static void sig_unreadable(int err, const char *sig_path, struct check_verdict *v)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		set(v, FWVERIFY_UNSIGNED, "no signature file", "no %s", sig_path);
		break;
	case -EISDIR:
	case -ENOTREG:
		set(v, FWVERIFY_MALFORMED, "signature is not a regular file", "%s is not a regular file", sig_path);
		break;
	case -ENODATA:
		set(v, FWVERIFY_MALFORMED, "signature is empty", "%s is empty", sig_path);
		break;
	case -EFBIG:
		set(v, FWVERIFY_MALFORMED, "signature is too large", "%s is larger than %d bytes",
		    sig_path, FWVERIFY_SIG_MAX);
		break;
	case -ENOMEM:
		set(v, FWVERIFY_ERROR, "out of memory", "out of memory");
		break;
	case -EACCES:
	case -EPERM:
		set(v, FWVERIFY_ERROR, "cannot open signature", "%s: %s", sig_path, errno_text(err));
		break;
	case -EIO:
		set(v, FWVERIFY_ERROR, "cannot read signature", "%s: %s", sig_path, errno_text(err));
		break;
	default:
		set(v, FWVERIFY_ERROR, "cannot look up signature", "%s: %s", sig_path, errno_text(err));
	}
}

/* Copy what cms_verify_rules() found into @v. */
static void take_cms(const struct cms_verdict *cv, struct check_verdict *v)
{
	v->result = (enum fwverify_result)cv->result;
	v->reason = cv->why;
	snprintf(v->detail, sizeof(v->detail), "%s", cv->result == FW_VERIFIED ? "" : cv->reason);
	snprintf(v->signer, sizeof(v->signer), "%s", cv->signer);
	snprintf(v->name, sizeof(v->name), "%s", cv->name);
	v->validity = cv->validity;
}

/* fwverify_check_content(): the signature covers what the loader decompresses. */
static void check_content(const struct check_ctx *c, int fd, const char *name, const char *sfx,
			  const unsigned char *sig, size_t len, struct check_verdict *v)
{
	_cleanup_(closep) int cfd = -1;
	_cleanup_(freep) char *content_name = strndup(name, strlen(name) - strlen(sfx));
	const char *rule;
	struct cms_verdict cv;
	int err;

	if (!content_name) {
		set(v, FWVERIFY_ERROR, "out of memory", "out of memory");
		return;
	}
	/* fwverify_decompress(): -EOPNOTSUPP where the loader lacks the format. */
	if (!strcmp(sfx, ".zst") && !c->zstd) {
		set(v, FWVERIFY_MALFORMED, "cannot decompress, or data after the compressed content",
		    "the loader of Linux %s has no zstd (no CONFIG_FW_LOADER_COMPRESS_ZSTD)", c->rules.kernel);
		return;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		set(v, FWVERIFY_ERROR, "cannot read file", "%s", errno_text(-errno));
		return;
	}
	cfd = decompress_memfd(sfx, fd, DECOMPRESS_MAX);
	if (cfd < 0) {
		rule = decompress_rule(sfx, cfd);
		if (cfd == -EFBIG)
			set(v, FWVERIFY_MALFORMED, "decompressed size exceeds max_size", "cannot decompress: %s",
			    rule ? rule : errno_text(cfd));
		else if (rule)
			set(v, FWVERIFY_MALFORMED, "cannot decompress, or data after the compressed content",
			    "cannot decompress: %s", rule);
		else
			set(v, FWVERIFY_ERROR, cfd == -ENOMEM ? "out of memory" : "cannot read file",
			    "cannot decompress: %s", errno_text(cfd));
		return;
	}
	err = sha256_fd(cfd, v->sha256);
	if (err) {
		set(v, FWVERIFY_ERROR, "cannot read file", "cannot read the decompressed content: %s",
		    errno_text(err));
		return;
	}
	cms_verify_rules(&c->rules, c->trusted, sig, len, cfd, content_name, &cv);
	take_cms(&cv, v);
	revoked(c, v->sha256, true, v);
}

void check_blob(const struct check_ctx *c, int fd, const char *name, const char *content,
		const unsigned char *sig, size_t len, int sig_err, struct check_verdict *v)
{
	char sig_path[sizeof(v->sig_path)];
	struct cms_verdict cv;
	int err;

	/* All but the signature's path, which check_file() found. */
	memcpy(sig_path, v->sig_path, sizeof(sig_path));
	memset(v, 0, sizeof(*v));
	memcpy(v->sig_path, sig_path, sizeof(sig_path));
	v->content = content;
	err = sha256_fd(fd, v->stored_sha256);
	if (err) {
		set(v, FWVERIFY_ERROR, "cannot read file", "cannot read: %s", errno_text(err));
		return;
	}
	memcpy(v->sha256, v->stored_sha256, 32);
	v->have_digest = true;
	if (sig_err) {
		/* Unsigned or unreadable: still revocable by its digest. */
		sig_unreadable(sig_err, v->sig_path[0] ? v->sig_path : "the signature", v);
		revoked(c, v->sha256, false, v);
		return;
	}
	if (content) {
		/* The stored file is revocable too. */
		if (!revoked(c, v->stored_sha256, false, v))
			check_content(c, fd, name, content, sig, len, v);
		return;
	}
	cms_verify_rules(&c->rules, c->trusted, sig, len, fd, name, &cv);
	take_cms(&cv, v);
	revoked(c, v->sha256, false, v);
}

/*
 * Read the signature at @path as the module does: followed if a symlink,
 * looked at before it is opened (a FIFO would block, a device has effects).
 * Return: 0, or the -errno sig_unreadable() classifies.
 */
static int read_sig(const char *path, unsigned char **sig, size_t *len)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOTREG;
	return read_file(path, FWVERIFY_SIG_MAX, sig, len);
}

/* Try "<@path less @cut bytes>.p7s" into @v->sig_path.  Return: as read_sig(). */
static int try_sig(const char *path, size_t cut, struct check_verdict *v, unsigned char **sig, size_t *len)
{
	int n = snprintf(v->sig_path, sizeof(v->sig_path), "%.*s.p7s", (int)(strlen(path) - cut), path);

	if (n < 0 || (size_t)n >= sizeof(v->sig_path))
		return -ENAMETOOLONG;
	return read_sig(v->sig_path, sig, len);
}

int check_find_sig(const char *path, struct check_verdict *v, unsigned char **sig, size_t *len)
{
	_cleanup_(freep) char *real = NULL;
	const char *sfx = decompress_suffix(path), *base, *rbase;
	int err;

	v->content = NULL;
	err = try_sig(path, 0, v, sig, len);
	if (err == -ENOENT && sfx) {
		v->content = sfx;
		err = try_sig(path, strlen(sfx), v, sig, len);
	}
	if (err != -ENOENT)
		return err;
	real = realpath(path, NULL);
	base = strrchr(path, '/');
	rbase = real ? strrchr(real, '/') : NULL;
	if (!rbase || !strcmp(base ? base + 1 : path, rbase + 1)) {
		snprintf(v->sig_path, sizeof(v->sig_path), "%s.p7s", path);
		v->content = NULL;
		return -ENOENT;
	}
	v->content = NULL;
	err = try_sig(real, 0, v, sig, len);
	if (err == -ENOENT && sfx && decompress_suffix(real) && !strcmp(decompress_suffix(real), sfx)) {
		v->content = sfx;
		err = try_sig(real, strlen(sfx), v, sig, len);
	}
	if (err == -ENOENT) {
		snprintf(v->sig_path, sizeof(v->sig_path), "%s.p7s", path);
		v->content = NULL;
	}
	return err;
}

static bool is_sigfile(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && !strcmp(path + n - 4, ".p7s");
}

/*
 * fwverify_verify_sigfile(): a signature read as firmware (cfg80211 loads
 * regulatory.db.p7s) is good when it is a good signature, by a trusted
 * key, of the file beside it; the certificates it carries are read too.
 */
static void check_sigfile(const struct check_ctx *c, const char *path, int sigfd, struct check_verdict *v)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *target = strndup(path, strlen(path) - 4);
	_cleanup_(freep) unsigned char *sig = NULL;
	struct cms_rules rules = c->rules;
	struct cms_verdict cv;
	struct stat st;
	size_t len;
	int err;

	if (!target) {
		set(v, FWVERIFY_ERROR, "out of memory", "out of memory");
		return;
	}
	snprintf(v->sig_path, sizeof(v->sig_path), "%s", path);
	if (stat(target, &st) < 0) {
		set(v, errno == ENOENT ? FWVERIFY_UNSIGNED : FWVERIFY_ERROR, "no file beside this signature",
		    "a signature read as firmware: %s: %s", target, errno_text(-errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		set(v, FWVERIFY_MALFORMED, "signature of something not a regular file",
		    "a signature read as firmware: %s is not a regular file", target);
		return;
	}
	fd = open_regular(target, 0);
	if (fd < 0) {
		set(v, FWVERIFY_ERROR, "cannot open file", "%s: %s", target, errno_text(fd));
		return;
	}
	/* What is reported is the digest of what is loaded, the signature; it is not revocable. */
	err = sha256_fd(sigfd, v->sha256);
	if (err) {
		set(v, FWVERIFY_ERROR, "cannot read file", "cannot read: %s", errno_text(err));
		return;
	}
	memcpy(v->stored_sha256, v->sha256, 32);
	v->have_digest = true;
	err = read_file(path, FWVERIFY_SIG_MAX, &sig, &len);
	if (err == -EFBIG) {
		set(v, FWVERIFY_MALFORMED, "signature is too large", "%s is larger than %d bytes",
		    path, FWVERIFY_SIG_MAX);
		return;
	}
	if (err == -ENODATA) {
		/* An empty message does not parse. */
		sig = NULL;
		len = 0;
	} else if (err) {
		set(v, FWVERIFY_ERROR, "cannot read file", "%s: %s", path, errno_text(err));
		return;
	}
	rules.whole = true;
	cms_verify_rules(&rules, c->trusted, sig ? sig : (const unsigned char *)"", len, fd, target, &cv);
	take_cms(&cv, v);
}

void check_file(const struct check_ctx *c, const char *path, const char *sig_path,
		struct check_verdict *v)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) unsigned char *sig = NULL;
	size_t len = 0;
	int err;

	memset(v, 0, sizeof(*v));
	fd = open_regular(path, 0);
	if (fd < 0) {
		set(v, FWVERIFY_ERROR, "cannot open file", "cannot open: %s", errno_text(fd));
		return;
	}
	if (!sig_path && is_sigfile(path)) {
		check_sigfile(c, path, fd, v);
		return;
	}
	if (sig_path) {
		snprintf(v->sig_path, sizeof(v->sig_path), "%s", sig_path);
		err = read_sig(sig_path, &sig, &len);
	} else {
		err = check_find_sig(path, v, &sig, &len);
	}
	check_blob(c, fd, path, err ? NULL : v->content, sig, len, err, v);
}
