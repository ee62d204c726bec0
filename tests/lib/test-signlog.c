// SPDX-License-Identifier: GPL-2.0
/*
 * lib/signlog.h, the chain check: signlog_check() on logs written here
 * line by line (each "prev" the SHA-256 of the line before), valid and
 * changed, removed, reordered, cut or not records at all.  The writer is
 * tested by tests/userspace/signlog-test.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "signlog.h"
#include "tap.h"

#define MAXREC 8

/* A log of up to MAXREC records, chained as the writer chains them. */
struct log {
	char line[MAXREC][256];
	size_t n;
};

static void sha256_hex(const char *s, char hex[65])
{
	unsigned char md[32];

	EVP_Digest(s, strlen(s), md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

/* Record @seq (from 1) of event @event, chained to the one before it in @l. */
static void add(struct log *l, unsigned int seq, const char *event)
{
	char prev[65] = AUDITLOG_GENESIS;

	if (l->n)
		sha256_hex(l->line[l->n - 1], prev);
	snprintf(l->line[l->n++], sizeof(l->line[0]),
		 "{\"seq\":%u,\"time\":\"2026-11-25T10:00:0%u.123Z\",\"prev\":\"%s\",\"event\":\"%s\"}",
		 seq, seq % 10, prev, event);
}

static struct log chain(unsigned int n)
{
	struct log l = { .n = 0 };

	for (unsigned int i = 1; i <= n; i++)
		add(&l, i, i == 1 ? "start" : "sign");
	return l;
}

/* A descriptor at offset 0 holding @text. */
static int memfd(const char *text)
{
	int fd = memfd_create("signlog-test", MFD_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || lseek(fd, 0, SEEK_SET)) {
		perror("memfd");
		exit(2);
	}
	return fd;
}

static int count_fn(struct json_object *rec, void *arg)
{
	(void)rec;
	++*(int *)arg;
	return 0;
}

/* signlog_check() of @text; @taken counts the records handed to the callback. */
static int check(const char *text, struct signlog_report *r, int *taken)
{
	int fd = memfd(text), ret;

	*taken = 0;
	memset(r, 0x55, sizeof(*r));
	ret = signlog_check(fd, count_fn, taken, r);
	close(fd);
	return ret;
}

/* The log's lines joined by newlines, each ended by one. */
static char *text_of(const struct log *l)
{
	static char buf[MAXREC * 257];

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		strcat(buf, l->line[i]);
		strcat(buf, "\n");
	}
	return buf;
}

/* @text breaks the chain at @line with -EBADMSG, after @records valid records, saying @why. */
static void broken(const char *text, uint64_t line, uint64_t records, const char *why, const char *desc)
{
	struct signlog_report r;
	int taken, ret = check(text, &r, &taken);

	is_int(ret, -EBADMSG, "%s: -EBADMSG", desc);
	is_int(r.line, line, "... the chain breaks at line %llu", (unsigned long long)line);
	is_int(r.records, records, "... after %llu valid records", (unsigned long long)records);
	is_int(taken, records, "... each handed to the callback");
	if (!ok(strstr(r.why, why), "... the report says \"%s\"", why))
		printf("#   why: \"%s\"\n", r.why);
}

static void test_valid(void)
{
	struct signlog_report r;
	struct log l = chain(3);
	char head[65];
	int taken;

	is_int(check("", &r, &taken), 0, "an empty log is a valid chain");
	is_int(r.records, 0, "... of no records");
	is_int(r.line, 0, "... unbroken (line 0)");
	is_str(r.head, AUDITLOG_GENESIS, "... its head the genesis");
	is_int(taken, 0, "... the callback not called");

	is_int(check(text_of(&l), &r, &taken), 0, "three chained records are a valid chain");
	is_int(r.records, 3, "... of three records");
	is_int(r.line, 0, "... unbroken");
	sha256_hex(l.line[2], head);
	is_str(r.head, head, "... its head the SHA-256 of the last line");
	is_int(taken, 3, "... each handed to the callback");
}

static void test_broken(void)
{
	struct log l = chain(4), m;
	char *p;

	m = l;
	p = strstr(m.line[1], "\"sign\"");
	memcpy(p, "\"SIGN\"", 6);
	broken(text_of(&m), 2, 1, "record 2 was changed", "record 2 changed");

	m = l;
	p = strstr(m.line[3], "\"sign\"");
	memcpy(p, "\"SIGN\"", 6);
	is_int(check(text_of(&m), &(struct signlog_report){ 0 }, &(int){ 0 }), 0,
	       "the last record changed: no later record shows it, still a chain");

	m = l;
	memmove(m.line[1], m.line[2], sizeof(m.line[0]) * 2);
	m.n = 3;
	broken(text_of(&m), 2, 1, "record 2 is missing (removed)", "record 2 removed");

	m = l;
	m.n = 2;
	memmove(m.line[0], m.line[2], sizeof(m.line[0]) * 2);
	broken(text_of(&m), 1, 0, "does not start a chain", "the first two records removed");

	m = l;
	memcpy(m.line[1], l.line[2], sizeof(m.line[0]));
	memcpy(m.line[2], l.line[1], sizeof(m.line[0]));
	broken(text_of(&m), 2, 1, "out of order", "records 2 and 3 swapped");

	m = l;
	memcpy(m.line[2], l.line[1], sizeof(m.line[0]));
	m.n = 3;
	broken(text_of(&m), 3, 2, "out of order", "record 2 repeated");

	m = l;
	strcpy(m.line[2], "not json");
	broken(text_of(&m), 3, 2, "not a record", "a line that is not JSON");

	m = l;
	strcpy(m.line[2], "{\"seq\":3,\"time\":\"t\",\"prev\":\"00\",\"event\":\"sign\"}");
	broken(text_of(&m), 3, 2, "\"prev\" is missing or not 64 lowercase hex digits", "a short prev");

	m = l;
	m.line[2][0] = '\0';
	broken(text_of(&m), 3, 2, "an empty line", "an empty line");

	m = l;
	p = text_of(&m);
	p[strlen(p) - 1] = '\0';
	broken(p, 4, 3, "incomplete (no newline at the end)", "a last record without its newline");
}

int main(void)
{
	test_valid();
	test_broken();
	return done_testing();
}
