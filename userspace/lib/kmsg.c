// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware requests the kernel log shows while fwverify was not
 * guarding loads.  A record is "prio,seq,usec,flags;text"; fwverify's own
 * lines open and close the guarded windows, the firmware loader's lines
 * name the requests ("direct-loading" at info level in 6.1, at debug level
 * later; "Direct firmware load for" and the fallback at warning level).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmsg.h"
#include "util.h"

/* The whole ring buffer is at most a few MiB (log_buf_len); a file, the same. */
#define KMSG_MAX_BYTES (32u << 20)
#define KMSG_NAME_MAX 512

struct kmsg_pattern {
	const char *marker;	/* the name follows it */
	const char *end;	/* and ends before this, or at the end of the line */
	const char *what;
};

/* Longest marker first where one contains another. */
static const struct kmsg_pattern kmsg_patterns[] = {
	{ "firmware: direct-loading firmware ", NULL, "loaded" },
	{ "direct-loading ", NULL, "loaded" },
	{ "f/w decompressing ", NULL, "loaded" },
	{ "Loaded FW: ", ", sha256: ", "loaded" },
	{ "Direct firmware load for ", " failed with error", "failed" },
	{ "Falling back to sysfs fallback for: ", NULL, "fallback" },
	{ "firmware: requesting ", NULL, "fallback" },
};

const char *kmsg_path(void)
{
	const char *p = getenv("FWVERIFY_KMSG");

	return p && *p ? p : "/dev/kmsg";
}

void kmsg_gap_free(struct kmsg_gap *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->ev[i].name);
	free(g->ev);
	memset(g, 0, sizeof(*g));
}

/* Record @name (@len bytes) as @what at @usec, once per name and kind. */
static int kmsg_add(struct kmsg_gap *g, const char *name, size_t len, const char *what,
		    unsigned long long usec)
{
	struct kmsg_event *ev;

	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	if (!len)
		return 0;
	if (len > KMSG_NAME_MAX)
		len = KMSG_NAME_MAX;
	for (size_t i = 0; i < g->n; i++) {
		if (g->ev[i].what == what && strlen(g->ev[i].name) == len &&
		    !memcmp(g->ev[i].name, name, len)) {
			g->ev[i].count++;
			return 0;
		}
	}
	if (g->n == KMSG_MAX_EVENTS) {
		g->dropped++;
		return 0;
	}
	if (!(g->n & (g->n - 1)) || !g->ev) {
		size_t cap = g->n ? g->n * 2 : 8;

		ev = reallocarray(g->ev, cap, sizeof(*ev));
		if (!ev)
			return -ENOMEM;
		g->ev = ev;
	}
	ev = &g->ev[g->n];
	ev->name = strndup(name, len);
	if (!ev->name)
		return -ENOMEM;
	ev->what = what;
	ev->usec = usec;
	ev->count = 1;
	g->n++;
	return 0;
}

static bool kmsg_starts(const char *msg, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !memcmp(msg, lit, n);
}

/* One of fwverify's own lines (@msg after "fwverify: "). */
static int kmsg_fwverify_line(struct kmsg_gap *g, const char *msg, size_t len,
			      unsigned long long usec, bool *guarded)
{
	static const char ready[] = " before fwverify was ready, ";
	const char *p, *colon;

	if (kmsg_starts(msg, len, "no longer guarding firmware loads")) {
		*guarded = false;
		return 0;
	}
	if (kmsg_starts(msg, len, "guarding firmware loads")) {
		if (!g->started) {
			g->started = true;
			g->start_usec = usec;
		}
		*guarded = true;
		return 0;
	}
	/* Built in: "<file>: read before fwverify was ready, allowed". */
	p = memmem(msg, len, ready, sizeof(ready) - 1);
	if (!p)
		return 0;
	colon = memmem(msg, p - msg, ": ", 2);
	return kmsg_add(g, msg, (colon ? colon : p) - msg, "unguarded", usec);
}

static int kmsg_line(struct kmsg_gap *g, const char *line, size_t len, bool *guarded)
{
	const char *semi = memchr(line, ';', len), *msg;
	unsigned long long usec;
	size_t mlen;

	/* "prio,seq,usec,flags;": the third field is the time. */
	if (!semi || sscanf(line, "%*u,%*u,%llu", &usec) != 1)
		return 0;
	msg = semi + 1;
	mlen = len - (msg - line);
	if (mlen > 10 && !strncmp(msg, "fwverify: ", 10))
		return kmsg_fwverify_line(g, msg + 10, mlen - 10, usec, guarded);
	for (size_t i = 0; i < sizeof(kmsg_patterns) / sizeof(kmsg_patterns[0]); i++) {
		const struct kmsg_pattern *pt = &kmsg_patterns[i];
		const char *name = memmem(msg, mlen, pt->marker, strlen(pt->marker)), *end;

		if (!name)
			continue;
		if (i == 0)
			g->info_loads = true;
		if (*guarded)
			return 0;
		name += strlen(pt->marker);
		end = pt->end ? memmem(name, mlen - (name - msg), pt->end, strlen(pt->end)) : NULL;
		return kmsg_add(g, name, (end ? end : msg + mlen) - name, pt->what, usec);
	}
	return 0;
}

int kmsg_parse(const char *text, struct kmsg_gap *g)
{
	bool guarded = false;
	const char *line, *nl;
	int err;

	memset(g, 0, sizeof(*g));
	for (line = text; *line; line = *nl ? nl + 1 : nl) {
		nl = strchrnul(line, '\n');
		/* Continuation lines (" SUBSYSTEM=...") carry no message. */
		if (*line == ' ')
			continue;
		err = kmsg_line(g, line, nl - line, &guarded);
		if (err) {
			kmsg_gap_free(g);
			return err;
		}
	}
	return 0;
}

/*
 * /dev/kmsg gives one record a read(2), -EPIPE for a record overwritten
 * while reading (skipped), and -EAGAIN at the end; a file is read whole.
 */
static int kmsg_slurp(int fd, char **text)
{
	size_t cap = 64 << 10, n = 0;
	char *buf = malloc(cap), *nbuf;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - n < 8192 + 1) {
			if (cap >= KMSG_MAX_BYTES)
				break;
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	*text = buf;
	return 0;
}

int kmsg_read_gap(struct kmsg_gap *g)
{
	_cleanup_(closep) int fd = open(kmsg_path(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	_cleanup_(freep) char *text = NULL;
	int err;

	if (fd < 0)
		return -errno;
	err = kmsg_slurp(fd, &text);
	return err ?: kmsg_parse(text, g);
}

bool kmsg_loader_debug_on(void)
{
	const char *path = getenv("FWVERIFY_CMDLINE");
	unsigned char *data = NULL;
	size_t len = 0;
	char *s;
	bool on;

	if (read_file(path && *path ? path : "/proc/cmdline", 64 << 10, &data, &len))
		return false;
	s = strndup((char *)data, len);
	free(data);
	if (!s)
		return false;
	/* firmware_class.dyndbg=+p, or a dyndbg="file ...firmware_loader..." query. */
	on = strstr(s, "firmware_class.dyndbg=") || (strstr(s, "dyndbg=") && strstr(s, "firmware_loader"));
	free(s);
	return on;
}
