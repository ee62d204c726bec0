// SPDX-License-Identifier: GPL-2.0
/*
 * cms-sign-attrs KEY CERT FILE SIG [OID=TEXT]...
 *
 * Sign FILE into SIG as fwverify sign does (detached DER CMS, SHA-256, the
 * signer by issuer and serial, contentType, messageDigest and signingTime,
 * no sMIMECapabilities), with one more signed attribute per OID=TEXT: a
 * UTF8String TEXT under OID (dotted).  The tests make with it the name
 * attributes the tool no longer writes (the legacy OID) or never writes
 * (one under each OID, or two), which the shipped tool has no option for.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

static const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;

/* Each OID=TEXT of @argv as a signed UTF8String attribute of @si. */
static int add_attrs(CMS_SignerInfo *si, char **argv, int argc)
{
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		ASN1_OBJECT *oid;
		int ok;

		if (!eq) {
			fprintf(stderr, "cms-sign-attrs: %s: not OID=TEXT\n", argv[i]);
			return 0;
		}
		*eq = '\0';
		oid = OBJ_txt2obj(argv[i], 1);
		ok = oid && CMS_signed_add1_attr_by_OBJ(si, oid, V_ASN1_UTF8STRING, eq + 1,
							(int)strlen(eq + 1));
		ASN1_OBJECT_free(oid);
		if (!ok) {
			fprintf(stderr, "cms-sign-attrs: %s: cannot add the attribute\n", argv[i]);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	BIO *kb, *cb, *in = NULL, *out = NULL;
	CMS_ContentInfo *cms = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	CMS_SignerInfo *si;
	int ok = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: cms-sign-attrs KEY CERT FILE SIG [OID=TEXT]...\n");
		return 2;
	}
	kb = BIO_new_file(argv[1], "r");
	cb = BIO_new_file(argv[2], "r");
	if (kb)
		key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
	if (cb)
		cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
	if (key && cert)
		in = BIO_new_file(argv[3], "rb");
	if (in)
		cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	si = cms ? CMS_add1_signer(cms, cert, key, EVP_sha256(), flags) : NULL;
	if (si && add_attrs(si, argv + 5, argc - 5) && CMS_final(cms, in, NULL, flags))
		out = BIO_new_file(argv[4], "wb");
	ok = out && i2d_CMS_bio(out, cms) && BIO_flush(out) > 0;
	if (!ok) {
		fprintf(stderr, "cms-sign-attrs: cannot sign %s into %s\n", argv[3], argv[4]);
		ERR_print_errors_fp(stderr);
	}
	BIO_free(out);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cb);
	BIO_free(kb);
	return ok ? 0 : 1;
}
