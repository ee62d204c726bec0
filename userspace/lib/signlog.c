// SPDX-License-Identifier: GPL-2.0
/*
 * The signing server's hash-chained audit log (see signlog.h).
 *
 * Reading walks the lines with a buffer of AUDITLOG_LINE_MAX bytes, so a log
 * of any size is checked in bounded memory.  A record is handed to the
 * caller only once the next one chains to it (or it is the last), so the
 * record a broken link reveals as changed is never replayed.  Writing holds
 * a mutex and an exclusive flock(), appends each line with one write() and
 * cuts a failed append off again, so the file always ends on a whole record.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "signlog.h"
#include "util.h"

/* Give up looking for a free PATH.torn.N after this many. */
#define AUDITLOG_TORN_MAX 1000

/* A writer waiting for the sync that covers its record, on the writer's stack. */
struct sync_waiter {
	uint64_t seq;
	int err;			/* of the sync that covered it */
	bool lead;			/* no sync covered it: it runs the next one */
	sem_t done;
	struct sync_waiter *next;
};

struct signlog {
	pthread_mutex_t lock;
	bool syncing;			/* an fdatasync runs, or is handed on to a waiter */
	struct sync_waiter *waiters, **waiters_end;	/* in the order of their records */
	int fd;
	bool sync;
	int failed;		/* a failed append that could not be cut off again: -errno */
	uint64_t seq;
	char head[65];
};

/* What next_line() found. */
enum { LINE_EOF, LINE_OK, LINE_LONG, LINE_TORN };

struct reader {
	int fd;
	size_t pos, end;	/* unread bytes of buf */
	char buf[AUDITLOG_LINE_MAX];
};

/* The state of a walk along the chain. */
struct walk {
	struct reader rd;
	signlog_fn fn;
	void *arg;
	uint64_t line;		/* lines read */
	uint64_t records;	/* valid records, the pending one included */
	char head[65];		/* hash of the last valid line */
	char before[65];	/* hash of the line before it */
	struct json_object *pending;	/* the last valid record, not yet given to fn */
	off_t end;		/* offset just past the last valid line */
	bool torn;		/* the walk stopped at a final line without a newline */
};

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];

	/* SHA-256 is always there in OpenSSL 3's default provider: no error to report. */
	if (!EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL))
		memset(md, 0, sizeof(md));
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static bool is_hash(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/*
 * The next line of @rd, without its newline, in @line and @len.
 * Return: LINE_OK, LINE_EOF, LINE_LONG (over AUDITLOG_LINE_MAX bytes with
 * its newline), LINE_TORN (bytes at the end without a newline, in @line and
 * @len), or -errno of read().
 */
static int next_line(struct reader *rd, const char **line, size_t *len)
{
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(rd->buf + rd->pos, '\n', rd->end - rd->pos);
		if (nl) {
			*line = rd->buf + rd->pos;
			*len = nl - *line;
			rd->pos += *len + 1;
			return LINE_OK;
		}
		memmove(rd->buf, rd->buf + rd->pos, rd->end - rd->pos);
		rd->end -= rd->pos;
		rd->pos = 0;
		if (rd->end == sizeof(rd->buf))
			return LINE_LONG;
		n = read(rd->fd, rd->buf + rd->end, sizeof(rd->buf) - rd->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) {
			*line = rd->buf;
			*len = rd->end;
			return rd->end ? LINE_TORN : LINE_EOF;
		}
		rd->end += n;
	}
}

/*
 * Parse @len bytes of @line with @flags; NULL with the reason in @why.  The
 * JSON text must be the whole of it.
 */
static struct json_object *parse_json(const char *line, size_t len, int flags, char *why,
				      size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = NULL;
	enum json_tokener_error e;

	if (!tok) {
		snprintf(why, size, "out of memory");
		return NULL;
	}
	/* Trailing bytes are let through only to be named below. */
	json_tokener_set_flags(tok, flags | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	if (!(o = json_tokener_parse_ex(tok, line, len))) {
		e = json_tokener_get_error(tok);
		if (e == json_tokener_continue)
			snprintf(why, size, "the JSON text is cut short");
		else
			snprintf(why, size, "invalid JSON (%s)", json_tokener_error_desc(e));
	} else if (json_tokener_get_parse_end(tok) != len) {
		snprintf(why, size, "bytes after the JSON text");
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/*
 * The JSON value that must be the whole line, or NULL with the reason in
 * @why.  Strict JSON, in valid UTF-8.  json-c's strict mode cannot say
 * both on every version: 0.18's refuses any byte over 0x7f, which the log
 * itself holds for a non-ASCII firmware name, and 0.16's lets invalid
 * UTF-8 through.  So the syntax is checked strictly on a copy whose bytes
 * over 0x7f are made ASCII (strict JSON has them only inside strings,
 * where any ASCII letter stands as well), and the value is parsed from the
 * line itself by json-c's UTF-8 check.
 */
static struct json_object *parse_line(const char *line, size_t len, char *why, size_t size)
{
	struct json_object *o;
	char *ascii;
	size_t i;

	if (!len) {
		snprintf(why, size, "an empty line");
		return NULL;
	}
	if (memchr(line, '\0', len)) {
		snprintf(why, size, "a NUL byte in the line");
		return NULL;
	}
	ascii = malloc(len);
	if (!ascii) {
		snprintf(why, size, "out of memory");
		return NULL;
	}
	for (i = 0; i < len; i++)
		ascii[i] = (unsigned char)line[i] > 0x7f ? 'u' : line[i];
	o = parse_json(ascii, len, JSON_TOKENER_STRICT, why, size);
	free(ascii);
	if (!o)
		return NULL;
	json_object_put(o);
	return parse_json(line, len, JSON_TOKENER_VALIDATE_UTF8, why, size);
}

/* Return: what keeps @o from being a record, or NULL. */
static const char *not_record(struct json_object *o)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return "not a JSON object";
	if (!json_object_object_get_ex(o, "seq", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1)
		return "\"seq\" is missing or not a positive integer";
	if (!json_object_object_get_ex(o, "time", &v) || !json_object_is_type(v, json_type_string))
		return "\"time\" is missing or not a string";
	if (!json_object_object_get_ex(o, "prev", &v) || !json_object_is_type(v, json_type_string) ||
	    !is_hash(json_object_get_string(v)))
		return "\"prev\" is missing or not 64 lowercase hex digits";
	if (!json_object_object_get_ex(o, "event", &v) || !json_object_is_type(v, json_type_string))
		return "\"event\" is missing or not a string";
	return NULL;
}

/* Parse one line as a record; on failure say why in @why.  Return: the record or NULL. */
static struct json_object *parse_record(const char *line, size_t len, char *why, size_t size)
{
	struct json_object *o = parse_line(line, len, why, size);
	const char *bad = o ? not_record(o) : NULL;

	if (bad) {
		snprintf(why, size, "%s", bad);
		json_object_put(o);
		return NULL;
	}
	return o;
}

static uint64_t record_seq(struct json_object *o)
{
	struct json_object *v;

	json_object_object_get_ex(o, "seq", &v);
	return json_object_get_uint64(v);
}

static const char *record_prev(struct json_object *o)
{
	struct json_object *v;

	json_object_object_get_ex(o, "prev", &v);
	return json_object_get_string(v);
}

/* Hand the pending record to fn.  Return: 0, or fn's non-zero return. */
static int flush(struct walk *w, struct signlog_report *r)
{
	int ret = 0;

	if (w->pending && w->fn)
		ret = w->fn(w->pending, w->arg);
	json_object_put(w->pending);
	w->pending = NULL;
	if (ret) {
		r->line = w->records;
		snprintf(r->why, sizeof(r->why), "line %" PRIu64 ": the record was not taken: %s", r->line,
			 ret < 0 ? errno_text(ret) : "refused");
	}
	return ret;
}

/* Stop the walk at the current line: the valid records are those before it. */
static int broken(struct walk *w, struct signlog_report *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int broken(struct walk *w, struct signlog_report *r, const char *fmt, ...)
{
	char msg[sizeof(r->why) - 32];
	va_list ap;
	int ret;

	ret = flush(w, r);
	if (ret)
		return ret;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->line = w->line;
	snprintf(r->why, sizeof(r->why), "line %" PRIu64 ": %s", w->line, msg);
	return -EBADMSG;
}

/* The line of the first later record numbered @seq, or 0: tells a reordered record from a removed one. */
static uint64_t find_later(struct walk *w, uint64_t seq)
{
	struct json_object *o;
	const char *line;
	char why[128];
	size_t len;
	uint64_t at = 0;

	while (!at && next_line(&w->rd, &line, &len) == LINE_OK) {
		o = parse_record(line, len, why, sizeof(why));
		at = o && record_seq(o) == seq ? w->line + 1 : 0;
		w->line++;
		json_object_put(o);
	}
	return at;
}

/* A record with a number above the one expected: records before it were removed or moved. */
static int ahead(struct walk *w, struct signlog_report *r, uint64_t seq)
{
	uint64_t want = w->records + 1, line = w->line, at;

	at = find_later(w, want);
	w->line = line;
	if (at)
		return broken(w, r, "record %" PRIu64 " is out of order, before record %" PRIu64
			      " at line %" PRIu64 " (reordered)", seq, want, at);
	if (seq == want + 1)
		return broken(w, r, "record %" PRIu64 " is missing (removed)", want);
	return broken(w, r, "records %" PRIu64 " to %" PRIu64 " are missing (removed)", want, seq - 1);
}

/* Check that record @o on the current line continues the chain, and make it the pending one. */
static int link_record(struct walk *w, struct signlog_report *r, struct json_object *o,
		       const char *line, size_t len)
{
	uint64_t seq = record_seq(o), want = w->records + 1;
	int ret;

	if (w->line == 1 && (seq != 1 || strcmp(record_prev(o), AUDITLOG_GENESIS)))
		return broken(w, r, "record %" PRIu64 " does not start a chain (the log's beginning was removed)",
			      seq);
	if (seq > want)
		return ahead(w, r, seq);
	if (seq < want)
		return broken(w, r, "record %" PRIu64 " is out of order after record %" PRIu64
			      " (reordered or repeated)", seq, want - 1);
	if (strcmp(record_prev(o), w->head)) {
		/* The line before was changed: it is not valid, and never reaches fn. */
		json_object_put(w->pending);
		w->pending = NULL;
		w->records--;
		memcpy(w->head, w->before, sizeof(w->head));
		r->line = w->line - 1;
		snprintf(r->why, sizeof(r->why), "line %" PRIu64 ": record %" PRIu64 " was changed (record %"
			 PRIu64 " at line %" PRIu64 " does not chain to it)", r->line, want - 1, want, w->line);
		return -EBADMSG;
	}
	ret = flush(w, r);
	if (ret)
		return ret;
	w->pending = json_object_get(o);
	w->records++;
	memcpy(w->before, w->head, sizeof(w->head));
	sha256_hex(line, len, w->head);
	w->end += len + 1;
	return 0;
}

/* One step of the walk.  Return: 1 to go on, 0 at the end, or an error. */
static int step(struct walk *w, struct signlog_report *r)
{
	struct json_object *o;
	const char *line;
	char why[128];
	size_t len;
	int ret = next_line(&w->rd, &line, &len);

	if (ret < 0)
		return ret;
	if (ret == LINE_EOF)
		return flush(w, r);
	w->line++;
	if (ret == LINE_LONG)
		return broken(w, r, "longer than %d bytes", AUDITLOG_LINE_MAX);
	if (ret == LINE_TORN) {
		w->torn = true;
		return broken(w, r, "record is incomplete (no newline at the end)");
	}
	o = parse_record(line, len, why, sizeof(why));
	if (!o)
		return broken(w, r, "not a record: %s", why);
	ret = link_record(w, r, o, line, len);
	json_object_put(o);
	return ret ? ret : 1;
}

/* A walk from @fd's offset; it holds a line buffer, so it lives on the heap. */
static struct walk *walk_new(int fd, signlog_fn fn, void *arg)
{
	struct walk *w = calloc(1, sizeof(*w));

	if (w) {
		w->rd.fd = fd;
		w->fn = fn;
		w->arg = arg;
	}
	return w;
}

/* signlog_check(); @w also tells signlog_open() where the valid part ends, and if a torn line follows. */
static int walk_log(struct walk *w, struct signlog_report *r)
{
	int ret;

	memcpy(w->head, AUDITLOG_GENESIS, sizeof(w->head));
	memcpy(w->before, AUDITLOG_GENESIS, sizeof(w->before));
	r->line = 0;
	r->why[0] = '\0';
	do
		ret = step(w, r);
	while (ret == 1);
	json_object_put(w->pending);
	w->pending = NULL;
	r->records = w->records;
	memcpy(r->head, w->head, sizeof(r->head));
	return ret;
}

/*
 * Read the log from @fd's offset to its end and check its chain, calling
 * @fn (if not NULL) on each valid record in order.
 * Return: 0 for a valid chain (an empty log is one), -EBADMSG for a broken
 * one (@r says where and why), -ENOMEM, -errno of read(), or @fn's non-zero
 * return.  @r is filled in every case.
 */
int signlog_check(int fd, signlog_fn fn, void *arg, struct signlog_report *r)
{
	struct walk *w = walk_new(fd, fn, arg);
	int ret;

	if (!w)
		return -ENOMEM;
	ret = walk_log(w, r);
	free(w);
	return ret;
}

static int fsync_dir_of(const char *path)
{
	_cleanup_(freep) char *copy = strdup(path);

	return copy ? fsync_dir(dirname(copy)) : -ENOMEM;
}

/* Create PATH.torn, or PATH.torn.1, .2 ... if taken.  Return: its descriptor, or -errno. */
static int create_torn(const char *path, char *name, size_t size)
{
	int fd = -EEXIST;

	if (strlen(path) + sizeof(".torn.999") > size)
		return -ENAMETOOLONG;
	for (int i = 0; i < AUDITLOG_TORN_MAX && fd == -EEXIST; i++) {
		if (i)
			snprintf(name, size, "%s.torn.%d", path, i);
		else
			snprintf(name, size, "%s.torn", path);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		fd = fd < 0 ? -errno : fd;
	}
	return fd;
}

/* Copy the @len torn bytes at @off to a file of their own, durably; its name in @name. */
static int save_torn(struct signlog *l, const char *path, off_t off, size_t len, char *name,
		     size_t size)
{
	char buf[AUDITLOG_LINE_MAX];
	_cleanup_(closep) int fd = -1;
	ssize_t n;
	int err;

	if (len > sizeof(buf))
		return -EFBIG;
	n = pread(l->fd, buf, len, off);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	fd = create_torn(path, name, size);
	if (fd < 0)
		return fd;
	err = write_all(fd, buf, len);
	if (!err && fsync(fd) < 0)
		err = -errno;
	return err ? err : fsync_dir_of(name);
}

/* Move a final line cut short by a crash out of the log, and record that it was. */
static int recover(struct signlog *l, const char *path, off_t end, struct fw_error *e)
{
	struct json_object *rec = NULL;
	char name[4096];
	struct stat st;
	size_t len;
	int err;

	err = fstat(l->fd, &st) < 0 ? -errno : 0;
	len = err ? 0 : st.st_size - end;
	err = err ? err : save_torn(l, path, end, len, name, sizeof(name));
	if (err) {
		fw_error_set(e, err, "cannot save its incomplete last line: %s", errno_text(err));
		return err;
	}
	if (ftruncate(l->fd, end) < 0 || fsync(l->fd) < 0) {
		err = -errno;
		fw_error_set(e, err, "cannot cut its incomplete last line (saved to %s): %s", name,
			     errno_text(err));
		return err;
	}
	rec = json_object_new_object();
	if (!rec || json_object_object_add(rec, "event", json_object_new_string("recovered")) ||
	    json_object_object_add(rec, "torn_bytes", json_object_new_uint64(len)) ||
	    json_object_object_add(rec, "saved_to", json_object_new_string(name)))
		err = -ENOMEM;
	else
		err = signlog_append(l, rec);
	json_object_put(rec);
	if (err)
		fw_error_set(e, err, "cannot record the recovery of its incomplete last line (saved to %s): %s",
			     name, errno_text(err));
	return err;
}

/* Open and lock the log file. */
static int open_locked(struct signlog *l, const char *path, struct fw_error *e)
{
	struct stat st;
	int err;

	l->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		     0640);
	if (l->fd < 0) {
		err = -errno;
		fw_error_set(e, err, "cannot open: %s", errno_text(err));
		return err;
	}
	err = fstat(l->fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -ENOTREG;
	if (err) {
		fw_error_set(e, err, "cannot open: %s", errno_text(err));
		return err;
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (err == -EBUSY)
			fw_error_set(e, err, "another process holds it");
		else
			fw_error_set(e, err, "cannot lock: %s", errno_text(err));
		return err;
	}
	return 0;
}

/* Replay the log, recovering from a torn last line, and keep its head. */
static int load(struct signlog *l, const char *path, signlog_fn replay, void *arg, struct fw_error *e)
{
	struct signlog_report r;
	struct walk *w = walk_new(l->fd, replay, arg);
	int err;

	if (!w) {
		return fw_error_set(e, -ENOMEM, "out of memory");
	}
	err = walk_log(w, &r);
	l->seq = r.records;
	memcpy(l->head, r.head, sizeof(l->head));
	if (err == -EBADMSG && w->torn)
		err = recover(l, path, w->end, e);
	else if (err && r.line)
		fw_error_set(e, err, "%s", r.why);
	else if (err)
		fw_error_set(e, err, "cannot read: %s", errno_text(err));
	free(w);
	return err;
}

/*
 * Open the log at @path for appending (creating it, mode 0640), lock it
 * against other processes, and check it, calling @replay (if not NULL) on
 * each record.  A final line without a newline, left by a crash during an
 * append, is moved to PATH.torn (or PATH.torn.N) and a "recovered" record
 * says so.  On failure @e says what went wrong.
 * Return: 0, -EBUSY (locked by another process), -EBADMSG (a broken chain),
 * -ENOTREG, -ELOOP (a symlink), -ENOMEM, @replay's non-zero return, or -errno.
 */
int signlog_open(const char *path, bool sync, signlog_fn replay, void *arg,
		  struct signlog **out, struct fw_error *e)
{
	struct signlog *l = calloc(1, sizeof(*l));
	int err;

	if (!l) {
		return fw_error_set(e, -ENOMEM, "out of memory");
	}
	pthread_mutex_init(&l->lock, NULL);
	l->waiters_end = &l->waiters;
	l->fd = -1;
	l->sync = sync;
	err = open_locked(l, path, e);
	if (!err)
		err = load(l, path, replay, arg, e);
	if (err) {
		signlog_close(l);
		return err;
	}
	*out = l;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ", now. */
static void utc_now(char buf[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + 19, 13, ".%03uZ", (unsigned)(ts.tv_nsec / 1000000) % 1000);
}

/*
 * The next record's line in @line (AUDITLOG_LINE_MAX bytes): seq, time and
 * prev, then the members of @body, the record serialized ("{...}", with
 * "event").  The same bytes as json-c's serialization of one object with
 * all those members, but only this much is done under the lock.
 * Return: its length with the newline, or -E2BIG.
 */
static int chain_line(struct signlog *l, const char *body, size_t len, char *line)
{
	char now[32];
	int n;

	utc_now(now);
	n = snprintf(line, AUDITLOG_LINE_MAX, "{\"seq\":%" PRIu64 ",\"time\":\"%s\",\"prev\":\"%s\",",
		     l->seq + 1, now, l->head);
	if (n < 0 || (size_t)n + len > AUDITLOG_LINE_MAX)
		return -E2BIG;
	memcpy(line + n, body + 1, len - 1);
	line[n + len - 1] = '\n';
	return n + len;
}

/* Write @line of @len bytes (its newline included) whole, or leave the file as it was. */
static int write_line(struct signlog *l, const char *line, size_t len)
{
	struct stat st;
	int err;

	if (fstat(l->fd, &st) < 0)
		return -errno;
	err = write_all(l->fd, line, len);
	if (err && ftruncate(l->fd, st.st_size) < 0)
		l->failed = err;
	return err;
}

/* Write the next record, serialized as @body of @len bytes, under the lock. */
static int append_locked(struct signlog *l, const char *body, size_t len)
{
	char line[AUDITLOG_LINE_MAX];
	int n, err;

	if (l->failed)
		return l->failed;
	n = chain_line(l, body, len, line);
	if (n < 0)
		return n;
	err = write_line(l, line, n);
	if (err)
		return err;
	l->seq++;
	sha256_hex(line, n - 1, l->head);
	return 0;
}

/*
 * Run fdatasync() for every record written so far (l->lock held and
 * l->syncing set: this thread leads), then wake each waiter it covered with
 * its result, and hand the next sync to the first waiter it did not cover.
 * The waiters are woken after l->lock is released, so that none that runs
 * at once finds the lock still held.  Releases l->lock.
 * Return: the sync's result.
 */
static int sync_lead(struct signlog *l)
{
	struct sync_waiter *done, **end, *lead, *w;
	uint64_t upto = l->seq;
	int err;

	pthread_mutex_unlock(&l->lock);
	err = fdatasync(l->fd) < 0 ? -errno : 0;
	pthread_mutex_lock(&l->lock);
	done = l->waiters;
	for (end = &done; *end && (*end)->seq <= upto; end = &(*end)->next)
		;
	lead = *end;
	*end = NULL;
	l->waiters = lead ? lead->next : NULL;
	if (!l->waiters)
		l->waiters_end = &l->waiters;
	l->syncing = lead != NULL;
	pthread_mutex_unlock(&l->lock);
	while ((w = done)) {
		done = w->next;	/* w is gone once woken */
		w->err = err;
		sem_post(&w->done);
	}
	if (lead) {
		lead->lead = true;
		sem_post(&lead->done);
	}
	return err;
}

/*
 * Group commit: wait for one fdatasync that started after record @seq was
 * written (l->lock held; released on return).  When none runs, this thread
 * runs one for every record written so far; the writers that append
 * meanwhile queue in the order of their records and sleep.  The sync, once
 * done, wakes each writer it covered, which returns without taking l->lock
 * again (no herd on the lock), and hands the next sync to the first writer
 * it did not cover.  A record whose fdatasync failed stays in the file
 * (later records may follow it), and every writer whose record that sync
 * covered gets the error: the log may tell of a signature that was not
 * returned, never the reverse.
 */
static int sync_unlock(struct signlog *l, uint64_t seq)
{
	struct sync_waiter w = { .seq = seq };

	if (!l->syncing) {
		l->syncing = true;
		return sync_lead(l);
	}
	sem_init(&w.done, 0, 0);
	*l->waiters_end = &w;
	l->waiters_end = &w.next;
	pthread_mutex_unlock(&l->lock);
	while (sem_wait(&w.done) && errno == EINTR)
		;
	sem_destroy(&w.done);
	if (!w.lead)
		return w.err;
	pthread_mutex_lock(&l->lock);
	return sync_lead(l);
}

/*
 * Append the record @rec (an object with a string "event"; not taken): its
 * members follow seq, time and prev.  Safe from several threads; with sync,
 * the record is on disk when this returns 0.  A failed append leaves the
 * file and the head as they were.
 * Return: 0, -EINVAL (@rec has seq, time or prev, or no "event"), -E2BIG
 * (the line would be longer than AUDITLOG_LINE_MAX), -ENOMEM, or -errno of
 * write() or fdatasync().
 */
int signlog_append(struct signlog *l, struct json_object *rec)
{
	return signlog_write(l, rec, true);
}

/*
 * As signlog_append(), but with @wait false the record is only written:
 * the next append that waits for its sync puts this one on disk too.  For
 * a record that a later one of the same request follows.
 */
int signlog_write(struct signlog *l, struct json_object *rec, bool wait)
{
	struct json_object *v;
	const char *body;
	size_t len;
	int err;

	if (!json_object_is_type(rec, json_type_object) ||
	    json_object_object_get_ex(rec, "seq", NULL) ||
	    json_object_object_get_ex(rec, "time", NULL) ||
	    json_object_object_get_ex(rec, "prev", NULL) ||
	    !json_object_object_get_ex(rec, "event", &v) || !json_object_is_type(v, json_type_string))
		return -EINVAL;
	body = json_object_to_json_string_length(rec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
						 &len);
	if (!body)
		return -ENOMEM;
	pthread_mutex_lock(&l->lock);
	err = append_locked(l, body, len);
	if (!err && l->sync && wait)
		return sync_unlock(l, l->seq);
	pthread_mutex_unlock(&l->lock);
	return err;
}

/* The number of the last record (0 for an empty log) and its hash. */
void signlog_head(struct signlog *l, uint64_t *seq, char head[65])
{
	pthread_mutex_lock(&l->lock);
	*seq = l->seq;
	memcpy(head, l->head, 65);
	pthread_mutex_unlock(&l->lock);
}

void signlog_close(struct signlog *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
