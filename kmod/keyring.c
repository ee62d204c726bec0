// SPDX-License-Identifier: GPL-2.0
/*
 * The .fwverify keyring: the certificates fwverify trusts for firmware, as
 * embedded at build time (FWVERIFY_CERTS=) and added by root; keys in it
 * sign firmware only.  The other keyrings the trust parameter adds are
 * trust.c's.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/key.h>
#include <linux/key-type.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <crypto/public_key.h>
#include <keys/asymmetric-type.h>

#include "keyring.h"

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

/*
 * Root may add certificates at run time, but only ones signed by a key
 * already in .fwverify (the kernel refuses blacklisted ones itself).  Keys
 * are kept (KEY_ALLOC_SET_KEEP): trust only grows until the module goes,
 * and the number of keys tells whether it changed.
 */
/*
 * What keyring_restrict(..., "key_or_keyring:0:chain") does, which the
 * kernel does not export as a function: a key may be added only if a key
 * already in this keyring signed it.
 */
static int fwverify_restrict_chain(struct key *dest_keyring,
				   const struct key_type *type,
				   const union key_payload *payload,
				   struct key *unused)
{
	const struct public_key_signature *sig;
	struct key *key;
	int err;

	if (type != &key_type_asymmetric)
		return -EOPNOTSUPP;
	sig = payload->data[asym_auth];
	if (!sig)
		return -ENOPKG;
	if (!sig->auth_ids[0] && !sig->auth_ids[1] && !sig->auth_ids[2])
		return -ENOKEY;
	key = find_asymmetric_key(dest_keyring, sig->auth_ids[0],
				  sig->auth_ids[1], sig->auth_ids[2], false);
	if (IS_ERR(key))
		return -ENOKEY;
	err = key_validate(key);
	if (!err)
		err = verify_signature(key, sig);
	key_put(key);
	return err;
}

/**
 * fwverify_keyring_init() - make the .fwverify keyring
 *
 * Restricted to certificates signed by a key it already holds, and filled
 * with the certificates embedded at build time.
 *
 * Return: 0, or a negative errno if the keyring cannot be made.
 */
int __init fwverify_keyring_init(void)
{
	struct key_restriction *restriction;
	int err;

	/*
	 * Restricted from birth, never unrestricted between keyring_alloc()
	 * and a later keyring_restrict().  The keyring frees it with itself.
	 */
	restriction = kzalloc(sizeof(*restriction), GFP_KERNEL);
	if (!restriction)
		return -ENOMEM;
	restriction->check = fwverify_restrict_chain;
	restriction->keytype = &key_type_asymmetric;

	fwverify_keyring =
		keyring_alloc(".fwverify", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
			      current_cred(),
			      (KEY_POS_ALL & ~KEY_POS_SETATTR) |
			      KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH |
			      KEY_USR_WRITE,
			      KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_SET_KEEP,
			      restriction, NULL);
	if (IS_ERR(fwverify_keyring)) {
		err = PTR_ERR(fwverify_keyring);
		fwverify_keyring = NULL;
		kfree(restriction);
		pr_err("cannot allocate the .fwverify keyring: %d\n", err);
		return err;
	}

	fwverify_load_certs(fwverify_certs, fwverify_certs_end - fwverify_certs);
	return 0;
}

/**
 * fwverify_keyring_freeze() - no certificate can be added any more
 *
 * For the lock.
 */
void fwverify_keyring_freeze(void)
{
	down_write(&fwverify_keyring->sem);
	fwverify_keyring->perm &= ~(KEY_POS_WRITE | KEY_USR_WRITE |
				    KEY_GRP_WRITE | KEY_OTH_WRITE);
	up_write(&fwverify_keyring->sem);
}

/**
 * fwverify_keyring_size() - how many keys .fwverify holds
 *
 * Return: the number of keys, which changes with every certificate added.
 */
unsigned long fwverify_keyring_size(void)
{
	return READ_ONCE(fwverify_keyring->keys.nr_leaves_on_tree);
}

/**
 * fwverify_keyring_exit() - drop the .fwverify keyring
 */
void fwverify_keyring_exit(void)
{
	/* Gone with the module: nothing may find it by name any more. */
	key_invalidate(fwverify_keyring);
	key_put(fwverify_keyring);
}
