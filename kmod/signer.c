// SPDX-License-Identifier: GPL-2.0
/*
 * Who made a signature.  Before verifying, fwverify asks whether .fwverify
 * holds the signer's key (then that keyring alone verifies, and the
 * certificates the signature carries are left out: verify.c) and whether
 * the kernel's blacklist holds a certificate it carries (then they are
 * not).  Both are questions to keyrings, and most firmware on a machine is
 * signed by one key with the same certificates: the answers are kept for
 * the generation they were found in (fwverify_cache_generation(), which
 * moves with every key added to .fwverify), and a load asks the keyrings
 * once per generation rather than at every verification.
 */
#include <linux/err.h>
#include <linux/key.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <crypto/sha2.h>
#include <keys/asymmetric-type.h>
#include <keys/system_keyring.h>

#include "cache.h"
#include "der.h"
#include "fwverify.h"
#include "keyring.h"
#include "signer.h"

/* What is read of a signature: its signer's identifier, its certificates. */
struct fwverify_signer_id {
	struct fwverify_der id, issuer, certs;
};

/* An answer, kept with the bytes it is for. */
struct fwverify_signer_memo {
	u64 generation;
	u8 *bytes;		/* id, then issuer, then certs */
	size_t id_len, issuer_len, certs_len;
	bool known, bare;
	char name[FWVERIFY_SIGNER_MAX];
};

#define FWVERIFY_SIGNER_MEMOS		4
/* A signature's certificates beyond this are not worth keeping. */
#define FWVERIFY_SIGNER_MEMO_MAX	(16 * 1024)

static struct fwverify_signer_memo fwverify_memos[FWVERIFY_SIGNER_MEMOS];
static unsigned int fwverify_memo_next;
static DEFINE_SPINLOCK(fwverify_memo_lock);

static bool fwverify_memo_is(const struct fwverify_signer_memo *m,
			     const struct fwverify_signer_id *s, u64 gen)
{
	const u8 *p = m->bytes;

	return p && m->generation == gen && m->id_len == s->id.len &&
	       m->issuer_len == s->issuer.len &&
	       m->certs_len == s->certs.len &&
	       !memcmp(p, s->id.p, s->id.len) &&
	       !memcmp(p + s->id.len, s->issuer.p, s->issuer.len) &&
	       !memcmp(p + s->id.len + s->issuer.len, s->certs.p, s->certs.len);
}

/* The kept answer for @s, copied out; false if there is none. */
static bool fwverify_memo_find(const struct fwverify_signer_id *s, u64 gen,
			       char *name, size_t size, bool *known,
			       bool *bare)
{
	bool found = false;
	unsigned int i;

	spin_lock(&fwverify_memo_lock);
	for (i = 0; i < FWVERIFY_SIGNER_MEMOS && !found; i++) {
		struct fwverify_signer_memo *m = &fwverify_memos[i];

		if (!fwverify_memo_is(m, s, gen))
			continue;
		strscpy(name, m->name, size);
		*known = m->known;
		*bare = m->bare;
		found = true;
	}
	spin_unlock(&fwverify_memo_lock);
	return found;
}

/* Keep the answer for @s; the oldest one kept goes. */
static void fwverify_memo_keep(const struct fwverify_signer_id *s, u64 gen,
			       const char *name, bool known, bool bare)
{
	size_t n = s->id.len + s->issuer.len + s->certs.len;
	struct fwverify_signer_memo *m;
	u8 *bytes, *old;

	if (n > FWVERIFY_SIGNER_MEMO_MAX)
		return;
	bytes = kmalloc(n ?: 1, GFP_KERNEL);
	if (!bytes)
		return;
	memcpy(bytes, s->id.p, s->id.len);
	memcpy(bytes + s->id.len, s->issuer.p, s->issuer.len);
	memcpy(bytes + s->id.len + s->issuer.len, s->certs.p, s->certs.len);

	spin_lock(&fwverify_memo_lock);
	m = &fwverify_memos[fwverify_memo_next++ % FWVERIFY_SIGNER_MEMOS];
	old = m->bytes;
	m->bytes = bytes;
	m->generation = gen;
	m->id_len = s->id.len;
	m->issuer_len = s->issuer.len;
	m->certs_len = s->certs.len;
	m->known = known;
	m->bare = bare;
	strscpy(m->name, name, sizeof(m->name));
	spin_unlock(&fwverify_memo_lock);
	kfree(old);
}

/*
 * Name the signer: the trusted key's description, else its key id.  True
 * if .fwverify holds the key.
 */
static bool fwverify_find_signer(const struct fwverify_signer_id *s,
				 char *name, size_t size)
{
	struct asymmetric_key_id *id;
	struct key *key;
	bool known = false;

	id = asymmetric_key_generate_id(s->id.p, s->id.len, s->issuer.p,
					s->issuer.len);
	if (IS_ERR(id))
		return false;
	key = find_asymmetric_key(fwverify_keyring, id, NULL, NULL, false);
	if (IS_ERR(key))
		key = find_asymmetric_key(fwverify_keyring, NULL, id, NULL,
					  false);
	if (!IS_ERR(key)) {
		strscpy(name, key->description, size);
		key_put(key);
		known = true;
	} else {
		snprintf(name, size, "id:%*phN", min_t(int, id->len, 24),
			 id->data);
	}
	kfree(id);
	return known;
}

/*
 * Would the kernel refuse a certificate of @certs as blacklisted
 * (x509_get_sig_params())?  Its blacklist is of TBSCertificate hashes; only
 * certificates signed over SHA-256 are hashed here: for any other, the
 * answer is "perhaps".
 */
static bool fwverify_carries_blacklisted(struct fwverify_der certs)
{
	u8 digest[SHA256_DIGEST_SIZE];
	struct fwverify_der tbs;
	bool sha256_signed;

	while (certs.len) {
		if (!fwverify_der_next_cert(&certs, &tbs, &sha256_signed) ||
		    !sha256_signed)
			return true;
		sha256(tbs.p, tbs.len, digest);
		if (is_hash_blacklisted(digest, sizeof(digest),
					BLACKLIST_HASH_X509_TBS))
			return true;
	}
	return false;
}

/**
 * fwverify_signer() - who made a signature
 * @sig: the DER PKCS#7 message
 * @len: its size
 * @name: set to the signer's name: the description of its key in
 *	  .fwverify, else "id:" and its key id; empty if it is not read
 * @size: the size of @name
 * @bare: set if the certificates @sig carries may be left out of verifying
 *	  it: it carries some, and none is, or may be, on the kernel's
 *	  blacklist (which refuses a message that carries one)
 *
 * Return: true if .fwverify holds the signer's key.
 */
bool fwverify_signer(const void *sig, size_t len, char *name, size_t size,
		     bool *bare)
{
	u64 gen = fwverify_cache_generation();
	struct fwverify_signer_id s = {};
	bool known;

	name[0] = '\0';
	*bare = false;
	if (fwverify_der_signer(sig, len, &s.id, &s.issuer))
		return false;
	if (!fwverify_der_certs(sig, len, &s.certs))
		s.certs.len = 0;
	if (fwverify_memo_find(&s, gen, name, size, &known, bare))
		return known;
	known = fwverify_find_signer(&s, name, size);
	*bare = s.certs.len && !fwverify_carries_blacklisted(s.certs);
	fwverify_memo_keep(&s, gen, name, known, *bare);
	return known;
}

/**
 * fwverify_signer_exit() - forget every answer kept, at module exit
 */
void fwverify_signer_exit(void)
{
	unsigned int i;

	for (i = 0; i < FWVERIFY_SIGNER_MEMOS; i++) {
		kfree(fwverify_memos[i].bytes);
		fwverify_memos[i].bytes = NULL;
	}
}
