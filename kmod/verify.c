// SPDX-License-Identifier: GPL-2.0
/*
 * From a firmware file and its detached PKCS#7 signature to a result.
 *
 * The signature is "<name>.p7s" in the directory the blob was read from,
 * looked up relative to that directory (never by walking the path again),
 * so it is the signature of the very file the loader opened.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/verification.h>
#include <crypto/pkcs7.h>

#include "fwverify.h"

static const char *const fwverify_result_names[FWVERIFY_RESULT_NR] = {
	[FWVERIFY_VERIFIED]	 = "verified",
	[FWVERIFY_UNSIGNED]	 = "unsigned",
	[FWVERIFY_BAD_SIGNATURE] = "bad-signature",
	[FWVERIFY_UNTRUSTED]	 = "untrusted",
	[FWVERIFY_REVOKED]	 = "revoked",
	[FWVERIFY_MALFORMED]	 = "malformed",
	[FWVERIFY_ERROR]	 = "error",
};

const char *fwverify_result_name(enum fwverify_result result)
{
	return fwverify_result_names[result];
}

static void fwverify_set(struct fwverify_verdict *v, enum fwverify_result r,
			 int err, const char *reason)
{
	v->result = r;
	v->err = err;
	v->reason = reason;
}

/*
 * A signature that is a symlink is followed as the loader follows links:
 * from the initial namespace's root, starting at the blob's directory.
 */
static int fwverify_follow_sig(struct dentry *dir, struct vfsmount *mnt,
			       const char *signame, struct path *sigpath)
{
	struct path dirpath = { .mnt = mnt, .dentry = dir }, root;
	char *tmp, *p, *full;
	int err;

	tmp = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	p = d_path(&dirpath, tmp, PATH_MAX);
	if (IS_ERR(p)) {
		err = PTR_ERR(p);
		goto out;
	}
	full = kasprintf(GFP_KERNEL, "%s/%s", p, signame);
	if (!full) {
		err = -ENOMEM;
		goto out;
	}
	get_fs_root(init_task.fs, &root);
	err = vfs_path_lookup(root.dentry, root.mnt, full, LOOKUP_FOLLOW,
			      sigpath);
	path_put(&root);
	kfree(full);
out:
	kfree(tmp);
	return err;
}

/* Open "<blob name>.p7s" beside @blob; ERR_PTR(-ENODATA) if there is none. */
static struct file *fwverify_open_sig(struct file *blob,
				      struct fwverify_verdict *v)
{
	struct name_snapshot name;
	struct path sigpath;
	struct dentry *dir;
	struct file *f;
	char *signame;
	int err;

	take_dentry_name_snapshot(&name, blob->f_path.dentry);
	signame = kasprintf(GFP_KERNEL, "%s.p7s", name.name.name);
	release_dentry_name_snapshot(&name);
	if (!signame) {
		fwverify_set(v, FWVERIFY_ERROR, -ENOMEM, "out of memory");
		return ERR_PTR(-ENOMEM);
	}

	dir = dget_parent(blob->f_path.dentry);
	err = vfs_path_lookup(dir, blob->f_path.mnt, signame, 0, &sigpath);
	if (!err && d_is_symlink(sigpath.dentry)) {
		path_put(&sigpath);
		err = fwverify_follow_sig(dir, blob->f_path.mnt, signame,
					  &sigpath);
	}
	dput(dir);
	kfree(signame);
	if (err == -ENOENT) {
		fwverify_set(v, FWVERIFY_UNSIGNED, -ENODATA, "no signature file");
		return ERR_PTR(-ENODATA);
	}
	if (err) {
		fwverify_set(v, FWVERIFY_ERROR, err, "cannot look up signature");
		return ERR_PTR(err);
	}

	/* Checked before opening: a FIFO would block, a device has effects. */
	if (!d_is_reg(sigpath.dentry)) {
		fwverify_set(v, FWVERIFY_MALFORMED, -EBADMSG,
			     "signature is not a regular file");
		f = ERR_PTR(-EBADMSG);
		goto out;
	}
	f = dentry_open(&sigpath, O_RDONLY, current_cred());
	if (IS_ERR(f))
		fwverify_set(v, FWVERIFY_ERROR, PTR_ERR(f),
			     "cannot open signature");
out:
	path_put(&sigpath);
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

static void fwverify_check_sig(const void *buf, size_t size, const void *sig,
			       size_t len, struct fwverify_verdict *v)
{
	int err;

	if (!fwverify_sig_parses(sig, len, v))
		return;

	/*
	 * Keys in .fwverify sign firmware and nothing else, so a signature
	 * without authenticated attributes (the vendors' usual form) is
	 * accepted from them: VERIFYING_UNSPECIFIED_SIGNATURE.
	 */
	err = verify_pkcs7_signature(buf, size, sig, len, fwverify_keyring,
				     VERIFYING_UNSPECIFIED_SIGNATURE,
				     NULL, NULL);
	fwverify_set_err(v, err, true);
}

/**
 * fwverify_verify_file() - verify a firmware file against its signature
 * @file: the firmware file as the loader opened it
 * @buf: its whole contents
 * @size: the size of @buf
 * @v: filled with the result, the errno behind it and a reason
 */
void fwverify_verify_file(struct file *file, const void *buf, size_t size,
			  struct fwverify_verdict *v)
{
	struct file *sigf;
	size_t len = 0;
	void *sig;

	sigf = fwverify_open_sig(file, v);
	if (IS_ERR(sigf))
		return;
	sig = fwverify_read_sig(sigf, &len, v);
	fput(sigf);
	if (!sig)
		return;
	fwverify_check_sig(buf, size, sig, len, v);
	kvfree(sig);
}
