// SPDX-License-Identifier: GPL-2.0
/*
 * The .fwverify keyring: the certificates fwverify trusts for firmware, as
 * embedded at build time (FWVERIFY_CERTS=).  Keys in it sign firmware only.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/key.h>
#include <linux/key-type.h>
#include <keys/asymmetric-type.h>

#include "fwverify.h"

struct key *fwverify_keyring;

/*
 * Length of the DER element at @p, header included, or 0 if it is not a
 * SEQUENCE that fits in @len bytes.
 */
static size_t __init fwverify_der_seq_len(const u8 *p, size_t len)
{
	size_t hdr, body = 0;
	unsigned int i, n;

	if (len < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		hdr = 2;
		body = p[1];
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 3 || len < 2 + n)
			return 0;
		for (i = 0; i < n; i++)
			body = (body << 8) | p[2 + i];
		hdr = 2 + n;
	}
	return hdr + body <= len ? hdr + body : 0;
}

static void __init fwverify_load_certs(const u8 *p, size_t len)
{
	key_ref_t key;
	size_t plen;

	while (len > 0) {
		plen = fwverify_der_seq_len(p, len);
		if (!plen) {
			pr_err("embedded certificate list is corrupt\n");
			return;
		}
		key = key_create_or_update(make_key_ref(fwverify_keyring, 1),
					   "asymmetric", NULL, p, plen,
					   (KEY_POS_ALL & ~KEY_POS_SETATTR) |
					   KEY_USR_VIEW | KEY_USR_READ,
					   KEY_ALLOC_NOT_IN_QUOTA |
					   KEY_ALLOC_BUILT_IN |
					   KEY_ALLOC_BYPASS_RESTRICTION);
		if (IS_ERR(key)) {
			pr_err("cannot load embedded certificate: %ld\n",
			       PTR_ERR(key));
		} else {
			pr_info("loaded certificate '%s'\n",
				key_ref_to_ptr(key)->description);
			key_ref_put(key);
		}
		p += plen;
		len -= plen;
	}
}

int __init fwverify_keyring_init(void)
{
	fwverify_keyring =
		keyring_alloc(".fwverify", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
			      current_cred(),
			      (KEY_POS_ALL & ~KEY_POS_SETATTR) |
			      KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH,
			      KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(fwverify_keyring)) {
		int err = PTR_ERR(fwverify_keyring);

		fwverify_keyring = NULL;
		pr_err("cannot allocate the .fwverify keyring: %d\n", err);
		return err;
	}

	fwverify_load_certs(fwverify_certs, fwverify_certs_end - fwverify_certs);
	return 0;
}

void fwverify_keyring_exit(void)
{
	/* Gone with the module: nothing may find it by name any more. */
	key_invalidate(fwverify_keyring);
	key_put(fwverify_keyring);
}
