// SPDX-License-Identifier: GPL-2.0
/*
 * Decompress firmware with the kernel's own decompressors, to check a
 * signature of the content ("fw.bin.p7s") against "fw.bin.xz" or
 * "fw.bin.zst".  Nothing larger than max_size is ever allocated: a
 * decompression bomb is refused when it reaches the cap.
 *
 * The content verified must be exactly what the loader hands the driver.
 * The loader decodes one xz stream and ignores what follows it, and decodes
 * every zstd frame to the end of the file (zstd_decompress_dctx()), so an
 * xz file with anything after its stream is refused, and every zstd frame
 * is part of the content.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/xz.h>
#include <linux/zstd.h>

#include "decompress.h"
#include "fwverify.h"

/* Largest xz dictionary accepted: xz -9 uses 64 MiB. */
#define FWVERIFY_XZ_DICT_MAX	(64U << 20)
/* Largest zstd window accepted: zstd -19 uses 8 MiB, --ultra -22 128 MiB. */
#define FWVERIFY_ZSTD_WINDOW_MAX	(32U << 20)

/* Grow @buf to hold at least @need bytes, doubling, at most @cap. */
static int fwverify_grow(u8 **buf, size_t *size, size_t used, size_t cap)
{
	size_t n = max_t(size_t, *size * 2, 64 * 1024);
	u8 *nb;

	if (*size >= cap)
		return -EFBIG;
	n = min(n, cap);
	nb = vmalloc(n);
	if (!nb)
		return -ENOMEM;
	if (*buf)
		memcpy(nb, *buf, used);
	vfree(*buf);
	*buf = nb;
	*size = n;
	return 0;
}

static int fwverify_unxz(const void *in, size_t in_len, void **out,
			 size_t *out_len, size_t cap)
{
	struct xz_buf b = { .in = in, .in_size = in_len };
	struct xz_dec *xz;
	enum xz_ret ret;
	size_t size = 0;
	u8 *buf = NULL;
	int err = 0;

	xz = xz_dec_init(XZ_DYNALLOC, FWVERIFY_XZ_DICT_MAX);
	if (!xz)
		return -ENOMEM;
	do {
		if (b.out_pos == size) {
			/* One byte past the cap tells a bomb from a fit. */
			err = fwverify_grow(&buf, &size, b.out_pos, cap + 1);
			if (err)
				break;
			b.out = buf;
			b.out_size = size;
		}
		ret = xz_dec_run(xz, &b);
	} while (ret == XZ_OK);
	xz_dec_end(xz);

	if (!err && b.out_pos > cap)
		err = -EFBIG;
	else if (!err && ret != XZ_STREAM_END)
		err = ret == XZ_MEM_ERROR ? -ENOMEM : -EBADMSG;
	else if (!err && b.in_pos != b.in_size)
		err = -EBADMSG;	/* padding, a second stream, or garbage */
	if (err) {
		vfree(buf);
		return err;
	}
	*out = buf;
	*out_len = b.out_pos;
	return 0;
}

static int fwverify_unzstd(const void *in, size_t in_len, void **out,
			   size_t *out_len, size_t cap)
{
	zstd_in_buffer ib = { .src = in, .size = in_len };
	zstd_out_buffer ob = { };
	zstd_frame_header fh;
	zstd_dstream *ds;
	size_t wsize, ret;
	size_t size = 0;
	u8 *buf = NULL;
	void *ws;
	int err = 0;

	/*
	 * The loader sizes its buffer by the first frame's header: one that
	 * is skippable, or of unknown or no size, it cannot load (or it warns,
	 * vzalloc(0)).  Refused here before it gets that far.
	 */
	if (zstd_get_frame_header(&fh, in, in_len) ||
	    fh.frameType != ZSTD_frame || !fh.frameContentSize ||
	    fh.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN)
		return -EBADMSG;

	wsize = zstd_dstream_workspace_bound(FWVERIFY_ZSTD_WINDOW_MAX);
	ws = kvmalloc(wsize, GFP_KERNEL);
	if (!ws)
		return -ENOMEM;
	ds = zstd_init_dstream(FWVERIFY_ZSTD_WINDOW_MAX, ws, wsize);
	if (!ds) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (ob.pos == ob.size) {
			err = fwverify_grow(&buf, &size, ob.pos, cap + 1);
			if (err)
				break;
			ob.dst = buf;
			ob.size = size;
		}
		ret = zstd_decompress_stream(ds, &ob, &ib);
		if (zstd_is_error(ret)) {
			err = -EBADMSG;
			break;
		}
		/* A frame is complete: the next one, if any, is content too. */
		if (!ret && ib.pos == ib.size)
			break;
		if (ret && ib.pos == ib.size && ob.pos < ob.size) {
			err = -EBADMSG;	/* truncated */
			break;
		}
	}
	if (!err && ob.pos > cap)
		err = -EFBIG;
out:
	kvfree(ws);
	if (err) {
		vfree(buf);
		return err;
	}
	*out = buf;
	*out_len = ob.pos;
	return 0;
}

/**
 * fwverify_decompress() - decompress firmware as the loader would
 * @suffix: ".xz" or ".zst", the suffix the loader added
 * @in: the compressed file
 * @in_len: its size
 * @out: set to a vmalloc()ed buffer with the content
 * @out_len: set to the content's size
 *
 * Return: 0, -EFBIG if the content exceeds max_size, -EBADMSG if it does
 * not decompress or holds anything the loader would not decode as this
 * content, -EOPNOTSUPP if this kernel's loader has no such format, -ENOMEM.
 */
int fwverify_decompress(const char *suffix, const void *in, size_t in_len,
			void **out, size_t *out_len)
{
	size_t cap = READ_ONCE(fwverify_max_size);

	if (IS_ENABLED(CONFIG_FW_LOADER_COMPRESS_XZ) && !strcmp(suffix, ".xz"))
		return fwverify_unxz(in, in_len, out, out_len, cap);
	if (IS_ENABLED(CONFIG_FW_LOADER_COMPRESS_ZSTD) && !strcmp(suffix, ".zst"))
		return fwverify_unzstd(in, in_len, out, out_len, cap);
	return -EOPNOTSUPP;
}
