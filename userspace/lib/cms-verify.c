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
 * -ENOKEY, -ENOPKG, -ENOENT for an algorithm its crypto API lacks) and set
 * the verdict's reason at the point of failure.  Like the kernel, no date,
 * key usage or basic constraint is checked against the clock or a purpose;
 * only the signing time against the signer's validity.
 *
 * Around them, what the module adds (kmod/verify.c, signer.c, der.c): a
 * signer that a trusted certificate names is verified first without the
 * certificates the signature carries (so a damaged carried certificate does
 * not matter when the trusted key vouches by itself), the result of an
 * error depends on whether the message parses, and the firmware name every
 * SignerInfo carries must fit the path.  Which algorithms there are depends
 * on the kernel predicted (struct cms_rules).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* The digest algorithms the kernel's PKCS#7 parser knows; SHA-3 from 6.7. */
static const struct {
	int nid;
	const char *name;
	bool sha3;
} digest_algs[] = {
	{ NID_sha1, "sha1", false },
	{ NID_sha224, "sha224", false },
	{ NID_sha256, "sha256", false },
	{ NID_sha384, "sha384", false },
	{ NID_sha512, "sha512", false },
	{ NID_sm3, "sm3", false },
	{ NID_id_GostR3411_2012_256, "streebog256", false },
	{ NID_id_GostR3411_2012_512, "streebog512", false },
	{ NID_sha3_256, "sha3-256", true },
	{ NID_sha3_384, "sha3-384", true },
	{ NID_sha3_512, "sha3-512", true },
};

/* The SignerInfo signature algorithms it knows: RSA only as rsaEncryption (PKCS#1 v1.5). */
static const struct {
	int nid;
	bool sha3;
} sig_algs[] = {
	{ NID_rsaEncryption, false },
	{ NID_ecdsa_with_SHA1, false }, { NID_ecdsa_with_SHA224, false }, { NID_ecdsa_with_SHA256, false },
	{ NID_ecdsa_with_SHA384, false }, { NID_ecdsa_with_SHA512, false },
	{ NID_ecdsa_with_SHA3_256, true }, { NID_ecdsa_with_SHA3_384, true },
	{ NID_ecdsa_with_SHA3_512, true },
	{ NID_id_GostR3410_2012_256, false }, { NID_id_GostR3410_2012_512, false },
};

const struct cms_rules cms_rules_newest = { .kernel = "7.3", .ecdsa = true, .sha3 = true };

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
	const struct cms_rules *r;
	STACK_OF(X509) *trusted;	/* those the kernel could load (cms_verify_rules()) */
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

/* Whether the kernel predicted can verify with @key: -ENOENT, as its crypto API says, if not. */
static int key_usable(struct msg *m, EVP_PKEY *key, const char *whose)
{
	if (key && EVP_PKEY_is_a(key, "EC") && !m->r->ecdsa)
		return fail(m, -ENOENT, "%s is an ECDSA key, which Linux %s lacks (no CONFIG_CRYPTO_ECDSA)",
			    whose, m->r->kernel);
	return 0;
}

/* X509_verify() as the kernel's public_key_verify_signature(): 0, -ENOENT or -EKEYREJECTED. */
static int cert_signed_by(struct msg *m, X509 *x, EVP_PKEY *key, const char *whose)
{
	int err = key_usable(m, key, whose);

	return err ? err : X509_verify(x, key) == 1 ? 0 : -EKEYREJECTED;
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
	switch (cert_signed_by(m, x, X509_get0_pubkey(x), "a self-signed certificate it carries")) {
	case 0:
		break;
	case -ENOENT:
		return -ENOENT;
	default:
		return fail(m, -EBADMSG, "certificate %d: bad self-signature", i + 1);
	}
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
	/* The kernel's parser refuses what it does not know with -ENOPKG, as module signing. */
	for (i = 0; i < ARRAY_SIZE(digest_algs) && digest_algs[i].nid != dnid; i++)
		;
	if (i == ARRAY_SIZE(digest_algs) || (digest_algs[i].sha3 && !m->r->sha3))
		return fail(m, -ENOPKG, "SignerInfo %d: digest algorithm %s, which the kernel's PKCS#7 parser does not know",
			    n, OBJ_nid2sn(dnid));
	digest_slot(m, s, digest_algs[i].name);
	for (i = 0; i < ARRAY_SIZE(sig_algs) && sig_algs[i].nid != snid; i++)
		;
	if (i == ARRAY_SIZE(sig_algs) || (sig_algs[i].sha3 && !m->r->sha3))
		return fail(m, -ENOPKG, "SignerInfo %d: signature algorithm %s, which the kernel's PKCS#7 parser does not know",
			    n, OBJ_nid2sn(snid));
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

/* A SignerInfo without signed attributes: its signature is over the content digest. */
static bool signature_raw_ok(struct sinfo *s, X509 *cert)
{
	const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(s->si);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(cert), NULL);
	EVP_MD *md = EVP_MD_fetch(NULL, s->d->alg, NULL);
	bool ok;

	ok = ctx && md && EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
	     EVP_PKEY_verify(ctx, ASN1_STRING_get0_data(sig), ASN1_STRING_length(sig),
			     s->d->md, s->d->len) == 1;
	EVP_MD_free(md);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/*
 * Check the signature of a SignerInfo with @cert's key: over its signed
 * attributes, else over the content digest.  Return: 0, -EKEYREJECTED, or
 * -ENOENT for a key the kernel cannot use.
 */
static int signature_ok(struct msg *m, struct sinfo *s, X509 *cert, const char *whose)
{
	int err = key_usable(m, X509_get0_pubkey(cert), whose);

	if (err)
		return err;
	if (s->authattrs) {
		CMS_SignerInfo_set1_signer_cert(s->si, cert);
		return CMS_SignerInfo_verify(s->si) == 1 ? 0 : -EKEYREJECTED;
	}
	return signature_raw_ok(s, cert) ? 0 : -EKEYREJECTED;
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
		err = cert_signed_by(m, mcert_x(m, i), X509_get0_pubkey(mcert_x(m, p)), "a carried issuer");
		if (err)
			return fail(m, err, "SignerInfo %d: certificate %d: not signed by its issuer",
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
	int err;

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
	err = signature_ok(m, s, x, "the signer");
	if (err)
		return fail(m, err, "SignerInfo %d: signature does not verify", n);
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
	err = last < 0 ? signature_ok(m, s, key, "the trusted key") :
	      cert_signed_by(m, mcert_x(m, last), X509_get0_pubkey(key), "the trusted key");
	if (err) {
		cert_name(key, name, sizeof(name));
		return fail(m, err, "SignerInfo %d: does not verify with trusted certificate \"%s\"",
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

static void msg_free(struct msg *m)
{
	CMS_ContentInfo_free(m->cms);
	sk_X509_pop_free(m->certs, X509_free);
	free(m->c);
	free(m->s);
	memset(m, 0, sizeof(*m));
}

/* --- what the module reads of a signature itself (kmod/der.c) --- */

/* fwverify_der_signer(): the first SignerInfo's identifier; @issuer empty for a key identifier. */
static bool der_signer(const unsigned char *sig, size_t len, struct der_span *id,
		       struct der_span *issuer, bool *by_kid)
{
	struct der_span d, sid;
	unsigned char tag;

	if (!der_signer_infos(sig, len, &d) || !der_enter(&d, 0x30) ||
	    !der_take(&d, &tag, &sid) || !der_take(&d, &tag, &sid))
		return false;
	*by_kid = tag == 0x80;
	if (*by_kid) {
		*id = sid;
		*issuer = (struct der_span){ sid.p, 0 };
		return true;
	}
	return tag == 0x30 && der_take(&sid, &tag, issuer) && tag == 0x30 &&
	       der_take(&sid, &tag, id) && tag == 0x02;
}

/* The value of an i2d() encoding, as the kernel keeps its certificates' fields. */
static bool der_value_is(const unsigned char *der, int n, const struct der_span *want)
{
	struct der_span d = { der, n > 0 ? (size_t)n : 0 }, val;
	unsigned char tag;

	return n > 0 && der_take(&d, &tag, &val) && der_is(&val, want->p, want->len) &&
	       (val.len || !want->len);
}

/*
 * fwverify_signer(): does a trusted certificate carry the key the first
 * SignerInfo names (by issuer and serial number, or by key identifier)?
 */
static bool signer_trusted(STACK_OF(X509) *trusted, const unsigned char *sig, size_t len)
{
	struct der_span id, issuer;
	bool by_kid, found = false;

	if (!der_signer(sig, len, &id, &issuer, &by_kid))
		return false;
	for (int i = 0; i < sk_X509_num(trusted) && !found; i++) {
		X509 *x = sk_X509_value(trusted, i);
		const ASN1_OCTET_STRING *kid = X509_get0_subject_key_id(x);
		unsigned char *a = NULL, *b = NULL;
		int na, nb;

		if (by_kid) {
			found = kid && der_is(&id, ASN1_STRING_get0_data(kid), ASN1_STRING_length(kid));
			continue;
		}
		na = i2d_X509_NAME(X509_get_issuer_name(x), &a);
		nb = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &b);
		found = der_value_is(a, na, &issuer) && der_value_is(b, nb, &id);
		OPENSSL_free(a);
		OPENSSL_free(b);
	}
	return found;
}

/*
 * May the certificates a signature carries be left out (signer.c: "bare")?
 * It must carry some, and each must read as a certificate signed over
 * SHA-256, whose hash the module looks up on the kernel's blacklist (which
 * is not seen from here: taken as empty).
 */
static bool certs_strippable(const unsigned char *sig, size_t len)
{
	static const unsigned char sha256_rsa[] = {
		0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
	};
	static const unsigned char sha256_ecdsa[] = {
		0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
	};
	struct der_span d, certs, cert, val, alg, oid;
	unsigned char tag;

	if (!der_signed_data_tail(sig, len, &d) || !der_take(&d, &tag, &certs) || tag != 0xa0 ||
	    !certs.len)
		return false;
	while (certs.len) {
		if (!der_take(&certs, &tag, &cert) || tag != 0x30 ||
		    !der_take(&cert, &tag, &val) || tag != 0x30 ||
		    !der_take(&cert, &tag, &alg) || tag != 0x30 ||
		    !der_take(&alg, &tag, &oid) || tag != 0x06 ||
		    !(der_is(&oid, sha256_rsa, sizeof(sha256_rsa)) ||
		      der_is(&oid, sha256_ecdsa, sizeof(sha256_ecdsa))))
			return false;
	}
	return true;
}

static size_t der_hdr_size(size_t len)
{
	size_t n = 2;

	if (len < 0x80)
		return n;
	for (; len; len >>= 8)
		n++;
	return n;
}

static unsigned char *der_put_hdr(unsigned char *p, unsigned char tag, size_t len)
{
	size_t n = der_hdr_size(len) - 2;

	*p++ = tag;
	if (!n) {
		*p++ = len;
		return p;
	}
	*p++ = 0x80 | n;
	for (size_t i = n; i > 0; i--)
		*p++ = len >> (8 * (i - 1));
	return p;
}

/* fwverify_der_strip_certs(): the message without its certificates into @out (@len bytes); 0 if not. */
static size_t strip_certs(const unsigned char *sig, size_t len, unsigned char *out)
{
	struct der_span d = { sig, len }, ci, type, content, sd, el;
	const unsigned char *type_start, *certs, *certs_end, *sd_start;
	size_t sd_len, content_len, ci_len;
	unsigned char tag, *p = out;

	if (!der_take(&d, &tag, &ci) || tag != 0x30 || d.len)
		return 0;
	type_start = ci.p;
	if (!der_take(&ci, &tag, &type) || tag != 0x06 ||
	    !der_take(&ci, &tag, &content) || tag != 0xa0 || ci.len ||
	    !der_take(&content, &tag, &sd) || tag != 0x30 || content.len)
		return 0;
	sd_start = sd.p;
	for (int i = 0; i < 3; i++)
		if (!der_take(&sd, &tag, &el))
			return 0;
	if (!sd.len || sd.p[0] != 0xa0)
		return 0;
	certs = sd.p;
	if (!der_take(&sd, &tag, &el))
		return 0;
	certs_end = sd.p;
	sd_len = (certs - sd_start) + sd.len;
	content_len = der_hdr_size(sd_len) + sd_len;
	ci_len = (type.p + type.len - type_start) + der_hdr_size(content_len) + content_len;
	if (der_hdr_size(ci_len) + ci_len > len)
		return 0;
	p = der_put_hdr(p, 0x30, ci_len);
	memcpy(p, type_start, type.p + type.len - type_start);
	p += type.p + type.len - type_start;
	p = der_put_hdr(p, 0xa0, content_len);
	p = der_put_hdr(p, 0x30, sd_len);
	memcpy(p, sd_start, certs - sd_start);
	p += certs - sd_start;
	memcpy(p, certs_end, sd.len);
	p += sd.len;
	return p - out;
}

/* The firmware name attribute under either OID (cms.h), DER encoded. */
static bool der_is_name_oid(const struct der_span *oid, bool *legacy)
{
	static const unsigned char at_name[] = { 0x55, 0x04, 0x29 };
	static const unsigned char old[] = {
		0x69, 0x82, 0xa8, 0x9b, 0xff, 0x8c, 0xc0, 0xe5, 0xba, 0x9b,
		0xd5, 0x8f, 0xc7, 0xe1, 0xa5, 0xff, 0x88, 0xe7, 0xb8, 0x49,
	};

	*legacy = der_is(oid, old, sizeof(old));
	return *legacy || der_is(oid, at_name, sizeof(at_name));
}

/*
 * fwverify_check_name(): one SignerInfo's name attribute, if any, against
 * @path (@plen bytes): exactly one, with one UTF8String value, not empty,
 * no NUL, at most CMS_NAME_MAX bytes, and the last components of @path.
 */
static int name_check_one(struct msg *m, struct der_span si, const char *path, size_t plen)
{
	struct der_span f, attrs, attr, oid, vals, val;
	unsigned char tag, t;
	int seen = 0;
	bool legacy, first_legacy = false, one;

	if (!der_take(&si, &tag, &f) || !der_take(&si, &tag, &f) ||
	    !der_take(&si, &tag, &f) || tag != 0x30)
		return -EBADMSG;
	if (!si.len || (si.p[0] != 0xa0 && si.p[0] != 0x80))
		return 0;		/* no signed attributes */
	if (!der_take(&si, &tag, &attrs))
		return -EBADMSG;
	while (attrs.len) {
		if (!der_take(&attrs, &t, &attr) || t != 0x30 ||
		    !der_take(&attr, &t, &oid) || t != 0x06 ||
		    !der_take(&attr, &t, &vals) || t != 0x31 || attr.len)
			return -EBADMSG;
		if (!der_is_name_oid(&oid, &legacy))
			continue;
		one = der_take(&vals, &tag, &val) && !vals.len;
		if (seen++)
			return fail(m, -EBADMSG, "its firmware name attribute is malformed%s",
				    legacy != first_legacy ? ": one under each OID" : "");
		first_legacy = legacy;
		if (!one || tag != 0x0c || !val.len || val.len > CMS_NAME_MAX || memchr(val.p, 0, val.len))
			return fail(m, -EBADMSG, "its firmware name attribute is malformed");
		if (!m->v->name[0]) {
			memcpy(m->v->name, val.p, val.len);
			m->v->name[val.len] = '\0';
		}
		if (path && !(plen >= val.len && !memcmp(path + plen - val.len, val.p, val.len) &&
			      (plen == val.len || path[plen - val.len - 1] == '/')))
			return fail(m, -EKEYREJECTED, "signed for the firmware name \"%.*s\", not this file's",
				    (int)val.len, val.p);
	}
	return 0;
}

/*
 * fwverify_der_check_names(): the firmware name every SignerInfo carries
 * must fit @path, so that a second, untrusted SignerInfo cannot name another.
 */
static int name_check(struct msg *m, const unsigned char *sig, size_t len, const char *path)
{
	struct der_span infos, si;
	unsigned char tag;
	int err = 0;

	if (!der_signer_infos(sig, len, &infos))
		return fail(m, -EBADMSG, "its SignerInfos cannot be read");
	while (!err && infos.len) {
		if (!der_take(&infos, &tag, &si) || tag != 0x30)
			return fail(m, -EBADMSG, "its SignerInfos cannot be read");
		err = name_check_one(m, si, path, path ? strlen(path) : 0);
	}
	if (err == -EBADMSG)
		fail(m, err, "its firmware name attribute is malformed");
	return err;
}

/* --- the verdict --- */

/* The kernel's reasons (kmod/verify.c, fwverify_set_err()) for an error of the PKCS#7 layer. */
static enum fw_result result_of(int err, bool parsed, const char **why)
{
	switch (err) {
	case 0:
		*why = "signature verified";
		return FW_VERIFIED;
	case -ENOKEY:
		*why = "no trusted key";
		return FW_UNTRUSTED;
	case -ENOPKG:
	case -ENOENT:
		*why = "unsupported crypto";
		return FW_UNTRUSTED;
	case -EBADMSG:
	case -EINVAL:
	case -EKEYREJECTED:
		*why = parsed ? "signature does not match" : "signature cannot be parsed";
		return parsed ? FW_BAD_SIGNATURE : FW_MALFORMED;
	case -ENOMEM:
		*why = "out of memory";
		return FW_ERROR;
	default:
		*why = "verification failed";
		return FW_ERROR;
	}
}

/*
 * verify_pkcs7_signature() on one message: parse, digest @fd from its
 * start, verify, validate trust.  *@parsed: the message parsed, so that a
 * failure is a signature that does not match, not a malformed one.
 */
static int verify_msg(struct msg *m, const unsigned char *sig, size_t len, int fd,
		      struct sinfo **by, bool *parsed)
{
	int err;

	*parsed = false;
	err = msg_parse(m, sig, len);
	if (err)
		return err;
	*parsed = true;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return fail(m, -errno, "cannot read the file: %s", errno_text(-errno));
	err = digest_fd(fd, m->d, m->nd);
	if (err)
		return fail(m, err, "cannot read the file: %s", errno_text(err));
	err = pkcs7_verify(m);
	return err ? err : validate_trust(m, m->trusted, by);
}

/* The trusted certificates the kernel could load: without ECDSA, not a self-signed ECDSA one. */
static STACK_OF(X509) *loadable(const struct cms_rules *r, STACK_OF(X509) *trusted, int *dropped)
{
	STACK_OF(X509) *out = sk_X509_new_null();

	for (int i = 0; out && i < sk_X509_num(trusted); i++) {
		X509 *x = sk_X509_value(trusted, i);

		if (!r->ecdsa && EVP_PKEY_is_a(X509_get0_pubkey(x), "EC") &&
		    name_eq(X509_get_subject_name(x), X509_get_issuer_name(x))) {
			(*dropped)++;
			continue;
		}
		if (!sk_X509_push(out, x)) {
			sk_X509_free(out);
			return NULL;
		}
	}
	return out;
}

/*
 * Verify the content read from @fd against the DER signature @sig with the
 * rules of the kernel @r describes, trusting the certificates @trusted
 * (the keyring .fwverify), and fill in @v.  @path, when not NULL, is the
 * file's path (or its name in a tree, less a compression suffix for a
 * signature of the content), which the firmware name each SignerInfo
 * carries, if any, must fit.  @fd is read from its start.
 */
void cms_verify_rules(const struct cms_rules *r, STACK_OF(X509) *trusted,
		      const unsigned char *sig, size_t sig_len, int fd, const char *path,
		      struct cms_verdict *v)
{
	struct msg m = { .v = v, .r = r };
	_cleanup_(freep) unsigned char *bare = NULL;
	struct sinfo *by = NULL;
	bool parsed = false;
	X509 *signer;
	size_t n = 0, k;
	int err, dropped = 0;

	memset(v, 0, sizeof(*v));
	ERR_clear_error();
	m.trusted = loadable(r, trusted, &dropped);
	if (!m.trusted) {
		err = fail(&m, -ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * A signer .fwverify holds is verified first without the certificates
	 * the signature carries; any failure is left to the whole message.
	 */
	if (!r->whole && signer_trusted(m.trusted, sig, sig_len) && certs_strippable(sig, sig_len) &&
	    (bare = malloc(sig_len)) && (n = strip_certs(sig, sig_len, bare))) {
		err = verify_msg(&m, bare, n, fd, &by, &parsed);
		if (!err)
			goto verified;
		sk_X509_free(m.trusted);
		msg_free(&m);
		m = (struct msg){ .v = v, .r = r, .trusted = loadable(r, trusted, &dropped) };
		by = NULL;
		v->reason[0] = '\0';
		ERR_clear_error();
		if (!m.trusted) {
			err = fail(&m, -ENOMEM, "out of memory");
			goto out;
		}
	}
	err = verify_msg(&m, sig, sig_len, fd, &by, &parsed);
	if (err)
		goto out;
verified:
	v->result = FW_VERIFIED;
	v->why = "signature verified";
	err = name_check(&m, sig, sig_len, path);
	if (err == -EKEYREJECTED) {
		v->result = FW_BAD_SIGNATURE;
		v->why = "signed for another firmware name";
	} else if (err) {
		v->result = FW_MALFORMED;
		v->why = "firmware name attribute is malformed";
	}
	signer = by->key ? by->key : mcert_x(&m, by->signer);
	cert_name(signer, v->signer, sizeof(v->signer));
	v->validity = X509_cmp_current_time(X509_get0_notBefore(signer)) > 0 ? -1 :
		      X509_cmp_current_time(X509_get0_notAfter(signer)) < 0 ? 1 : 0;
	if (err)
		goto done;
out:
	if (err == -ENOMEM)
		fail(&m, err, "out of memory");
	v->result = result_of(err, parsed, &v->why);
	/* x509_check_for_self_signed() fails on ECDSA there: such a key never gets into .fwverify. */
	k = strlen(v->reason);
	if (err == -ENOKEY && dropped)
		snprintf(v->reason + k, sizeof(v->reason) - k,
			 " (Linux %s lacks ECDSA: it cannot load a self-signed ECDSA certificate)", r->kernel);
	/* pkcs7_get_content_data(): a message that parses but carries content. */
	if (!parsed && m.cms && CMS_is_detached(m.cms) != 1 &&
	    OBJ_obj2nid(CMS_get0_type(m.cms)) == NID_pkcs7_signed)
		v->why = "signature is not detached";
done:
	sk_X509_free(m.trusted);
	msg_free(&m);
	ERR_clear_error();
}

void cms_verify(STACK_OF(X509) *trusted, const unsigned char *sig, size_t sig_len,
		int fd, const char *path, struct cms_verdict *v)
{
	cms_verify_rules(&cms_rules_newest, trusted, sig, sig_len, fd, path, v);
}
