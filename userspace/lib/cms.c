// SPDX-License-Identifier: GPL-2.0
/*
 * Loading keys and certificates, and making signatures.
 *
 * A signature is a detached DER CMS SignedData with signed attributes
 * (contentType, messageDigest, signingTime and, when given, the firmware
 * name under CMS_NAME_OID, id-at-name) and no sMIMECapabilities, which
 * the kernel refuses outside Authenticode.  The signer is named by issuer
 * and serial number: that is the only form by which the kernel can find a
 * signer certificate that the message itself does not carry.
 *
 * A file is hashed first (digest_fd(), the tool's one hashing path), and
 * the SignerInfo is then built around that digest: that is how a signature
 * is made from a digest alone, and it keeps the hashing of large files out
 * of any lock.  One signer serves many threads at once: a key that lives in
 * a provider is used concurrently; a key that no provider holds (a token's
 * key through libp11, a legacy method) gets one signature at a time.
 *
 * Errors are returned as negative errno with OpenSSL's reason left on its
 * error queue for the command layer to print.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "../../kmod/uapi/fwverify.h"
#include "cms.h"
#include "digest.h"
#include "manifest.h"
#include "util.h"

struct cms_signer {
	EVP_PKEY *key;
	STACK_OF(X509) *certs;	/* the signer's certificate first, then its chain */
	EVP_MD *md;
	char hash[16];		/* the digest's name, as digest_fd() takes it */
	unsigned int flags;
	pthread_mutex_t *lock;	/* serialises signing with a key outside any provider, else NULL */
};

static const char *const result_names[FWVERIFY_RESULT_NR] = FWVERIFY_RESULT_NAMES;

/* A result's name, as the module writes it; "error" for a value out of range. */
const char *fw_result_name(enum fw_result r)
{
	return (unsigned int)r < FWVERIFY_RESULT_NR ? result_names[r] : FWVERIFY_NAME_ERROR;
}

static void bio_freep(BIO **b)
{
	BIO_free(*b);
}

/*
 * Append the certificates of a PEM file (or of a single DER certificate) to *@certs.
 * Return: 0, -EBADMSG when the file holds none, or as read_file().
 */
int cms_load_certs(const char *path, STACK_OF(X509) **certs)
{
	_cleanup_(freep) unsigned char *buf = NULL;
	_cleanup_(bio_freep) BIO *bio = NULL;
	const unsigned char *p;
	size_t len;
	int n = 0, err;
	X509 *x;

	err = read_file(path, FWVERIFY_PEM_MAX, &buf, &len);
	if (err)
		return err;
	if (!*certs && !(*certs = sk_X509_new_null()))
		return -ENOMEM;
	bio = BIO_new_mem_buf(buf, len);
	if (!bio)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(*certs, x)) {
			X509_free(x);
			return -ENOMEM;
		}
		n++;
	}
	if (!n) {
		/* Not PEM: try one DER certificate, but keep PEM's error for the message. */
		ERR_set_mark();
		p = buf;
		x = d2i_X509(NULL, &p, len);
		ERR_pop_to_mark();
		if (!x || !sk_X509_push(*certs, x)) {
			X509_free(x);
			return -EBADMSG;
		}
	}
	/* PEM reading ends with a "no start line" error at the end of the file. */
	ERR_clear_error();
	return 0;
}

/* Return: 0, -EBADMSG when no private key can be read, or as read_file(). */
int cms_load_key(const char *path, EVP_PKEY **key)
{
	unsigned char *buf = NULL;
	BIO *bio;
	size_t len;
	int err;

	err = read_file(path, FWVERIFY_PEM_MAX, &buf, &len);
	if (err)
		return err;
	bio = BIO_new_mem_buf(buf, len);
	*key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	wipe_free(buf, len);
	return *key ? 0 : -EBADMSG;
}

static pthread_mutex_t *new_lock(void)
{
	pthread_mutex_t *lock = malloc(sizeof(*lock));

	if (lock && pthread_mutex_init(lock, NULL)) {
		free(lock);
		return NULL;
	}
	return lock;
}

void cms_signer_free(struct cms_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	sk_X509_pop_free(s->certs, X509_free);
	EVP_MD_free(s->md);
	if (s->lock)
		pthread_mutex_destroy(s->lock);
	free(s->lock);
	free(s);
}

/*
 * Make a signer from a key, its certificate (first of @certs) and a chain
 * (the rest of @certs).  Takes its own references.  @no_certs: the
 * signature carries no certificate at all.
 * Return: 0, -EKEYREJECTED when the key does not match the certificate,
 * -EOPNOTSUPP for a key that is neither RSA nor EC, -ENOPKG for an unknown hash.
 */
int cms_signer_new(EVP_PKEY *key, STACK_OF(X509) *certs, const char *hash,
		   bool no_certs, struct cms_signer **out)
{
	bool serial = !EVP_PKEY_get0_provider(key);
	struct cms_signer *s;
	X509 *cert = sk_X509_value(certs, 0);
	int err;

	if (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "EC"))
		return -EOPNOTSUPP;
	if (!cert || X509_check_private_key(cert, key) != 1)
		return -EKEYREJECTED;
	if (strlen(hash) >= sizeof(s->hash))
		return -ENOPKG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	strcpy(s->hash, hash);
	s->md = EVP_MD_fetch(NULL, hash, NULL);
	s->certs = X509_chain_up_ref(certs);
	if (serial)
		s->lock = new_lock();
	if (!s->md || !s->certs || (serial && !s->lock) || !EVP_PKEY_up_ref(key)) {
		err = s->md ? -ENOMEM : -ENOPKG;
		cms_signer_free(s);
		return err;
	}
	s->key = key;
	/* Cache the certificates' extensions now, not in the threads that sign. */
	for (int i = 0; i < sk_X509_num(certs); i++)
		X509_check_purpose(sk_X509_value(certs, i), -1, -1);
	s->flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
	if (no_certs)
		s->flags |= CMS_NOCERTS;
	*out = s;
	return 0;
}

/* The chain, after the signer's certificate that CMS_add1_signer() adds (unless CMS_NOCERTS). */
static int add_certs(CMS_ContentInfo *cms, const struct cms_signer *s)
{
	for (int i = 1; i < sk_X509_num(s->certs) && !(s->flags & CMS_NOCERTS); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(s->certs, i)))
			return 0;
	return 1;
}

/* The firmware name attribute; none when @name is NULL. */
static int add_name(CMS_SignerInfo *si, const char *name)
{
	ASN1_OBJECT *oid;
	int ok;

	if (!name)
		return 1;
	oid = OBJ_txt2obj(CMS_NAME_OID, 1);
	ok = oid && CMS_signed_add1_attr_by_OBJ(si, oid, V_ASN1_UTF8STRING, name, strlen(name));
	ASN1_OBJECT_free(oid);
	return ok;
}

static int sign_digest(const struct cms_signer *s, const unsigned char *md, size_t md_len,
		       const char *name, unsigned char **der)
{
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, s->flags);
	CMS_SignerInfo *si = NULL;
	int n = -1;

	/*
	 * What CMS_final() would do after hashing the content: the
	 * messageDigest and contentType attributes, then the signature over
	 * the signed attributes (CMS_SignerInfo_sign() adds signingTime).
	 */
	if (cms)
		si = CMS_add1_signer(cms, sk_X509_value(s->certs, 0), s->key, s->md, s->flags);
	if (si && add_certs(cms, s) &&
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md, md_len) &&
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
					OBJ_nid2obj(NID_pkcs7_data), -1) &&
	    add_name(si, name) && CMS_SignerInfo_sign(si))
		n = i2d_CMS_ContentInfo(cms, der);
	CMS_ContentInfo_free(cms);
	return n;
}

/*
 * Make a detached signature of content whose digest (by the signer's hash)
 * is @md, for the firmware @name (NULL: the signature names none).  Safe to
 * call from several threads with one signer.
 * Return: 0 with a DER signature in *@der (free with OPENSSL_free()),
 * -EINVAL when @md_len is not the hash's size or @name is not a valid
 * firmware name, -EBADMSG for another failure.
 */
int cms_sign_digest(const struct cms_signer *s, const unsigned char *md, size_t md_len,
		    const char *name, unsigned char **der, size_t *len)
{
	unsigned char *out = NULL;
	int n;

	if (md_len != (size_t)EVP_MD_get_size(s->md) || (name && !cms_name_valid(name)))
		return -EINVAL;
	if (s->lock)
		pthread_mutex_lock(s->lock);
	n = sign_digest(s, md, md_len, name, &out);
	if (s->lock)
		pthread_mutex_unlock(s->lock);
	if (n <= 0)
		return -EBADMSG;
	*der = out;
	*len = n;
	return 0;
}

/*
 * Sign the rest of @fd (a regular file read from offset 0).
 * Return: 0 with a DER signature in *@der (free with OPENSSL_free()),
 * -errno when the file could not be read to its end (as digest_fd()),
 * -EBADMSG for a failure to sign.
 */
int cms_sign_fd(const struct cms_signer *s, int fd, const char *name, unsigned char **der, size_t *len)
{
	struct digest d = { .alg = s->hash };
	int err = digest_fd(fd, &d, 1);

	return err ? err : cms_sign_digest(s, d.md, d.len, name, der, len);
}

/* A firmware name short enough to sign, by the rules of a manifest's names. */
bool cms_name_valid(const char *name)
{
	return strnlen(name, CMS_NAME_MAX + 1) <= CMS_NAME_MAX && manifest_name_ok(name);
}

/*
 * Whether a file at @path may carry a signature made for @signed_name: the
 * name must be the path's last components ("intel/fw.bin" fits
 * "/lib/firmware/intel/fw.bin", not "/lib/firmware/intel/other.bin").
 */
bool cms_name_matches(const char *signed_name, const char *path)
{
	size_t n = strlen(signed_name), p = strlen(path);

	if (p < n || strcmp(path + p - n, signed_name))
		return false;
	return p == n || path[p - n - 1] == '/';
}
