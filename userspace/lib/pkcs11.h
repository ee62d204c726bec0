/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A private key in a PKCS#11 token, named by an RFC 7512 "pkcs11:" URI and
 * reached through libp11.  Library code: returns 0 or -errno and explains a
 * failure in @e (error.h); libp11's own reason is left on OpenSSL's error queue.
 */
#ifndef FWVERIFY_PKCS11_H
#define FWVERIFY_PKCS11_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "error.h"

/* The module used when nothing names one: p11-kit's proxy reaches every token the system configures. */
#define PKCS11_DEFAULT_MODULE "p11-kit-proxy.so"
/* Longest PIN read from a file or a descriptor. */
#define PKCS11_PIN_MAX 256

struct pkcs11_uri;
struct pkcs11_key;

bool pkcs11_is_uri(const char *s);
int pkcs11_uri_parse(const char *s, struct pkcs11_uri **out, struct fw_error *e);
const char *pkcs11_uri_module(const struct pkcs11_uri *u);
void pkcs11_uri_free(struct pkcs11_uri *u);

int pkcs11_pin_read(const char *path, int fd, char **pin);
int pkcs11_pin_dup(const char *s, char **pin);
void pkcs11_pin_free(char *pin);

int pkcs11_key_open(const struct pkcs11_uri *u, const char *module, const char *pin,
		    struct pkcs11_key **out, struct fw_error *e);
EVP_PKEY *pkcs11_key_get0_pkey(const struct pkcs11_key *k);
X509 *pkcs11_key_get0_cert(const struct pkcs11_key *k);
void pkcs11_key_close(struct pkcs11_key *k);

#endif
