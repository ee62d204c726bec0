// SPDX-License-Identifier: GPL-2.0
/*
 * From a firmware file and its detached PKCS#7 signature to a result.
 *
 * The signature is looked up beside the name the loader asked for, then
 * beside the file a symlink led to (relative to the directory the loader
 * already resolved, never by walking the path again).  For compressed
 * firmware a signature of the stored file ("fw.bin.xz.p7s") is taken first,
 * then one of the content ("fw.bin.p7s"), checked against the decompressed
 * bytes.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/key.h>
#include <linux/kmod.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/verification.h>
#include <linux/vmalloc.h>
#include <crypto/hash.h>
#include <crypto/pkcs7.h>

#include "cache.h"
#include "decompress.h"
#include "der.h"
#include "fwverify.h"
#include "keyring.h"
#include "request.h"
#include "revoke.h"
#include "signer.h"
#include "trust.h"
#include "verify.h"

static struct crypto_shash *fwverify_sha256;

static void fwverify_set(struct fwverify_verdict *v, enum fwverify_result r,
			 int err, const char *reason)
{
	v->result = r;
	v->err = err;
	v->reason = reason;
	/* What may be different next time is not kept: memory, I/O, a module. */
	if (r == FWVERIFY_ERROR || err == -ENOPKG || err == -ENOMEM ||
	    err == -EIO)
		v->cacheable = false;
}

/*
 * Look up @name, one component, in @dir; a symlink is followed from the
 * initial root.  A plain file is looked up in the dcache alone, as the
 * last step of a path walk: with no name to copy (6.1 and 6.12 clear a
 * PATH_MAX buffer for it) and no walk to set up.  A symlink, or a mount on
 * the name, takes the path walk.
 */
static int fwverify_lookup_in(const struct path *dir, const char *name,
			      struct path *out)
{
	struct dentry *d;
	struct path root;
	char *p, *full;
	int err;

	d = fwverify_lookup_one(name, strlen(name), dir->dentry);
	if (IS_ERR(d))
		return PTR_ERR(d);
	if (d_really_is_negative(d)) {
		dput(d);
		return -ENOENT;
	}
	if (!d_is_symlink(d) && !d_mountpoint(d)) {
		out->mnt = mntget(dir->mnt);
		out->dentry = d;
		return 0;
	}
	dput(d);

	err = vfs_path_lookup(dir->dentry, dir->mnt, name, 0, out);
	if (err || !d_is_symlink(out->dentry))
		return err;
	path_put(out);

	p = fwverify_d_path(dir, GFP_KERNEL);
	if (IS_ERR(p))
		return PTR_ERR(p);
	full = kasprintf(GFP_KERNEL, "%s/%s", p, name);
	kfree(p);
	err = full ? 0 : -ENOMEM;
	if (!err) {
		get_fs_root(userspace_init_fs, &root);
		err = vfs_path_lookup(root.dentry, root.mnt, full, LOOKUP_FOLLOW,
				      out);
		path_put(&root);
	}
	kfree(full);
	return err;
}

/* Look up the absolute @path from the initial root, following symlinks. */
static int fwverify_lookup_path(const char *path, struct path *out)
{
	return fwverify_kern_path_initns(path, LOOKUP_FOLLOW, out);
}

/*
 * Open a signature found at @sigpath.  Returns the file, ERR_PTR(-ENODATA)
 * if there is nothing there, or another error with @v set.
 */
static struct file *fwverify_open_sig_path(int lookup_err,
					   const struct path *sigpath,
					   struct fwverify_verdict *v)
{
	struct file *f;

	if (lookup_err == -ENOENT || lookup_err == -ENOTDIR)
		return ERR_PTR(-ENODATA);
	if (lookup_err) {
		fwverify_set(v, FWVERIFY_ERROR, lookup_err,
			     "cannot look up signature");
		return ERR_PTR(lookup_err);
	}
	/* Checked before opening: a FIFO would block, a device has effects. */
	if (!d_is_reg(sigpath->dentry)) {
		fwverify_set(v, FWVERIFY_MALFORMED, -EBADMSG,
			     "signature is not a regular file");
		return ERR_PTR(-EBADMSG);
	}
	if (!fwverify_file_id(sigpath, &v->sig_id))
		v->cacheable = false;
	f = dentry_open(sigpath, O_RDONLY, current_cred());
	if (IS_ERR(f))
		fwverify_set(v, FWVERIFY_ERROR, PTR_ERR(f),
			     "cannot open signature");
	return f;
}

/* Try "<base>.p7s" in @dir (or, @dir NULL, the absolute path <base>.p7s). */
static struct file *fwverify_try_sig(const struct path *dir, const char *base,
				     size_t baselen, struct fwverify_verdict *v)
{
	struct path sigpath;
	struct file *f;
	char *name;
	int err;

	name = kasprintf(GFP_KERNEL, "%.*s.p7s", (int)baselen, base);
	if (!name) {
		fwverify_set(v, FWVERIFY_ERROR, -ENOMEM, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	err = dir ? fwverify_lookup_in(dir, name, &sigpath) :
		    fwverify_lookup_path(name, &sigpath);
	kfree(name);
	f = fwverify_open_sig_path(err, &sigpath, v);
	if (!err)
		path_put(&sigpath);
	return f;
}

/* Whether @path ends in the name of @dentry. */
static bool fwverify_same_last(const char *path, struct dentry *dentry)
{
	const char *last = kbasename(path);
	struct name_snapshot name;
	bool same;

	take_dentry_name_snapshot(&name, dentry);
	same = !strcmp(last, name.name.name);
	release_dentry_name_snapshot(&name);
	return same;
}

/* Does @name end in the compression suffix @sfx? */
static bool fwverify_has_suffix(const char *name, const char *sfx)
{
	const char *s = fwverify_compressed(name);

	return s && !strcmp(s, sfx);
}

/*
 * The signature of @ev: beside the requested path first, then beside the
 * file itself.  *@content is set to the compression suffix when the
 * signature covers the decompressed content rather than the stored file.
 *
 * The loader decompresses by the suffix it added to the name requested
 * (not @ev->raw), whatever a symlink there leads to: that suffix alone
 * decides whether the content is what the driver gets, and how it is
 * decompressed.  A name requested with the suffix in it is handed over as
 * stored, and only a signature of the stored file can cover it.  Beside the file
 * itself, a content signature is looked for only when the file's own name
 * carries the same suffix.
 */
static struct file *fwverify_find_sig(struct fwverify_event *ev,
				      const char **content)
{
	const char *sfx = ev->raw ? NULL : fwverify_compressed(ev->path);
	struct name_snapshot name;
	struct dentry *parent;
	struct path dir;
	struct file *f = ERR_PTR(-ENODATA);

	*content = NULL;
	/*
	 * Requested through a symlink, or a path we were given to check.  When
	 * only a directory on the way was a symlink (the last components are
	 * equal), the directory already resolved is the request's: looking the
	 * path up again could cross a switch of that symlink and pair this blob
	 * with another tree's signature.
	 */
	if (!ev->resolved || strcmp(ev->path, ev->resolved)) {
		if (!fwverify_same_last(ev->path, ev->file->f_path.dentry)) {
			f = fwverify_try_sig(NULL, ev->path, strlen(ev->path),
					     &ev->v);
			if (PTR_ERR(f) == -ENODATA && sfx) {
				f = fwverify_try_sig(NULL, ev->path,
						     strlen(ev->path) - strlen(sfx),
						     &ev->v);
				*content = sfx;
			}
			if (PTR_ERR(f) != -ENODATA)
				return f;
			*content = NULL;
		}
	}

	take_dentry_name_snapshot(&name, ev->file->f_path.dentry);
	parent = dget_parent(ev->file->f_path.dentry);
	dir.mnt = ev->file->f_path.mnt;
	dir.dentry = parent;
	f = fwverify_try_sig(&dir, name.name.name, name.name.len, &ev->v);
	if (PTR_ERR(f) == -ENODATA && sfx &&
	    fwverify_has_suffix(name.name.name, sfx)) {
		f = fwverify_try_sig(&dir, name.name.name,
				     name.name.len - strlen(sfx), &ev->v);
		*content = sfx;
	}
	dput(parent);
	release_dentry_name_snapshot(&name);
	return f;
}

/* Read the whole signature file, at most FWVERIFY_SIG_MAX bytes. */
static void *fwverify_read_sig(struct file *f, size_t *len,
			       struct fwverify_verdict *v)
{
	loff_t size = i_size_read(file_inode(f));
	loff_t pos = 0;
	ssize_t n;
	void *sig;

	if (size <= 0 || size > FWVERIFY_SIG_MAX) {
		fwverify_set(v, FWVERIFY_MALFORMED, -EBADMSG,
			     size <= 0 ? "signature is empty" :
			     "signature is too large");
		return NULL;
	}
	sig = kvmalloc(size, GFP_KERNEL);
	if (!sig) {
		fwverify_set(v, FWVERIFY_ERROR, -ENOMEM, "out of memory");
		return NULL;
	}
	while (pos < size) {
		n = kernel_read(f, sig + pos, size - pos, &pos);
		if (n < 0) {
			fwverify_set(v, FWVERIFY_ERROR, n,
				     "cannot read signature");
			goto err;
		}
		if (n == 0)
			break;
	}
	if (pos != size) {
		fwverify_set(v, FWVERIFY_MALFORMED, -EBADMSG,
			     "signature changed while read");
		goto err;
	}
	*len = size;
	return sig;
err:
	kvfree(sig);
	return NULL;
}

/*
 * What an error of the PKCS#7 and crypto layers means.  Before the message
 * parsed, a bad message is malformed; after, it is a signature that does not
 * match: the crypto layer reports a wrong RSA signature as -EBADMSG or
 * -EINVAL, which is why the signature is parsed on its own first.
 */
static void fwverify_set_err(struct fwverify_verdict *v, int err, bool parsed)
{
	switch (err) {
	case 0:
		fwverify_set(v, FWVERIFY_VERIFIED, 0, "signature verified");
		break;
	case -ENOKEY:
		fwverify_set(v, FWVERIFY_UNTRUSTED, err, "no trusted key");
		break;
	case -ENOPKG:
	case -ENOENT:
		/* As module signing: an algorithm this kernel lacks. */
		fwverify_set(v, FWVERIFY_UNTRUSTED, err, "unsupported crypto");
		break;
	case -EBADMSG:
	case -EINVAL:
	case -EKEYREJECTED:
		if (parsed)
			fwverify_set(v, FWVERIFY_BAD_SIGNATURE, err,
				     "signature does not match");
		else
			fwverify_set(v, FWVERIFY_MALFORMED, err,
				     "signature cannot be parsed");
		break;
	case -ENOMEM:
		fwverify_set(v, FWVERIFY_ERROR, err, "out of memory");
		break;
	default:
		fwverify_set(v, FWVERIFY_ERROR, err, "verification failed");
		break;
	}
}

static bool fwverify_sig_parses(const void *sig, size_t len,
				struct fwverify_verdict *v)
{
	struct pkcs7_message *msg;
	const void *content;
	size_t clen, hdrlen;
	bool ok = true;

	msg = pkcs7_parse_message(sig, len);
	if (IS_ERR(msg)) {
		fwverify_set_err(v, PTR_ERR(msg), false);
		return false;
	}
	if (!pkcs7_get_content_data(msg, &content, &clen, &hdrlen)) {
		fwverify_set(v, FWVERIFY_MALFORMED, -EBADMSG,
			     "signature is not detached");
		ok = false;
	}
	pkcs7_free_message(msg);
	return ok;
}

/*
 * A signature as read (@der, @len) and the message the kernel is asked to
 * verify (@msg, @msg_len): the same, or the same less its signed
 * attributes (fwverify_check_detached()).  @fwverify_only: only a key of
 * .fwverify (or the pin) may vouch for it.
 */
struct fwverify_sig {
	const void *der;
	size_t len;
	const void *msg;
	size_t msg_len;
	bool fwverify_only;
};

/*
 * A signer .fwverify holds itself: verify @sig less the certificates it
 * carries (fwverify_der_strip_certs()), so that the kernel checks the
 * signature once, by the trusted key.  Only when none of them is
 * blacklisted (fwverify_signer()), which refuses the whole message.  Any
 * failure is left to the whole message to decide.  Return: 0 if verified.
 */
static int fwverify_verify_bare(const void *buf, size_t size, const void *sig,
				size_t len)
{
	bool via_fwverify;
	size_t n;
	u8 *bare;
	int err;

	bare = kmalloc(len, GFP_KERNEL);
	if (!bare)
		return -ENOMEM;
	n = fwverify_der_strip_certs(sig, len, bare);
	err = n ? fwverify_verify_sig(buf, size, bare, n, NULL, true,
				      &via_fwverify) : -EAGAIN;
	kfree(bare);
	return err;
}

/*
 * Verify @s over @buf; when it holds, the firmware name the signature
 * carries must fit @path (@plen bytes of it).  The signature is parsed on
 * its own only when verification fails, to tell a malformed one from a bad
 * one.  @whole: the signature is what the driver gets (a signature file
 * requested as firmware), so the kernel reads all of it, the certificates
 * it carries too.
 *
 * Return: true if verified.
 */
static bool fwverify_check_msg(const void *buf, size_t size,
			       const struct fwverify_sig *s, struct key *pin,
			       const char *path, size_t plen, bool whole,
			       struct fwverify_verdict *v)
{
	bool via_fwverify, known, bare;
	int err;

	known = fwverify_signer(s->der, s->len, v->signer, sizeof(v->signer),
				&bare);
	err = known && bare && !pin && !whole ?
	      fwverify_verify_bare(buf, size, s->msg, s->msg_len) : -EAGAIN;
	if (!err)
		via_fwverify = true;
	else
		err = fwverify_verify_sig(buf, size, s->msg, s->msg_len, pin,
					  known || s->fwverify_only,
					  &via_fwverify);
	if (err && !fwverify_sig_parses(s->der, s->len, v))
		return false;
	fwverify_set_err(v, err, true);
	if (err == -ENOKEY && pin)
		v->reason = "not signed by the signer the policy pins";
	if (err)
		return false;
	/* Other keyrings change unseen: their verdicts are not kept. */
	if (!via_fwverify)
		v->cacheable = false;
	err = fwverify_der_check_names(s->der, s->len, path, plen);
	if (err == -EKEYREJECTED)
		fwverify_set(v, FWVERIFY_BAD_SIGNATURE, err,
			     "signed for another firmware name");
	else if (err)
		fwverify_set(v, FWVERIFY_MALFORMED, err,
			     "firmware name attribute is malformed");
	return !err;
}

/* fwverify_check_msg() of the message as read. */
static bool fwverify_check_sig(const void *buf, size_t size, const void *sig,
			       size_t len, struct key *pin, const char *path,
			       size_t plen, bool whole,
			       struct fwverify_verdict *v)
{
	const struct fwverify_sig s = {
		.der = sig, .len = len, .msg = sig, .msg_len = len,
	};

	return fwverify_check_msg(buf, size, &s, pin, path, plen, whole, v);
}

static void fwverify_digest(const void *buf, size_t size,
			    struct fwverify_verdict *v)
{
	v->have_digest = !crypto_shash_tfm_digest(fwverify_sha256, buf, size,
						  v->digest);
}

static bool fwverify_check_revoked(struct fwverify_verdict *v);

/*
 * The digest of @buf, then revocation.  When @sig was just verified over
 * @buf, the kernel has compared @buf's SHA-256 with the signature's
 * messageDigest: that is the digest, and @buf is hashed only once.  Any
 * other signature (none, failed, without attributes, another digest) costs
 * a pass of its own.
 */
static void fwverify_settle(const void *buf, size_t size, const void *sig,
			    size_t len, bool verified,
			    struct fwverify_verdict *v)
{
	if (verified && !fwverify_der_sha256_digest(sig, len, v->digest))
		v->have_digest = true;
	else
		fwverify_digest(buf, size, v);
	fwverify_check_revoked(v);
}

/*
 * Verify against the content the loader decompresses from the file with
 * @sfx.  What was signed is the content: its digest is the one reported and
 * the one revocation matches, however the content was compressed.
 */
static void fwverify_check_content(struct fwverify_event *ev, const void *sig,
				   size_t len, const char *sfx)
{
	size_t out_len = 0;
	void *out = NULL;
	bool verified;
	int err;

	err = fwverify_decompress(sfx, ev->buf, ev->size, &out, &out_len);
	if (err == -ENOMEM)
		fwverify_set(&ev->v, FWVERIFY_ERROR, err, "out of memory");
	else if (err == -EFBIG)
		fwverify_set(&ev->v, FWVERIFY_MALFORMED, err,
			     "decompressed size exceeds max_size");
	else if (err)
		fwverify_set(&ev->v, FWVERIFY_MALFORMED, err,
			     "cannot decompress, or data after the compressed content");
	if (err)
		return;
	verified = fwverify_check_sig(out, out_len, sig, len, ev->pin, ev->path,
				      strlen(ev->path) - strlen(sfx), false,
				      &ev->v);
	fwverify_settle(out, out_len, sig, len, verified, &ev->v);
	vfree(out);
}

/* A revoked file is refused whatever its signature: true if it is. */
static bool fwverify_check_revoked(struct fwverify_verdict *v)
{
	const char *reason;

	if (!v->have_digest || !fwverify_revoked(v->digest, &reason))
		return false;
	fwverify_set(v, FWVERIFY_REVOKED, -EKEYREVOKED, reason);
	return true;
}

/*
 * Read the whole of @file, at most max_size bytes, into a vmalloc()ed
 * buffer.  For a partial read kernel_read_file() denies writes meanwhile.
 */
static void *fwverify_read_all(struct file *file, size_t *len,
			       struct fwverify_verdict *v)
{
	loff_t size = i_size_read(file_inode(file)), pos = 0;
	ssize_t n;
	void *buf;

	if (size > READ_ONCE(fwverify_max_size)) {
		fwverify_set(v, FWVERIFY_ERROR, -EFBIG,
			     "file larger than max_size");
		return NULL;
	}
	buf = vmalloc(max_t(loff_t, size, 1));
	if (!buf) {
		fwverify_set(v, FWVERIFY_ERROR, -ENOMEM, "out of memory");
		return NULL;
	}
	while (pos < size) {
		n = kernel_read(file, buf + pos, size - pos, &pos);
		if (n <= 0)
			break;
	}
	if (pos != size) {
		vfree(buf);
		fwverify_set(v, FWVERIFY_ERROR, -EIO, "cannot read file");
		return NULL;
	}
	*len = size;
	return buf;
}

static int fwverify_read_whole(struct fwverify_event *ev)
{
	ev->owned = fwverify_read_all(ev->file, &ev->size, &ev->v);
	ev->buf = ev->owned;
	return ev->owned ? 0 : -EIO;
}

/*
 * Drivers fetch signature files through the loader too (cfg80211 loads
 * regulatory.db.p7s).  Such a file is accepted when it is a good signature,
 * by a trusted key, of the file it was requested beside.
 */
static void fwverify_verify_sigfile(struct fwverify_event *ev)
{
	size_t n = strlen(ev->path) - strlen(".p7s"), len = 0;
	struct fwverify_verdict *v = &ev->v;
	struct fwverify_cache_key key;
	struct path target;
	struct file *f;
	char *name;
	void *buf;
	int err;

	name = kstrndup(ev->path, n, GFP_KERNEL);
	err = name ? fwverify_lookup_path(name, &target) : -ENOMEM;
	kfree(name);
	if (err) {
		fwverify_set(v, err == -ENOENT ? FWVERIFY_UNSIGNED :
			     FWVERIFY_ERROR, err,
			     "no file beside this signature");
		return;
	}
	if (!d_is_reg(target.dentry)) {
		fwverify_set(v, FWVERIFY_MALFORMED, -EBADMSG,
			     "signature of something not a regular file");
		goto out;
	}
	if (!fwverify_file_id(&target, &v->sig_id))
		v->cacheable = false;
	fwverify_cache_key_init(&key, ev);
	if (fwverify_cache_lookup(&key, v))
		goto out;
	f = dentry_open(&target, O_RDONLY, current_cred());
	if (IS_ERR(f)) {
		fwverify_set(v, FWVERIFY_ERROR, PTR_ERR(f), "cannot open file");
		goto out;
	}
	buf = fwverify_read_all(f, &len, v);
	fput(f);
	if (!buf)
		goto out;
	if (!ev->buf && fwverify_read_whole(ev))
		goto free;
	fwverify_digest(ev->buf, ev->size, v);
	if (ev->size > FWVERIFY_SIG_MAX)
		fwverify_set(v, FWVERIFY_MALFORMED, -EBADMSG,
			     "signature is too large");
	else
		fwverify_check_sig(buf, len, ev->buf, ev->size, ev->pin,
				   ev->path, n, true, v);
free:
	vfree(buf);
out:
	path_put(&target);
}

/* Bytes read at a time when a file is hashed as it is read. */
#define FWVERIFY_STREAM_CHUNK	SZ_64K

/* How much of a file of @size bytes a partial read gives the driver. */
static size_t fwverify_piece_len(const struct fwverify_piece *piece,
				 size_t size)
{
	if (piece->offset < 0 || (u64)piece->offset >= size)
		return 0;
	return min_t(size_t, piece->max, size - piece->offset);
}

/**
 * fwverify_piece_set() - the driver's part of a partial read, from the file
 * @piece: its offset and the most it reads are set; @piece->len and
 *	   @piece->digest are set here
 * @buf: the whole file, as verified
 * @size: its size
 */
void fwverify_piece_set(struct fwverify_piece *piece, const void *buf,
			size_t size)
{
	piece->len = fwverify_piece_len(piece, size);
	/* No digest, no match: the read is refused (SIZE_MAX is no length). */
	if (crypto_shash_tfm_digest(fwverify_sha256,
				    buf + (piece->len ? piece->offset : 0),
				    piece->len, piece->digest))
		piece->len = SIZE_MAX;
	piece->set = true;
}

/**
 * fwverify_piece_matches() - did the loader read the part verified?
 * @piece: set by fwverify_piece_set() or when the file was hashed as read
 * @buf: what the loader read for the driver
 * @n: its size
 *
 * Return: true if @buf is @piece's part of the file verified.
 */
bool fwverify_piece_matches(const struct fwverify_piece *piece,
			    const void *buf, size_t n)
{
	u8 digest[SHA256_DIGEST_SIZE];

	return n == piece->len &&
	       !crypto_shash_tfm_digest(fwverify_sha256, buf, n, digest) &&
	       !memcmp(digest, piece->digest, sizeof(digest));
}

static struct shash_desc *fwverify_desc_alloc(void)
{
	struct shash_desc *desc;

	desc = kmalloc(sizeof(*desc) + crypto_shash_descsize(fwverify_sha256),
		       GFP_KERNEL);
	if (desc)
		desc->tfm = fwverify_sha256;
	return desc;
}

/*
 * The SHA-256 of all of @file (@size bytes) into @digest, hashed as it is
 * read, a buffer of fixed size at a time; on the way, that of @piece's
 * part of it.  Return: 0 or a negative errno.
 */
static int fwverify_hash_stream(struct file *file, loff_t size,
				struct fwverify_piece *piece, u8 *digest)
{
	size_t chunk = clamp_t(loff_t, size, 1, FWVERIFY_STREAM_CHUNK);
	loff_t pos = 0, from, lo, hi, start = piece->offset, end;
	struct shash_desc *all, *part;
	void *buf;
	ssize_t n;
	int err;

	piece->len = fwverify_piece_len(piece, size);
	end = start + piece->len;
	buf = kvmalloc(chunk, GFP_KERNEL);
	all = fwverify_desc_alloc();
	part = fwverify_desc_alloc();
	if (!buf || !all || !part) {
		err = -ENOMEM;
		goto out;
	}
	err = crypto_shash_init(all) ?: crypto_shash_init(part);
	while (!err && pos < size) {
		from = pos;
		n = kernel_read(file, buf, min_t(loff_t, chunk, size - pos),
				&pos);
		if (n <= 0) {
			err = n ?: -EIO;
			break;
		}
		err = crypto_shash_update(all, buf, n);
		lo = max(from, start);
		hi = min(from + n, end);
		if (!err && lo < hi)
			err = crypto_shash_update(part, buf + (lo - from),
						  hi - lo);
	}
	if (!err)
		err = crypto_shash_final(all, digest) ?:
		      crypto_shash_final(part, piece->digest);
out:
	kfree(part);
	kfree(all);
	kvfree(buf);
	return err;
}

/*
 * Does the kernel's parser take @sig?  Read less the certificates it
 * carries, if any, as fwverify_check_msg() verifies it when it can (and
 * else verifies them, in the message without attributes): parsing them
 * twice would cost more than the rest.  @buf: @len bytes to use.
 */
static bool fwverify_parses_bare(const void *sig, size_t len, u8 *buf)
{
	struct pkcs7_message *p7;
	size_t n;

	n = fwverify_der_strip_certs(sig, len, buf);
	p7 = pkcs7_parse_message(n ? buf : sig, n ?: len);
	if (IS_ERR(p7))
		return false;
	pkcs7_free_message(p7);
	return true;
}

/*
 * Is @sig a signature of a file whose SHA-256 is @digest, by a key of
 * .fwverify (or @ev->pin), named for @ev's path?  A signature fwverify sign
 * makes (one SignerInfo, SHA-256, signed attributes) signs its attributes,
 * and their messageDigest the file: the kernel verifies it as the
 * signature of its attributes (fwverify_der_detach_attrs()), and the
 * messageDigest is compared here.  The kernel's parser reads the message
 * first (fwverify_parses_bare()), so that every rule it applies to the
 * attributes holds.
 *
 * Return: true if it is, with @ev->v set; false leaves the verdict to the
 * kernel's check of the whole file.
 */
static bool fwverify_check_detached(struct fwverify_event *ev,
				    const void *sig, size_t len,
				    const u8 *digest)
{
	struct fwverify_sig s = { .der = sig, .len = len,
				  .fwverify_only = true };
	u8 md[SHA256_DIGEST_SIZE], *msg, *data = NULL;
	struct fwverify_der attrs;
	bool ok = false;

	if (fwverify_der_sha256_digest(sig, len, md) ||
	    memcmp(md, digest, sizeof(md)))
		return false;
	msg = kvmalloc(len, GFP_KERNEL);
	if (!msg || !fwverify_parses_bare(sig, len, msg))
		goto out;
	s.msg_len = fwverify_der_detach_attrs(sig, len, msg, &attrs);
	if (s.msg_len)
		data = kmalloc(attrs.len + 1, GFP_KERNEL);
	if (data) {
		data[0] = 0x31;			/* SET, as pkcs7_digest() */
		memcpy(data + 1, attrs.p, attrs.len);
		s.msg = msg;
		ok = fwverify_check_msg(data, attrs.len + 1, &s, ev->pin,
					ev->path, strlen(ev->path), false,
					&ev->v);
	}
	kfree(data);
out:
	kvfree(msg);
	return ok;
}

/*
 * A partial read, decided with no copy of the file: it is hashed as it is
 * read, with the driver's part of it (@ev->piece), and a signature made by
 * fwverify sign is checked by fwverify_check_detached().  Only the
 * verdicts the kernel's check of the whole file would give are reached
 * here: unsigned (or an unreadable signature), or verified.  Anything else
 * (compressed content, another form of signature, another keyring, any
 * failure) is left to that check, over a copy of the file.
 *
 * Return: true if @ev->v is decided.
 */
static bool fwverify_verify_stream(struct fwverify_event *ev,
				   struct file *sigf, const char *content)
{
	struct fwverify_verdict *v = &ev->v, before = *v;
	u8 digest[SHA256_DIGEST_SIZE];
	bool decided = true;
	void *sig = NULL;
	size_t len = 0;

	if (content || fwverify_hash_stream(ev->file,
					    i_size_read(file_inode(ev->file)),
					    ev->piece, digest))
		return false;
	if (!IS_ERR(sigf))
		sig = fwverify_read_sig(sigf, &len, v);
	if (sig)
		decided = fwverify_check_detached(ev, sig, len, digest);
	kvfree(sig);
	if (!decided) {
		*v = before;
		return false;
	}
	ev->piece->set = true;
	memcpy(v->digest, digest, sizeof(digest));
	v->have_digest = true;
	fwverify_check_revoked(v);
	return true;
}

static bool fwverify_is_sigfile(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 4 && !strcmp(path + n - 4, ".p7s");
}

/**
 * fwverify_verify_file() - verify a firmware file against its signature
 * @ev: the event; @ev->file is set, and @ev->buf/@ev->size hold the whole
 *	file or are NULL/0 to have it read here (@ev->owned then holds the
 *	buffer, for the caller to vfree()).  @ev->v is filled with the result,
 *	the errno behind it, a reason, the signer, the SHA-256 of the file and
 *	the identities the verdict cache keys on.  A cached verdict is reused
 *	when nothing changed.
 */
void fwverify_verify_file(struct fwverify_event *ev)
{
	struct fwverify_verdict *v = &ev->v;
	struct fwverify_cache_key key;
	const char *content;
	struct file *sigf;
	size_t len = 0;
	bool verified;
	void *sig;

	memset(v, 0, sizeof(*v));
	v->generation = fwverify_cache_generation();
	/*
	 * Taken before the file is read: a change from then on moves its
	 * counter, and no verdict kept under this identity is reused.
	 */
	if (ev->have_file_id) {
		v->blob_id = ev->file_id;
		v->cacheable = true;
	} else {
		v->cacheable = fwverify_file_id(&ev->file->f_path, &v->blob_id);
	}
	if (fwverify_is_sigfile(ev->path)) {
		fwverify_verify_sigfile(ev);
		return;
	}

	sigf = fwverify_find_sig(ev, &content);
	if (PTR_ERR(sigf) == -ENODATA)
		fwverify_set(v, FWVERIFY_UNSIGNED, -ENODATA, "no signature file");
	if (!IS_ERR(sigf) || PTR_ERR(sigf) == -ENODATA) {
		fwverify_cache_key_init(&key, ev);
		if (ev->source != FWVERIFY_SRC_CHECK &&
		    fwverify_cache_lookup(&key, v))
			goto out;
	}
	if (!ev->buf && ev->piece && fwverify_verify_stream(ev, sigf, content))
		goto out;
	if (!ev->buf && fwverify_read_whole(ev))
		goto out;
	sig = IS_ERR(sigf) ? NULL : fwverify_read_sig(sigf, &len, v);
	if (!sig) {
		/* Unsigned or unreadable: reported by its digest, revocable. */
		fwverify_settle(ev->buf, ev->size, NULL, 0, false, v);
		goto out;
	}
	if (content) {
		/* The stored file is revocable too: a pass over its bytes. */
		fwverify_digest(ev->buf, ev->size, v);
		if (!fwverify_check_revoked(v))
			fwverify_check_content(ev, sig, len, content);
	} else {
		verified = fwverify_check_sig(ev->buf, ev->size, sig, len,
					      ev->pin, ev->path,
					      strlen(ev->path), false, v);
		fwverify_settle(ev->buf, ev->size, sig, len, verified, v);
	}
	kvfree(sig);
out:
	if (!IS_ERR(sigf))
		fput(sigf);
}

/**
 * fwverify_verify_data() - the verdict on firmware handed over without a file
 * @ev: the event, with @ev->buf and @ev->size set
 *
 * The sysfs fallback, fw_upload and platform firmware come with no file
 * and so no signature: they are unsigned.  Their digest is still reported.
 */
void fwverify_verify_data(struct fwverify_event *ev)
{
	memset(&ev->v, 0, sizeof(ev->v));
	ev->v.generation = fwverify_cache_generation();
	fwverify_set(&ev->v, FWVERIFY_UNSIGNED, -ENODATA,
		     "no file to verify: sysfs fallback, fw_upload or platform firmware");
	if (ev->buf) {
		fwverify_digest(ev->buf, ev->size, &ev->v);
		fwverify_check_revoked(&ev->v);
	}
}

/**
 * fwverify_verify_init() - get the SHA-256 verification hashes with
 *
 * Return: 0, or the crypto API's error.
 */
int fwverify_verify_init(void)
{
	/*
	 * The fastest SHA-256 (SHA-NI, AVX2) is a module that udev loads for
	 * the CPU; ask for it in case nobody has yet.  The generic one is
	 * built in, so the crypto API would not.
	 */
	request_module("crypto-sha256-ni");
	fwverify_sha256 = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(fwverify_sha256)) {
		int err = PTR_ERR(fwverify_sha256);

		pr_err("cannot allocate sha256: %d\n", err);
		return err;
	}
	pr_info("hashing with %s\n",
		crypto_shash_driver_name(fwverify_sha256));
	return 0;
}

/**
 * fwverify_verify_exit() - free the SHA-256 transform
 */
void fwverify_verify_exit(void)
{
	crypto_free_shash(fwverify_sha256);
}
