/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keyring.c: the .fwverify keyring, with the certificates embedded at
 * build time.
 */
#ifndef _FWVERIFY_KEYRING_H
#define _FWVERIFY_KEYRING_H

#include <linux/types.h>

struct key;

/* certs.S: the certificates embedded at build time, as concatenated DER */
extern const u8 fwverify_certs[];
extern const u8 fwverify_certs_end[];

extern struct key *fwverify_keyring;

int fwverify_keyring_init(void);
void fwverify_keyring_exit(void);
void fwverify_keyring_freeze(void);
unsigned long fwverify_keyring_size(void);

#endif /* _FWVERIFY_KEYRING_H */
