// SPDX-License-Identifier: GPL-2.0
/*
 * The signing time of a detached CMS signature, as seconds since the epoch.
 *
 * A message may carry several SignerInfos and only one of them need be
 * trusted, so a SignerInfo added by anyone could claim any time.  The time
 * of a message is therefore the earliest of all its SignerInfos, and a
 * message with one SignerInfo that claims no time has none: an added
 * SignerInfo can only make a signature look older, never newer.
 * The signature is not verified here: callers verify it with cms_verify().
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>

#include "cms-time.h"

/* One SignerInfo's signingTime.  Return: 0, -ENODATA when it has none, -EBADMSG. */
static int signer_time(CMS_SignerInfo *si, int64_t *when)
{
	int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *a;
	ASN1_TYPE *t;
	struct tm tm;

	if (i < 0)
		return -ENODATA;
	a = CMS_signed_get_attr(si, i);
	t = X509_ATTRIBUTE_count(a) == 1 ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
	/* A second signingTime attribute is malformed to the kernel as well. */
	if (!t || CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, i) >= 0)
		return -EBADMSG;
	if (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME)
		return -EBADMSG;
	memset(&tm, 0, sizeof(tm));
	if (!ASN1_TIME_check(t->value.utctime) || !ASN1_TIME_to_tm(t->value.utctime, &tm))
		return -EBADMSG;
	*when = (int64_t)timegm(&tm);
	return 0;
}

/*
 * Read the signing time of the DER signature @der.
 * Return: 0 with *@when set, -ENODATA when a SignerInfo carries no signing
 * time (as "openssl cms -noattr" and "sign-file" signatures), -EBADMSG when
 * @der is not a CMS SignedData or a time cannot be read, -ENOMEM.
 */
int cms_signing_time(const unsigned char *der, size_t len, int64_t *when)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, len);
	STACK_OF(CMS_SignerInfo) *sis;
	int64_t t, first = INT64_MAX;
	int n, err = -EBADMSG;

	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
		goto out;
	sis = CMS_get0_SignerInfos(cms);
	n = sk_CMS_SignerInfo_num(sis);
	if (n <= 0)
		goto out;
	for (int i = 0; i < n; i++) {
		err = signer_time(sk_CMS_SignerInfo_value(sis, i), &t);
		if (err)
			goto out;
		first = t < first ? t : first;
	}
	*when = first;
out:
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return err;
}
