/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal DER reader for the CMS fields the kernel checks and OpenSSL does not expose. */
#ifndef FWVERIFY_DER_H
#define FWVERIFY_DER_H

#include <stddef.h>

#define DER_MAX_SIGNERS 16

struct cms_versions {
	int signed_data;			/* SignedData version, -1 if not a one-byte INTEGER */
	int signer_info[DER_MAX_SIGNERS];	/* each SignerInfo's version, in order */
	int n;
};

int der_cms_versions(const unsigned char *der, size_t len, struct cms_versions *v);

#endif
