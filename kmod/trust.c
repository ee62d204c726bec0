// SPDX-License-Identifier: GPL-2.0
/*
 * Trust: which keyrings sign firmware (.fwverify, and those the trust
 * parameter adds), and verifying a signature by those rules.
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/key.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/verification.h>

#include "audit.h"
#include "fwverify.h"
#include "keyring.h"
#include "lock.h"
#include "trust.h"

/* What else is trusted: the module parameter "trust". */
enum {
	FWVERIFY_TRUST_BUILTIN	= BIT(0),
	FWVERIFY_TRUST_SECONDARY = BIT(1),
	FWVERIFY_TRUST_PLATFORM	= BIT(2),
};

static const char *const fwverify_trust_names[] = {
	"builtin", "secondary", "platform",
};

static unsigned int fwverify_trust;

static int fwverify_trust_set(const char *val, const struct kernel_param *kp)
{
	char *buf, *cur, *tok;
	unsigned int trust = 0;
	int i, err = 0;

	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	cur = strim(buf);
	while ((tok = strsep(&cur, ",")) && !err) {
		if (!*tok || !strcmp(tok, "none"))
			continue;
		i = match_string(fwverify_trust_names,
				 ARRAY_SIZE(fwverify_trust_names), tok);
		if (i < 0)
			err = -EINVAL;
		else
			trust |= BIT(i);
	}
	kfree(buf);
	if (err)
		return err;
	err = fwverify_change_begin();
	if (err)
		return err;
	WRITE_ONCE(fwverify_trust, trust);
	fwverify_generation_bump();
	fwverify_audit_change("trust", trust);
	fwverify_change_end();
	return 0;
}

static int fwverify_trust_get(char *buf, const struct kernel_param *kp)
{
	unsigned int trust = READ_ONCE(fwverify_trust);
	int i, len = 0;

	for (i = 0; i < ARRAY_SIZE(fwverify_trust_names); i++)
		if (trust & BIT(i))
			len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s",
					 len ? "," : "", fwverify_trust_names[i]);
	return len + scnprintf(buf + len, PAGE_SIZE - len, "%s\n",
			       len ? "" : "none");
}

static const struct kernel_param_ops fwverify_trust_ops = {
	.set = fwverify_trust_set,
	.get = fwverify_trust_get,
};
module_param_cb(trust, &fwverify_trust_ops, NULL, 0644);
MODULE_PARM_DESC(trust, "other keyrings whose keys may sign firmware, with authenticated attributes only: builtin, secondary, platform, comma separated (default none)");

/**
 * fwverify_verify_sig() - verify a detached signature by the trust rules
 * @data: the signed content
 * @len: its size
 * @sig: the PKCS#7 signature
 * @siglen: its size
 * @pin: if not NULL, the only keyring trusted (a policy rule's signer)
 * @in_fwverify: the signer is a key of .fwverify: no other keyring is tried
 * @via_fwverify: set if a key in .fwverify (or @pin) vouched for it
 *
 * Keys in .fwverify sign firmware and nothing else, so their signatures
 * are accepted with or without authenticated attributes
 * (VERIFYING_UNSPECIFIED_SIGNATURE).  Keys trusted through the builtin,
 * secondary or platform keyrings (module parameter trust) also sign
 * modules: for them the signature must carry authenticated attributes
 * (VERIFYING_FIRMWARE_SIGNATURE), so no module signature passes as a
 * firmware signature.
 *
 * Each attempt hashes @data again: the keyring is decided from the signer
 * first, and only a signer .fwverify does not hold (a chain to one of its
 * keys, or a key of another keyring) is tried on more than one.
 *
 * Return: 0 or the error of the most telling attempt.
 */
int fwverify_verify_sig(const void *data, size_t len, const void *sig,
			size_t siglen, struct key *pin, bool in_fwverify,
			bool *via_fwverify)
{
	static struct key *const others[] = {
		NULL, VERIFY_USE_SECONDARY_KEYRING, VERIFY_USE_PLATFORM_KEYRING,
	};
	unsigned int trust = READ_ONCE(fwverify_trust);
	int err, ret, i;

	*via_fwverify = false;
	err = verify_pkcs7_signature(data, len, sig, siglen,
				     pin ?: fwverify_keyring,
				     VERIFYING_UNSPECIFIED_SIGNATURE, NULL, NULL);
	if (!err) {
		*via_fwverify = true;
		return 0;
	}
	if (pin || in_fwverify || err != -ENOKEY)
		return err;
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		if (!(trust & BIT(i)))
			continue;
		ret = verify_pkcs7_signature(data, len, sig, siglen, others[i],
					     VERIFYING_FIRMWARE_SIGNATURE,
					     NULL, NULL);
		if (!ret)
			return 0;
		if (err == -ENOKEY)
			err = ret;
	}
	return err;
}
