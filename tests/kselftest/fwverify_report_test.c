// SPDX-License-Identifier: GPL-2.0
/*
 * fwverify kselftests of what fwverify reports about each decision: the
 * firmware table (/sys/kernel/fwverify/firmware/), the counters, the audit
 * records, the uevents, the check file and the verdict cache, for hostile
 * firmware names too, and that all of it stays exact while many loads run
 * at once and while the module comes and goes.
 *
 * Runs as root in the test VM with fwverify.ko and test_firmware.ko loaded.
 * The firmware it loads is made at run time under /lib/firmware/RDIR/, one
 * name per test: the loader and the verdict cache remember names.
 */
#include "fwverify_lib.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#define RDIR		"fwverify-report"
#define FWROOT		"/lib/firmware/"
#define MAX_ENTRIES	"/sys/module/fwverify/parameters/max_entries"
#define RSA_SIGNER	"fwverify test RSA signer"
/* Longest table directory name before it is cut and given a hash. */
#define DIRNAME_MAX	200
/* uevent values are cut to this many bytes. */
#define UEVENT_VALUE_MAX 256
#define REC_MAX		4096

/* ---- files ------------------------------------------------------------- */

/* mkdir -p of the directory that holds @path. */
static int mkdirs(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* /lib/firmware/@name: @size random bytes, signed with @key unless NULL. */
static int fw_make(const char *name, size_t size, const char *key)
{
	char path[768], sig[800];
	int err;

	snprintf(path, sizeof(path), FWROOT "%s", name);
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	err = mkdirs(path);
	if (!err)
		err = make_blob(path, size);
	unlink(sig);
	if (!err && key)
		err = sign_with(path, key);
	return err;
}

/* "sha256:<hex>" of @path, by busybox sha256sum (of a copy: any name). */
static int file_digest(const char *path, char *out, size_t len)
{
	static const char tmp[] = "/tmp/fwverify-report-sha";
	char hex[65] = "";
	FILE *p;
	int n;

	if (copy_file(path, tmp))
		return -EIO;
	p = popen("sha256sum /tmp/fwverify-report-sha", "r");
	if (!p)
		return -errno;
	n = fscanf(p, "%64s", hex);
	pclose(p);
	unlink(tmp);
	if (n != 1 || strlen(hex) != 64)
		return -EIO;
	snprintf(out, len, "sha256:%s", hex);
	return 0;
}

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* @path holds exactly one line of printable ASCII (maybe empty). */
static bool one_line(const char *path)
{
	size_t i, n = 0;
	char *b = slurp(path, &n);
	bool ok = b && n >= 1 && b[n - 1] == '\n';

	for (i = 0; ok && i + 1 < n; i++)
		ok = b[i] >= 0x20 && b[i] < 0x7f;
	free(b);
	return ok;
}

/* Every line of @path is printable ASCII and ends in '\n'; their number. */
static int printable_lines(const char *path)
{
	size_t i, n = 0;
	char *b = slurp(path, &n);
	int lines = 0;

	if (!b || (n && b[n - 1] != '\n'))
		lines = -1;
	for (i = 0; lines >= 0 && i < n; i++) {
		if (b[i] == '\n')
			lines++;
		else if (b[i] < 0x20 || b[i] >= 0x7f)
			lines = -1;
	}
	free(b);
	return lines;
}

/* ---- the firmware table ------------------------------------------------ */

/* As the module escapes names: \xHH for control, non-ASCII and '\'. */
static char *escape(const char *s, char slash)
{
	char *out = malloc(strlen(s) * 4 + 1), *o = out;
	const unsigned char *p;

	for (p = (const unsigned char *)s; out && *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (*p == '/' && slash) ? slash : *p;
	}
	if (out)
		*o = '\0';
	return out;
}

static int table_read(const char *dir, const char *field, char *buf,
		      size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), TABLE "%s/%s", dir, field);
	return read_str(path, buf, len);
}

/* The table directory whose name file reads @escaped; 0 or -ENOENT. */
static int table_find(const char *escaped, char *dir, size_t len)
{
	char buf[8192];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d = opendir(TABLE);

	if (!d)
		return -errno;
	while (ret && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!table_read(de->d_name, "name", buf, sizeof(buf)) &&
		    !strcmp(buf, escaped)) {
			snprintf(dir, len, "%s", de->d_name);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

/* The table directory of the firmware requested as @name. */
static int table_dir(const char *name, char *dir, size_t len)
{
	char *esc = escape(name, 0);
	int ret = esc ? table_find(esc, dir, len) : -ENOMEM;

	free(esc);
	return ret;
}

static int table_entries(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(TABLE);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static long table_loads(const char *dir)
{
	char buf[32] = "";

	return table_read(dir, "loads", buf, sizeof(buf)) ? -1 :
	       strtol(buf, NULL, 10);
}

/* ---- counters ---------------------------------------------------------- */

static const char *const counter_names[] = {
	"verified", "unsigned", "bad_signature", "untrusted", "revoked",
	"malformed", "error", "denied", "allowed", "cached",
};
#define NCOUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))

struct counts {
	long c[NCOUNTERS];
};

static void counts_read(struct counts *c)
{
	size_t i;

	for (i = 0; i < NCOUNTERS; i++)
		c->c[i] = read_counter(counter_names[i]);
}

/* The first counter that differs between @a and @b, or NULL. */
static const char *counts_changed(const struct counts *a,
				  const struct counts *b)
{
	size_t i;

	for (i = 0; i < NCOUNTERS; i++)
		if (a->c[i] != b->c[i])
			return counter_names[i];
	return NULL;
}

static long delta(const struct counts *before, const struct counts *after,
		  const char *name)
{
	size_t i;

	for (i = 0; i < NCOUNTERS; i++)
		if (!strcmp(counter_names[i], name))
			return after->c[i] - before->c[i];
	return LONG_MIN;
}

/* ---- audit over netlink ------------------------------------------------ */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Send an audit control message and wait for its ack (and, for AUDIT_GET,
 * its reply, which may come after the ack).  0 or -errno.
 */
static int audit_talk(int fd, __u16 type, const struct audit_status *s,
		      struct audit_status *reply)
{
	static __u32 seq;
	struct {
		struct nlmsghdr nh;
		struct audit_status s;
	} msg = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	bool acked = false, got = !reply;
	long end = now_ms() + 2000;
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int err = 0;

	msg.nh.nlmsg_len = NLMSG_LENGTH(s ? sizeof(*s) : 0);
	msg.nh.nlmsg_type = type;
	msg.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	msg.nh.nlmsg_seq = ++seq;
	if (s)
		msg.s = *s;
	if (sendto(fd, &msg, msg.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	while (!(acked && got) && now_ms() < end) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		ssize_t n;

		if (poll(&pfd, 1, end - now_ms()) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return -errno;
		for (; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != msg.nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				acked = true;
				if (err)
					return err;
			} else if (nh->nlmsg_type == type && reply) {
				memcpy(reply, NLMSG_DATA(nh), sizeof(*reply));
				got = true;
			}
		}
	}
	return acked && got ? 0 : -ETIMEDOUT;
}

/*
 * Become the audit daemon, as auditd does (AUDIT_SET pid and enabled):
 * every audit record then comes to the returned socket.  @old gets the
 * status to restore.  The fd, or -errno.
 */
static int audit_start(struct audit_status *old)
{
	struct audit_status s = {
		.mask = AUDIT_STATUS_PID | AUDIT_STATUS_ENABLED,
		.enabled = 1,
		.pid = getpid(),
	};
	int fd, err, tries;
	int rcvbuf = 4 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	/* kauditd blocks when the daemon's buffer is full: make it large. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	err = audit_talk(fd, AUDIT_GET, NULL, old);
	/* A daemon that died unregistered is noticed when kauditd sends. */
	for (tries = 0; !err && tries < 20; tries++) {
		err = audit_talk(fd, AUDIT_SET, &s, NULL);
		if (err != -EEXIST)
			break;
		usleep(100000);
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static void audit_stop(int fd, const struct audit_status *old)
{
	struct audit_status s = {
		.mask = AUDIT_STATUS_PID | AUDIT_STATUS_ENABLED,
		.enabled = old->enabled,
		.pid = 0,
	};

	audit_talk(fd, AUDIT_SET, &s, NULL);
	close(fd);
}

/* The raw value of " @key=" in @rec (up to a space), or NULL. */
static const char *audit_raw(const char *rec, const char *key, char *out,
			     size_t len)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(rec, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	n = strcspn(p, " ");
	if (n >= len)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/*
 * The string value of @key, decoded as audit_log_untrustedstring() encodes
 * it: "quoted", hex, or ? for an empty string.  NULL if absent or garbled.
 */
static const char *audit_str(const char *rec, const char *key, char *out,
			     size_t len)
{
	char raw[REC_MAX];
	size_t i, n;

	if (!audit_raw(rec, key, raw, sizeof(raw)))
		return NULL;
	n = strlen(raw);
	if (!strcmp(raw, "?")) {
		out[0] = '\0';
	} else if (raw[0] == '"') {
		if (n < 2 || raw[n - 1] != '"' || n - 2 >= len)
			return NULL;
		memcpy(out, raw + 1, n - 2);
		out[n - 2] = '\0';
	} else {
		if (n % 2 || n / 2 >= len)
			return NULL;
		for (i = 0; i < n / 2; i++) {
			unsigned int b;

			if (!isxdigit(raw[2 * i]) || !isxdigit(raw[2 * i + 1]) ||
			    sscanf(raw + 2 * i, "%2x", &b) != 1)
				return NULL;
			out[i] = b;
		}
		out[n / 2] = '\0';
	}
	return out;
}

/*
 * Every field of a decision's record, once each and in the order its ABI
 * document gives, however its values are written (quoted or in hex): the
 * module writes a record in one piece or field by field.
 */
static bool audit_fields_in_order(const char *rec)
{
	static const char *const keys[] = {
		"source", "pid", "uid", "auid", "ses", "comm", "name", "path",
		"result", "action", "signer", "digest", "res",
	};
	const char *at = strstr(rec, "op=fwverify ");
	char pat[32];
	size_t i;

	for (i = 0; at && i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(pat, sizeof(pat), " %s=", keys[i]);
		/* Values hold no space: a key found twice is a second field. */
		if (strstr(rec, pat) != strstr(at, pat) ||
		    strstr(strstr(at, pat) + 1, pat))
			return false;
		at = strstr(at, pat);
	}
	return at;
}

/* This task's name, as the kernel keeps it (/proc/self/comm). */
static const char *self_comm(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/comm", "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}

/*
 * fwverify's audit records about the firmware requested as @name that
 * arrive within @ms (and 300 ms more once @want have come): their number,
 * the first @max copied to @recs.
 */
static int audit_collect(int fd, const char *name, char (*recs)[REC_MAX],
			 int max, int want, int ms)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char rec[REC_MAX], val[REC_MAX];
	long end = now_ms() + ms;
	int count = 0;

	while (now_ms() < end) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		ssize_t n;

		if (poll(&pfd, 1, end - now_ms()) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		/*
		 * One record a datagram.  Its nlmsg_len counts only the
		 * payload (an audit quirk): take the length received.
		 */
		if (n > NLMSG_HDRLEN && nh->nlmsg_type == AUDIT_INTEGRITY_DATA) {
			size_t len = n - NLMSG_HDRLEN;

			len = len < sizeof(rec) - 1 ? len : sizeof(rec) - 1;
			memcpy(rec, NLMSG_DATA(nh), len);
			rec[len] = '\0';
			if (!strstr(rec, "op=fwverify ") ||
			    !audit_str(rec, "name", val, sizeof(val)) ||
			    strcmp(val, name))
				continue;
			if (count < max)
				memcpy(recs[count], rec, len + 1);
			if (++count == want && end > now_ms() + 300)
				end = now_ms() + 300;
		}
	}
	return count;
}

/* ---- uevents ----------------------------------------------------------- */

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int rcvbuf = 4 << 20;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

struct uevent {
	char buf[8192];
	size_t len;
};

/* The value of @key in @ev, or NULL. */
static const char *uevent_get(const struct uevent *ev, const char *key)
{
	size_t klen = strlen(key), i;

	for (i = 0; i < ev->len; i += strlen(ev->buf + i) + 1)
		if (!strncmp(ev->buf + i, key, klen) && ev->buf[i + klen] == '=')
			return ev->buf + i + klen + 1;
	return NULL;
}

/*
 * uevents of /kernel/fwverify whose FWVERIFY_NAME is @value, arriving
 * within @ms (300 ms more once @want have come): their number, the first
 * @max copied to @evs.
 */
static int uevent_collect(int fd, const char *value, struct uevent *evs,
			  int max, int want, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long end = now_ms() + ms;
	struct uevent ev;
	const char *v;
	int count = 0;

	while (now_ms() < end) {
		ssize_t n;

		if (poll(&pfd, 1, end - now_ms()) <= 0)
			break;
		n = recv(fd, ev.buf, sizeof(ev.buf) - 1, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		ev.buf[n] = '\0';
		ev.len = n;
		v = uevent_get(&ev, "DEVPATH");
		if (!v || strcmp(v, "/kernel/fwverify"))
			continue;
		v = uevent_get(&ev, "FWVERIFY_NAME");
		if (!v || strcmp(v, value))
			continue;
		if (count < max)
			evs[count] = ev;
		if (++count == want && end > now_ms() + 300)
			end = now_ms() + 300;
	}
	return count;
}

/* Every KEY=VALUE of @ev is printable ASCII: no newline can hide in it. */
static bool uevent_printable(const struct uevent *ev)
{
	size_t i;

	for (i = 0; i < ev->len; i++)
		if (ev->buf[i] && (ev->buf[i] < 0x20 || ev->buf[i] >= 0x7f))
			return false;
	return true;
}

/* @s cut to the uevent value limit, as the module cuts it. */
static char *cut(char *s, size_t max)
{
	if (strlen(s) > max)
		s[max] = '\0';
	return s;
}

/* ---- test_firmware ----------------------------------------------------- */

static long tf_get(const char *attr)
{
	char path[256], buf[32] = "";

	snprintf(path, sizeof(path), TF_DIR "%s", attr);
	return read_str(path, buf, sizeof(buf)) ? LONG_MIN :
	       strtol(buf, NULL, 10);
}

/*
 * @n requests of @name at once: sync from n kernel threads (into a
 * driver's buffer if @into_buf), or @async with request_firmware_nowait().
 * 0 or the trigger's -errno; *@result is test_firmware's test_result.
 */
static int tf_batch(const char *name, int n, bool into_buf, bool async,
		    long *result)
{
	char num[16];
	int err;

	snprintf(num, sizeof(num), "%d", n);
	err = tf_set("reset", "1");
	if (!err)
		err = tf_set("config_name", name);
	if (!err)
		err = tf_set("config_num_requests", num);
	if (!err)
		err = tf_set("config_into_buf", into_buf ? "1" : "0");
	if (!err)
		err = tf_set(async ? "trigger_batched_requests_async" :
				     "trigger_batched_requests", "1");
	if (!async)
		tf_batch_done();
	*result = tf_get("test_result");
	return err;
}

/* How many of the @n batched requests hold exactly the file @name. */
static int tf_batch_holding(const char *name, int n)
{
	char path[PATH_MAX], idx[16];
	size_t flen = 0, dlen = 0;
	char *file, *got;
	int i, same = 0;

	snprintf(path, sizeof(path), FWROOT "%s", name);
	file = slurp(path, &flen);
	for (i = 0; file && i < n; i++) {
		snprintf(idx, sizeof(idx), "%d", i);
		if (tf_set("config_read_fw_idx", idx))
			break;
		got = slurp(TF_DIR "read_firmware", &dlen);
		same += got && dlen == flen && !memcmp(got, file, flen);
		free(got);
	}
	free(file);
	return same;
}

/* ---- the fixture ------------------------------------------------------- */

FIXTURE(report) {
	int audit_fd, uevent_fd;
	struct audit_status audit_old;
	char max_entries[32];
};

FIXTURE_SETUP(report)
{
	self->audit_fd = -1;
	self->uevent_fd = -1;
	srand(getpid() ^ time(NULL));
	ASSERT_EQ(0, mkdirs(FWROOT RDIR "/"));
	ASSERT_EQ(0, read_str(MAX_ENTRIES, self->max_entries,
			      sizeof(self->max_entries)));
	ASSERT_EQ(0, set_mode("enforce"));
}

FIXTURE_TEARDOWN(report)
{
	if (self->audit_fd >= 0)
		audit_stop(self->audit_fd, &self->audit_old);
	if (self->uevent_fd >= 0)
		close(self->uevent_fd);
	if (access("/sys/module/fwverify", F_OK))
		load_module("");
	write_str(MAX_ENTRIES, self->max_entries);
	set_mode("log");
	tf_set("reset", "1");
}

/* Listen for audit records and uevents from now on. */
static void listen_reports(struct __test_metadata *_metadata,
			   FIXTURE_DATA(report) *self)
{
	self->uevent_fd = uevent_open();
	ASSERT_LE(0, self->uevent_fd) TH_LOG("uevent socket: %s",
					     strerror(-self->uevent_fd));
	self->audit_fd = audit_start(&self->audit_old);
	ASSERT_LE(0, self->audit_fd)
		TH_LOG("cannot register as the audit daemon: %s",
		       strerror(-self->audit_fd));
}

/* ---- 1. the table entry ------------------------------------------------ */

/*
 * The table entry of @name after one load: @signer is what the signer field
 * starts with ("" for none).
 */
static void check_entry(struct __test_metadata *_metadata, const char *name,
			const char *result, const char *action,
			const char *signer)
{
	char dir[512], buf[4096], digest[80], path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), FWROOT "%s", name);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0, file_digest(path, digest, sizeof(digest)));
	ASSERT_EQ(0, table_dir(name, dir, sizeof(dir)))
		TH_LOG("no table entry named %s", name);

	EXPECT_EQ(0, table_read(dir, "result", buf, sizeof(buf)));
	EXPECT_STREQ(result, buf);
	EXPECT_EQ(0, table_read(dir, "action", buf, sizeof(buf)));
	EXPECT_STREQ(action, buf);
	EXPECT_EQ(0, table_read(dir, "signer", buf, sizeof(buf)));
	if (*signer) {
		EXPECT_EQ(0, strncmp(buf, signer, strlen(signer)))
			TH_LOG("signer: expected '%s...', saw '%s'", signer, buf);
	} else {
		EXPECT_STREQ("", buf);
	}
	EXPECT_EQ(0, table_read(dir, "digest", buf, sizeof(buf)));
	EXPECT_STREQ(digest, buf);
	EXPECT_EQ(0, table_read(dir, "size", buf, sizeof(buf)));
	EXPECT_EQ(st.st_size, strtol(buf, NULL, 10))
		TH_LOG("size: expected %lld, saw '%s'", (long long)st.st_size, buf);
	EXPECT_EQ(0, table_read(dir, "path", buf, sizeof(buf)));
	EXPECT_STREQ(path, buf);
	EXPECT_EQ(0, table_read(dir, "last_load", buf, sizeof(buf)));
	EXPECT_GE(5, labs(time(NULL) - strtol(buf, NULL, 10)))
		TH_LOG("last_load %s is not now (%lld)", buf,
		       (long long)time(NULL));
}

TEST_F(report, table_entry_of_a_verified_load_has_every_field)
{
	const char *name = RDIR "/table-verified.bin";
	char dir[512], buf[4096];

	ASSERT_EQ(0, fw_make(name, 3000, "rsa-signer"));
	ASSERT_EQ(0, request_fw(name));
	ASSERT_TRUE(driver_has(name));
	check_entry(_metadata, name, "verified", "allowed",
		    RSA_SIGNER ": ");
	ASSERT_EQ(0, table_dir(name, dir, sizeof(dir)));
	EXPECT_EQ(1, table_loads(dir));
	snprintf(buf, sizeof(buf), TABLE "%s/reads", dir);
	EXPECT_EQ(1, printable_lines(buf));

	/* Each request counts once. */
	ASSERT_EQ(0, request_fw(name));
	EXPECT_EQ(2, table_loads(dir));
	ASSERT_EQ(0, request_fw(name));
	EXPECT_EQ(3, table_loads(dir));
}

TEST_F(report, table_entry_of_an_unsigned_load_in_log_mode)
{
	const char *name = RDIR "/table-unsigned.bin";

	ASSERT_EQ(0, set_mode("log"));
	ASSERT_EQ(0, fw_make(name, 2000, NULL));
	ASSERT_EQ(0, request_fw(name));
	ASSERT_TRUE(driver_has(name));
	check_entry(_metadata, name, "unsigned", "allowed", "");
}

TEST_F(report, table_entry_of_a_denied_load)
{
	const char *name = RDIR "/table-denied.bin";

	ASSERT_EQ(0, fw_make(name, 2000, "untrusted"));
	ASSERT_EQ(-EKEYREJECTED, request_fw(name));
	/* A key not in .fwverify is named by its id. */
	check_entry(_metadata, name, "untrusted", "denied", "id:");
}

/* ---- 2. the table is bounded ------------------------------------------- */

TEST_F(report, table_holds_at_most_max_entries_and_drops_the_oldest)
{
	char name[128], dir[512];
	int i, n;

	ASSERT_EQ(0, set_mode("log"));
	/* A table fuller than the bound about to be set. */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), RDIR "/fill-%d.bin", i);
		ASSERT_EQ(0, fw_make(name, 64, NULL));
		ASSERT_EQ(0, request_fw(name));
	}
	ASSERT_LT(8, table_entries());

	ASSERT_EQ(0, write_str(MAX_ENTRIES, "8"));
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), RDIR "/bound-%d.bin", i);
		ASSERT_EQ(0, fw_make(name, 64, NULL));
		ASSERT_EQ(0, request_fw(name));
	}
	/*
	 * An evicted entry's directory goes in a work item after the load
	 * (removing it there could wait on a reader of it): a moment.
	 */
	for (i = 0; i < 40 && (n = table_entries()) > 8; i++)
		usleep(50000);
	EXPECT_GE(8, n) TH_LOG("max_entries 8: the table holds %d entries", n);
	/* The 8 used last are there, the first is gone. */
	for (i = 42; i < 50; i++) {
		snprintf(name, sizeof(name), RDIR "/bound-%d.bin", i);
		EXPECT_EQ(0, table_dir(name, dir, sizeof(dir)))
			TH_LOG("%s, among the newest, is missing", name);
	}
	EXPECT_EQ(-ENOENT, table_dir(RDIR "/bound-0.bin", dir, sizeof(dir)));
	EXPECT_EQ(-ENOENT, table_dir(RDIR "/fill-0.bin", dir, sizeof(dir)));
}

/* ---- 3. hostile names -------------------------------------------------- */

/*
 * Load the signed firmware @name in enforce mode and check that it loads
 * as any other, and that the table, the audit record and the uevent report
 * it with an escaped name, each value a single line.  @resolved is the
 * file's own path when it differs from /lib/firmware/@name.
 */
static void check_hostile(struct __test_metadata *_metadata,
			  FIXTURE_DATA(report) *self, const char *name,
			  const char *resolved, char *dir_out, size_t dir_len)
{
	static const char *const fields[] = {
		"name", "result", "action", "signer", "digest", "size", "path",
		"loads", "last_load",
	};
	char dir[512], path[PATH_MAX], buf[8192], rec[REC_MAX], val[REC_MAX];
	char (*recs)[REC_MAX] = malloc(2 * REC_MAX);
	struct uevent *evs = malloc(2 * sizeof(*evs));
	char *esc = escape(name, 0), *want_dir = escape(name, '!');
	char *esc_path, *ev_name;
	size_t i;
	int n;

	ASSERT_TRUE(recs && evs && esc && want_dir);
	if (!resolved) {
		snprintf(path, sizeof(path), FWROOT "%s", name);
		resolved = path;
	}
	esc_path = escape(resolved, 0);
	ASSERT_EQ(0, fw_make(name, 1500, "rsa-signer"));
	listen_reports(_metadata, self);

	ASSERT_EQ(0, request_fw(name)) TH_LOG("a signed file with a hostile name must load");
	EXPECT_TRUE(driver_has(name));

	/* The table: found by its escaped name, in a documented directory. */
	ASSERT_EQ(0, table_find(esc, dir, sizeof(dir)))
		TH_LOG("no table entry whose name reads '%s'", esc);
	if (strlen(want_dir) <= DIRNAME_MAX) {
		EXPECT_STREQ(want_dir, dir);
	} else {
		EXPECT_EQ((size_t)DIRNAME_MAX + 9, strlen(dir));
		EXPECT_EQ(0, strncmp(want_dir, dir, DIRNAME_MAX))
			TH_LOG("directory %s is not the escaped name cut short", dir);
		EXPECT_EQ('~', dir[DIRNAME_MAX]);
		EXPECT_TRUE(is_hex(dir + DIRNAME_MAX + 1, 8));
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(buf, sizeof(buf), TABLE "%s/%s", dir, fields[i]);
		EXPECT_TRUE(one_line(buf)) TH_LOG("%s is not one printable line", buf);
	}
	snprintf(buf, sizeof(buf), TABLE "%s/reads", dir);
	EXPECT_EQ(1, printable_lines(buf));
	EXPECT_EQ(0, table_read(dir, "result", buf, sizeof(buf)));
	EXPECT_STREQ("verified", buf);
	EXPECT_EQ(0, table_read(dir, "path", buf, sizeof(buf)));
	EXPECT_STREQ(esc_path, buf);

	/* One audit record; untrusted strings quoted or in hex, never raw. */
	n = audit_collect(self->audit_fd, name, recs, 2, 1, 3000);
	EXPECT_EQ(1, n) TH_LOG("expected one audit record, saw %d", n);
	if (n >= 1) {
		memcpy(rec, recs[0], sizeof(rec));
		for (i = 0; rec[i]; i++)
			EXPECT_TRUE(rec[i] >= 0x20 && rec[i] < 0x7f)
				TH_LOG("byte 0x%02x in the record", (unsigned char)rec[i]);
		EXPECT_NE(NULL, audit_str(rec, "path", val, sizeof(val)));
		EXPECT_STREQ(resolved, val);
		EXPECT_NE(NULL, audit_raw(rec, "result", val, sizeof(val)));
		EXPECT_STREQ("verified", val);
		EXPECT_NE(NULL, audit_raw(rec, "res", val, sizeof(val)));
		EXPECT_STREQ("1", val);
		EXPECT_TRUE(audit_fields_in_order(rec)) TH_LOG("record: %s", rec);
		if (strpbrk(name, "\n\" ") || strchr(name, '\xff'))
			EXPECT_EQ(NULL, strstr(rec, " name=\""))
				TH_LOG("a name with such bytes must be hex: %s", rec);
	}

	/* Whatever uevents come carry no raw byte (their number: uevent test). */
	ev_name = cut(esc, UEVENT_VALUE_MAX);
	n = uevent_collect(self->uevent_fd, ev_name, evs, 2, 1, 1000);
	EXPECT_GE(1, n);
	if (n >= 1) {
		EXPECT_TRUE(uevent_printable(&evs[0]));
		EXPECT_STREQ(cut(esc_path, UEVENT_VALUE_MAX),
			     uevent_get(&evs[0], "FWVERIFY_PATH"));
	}
	if (dir_out)
		snprintf(dir_out, dir_len, "%s", dir);
	free(recs);
	free(evs);
	free(esc);
	free(want_dir);
	free(esc_path);
}

TEST_F(report, hostile_name_long_and_nested)
{
	char name[512];
	int i;

	/* 4 directories of 70 bytes: a 311-byte name, cut in the table. */
	snprintf(name, sizeof(name), RDIR "/long");
	for (i = 0; i < 4; i++) {
		size_t l = strlen(name);

		name[l] = '/';
		memset(name + l + 1, 'd', 70);
		name[l + 71] = '\0';
	}
	strcat(name, "/fw.bin");
	ASSERT_LT(300U, strlen(name));
	check_hostile(_metadata, self, name, NULL, NULL, 0);
}

TEST_F(report, hostile_name_just_over_the_directory_limit)
{
	char name[256];
	size_t len;

	/* 201 to 208 bytes: cut, with the hash going past the name's end. */
	for (len = 201; len <= 208; len += 7) {
		snprintf(name, sizeof(name), RDIR "/cut%zu-", len);
		memset(name + strlen(name), 'c', len - strlen(name) - 4);
		strcpy(name + len - 4, ".bin");
		ASSERT_EQ(len, strlen(name));
		check_hostile(_metadata, self, name, NULL, NULL, 0);
		if (self->audit_fd >= 0)
			audit_stop(self->audit_fd, &self->audit_old);
		close(self->uevent_fd);
		self->audit_fd = self->uevent_fd = -1;
	}
}

TEST_F(report, hostile_name_with_a_newline)
{
	check_hostile(_metadata, self, RDIR "/new\nline.bin", NULL, NULL, 0);
}

TEST_F(report, hostile_name_with_bytes_that_are_not_utf8)
{
	check_hostile(_metadata, self, RDIR "/bad-\xff\xfe.bin", NULL, NULL, 0);
}

TEST_F(report, hostile_name_with_quote_space_and_backslash)
{
	check_hostile(_metadata, self, RDIR "/q\" s\\x41.bin", NULL, NULL, 0);
}

TEST_F(report, hostile_name_with_a_dot_component)
{
	/* The loader reads /lib/firmware/RDIR/./dot.bin as it is named. */
	check_hostile(_metadata, self, RDIR "/./dot.bin",
		      FWROOT RDIR "/dot.bin", NULL, 0);
}

TEST_F(report, hostile_names_that_differ_only_by_slash_and_bang)
{
	char dir1[512], dir2[512];

	/*
	 * Both would be the directory "RDIR!c!x": the second gets a hash.
	 * fwverify_dirname() writes "~<hash>" past the end of its buffer
	 * here (a 9-byte overflow, silent in kmalloc-32 but a KFENCE report
	 * with kfence.sample_interval=1).
	 */
	check_hostile(_metadata, self, RDIR "/c!x", NULL, dir1, sizeof(dir1));
	audit_stop(self->audit_fd, &self->audit_old);
	close(self->uevent_fd);
	self->audit_fd = self->uevent_fd = -1;
	ASSERT_EQ(0, fw_make(RDIR "/c/x", 100, "rsa-signer"));
	ASSERT_EQ(0, request_fw(RDIR "/c/x"));
	ASSERT_EQ(0, table_dir(RDIR "/c/x", dir2, sizeof(dir2)))
		TH_LOG("the second of two colliding names has no entry");
	EXPECT_STRNE(dir1, dir2);
	EXPECT_EQ(0, strncmp(dir2, RDIR "!c!x~", strlen(RDIR "!c!x~")));
	EXPECT_TRUE(is_hex(dir2 + strlen(RDIR "!c!x~"), 8));
}

TEST_F(report, name_with_dotdot_is_refused_by_the_loader_unreported)
{
	const char *name = RDIR "/../" RDIR "/dotdot.bin";
	char (*recs)[REC_MAX] = malloc(REC_MAX), dir[512];
	struct counts before, after;
	const char *changed;

	ASSERT_EQ(0, fw_make(RDIR "/dotdot.bin", 100, "rsa-signer"));
	listen_reports(_metadata, self);
	counts_read(&before);
	EXPECT_EQ(-EINVAL, request_fw(name));
	counts_read(&after);
	changed = counts_changed(&before, &after);
	EXPECT_EQ(NULL, changed) TH_LOG("counter %s changed", changed ?: "");
	EXPECT_EQ(-ENOENT, table_dir(name, dir, sizeof(dir)));
	EXPECT_EQ(0, audit_collect(self->audit_fd, name, recs, 1, 1, 500));
	free(recs);
}

/* ---- 4. audit ---------------------------------------------------------- */

/* The one audit record of a load of @name; its fields as expected. */
static void check_audit(struct __test_metadata *_metadata, int fd,
			const char *name, const char *result,
			const char *action, const char *res, bool signer)
{
	char (*recs)[REC_MAX] = malloc(3 * REC_MAX);
	char path[PATH_MAX], digest[80], val[REC_MAX], comm[32];
	const char *rec;
	int n;

	ASSERT_NE(NULL, recs);
	snprintf(path, sizeof(path), FWROOT "%s", name);
	ASSERT_EQ(0, file_digest(path, digest, sizeof(digest)));
	n = audit_collect(fd, name, recs, 3, 1, 3000);
	ASSERT_EQ(1, n) TH_LOG("%s: expected one audit record, saw %d", name, n);
	rec = recs[0];
	EXPECT_NE(NULL, strstr(rec, "op=fwverify source=file "))
		TH_LOG("record: %s", rec);
	EXPECT_TRUE(audit_fields_in_order(rec)) TH_LOG("record: %s", rec);
	/* This task loaded: the record names it, though another wrote it. */
	EXPECT_NE(NULL, audit_raw(rec, "pid", val, sizeof(val)));
	EXPECT_EQ(getpid(), atoi(val));
	EXPECT_NE(NULL, audit_str(rec, "comm", val, sizeof(val)));
	EXPECT_STREQ(self_comm(comm, sizeof(comm)), val);
	EXPECT_NE(NULL, audit_str(rec, "path", val, sizeof(val)));
	EXPECT_STREQ(path, val);
	EXPECT_NE(NULL, audit_raw(rec, "result", val, sizeof(val)));
	EXPECT_STREQ(result, val);
	EXPECT_NE(NULL, audit_raw(rec, "action", val, sizeof(val)));
	EXPECT_STREQ(action, val);
	EXPECT_NE(NULL, audit_str(rec, "signer", val, sizeof(val)));
	if (signer) {
		EXPECT_NE(NULL, strstr(val, RSA_SIGNER)) TH_LOG("signer '%s'", val);
	} else {
		EXPECT_STREQ("", val);
	}
	EXPECT_NE(NULL, audit_raw(rec, "digest", val, sizeof(val)));
	EXPECT_STREQ(digest, val);
	EXPECT_NE(NULL, audit_raw(rec, "res", val, sizeof(val)));
	EXPECT_STREQ(res, val);
	free(recs);
}

TEST_F(report, one_audit_record_per_decision)
{
	const char *good = RDIR "/audit-verified.bin";
	const char *bad = RDIR "/audit-unsigned.bin";

	ASSERT_EQ(0, fw_make(good, 700, "rsa-signer"));
	ASSERT_EQ(0, fw_make(bad, 700, NULL));
	listen_reports(_metadata, self);

	ASSERT_EQ(0, request_fw(good));
	check_audit(_metadata, self->audit_fd, good, "verified", "allowed",
		    "1", true);
	ASSERT_EQ(-EKEYREJECTED, request_fw(bad));
	check_audit(_metadata, self->audit_fd, bad, "unsigned", "denied",
		    "0", false);
	ASSERT_EQ(0, set_mode("log"));
	ASSERT_EQ(0, request_fw(bad));
	check_audit(_metadata, self->audit_fd, bad, "unsigned", "allowed",
		    "1", false);
}

/* ---- 5. uevents -------------------------------------------------------- */

static void check_uevent(struct __test_metadata *_metadata, int fd,
			 const char *name, const char *result,
			 const char *action)
{
	struct uevent *evs = malloc(3 * sizeof(*evs));
	char path[PATH_MAX];
	int n;

	ASSERT_NE(NULL, evs);
	snprintf(path, sizeof(path), FWROOT "%s", name);
	n = uevent_collect(fd, name, evs, 3, 1, 2000);
	ASSERT_EQ(1, n)
		TH_LOG("%s: expected one change uevent of /kernel/fwverify, saw %d",
		       name, n);
	EXPECT_STREQ("change", uevent_get(&evs[0], "ACTION"));
	EXPECT_STREQ(result, uevent_get(&evs[0], "FWVERIFY_RESULT"));
	EXPECT_STREQ(action, uevent_get(&evs[0], "FWVERIFY_ACTION"));
	EXPECT_STREQ(path, uevent_get(&evs[0], "FWVERIFY_PATH"));
	EXPECT_STREQ("file", uevent_get(&evs[0], "FWVERIFY_SOURCE"));
	free(evs);
}

TEST_F(report, one_uevent_per_decision)
{
	const char *good = RDIR "/uevent-verified.bin";
	const char *bad = RDIR "/uevent-unsigned.bin";

	ASSERT_EQ(0, fw_make(good, 700, "rsa-signer"));
	ASSERT_EQ(0, fw_make(bad, 700, NULL));
	self->uevent_fd = uevent_open();
	ASSERT_LE(0, self->uevent_fd);

	ASSERT_EQ(0, request_fw(good));
	check_uevent(_metadata, self->uevent_fd, good, "verified", "allowed");
	ASSERT_EQ(-EKEYREJECTED, request_fw(bad));
	check_uevent(_metadata, self->uevent_fd, bad, "unsigned", "denied");
}

/* ---- 6. the check file ------------------------------------------------- */

/* Write @path to a fresh check file and read the verdict into @out. */
static int check_file(const char *path, char *out, size_t len)
{
	int fd = open(CHECK, O_RDWR | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, path, strlen(path)) != (ssize_t)strlen(path))
		err = -errno;
	if (!err) {
		n = read(fd, out, len - 1);
		if (n < 0)
			err = -errno;
		else
			out[n] = '\0';
	}
	close(fd);
	return err;
}

/* The value of line "@key=" in a check verdict, or NULL. */
static const char *check_get(const char *out, const char *key, char *val,
			     size_t len)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\n%s=", key);
	if (!strncmp(out, pat + 1, strlen(pat + 1)))
		p = out + strlen(pat + 1);
	else if ((p = strstr(out, pat)))
		p += strlen(pat);
	else
		return NULL;
	n = strcspn(p, "\n");
	if (n >= len)
		return NULL;
	memcpy(val, p, n);
	val[n] = '\0';
	return val;
}

static void check_verdict(struct __test_metadata *_metadata, const char *out,
			  const char *name, const char *result,
			  const char *action, const char *err, bool signer)
{
	char val[1024], path[PATH_MAX], digest[80], size[32];
	struct stat st;

	snprintf(path, sizeof(path), FWROOT "%s", name);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0, file_digest(path, digest, sizeof(digest)));
	snprintf(size, sizeof(size), "%lld", (long long)st.st_size);
	EXPECT_STREQ(result, check_get(out, "result", val, sizeof(val)))
		TH_LOG("verdict:\n%s", out);
	EXPECT_STREQ(action, check_get(out, "action", val, sizeof(val)));
	EXPECT_NE(NULL, check_get(out, "reason", val, sizeof(val)));
	EXPECT_STREQ(err, check_get(out, "errno", val, sizeof(val)));
	EXPECT_NE(NULL, check_get(out, "signer", val, sizeof(val)));
	if (signer) {
		EXPECT_NE(NULL, strstr(val, RSA_SIGNER));
	} else {
		EXPECT_STREQ("", val);
	}
	EXPECT_STREQ(digest, check_get(out, "digest", val, sizeof(val)));
	EXPECT_STREQ(size, check_get(out, "size", val, sizeof(val)));
	EXPECT_STREQ(name, check_get(out, "name", val, sizeof(val)));
	EXPECT_STREQ(path, check_get(out, "path", val, sizeof(val)));
}

TEST_F(report, check_file_gives_the_verdict_and_reports_nothing)
{
	const char *good = RDIR "/check-verified.bin";
	const char *bad = RDIR "/check-unsigned.bin";
	char (*recs)[REC_MAX] = malloc(REC_MAX), out[4096], dir[512];
	struct uevent *ev = malloc(sizeof(*ev));
	struct counts before, after;
	const char *changed;

	ASSERT_TRUE(recs && ev);
	ASSERT_EQ(0, fw_make(good, 900, "rsa-signer"));
	ASSERT_EQ(0, fw_make(bad, 900, NULL));
	settle();
	listen_reports(_metadata, self);
	counts_read(&before);

	ASSERT_EQ(0, check_file(FWROOT RDIR "/check-verified.bin", out,
				sizeof(out)));
	check_verdict(_metadata, out, good, "verified", "allowed", "0", true);
	ASSERT_EQ(0, check_file(FWROOT RDIR "/check-unsigned.bin", out,
				sizeof(out)));
	check_verdict(_metadata, out, bad, "unsigned", "denied", "-61", false);
	ASSERT_EQ(0, set_mode("log"));
	ASSERT_EQ(0, check_file(FWROOT RDIR "/check-unsigned.bin", out,
				sizeof(out)));
	check_verdict(_metadata, out, bad, "unsigned", "allowed", "-61", false);

	counts_read(&after);
	changed = counts_changed(&before, &after);
	EXPECT_EQ(NULL, changed) TH_LOG("a check changed counter %s", changed ?: "");
	EXPECT_EQ(-ENOENT, table_dir(good, dir, sizeof(dir)));
	EXPECT_EQ(-ENOENT, table_dir(bad, dir, sizeof(dir)));
	EXPECT_EQ(0, audit_collect(self->audit_fd, good, recs, 1, 1, 500));
	EXPECT_EQ(0, audit_collect(self->audit_fd, bad, recs, 1, 1, 200));
	EXPECT_EQ(0, uevent_collect(self->uevent_fd, good, ev, 1, 1, 200));
	EXPECT_EQ(0, uevent_collect(self->uevent_fd, bad, ev, 1, 1, 200));
	free(recs);
	free(ev);
}

TEST_F(report, check_file_refuses_what_is_not_a_firmware_file)
{
	char out[4096];
	int fd;

	EXPECT_EQ(-EINVAL, check_file(RDIR "/check-verified.bin", out, sizeof(out)));
	EXPECT_EQ(-ENOENT, check_file(FWROOT RDIR "/no-such-file.bin", out,
				      sizeof(out)));
	EXPECT_EQ(-EINVAL, check_file(FWROOT RDIR, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, check_file("/dev/zero", out, sizeof(out)));
	EXPECT_EQ(-EINVAL, check_file("", out, sizeof(out)));

	/* Nothing to read before a path was written. */
	fd = open(CHECK, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, out, sizeof(out)));
	EXPECT_EQ(ENODATA, errno);
	close(fd);
}

TEST_F(report, check_file_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(CHECK, &st));
	EXPECT_EQ(0600U, st.st_mode & 07777);
}

/* ---- 7. the verdict cache ---------------------------------------------- */

/* The reads file of @name's entry, its last line's " cached" mark. */
static int last_read_cached(const char *name)
{
	char dir[512], buf[8192], *nl;

	if (table_dir(name, dir, sizeof(dir)) ||
	    table_read(dir, "reads", buf, sizeof(buf)))
		return -1;
	nl = strrchr(buf, '\n');
	nl = nl ? nl + 1 : buf;
	return strlen(nl) > 7 && !strcmp(nl + strlen(nl) - 7, " cached");
}

static long load_and_count_cached(struct __test_metadata *_metadata,
				  const char *name, int expect)
{
	long cached = read_counter("cached");

	EXPECT_EQ(expect, request_fw(name));
	return read_counter("cached") - cached;
}

TEST_F(report, cache_reuses_the_verdict_on_an_unchanged_file)
{
	const char *name = RDIR "/cache-hit.bin";
	char result[64], dir[512];

	ASSERT_EQ(0, fw_make(name, 4000, "rsa-signer"));
	settle();
	EXPECT_EQ(0, load_and_count_cached(_metadata, name, 0));
	EXPECT_EQ(0, last_read_cached(name));
	EXPECT_EQ(1, load_and_count_cached(_metadata, name, 0))
		TH_LOG("a second load of an unchanged file was verified again");
	EXPECT_EQ(1, last_read_cached(name));
	EXPECT_TRUE(driver_has(name));
	ASSERT_EQ(0, table_dir(name, dir, sizeof(dir)));
	EXPECT_EQ(0, table_read(dir, "result", result, sizeof(result)));
	EXPECT_STREQ("verified", result);
}

TEST_F(report, cache_is_not_used_after_the_blob_changed)
{
	const char *name = RDIR "/cache-blob.bin";
	char path[PATH_MAX], result[64], dir[512];
	size_t len = 0;
	char *blob;
	int fd;

	snprintf(path, sizeof(path), FWROOT "%s", name);
	ASSERT_EQ(0, fw_make(name, 4000, "rsa-signer"));
	settle();
	ASSERT_EQ(0, request_fw(name));
	ASSERT_EQ(1, load_and_count_cached(_metadata, name, 0));

	/* Same inode, same size, one byte different. */
	blob = slurp(path, &len);
	ASSERT_NE(NULL, blob);
	blob[100] ^= 0x55;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, pwrite(fd, blob, len, 0));
	close(fd);
	free(blob);
	settle();
	EXPECT_EQ(0, load_and_count_cached(_metadata, name, -EKEYREJECTED));
	EXPECT_EQ(0, last_read_cached(name));
	ASSERT_EQ(0, table_dir(name, dir, sizeof(dir)));
	EXPECT_EQ(0, table_read(dir, "result", result, sizeof(result)));
	EXPECT_STREQ("bad-signature", result);
}

/*
 * A verified verdict is on the bytes: a cached load does not look at the
 * signature file again (Documentation/security.rst, "The verdict cache").
 * Replaced by one no trusted key made, it decides the next verdict, once
 * keys, revocations or policy change.
 */
TEST_F(report, cache_keeps_a_verified_verdict_until_a_new_generation)
{
	const char *name = RDIR "/cache-sig.bin";
	char path[768], sig[800], result[64], dir[512];
	size_t len = 0;
	char *other;
	int fd;

	snprintf(path, sizeof(path), FWROOT "%s", name);
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	ASSERT_EQ(0, fw_make(name, 4000, "rsa-signer"));
	settle();
	ASSERT_EQ(0, request_fw(name));
	ASSERT_EQ(1, load_and_count_cached(_metadata, name, 0));

	/* Rewrite the .p7s in place with a signature by an untrusted key. */
	ASSERT_EQ(0, copy_file(path, "/tmp/fwverify-report-other"));
	ASSERT_EQ(0, sign_with("/tmp/fwverify-report-other", "untrusted"));
	other = slurp("/tmp/fwverify-report-other.p7s", &len);
	ASSERT_NE(NULL, other);
	fd = open(sig, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, write(fd, other, len));
	close(fd);
	free(other);
	settle();
	EXPECT_EQ(1, load_and_count_cached(_metadata, name, 0));
	EXPECT_TRUE(driver_has(name));
	ASSERT_EQ(0, expire_verdicts());
	EXPECT_EQ(0, load_and_count_cached(_metadata, name, -EKEYREJECTED));
	EXPECT_EQ(0, last_read_cached(name));
	ASSERT_EQ(0, table_dir(name, dir, sizeof(dir)));
	EXPECT_EQ(0, table_read(dir, "result", result, sizeof(result)));
	EXPECT_STREQ("untrusted", result);
	/* A refusal is cached too, under the signature file's identity. */
	EXPECT_EQ(1, load_and_count_cached(_metadata, name, -EKEYREJECTED));

	/* And back to a good signature: verified afresh, then cached. */
	ASSERT_EQ(0, sign_with(path, "rsa-signer"));
	settle();
	EXPECT_EQ(0, load_and_count_cached(_metadata, name, 0));
	EXPECT_EQ(1, load_and_count_cached(_metadata, name, 0));
	unlink("/tmp/fwverify-report-other");
	unlink("/tmp/fwverify-report-other.p7s");
}

/* ---- 8. many loads at once --------------------------------------------- */

/* @n requests batched into drivers' buffers: one decision each. */
static void batch_exact(struct __test_metadata *_metadata, int n)
{
	char good[64], bad[64];
	struct counts before, after;
	long result;

	snprintf(good, sizeof(good), RDIR "/batch-buf-%d.bin", n);
	snprintf(bad, sizeof(bad), RDIR "/batch-buf-%d-unsigned.bin", n);
	ASSERT_EQ(0, fw_make(good, 1024, "rsa-signer"));
	ASSERT_EQ(0, fw_make(bad, 1024, NULL));

	counts_read(&before);
	EXPECT_EQ(0, tf_batch(good, n, true, false, &result));
	EXPECT_EQ(0, result);
	EXPECT_EQ(n, tf_batch_holding(good, n));
	counts_read(&after);
	EXPECT_EQ(n, delta(&before, &after, "verified"));
	EXPECT_EQ(n, delta(&before, &after, "allowed"));
	EXPECT_EQ(0, delta(&before, &after, "denied"));

	counts_read(&before);
	EXPECT_EQ(0, tf_batch(bad, n, true, false, &result));
	EXPECT_EQ(-EKEYREJECTED, result);
	EXPECT_EQ(0, tf_batch_holding(bad, n));
	counts_read(&after);
	EXPECT_EQ(n, delta(&before, &after, "unsigned"))
		TH_LOG("%d refused requests at once", n);
	EXPECT_EQ(n, delta(&before, &after, "denied"));
	EXPECT_EQ(0, delta(&before, &after, "allowed"));
}

TEST_F(report, batched_requests_into_buffers_each_decided_once)
{
	batch_exact(_metadata, 8);
}

TEST_F(report, more_batched_requests_than_tasks_remembered)
{
	/* More threads at once than the module's 16 per-task name slots. */
	batch_exact(_metadata, 40);
}

/* Shared requests: the loader reads the file once for all that wait. */
static void batch_shared(struct __test_metadata *_metadata, bool async)
{
	const int n = 8;
	char good[64], bad[64];
	struct counts before, after;
	long result, d;

	snprintf(good, sizeof(good), RDIR "/batch-%s.bin", async ? "async" : "sync");
	snprintf(bad, sizeof(bad), RDIR "/batch-%s-unsigned.bin",
		 async ? "async" : "sync");
	ASSERT_EQ(0, fw_make(good, 2048, "rsa-signer"));
	ASSERT_EQ(0, fw_make(bad, 2048, NULL));

	counts_read(&before);
	EXPECT_EQ(0, tf_batch(good, n, false, async, &result));
	EXPECT_EQ(0, result);
	EXPECT_EQ(n, tf_batch_holding(good, n));
	counts_read(&after);
	d = delta(&before, &after, "verified");
	EXPECT_TRUE(d >= 1 && d <= n) TH_LOG("verified +%ld for %d requests", d, n);
	EXPECT_EQ(d, delta(&before, &after, "allowed"));
	EXPECT_EQ(0, delta(&before, &after, "denied"));

	counts_read(&before);
	EXPECT_EQ(0, tf_batch(bad, n, false, async, &result));
	/*
	 * An async request learns only that it got nothing.  test_firmware
	 * keeps the first error any thread reports: a sync request waiting
	 * on the refused one learns ENOENT, and under full preemption (the
	 * debug kernel) it may report first.  The counters below prove the
	 * refusal.
	 */
	if (async) {
		EXPECT_EQ(-ENOENT, result);
	} else {
		EXPECT_TRUE(result == -EKEYREJECTED || result == -ENOENT)
			TH_LOG("test_result %ld", result);
	}
	EXPECT_EQ(0, tf_batch_holding(bad, n));
	counts_read(&after);
	d = delta(&before, &after, "unsigned");
	EXPECT_TRUE(d >= 1 && d <= n) TH_LOG("unsigned +%ld for %d requests", d, n);
	EXPECT_EQ(d, delta(&before, &after, "denied"));
	EXPECT_EQ(0, delta(&before, &after, "allowed"));
	EXPECT_EQ(0, delta(&before, &after, "verified"));
}

TEST_F(report, batched_sync_requests_share_one_verdict)
{
	batch_shared(_metadata, false);
}

TEST_F_TIMEOUT(report, batched_async_requests_share_one_verdict, 60)
{
	batch_shared(_metadata, true);
}

static void stop_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST_F_TIMEOUT(report, concurrent_loads_and_checks_are_counted_exactly, 120)
{
	const char *good = RDIR "/many-signed.bin", *bad = RDIR "/many-unsigned.bin";
	const int procs = 4, rounds = 10;
	struct counts before, after;
	pid_t pids[4], checker, reader;
	int i, r, status, wrong = 0;
	char out[4096];

	ASSERT_EQ(0, fw_make(good, 8192, "rsa-signer"));
	ASSERT_EQ(0, fw_make(bad, 8192, NULL));
	counts_read(&before);

	/* Checks and table reads all along: neither may count or disturb. */
	checker = fork();
	ASSERT_LE(0, checker);
	if (checker == 0)
		for (;;)
			check_file(FWROOT RDIR "/many-signed.bin", out, sizeof(out));
	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0)
		for (;;) {
			char dir[512];

			if (!table_dir(good, dir, sizeof(dir)))
				table_read(dir, "reads", out, sizeof(out));
		}

	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int bad_verdicts = 0;

			for (r = 0; r < rounds; r++) {
				bad_verdicts += request_fw(good) != 0;
				bad_verdicts += request_fw(bad) != -EKEYREJECTED;
			}
			_exit(bad_verdicts);
		}
	}
	for (i = 0; i < procs; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		wrong += WEXITSTATUS(status);
	}
	stop_child(checker);
	stop_child(reader);
	EXPECT_EQ(0, wrong) TH_LOG("%d loads got the wrong verdict", wrong);

	counts_read(&after);
	EXPECT_EQ(procs * rounds, delta(&before, &after, "verified"));
	EXPECT_EQ(procs * rounds, delta(&before, &after, "unsigned"));
	EXPECT_EQ(procs * rounds, delta(&before, &after, "allowed"));
	EXPECT_EQ(procs * rounds, delta(&before, &after, "denied"));
	for (i = 0; i < (int)NCOUNTERS; i++) {
		const char *c = counter_names[i];

		if (strcmp(c, "verified") && strcmp(c, "unsigned") &&
		    strcmp(c, "allowed") && strcmp(c, "denied") &&
		    strcmp(c, "cached"))
			EXPECT_EQ(0, delta(&before, &after, c)) TH_LOG("%s", c);
	}
}

/*
 * Batched sync, batched async and into-buffer loads of signed firmware,
 * and single loads of unsigned firmware, until stopped.  Exits with the
 * number of signed loads that failed and unsigned loads that got anything
 * but "allowed" (the module absent) or "refused" (present).
 */
static void load_storm(const char *big, const char *small, const char *bad)
{
	int failures = 0, i;
	long result;

	for (i = 0;; i++) {
		switch (i % 4) {
		case 0:
			failures += tf_batch(big, 6, false, false, &result) || result;
			break;
		case 1:
			failures += tf_batch(big, 4, false, true, &result) || result;
			break;
		case 2:
			failures += tf_batch(small, 8, true, false, &result) || result;
			break;
		case 3:
			result = request_fw(bad);
			failures += result && result != -EKEYREJECTED;
			break;
		}
		if (failures)
			_exit(failures);
	}
}

TEST_F_TIMEOUT(report, unload_and_reload_while_batched_loads_run, 180)
{
	const char *big = RDIR "/storm-big.bin", *small = RDIR "/storm-small.bin";
	const char *bad = RDIR "/storm-unsigned.bin";
	int i, status = 0;
	pid_t pid;

	SKIP_IF_BUILTIN("there is no module to unload");
	ASSERT_EQ(0, fw_make(big, 2 << 20, "rsa-signer"));
	ASSERT_EQ(0, fw_make(small, 1000, "rsa-signer"));
	ASSERT_EQ(0, fw_make(bad, 1000, NULL));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		load_storm(big, small, bad);
	for (i = 0; i < 8; i++) {
		usleep(300000 + 100000 * (i % 3));
		ASSERT_EQ(0, unload_module());
		usleep(100000);
		ASSERT_EQ(0, load_module("mode=enforce"));
	}
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG))
		TH_LOG("the loads stopped: %d failed",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	stop_child(pid);

	/* The module loaded now guards loads and reports them. */
	ASSERT_EQ(-EKEYREJECTED, request_fw(bad));
	ASSERT_EQ(0, request_fw(small));
	EXPECT_TRUE(driver_has(small));
}

TEST_HARNESS_MAIN
