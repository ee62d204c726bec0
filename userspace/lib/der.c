// SPDX-License-Identifier: GPL-2.0
/*
 * Read the version numbers of a CMS SignedData and its SignerInfos, which
 * the kernel's parser checks and OpenSSL keeps to itself.  Only definite
 * lengths are read: a BER message with indefinite lengths is left unchecked.
 */
#include <errno.h>
#include <stdbool.h>

#include "der.h"

struct der {
	const unsigned char *p;
	size_t len;
};

/* Take the next element of @d: its tag and its contents. */
static bool take(struct der *d, unsigned char *tag, struct der *contents)
{
	size_t hl = 2, len, n;

	if (d->len < 2 || (d->p[0] & 0x1f) == 0x1f)
		return false;
	*tag = d->p[0];
	len = d->p[1];
	if (len & 0x80) {
		n = len & 0x7f;
		if (!n || n > sizeof(size_t) || d->len < 2 + n)
			return false;
		for (len = 0; hl < 2 + n; hl++)
			len = len << 8 | d->p[hl];
	}
	if (len > d->len - hl)
		return false;
	*contents = (struct der){ d->p + hl, len };
	d->p += hl + len;
	d->len -= hl + len;
	return true;
}

/* The kernel accepts a version only as a one-byte INTEGER. */
static bool version(struct der *d, int *v)
{
	struct der i;
	unsigned char tag;

	if (!take(d, &tag, &i) || tag != 0x02)
		return false;
	*v = i.len == 1 ? i.p[0] : -1;
	return true;
}

/* Return: 0, or -EOPNOTSUPP when @der cannot be read this simply. */
int der_cms_versions(const unsigned char *der, size_t len, struct cms_versions *v)
{
	struct der d = { der, len }, ci, sd, si, x, sis = { 0 };
	unsigned char tag = 0;

	if (!take(&d, &tag, &ci) || tag != 0x30 || !take(&ci, &tag, &x) ||
	    !take(&ci, &tag, &x) || tag != 0xa0 || !take(&x, &tag, &sd) || tag != 0x30 ||
	    !version(&sd, &v->signed_data))
		return -EOPNOTSUPP;
	/* signerInfos is the last element of SignedData. */
	while (sd.len)
		if (!take(&sd, &tag, &sis))
			return -EOPNOTSUPP;
	if (tag != 0x31)
		return -EOPNOTSUPP;
	for (v->n = 0; sis.len; v->n++)
		if (v->n == DER_MAX_SIGNERS || !take(&sis, &tag, &si) || tag != 0x30 ||
		    !version(&si, &v->signer_info[v->n]))
			return -EOPNOTSUPP;
	return 0;
}
