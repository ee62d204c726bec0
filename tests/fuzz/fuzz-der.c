// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the module's DER reader (kmod/der.c, built unmodified
 * against shim/) against OpenSSL's CMS parser on the same bytes.
 *
 * The module takes the firmware's SHA-256 from fwverify_der_sha256_digest()
 * and matches revocation on it, so the reader must never see another
 * message than a real ASN.1 parser does.  Asserted, for any input:
 *
 * 1. fwverify_der_sha256_digest() returns 0 only for what OpenSSL, when it
 *    parses the input, reads as SignedData with exactly one SignerInfo,
 *    digestAlgorithm SHA-256 (parameters absent or NULL), exactly one
 *    signed messageDigest of exactly one 32-byte OCTET STRING, and the
 *    bytes returned are those.  Conversely, for input that OpenSSL parses
 *    and re-encodes to the same bytes (DER), the reader finds the digest
 *    whenever those conditions hold: the fast path is not lost.
 * 2. fwverify_der_signer() returns 0 only with OpenSSL's signer identifier
 *    of the first SignerInfo (the keyid, or the issuer's and the serial's
 *    contents, as the kernel's asymmetric_key_generate_id() takes them),
 *    pointing into the input; for DER it always names the signer.
 * 3. fwverify_der_check_names() gives, for DER input OpenSSL parses,
 *    exactly der.c's documented verdict computed on OpenSSL's reading
 *    (every SignerInfo in order, each name attribute: one value, a
 *    UTF8String of 1 to 255 bytes without NUL, the last components of the
 *    path); for other input OpenSSL parses it never lets a name through
 *    that OpenSSL's reading refuses.  Paths come from the input's own name
 *    attribute (as it is, under a directory, glued to a component, cut,
 *    with a compression suffix outside plen) so both outcomes are reached,
 *    and are allocated to exactly their length, so ASan sees any overread.
 * 4. ASan, UBSan and LeakSanitizer: no crash, UB or leak.
 *
 * A violation prints what differed and aborts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "der.h"

#define NAME_OID "2.25.196871091086757864271009421185200544841"
#define DIGEST_LEN 32

static const uint8_t *in;
static size_t in_len;

static void hex(const char *what, const void *p, size_t n)
{
	fprintf(stderr, "  %s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", ((const uint8_t *)p)[i]);
	fputc('\n', stderr);
}

static void __attribute__((noreturn, format(printf, 1, 2))) violated(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz-der: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static bool same(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

/* Is @d (a value the reader returned) inside the input? */
static bool inside(const struct fwverify_der *d)
{
	return d->p >= in && d->len <= in_len && (size_t)(d->p - in) <= in_len - d->len;
}

/* The contents of the DER element @der (@n bytes) OpenSSL wrote. */
static bool contents(const unsigned char *der, int n, const unsigned char **p, long *len)
{
	int tag, cls;

	*p = der;
	return n > 0 && !(ASN1_get_object(p, len, &tag, &cls, n) & 0x80);
}

/* What OpenSSL reads of the input. */
struct reading {
	CMS_ContentInfo *cms;			/* NULL: it does not parse */
	STACK_OF(CMS_SignerInfo) *infos;	/* NULL: not SignedData */
	bool der;				/* i2d gives the same bytes back */
};

/*
 * Is @name DER?  i2d gives back the bytes d2i kept, whatever they were,
 * so its entries are put in a new name and that one encoded.
 */
static bool name_is_der(const X509_NAME *name)
{
	unsigned char *a = NULL, *b = NULL;
	X509_NAME *copy = X509_NAME_new();
	bool der = false;
	int i, na, nb;

	if (!copy)
		abort();
	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		bool same_rdn = i && X509_NAME_ENTRY_set(e) ==
				     X509_NAME_ENTRY_set(X509_NAME_get_entry(name, i - 1));

		if (!X509_NAME_add_entry(copy, e, -1, same_rdn ? -1 : 0))
			goto out;
	}
	na = i2d_X509_NAME(name, &a);
	nb = i2d_X509_NAME(copy, &b);
	der = na > 0 && same(a, na, b, nb);
out:
	OPENSSL_free(a);
	OPENSSL_free(b);
	X509_NAME_free(copy);
	return der;
}

/* The issuer of the first SignerInfo, when it names its signer so. */
static X509_NAME *first_issuer(const struct reading *r)
{
	ASN1_OCTET_STRING *keyid = NULL;
	ASN1_INTEGER *serial = NULL;
	X509_NAME *name = NULL;

	if (!r->infos || !sk_CMS_SignerInfo_num(r->infos))
		return NULL;
	CMS_SignerInfo_get0_signer_id(sk_CMS_SignerInfo_value(r->infos, 0), &keyid, &name,
				      &serial);
	return name;
}

static void read_openssl(struct reading *r)
{
	const unsigned char *p = in;
	unsigned char *out = NULL;
	int n;

	memset(r, 0, sizeof(*r));
	r->cms = d2i_CMS_ContentInfo(NULL, &p, in_len);
	if (!r->cms)
		return;
	if (OBJ_obj2nid(CMS_get0_type(r->cms)) == NID_pkcs7_signed)
		r->infos = CMS_get0_SignerInfos(r->cms);
	n = i2d_CMS_ContentInfo(r->cms, &out);
	r->der = n > 0 && same(out, n, in, p - in) &&
		 (!first_issuer(r) || name_is_der(first_issuer(r)));
	OPENSSL_free(out);
}

/* Property 1 on OpenSSL's reading: 0 and *@md set, or -ENODATA. */
static int openssl_sha256_digest(const struct reading *r, const ASN1_OCTET_STRING **md)
{
	const ASN1_OBJECT *alg;
	CMS_SignerInfo *si;
	X509_ALGOR *dig;
	int ptype;

	if (!r->infos || sk_CMS_SignerInfo_num(r->infos) != 1)
		return -ENODATA;
	si = sk_CMS_SignerInfo_value(r->infos, 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	X509_ALGOR_get0(&alg, &ptype, NULL, dig);
	if (OBJ_obj2nid(alg) != NID_sha256 || (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL))
		return -ENODATA;
	/* -3: exactly one such attribute, of exactly one value, of this type. */
	*md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					  V_ASN1_OCTET_STRING);
	return *md && ASN1_STRING_length(*md) == DIGEST_LEN ? 0 : -ENODATA;
}

static void check_digest(const struct reading *r)
{
	const ASN1_OCTET_STRING *md = NULL;
	uint8_t *got = malloc(DIGEST_LEN);	/* exactly sized: ASan bounds the write */
	int err, want;

	if (!got)
		abort();
	err = fwverify_der_sha256_digest(in, in_len, got);
	if (err && err != -ENODATA)
		violated("fwverify_der_sha256_digest() returned %d, not 0 or -ENODATA", err);
	if (r->cms) {
		want = openssl_sha256_digest(r, &md);
		if (!err && want)
			violated("the reader found a SHA-256 messageDigest in a message OpenSSL reads "
				 "otherwise (%s, %d SignerInfos)",
				 r->infos ? "SignedData" : "not SignedData",
				 r->infos ? sk_CMS_SignerInfo_num(r->infos) : 0);
		if (!err && !same(got, DIGEST_LEN, ASN1_STRING_get0_data(md), ASN1_STRING_length(md))) {
			hex("reader", got, DIGEST_LEN);
			hex("OpenSSL", ASN1_STRING_get0_data(md), ASN1_STRING_length(md));
			violated("the messageDigest differs");
		}
		if (err && !want && r->der)
			violated("the reader misses the messageDigest of a DER message (%d)", err);
	}
	free(got);
}

static void check_signer(const struct reading *r)
{
	const unsigned char *p;
	ASN1_OCTET_STRING *keyid = NULL;
	struct fwverify_der id, issuer;
	unsigned char *der = NULL;
	ASN1_INTEGER *serial = NULL;
	X509_NAME *name = NULL;
	CMS_SignerInfo *si;
	int err, n;
	long len;

	err = fwverify_der_signer(in, in_len, &id, &issuer);
	if (err && err != -EBADMSG)
		violated("fwverify_der_signer() returned %d, not 0 or -EBADMSG", err);
	if (!err && (!inside(&id) || !inside(&issuer)))
		violated("fwverify_der_signer() points outside the input");
	if (!r->infos || !sk_CMS_SignerInfo_num(r->infos))
		return;
	si = sk_CMS_SignerInfo_value(r->infos, 0);
	if (!CMS_SignerInfo_get0_signer_id(si, &keyid, &name, &serial))
		violated("OpenSSL names no signer");
	if (err) {
		if (r->der)
			violated("the reader names no signer in a DER message");
		return;
	}
	if (keyid) {
		if (issuer.len || !same(id.p, id.len, ASN1_STRING_get0_data(keyid),
					ASN1_STRING_length(keyid))) {
			hex("reader id", id.p, id.len);
			hex("reader issuer", issuer.p, issuer.len);
			hex("OpenSSL keyid", ASN1_STRING_get0_data(keyid), ASN1_STRING_length(keyid));
			violated("the subjectKeyIdentifier differs");
		}
		return;
	}
	n = i2d_X509_NAME(name, &der);
	if (!contents(der, n, &p, &len) || !same(issuer.p, issuer.len, p, len)) {
		hex("reader issuer", issuer.p, issuer.len);
		hex("OpenSSL issuer", der, n > 0 ? n : 0);
		violated("the issuer differs");
	}
	OPENSSL_free(der);
	der = NULL;
	n = i2d_ASN1_INTEGER(serial, &der);
	if (!contents(der, n, &p, &len) || !same(id.p, id.len, p, len)) {
		hex("reader serial", id.p, id.len);
		hex("OpenSSL serial", der, n > 0 ? n : 0);
		violated("the serial number differs");
	}
	OPENSSL_free(der);
}

static ASN1_OBJECT *name_oid;

/* der.c's fwverify_name_fits(). */
static bool fits(const unsigned char *name, size_t n, const char *path, size_t plen)
{
	return plen >= n && !memcmp(path + plen - n, name, n) &&
	       (plen == n || path[plen - n - 1] == '/');
}

/*
 * A SignerInfo's name attribute at @i, or NULL if @i is another attribute.
 * *@err is -EBADMSG if it is one but not a single UTF8String der.c takes.
 */
static const ASN1_STRING *name_attr(CMS_SignerInfo *si, int i, int *err)
{
	X509_ATTRIBUTE *attr = CMS_signed_get_attr(si, i);
	const ASN1_STRING *s;
	ASN1_TYPE *t;

	*err = 0;
	if (OBJ_cmp(X509_ATTRIBUTE_get0_object(attr), name_oid))
		return NULL;
	*err = -EBADMSG;
	if (X509_ATTRIBUTE_count(attr) != 1)
		return NULL;
	t = X509_ATTRIBUTE_get0_type(attr, 0);
	if (ASN1_TYPE_get(t) != V_ASN1_UTF8STRING)
		return NULL;
	s = t->value.utf8string;
	if (!ASN1_STRING_length(s) || ASN1_STRING_length(s) > FWVERIFY_NAME_MAX ||
	    memchr(ASN1_STRING_get0_data(s), 0, ASN1_STRING_length(s)))
		return NULL;
	*err = 0;
	return s;
}

/* Property 3: der.c's rules for fwverify_der_check_names() on OpenSSL's reading. */
static int openssl_check_names(const struct reading *r, const char *path, size_t plen)
{
	for (int k = 0; k < sk_CMS_SignerInfo_num(r->infos); k++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(r->infos, k);
		int n = CMS_signed_get_attr_count(si);
		bool seen = false;

		for (int i = 0; i < n; i++) {
			const ASN1_STRING *s;
			int err;

			s = name_attr(si, i, &err);
			if (err || (s && seen))
				return -EBADMSG;
			if (!s)
				continue;
			seen = true;
			if (!fits(ASN1_STRING_get0_data(s), ASN1_STRING_length(s), path, plen))
				return -EKEYREJECTED;
		}
	}
	return 0;
}

/* The first name attribute OpenSSL reads, if any. */
static const ASN1_STRING *first_name(const struct reading *r)
{
	for (int k = 0; r->infos && k < sk_CMS_SignerInfo_num(r->infos); k++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(r->infos, k);
		int n = CMS_signed_get_attr_count(si);

		for (int i = 0; i < n; i++) {
			const ASN1_STRING *s;
			int err;

			s = name_attr(si, i, &err);
			if (s)
				return s;
		}
	}
	return NULL;
}

/* @path: @len bytes in a block of exactly that size, of which plen are asked for. */
static void check_path(const struct reading *r, const char *pre, const void *name, size_t nlen,
		       const char *post, size_t plen)
{
	size_t prelen = strlen(pre), len = prelen + nlen + strlen(post);
	char *path = malloc(len ? len : 1);
	int err, want;

	if (!path)
		abort();
	memcpy(path, pre, prelen);
	memcpy(path + prelen, name, nlen);
	memcpy(path + prelen + nlen, post, strlen(post));
	if (plen > len)
		plen = len;
	err = fwverify_der_check_names(in, in_len, path, plen);
	if (err && err != -EKEYREJECTED && err != -EBADMSG)
		violated("fwverify_der_check_names() returned %d", err);
	if (r->infos) {
		want = openssl_check_names(r, path, plen);
		if (r->der ? err != want : (!err && want) || (err == -EKEYREJECTED && !want)) {
			hex("path", path, plen);
			violated("fwverify_der_check_names() returned %d where OpenSSL's reading "
				 "gives %d (%s)", err, want, r->der ? "DER" : "not DER");
		}
	}
	free(path);
}

static void check_names(const struct reading *r)
{
	const ASN1_STRING *s = first_name(r);
	size_t tail = in_len < 64 ? in_len : 64;

	check_path(r, "lib/firmware/", "fw.bin", 6, "", SIZE_MAX);
	check_path(r, "", in + in_len - tail, tail, "", SIZE_MAX);
	if (s) {
		const unsigned char *n = ASN1_STRING_get0_data(s);
		size_t len = ASN1_STRING_length(s);

		check_path(r, "", n, len, "", SIZE_MAX);			/* fits */
		check_path(r, "/lib/firmware/", n, len, "", SIZE_MAX);	/* fits */
		check_path(r, "lib/firmware/", n, len, ".xz", len + 13);	/* fits */
		check_path(r, "x", n, len, "", SIZE_MAX);			/* not at a '/' */
		check_path(r, "", n + 1, len - 1, "", SIZE_MAX);		/* shorter */
		check_path(r, "", n, len, ".zst", SIZE_MAX);			/* another name */
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	name_oid = OBJ_txt2obj(NAME_OID, 1);
	if (!name_oid)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct reading r;

	in = data;
	in_len = len;
	read_openssl(&r);
	check_digest(&r);
	check_signer(&r);
	check_names(&r);
	CMS_ContentInfo_free(r.cms);
	ERR_clear_error();
	return 0;
}
