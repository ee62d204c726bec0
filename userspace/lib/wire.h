/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signing server's protocol: JSON objects in frames over TLS 1.3.
 *
 * A frame is a 4-byte big-endian length and that many bytes of one JSON
 * object.  The client sends a request {"op": ..., ...}; the server answers
 * each with one reply {"status": "ok" | "held" | "refused" | "error", ...}
 * and reads the next request until the client closes or is idle too long.
 * Every read and write has a deadline, so a client that sends one byte a
 * second cannot hold a connection past it.  Library code: 0 or -errno.
 */
#ifndef FWVERIFY_WIRE_H
#define FWVERIFY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/ssl.h>

#define WIRE_SCHEME "signd://"
#define WIRE_DEFAULT_PORT "4743"
/* Largest request a server reads, and largest reply a client reads. */
#define WIRE_REQUEST_MAX (16 * 1024)
#define WIRE_REPLY_MAX (1024 * 1024)

int64_t wire_now(void);
int wire_handshake(SSL *ssl, int64_t deadline, int wake_fd);
int wire_send(SSL *ssl, struct json_object *msg, int64_t deadline, int wake_fd);
int wire_recv(SSL *ssl, size_t max, int64_t deadline, int wake_fd, struct json_object **msg);
void wire_shutdown(SSL *ssl);

int wire_parse_addr(const char *s, char **host, char **port);
int wire_connect(const char *host, const char *port, int64_t deadline, int *fd);

const char *wire_str(struct json_object *o, const char *key);
const char *wire_bad_string(struct json_object *o);
bool wire_text_ok(const char *s, size_t len);
size_t wire_utf8_cut(const char *s, size_t len, size_t max);
char *wire_text_clean(const char *s, size_t len, size_t max, size_t *outlen);
int wire_hex(const char *hex, unsigned char *out, size_t len);
void wire_tohex(const unsigned char *in, size_t len, char *out);

#endif
