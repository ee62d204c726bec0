// SPDX-License-Identifier: GPL-2.0
/*
 * A small DER reader for the fields of a PKCS#7 signature fwverify reads
 * itself (der.h).  Definite lengths and one-byte tags only: anything else
 * is not read here, and the caller falls back to what needs no reading
 * (hashing the firmware itself, naming the signer by nothing).
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>

#include "der.h"

/**
 * fwverify_der_next() - take the next element of @d
 * @d: the elements left; advanced past the one taken
 * @tag: set to its tag
 * @val: set to its value
 *
 * Return: false if @d does not start with a whole element.
 */
bool fwverify_der_next(struct fwverify_der *d, u8 *tag,
		       struct fwverify_der *val)
{
	size_t n, vlen = 0, hdr = 2;
	unsigned int i;

	if (d->len < 2 || (d->p[0] & 0x1f) == 0x1f)	/* high tag numbers */
		return false;
	*tag = d->p[0];
	if (d->p[1] < 0x80) {
		vlen = d->p[1];
	} else {
		/* 0x80 is BER's indefinite length: not DER, not read. */
		n = d->p[1] & 0x7f;
		if (!n || n > sizeof(size_t) || d->len < 2 + n)
			return false;
		for (i = 0; i < n; i++)
			vlen = (vlen << 8) | d->p[2 + i];
		hdr += n;
	}
	if (vlen > d->len - hdr)
		return false;
	val->p = d->p + hdr;
	val->len = vlen;
	d->p += hdr + vlen;
	d->len -= hdr + vlen;
	return true;
}

/* Step into the next element, which must have tag @want. */
static bool fwverify_der_enter(struct fwverify_der *d, u8 want)
{
	struct fwverify_der val;
	u8 tag;

	if (!fwverify_der_next(d, &tag, &val) || tag != want)
		return false;
	*d = val;
	return true;
}

static bool fwverify_der_is(const struct fwverify_der *d, const u8 *want,
			    size_t n)
{
	return d->len == n && !memcmp(d->p, want, n);
}

/* id-signedData, 1.2.840.113549.1.7.2 */
static const u8 fwverify_signed_data_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
};

/**
 * fwverify_der_signer_infos() - the SignerInfos of a PKCS#7 message
 * @sig: the DER message (ContentInfo holding SignedData)
 * @len: its size
 * @infos: set to the content of its SET OF SignerInfo
 *
 * Return: false if @sig is not read that far.
 */
bool fwverify_der_signer_infos(const void *sig, size_t len,
			       struct fwverify_der *infos)
{
	struct fwverify_der d = { sig, len }, type, skip;
	u8 tag;

	if (!fwverify_der_enter(&d, 0x30) ||		/* ContentInfo */
	    !fwverify_der_next(&d, &tag, &type) || tag != 0x06 ||
	    !fwverify_der_is(&type, fwverify_signed_data_oid,
			     sizeof(fwverify_signed_data_oid)) ||
	    !fwverify_der_enter(&d, 0xa0) ||		/* [0] content */
	    !fwverify_der_enter(&d, 0x30) ||		/* SignedData */
	    !fwverify_der_next(&d, &tag, &skip) ||	/* version */
	    !fwverify_der_next(&d, &tag, &skip) ||	/* digestAlgorithms */
	    !fwverify_der_next(&d, &tag, &skip))	/* encapContentInfo */
		return false;
	while (d.len && (d.p[0] == 0xa0 || d.p[0] == 0xa1))	/* certs, crls */
		if (!fwverify_der_next(&d, &tag, &skip))
			return false;
	if (!fwverify_der_enter(&d, 0x31))		/* signerInfos */
		return false;
	*infos = d;
	return true;
}

/**
 * fwverify_der_signer() - who made the first SignerInfo
 * @sig: the DER message
 * @len: its size
 * @id: set to the subjectKeyIdentifier, or to the serial number
 * @issuer: set to the issuer with a serial number, else to nothing
 *
 * The kernel names a key by the same two parts (asymmetric_key_generate_id()).
 *
 * Return: 0, or -EBADMSG if the signer identifier is not read.
 */
int fwverify_der_signer(const void *sig, size_t len, struct fwverify_der *id,
			struct fwverify_der *issuer)
{
	struct fwverify_der d, sid;
	u8 tag;

	if (!fwverify_der_signer_infos(sig, len, &d) ||
	    !fwverify_der_enter(&d, 0x30) ||		/* SignerInfo */
	    !fwverify_der_next(&d, &tag, &sid) ||	/* version */
	    !fwverify_der_next(&d, &tag, &sid))		/* sid */
		return -EBADMSG;
	if (tag == 0x80) {				/* subjectKeyIdentifier */
		*id = sid;
		issuer->p = sid.p;	/* no issuer: nothing of it is read */
		issuer->len = 0;
		return 0;
	}
	if (tag != 0x30 || !fwverify_der_next(&sid, &tag, issuer) ||
	    tag != 0x30 || !fwverify_der_next(&sid, &tag, id) || tag != 0x02)
		return -EBADMSG;
	return 0;
}

/*
 * The firmware name attribute (userspace/lib/cms.h), DER encoded, under
 * either OID: id-at-name 2.5.4.41 (CMS_NAME_OID), which fwverify sign
 * writes and the kernel's PKCS#7 parser knows (OID_name), and the OID it
 * wrote before (CMS_NAME_OID_LEGACY
 * 2.25.196871091086757864271009421185200544841), which that parser logs as
 * unknown.  Either names the firmware.
 */
static const u8 fwverify_name_oid[] = { 0x55, 0x04, 0x29 };

static const u8 fwverify_name_oid_legacy[] = {
	0x69, 0x82, 0xa8, 0x9b, 0xff, 0x8c, 0xc0, 0xe5, 0xba, 0x9b,
	0xd5, 0x8f, 0xc7, 0xe1, 0xa5, 0xff, 0x88, 0xe7, 0xb8, 0x49,
};

static bool fwverify_der_is_name(const struct fwverify_der *oid)
{
	return fwverify_der_is(oid, fwverify_name_oid,
			       sizeof(fwverify_name_oid)) ||
	       fwverify_der_is(oid, fwverify_name_oid_legacy,
			       sizeof(fwverify_name_oid_legacy));
}

/* id-messageDigest, 1.2.840.113549.1.9.4 */
static const u8 fwverify_msgdigest_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04,
};

/* id-sha256, 2.16.840.1.101.3.4.2.1 */
static const u8 fwverify_sha256_oid[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
};

/*
 * The signed attributes of SignerInfo @si: false if it has none, or if
 * they are not read.  *@digest_alg is set to its digestAlgorithm.
 */
static bool fwverify_der_attrs(struct fwverify_der si,
			       struct fwverify_der *digest_alg,
			       struct fwverify_der *attrs, int *err)
{
	struct fwverify_der f;
	u8 tag;

	*err = -EBADMSG;
	if (!fwverify_der_next(&si, &tag, &f) ||		/* version */
	    !fwverify_der_next(&si, &tag, &f) ||		/* sid */
	    !fwverify_der_next(&si, &tag, digest_alg) || tag != 0x30)
		return false;
	*err = 0;
	/*
	 * [0], constructed (0xa0) or not (0x80): the kernel's decoder takes
	 * both, and its digest of them replaces the tag, so the signature
	 * holds either way.
	 */
	if (!si.len || (si.p[0] != 0xa0 && si.p[0] != 0x80))
		return false;			/* no signed attributes */
	if (!fwverify_der_next(&si, &tag, attrs)) {
		*err = -EBADMSG;
		return false;
	}
	return true;
}

/*
 * The one value of the next attribute in @attrs: *@oid and *@val are set.
 * -ENOENT when @attrs is done, -EBADMSG if it is not read or has a number
 * of values other than one.
 */
static int fwverify_der_attr(struct fwverify_der *attrs,
			     struct fwverify_der *oid, u8 *tag,
			     struct fwverify_der *val, bool *one)
{
	struct fwverify_der attr, vals;
	u8 t;

	if (!attrs->len)
		return -ENOENT;
	if (!fwverify_der_next(attrs, &t, &attr) || t != 0x30 ||
	    !fwverify_der_next(&attr, &t, oid) || t != 0x06 ||
	    !fwverify_der_next(&attr, &t, &vals) || t != 0x31 || attr.len)
		return -EBADMSG;
	*one = fwverify_der_next(&vals, tag, val) && !vals.len;
	return 0;
}

/* Is @name (@n bytes) the last components of @path (@plen bytes)? */
static bool fwverify_name_fits(const u8 *name, size_t n, const char *path,
			       size_t plen)
{
	return plen >= n && !memcmp(path + plen - n, name, n) &&
	       (plen == n || path[plen - n - 1] == '/');
}

/* One SignerInfo's name attribute, if any, against @path. */
static int fwverify_check_name(struct fwverify_der si, const char *path,
			       size_t plen)
{
	struct fwverify_der alg, attrs, oid, val;
	bool seen = false, one;
	int err;
	u8 tag;

	if (!fwverify_der_attrs(si, &alg, &attrs, &err))
		return err;
	while (!(err = fwverify_der_attr(&attrs, &oid, &tag, &val, &one))) {
		if (!fwverify_der_is_name(&oid))
			continue;
		/*
		 * Exactly one attribute under either OID, one value, a
		 * UTF8String, no NUL.
		 */
		if (seen || !one || tag != 0x0c || !val.len ||
		    val.len > FWVERIFY_NAME_MAX || memchr(val.p, 0, val.len))
			return -EBADMSG;
		seen = true;
		if (!fwverify_name_fits(val.p, val.len, path, plen))
			return -EKEYREJECTED;
	}
	return err == -ENOENT ? 0 : err;
}

/**
 * fwverify_der_check_names() - does the signature fit the path read?
 * @sig: the DER message
 * @len: its size
 * @path: the path the loader read
 * @plen: how much of @path is the firmware's (less a compression suffix
 *	  for a signature of the content)
 *
 * A signature made by fwverify sign names the firmware it was made for:
 * the name must be the last components of @path.  Every SignerInfo that
 * names one is checked, so a second, untrusted SignerInfo cannot name
 * another.  Signatures without the attribute fit any path.  A SignerInfo
 * carries at most one name attribute, under either of its OIDs.
 *
 * Return: 0 if it fits, -EKEYREJECTED if a name does not, -EBADMSG if a
 * name attribute is malformed or repeated, or the message is not read.
 */
int fwverify_der_check_names(const void *sig, size_t len, const char *path,
			     size_t plen)
{
	struct fwverify_der infos, si;
	int err;
	u8 tag;

	if (!fwverify_der_signer_infos(sig, len, &infos))
		return -EBADMSG;
	err = 0;
	while (!err && infos.len) {
		if (!fwverify_der_next(&infos, &tag, &si) || tag != 0x30)
			err = -EBADMSG;
		else
			err = fwverify_check_name(si, path, plen);
	}
	return err;
}

/**
 * fwverify_der_sha256_digest() - the SHA-256 a signature says it covers
 * @sig: the DER message
 * @len: its size
 * @digest: set to the 32 bytes of its messageDigest attribute
 *
 * Read only from a message of exactly one SignerInfo, with SHA-256 as its
 * digest algorithm and signed attributes holding exactly one messageDigest
 * of one 32-byte value: what fwverify sign makes.  Once the kernel has
 * verified such a message over some data, it has compared this value with
 * the SHA-256 of the data (pkcs7_digest()): it is the data's digest, with
 * no second pass over the data.
 *
 * Return: 0, or -ENODATA if the message is not of that form.
 */
int fwverify_der_sha256_digest(const void *sig, size_t len, u8 *digest)
{
	struct fwverify_der infos, si, alg, algoid, attrs, oid, val, md;
	bool found = false, one;
	int err;
	u8 tag;

	if (!fwverify_der_signer_infos(sig, len, &infos) ||
	    !fwverify_der_next(&infos, &tag, &si) || tag != 0x30 ||
	    infos.len)				/* exactly one SignerInfo */
		return -ENODATA;
	if (!fwverify_der_attrs(si, &alg, &attrs, &err) ||
	    !fwverify_der_next(&alg, &tag, &algoid) || tag != 0x06 ||
	    !fwverify_der_is(&algoid, fwverify_sha256_oid,
			     sizeof(fwverify_sha256_oid)))
		return -ENODATA;
	/* Parameters absent or NULL, as RFC 5754 allows. */
	if (alg.len && !(alg.len == 2 && alg.p[0] == 0x05 && alg.p[1] == 0))
		return -ENODATA;
	while (!(err = fwverify_der_attr(&attrs, &oid, &tag, &val, &one))) {
		if (!fwverify_der_is(&oid, fwverify_msgdigest_oid,
				     sizeof(fwverify_msgdigest_oid)))
			continue;
		if (found || !one || tag != 0x04 || val.len != 32)
			return -ENODATA;
		md = val;
		found = true;
	}
	if (err != -ENOENT || !found)
		return -ENODATA;
	memcpy(digest, md.p, 32);	/* untouched on failure */
	return 0;
}

/* Size of the DER header of a value of @len bytes. */
static size_t fwverify_der_hdr_size(size_t len)
{
	size_t n = 2;

	if (len < 0x80)
		return n;
	for (; len; len >>= 8)
		n++;
	return n;
}

/* Write the DER header of a value of @len bytes at @p; return its end. */
static u8 *fwverify_der_put_hdr(u8 *p, u8 tag, size_t len)
{
	size_t n = fwverify_der_hdr_size(len) - 2, i;

	*p++ = tag;
	if (!n) {
		*p++ = len;
		return p;
	}
	*p++ = 0x80 | n;
	for (i = n; i > 0; i--)
		*p++ = len >> (8 * (i - 1));
	return p;
}

/**
 * fwverify_der_strip_certs() - the message without its certificates
 * @sig: the DER message
 * @len: its size
 * @out: a buffer of @len bytes
 *
 * The certificates a signature carries are not signed: without them, the
 * kernel finds the signer's key by the SignerInfo's identifier alone, as
 * it does for module signatures, and checks the signature once.  With
 * them, it checks it against the carried certificate and again against
 * the trusted key.  Everything but the certificates is copied as it is.
 *
 * Return: the size of the message written to @out, or 0 if @sig carries
 * no certificates or is not a ContentInfo holding exactly a SignedData.
 */
size_t fwverify_der_strip_certs(const void *sig, size_t len, u8 *out)
{
	struct fwverify_der d = { sig, len }, ci, type, content, sd, el;
	const u8 *type_start, *certs = NULL, *certs_end = NULL, *sd_start;
	size_t sd_len, content_len, ci_len;
	u8 tag, *p = out;
	int i;

	if (!fwverify_der_next(&d, &tag, &ci) || tag != 0x30 || d.len)
		return 0;
	type_start = ci.p;
	if (!fwverify_der_next(&ci, &tag, &type) || tag != 0x06 ||
	    !fwverify_der_next(&ci, &tag, &content) || tag != 0xa0 ||
	    ci.len)
		return 0;
	if (!fwverify_der_next(&content, &tag, &sd) || tag != 0x30 ||
	    content.len)
		return 0;
	sd_start = sd.p;
	/* version, digestAlgorithms, encapContentInfo, then [0] certificates */
	for (i = 0; i < 3; i++)
		if (!fwverify_der_next(&sd, &tag, &el))
			return 0;
	if (!sd.len || sd.p[0] != 0xa0)
		return 0;
	certs = sd.p;
	if (!fwverify_der_next(&sd, &tag, &el))
		return 0;
	certs_end = sd.p;

	sd_len = (certs - sd_start) + sd.len;
	content_len = fwverify_der_hdr_size(sd_len) + sd_len;
	ci_len = (type.p + type.len - type_start) +
		 fwverify_der_hdr_size(content_len) + content_len;
	if (fwverify_der_hdr_size(ci_len) + ci_len > len)
		return 0;
	p = fwverify_der_put_hdr(p, 0x30, ci_len);
	memcpy(p, type_start, type.p + type.len - type_start);
	p += type.p + type.len - type_start;
	p = fwverify_der_put_hdr(p, 0xa0, content_len);
	p = fwverify_der_put_hdr(p, 0x30, sd_len);
	memcpy(p, sd_start, certs - sd_start);
	p += certs - sd_start;
	memcpy(p, certs_end, sd.len);
	p += sd.len;
	return p - out;
}

/**
 * fwverify_der_certs() - the certificates a message carries
 * @sig: the DER message
 * @len: its size
 * @certs: set to the content of its [0] certificates, for
 *	   fwverify_der_next_cert()
 *
 * Return: false if it carries none, or is not read that far.
 */
bool fwverify_der_certs(const void *sig, size_t len, struct fwverify_der *certs)
{
	struct fwverify_der d = { sig, len }, skip;
	u8 tag;
	int i;

	if (!fwverify_der_enter(&d, 0x30) ||		/* ContentInfo */
	    !fwverify_der_next(&d, &tag, &skip) ||	/* contentType */
	    !fwverify_der_enter(&d, 0xa0) ||		/* [0] content */
	    !fwverify_der_enter(&d, 0x30))		/* SignedData */
		return false;
	for (i = 0; i < 3; i++)
		if (!fwverify_der_next(&d, &tag, &skip))
			return false;
	return fwverify_der_next(&d, &tag, certs) && tag == 0xa0;
}

/* Signature algorithms over SHA-256 of certificates: RSA, ECDSA. */
static const u8 fwverify_sha256_rsa_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
};

static const u8 fwverify_sha256_ecdsa_oid[] = {
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
};

/**
 * fwverify_der_next_cert() - take the next certificate of @certs
 * @certs: from fwverify_der_certs(); advanced past the one taken
 * @tbs: set to its TBSCertificate, header included: what its signature
 *	 and the kernel's blacklist of certificates hash
 * @sha256: set if it is signed over SHA-256 (RSA or ECDSA), the hash the
 *	    kernel then takes of @tbs
 *
 * Return: false when @certs is done, or holds something else.
 */
bool fwverify_der_next_cert(struct fwverify_der *certs,
			    struct fwverify_der *tbs, bool *sha256)
{
	struct fwverify_der cert, val, sigalg, alg;
	u8 tag;

	if (!fwverify_der_next(certs, &tag, &cert) || tag != 0x30)
		return false;
	tbs->p = cert.p;
	if (!fwverify_der_next(&cert, &tag, &val) || tag != 0x30)
		return false;
	tbs->len = cert.p - tbs->p;
	if (!fwverify_der_next(&cert, &tag, &sigalg) || tag != 0x30 ||
	    !fwverify_der_next(&sigalg, &tag, &alg) || tag != 0x06)
		return false;
	*sha256 = fwverify_der_is(&alg, fwverify_sha256_rsa_oid,
				  sizeof(fwverify_sha256_rsa_oid)) ||
		  fwverify_der_is(&alg, fwverify_sha256_ecdsa_oid,
				  sizeof(fwverify_sha256_ecdsa_oid));
	return true;
}

/* The levels from a ContentInfo down to its one SignerInfo. */
#define FWVERIFY_DER_DEPTH	5

/**
 * fwverify_der_detach_attrs() - the message as a signature of its attributes
 * @sig: the DER message: a ContentInfo of a SignedData of exactly one
 *	 SignerInfo, with signed attributes
 * @len: its size
 * @out: a buffer of @len bytes
 * @attrs: set to the signed attributes as encoded, less their tag
 *
 * A SignerInfo with signed attributes signs their digest, taken with the
 * tag replaced by SET (0x31): the kernel hashes 0x31 and then @attrs
 * (pkcs7_digest()).  The same message without the attributes, given those
 * bytes as its detached content, carries the same signature of the same
 * digest: the kernel verifies it, by the same keys and rules, without the
 * firmware in memory.  Everything but the attributes is copied as it is.
 *
 * Return: the size written to @out, or 0 if @sig is not of that form.
 */
size_t fwverify_der_detach_attrs(const void *sig, size_t len, u8 *out,
				 struct fwverify_der *attrs)
{
	static const u8 tags[FWVERIFY_DER_DEPTH] = {
		0x30, 0xa0, 0x30, 0x31, 0x30,
	};
	struct fwverify_der lv[FWVERIFY_DER_DEPTH], d = { sig, len }, el;
	const u8 *child[FWVERIFY_DER_DEPTH], *child_end[FWVERIFY_DER_DEPTH];
	size_t nl[FWVERIFY_DER_DEPTH], total;
	u8 tag, *p = out;
	int i;

	/* ContentInfo: contentType signedData, then [0] and nothing more. */
	if (!fwverify_der_next(&d, &tag, &lv[0]) || tag != tags[0] || d.len)
		return 0;
	d = lv[0];
	if (!fwverify_der_next(&d, &tag, &el) || tag != 0x06 ||
	    !fwverify_der_is(&el, fwverify_signed_data_oid,
			     sizeof(fwverify_signed_data_oid)))
		return 0;
	/* Each level holds the next as its last element. */
	for (i = 1; i < FWVERIFY_DER_DEPTH; i++) {
		/* SignedData: version, digestAlgorithms, encapContentInfo */
		if (i == 3 && (!fwverify_der_next(&d, &tag, &el) ||
			       !fwverify_der_next(&d, &tag, &el) ||
			       !fwverify_der_next(&d, &tag, &el)))
			return 0;
		/* then certificates and CRLs, if any */
		while (i == 3 && d.len && (d.p[0] == 0xa0 || d.p[0] == 0xa1))
			if (!fwverify_der_next(&d, &tag, &el))
				return 0;
		child[i - 1] = d.p;
		if (!fwverify_der_next(&d, &tag, &lv[i]) || tag != tags[i] ||
		    d.len)
			return 0;
		child_end[i - 1] = d.p;
		d = lv[i];
	}
	/* SignerInfo: version, sid, digestAlgorithm, then the attributes. */
	for (i = 0; i < 3; i++)
		if (!fwverify_der_next(&d, &tag, &el))
			return 0;
	if (!d.len || (d.p[0] != 0xa0 && d.p[0] != 0x80))
		return 0;
	child[4] = d.p;
	if (!fwverify_der_next(&d, &tag, &el))
		return 0;
	child_end[4] = d.p;
	attrs->p = child[4] + 1;
	attrs->len = child_end[4] - attrs->p;

	/* The new lengths, from the SignerInfo out. */
	nl[4] = lv[4].len - (child_end[4] - child[4]);
	for (i = 3; i >= 0; i--)
		nl[i] = lv[i].len - (child_end[i] - child[i]) +
			fwverify_der_hdr_size(nl[i + 1]) + nl[i + 1];
	total = fwverify_der_hdr_size(nl[0]) + nl[0];
	if (total > len)
		return 0;
	for (i = 0; i < FWVERIFY_DER_DEPTH; i++) {
		p = fwverify_der_put_hdr(p, tags[i], nl[i]);
		memcpy(p, lv[i].p, child[i] - lv[i].p);
		p += child[i] - lv[i].p;
	}
	for (i = FWVERIFY_DER_DEPTH - 1; i >= 0; i--) {
		memcpy(p, child_end[i], lv[i].p + lv[i].len - child_end[i]);
		p += lv[i].p + lv[i].len - child_end[i];
	}
	return p - out;
}
