// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's DER reader (der.h), for what the kernel reads of a signature
 * and OpenSSL keeps to itself: the version numbers of a CMS SignedData and
 * its SignerInfos, and the fields the module reads itself (kmod/der.c).
 * Only definite lengths are read: a BER message with indefinite lengths is
 * left unchecked.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "der.h"

bool der_take(struct der_span *d, unsigned char *tag, struct der_span *val)
{
	size_t n, vlen = 0, hdr = 2;

	if (d->len < 2 || (d->p[0] & 0x1f) == 0x1f)
		return false;
	*tag = d->p[0];
	if (d->p[1] < 0x80) {
		vlen = d->p[1];
	} else {
		n = d->p[1] & 0x7f;
		if (!n || n > sizeof(size_t) || d->len < 2 + n)
			return false;
		for (size_t i = 0; i < n; i++)
			vlen = (vlen << 8) | d->p[2 + i];
		hdr += n;
	}
	if (vlen > d->len - hdr)
		return false;
	*val = (struct der_span){ d->p + hdr, vlen };
	d->p += hdr + vlen;
	d->len -= hdr + vlen;
	return true;
}

bool der_enter(struct der_span *d, unsigned char want)
{
	struct der_span val;
	unsigned char tag;

	if (!der_take(d, &tag, &val) || tag != want)
		return false;
	*d = val;
	return true;
}

bool der_is(const struct der_span *d, const void *want, size_t n)
{
	return d->len == n && !memcmp(d->p, want, n);
}

bool der_signed_data_tail(const unsigned char *sig, size_t len, struct der_span *tail)
{
	static const unsigned char signed_data_oid[] = {
		0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
	};
	struct der_span d = { sig, len }, type, skip;
	unsigned char tag;

	if (!der_enter(&d, 0x30) || !der_take(&d, &tag, &type) || tag != 0x06 ||
	    !der_is(&type, signed_data_oid, sizeof(signed_data_oid)) ||
	    !der_enter(&d, 0xa0) || !der_enter(&d, 0x30))
		return false;
	for (int i = 0; i < 3; i++)	/* version, digestAlgorithms, encapContentInfo */
		if (!der_take(&d, &tag, &skip))
			return false;
	*tail = d;
	return true;
}

bool der_signer_infos(const unsigned char *sig, size_t len, struct der_span *infos)
{
	struct der_span d, skip;
	unsigned char tag;

	if (!der_signed_data_tail(sig, len, &d))
		return false;
	while (d.len && (d.p[0] == 0xa0 || d.p[0] == 0xa1))
		if (!der_take(&d, &tag, &skip))
			return false;
	if (!der_enter(&d, 0x31))
		return false;
	*infos = d;
	return true;
}

/* The kernel accepts a version only as a one-byte INTEGER. */
static bool version(struct der_span *d, int *v)
{
	struct der_span i;
	unsigned char tag;

	if (!der_take(d, &tag, &i) || tag != 0x02)
		return false;
	*v = i.len == 1 ? i.p[0] : -1;
	return true;
}

int der_cms_versions(const unsigned char *der, size_t len, struct cms_versions *v)
{
	struct der_span d = { der, len }, ci, sd, si, x, sis = { 0 };
	unsigned char tag = 0;

	if (!der_take(&d, &tag, &ci) || tag != 0x30 || !der_take(&ci, &tag, &x) ||
	    !der_take(&ci, &tag, &x) || tag != 0xa0 || !der_take(&x, &tag, &sd) || tag != 0x30 ||
	    !version(&sd, &v->signed_data))
		return -EOPNOTSUPP;
	/* signerInfos is the last element of SignedData. */
	while (sd.len)
		if (!der_take(&sd, &tag, &sis))
			return -EOPNOTSUPP;
	if (tag != 0x31)
		return -EOPNOTSUPP;
	for (v->n = 0; sis.len; v->n++)
		if (v->n == DER_MAX_SIGNERS || !der_take(&sis, &tag, &si) || tag != 0x30 ||
		    !version(&si, &v->signer_info[v->n]))
			return -EOPNOTSUPP;
	return 0;
}
