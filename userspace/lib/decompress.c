// SPDX-License-Identifier: GPL-2.0
/*
 * Decode compressed firmware as the kernel does, in chunks, so the content
 * never has to fit in memory and the cap is checked before each write.
 *
 * liblzma without LZMA_CONCATENATED stops at the end of the first .xz
 * stream; whatever follows is refused here, as the module refuses it.  The
 * kernel's xz decoder knows only the integrity checks none and CRC32, so a
 * stream with another (xz's default CRC64 included) is refused too.
 * libzstd's streaming decoder skips skippable frames and starts a new
 * frame after each one it completes, as ZSTD_decompressDCtx() does in the
 * loader; the file must end where a frame ends.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzma.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "decompress.h"
#include "util.h"

#define CHUNK (128 * 1024)
/* liblzma's memory limit: the dictionary of xz -9 (64 MiB) or @max if larger, and its overhead. */
#define XZ_DICT_FLOOR ((uint64_t)64 << 20)
#define XZ_OVERHEAD ((uint64_t)1 << 20)
/* zstd windows: libzstd's default limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT) and the format's largest. */
#define ZSTD_LOG_DEFAULT 27
#define ZSTD_LOG_FORMAT_MAX 31

/* Where the content goes: @fd, at most @max bytes in all. */
struct sink {
	int fd;
	size_t total, max;
};

static int emit(struct sink *s, const void *p, size_t n)
{
	if (n > s->max - s->total)
		return -EFBIG;
	s->total += n;
	return write_all(s->fd, p, n);
}

/* Return: the bytes read, 0 at the end, or -errno. */
static ssize_t fill(int fd, void *buf, size_t size)
{
	ssize_t r;

	do
		r = read(fd, buf, size);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int unxz(int in, struct sink *out, unsigned char *ibuf, unsigned char *obuf)
{
	uint64_t memlimit = (out->max > XZ_DICT_FLOOR ? out->max : XZ_DICT_FLOOR) + XZ_OVERHEAD;
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r = LZMA_OK;
	bool eof = false;
	ssize_t n;
	int err = 0;

	if (lzma_stream_decoder(&s, memlimit, LZMA_TELL_ANY_CHECK) != LZMA_OK)
		return -ENOMEM;
	while (!err && r == LZMA_OK) {
		if (!s.avail_in && !eof) {
			n = fill(in, ibuf, CHUNK);
			if (n < 0) {
				err = (int)n;
				break;
			}
			eof = !n;
			s.next_in = ibuf;
			s.avail_in = n;
		}
		s.next_out = obuf;
		s.avail_out = CHUNK;
		r = lzma_code(&s, eof ? LZMA_FINISH : LZMA_RUN);
		err = emit(out, obuf, CHUNK - s.avail_out);
		if (r == LZMA_GET_CHECK)	/* the stream header is read */
			r = lzma_get_check(&s) > LZMA_CHECK_CRC32 ? LZMA_OPTIONS_ERROR : LZMA_OK;
	}
	if (!err && r != LZMA_STREAM_END)
		err = r == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
	/* Stream padding, a second stream, garbage: the module refuses them all. */
	if (!err && s.avail_in)
		err = -EBADMSG;
	if (!err && !eof) {
		n = fill(in, ibuf, 1);
		err = n < 0 ? (int)n : n ? -EBADMSG : 0;
	}
	lzma_end(&s);
	return err;
}

/* The largest zstd window accepted: one as large as @max, at least libzstd's default limit. */
static int zstd_window_log(size_t max)
{
	int log = ZSTD_LOG_DEFAULT;

	while (log < ZSTD_LOG_FORMAT_MAX && ((size_t)1 << log) < max)
		log++;
	return log;
}

static int unzstd(int in, struct sink *out, unsigned char *ibuf, unsigned char *obuf)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { ibuf, 0, 0 };
	ZSTD_outBuffer ob;
	size_t ret = 1;		/* not 0: no frame has ended yet (an empty file is no frame) */
	size_t r, pos;
	bool eof = false, full = false;
	ssize_t n;
	int err = 0;

	if (!d)
		return -ENOMEM;
	if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, zstd_window_log(out->max))))
		err = -EINVAL;
	while (!err) {
		if (ib.pos == ib.size && !eof) {
			n = fill(in, ibuf, CHUNK);
			if (n < 0) {
				err = (int)n;
				break;
			}
			eof = !n;
			ib.size = n;
			ib.pos = 0;
		}
		/* The decoder may hold content back while its output is full. */
		if (eof && ib.pos == ib.size && !full)
			break;
		ob = (ZSTD_outBuffer){ obuf, CHUNK, 0 };
		pos = ib.pos;
		r = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(r)) {
			err = ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? -ENOMEM : -EBADMSG;
			break;
		}
		/* A call that did nothing after a frame's end would start the next one. */
		if (ob.pos || ib.pos != pos)
			ret = r;
		full = ob.pos == ob.size;
		err = emit(out, obuf, ob.pos);
	}
	/* 0 only right after the end of a frame: anything else is a truncated one. */
	if (!err && ret)
		err = -EBADMSG;
	ZSTD_freeDCtx(d);
	return err;
}

const char *const decompress_suffixes[] = { ".xz", ".zst", NULL };

const char *decompress_suffix(const char *name)
{
	size_t n = strlen(name), s;

	for (size_t i = 0; decompress_suffixes[i]; i++) {
		s = strlen(decompress_suffixes[i]);
		if (n > s && !strcmp(name + n - s, decompress_suffixes[i]))
			return decompress_suffixes[i];
	}
	return NULL;
}

/* Whether the kernel would find a signature "<first @len bytes of @name>.p7s" under @dirfd. */
static bool has_sig(int dirfd, const char *name, size_t len)
{
	char p[PATH_MAX + 8];
	struct stat st;

	snprintf(p, sizeof(p), "%.*s.p7s", (int)len, name);
	return !fstatat(dirfd, p, &st, 0) || errno != ENOENT;
}

const char *decompress_content_signed(int dirfd, const char *name)
{
	const char *sfx = decompress_suffix(name);
	size_t n = strlen(name);

	if (!sfx || has_sig(dirfd, name, n) || !has_sig(dirfd, name, n - strlen(sfx)))
		return NULL;
	return sfx;
}

/* decompress_rule() names the cap the callers pass. */
_Static_assert(DECOMPRESS_MAX == (size_t)256 << 20, "decompress_rule() says 256 MiB");

const char *decompress_rule(const char *suffix, int err)
{
	if (err == -EFBIG)
		return "the content exceeds 256 MiB";
	if (err != -EBADMSG)
		return NULL;
	return !strcmp(suffix, ".xz") ? "not one whole .xz stream (check none or CRC32) with nothing after it" :
	       "not whole zstd frames up to the end of the file";
}

int decompress_fd(const char *suffix, int in, int out, size_t max)
{
	_cleanup_(freep) unsigned char *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
	struct sink s = { .fd = out, .max = max };

	if (!ibuf || !obuf)
		return -ENOMEM;
	if (!strcmp(suffix, ".xz"))
		return unxz(in, &s, ibuf, obuf);
	if (!strcmp(suffix, ".zst"))
		return unzstd(in, &s, ibuf, obuf);
	return -EOPNOTSUPP;
}

int decompress_memfd(const char *suffix, int in, size_t max)
{
	int fd = memfd_create("fwverify-content", MFD_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = decompress_fd(suffix, in, fd, max);
	if (!err && lseek(fd, 0, SEEK_SET) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}
