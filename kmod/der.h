/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small DER reader for the few fields of a PKCS#7 signature fwverify
 * reads itself: the signer, the firmware name attribute and the
 * messageDigest.  Only what the kernel's own parser also accepts matters:
 * fwverify reads a signature here only once verify_pkcs7_signature() has
 * accepted it (or to name its signer in a report).  No kernel state: the
 * host's fuzz target (tests/fuzz/fuzz-der.c) builds this file as it is.
 */
#ifndef _FWVERIFY_DER_H
#define _FWVERIFY_DER_H

#include <linux/types.h>

/* A DER value: @len bytes at @p. */
struct fwverify_der {
	const u8 *p;
	size_t len;
};

/* Longest firmware name a signature carries, as the tool's CMS_NAME_MAX. */
#define FWVERIFY_NAME_MAX	255

bool fwverify_der_next(struct fwverify_der *d, u8 *tag,
		       struct fwverify_der *val);
bool fwverify_der_signer_infos(const void *sig, size_t len,
			       struct fwverify_der *infos);
int fwverify_der_signer(const void *sig, size_t len, struct fwverify_der *a,
			struct fwverify_der *b);
int fwverify_der_check_names(const void *sig, size_t len, const char *path,
			     size_t plen);
int fwverify_der_sha256_digest(const void *sig, size_t len, u8 *digest);
size_t fwverify_der_strip_certs(const void *sig, size_t len, u8 *out);
size_t fwverify_der_detach_attrs(const void *sig, size_t len, u8 *out,
				 struct fwverify_der *attrs);
bool fwverify_der_certs(const void *sig, size_t len, struct fwverify_der *certs);
bool fwverify_der_next_cert(struct fwverify_der *certs,
			    struct fwverify_der *tbs, bool *sha256);

#endif /* _FWVERIFY_DER_H */
