// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the module's DER reader (kmod/der.c, built unmodified
 * against shim/) against two real parsers of the same bytes: OpenSSL's CMS
 * parser, and the kernel's own PKCS#7 parser, that is its ASN.1 decoder
 * (lib/asn1_decoder.c) running its grammar (pkcs7.asn1), both unmodified,
 * with pkcs7_parser.c's actions modelled below.
 *
 * The module takes the firmware's SHA-256 from fwverify_der_sha256_digest()
 * once verify_pkcs7_signature() accepted the message, and matches
 * revocation on it, so the reader must never see another message than the
 * parsers do.  Asserted, for any input:
 *
 * 1. fwverify_der_sha256_digest() returns 0 only for what OpenSSL, when it
 *    parses the input, reads as SignedData with exactly one SignerInfo,
 *    digestAlgorithm SHA-256 (parameters absent or NULL), exactly one
 *    signed messageDigest of exactly one 32-byte OCTET STRING, and the
 *    bytes returned are those; and, when the kernel's parser takes the
 *    input, for what it reads as one SignerInfo, SHA-256, with a SET of
 *    authenticated attributes (the case where pkcs7_digest() compares the
 *    messageDigest with the data's) holding those 32 bytes.  Conversely,
 *    for input that OpenSSL parses and re-encodes to the same bytes (DER),
 *    the reader finds the digest whenever OpenSSL's conditions hold: the
 *    fast path is not lost.
 * 2. fwverify_der_signer() returns 0 only with OpenSSL's signer identifier
 *    of the first SignerInfo (the keyid, or the issuer's and the serial's
 *    contents) and the kernel's (what asymmetric_key_generate_id() joins,
 *    when the SignerInfo's version and identifier agree: else the kernel's
 *    is stale or empty and finds no key), pointing into the input; for DER
 *    it always names the signer.
 * 3. fwverify_der_check_names() gives, for DER input OpenSSL parses,
 *    exactly der.c's documented verdict computed on OpenSSL's reading
 *    (every SignerInfo in order, each name attribute: at most one under
 *    either OID, id-at-name or the legacy one, one value, a UTF8String of
 *    1 to 255 bytes without NUL, the last components of the path); for
 *    any other input OpenSSL or the kernel parses, it never
 *    lets a name through that their reading refuses (the kernel's: its
 *    SETs of attributes, the ones the signature covers), nor refuses one
 *    they let through.  Paths come from the input's own name attribute (as
 *    it is, under a directory, glued to a component, cut, with a
 *    compression suffix outside plen) so both outcomes are reached, and
 *    are allocated to exactly their length, so ASan sees any overread.
 * 4. ASan, UBSan and LeakSanitizer: no crash, UB or leak (in der.c and in
 *    the kernel's decoder alike).
 * 5. fwverify_der_detach_attrs(), whose output the module verifies with
 *    0x31 || attrs as its detached content, writes at most the input's
 *    size (into a block of exactly that size), and when it returns n > 0:
 *    (a) attrs points into the input, at the SignerInfo's attributes less
 *        their tag; when the kernel's parser takes the input, it reads it
 *        as exactly one SignerInfo with a SET of authenticated attributes,
 *        and attrs are exactly the bytes it records for pkcs7_digest() to
 *        hash after 0x31 (pkcs7_sig_note_set_of_authattrs(): hdrlen - 1
 *        bytes before the value, to its end);
 *    (b) the kernel's parser then takes the output too, as one SignerInfo
 *        without authenticated attributes (no attribute noted at all) and
 *        with the same key id, digest and signature algorithms, signature
 *        (encryptedDigest), data type, embedded content and certificates
 *        (count and bytes) as in its reading of the input;
 *    (c) the output is byte for byte the input less the attributes, the
 *        headers of the five levels from the ContentInfo down to the
 *        SignerInfo rewritten, DER, around the same contents;
 *    (d) when OpenSSL parses the input, it reads one SignerInfo with signed
 *        attributes, and it parses the output, whole, with the same signer
 *        identifier, algorithms, signature value, unsigned attributes,
 *        content type, content, certificates and CRLs, and no signed
 *        attributes.  For DER input, 0x31 || attrs is OpenSSL's own
 *        encoding of the attributes it verifies the signature over
 *        (CMS_Attributes_Verify), the output is DER, and when OpenSSL
 *        verifies the input's signature of its attributes by its carried
 *        signer certificate, that signature (RSA PKCS#1 v1.5 or ECDSA),
 *        read from the output, verifies over 0x31 || attrs.
 *    Conversely, for a DER input that is exactly one ContentInfo which
 *    OpenSSL reads as one SignerInfo with signed attributes, it returns
 *    n > 0: the fast path is not lost.  (For input the kernel refuses it
 *    may return n > 0: the module parses the message before.)
 *
 * Input OpenSSL does not parse (a damaged certificate, say) is not compared
 * with it: der.c skips what it does not read.  A violation prints what
 * differed and aborts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/evp.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "der.h"
/* The kernel's PKCS#7 grammar; <linux/asn1.h>'s tag names clash with OpenSSL's types. */
#define _LINUX_ASN1_H
#include "pkcs7.asn1.h"

/* The firmware name attribute's OIDs: id-at-name, and the one fwverify sign wrote before. */
#define NAME_OID "2.5.4.41"
#define NAME_OID_LEGACY "2.25.196871091086757864271009421185200544841"
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
	bool whole;				/* and nothing follows them */
	int kernel;				/* read_kernel(): 0 if the kernel takes it */
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
	r->whole = (size_t)(p - in) == in_len;
	OPENSSL_free(out);
}

/*
 * The kernel's reading: its ASN.1 decoder (lib/asn1_decoder.c) running its
 * PKCS#7 grammar (crypto/asymmetric_keys/pkcs7.asn1), both unmodified, with
 * the actions of pkcs7_parser.c that decide what it accepts and what it
 * reads where der.c reads: the content and version checks, each
 * SignerInfo's key id, digest algorithm, authenticated attributes and
 * messageDigest.  Certificates, times and key algorithms are taken as they
 * come: checking them would only make the kernel refuse more.
 */
#define KSINFO_MAX 8
#define KATTR_MAX 16
#define KCERT_MAX 16

struct kbytes {
	const uint8_t *p;
	size_t len;
};

/* An authenticated attribute: its type and first value. */
struct kattr {
	struct kbytes oid, val;
	unsigned char tag;
	int nvals;
};

struct ksinfo {
	struct kbytes kid[2];	/* what asymmetric_key_generate_id() joins */
	bool kid_sound;		/* from this SignerInfo's own sid, as its version says */
	bool sha256;		/* digestAlgorithm */
	bool authattrs;		/* a SET of attributes, which the signature covers */
	struct kbytes aa;	/* what pkcs7_digest() hashes of them, after a tag 0x31 */
	struct kbytes digest_oid, pkey_oid, sig;
	struct kbytes msgdigest;
	int nattrs;
	struct kattr attrs[KATTR_MAX];
};

/* The kernel's reading of the input: pkcs7_parse_context's part that matters. */
static struct kreading {
	struct kbytes last_oid;
	unsigned int oid_seq, attr_seq;
	unsigned int msg_version;
	struct kbytes data_type;
	bool expect_skid, noted_skid, noted_issuer;
	struct kbytes raw_serial, raw_issuer, raw_skid;
	unsigned int aa_set;
	struct ksinfo cur;
	int n;
	struct ksinfo si[KSINFO_MAX];
	bool has_data;
	struct kbytes data;		/* embedded content */
	int ncerts;
	struct kbytes certs[KCERT_MAX];	/* what x509_cert_parse() is given, in order */
} k;

#define OID(...) ((struct kbytes){ (const uint8_t[]){ __VA_ARGS__ }, \
				   sizeof((const uint8_t[]){ __VA_ARGS__ }) })
#define OID_SIGNED_DATA	OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02)
#define OID_DATA	OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01)
#define OID_MS_INDIRECT	OID(0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04)
#define OID_SHA256	OID(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01)
#define OID_CONTENT_TYPE OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03)
#define OID_MSG_DIGEST	OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04)
#define OID_SIGNING_TIME OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05)
#define OID_SMIME_CAPS	OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0f)
#define OID_MS_OPUS	OID(0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0c)
#define OID_MS_STATEMENT OID(0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0b)
#define OID_NAME	OID(0x55, 0x04, 0x29)
#define OID_NAME_LEGACY	OID(0x69, 0x82, 0xa8, 0x9b, 0xff, 0x8c, 0xc0, 0xe5, 0xba, 0x9b, \
			    0xd5, 0x8f, 0xc7, 0xe1, 0xa5, 0xff, 0x88, 0xe7, 0xb8, 0x49)

static bool is(struct kbytes a, struct kbytes b)
{
	return same(a.p, a.len, b.p, b.len);
}

static bool is_name(struct kbytes oid)
{
	return is(oid, OID_NAME) || is(oid, OID_NAME_LEGACY);
}

static struct kbytes kb(const void *p, size_t len)
{
	return (struct kbytes){ p, len };
}

/* pkcs7_parser.c's aa_set bits */
enum { HAS_CONTENT_TYPE = 1, HAS_SIGNING_TIME = 2, HAS_MSG_DIGEST = 4, HAS_SMIME_CAPS = 8,
       HAS_MS_OPUS = 16, HAS_MS_STATEMENT = 32 };

int pkcs7_note_OID(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	k.last_oid = kb(v, vlen);
	k.oid_seq++;
	return 0;
}

int pkcs7_check_content_type(void *c, size_t hdrlen, unsigned char tag, const void *v,
			     size_t vlen)
{
	return is(k.last_oid, OID_SIGNED_DATA) ? 0 : -EINVAL;
}

int pkcs7_note_signeddata_version(void *c, size_t hdrlen, unsigned char tag, const void *v,
				  size_t vlen)
{
	if (vlen != 1)
		return -EINVAL;
	k.msg_version = *(const uint8_t *)v;
	return k.msg_version == 1 || k.msg_version == 3 ? 0 : -EINVAL;
}

int pkcs7_note_signerinfo_version(void *c, size_t hdrlen, unsigned char tag, const void *v,
				  size_t vlen)
{
	unsigned int version;

	if (vlen != 1)
		return -EINVAL;
	version = *(const uint8_t *)v;
	if (version == 1) {
		if (k.msg_version != 1)
			return -EBADMSG;
		k.expect_skid = false;
	} else if (version == 3) {
		if (k.msg_version == 1)
			return -EBADMSG;
		k.expect_skid = true;
	} else {
		return -EINVAL;
	}
	return 0;
}

int pkcs7_extract_cert(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	const uint8_t *cert = (const uint8_t *)v - hdrlen;

	if (tag != 0x30)
		return -EBADMSG;
	if (k.ncerts == KCERT_MAX)
		return -E2BIG;			/* more than modelled: not compared */
	/* The element, header included, as x509_cert_parse() gets it (not modelled). */
	k.certs[k.ncerts++] = kb(cert, vlen + hdrlen + (cert[1] == 0x80 ? 2 : 0));
	return 0;
}

int pkcs7_note_certificate_list(void *c, size_t hdrlen, unsigned char tag, const void *v,
				size_t vlen)
{
	return 0;
}

int pkcs7_note_content(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	if (!is(k.last_oid, OID_DATA) && !is(k.last_oid, OID_MS_INDIRECT))
		return -EINVAL;
	k.data_type = k.last_oid;
	return 0;
}

int pkcs7_note_data(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	k.has_data = true;
	k.data = kb(v, vlen);
	return 0;
}

/* A bit of aa_set, once: pkcs7_parser.c's "repeated" is -EKEYREJECTED. */
static bool first(unsigned int bit)
{
	bool seen = k.aa_set & bit;

	k.aa_set |= bit;
	return !seen;
}

int pkcs7_sig_note_authenticated_attr(void *c, size_t hdrlen, unsigned char tag, const void *v,
				      size_t vlen)
{
	struct ksinfo *si = &k.cur;
	bool authenticode = is(k.data_type, OID_MS_INDIRECT);

	/* Called for each value: a new attribute has had its type noted since. */
	if (k.attr_seq != k.oid_seq) {
		k.attr_seq = k.oid_seq;
		if (si->nattrs == KATTR_MAX)
			return -E2BIG;		/* more than modelled: not compared */
		si->attrs[si->nattrs++] = (struct kattr){ k.last_oid, kb(v, vlen), tag, 0 };
	}
	si->attrs[si->nattrs - 1].nvals++;

	if (is(k.last_oid, OID_CONTENT_TYPE)) {
		if (!first(HAS_CONTENT_TYPE))
			return -EKEYREJECTED;
		return is(kb(v, vlen), k.data_type) ? 0 : -EBADMSG;
	}
	if (is(k.last_oid, OID_SIGNING_TIME))
		return first(HAS_SIGNING_TIME) ? 0 : -EKEYREJECTED;	/* time not checked */
	if (is(k.last_oid, OID_MSG_DIGEST)) {
		if (!first(HAS_MSG_DIGEST))
			return -EKEYREJECTED;
		if (tag != 0x04)
			return -EBADMSG;
		si->msgdigest = kb(v, vlen);
		return 0;
	}
	if (is(k.last_oid, OID_SMIME_CAPS))
		return first(HAS_SMIME_CAPS) && authenticode ? 0 : -EKEYREJECTED;
	if (is(k.last_oid, OID_MS_OPUS))
		return first(HAS_MS_OPUS) && authenticode ? 0 : -EKEYREJECTED;
	if (is(k.last_oid, OID_MS_STATEMENT))
		return first(HAS_MS_STATEMENT) && authenticode ? 0 : -EKEYREJECTED;
	return 0;
}

int pkcs7_sig_note_set_of_authattrs(void *c, size_t hdrlen, unsigned char tag, const void *v,
				    size_t vlen)
{
	if (!(k.aa_set & HAS_CONTENT_TYPE) || !(k.aa_set & HAS_MSG_DIGEST))
		return -EBADMSG;
	if (!is(k.data_type, OID_MS_INDIRECT) && (k.aa_set & HAS_MS_OPUS))
		return -EBADMSG;
	k.cur.authattrs = true;
	/* The 'CONT 0' is switched to a 'SET OF': the length bytes on are kept. */
	k.cur.aa = kb((const uint8_t *)v - (hdrlen - 1), vlen + (hdrlen - 1));
	return 0;
}

int pkcs7_sig_note_digest_algo(void *c, size_t hdrlen, unsigned char tag, const void *v,
			       size_t vlen)
{
	k.cur.sha256 = is(k.last_oid, OID_SHA256);	/* other digests not checked */
	k.cur.digest_oid = k.last_oid;
	return 0;
}

int pkcs7_sig_note_pkey_algo(void *c, size_t hdrlen, unsigned char tag, const void *v,
			     size_t vlen)
{
	k.cur.pkey_oid = k.last_oid;			/* algorithms not checked */
	return 0;
}

int pkcs7_sig_note_serial(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	k.raw_serial = kb(v, vlen);
	k.noted_issuer = true;
	return 0;
}

int pkcs7_sig_note_issuer(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	k.raw_issuer = kb(v, vlen);
	return 0;
}

int pkcs7_sig_note_skid(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	k.raw_skid = kb(v, vlen);
	k.noted_skid = true;
	return 0;
}

int pkcs7_sig_note_signature(void *c, size_t hdrlen, unsigned char tag, const void *v,
			     size_t vlen)
{
	k.cur.sig = kb(v, vlen);
	return 0;
}

/* The end of a SignerInfo: its key id as the kernel makes it, the next one afresh. */
int pkcs7_note_signed_info(void *c, size_t hdrlen, unsigned char tag, const void *v, size_t vlen)
{
	struct ksinfo *si = &k.cur;

	if (is(k.data_type, OID_MS_INDIRECT) && !si->authattrs)
		return -EBADMSG;
	/* ctx->raw_* are not reset between SignerInfos: a later one may reuse them. */
	si->kid[0] = k.expect_skid ? k.raw_skid : k.raw_serial;
	si->kid[1] = k.expect_skid ? kb("", 0) : k.raw_issuer;
	si->kid_sound = k.expect_skid ? k.noted_skid : k.noted_issuer;
	if (k.n == KSINFO_MAX)
		return -E2BIG;			/* more than modelled: not compared */
	k.si[k.n++] = *si;
	memset(si, 0, sizeof(*si));
	k.aa_set = 0;
	k.noted_skid = k.noted_issuer = false;
	return 0;
}

/* pkcs7_parse_message(): 0 if the kernel takes @msg as a PKCS#7 message. */
static int read_kernel(const uint8_t *msg, size_t len)
{
	int err;

	memset(&k, 0, sizeof(k));
	err = asn1_ber_decoder(&pkcs7_decoder, NULL, msg, len);
	if (err)
		return err;
	/* pkcs7_check_authattrs(): at least one, all with or all without. */
	if (!k.n)
		return -EINVAL;
	for (int i = 1; i < k.n; i++)
		if (k.si[i].authattrs != k.si[0].authattrs)
			return -EINVAL;
	return 0;
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
	if (!err && !r->kernel &&
	    (k.n != 1 || !k.si[0].authattrs || !k.si[0].sha256 ||
	     !same(got, DIGEST_LEN, k.si[0].msgdigest.p, k.si[0].msgdigest.len))) {
		hex("reader", got, DIGEST_LEN);
		hex("kernel", k.si[0].msgdigest.p, k.si[0].msgdigest.len);
		violated("the reader's messageDigest is not the one the kernel checks "
			 "(%d SignerInfos; the first: %s, %s)", k.n,
			 k.si[0].authattrs ? "a SET of attributes" : "no SET of attributes",
			 k.si[0].sha256 ? "SHA-256" : "not SHA-256");
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
	/* The kernel's key id, when its version and its sid agree (else none matches). */
	if (!err && !r->kernel && k.si[0].kid_sound &&
	    (!same(id.p, id.len, k.si[0].kid[0].p, k.si[0].kid[0].len) ||
	     !same(issuer.p, issuer.len, k.si[0].kid[1].p, k.si[0].kid[1].len))) {
		hex("reader id", id.p, id.len);
		hex("reader issuer", issuer.p, issuer.len);
		hex("kernel id", k.si[0].kid[0].p, k.si[0].kid[0].len);
		hex("kernel issuer", k.si[0].kid[1].p, k.si[0].kid[1].len);
		violated("the signer differs from the kernel's");
	}
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

static ASN1_OBJECT *name_oid, *name_oid_legacy;

/* der.c's fwverify_name_fits(). */
static bool fits(const unsigned char *name, size_t n, const char *path, size_t plen)
{
	return plen >= n && !memcmp(path + plen - n, name, n) &&
	       (plen == n || path[plen - n - 1] == '/');
}

/*
 * A SignerInfo's name attribute (under either OID) at @i, or NULL if @i is
 * another attribute.
 * *@err is -EBADMSG if it is one but not a single UTF8String der.c takes.
 */
static const ASN1_STRING *name_attr(CMS_SignerInfo *si, int i, int *err)
{
	X509_ATTRIBUTE *attr = CMS_signed_get_attr(si, i);
	const ASN1_STRING *s;
	ASN1_TYPE *t;

	*err = 0;
	if (OBJ_cmp(X509_ATTRIBUTE_get0_object(attr), name_oid) &&
	    OBJ_cmp(X509_ATTRIBUTE_get0_object(attr), name_oid_legacy))
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

/* The same rules on the kernel's reading: its SETs of attributes, which the signature covers. */
static int kernel_check_names(const char *path, size_t plen)
{
	for (int i = 0; i < k.n; i++) {
		bool seen = false;

		for (int j = 0; k.si[i].authattrs && j < k.si[i].nattrs; j++) {
			const struct kattr *a = &k.si[i].attrs[j];

			if (!is_name(a->oid))
				continue;
			if (seen || a->nvals != 1 || a->tag != 0x0c || !a->val.len ||
			    a->val.len > FWVERIFY_NAME_MAX || memchr(a->val.p, 0, a->val.len))
				return -EBADMSG;
			seen = true;
			if (!fits(a->val.p, a->val.len, path, plen))
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
	if (!r->kernel) {
		want = kernel_check_names(path, plen);
		if ((!err && want) || (err == -EKEYREJECTED && !want)) {
			hex("path", path, plen);
			violated("fwverify_der_check_names() returned %d where the kernel's reading "
				 "gives %d", err, want);
		}
	}
	free(path);
}

/* The kernel's first name attribute, if any. */
static struct kbytes kernel_first_name(void)
{
	for (int i = 0; i < k.n; i++)
		for (int j = 0; j < k.si[i].nattrs; j++)
			if (is_name(k.si[i].attrs[j].oid) && k.si[i].attrs[j].val.len)
				return k.si[i].attrs[j].val;
	return kb(NULL, 0);
}

static void check_names(const struct reading *r)
{
	const ASN1_STRING *s = first_name(r);
	size_t tail = in_len < 64 ? in_len : 64;
	struct kbytes name = kernel_first_name();

	check_path(r, "lib/firmware/", "fw.bin", 6, "", SIZE_MAX);
	check_path(r, "", in + in_len - tail, tail, "", SIZE_MAX);
	if (s)
		name = kb(ASN1_STRING_get0_data(s), ASN1_STRING_length(s));
	if (name.len) {
		const unsigned char *n = name.p;
		size_t len = name.len;

		check_path(r, "", n, len, "", SIZE_MAX);			/* fits */
		check_path(r, "/lib/firmware/", n, len, "", SIZE_MAX);	/* fits */
		check_path(r, "lib/firmware/", n, len, ".xz", len + 13);	/* fits */
		check_path(r, "x", n, len, "", SIZE_MAX);			/* not at a '/' */
		check_path(r, "", n + 1, len - 1, "", SIZE_MAX);		/* shorter */
		check_path(r, "", n, len, ".zst", SIZE_MAX);			/* another name */
	}
}

/*
 * Property 5: fwverify_der_detach_attrs().  The layout it promises: the
 * five levels from the ContentInfo down to its one SignerInfo, each the
 * last element of the one before, with these tags.
 */
#define DETACH_DEPTH 5

static const uint8_t detach_tags[DETACH_DEPTH] = { 0x30, 0xa0, 0x30, 0x31, 0x30 };

/* A definite-length header at @p, @len bytes left, as der.c reads one. */
static bool header(const uint8_t *p, size_t len, size_t *hlen, size_t *vlen, bool *minimal)
{
	size_t n, v = 0;

	if (len < 2 || (p[0] & 0x1f) == 0x1f)
		return false;
	if (p[1] < 0x80) {
		*hlen = 2;
		*vlen = p[1];
		*minimal = true;
		return *vlen <= len - 2;
	}
	n = p[1] & 0x7f;
	if (!n || n > sizeof(size_t) || len - 2 < n)
		return false;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[2 + i];
	*hlen = 2 + n;
	*vlen = v;
	*minimal = p[2] && v >= 0x80;
	return v <= len - *hlen;
}

/*
 * @msg (@len bytes) less the headers of the five levels, and less the
 * SignerInfo's fourth element if @attrs (its place set in *@a): the rest
 * of its bytes, in order, written to @buf (@len bytes), *@n of them.
 * *@der is cleared if a header of the five is not DER's (minimal).
 * Return: false if @msg is not laid out so.
 */
static bool strip_levels(const uint8_t *msg, size_t len, bool attrs, uint8_t *buf, size_t *n,
			 struct kbytes *a, bool *der)
{
	const uint8_t *p = msg, *end = msg + len;
	size_t h, v;
	bool m;

	*n = 0;
	*der = true;
	for (int i = 0; i < DETACH_DEPTH; i++) {
		/* The elements before the last, which is the next level. */
		for (;;) {
			if (!header(p, end - p, &h, &v, &m))
				return false;
			if (p + h + v == end)
				break;
			memcpy(buf + *n, p, h + v);
			*n += h + v;
			p += h + v;
		}
		if (*p != detach_tags[i])
			return false;
		*der &= m;
		p += h;
	}
	/* The SignerInfo: version, sid, digestAlgorithm, then its attributes. */
	for (int i = 0; attrs && i < 4; i++) {
		if (!header(p, end - p, &h, &v, &m))
			return false;
		if (i == 3) {
			*a = kb(p, h + v);
		} else {
			memcpy(buf + *n, p, h + v);
			*n += h + v;
		}
		p += h + v;
	}
	memcpy(buf + *n, p, end - p);
	*n += end - p;
	return true;
}

/*
 * CMS's encoding of signed attributes to verify their signature
 * (cms_asn1.c's CMS_Attributes_Verify, not exported): a SET of them in
 * the order received.
 */
ASN1_ITEM_TEMPLATE(ATTRS_VERIFY) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL,
			      V_ASN1_SET, ATTRS_VERIFY, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(ATTRS_VERIFY)

/* What OpenSSL signs and verifies of @si's signed attributes, into *@der. */
static int openssl_signed_attrs(CMS_SignerInfo *si, unsigned char **der)
{
	STACK_OF(X509_ATTRIBUTE) *sk = sk_X509_ATTRIBUTE_new_null();
	int n;

	if (!sk)
		abort();
	for (int i = 0; i < CMS_signed_get_attr_count(si); i++)
		if (!sk_X509_ATTRIBUTE_push(sk, CMS_signed_get_attr(si, i)))
			abort();
	*der = NULL;
	n = ASN1_item_i2d((ASN1_VALUE *)sk, der, ASN1_ITEM_rptr(ATTRS_VERIFY));
	sk_X509_ATTRIBUTE_free(sk);		/* the attributes are @si's */
	return n;
}

/* The one SignerInfo of OpenSSL's reading @cms, or NULL. */
static CMS_SignerInfo *only_signer(CMS_ContentInfo *cms)
{
	STACK_OF(CMS_SignerInfo) *infos;

	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
		return NULL;
	infos = CMS_get0_SignerInfos(cms);
	return sk_CMS_SignerInfo_num(infos) == 1 ? sk_CMS_SignerInfo_value(infos, 0) : NULL;
}

static bool same_string(const ASN1_STRING *a, const ASN1_STRING *b)
{
	return (!a && !b) || (a && b && !ASN1_STRING_cmp(a, b));
}

/* Do OpenSSL's readings @a and @b hold the same certificates and CRLs? */
static bool same_certs(CMS_ContentInfo *a, CMS_ContentInfo *b)
{
	STACK_OF(X509) *ca = CMS_get1_certs(a), *cb = CMS_get1_certs(b);
	STACK_OF(X509_CRL) *la = CMS_get1_crls(a), *lb = CMS_get1_crls(b);
	bool same = sk_X509_num(ca) == sk_X509_num(cb) &&
		    sk_X509_CRL_num(la) == sk_X509_CRL_num(lb);

	for (int i = 0; same && i < sk_X509_num(ca); i++)
		same = !X509_cmp(sk_X509_value(ca, i), sk_X509_value(cb, i));
	for (int i = 0; same && i < sk_X509_CRL_num(la); i++)
		same = !X509_CRL_cmp(sk_X509_CRL_value(la, i), sk_X509_CRL_value(lb, i));
	sk_X509_pop_free(ca, X509_free);
	sk_X509_pop_free(cb, X509_free);
	sk_X509_CRL_pop_free(la, X509_CRL_free);
	sk_X509_CRL_pop_free(lb, X509_CRL_free);
	return same;
}

/* What differs between OpenSSL's SignerInfos @a (of the input) and @b (of the output). */
static const char *signer_differs(CMS_SignerInfo *a, CMS_SignerInfo *b)
{
	ASN1_OCTET_STRING *ka = NULL, *kb2 = NULL;
	ASN1_INTEGER *sa = NULL, *sb = NULL;
	X509_NAME *na = NULL, *nb = NULL;
	X509_ALGOR *da, *db, *pa, *pb;

	if (!CMS_SignerInfo_get0_signer_id(a, &ka, &na, &sa) ||
	    !CMS_SignerInfo_get0_signer_id(b, &kb2, &nb, &sb))
		return "no signer identifier";
	if (!same_string(ka, kb2) || !same_string(sa, sb) || !na != !nb ||
	    (na && X509_NAME_cmp(na, nb)))
		return "the signer identifier";
	CMS_SignerInfo_get0_algs(a, NULL, NULL, &da, &pa);
	CMS_SignerInfo_get0_algs(b, NULL, NULL, &db, &pb);
	if (X509_ALGOR_cmp(da, db) || X509_ALGOR_cmp(pa, pb))
		return "the algorithms";
	if (!same_string(CMS_SignerInfo_get0_signature(a), CMS_SignerInfo_get0_signature(b)))
		return "the signature value";
	if (CMS_signed_get_attr_count(b) >= 0)
		return "signed attributes left";
	if (CMS_unsigned_get_attr_count(a) != CMS_unsigned_get_attr_count(b))
		return "the unsigned attributes";
	return NULL;
}

/*
 * Does the signature of @so, in OpenSSL's reading @cms, by its signer's
 * key among @cms's certificates, verify over 0x31 || @attrs?  True for
 * other algorithms than RSA PKCS#1 v1.5 and ECDSA: not checked.
 */
static bool verifies(CMS_ContentInfo *cms, CMS_SignerInfo *so, const struct fwverify_der *attrs)
{
	const ASN1_OBJECT *dig_oid, *sig_oid;
	const ASN1_OCTET_STRING *sig;
	X509_ALGOR *dig, *salg;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *ctx;
	unsigned char *set;
	const EVP_MD *md;
	bool ok;

	if (CMS_set1_signers_certs(cms, NULL, 0) != 1)
		return false;
	CMS_SignerInfo_get0_algs(so, &pkey, NULL, &dig, &salg);
	X509_ALGOR_get0(&dig_oid, NULL, NULL, dig);
	X509_ALGOR_get0(&sig_oid, NULL, NULL, salg);
	md = EVP_get_digestbyobj(dig_oid);
	if (!pkey || !md || OBJ_obj2nid(sig_oid) == NID_rsassaPss ||
	    (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC))
		return true;
	sig = CMS_SignerInfo_get0_signature(so);
	set = malloc(attrs->len + 1);
	ctx = EVP_MD_CTX_new();
	if (!set || !ctx)
		abort();
	set[0] = 0x31;
	memcpy(set + 1, attrs->p, attrs->len);
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, ASN1_STRING_get0_data(sig), ASN1_STRING_length(sig), set,
			      attrs->len + 1) == 1;
	if (!ok)
		ERR_print_errors_fp(stderr);
	EVP_MD_CTX_free(ctx);
	free(set);
	return ok;
}

/*
 * OpenSSL's part of property 5: @out (@n bytes, 0 if detach_attrs()
 * refused the input) and @attrs against OpenSSL's reading @r.
 */
static void check_detach_openssl(const struct reading *r, const uint8_t *out, size_t n,
				 const struct fwverify_der *attrs)
{
	CMS_SignerInfo *si = only_signer(r->cms), *so;
	const unsigned char *p = out;
	CMS_ContentInfo *cms;
	unsigned char *der = NULL, *set;
	const char *what;
	ASN1_OCTET_STRING **ca, **co;
	int len;

	if (!r->cms)
		return;
	if (!n) {
		if (si && CMS_signed_get_attr_count(si) >= 0 && r->der && r->whole)
			violated("fwverify_der_detach_attrs() refuses a DER message OpenSSL reads as "
				 "one SignerInfo with signed attributes");
		return;
	}
	if (!si || CMS_signed_get_attr_count(si) < 0)
		violated("fwverify_der_detach_attrs() detached attributes from a message OpenSSL "
			 "reads otherwise (%s, %d SignerInfos, the first %s)",
			 r->infos ? "SignedData" : "not SignedData",
			 r->infos ? sk_CMS_SignerInfo_num(r->infos) : 0,
			 si ? "without signed attributes" : "not alone");
	/* What CMS signs: a SET of the attributes.  OpenSSL encodes DER only. */
	len = openssl_signed_attrs(si, &der);
	if (r->der) {
		set = malloc(attrs->len + 1);
		if (!set)
			abort();
		set[0] = 0x31;
		memcpy(set + 1, attrs->p, attrs->len);
		if (!same(der, len > 0 ? len : 0, set, attrs->len + 1)) {
			hex("0x31 || attrs", set, attrs->len + 1);
			hex("OpenSSL's signed attributes", der, len > 0 ? len : 0);
			violated("0x31 || attrs is not what OpenSSL verifies the signature over");
		}
		free(set);
	}
	OPENSSL_free(der);

	cms = d2i_CMS_ContentInfo(NULL, &p, n);
	if (!cms || (size_t)(p - out) != n)
		violated("OpenSSL does not read the detached message (%s)",
			 cms ? "bytes left over" : "no parse");
	so = only_signer(cms);
	if (!so)
		violated("OpenSSL does not read the detached message as one SignerInfo");
	what = signer_differs(si, so);
	if (!what && OBJ_cmp(CMS_get0_eContentType(r->cms), CMS_get0_eContentType(cms)))
		what = "the content type";
	ca = CMS_get0_content(r->cms);
	co = CMS_get0_content(cms);
	if (!what && (!ca != !co || (ca && !same_string(*ca, *co))))
		what = "the content";
	if (!what && !same_certs(r->cms, cms))
		what = "the certificates or CRLs";
	if (what)
		violated("OpenSSL's reading of the detached message differs in %s", what);
	if (r->der) {
		der = NULL;
		len = i2d_CMS_ContentInfo(cms, &der);
		if (!same(der, len > 0 ? len : 0, out, n))
			violated("the detached message of a DER message is not DER");
		OPENSSL_free(der);
	}
	/*
	 * End to end: when the input's signature of its attributes verifies
	 * (its signer's certificate carried), the detached message's signer,
	 * algorithms and signature verify over 0x31 || attrs, as the kernel
	 * checks a SignerInfo without attributes: a signature of the data's
	 * digest.  (CMS_verify() would also want every digest of the
	 * SignedData's digestAlgorithms known.)  RSA PKCS#1 v1.5 and ECDSA.
	 */
	if (r->der && CMS_set1_signers_certs(r->cms, NULL, 0) == 1 &&
	    CMS_SignerInfo_verify(si) == 1 && !verifies(cms, so, attrs))
		violated("the detached message does not verify over 0x31 || attrs, "
			 "though the input's signature of its attributes does");
	CMS_ContentInfo_free(cms);
}

/* What differs between two kernel readings of one SignerInfo (@a the input's). */
static const char *kernel_differs(const struct kreading *a, const struct kreading *b)
{
	const struct ksinfo *sa = &a->si[0], *sb = &b->si[0];

	if (sa->kid_sound != sb->kid_sound || !is(sa->kid[0], sb->kid[0]) ||
	    !is(sa->kid[1], sb->kid[1]))
		return "the signer's key id";
	if (!is(sa->digest_oid, sb->digest_oid))
		return "the digest algorithm";
	if (!is(sa->pkey_oid, sb->pkey_oid))
		return "the signature algorithm";
	if (!is(sa->sig, sb->sig))
		return "the signature (encryptedDigest)";
	if (!is(a->data_type, b->data_type))
		return "the data type";
	if (a->has_data != b->has_data || !is(a->data, b->data))
		return "the embedded content";
	if (a->ncerts != b->ncerts)
		return "the number of certificates";
	for (int i = 0; i < a->ncerts; i++)
		if (!is(a->certs[i], b->certs[i]))
			return "a certificate";
	return NULL;
}

static struct kreading k_in;

/*
 * Property 5.  Last: the kernel's reading of the output replaces the
 * input's in k.
 */
static void check_detach(const struct reading *r)
{
	size_t n, sn_in, sn_out, cap = in_len ? in_len : 1;
	uint8_t *out = malloc(cap), *s_in = malloc(cap), *s_out = malloc(cap);
	struct fwverify_der attrs = { NULL, 0 };
	struct kbytes a = kb(NULL, 0);
	const char *what;
	bool der, laid;
	int err;

	if (!out || !s_in || !s_out)
		abort();
	/* @out exactly @in_len bytes: ASan sees any write past them. */
	n = fwverify_der_detach_attrs(in, in_len, out, &attrs);
	if (n > in_len)
		violated("fwverify_der_detach_attrs() returned %zu for %zu bytes", n, in_len);
	if (n) {
		if (!inside(&attrs) || !attrs.len)
			violated("fwverify_der_detach_attrs()'s attrs are not the input's");
		/* (c) the output is the input less the attributes, its headers made DER. */
		if (!strip_levels(in, in_len, true, s_in, &sn_in, &a, &der))
			violated("fwverify_der_detach_attrs() detached attributes from a message "
				 "not laid out as one SignerInfo");
		if (a.p != attrs.p - 1 || a.len != attrs.len + 1) {
			hex("attrs", attrs.p, attrs.len);
			hex("the SignerInfo's fourth element", a.p, a.len);
			violated("attrs are not the SignerInfo's attributes less their tag");
		}
		laid = strip_levels(out, n, false, s_out, &sn_out, &a, &der);
		if (!laid || !der || !same(s_in, sn_in, s_out, sn_out)) {
			hex("input", in, in_len);
			hex("output", out, n);
			violated("the output is not the input less its attributes, with DER headers "
				 "(%s)", !laid ? "not laid out so" :
					 !der ? "a header not DER" : "other bytes");
		}
	}
	check_detach_openssl(r, out, n, &attrs);
	if (!n || r->kernel)
		goto out;
	/* (a) the kernel hashes 0x31 || attrs, for its only SignerInfo. */
	if (k.n != 1 || !k.si[0].authattrs)
		violated("fwverify_der_detach_attrs() detached attributes from a message the "
			 "kernel reads as %d SignerInfos, the first %s", k.n,
			 k.si[0].authattrs ? "with a SET of attributes" : "without one");
	if (attrs.p != k.si[0].aa.p || attrs.len != k.si[0].aa.len) {
		hex("attrs", attrs.p, attrs.len);
		hex("kernel", k.si[0].aa.p, k.si[0].aa.len);
		violated("attrs are not what pkcs7_digest() hashes after 0x31");
	}
	/* (b) the kernel reads the output as the same SignerInfo, without attributes. */
	k_in = k;
	err = read_kernel(out, n);
	if (err) {
		hex("output", out, n);
		violated("the kernel refuses the detached message (%d) of a message it takes", err);
	}
	if (k.n != 1 || k.si[0].authattrs || k.si[0].nattrs)
		violated("the kernel reads the detached message as %d SignerInfos, the first "
			 "with %d attributes%s", k.n, k.si[0].nattrs,
			 k.si[0].authattrs ? " in a SET" : "");
	what = kernel_differs(&k_in, &k);
	if (what)
		violated("the kernel's reading of the detached message differs in %s", what);
out:
	free(s_out);
	free(s_in);
	free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	name_oid = OBJ_txt2obj(NAME_OID, 1);
	name_oid_legacy = OBJ_txt2obj(NAME_OID_LEGACY, 1);
	if (!name_oid || !name_oid_legacy)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct reading r;

	in = data;
	in_len = len;
	read_openssl(&r);
	r.kernel = read_kernel(in, in_len);
	check_digest(&r);
	check_signer(&r);
	check_names(&r);
	check_detach(&r);
	CMS_ContentInfo_free(r.cms);
	ERR_clear_error();
	return 0;
}
