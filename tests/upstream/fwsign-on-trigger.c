// SPDX-License-Identifier: GPL-2.0
/*
 * fwsign-on-trigger: give every firmware file an upstream selftest creates a
 * valid signature before the kernel reads it, without touching the tests.
 *
 * The tests write a file, then ask test_firmware to load it by writing its
 * name to one of /sys/devices/virtual/misc/test_firmware/trigger_*.  This
 * program holds a FAN_OPEN_PERM mark on each trigger file.  While a writer's
 * open() waits for our answer, every file the test has made is already in
 * place, and no load has started, so we sign what is new in the loader's
 * search path (its custom path and /lib/firmware[/updates][/<release>], as
 * PID 1's mount namespace sees them: the loader's view) and then allow the
 * open.  The kernel's own opens of the firmware are never intercepted, so
 * nothing waits on us inside the loader.
 *
 * A file is (re)signed when FILE.p7s is missing or not newer than the
 * file's ctime; the signer (fwverify sign) writes FILE.p7s by rename, so a
 * reader never sees half a signature.
 *
 *   fwsign-on-trigger --signer PATH --key KEY --cert CERT --ready FILE
 *                     [--platform-log MODEFILE] SYSDIR
 *
 * --platform-log: fwverify refuses platform firmware in enforce mode (it has
 * no file), and fw_filesystem.sh exits at its platform test, before every
 * batched, partial and compressed load.  With this option the mode file
 * (/sys/module/fwverify/parameters/mode) says "log" from the open of
 * trigger_request_platform to the open of the next other trigger, and
 * "enforce" again then; the platform request is synchronous, so no other
 * load runs in log mode.
 *
 * SIGTERM or SIGINT ends it with a summary on stderr; the kernel allows the
 * opens still pending when the fanotify group is closed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define FWSIGN_MAX_FILES	256	/* files signed per trigger, at most */
#define FWSIGN_MAX_DEPTH	3	/* directory levels below a search dir */
#define FWSIGN_SIGNER_SECS	30	/* a signer that takes longer is killed */
#define FWSIGN_PARAM_PATH	"/sys/module/firmware_class/parameters/path"

struct fwsign_opts {
	const char *signer, *key, *cert, *ready, *platform_log, *sysdir;
};

static struct fwsign_opts opts;
static volatile sig_atomic_t fwsign_stop;
static unsigned long n_events, n_signed, n_failed, n_platform;
static struct stat platform_trigger;	/* st_ino 0: none */
static bool in_log_mode;

/* The files one scan found without a current signature. */
static char *pending[FWSIGN_MAX_FILES];
static int n_pending;

static void fwsign_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fwsign: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void on_signal(int sig)
{
	(void)sig;
	fwsign_stop = 1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

/* Timestamps are coarse: a signature from the same tick counts as stale. */
static bool needs_signature(const char *file, const struct stat *st)
{
	char sig[PATH_MAX];
	struct stat ss;

	if (snprintf(sig, sizeof(sig), "%s.p7s", file) >= (int)sizeof(sig))
		return false;
	if (lstat(sig, &ss) < 0)
		return errno == ENOENT;
	return ts_cmp(&ss.st_mtim, &st->st_ctim) <= 0;
}

static int collect(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	if (type == FTW_D && ftw->level > FWSIGN_MAX_DEPTH)
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || !S_ISREG(st->st_mode) || ends_with(path, ".p7s"))
		return FTW_CONTINUE;
	if (!needs_signature(path, st))
		return FTW_CONTINUE;
	if (n_pending == FWSIGN_MAX_FILES) {
		fwsign_log("%s: more than %d new files, not signed", path,
			   FWSIGN_MAX_FILES);
		n_failed++;
		return FTW_CONTINUE;
	}
	pending[n_pending] = strdup(path);
	if (pending[n_pending])
		n_pending++;
	return FTW_CONTINUE;
}

static void scan(const char *dir)
{
	if (!*dir || access(dir, F_OK) < 0)
		return;
	/* FTW_MOUNT: what another mount hides below is not the loader's. */
	nftw(dir, collect, 8, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
}

/* The custom search path, as the test set it (empty when unset). */
static void read_param_path(char *buf, size_t size)
{
	FILE *f = fopen(FWSIGN_PARAM_PATH, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Run the signer once over every pending file; 0 if it succeeded. */
static int sign_pending(void)
{
	const char *argv[FWSIGN_MAX_FILES + 8];
	int argc = 0, status, i;
	pid_t pid;

	argv[argc++] = opts.signer;
	argv[argc++] = "sign";
	/* Nothing on stdout: it is the selftests' own, which the harness parses. */
	argv[argc++] = "-q";
	argv[argc++] = "--key";
	argv[argc++] = opts.key;
	argv[argc++] = "--cert";
	argv[argc++] = opts.cert;
	for (i = 0; i < n_pending; i++)
		argv[argc++] = pending[i];
	argv[argc] = NULL;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		alarm(FWSIGN_SIGNER_SECS);
		execv(opts.signer, (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static void sign_search_path(pid_t opener)
{
	static const char *const dirs[] = {
		"/lib/firmware/updates/%s", "/lib/firmware/updates",
		"/lib/firmware/%s", "/lib/firmware",
	};
	char param[PATH_MAX], dir[PATH_MAX];
	struct utsname uts;
	size_t i;
	int ret;

	uname(&uts);
	read_param_path(param, sizeof(param));
	scan(param);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(dir, sizeof(dir), dirs[i], uts.release);
		scan(dir);
	}
	if (!n_pending)
		return;
	ret = sign_pending();
	for (i = 0; i < (size_t)n_pending; i++) {
		fwsign_log("pid %d: %s %s", (int)opener, pending[i],
			   ret ? "NOT signed" : "signed");
		free(pending[i]);
	}
	if (ret)
		n_failed += n_pending;
	else
		n_signed += n_pending;
	n_pending = 0;
}

/* A FAN_OPEN_PERM mark on every trigger_* file of the test driver. */
static int mark_triggers(int fan)
{
	struct dirent *de;
	int marked = 0;
	DIR *d;

	d = opendir(opts.sysdir);
	if (!d) {
		fwsign_log("%s: %s", opts.sysdir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "trigger_", 8))
			continue;
		if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, dirfd(d),
				  de->d_name) < 0) {
			fwsign_log("mark %s/%s: %s", opts.sysdir, de->d_name,
				   strerror(errno));
			closedir(d);
			return -1;
		}
		if (!strcmp(de->d_name, "trigger_request_platform") &&
		    fstatat(dirfd(d), de->d_name, &platform_trigger, 0) < 0)
			platform_trigger.st_ino = 0;
		marked++;
	}
	closedir(d);
	if (!marked)
		fwsign_log("%s: no trigger_* files", opts.sysdir);
	return marked ? 0 : -1;
}

static void set_mode(const char *mode)
{
	FILE *f = fopen(opts.platform_log, "we");

	if (!f || fputs(mode, f) < 0 || fclose(f) != 0) {
		fwsign_log("%s: cannot write '%s'", opts.platform_log, mode);
		n_failed++;
		return;
	}
	in_log_mode = !strcmp(mode, "log");
}

static bool is_platform_trigger(int fd)
{
	struct stat st;

	return platform_trigger.st_ino && fstat(fd, &st) == 0 &&
	       st.st_ino == platform_trigger.st_ino &&
	       st.st_dev == platform_trigger.st_dev;
}

/* Log mode around a platform request only; enforce for everything else. */
static void platform_policy(int fd)
{
	bool platform;

	if (!opts.platform_log)
		return;
	platform = is_platform_trigger(fd);
	if (platform && !in_log_mode) {
		set_mode("log");
		n_platform++;
	} else if (!platform && in_log_mode) {
		set_mode("enforce");
	}
}

static int answer(int fan, int fd, unsigned int verdict)
{
	struct fanotify_response r = { .fd = fd, .response = verdict };

	return write(fan, &r, sizeof(r)) == sizeof(r) ? 0 : -1;
}

static int event_loop(int fan)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	struct fanotify_event_metadata *md;
	ssize_t len;

	while (!fwsign_stop) {
		len = read(fan, buf, sizeof(buf));
		if (len < 0) {
			if (errno == EINTR)
				continue;
			fwsign_log("read: %s", strerror(errno));
			return -1;
		}
		for (md = (void *)buf; FAN_EVENT_OK(md, len);
		     md = FAN_EVENT_NEXT(md, len)) {
			if (md->vers != FANOTIFY_METADATA_VERSION) {
				fwsign_log("fanotify metadata version %u", md->vers);
				return -1;
			}
			if (md->fd < 0)
				continue;
			if (md->mask & FAN_OPEN_PERM) {
				n_events++;
				if (md->pid != getpid())
					sign_search_path(md->pid);
				platform_policy(md->fd);
				if (answer(fan, md->fd, FAN_ALLOW) < 0)
					fwsign_log("answer: %s", strerror(errno));
			}
			close(md->fd);
		}
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: fwsign-on-trigger --signer PATH --key KEY --cert CERT"
	      " --ready FILE [--platform-log MODEFILE] SYSDIR\n", f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "signer", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "ready", required_argument, NULL, 'r' },
		{ "platform-log", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	int c, fan, fd, ret;

	while ((c = getopt_long(argc, argv, "s:k:c:r:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opts.signer = optarg; break;
		case 'k': opts.key = optarg; break;
		case 'c': opts.cert = optarg; break;
		case 'r': opts.ready = optarg; break;
		case 'p': opts.platform_log = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || !opts.signer || !opts.key || !opts.cert ||
	    !opts.ready) {
		usage(stderr);
		return 2;
	}
	opts.sysdir = argv[optind];

	/* No SA_RESTART: a signal ends the blocking read. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/*
	 * The event fd is opened for writing: the triggers are write-only
	 * sysfs files, and a read-only open of one fails, which the kernel
	 * would answer with FAN_DENY for us.
	 */
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC,
			    O_WRONLY | O_CLOEXEC | O_LARGEFILE);
	if (fan < 0) {
		fwsign_log("fanotify_init: %s", strerror(errno));
		return 1;
	}
	if (mark_triggers(fan) < 0)
		return 1;
	fd = open(opts.ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fwsign_log("%s: %s", opts.ready, strerror(errno));
		return 1;
	}
	close(fd);

	ret = event_loop(fan);
	if (in_log_mode)
		set_mode("enforce");
	close(fan);
	fwsign_log("%lu trigger opens, %lu files signed, %lu not signed, "
		   "%lu platform requests in log mode",
		   n_events, n_signed, n_failed, n_platform);
	return ret < 0 || n_failed ? 1 : 0;
}
