// SPDX-License-Identifier: GPL-2.0
/*
 * Loading keys and certificates, and making signatures.
 *
 * A signature is a detached DER CMS SignedData with signed attributes
 * (contentType, messageDigest, signingTime) and no sMIMECapabilities, which
 * the kernel refuses outside Authenticode.  The signer is named by issuer
 * and serial number: that is the only form by which the kernel can find a
 * signer certificate that the message itself does not carry.
 *
 * Errors are returned as negative errno with OpenSSL's reason left on its
 * error queue for the command layer to print.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cms.h"
#include "util.h"

struct cms_signer {
	EVP_PKEY *key;
	STACK_OF(X509) *certs;	/* the signer's certificate first, then its chain */
	EVP_MD *md;
	unsigned int flags;
};

static const char *const result_names[] = {
	[FW_VERIFIED] = "verified",
	[FW_UNSIGNED] = "unsigned",
	[FW_BAD_SIGNATURE] = "bad-signature",
	[FW_UNTRUSTED] = "untrusted",
	[FW_MALFORMED] = "malformed",
	[FW_ERROR] = "error",
};

const char *fw_result_name(enum fw_result r)
{
	return result_names[r];
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

void cms_signer_free(struct cms_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	sk_X509_pop_free(s->certs, X509_free);
	EVP_MD_free(s->md);
	free(s);
}

/*
 * Make a signer from a key, its certificate (first of @certs) and a chain
 * (the rest of @certs).  Takes its own references.
 * Return: 0, -EKEYREJECTED when the key does not match the certificate,
 * -EOPNOTSUPP for a key that is neither RSA nor EC, -ENOPKG for an unknown hash.
 */
int cms_signer_new(EVP_PKEY *key, STACK_OF(X509) *certs, const char *hash,
		   bool no_certs, struct cms_signer **out)
{
	struct cms_signer *s;
	X509 *cert = sk_X509_value(certs, 0);
	int err;

	if (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "EC"))
		return -EOPNOTSUPP;
	if (!cert || X509_check_private_key(cert, key) != 1)
		return -EKEYREJECTED;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->md = EVP_MD_fetch(NULL, hash, NULL);
	s->certs = X509_chain_up_ref(certs);
	if (!s->md || !s->certs || !EVP_PKEY_up_ref(key)) {
		err = s->md ? -ENOMEM : -ENOPKG;
		cms_signer_free(s);
		return err;
	}
	s->key = key;
	s->flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
	if (no_certs)
		s->flags |= CMS_NOCERTS;
	*out = s;
	return 0;
}

static int add_signer(CMS_ContentInfo *cms, const struct cms_signer *s)
{
	int n = sk_X509_num(s->certs);

	if (!CMS_add1_signer(cms, sk_X509_value(s->certs, 0), s->key, s->md, s->flags))
		return 0;
	for (int i = 1; i < n && !(s->flags & CMS_NOCERTS); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(s->certs, i)))
			return 0;
	return 1;
}

/*
 * Sign the rest of @fd (a regular file read from offset 0).
 * Return: 0 with a DER signature in *@der (free with OPENSSL_free()),
 * -EIO when the file could not be read to its end, -EBADMSG for another failure.
 */
int cms_sign_fd(const struct cms_signer *s, int fd, unsigned char **der, size_t *len)
{
	BIO *in = BIO_new_fd(fd, BIO_NOCLOSE);
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, s->flags);
	unsigned char *out = NULL;
	struct stat st;
	int n = -1, err = -EBADMSG;

	if (in && cms && add_signer(cms, s) && CMS_final(cms, in, NULL, s->flags)) {
		/* CMS_final() does not report a failed read: check that it hashed it all. */
		if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_CUR) != st.st_size)
			err = -EIO;
		else
			n = i2d_CMS_ContentInfo(cms, &out);
	}
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	if (n <= 0)
		return err;
	*der = out;
	*len = n;
	return 0;
}
