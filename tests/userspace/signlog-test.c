// SPDX-License-Identifier: GPL-2.0
/*
 * The audit log's writer through its API: concurrent appends, the line
 * limit, the lock, a failed write, recovery from a torn last line, and
 * group commit (syncs shared, a failed sync failing each record it covered).
 * Built against the tool's objects and run by cases/70-audit.sh:
 *
 *   signlog-test DIR    (an empty directory; the logs are left there)
 *
 * Prints "ok - WHAT" or "not ok - WHAT: expected ..., saw ..." per check.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "signlog.h"

#define THREADS 8
#define RECORDS 100

static const char *dir;
static int failures;

/*
 * fdatasync() as the log calls it (this definition comes before the C
 * library's): counted, slowed by sync_delay_us, and failing with EIO for
 * the call numbered fail_sync.
 */
static int syncs, fail_sync, sync_delay_us;
static pthread_mutex_t sync_count_lock = PTHREAD_MUTEX_INITIALIZER;

int fdatasync(int fd)
{
	int n;

	pthread_mutex_lock(&sync_count_lock);
	n = ++syncs;
	pthread_mutex_unlock(&sync_count_lock);
	if (sync_delay_us)
		usleep(sync_delay_us);
	if (n == fail_sync) {
		errno = EIO;
		return -1;
	}
	return syscall(SYS_fdatasync, fd);
}

static int syncs_now(void)
{
	int n;

	pthread_mutex_lock(&sync_count_lock);
	n = syncs;
	pthread_mutex_unlock(&sync_count_lock);
	return n;
}

static void check(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok - %s\n", what);
		return;
	}
	failures++;
	printf("not ok - %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static char *path_of(const char *name)
{
	static char buf[8][4096];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* A record {"event": EVENT, KEY: VALUE} (KEY may be NULL). */
static struct json_object *event(const char *name, const char *key, struct json_object *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string(name));
	if (key)
		json_object_object_add(o, key, v);
	return o;
}

static int append_event(struct signlog *l, const char *name)
{
	struct json_object *o = event(name, NULL, NULL);
	int err = signlog_append(l, o);

	json_object_put(o);
	return err;
}

static int count(struct json_object *rec, void *arg)
{
	(void)rec;
	++*(int *)arg;
	return 0;
}

/* Check the file at @path with signlog_check(), calling @fn. */
static int check_file(const char *path, signlog_fn fn, void *arg, struct signlog_report *r)
{
	int fd = open(path, O_RDONLY), err;

	if (fd < 0)
		return -errno;
	err = signlog_check(fd, fn, arg, r);
	close(fd);
	return err;
}

static int read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n < 0 ? -1 : (int)n;
}

static int append_raw(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0640), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -EIO;
}

struct worker {
	pthread_t t;
	struct signlog *l;
	int id, n, errors;
};

static void *append_some(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < w->n; i++) {
		struct json_object *o = event("sign", "thread", json_object_new_int(w->id));

		json_object_object_add(o, "n", json_object_new_int(i));
		if (signlog_append(w->l, o))
			w->errors++;
		json_object_put(o);
	}
	return NULL;
}

/* Each thread's records are in the order it appended them. */
struct order {
	int next[THREADS];
	bool ok;
};

static int check_order(struct json_object *rec, void *arg)
{
	struct order *o = arg;
	struct json_object *t, *n;

	if (!json_object_object_get_ex(rec, "thread", &t))
		return 0;
	json_object_object_get_ex(rec, "n", &n);
	if (json_object_get_int(n) != o->next[json_object_get_int(t)]++)
		o->ok = false;
	return 0;
}

/* signlog_open(), what went wrong copied into @why. */
static int open_log(const char *path, bool sync, signlog_fn replay, void *arg, struct signlog **out,
		    char *why, size_t len)
{
	struct fw_error e = { .msg = "" };
	int err = signlog_open(path, sync, replay, arg, out, &e);

	snprintf(why, len, "%s", e.msg);
	return err;
}

static void test_concurrent(void)
{
	const char *path = path_of("concurrent.log");
	struct worker w[THREADS];
	struct signlog *l;
	struct signlog_report r;
	struct order order = { .ok = true };
	char why[256], head[65];
	struct json_object *o;
	uint64_t seq;
	int err, errors = 0;
	struct stat st;

	umask(022);
	err = open_log(path, true, NULL, NULL, &l, why, sizeof(why));
	check(!err, "open creates a new log", "0, saw %d (%s)", err, why);
	if (err)
		return;
	check(!stat(path, &st) && (st.st_mode & 0777) == 0640, "a new log has mode 0640",
	      "expected 0640, saw %o", st.st_mode & 0777);
	/* A slash, a tab and non-ASCII: the shell checks the line is in the form Python gives. */
	o = event("start", "path", json_object_new_string("/lib/firmware/größe\tx"));
	err = signlog_append(l, o);
	check(!err, "append a first record", "expected 0, saw %d", err);
	err = signlog_append(l, o);
	json_object_put(o);
	check(!err, "append the same record object again (it is not taken)", "expected 0, saw %d", err);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .l = l, .id = i, .n = RECORDS / THREADS + (i < RECORDS % THREADS) };
		pthread_create(&w[i].t, NULL, append_some, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].t, NULL);
		errors += w[i].errors;
	}
	check(!errors, "8 threads append 100 records without an error", "expected 0 errors, saw %d", errors);
	signlog_head(l, &seq, head);
	check(seq == RECORDS + 2, "the head counts every record", "expected seq %d, saw %llu",
	      RECORDS + 2, (unsigned long long)seq);
	signlog_close(l);
	err = check_file(path, check_order, &order, &r);
	check(!err && r.records == RECORDS + 2 && !strcmp(r.head, head),
	      "the log written by 8 threads is a valid chain of 102 records, with the writer's head",
	      "expected 0, 102 records, head %s; saw %d, %llu records, head %s (%s)", head, err,
	      (unsigned long long)r.records, r.head, r.why);
	check(order.ok, "each thread's records are in the order it appended them", "expected in order");
}

static void test_refused(void)
{
	const char *path = path_of("refused.log");
	struct json_object *o;
	struct signlog *l;
	char why[256];
	long long size;
	int err;

	if (open_log(path, false, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open refused.log", "0, saw %s", why);
	append_event(l, "start");
	size = size_of(path);
	o = event("x", "seq", json_object_new_int(7));
	err = signlog_append(l, o);
	json_object_put(o);
	check(err == -EINVAL, "a record with its own \"seq\" is refused", "expected %d, saw %d", -EINVAL, err);
	o = event("x", "prev", json_object_new_string(AUDITLOG_GENESIS));
	err = signlog_append(l, o);
	json_object_put(o);
	check(err == -EINVAL, "a record with its own \"prev\" is refused", "expected %d, saw %d", -EINVAL, err);
	o = json_object_new_object();
	json_object_object_add(o, "what", json_object_new_string("no event"));
	err = signlog_append(l, o);
	json_object_put(o);
	check(err == -EINVAL, "a record without \"event\" is refused", "expected %d, saw %d", -EINVAL, err);
	check(size_of(path) == size, "refused records leave the file as it was", "size %lld, saw %lld",
	      size, size_of(path));
	signlog_close(l);
}

/* The line limit, exactly at its edge, and that a second open finds the log locked. */
static void test_limit_and_lock(void)
{
	const char *path = path_of("limit.log");
	struct signlog *l, *l2 = NULL;
	struct signlog_report r;
	char why[256], head[65], head2[65], *pad;
	struct json_object *o;
	long long size, line;
	uint64_t seq, seq2;
	int err;

	if (open_log(path, false, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open limit.log", "0, saw %s", why);
	o = event("pad", "pad", json_object_new_string(""));
	signlog_append(l, o);
	json_object_put(o);
	line = size_of(path) - 1;
	/* Records 2 and 3 are as long as record 1, but for the padding. */
	pad = malloc(AUDITLOG_LINE_MAX + 1000);
	memset(pad, 'x', AUDITLOG_LINE_MAX + 1000);
	pad[AUDITLOG_LINE_MAX - 1 - line] = '\0';
	o = event("pad", "pad", json_object_new_string(pad));
	err = signlog_append(l, o);
	json_object_put(o);
	check(!err, "a record of exactly AUDITLOG_LINE_MAX bytes with its newline is written",
	      "expected 0, saw %d", err);
	size = size_of(path);
	signlog_head(l, &seq, head);
	pad[AUDITLOG_LINE_MAX - 1 - line] = 'x';
	pad[AUDITLOG_LINE_MAX - line] = '\0';
	o = event("pad", "pad", json_object_new_string(pad));
	err = signlog_append(l, o);
	json_object_put(o);
	check(err == -E2BIG, "a record one byte longer is refused with -E2BIG", "expected %d, saw %d",
	      -E2BIG, err);
	pad[AUDITLOG_LINE_MAX + 999] = '\0';
	o = event("pad", "pad", json_object_new_string(pad));
	err = signlog_append(l, o);
	json_object_put(o);
	free(pad);
	signlog_head(l, &seq2, head2);
	check(err == -E2BIG && size_of(path) == size && seq2 == seq && !strcmp(head, head2),
	      "a huge record is refused with -E2BIG; the file and the head stay as they were",
	      "expected %d, size %lld, seq %llu; saw %d, size %lld, seq %llu", -E2BIG, size,
	      (unsigned long long)seq, err, size_of(path), (unsigned long long)seq2);
	err = check_file(path, NULL, NULL, &r);
	check(!err && r.records == 2, "a line of exactly AUDITLOG_LINE_MAX bytes reads back as valid",
	      "expected 0 and 2 records, saw %d, %llu (%s)", err, (unsigned long long)r.records, r.why);
	err = open_log(path, false, NULL, NULL, &l2, why, sizeof(why));
	check(err == -EBUSY && !strcmp(why, "another process holds it"),
	      "a second open of a log in use fails with -EBUSY", "expected %d, saw %d (%s)", -EBUSY, err,
	      err ? why : "");
	signlog_close(l2);
	signlog_close(l);
	err = open_log(path, false, NULL, NULL, &l, why, sizeof(why));
	check(!err, "the log opens again once closed", "expected 0, saw %d (%s)", err, why);
	signlog_close(l);
}

/* A write that fails halfway (the file size limit) is cut off again, and the chain goes on. */
static void test_failed_write(void)
{
	const char *path = path_of("failed.log");
	struct signlog_report r;
	struct signlog *l;
	struct rlimit old, lim;
	char why[256], head[65], head2[65];
	long long size;
	uint64_t seq, seq2;
	int err;

	if (open_log(path, true, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open failed.log", "0, saw %s", why);
	append_event(l, "start");
	size = size_of(path);
	signlog_head(l, &seq, head);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = size + 20;
	setrlimit(RLIMIT_FSIZE, &lim);
	err = append_event(l, "cut-short");
	setrlimit(RLIMIT_FSIZE, &old);
	signlog_head(l, &seq2, head2);
	check(err == -EFBIG && size_of(path) == size && seq == seq2 && !strcmp(head, head2),
	      "a write cut short fails with its errno; the partial line is removed, the head kept",
	      "expected %d, size %lld, seq %llu; saw %d, size %lld, seq %llu", -EFBIG, size,
	      (unsigned long long)seq, err, size_of(path), (unsigned long long)seq2);
	err = append_event(l, "after");
	signlog_close(l);
	err = err ? err : check_file(path, NULL, NULL, &r);
	check(!err && r.records == 2, "the next append continues the chain",
	      "expected 0 and 2 records, saw %d, %llu (%s)", err, (unsigned long long)r.records, err ? r.why : "");
}

/* The last record of @path: its "event", "torn_bytes" and "saved_to". */
static bool last_record(const char *path, struct json_object **last)
{
	static char buf[1 << 16];
	char *nl, *start;
	int n = read_all(path, buf, sizeof(buf));

	if (n <= 0 || buf[n - 1] != '\n')
		return false;
	buf[n - 1] = '\0';
	nl = strrchr(buf, '\n');
	start = nl ? nl + 1 : buf;
	*last = json_tokener_parse(start);
	return *last;
}

/* Tear @torn onto @name's end, reopen, and check the recovery saved it to @saved. */
static void tear_and_reopen(const char *name, int before, const char *torn, const char *saved)
{
	const char *path = path_of(name), *want = path_of(saved);
	struct json_object *last = NULL, *v;
	struct signlog_report r;
	struct signlog *l;
	char why[256], buf[256], what[512];
	uint64_t seq;
	int err, replayed = 0, n;
	bool ok;

	append_raw(path, torn);
	err = open_log(path, false, count, &replayed, &l, why, sizeof(why));
	snprintf(what, sizeof(what), "%s with %d records and a torn line: opens, and replays the %d", name,
		 before, before);
	check(!err && replayed == before, what, "expected 0 and %d replayed, saw %d (%s), %d", before, err,
	      err ? why : "", replayed);
	if (err)
		return;
	signlog_head(l, &seq, why);
	signlog_close(l);
	n = read_all(want, buf, sizeof(buf));
	snprintf(what, sizeof(what), "%s: the torn bytes are saved in %s", name, saved);
	check(n == (int)strlen(torn) && !memcmp(buf, torn, n), what, "expected '%s', saw '%s'", torn,
	      n < 0 ? "(no file)" : buf);
	ok = last_record(path, &last) && json_object_object_get_ex(last, "event", &v) &&
	     !strcmp(json_object_get_string(v), "recovered") &&
	     json_object_object_get_ex(last, "torn_bytes", &v) && json_object_get_int(v) == (int)strlen(torn) &&
	     json_object_object_get_ex(last, "saved_to", &v) && !strcmp(json_object_get_string(v), want);
	snprintf(what, sizeof(what), "%s: a \"recovered\" record names the torn bytes' count and file", name);
	check(ok && seq == (uint64_t)before + 1, what,
	      "expected event recovered, torn_bytes %zu, saved_to %s, seq %d; saw %s", strlen(torn),
	      want, before + 1, last ? json_object_to_json_string(last) : "(none)");
	json_object_put(last);
	err = check_file(path, NULL, NULL, &r);
	snprintf(what, sizeof(what), "%s: after the recovery the log is a valid chain of %d records", name,
		 before + 1);
	check(!err && r.records == (uint64_t)before + 1, what, "expected 0, %d records; saw %d, %llu (%s)",
	      before + 1, err, (unsigned long long)r.records, r.why);
}

static void test_torn(void)
{
	const char *path = path_of("torn.log");
	struct signlog *l;
	char why[256];

	if (open_log(path, true, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open torn.log", "0, saw %s", why);
	append_event(l, "a");
	append_event(l, "b");
	append_event(l, "c");
	signlog_close(l);
	tear_and_reopen("torn.log", 3, "{\"seq\":4,\"time\":\"2026-", "torn.log.torn");
	tear_and_reopen("torn.log", 4, "{\"seq\":5", "torn.log.torn.1");
	tear_and_reopen("torn0.log", 0, "{\"seq\":1,\"ti", "torn0.log.torn");
}

static int refuse_second(struct json_object *rec, void *arg)
{
	(void)rec;
	return ++*(int *)arg == 2 ? -ECANCELED : 0;
}

/* A broken chain is refused and left alone; the changed record is never replayed. */
/* Write @buf over the file at @path, as an editor would. */
static void rewrite(const char *path, const char *buf)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		check(false, "rewrite a log", "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void test_broken(void)
{
	const char *path = path_of("broken.log");
	struct signlog *l;
	char why[256], buf[4096], *p;
	long long size;
	int err, replayed = 0;

	if (open_log(path, false, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open broken.log", "0, saw %s", why);
	append_event(l, "a");
	append_event(l, "b");
	append_event(l, "c");
	signlog_close(l);
	err = open_log(path, false, refuse_second, &replayed, &l, why, sizeof(why));
	check(err == -ECANCELED && !strncmp(why, "line 2: ", 8),
	      "a replay that fails stops the open with its error, naming the line",
	      "expected %d and 'line 2: ...', saw %d (%s)", -ECANCELED, err, err ? why : "");
	if (!err)
		signlog_close(l);
	read_all(path, buf, sizeof(buf));
	p = strstr(buf, "\"event\":\"b\"");
	if (p)
		p[9] = 'B';
	rewrite(path, buf);
	size = size_of(path);
	replayed = 0;
	err = open_log(path, false, count, &replayed, &l, why, sizeof(why));
	check(err == -EBADMSG &&
	      !strcmp(why, "line 2: record 2 was changed (record 3 at line 3 does not chain to it)"),
	      "a changed record: open fails with -EBADMSG and says which",
	      "expected %d and 'line 2: record 2 was changed ...', saw %d (%s)", -EBADMSG, err, err ? why : "");
	if (!err)
		signlog_close(l);
	check(replayed == 1 && size_of(path) == size,
	      "only the record before the changed one is replayed; the file is left alone",
	      "expected 1 replayed and size %lld, saw %d and %lld", size, replayed, size_of(path));
}

/*
 * Names are UTF-8, written raw by json-c: they read back on every json-c
 * (0.18's strict mode alone refuses any byte over 0x7f), and a line whose
 * UTF-8 is broken, or with a byte over 0x7f outside a string, is not a
 * record on any (0.16's strict mode alone lets the first through).
 */
static void test_encoding(void)
{
	const char *path = path_of("utf8.log");
	struct json_object *o;
	struct signlog *l;
	char why[256], buf[4096], *p;
	int err, replayed = 0;

	if (open_log(path, false, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open utf8.log", "0, saw %s", why);
	o = event("sign", "name", json_object_new_string("intel/größe-\xe2\x82\xac-\xf0\x9f\x94\x91.bin"));
	err = signlog_append(l, o);
	json_object_put(o);
	append_event(l, "after");
	signlog_close(l);
	check(!err, "a record naming non-ASCII firmware is appended", "expected 0, saw %d", err);
	err = open_log(path, false, count, &replayed, &l, why, sizeof(why));
	check(!err && replayed == 2, "it reads back: 2- to 4-byte UTF-8 in a name",
	      "expected 0 and 2 replayed, saw %d (%s), %d", err, err ? why : "", replayed);
	if (!err)
		signlog_close(l);

	/* ö (c3 b6) becomes c3 28: no longer UTF-8. */
	read_all(path, buf, sizeof(buf));
	p = strstr(buf, "\xc3\xb6");
	if (p)
		p[1] = '(';
	rewrite(path, buf);
	err = open_log(path, false, NULL, NULL, &l, why, sizeof(why));
	check(err == -EBADMSG && strstr(why, "line 1: ") && strstr(why, "utf-8"),
	      "broken UTF-8 in a line is not a record",
	      "expected %d and 'line 1: ... utf-8 ...', saw %d (%s)", -EBADMSG, err, err ? why : "");
	if (!err)
		signlog_close(l);

	/* A byte over 0x7f between two members, outside any string. */
	unlink(path);
	if (open_log(path, false, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open utf8.log again", "0, saw %s", why);
	append_event(l, "a");
	signlog_close(l);
	read_all(path, buf, sizeof(buf));
	p = strchr(buf, ',');
	if (p) {
		memmove(p + 3, p + 1, strlen(p + 1) + 1);
		p[1] = '\xc3';
		p[2] = '\xa4';
	}
	rewrite(path, buf);
	err = open_log(path, false, NULL, NULL, &l, why, sizeof(why));
	check(err == -EBADMSG && strstr(why, "line 1: ") && strstr(why, "invalid JSON"),
	      "a byte over 0x7f outside a string is not JSON",
	      "expected %d and 'line 1: ... invalid JSON ...', saw %d (%s)", -EBADMSG, err, err ? why : "");
	if (!err)
		signlog_close(l);
}

static void test_not_regular(void)
{
	struct signlog *l = NULL;
	char why[256];
	int err;

	symlink("concurrent.log", path_of("link.log"));
	err = open_log(path_of("link.log"), false, NULL, NULL, &l, why, sizeof(why));
	check(err == -ELOOP, "a symlink is not followed", "expected %d, saw %d (%s)", -ELOOP, err, why);
	signlog_close(l);
	mkfifo(path_of("fifo.log"), 0600);
	err = open_log(path_of("fifo.log"), false, NULL, NULL, &l, why, sizeof(why));
	check(err == -EMEDIUMTYPE, "a FIFO is refused, without hanging", "expected %d, saw %d (%s)", -EMEDIUMTYPE,
	      err, why);
	signlog_close(l);
}

/* A record written without waiting is put on disk by the next append that waits: one sync for both. */
static void test_unwaited(void)
{
	const char *path = path_of("unwaited.log");
	struct json_object *o;
	struct signlog *l;
	char why[256];
	int before, err, err2;

	if (open_log(path, true, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open unwaited.log", "0, saw %s", why);
	before = syncs_now();
	o = event("request", NULL, NULL);
	err = signlog_write(l, o, false);
	check(!err && syncs_now() == before, "a record written without waiting costs no sync",
	      "0 and no fdatasync, saw %d and %d", err, syncs_now() - before);
	err2 = signlog_append(l, o);
	json_object_put(o);
	check(!err2 && syncs_now() == before + 1, "the next append's one sync covers both records",
	      "0 and 1 fdatasync, saw %d and %d", err2, syncs_now() - before);
	signlog_close(l);
}

struct waiter {
	pthread_t t;
	struct signlog *l;
	int after_ms, err;
};

static void *append_after(void *arg)
{
	struct waiter *w = arg;
	struct json_object *o = event("sign", NULL, NULL);

	usleep(w->after_ms * 1000);
	w->err = signlog_append(w->l, o);
	json_object_put(o);
	return NULL;
}

/*
 * Group commit: 16 threads appending at once share their syncs; and when a
 * sync fails, every writer whose record it covered gets the error, not
 * only the one that ran it (another sync after a failed one may succeed
 * without the record being on disk).
 */
static void test_group_commit(void)
{
	const char *path = path_of("group.log");
	struct waiter w[16];
	struct signlog *l;
	char why[256];
	int before, errors = 0;

	if (open_log(path, true, NULL, NULL, &l, why, sizeof(why)))
		return check(false, "open group.log", "0, saw %s", why);
	sync_delay_us = 20000;
	before = syncs_now();
	for (int i = 0; i < 16; i++) {
		w[i] = (struct waiter){ .l = l };
		pthread_create(&w[i].t, NULL, append_after, &w[i]);
	}
	for (int i = 0; i < 16; i++) {
		pthread_join(w[i].t, NULL);
		errors += !!w[i].err;
	}
	check(!errors && syncs_now() - before <= 8, "16 writers at once share their syncs (at most 8)",
	      "no error and at most 8 fdatasyncs, saw %d errors and %d", errors, syncs_now() - before);

	/* The first sync (50 ms) covers writer 0; writers 1 and 2 share the second, which fails. */
	sync_delay_us = 50000;
	fail_sync = syncs_now() + 2;
	for (int i = 0; i < 3; i++) {
		w[i] = (struct waiter){ .l = l, .after_ms = 15 * i };
		pthread_create(&w[i].t, NULL, append_after, &w[i]);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(w[i].t, NULL);
	check(!w[0].err && w[1].err == -EIO && w[2].err == -EIO,
	      "a failed sync fails both writers whose records it covered",
	      "0, -EIO, -EIO; saw %d, %d, %d", w[0].err, w[1].err, w[2].err);
	sync_delay_us = 0;
	fail_sync = 0;
	signlog_close(l);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: signlog-test DIR\n");
		return 2;
	}
	dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_concurrent();
	test_refused();
	test_limit_and_lock();
	test_failed_write();
	test_torn();
	test_broken();
	test_encoding();
	test_not_regular();
	test_unwaited();
	test_group_commit();
	return failures ? 1 : 0;
}
