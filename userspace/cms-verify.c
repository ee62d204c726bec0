// SPDX-License-Identifier: GPL-2.0
/*
 * Offline verification by the rules of the Linux kernel (6.12), so that the
 * verdict predicts what verify_pkcs7_signature(VERIFYING_UNSPECIFIED_SIGNATURE)
 * decides against a keyring holding the trusted certificates:
 *
 *   msg_parse()      pkcs7_parse_message() and x509_cert_parse(): what the
 *                    kernel's parser refuses is "malformed";
 *   pkcs7_verify()   every SignerInfo must be internally consistent, with a
 *                    signer certificate found by issuer and serial number;
 *   validate_trust() pkcs7_validate_trust(): one SignerInfo whose chain in
 *                    the message meets a trusted key is enough.
 *
 * Functions return the kernel's error codes (-EBADMSG, -EKEYREJECTED,
 * -ENOKEY, -ENOPKG) and set the verdict's reason at the point of failure.
 * Like the kernel, no date, key usage or basic constraint is checked against
 * the clock or a purpose; only the signing time against the signer's validity.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "cms.h"
#include "der.h"
#include "digest.h"
#include "util.h"

/* A certificate carried in the message, with the kernel's per-certificate state. */
struct mcert {
	X509 *x;
	int signer;		/* index of the certificate that signed it, -1 if not found */
	bool self_signed, seen, verified;
};

struct sinfo {
	CMS_SignerInfo *si;
	struct digest *d;	/* digest of the content; NULL if the algorithm is unavailable */
	bool authattrs, unsupported;
	bool nameless;		/* its version and identifier disagree: it names no certificate */
	int signer;		/* index of the signer's certificate in the message, or -1 */
	X509 *key;		/* the trusted copy of the signer's certificate, if that vouched for it */
};

/* The digest algorithms the kernel's PKCS#7 parser knows. */
static const struct {
	int nid;
	const char *name;
} digest_algs[] = {
	{ NID_sha1, "sha1" },
	{ NID_sha224, "sha224" },
	{ NID_sha256, "sha256" },
	{ NID_sha384, "sha384" },
	{ NID_sha512, "sha512" },
	{ NID_sm3, "sm3" },
	{ NID_id_GostR3411_2012_256, "streebog256" },
	{ NID_id_GostR3411_2012_512, "streebog512" },
	{ NID_sha3_256, "sha3-256" },
	{ NID_sha3_384, "sha3-384" },
	{ NID_sha3_512, "sha3-512" },
};

/* The SignerInfo signature algorithms it knows: RSA only as rsaEncryption (PKCS#1 v1.5). */
static const int sig_algs[] = {
	NID_rsaEncryption,
	NID_ecdsa_with_SHA1, NID_ecdsa_with_SHA224, NID_ecdsa_with_SHA256,
	NID_ecdsa_with_SHA384, NID_ecdsa_with_SHA512,
	NID_ecdsa_with_SHA3_256, NID_ecdsa_with_SHA3_384, NID_ecdsa_with_SHA3_512,
	NID_id_GostR3410_2012_256, NID_id_GostR3410_2012_512,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Signed attributes the kernel inspects (pkcs7_sig_note_authenticated_attr()). */
enum { AA_CONTENT_TYPE, AA_MESSAGE_DIGEST, AA_SIGNING_TIME, AA_FORBIDDEN };
static const struct {
	const char *oid, *name;
} authattrs[] = {
	[AA_CONTENT_TYPE] = { "1.2.840.113549.1.9.3", "contentType" },
	[AA_MESSAGE_DIGEST] = { "1.2.840.113549.1.9.4", "messageDigest" },
	[AA_SIGNING_TIME] = { "1.2.840.113549.1.9.5", "signingTime" },
	/* Allowed only in Authenticode, refused otherwise. */
	{ "1.2.840.113549.1.9.15", "sMIMECapabilities" },
	{ "1.3.6.1.4.1.311.2.1.11", "SpcStatementType" },
	{ "1.3.6.1.4.1.311.2.1.12", "SpcSpOpusInfo" },
};

struct msg {
	CMS_ContentInfo *cms;
	STACK_OF(X509) *certs;
	struct mcert *c;
	struct sinfo *s;
	int ns;
	struct digest d[ARRAY_SIZE(digest_algs)];
	size_t nd;
	struct cms_verdict *v;
};

/* Record why verification failed (the first reason wins) and return @err. */
static int __attribute__((format(printf, 3, 4))) fail(struct msg *m, int err, const char *fmt, ...)
{
	char *r = m->v->reason;
	size_t n, size = sizeof(m->v->reason);
	va_list ap;

	if (r[0])
		return err;
	va_start(ap, fmt);
	vsnprintf(r, size, fmt, ap);
	va_end(ap);
	n = strlen(r);
	if (n + 3 < size && ERR_peek_last_error()) {
		memcpy(r + n, ": ", 3);
		openssl_error_text(r + n + 2, size - n - 2);
	}
	return err;
}

/* The subject's common name, else the whole subject, made printable. */
static void cert_name(X509 *x, char *buf, size_t size)
{
	const X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	unsigned char *utf8 = NULL;

	if (i >= 0 && ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i))) >= 0)
		snprintf(buf, size, "%s", utf8);
	else
		X509_NAME_oneline(n, buf, size);
	OPENSSL_free(utf8);
	for (; *buf; buf++)
		if ((unsigned char)*buf < 0x20 || *buf == 0x7f)
			*buf = '?';
}

static X509 *mcert_x(struct msg *m, int i)
{
	return m->c[i].x;
}

/* Names compare as the kernel compares them: by their encoding, byte for byte. */
static bool name_eq(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *da, *db;
	size_t la, lb;

	return X509_NAME_get0_der(a, &da, &la) && X509_NAME_get0_der(b, &db, &lb) &&
	       la == lb && !memcmp(da, db, la);
}

/* The kernel's x509->id: issuer and serial number. */
static bool id_eq(X509 *x, const ASN1_INTEGER *serial, const X509_NAME *issuer)
{
	return !ASN1_INTEGER_cmp(X509_get0_serialNumber(x), serial) &&
	       name_eq(X509_get_issuer_name(x), issuer);
}

static bool kid_eq(const ASN1_OCTET_STRING *a, const ASN1_OCTET_STRING *b)
{
	return a && b && !ASN1_OCTET_STRING_cmp(a, b);
}

/* A certificate's authority key identifier, as the kernel's auth_ids[0] (issuer) and [1] (kid). */
struct akid {
	const ASN1_OCTET_STRING *kid;
	const ASN1_INTEGER *serial;
	const X509_NAME *issuer;	/* set only together with serial */
};

static void akid_get(X509 *x, struct akid *a)
{
	const GENERAL_NAMES *names = X509_get0_authority_issuer(x);

	a->kid = X509_get0_authority_key_id(x);
	a->serial = X509_get0_authority_serial(x);
	a->issuer = NULL;
	/* The kernel keeps the last directoryName. */
	for (int i = 0; a->serial && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);

		if (g->type == GEN_DIRNAME)
			a->issuer = g->d.directoryName;
	}
}

/*
 * find_asymmetric_key(): the first certificate of @set with this issuer and
 * serial number if @issuer is given, else with this subject key identifier;
 * with both, its key identifier must match as well.
 * Return: 0 with *@idx set, -ENOKEY, or -EKEYREJECTED.
 */
static int find_key(STACK_OF(X509) *set, const ASN1_INTEGER *serial, const X509_NAME *issuer,
		    const ASN1_OCTET_STRING *kid, int *idx)
{
	for (int i = 0; i < sk_X509_num(set); i++) {
		X509 *x = sk_X509_value(set, i);

		if (issuer ? !id_eq(x, serial, issuer) : !kid_eq(X509_get0_subject_key_id(x), kid))
			continue;
		if (issuer && kid && !kid_eq(X509_get0_subject_key_id(x), kid))
			return -EKEYREJECTED;
		*idx = i;
		return 0;
	}
	return -ENOKEY;
}

static int find_akid(STACK_OF(X509) *set, const struct akid *a, int *idx)
{
	return find_key(set, a->serial, a->issuer, a->kid, idx);
}

/* The signer identifier, in the form the SignerInfo's version announces. */
static void signer_id(struct sinfo *s, ASN1_INTEGER **serial, X509_NAME **issuer,
		      ASN1_OCTET_STRING **kid)
{
	*serial = NULL;
	*issuer = NULL;
	*kid = NULL;
	if (!s->nameless)
		CMS_SignerInfo_get0_signer_id(s->si, kid, issuer, serial);
}

/* x509_check_for_self_signed(): a self-signed certificate must carry a valid self-signature. */
static int cert_parse(struct msg *m, int i)
{
	X509 *x = mcert_x(m, i);
	struct akid a;
	bool by_kid, by_id;

	if (!name_eq(X509_get_subject_name(x), X509_get_issuer_name(x)))
		return 0;
	akid_get(x, &a);
	if (a.kid || a.issuer) {
		by_kid = kid_eq(X509_get0_subject_key_id(x), a.kid);
		by_id = a.issuer && id_eq(x, a.serial, a.issuer);
		if (!by_kid && !by_id)
			return 0;
		if (by_kid != by_id && a.kid && a.issuer)
			return fail(m, -EBADMSG, "certificate %d: authority key identifier contradicts itself", i + 1);
	}
	if (X509_verify(x, X509_get0_pubkey(x)) != 1)
		return fail(m, -EBADMSG, "certificate %d: bad self-signature", i + 1);
	m->c[i].self_signed = true;
	return 0;
}

static int authattrs_parse(struct msg *m, struct sinfo *s, int n)
{
	int count[ARRAY_SIZE(authattrs)] = { 0 };
	char oid[80];

	for (int i = 0; i < CMS_signed_get_attr_count(s->si); i++) {
		X509_ATTRIBUTE *a = CMS_signed_get_attr(s->si, i);
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, 0);
		size_t k;
		bool ok;

		OBJ_obj2txt(oid, sizeof(oid), X509_ATTRIBUTE_get0_object(a), 1);
		for (k = 0; k < ARRAY_SIZE(authattrs) && strcmp(oid, authattrs[k].oid); k++)
			;
		if (k == ARRAY_SIZE(authattrs))
			continue;
		if (k >= AA_FORBIDDEN)
			return fail(m, -EBADMSG, "SignerInfo %d: signed attribute %s is not allowed",
				    n, authattrs[k].name);
		if (count[k]++ || X509_ATTRIBUTE_count(a) != 1)
			return fail(m, -EBADMSG, "SignerInfo %d: repeated signed attribute %s",
				    n, authattrs[k].name);
		switch (k) {
		case AA_CONTENT_TYPE:
			ok = t->type == V_ASN1_OBJECT && OBJ_obj2nid(t->value.object) == NID_pkcs7_data;
			break;
		case AA_MESSAGE_DIGEST:
			ok = t->type == V_ASN1_OCTET_STRING;
			break;
		default:
			ok = (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME) &&
			     ASN1_TIME_check(t->value.utctime);
		}
		if (!ok)
			return fail(m, -EBADMSG, "SignerInfo %d: invalid signed attribute %s",
				    n, authattrs[k].name);
	}
	if (!count[AA_CONTENT_TYPE] || !count[AA_MESSAGE_DIGEST])
		return fail(m, -EBADMSG, "SignerInfo %d: signed attributes lack %s", n,
			    authattrs[count[AA_CONTENT_TYPE] ? AA_MESSAGE_DIGEST : AA_CONTENT_TYPE].name);
	return 0;
}

/* Point @s at the digest of its algorithm, adding the algorithm to those to compute. */
static void digest_slot(struct msg *m, struct sinfo *s, const char *alg)
{
	size_t i;

	if (!digest_available(alg))
		return;
	for (i = 0; i < m->nd && strcmp(m->d[i].alg, alg); i++)
		;
	if (i == m->nd)
		m->d[m->nd++].alg = alg;
	s->d = &m->d[i];
}

static int signer_parse(struct msg *m, struct sinfo *s, int n)
{
	X509_ALGOR *dig, *sig;
	int dnid, snid;
	size_t i;

	CMS_SignerInfo_get0_algs(s->si, NULL, NULL, &dig, &sig);
	dnid = OBJ_obj2nid(dig->algorithm);
	snid = OBJ_obj2nid(sig->algorithm);
	for (i = 0; i < ARRAY_SIZE(digest_algs) && digest_algs[i].nid != dnid; i++)
		;
	if (i == ARRAY_SIZE(digest_algs))
		return fail(m, -EBADMSG, "SignerInfo %d: unsupported digest algorithm %s", n, OBJ_nid2sn(dnid));
	digest_slot(m, s, digest_algs[i].name);
	for (i = 0; i < ARRAY_SIZE(sig_algs) && sig_algs[i] != snid; i++)
		;
	if (i == ARRAY_SIZE(sig_algs))
		return fail(m, -EBADMSG, "SignerInfo %d: unsupported signature algorithm %s", n, OBJ_nid2sn(snid));
	s->signer = -1;
	s->authattrs = CMS_signed_get_attr_count(s->si) > 0;
	return s->authattrs ? authattrs_parse(m, s, n) : 0;
}

/* pkcs7_note_signeddata_version(), pkcs7_note_signerinfo_version() */
static int versions_check(struct msg *m, const unsigned char *der, size_t len)
{
	struct cms_versions cv;
	ASN1_OCTET_STRING *kid;
	ASN1_INTEGER *serial;
	X509_NAME *issuer;

	if (der_cms_versions(der, len, &cv) || cv.n != m->ns)
		return 0;	/* BER with indefinite lengths: left unchecked */
	if (cv.signed_data != 1 && cv.signed_data != 3)
		return fail(m, -EBADMSG, "unsupported SignedData version %d", cv.signed_data);
	for (int i = 0; i < m->ns; i++) {
		int ver = cv.signer_info[i];

		if (ver != 1 && ver != 3)
			return fail(m, -EBADMSG, "SignerInfo %d: unsupported version %d", i + 1, ver);
		if ((ver == 1) != (cv.signed_data == 1))
			return fail(m, -EBADMSG, "SignerInfo %d: version %d in a version %d SignedData",
				    i + 1, ver, cv.signed_data);
		/* The version, not the identifier's form, tells the kernel how to read it. */
		signer_id(&m->s[i], &serial, &issuer, &kid);
		m->s[i].nameless = (ver == 3) != !!kid;
	}
	return 0;
}

/* pkcs7_parse_message() */
static int msg_parse(struct msg *m, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	STACK_OF(CMS_SignerInfo) *sis;
	int nc, err;

	/* Bytes after the message are ignored, as the kernel's ASN.1 decoder does. */
	m->cms = d2i_CMS_ContentInfo(NULL, &p, len);
	if (!m->cms)
		return fail(m, -EBADMSG, "not a DER CMS message");
	if (OBJ_obj2nid(CMS_get0_type(m->cms)) != NID_pkcs7_signed)
		return fail(m, -EBADMSG, "not a CMS SignedData");
	if (OBJ_obj2nid(CMS_get0_eContentType(m->cms)) != NID_pkcs7_data)
		return fail(m, -EBADMSG, "content type is not id-data");
	if (CMS_is_detached(m->cms) != 1)
		return fail(m, -EBADMSG, "not a detached signature: it carries content");
	m->certs = CMS_get1_certs(m->cms);
	if (!m->certs && !(m->certs = sk_X509_new_null()))
		return -ENOMEM;
	nc = sk_X509_num(m->certs);
	sis = CMS_get0_SignerInfos(m->cms);
	m->ns = sk_CMS_SignerInfo_num(sis);
	if (m->ns <= 0)
		return fail(m, -EBADMSG, "no SignerInfo");
	m->c = calloc(nc + 1, sizeof(*m->c));
	m->s = calloc(m->ns, sizeof(*m->s));
	if (!m->c || !m->s)
		return -ENOMEM;
	for (int i = 0; i < nc; i++) {
		m->c[i] = (struct mcert){ .x = sk_X509_value(m->certs, i), .signer = -1 };
		err = cert_parse(m, i);
		if (err)
			return err;
	}
	for (int i = 0; i < m->ns; i++) {
		m->s[i].si = sk_CMS_SignerInfo_value(sis, i);
		err = signer_parse(m, &m->s[i], i + 1);
		if (err)
			return err;
		if (m->s[i].authattrs != m->s[0].authattrs)
			return fail(m, -EBADMSG, "SignerInfos disagree on signed attributes");
	}
	return versions_check(m, der, len);
}

/* Check the signature of a SignerInfo with @cert's key: over its signed attributes, else over the content digest. */
static bool signature_ok(struct sinfo *s, X509 *cert)
{
	const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(s->si);
	EVP_PKEY_CTX *ctx;
	EVP_MD *md;
	bool ok;

	if (s->authattrs) {
		CMS_SignerInfo_set1_signer_cert(s->si, cert);
		return CMS_SignerInfo_verify(s->si) == 1;
	}
	ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(cert), NULL);
	md = EVP_MD_fetch(NULL, s->d->alg, NULL);
	ok = ctx && md && EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
	     EVP_PKEY_verify(ctx, ASN1_STRING_get0_data(sig), ASN1_STRING_length(sig),
			     s->d->md, s->d->len) == 1;
	EVP_MD_free(md);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* pkcs7_verify_sig_chain(): link each certificate to its issuer among those carried. */
static int verify_chain(struct msg *m, struct sinfo *s, int n)
{
	int nc = sk_X509_num(m->certs), i = s->signer, p, err;
	struct akid a;

	for (int k = 0; k < nc; k++)
		m->c[k].seen = false;
	for (;;) {
		m->c[i].seen = true;
		if (m->c[i].self_signed) {
			m->c[i].signer = i;
			return 0;
		}
		akid_get(mcert_x(m, i), &a);
		err = find_akid(m->certs, &a, &p);
		if (err == -EKEYREJECTED)
			return fail(m, err, "SignerInfo %d: certificate %d: authority key identifier does not match its issuer",
				    n, i + 1);
		if (err || m->c[p].seen)
			return 0;	/* top of the chain carried, or a loop */
		if (X509_verify(mcert_x(m, i), X509_get0_pubkey(mcert_x(m, p))) != 1)
			return fail(m, -EKEYREJECTED, "SignerInfo %d: certificate %d: not signed by its issuer",
				    n, i + 1);
		m->c[i].signer = p;
		i = p;
	}
}

/* The signingTime attribute, whose form msg_parse() checked, or NULL. */
static const ASN1_TIME *signing_time(CMS_SignerInfo *si)
{
	int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	ASN1_TYPE *t = i < 0 ? NULL : X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0);

	return t ? t->value.utctime : NULL;
}

/* pkcs7_verify_one() */
static int verify_one(struct msg *m, struct sinfo *s, int n)
{
	ASN1_OCTET_STRING *kid, *md;
	ASN1_INTEGER *serial;
	X509_NAME *issuer;
	const ASN1_TIME *t;
	X509 *x;

	if (!s->d)
		return -ENOPKG;
	if (s->authattrs) {
		md = CMS_signed_get0_data_by_OBJ(s->si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
						 V_ASN1_OCTET_STRING);
		if ((size_t)ASN1_STRING_length(md) != s->d->len)
			return fail(m, -EBADMSG, "SignerInfo %d: messageDigest has the wrong size", n);
		if (memcmp(ASN1_STRING_get0_data(md), s->d->md, s->d->len))
			return fail(m, -EKEYREJECTED, "SignerInfo %d: digest does not match the file", n);
	}
	/* pkcs7_find_key(): only an issuer and serial number find a carried certificate. */
	signer_id(s, &serial, &issuer, &kid);
	if (!issuer || find_key(m->certs, serial, issuer, NULL, &s->signer))
		return 0;
	x = mcert_x(m, s->signer);
	t = signing_time(s->si);
	if (t && (ASN1_TIME_compare(t, X509_get0_notBefore(x)) < 0 ||
		  ASN1_TIME_compare(t, X509_get0_notAfter(x)) > 0))
		return fail(m, -EKEYREJECTED, "SignerInfo %d: signing time outside the signer's validity", n);
	if (!signature_ok(s, x))
		return fail(m, -EKEYREJECTED, "SignerInfo %d: signature does not verify", n);
	return verify_chain(m, s, n);
}

/* pkcs7_verify(): every usable SignerInfo must verify, and one must exist. */
static int pkcs7_verify(struct msg *m)
{
	int ret = -ENOPKG, err;

	for (int i = 0; i < m->ns; i++) {
		err = verify_one(m, &m->s[i], i + 1);
		if (err == -ENOPKG) {
			m->s[i].unsupported = true;
			continue;
		}
		if (err)
			return err;
		ret = 0;
	}
	return ret ? fail(m, ret, "no SignerInfo uses an available digest algorithm") : 0;
}

/* pkcs7_validate_trust_one(): walk up the carried chain until a trusted key vouches for a link. */
static int trust_one(struct msg *m, struct sinfo *s, STACK_OF(X509) *trusted, int n)
{
	ASN1_OCTET_STRING *kid;
	ASN1_INTEGER *serial;
	X509_NAME *issuer;
	X509 *key;
	struct akid a;
	int i, k, last = -1, err;	/* last: whose signature the key must verify; -1 the SignerInfo's */
	char name[256];
	bool ok;

	if (s->unsupported)
		return -ENOPKG;
	for (i = s->signer; i >= 0; last = i, i = m->c[i].signer) {
		X509 *x = mcert_x(m, i);

		if (m->c[i].seen) {
			if (!m->c[i].verified)
				return -ENOKEY;
			goto verified;
		}
		m->c[i].seen = true;
		/* A carried certificate that is also trusted: the trusted copy must verify the link below. */
		if (!find_key(trusted, X509_get0_serialNumber(x), X509_get_issuer_name(x),
			      X509_get0_subject_key_id(x), &k))
			goto matched;
		if (m->c[i].signer == i)
			return -ENOKEY;	/* an unknown self-signed root */
	}
	/* The top of the carried chain may be signed by a trusted key. */
	if (last >= 0) {
		akid_get(mcert_x(m, last), &a);
		err = find_akid(trusted, &a, &k);
		if (!err) {
			i = last;
			goto matched;
		}
		if (err != -ENOKEY)
			return fail(m, err, "SignerInfo %d: authority key identifier does not match the trusted certificate", n);
	}
	/* Last resort: the SignerInfo names a trusted certificate directly. */
	signer_id(s, &serial, &issuer, &kid);
	if (find_key(trusted, serial, issuer, kid, &k))
		return -ENOKEY;
	i = last = -1;
matched:
	key = sk_X509_value(trusted, k);
	ok = last < 0 ? signature_ok(s, key) :
	     X509_verify(mcert_x(m, last), X509_get0_pubkey(key)) == 1;
	if (!ok) {
		cert_name(key, name, sizeof(name));
		return fail(m, -EKEYREJECTED, "SignerInfo %d: does not verify with trusted certificate \"%s\"",
			    n, name);
	}
	/* The key verified the SignerInfo itself: it is the signer's trusted copy, name it. */
	if (last < 0)
		s->key = key;
verified:
	if (i >= 0) {
		for (int p = s->signer; p != i; p = m->c[p].signer)
			m->c[p].verified = true;
		m->c[i].verified = true;
	}
	return 0;
}

/* pkcs7_validate_trust(): one trusted SignerInfo is enough; a rejected one spoils all. */
static int validate_trust(struct msg *m, STACK_OF(X509) *trusted, struct sinfo **by)
{
	int nc = sk_X509_num(m->certs), ret = -ENOKEY, err;
	char name[256];

	for (int k = 0; k < nc; k++)
		m->c[k].seen = false;
	for (int i = 0; i < m->ns; i++) {
		err = trust_one(m, &m->s[i], trusted, i + 1);
		if (err == -ENOPKG && ret == -ENOKEY)
			ret = err;
		else if (!err && ret) {
			ret = 0;
			*by = &m->s[i];
		} else if (err && err != -ENOKEY && err != -ENOPKG)
			return err;
	}
	if (ret == -ENOKEY && m->s[0].signer < 0)
		return fail(m, ret, "signer certificate neither carried in the signature nor trusted");
	if (ret == -ENOKEY) {
		cert_name(mcert_x(m, m->s[0].signer), name, sizeof(name));
		return fail(m, ret, "signer \"%s\" does not chain to a trusted certificate", name);
	}
	return ret;
}

static enum fw_result result_of(int err)
{
	switch (err) {
	case 0:
		return FW_VERIFIED;
	case -EBADMSG:
		return FW_MALFORMED;
	case -EKEYREJECTED:
		return FW_BAD_SIGNATURE;
	case -ENOKEY:
		return FW_UNTRUSTED;
	default:
		return FW_ERROR;
	}
}

static void msg_free(struct msg *m)
{
	CMS_ContentInfo_free(m->cms);
	sk_X509_pop_free(m->certs, X509_free);
	free(m->c);
	free(m->s);
}

/*
 * The firmware name a verified SignerInfo was signed for, into @v->name,
 * under either of its OIDs (cms.h).  The kernel's PKCS#7 parser skips this
 * attribute; the tool refuses a signature whose name does not fit @path,
 * the file's path or its name in a tree.
 */
static int name_check(struct msg *m, CMS_SignerInfo *si, const char *path)
{
	static const char *const oids[] = { CMS_NAME_OID, CMS_NAME_OID_LEGACY };
	const ASN1_STRING *str = NULL;
	int found = 0, len;

	for (size_t k = 0; k < ARRAY_SIZE(oids); k++) {
		ASN1_OBJECT *oid = OBJ_txt2obj(oids[k], 1);

		if (!oid)
			return -ENOMEM;
		if (CMS_signed_get_attr_by_OBJ(si, oid, -1) >= 0) {
			found++;
			/* -3: exactly one such attribute, with exactly one value, of that type. */
			str = CMS_signed_get0_data_by_OBJ(si, oid, -3, V_ASN1_UTF8STRING);
		}
		ASN1_OBJECT_free(oid);
	}
	if (!found)
		return 0;
	if (found > 1)
		return fail(m, -EBADMSG, "its firmware name attribute is malformed: one under each OID");
	len = str ? ASN1_STRING_length(str) : 0;
	if (!str || len > CMS_NAME_MAX)
		return fail(m, -EBADMSG, "its firmware name attribute is malformed");
	memcpy(m->v->name, ASN1_STRING_get0_data(str), len);
	m->v->name[len] = '\0';
	if (strlen(m->v->name) != (size_t)len || !cms_name_valid(m->v->name))
		return fail(m, -EBADMSG, "its firmware name attribute is malformed");
	if (path && !cms_name_matches(m->v->name, path))
		return fail(m, -EKEYREJECTED, "signed for the firmware name \"%s\", not this file's",
			    m->v->name);
	return 0;
}

/*
 * Verify the content read from @fd against the DER signature @sig with the
 * kernel's rules, trusting the certificates @trusted, and fill in @v.
 * @path, when not NULL, is the file's path (or its name in a tree), which
 * the firmware name the signature carries, if any, must fit.
 */
void cms_verify(STACK_OF(X509) *trusted, const unsigned char *sig, size_t sig_len,
		int fd, const char *path, struct cms_verdict *v)
{
	struct msg m = { .v = v };
	struct sinfo *by = NULL;
	X509 *signer;
	int err;

	memset(v, 0, sizeof(*v));
	ERR_clear_error();
	err = msg_parse(&m, sig, sig_len);
	if (!err) {
		err = digest_fd(fd, m.d, m.nd);
		if (err)
			fail(&m, err, "cannot read the file: %s", errno_text(err));
	}
	if (!err)
		err = pkcs7_verify(&m);
	if (!err)
		err = validate_trust(&m, trusted, &by);
	if (!err)
		err = name_check(&m, by->si, path);
	if (err == -ENOMEM)
		fail(&m, err, "out of memory");
	v->result = result_of(err);
	if (by) {
		signer = by->key ? by->key : mcert_x(&m, by->signer);
		cert_name(signer, v->signer, sizeof(v->signer));
		v->validity = X509_cmp_current_time(X509_get0_notBefore(signer)) > 0 ? -1 :
			      X509_cmp_current_time(X509_get0_notAfter(signer)) < 0 ? 1 : 0;
	}
	msg_free(&m);
	ERR_clear_error();
}
