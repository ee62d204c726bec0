/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal DER reader for the CMS fields the kernel checks and OpenSSL
 * does not expose: definite lengths and one-byte tags only, as the module
 * reads (kmod/der.c).
 */
#ifndef FWVERIFY_DER_H
#define FWVERIFY_DER_H

#include <stdbool.h>
#include <stddef.h>

#define DER_MAX_SIGNERS 16

struct cms_versions {
	int signed_data;			/* SignedData version, -1 if not a one-byte INTEGER */
	int signer_info[DER_MAX_SIGNERS];	/* each SignerInfo's version, in order */
	int n;
};

/* A DER value: @len bytes at @p. */
struct der_span {
	const unsigned char *p;
	size_t len;
};

/* Take the next element of @d: its tag and its value.  Return: false if it is not read. */
bool der_take(struct der_span *d, unsigned char *tag, struct der_span *val);
/* Take the next element of @d, of tag @want, and make @d its value. */
bool der_enter(struct der_span *d, unsigned char want);
/* Is @d's value the @n bytes @want? */
bool der_is(const struct der_span *d, const void *want, size_t n);
/* A ContentInfo of SignedData: its fields after encapContentInfo ([0] certificates, [1] crls, signerInfos). */
bool der_signed_data_tail(const unsigned char *sig, size_t len, struct der_span *tail);
/* Its SET OF SignerInfo, as fwverify_der_signer_infos() reads it. */
bool der_signer_infos(const unsigned char *sig, size_t len, struct der_span *infos);

/* Return: 0, or -EOPNOTSUPP when @der cannot be read this simply. */
int der_cms_versions(const unsigned char *der, size_t len, struct cms_versions *v);

#endif
