// SPDX-License-Identifier: GPL-2.0
/*
 * Framed JSON over TLS, with deadlines (see wire.h).
 *
 * Sockets are non-blocking: every TLS call that would block waits in
 * poll() for the socket, or for @wake_fd (the server's shutdown pipe), at
 * most until the deadline.  So a stalled peer costs a connection its
 * deadline, never a thread forever.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "wire.h"

/* Monotonic milliseconds. */
int64_t wire_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until @fd is ready for @events.  Return: 0, -ETIMEDOUT, -ECANCELED (woken), -errno. */
static int wait_fd(int fd, short events, int64_t deadline, int wake_fd)
{
	struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = wake_fd, .events = POLLIN } };
	int64_t left;
	int n;

	for (;;) {
		left = deadline - wire_now();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(p, wake_fd >= 0 ? 2 : 1, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && p[1].revents)
			return -ECANCELED;
		if (n > 0)
			return 0;
	}
}

/* After a TLS call returned @ret: 0 to retry it once the socket is ready, else why it failed. */
static int tls_wait(SSL *ssl, int ret, int64_t deadline, int wake_fd)
{
	int e = SSL_get_error(ssl, ret);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(SSL_get_fd(ssl), POLLIN, deadline, wake_fd);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(SSL_get_fd(ssl), POLLOUT, deadline, wake_fd);
	case SSL_ERROR_ZERO_RETURN:
		return -ECONNRESET;
	case SSL_ERROR_SYSCALL:
		/* With nothing on OpenSSL's queue, this is the peer going away. */
		return errno && errno != EAGAIN ? -errno : -ECONNRESET;
	default:
		return -EPROTO;
	}
}

/* Return: 0 once the handshake is done; -EPROTO with OpenSSL's reason queued; as tls_wait(). */
int wire_handshake(SSL *ssl, int64_t deadline, int wake_fd)
{
	int ret, err;

	for (;;) {
		errno = 0;
		ret = SSL_do_handshake(ssl);
		if (ret == 1)
			return 0;
		err = tls_wait(ssl, ret, deadline, wake_fd);
		if (err)
			return err;
	}
}

/* Move exactly @len bytes: @out, a write, else a read; each wait bounded by the deadline. */
static int move_n(SSL *ssl, void *buf, size_t len, bool out, int64_t deadline, int wake_fd)
{
	size_t done;
	int ret, err;

	while (len) {
		errno = 0;
		ret = out ? SSL_write_ex(ssl, buf, len, &done) : SSL_read_ex(ssl, buf, len, &done);
		if (ret > 0) {
			buf = (char *)buf + done;
			len -= done;
			continue;
		}
		err = tls_wait(ssl, ret, deadline, wake_fd);
		if (err)
			return err;
	}
	return 0;
}

static int write_n(SSL *ssl, const void *buf, size_t len, int64_t deadline, int wake_fd)
{
	return move_n(ssl, (void *)buf, len, true, deadline, wake_fd);
}

static int read_n(SSL *ssl, void *buf, size_t len, int64_t deadline, int wake_fd)
{
	return move_n(ssl, buf, len, false, deadline, wake_fd);
}

/* Send @msg as one frame.  Return: 0, -E2BIG past WIRE_REPLY_MAX, or as write_n(). */
int wire_send(SSL *ssl, struct json_object *msg, int64_t deadline, int wake_fd)
{
	size_t len;
	const char *text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	unsigned char *frame;
	int err;

	if (!text)
		return -ENOMEM;
	if (len > WIRE_REPLY_MAX)
		return -E2BIG;
	/* One write, so one TLS record and one segment for a small frame. */
	frame = malloc(4 + len);
	if (!frame)
		return -ENOMEM;
	frame[0] = len >> 24;
	frame[1] = len >> 16;
	frame[2] = len >> 8;
	frame[3] = len;
	memcpy(frame + 4, text, len);
	err = write_n(ssl, frame, 4 + len, deadline, wake_fd);
	free(frame);
	return err;
}

/*
 * Read one frame holding one JSON object.
 * Return: 0 with the object in *@msg; -ENODATA when the peer closed between
 * frames; -EMSGSIZE for a frame over @max; -EBADMSG for one that is not a
 * JSON object; or as read_n().
 */
int wire_recv(SSL *ssl, size_t max, int64_t deadline, int wake_fd, struct json_object **msg)
{
	unsigned char hdr[4];
	struct json_tokener *tok;
	struct json_object *o;
	char *buf;
	size_t len;
	int err;

	err = read_n(ssl, hdr, 1, deadline, wake_fd);
	if (err)
		return err == -ECONNRESET ? -ENODATA : err;
	err = read_n(ssl, hdr + 1, 3, deadline, wake_fd);
	if (err)
		return err;
	len = (size_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
	if (len > max)
		return -EMSGSIZE;
	if (!len)
		return -EBADMSG;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	err = read_n(ssl, buf, len, deadline, wake_fd);
	tok = err ? NULL : json_tokener_new_ex(16);
	o = tok ? json_tokener_parse_ex(tok, buf, len) : NULL;
	if (!err && (!tok || json_tokener_get_error(tok) != json_tokener_success ||
		     json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		err = tok ? -EBADMSG : -ENOMEM;
	}
	if (tok)
		json_tokener_free(tok);
	free(buf);
	if (!err)
		*msg = o;
	return err;
}

/* A polite close: tell the peer, do not wait for its answer. */
void wire_shutdown(SSL *ssl)
{
	ERR_set_mark();
	SSL_shutdown(ssl);
	ERR_pop_to_mark();
}

/*
 * Split "host:port", "[v6]:port", "host" (default port), optionally after
 * WIRE_SCHEME.  Return: 0, -EINVAL for an empty host or a port outside 1-65535.
 */
int wire_parse_addr(const char *s, char **host, char **port)
{
	const char *h = s, *colon, *end;
	char *e;
	long p;

	if (!strncmp(h, WIRE_SCHEME, strlen(WIRE_SCHEME)))
		h += strlen(WIRE_SCHEME);
	if (*h == '[') {
		end = strchr(++h, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strrchr(h, ':');
		end = colon ? colon : h + strlen(h);
	}
	if (end == h || (colon && strchr(colon, '/')) || (!colon && strchr(h, '/')))
		return -EINVAL;
	if (colon) {
		errno = 0;
		p = strtol(colon + 1, &e, 10);
		if (errno || *e || e == colon + 1 || p < 1 || p > 65535)
			return -EINVAL;
	}
	*host = strndup(h, end - h);
	*port = strdup(colon ? colon + 1 : WIRE_DEFAULT_PORT);
	if (!*host || !*port) {
		free(*host);
		free(*port);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Connect a non-blocking TCP socket to @host:@port by the deadline, trying
 * each address.  Return: 0 with the socket in *@fd; -EHOSTUNREACH when the
 * name does not resolve; the last connection error otherwise.
 */
int wire_connect(const char *host, const char *port, int64_t deadline, int *fd)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res, *ai;
	int s = -1, err = -EHOSTUNREACH, one = 1, e;
	socklen_t elen = sizeof(e);

	if (getaddrinfo(host, port, &hints, &res))
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (s < 0) {
			err = -errno;
			continue;
		}
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (!connect(s, ai->ai_addr, ai->ai_addrlen))
			break;
		err = errno == EINPROGRESS ? wait_fd(s, POLLOUT, deadline, -1) : -errno;
		if (!err && !getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &elen))
			err = -e;
		if (!err)
			break;
		close(s);
		s = -1;
	}
	freeaddrinfo(res);
	if (s < 0)
		return err;
	*fd = s;
	return 0;
}

/* The string member @key of @o, or NULL when absent or not a string. */
const char *wire_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Decode exactly @len bytes of hex.  Return: 0 or -EINVAL. */
int wire_hex(const char *hex, unsigned char *out, size_t len)
{
	int hi, lo;

	if (strlen(hex) != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		hi = OPENSSL_hexchar2int(hex[2 * i]);
		lo = OPENSSL_hexchar2int(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

/* Lowercase hex of @in into @out, which holds 2 * @len + 1 bytes. */
void wire_tohex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* The length of the valid UTF-8 character at @s (@len bytes left), or 0. */
static size_t utf8_char(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not characters. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Whether @len bytes of @s are valid UTF-8 without a NUL, another control
 * character or U+FFFD: json-c turns an unpaired surrogate ("\ud800") into
 * U+FFFD, so a string holding one may not be what the client sent.
 */
bool wire_text_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (size_t i = 0; i < len; i += n) {
		n = utf8_char(p + i, len - i);
		if (!n || is_control(p[i]) || (n == 3 && !memcmp(p + i, "\xef\xbf\xbd", 3)))
			return false;
	}
	return true;
}

/* The longest prefix of @s (@len bytes) of at most @max bytes that does not split a character. */
size_t wire_utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;

	if (len <= max)
		return len;
	/* Back up over continuation bytes to the start of the character that crosses @max. */
	while (max && (p[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/*
 * A copy of @s (@len bytes) fit for a log: valid UTF-8, each byte that is
 * not part of a character replaced by U+FFFD, at most @max bytes, cut only
 * between characters.  Control characters, NUL included, stay: JSON
 * escapes them.  Return: the copy (free()) and its length in *@outlen, or
 * NULL without memory.
 */
char *wire_text_clean(const char *s, size_t len, size_t max, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(max + 1);
	size_t o = 0, n;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += n ? n : 1) {
		n = utf8_char(p + i, len - i);
		if (o + (n ? n : 3) > max)
			break;
		if (n)
			memcpy(out + o, p + i, n);
		else
			memcpy(out + o, "\xef\xbf\xbd", 3);
		o += n ? n : 3;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/*
 * A request's string members must be text: valid UTF-8 without NUL or
 * other control characters.  json-c keeps a "\u0000" inside a string, and
 * C reads the string only up to it: "vendor/x\u0000/../y" would be judged
 * as "vendor/x".  Return: the name of the first member that is not, or NULL.
 */
const char *wire_bad_string(struct json_object *o)
{
	json_object_object_foreach(o, k, v) {
		if (json_object_is_type(v, json_type_string) &&
		    !wire_text_ok(json_object_get_string(v), json_object_get_string_len(v)))
			return k;
	}
	return NULL;
}
