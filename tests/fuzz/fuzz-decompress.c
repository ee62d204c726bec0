// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the module's decompression (kmod/decompress.c, built
 * unmodified against shim/) against the 6.12 firmware loader's
 * (drivers/base/firmware_loader/main.c), both on the kernel's own xz
 * decoder (lib/xz) and on libzstd in place of lib/zstd.
 *
 * The property: for any input, read as fw.bin.xz and as fw.bin.zst,
 * whenever the loader would hand a driver bytes, fwverify_decompress()
 * either refused or produced exactly those bytes; and it never returns
 * more than max_size.  The loader is modelled in both buffer modes:
 * request_firmware() (xz into pages, XZ_DYNALLOC; zstd into a buffer of the
 * first frame's content size) and request_firmware_into_buf() (XZ_SINGLE or
 * ZSTD_decompressDCtx into the driver's buffer), with driver buffers around
 * the content's size.  fwverify runs with max_size at the content's size,
 * one byte below it, and with an allocation made to fail.  Each input is
 * also tried twice over (a second stream or frame, which mutations rarely
 * make whole).  ASan and UBSan catch crashes and leaks, shim/alloc.c's count
 * the leaks of large blocks.  A violation prints what differed and aborts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/xz.h>
#include <linux/zstd.h>
#include "alloc.h"
#include "decompress.h"
#include "fwverify.h"

/* kmod/vocab.c's max_size (the parameter of kmod/eval.c), set before each call. */
unsigned long fwverify_max_size;

#define PAGE_SIZE 4096
/* The largest max_size fuzzed; the loader's model stops past it (too_big). */
#define FUZZ_MAX ((size_t)1 << 20)

/* fwverify's output (at most FUZZ_MAX + 1 bytes) is never a large block of shim/alloc.c. */
_Static_assert(FUZZ_MAX + 1 <= SHIM_LARGE, "FUZZ_MAX must stay below SHIM_LARGE");

/* A large block is still allocated: ASan does not see those (shim/alloc.c). */
static void leaked(const char *who, const char *sfx)
{
	fprintf(stderr, "%s(%s) left %d large block(s) allocated\n", who, sfx, shim_large_live());
	abort();
}

/* What the loader would give a driver. */
struct loaded {
	int err;		/* the loader refused: the driver gets nothing */
	bool too_big;		/* more than FUZZ_MAX bytes, or refused: not modelled further */
	unsigned char *data;
	size_t size;
	unsigned char *own;	/* to free */
};

/* The part of struct fw_priv that decompression touches. */
struct fw_priv {
	void *data;
	size_t size;
	size_t allocated_size;
	bool is_paged_buf;
	unsigned char **pages;
	int nr_pages, page_array_size;
	bool too_big;
};

/* main.c's fw_grow_paged_buf(), pages from malloc(); past FUZZ_MAX the model stops. */
static int fw_grow_paged_buf(struct fw_priv *fw_priv, int pages_needed)
{
	if ((size_t)pages_needed * PAGE_SIZE > FUZZ_MAX + PAGE_SIZE) {
		fw_priv->too_big = true;
		return -ENOMEM;
	}
	if (fw_priv->page_array_size < pages_needed) {
		int new_array_size = max(pages_needed, fw_priv->page_array_size * 2);
		unsigned char **new_pages = calloc(new_array_size, sizeof(void *));

		if (!new_pages)
			abort();
		if (fw_priv->pages)
			memcpy(new_pages, fw_priv->pages, fw_priv->page_array_size * sizeof(void *));
		free(fw_priv->pages);
		fw_priv->pages = new_pages;
		fw_priv->page_array_size = new_array_size;
	}
	while (fw_priv->nr_pages < pages_needed) {
		fw_priv->pages[fw_priv->nr_pages] = malloc(PAGE_SIZE);
		if (!fw_priv->pages[fw_priv->nr_pages])
			abort();
		fw_priv->nr_pages++;
	}
	return 0;
}

/* main.c's fw_map_paged_buf(): vmap() as a copy. */
static int fw_map_paged_buf(struct fw_priv *fw_priv)
{
	unsigned char *d = malloc(fw_priv->nr_pages * PAGE_SIZE + 1);

	if (!d)
		abort();
	for (int i = 0; i < fw_priv->nr_pages; i++)
		memcpy(d + i * PAGE_SIZE, fw_priv->pages[i], PAGE_SIZE);
	fw_priv->data = d;
	return 0;
}

static void fw_free_pages(struct fw_priv *fw_priv)
{
	for (int i = 0; i < fw_priv->nr_pages; i++)
		free(fw_priv->pages[i]);
	free(fw_priv->pages);
}

/* From here to the end of fw_decompress_zstd(): main.c as in 6.12, dev_* calls dropped. */
static int fw_decompress_xz_error(enum xz_ret xz_ret)
{
	if (xz_ret != XZ_STREAM_END)
		return xz_ret == XZ_MEM_ERROR ? -ENOMEM : -EINVAL;
	return 0;
}

/* single-shot decompression onto the pre-allocated buffer */
static int fw_decompress_xz_single(struct fw_priv *fw_priv, size_t in_size, const void *in_buffer)
{
	struct xz_dec *xz_dec;
	struct xz_buf xz_buf;
	enum xz_ret xz_ret;

	xz_dec = xz_dec_init(XZ_SINGLE, (u32)-1);
	if (!xz_dec)
		return -ENOMEM;

	xz_buf.in_size = in_size;
	xz_buf.in = in_buffer;
	xz_buf.in_pos = 0;
	xz_buf.out_size = fw_priv->allocated_size;
	xz_buf.out = fw_priv->data;
	xz_buf.out_pos = 0;

	xz_ret = xz_dec_run(xz_dec, &xz_buf);
	xz_dec_end(xz_dec);

	fw_priv->size = xz_buf.out_pos;
	return fw_decompress_xz_error(xz_ret);
}

/* decompression on paged buffer and map it */
static int fw_decompress_xz_pages(struct fw_priv *fw_priv, size_t in_size, const void *in_buffer)
{
	struct xz_dec *xz_dec;
	struct xz_buf xz_buf;
	enum xz_ret xz_ret;
	unsigned char *page;
	int err = 0;

	xz_dec = xz_dec_init(XZ_DYNALLOC, (u32)-1);
	if (!xz_dec)
		return -ENOMEM;

	xz_buf.in_size = in_size;
	xz_buf.in = in_buffer;
	xz_buf.in_pos = 0;

	fw_priv->is_paged_buf = true;
	fw_priv->size = 0;
	do {
		if (fw_grow_paged_buf(fw_priv, fw_priv->nr_pages + 1)) {
			err = -ENOMEM;
			goto out;
		}

		/* decompress onto the new allocated page */
		page = fw_priv->pages[fw_priv->nr_pages - 1];
		xz_buf.out = page;
		xz_buf.out_pos = 0;
		xz_buf.out_size = PAGE_SIZE;
		xz_ret = xz_dec_run(xz_dec, &xz_buf);
		fw_priv->size += xz_buf.out_pos;
		/* partial decompression means either end or error */
		if (xz_buf.out_pos != PAGE_SIZE)
			break;
	} while (xz_ret == XZ_OK);

	err = fw_decompress_xz_error(xz_ret);
	if (!err)
		err = fw_map_paged_buf(fw_priv);

 out:
	xz_dec_end(xz_dec);
	return err;
}

static int fw_decompress_xz(struct fw_priv *fw_priv, size_t in_size, const void *in_buffer)
{
	/* if the buffer is pre-allocated, we can perform in single-shot mode */
	if (fw_priv->data)
		return fw_decompress_xz_single(fw_priv, in_size, in_buffer);
	else
		return fw_decompress_xz_pages(fw_priv, in_size, in_buffer);
}

static int fw_decompress_zstd(struct fw_priv *fw_priv, size_t in_size, const void *in_buffer)
{
	size_t len, out_size, workspace_size;
	void *workspace, *out_buf;
	zstd_dctx *ctx;
	int err;

	if (fw_priv->allocated_size) {
		out_size = fw_priv->allocated_size;
		out_buf = fw_priv->data;
	} else {
		zstd_frame_header params;

		if (zstd_get_frame_header(&params, in_buffer, in_size) ||
		    params.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN) {
			return -EINVAL;
		}
		out_size = params.frameContentSize;
		/*
		 * vzalloc(out_size), but not past FUZZ_MAX + 1: a larger buffer
		 * only turns this model's "too small" into a result past
		 * FUZZ_MAX, which fwverify must refuse either way.
		 */
		if (!out_size)
			return -ENOMEM;		/* vzalloc(0) is NULL */
		if (out_size > FUZZ_MAX + 1) {
			out_size = FUZZ_MAX + 1;
			fw_priv->too_big = true;
		}
		out_buf = calloc(1, out_size);
		if (!out_buf)
			abort();
	}

	workspace_size = zstd_dctx_workspace_bound();
	workspace = kvzalloc(workspace_size, GFP_KERNEL);
	if (!workspace) {
		err = -ENOMEM;
		goto error;
	}

	ctx = zstd_init_dctx(workspace, workspace_size);
	if (!ctx) {
		err = -EINVAL;
		goto error;
	}

	len = zstd_decompress_dctx(ctx, out_buf, out_size, in_buffer, in_size);
	/* Only "too small" could have gone otherwise in the loader's larger buffer. */
	if (!zstd_is_error(len) || zstd_get_error_code(len) != ZSTD_error_dstSize_tooSmall)
		fw_priv->too_big = false;
	if (zstd_is_error(len)) {
		err = -EINVAL;
		goto error;
	}

	if (!fw_priv->allocated_size)
		fw_priv->data = out_buf;
	fw_priv->size = len;
	err = 0;

 error:
	kvfree(workspace);
	if (err && !fw_priv->allocated_size)
		free(out_buf);
	return err;
}

/*
 * Load @in as "<name><sfx>": into the loader's own buffer (@buf NULL) or
 * into the driver's @buf of @buf_size bytes (request_firmware_into_buf).
 */
static struct loaded load(const char *sfx, const unsigned char *in, size_t len,
			  unsigned char *buf, size_t buf_size)
{
	struct fw_priv p = { .data = buf, .allocated_size = buf ? buf_size : 0 };
	struct loaded l = { 0 };

	if (!len) {			/* kernel_read_file(): an empty file is -EINVAL */
		l.err = -EINVAL;
		return l;
	}
	shim_fail_after = 0;
	l.err = !strcmp(sfx, ".xz") ? fw_decompress_xz(&p, len, in) : fw_decompress_zstd(&p, len, in);
	l.too_big = p.too_big;
	if (shim_large_live())
		leaked("the loader", sfx);
	if (p.is_paged_buf)
		fw_free_pages(&p);
	if (!l.err) {
		l.data = p.data;
		l.size = p.size;
		if (p.data != buf)
			l.own = p.data;
	}
	return l;
}

static void hexdump_prefix(const char *what, const unsigned char *p, size_t n)
{
	fprintf(stderr, "  %s (%zu bytes):", what, n);
	for (size_t i = 0; i < n && i < 32; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "%s\n", n > 32 ? " ..." : "");
}

/* Hold the property for one loader result and one fwverify result. */
static void check(const char *sfx, const char *mode, size_t buf_size, const struct loaded *l,
		  unsigned long max_size, int err, const unsigned char *out, size_t out_len)
{
	size_t i;

	if (!err && out_len > max_size) {
		fprintf(stderr, "fwverify_decompress(%s) returned %zu bytes, max_size %lu\n",
			sfx, out_len, max_size);
		abort();
	}
	if (err || (l->err && !l->too_big))
		return;
	if (!l->too_big && out_len == l->size && !memcmp(out, l->data, out_len))
		return;
	fprintf(stderr, "fwverify accepted %s content the loader does not give a driver as such\n"
		"  loader: %s", sfx, mode);
	if (!strcmp(mode, "request_firmware_into_buf"))
		fprintf(stderr, ", driver buffer %zu", buf_size);
	fprintf(stderr, ", %s\n  fwverify: max_size %lu\n",
		l->too_big ? "more than FUZZ_MAX bytes" : "these bytes", max_size);
	for (i = 0; !l->too_big && i < out_len && i < l->size && out[i] == l->data[i]; i++)
		;
	if (!l->too_big) {
		fprintf(stderr, "  first difference at byte %zu\n", i);
		hexdump_prefix("loader", l->data + i, l->size - i);
	}
	hexdump_prefix("fwverify", out + (l->too_big ? 0 : i), out_len - (l->too_big ? 0 : i));
	abort();
}

/* fwverify_decompress() with @max_size, the @fail_at-th allocation failing (0: none). */
static int fwverify(const char *sfx, const unsigned char *in, size_t len, unsigned long max_size,
		    int fail_at, unsigned char **out, size_t *out_len)
{
	void *o = NULL;
	size_t n = 0;
	int err;

	fwverify_max_size = max_size;
	shim_fail_after = fail_at;
	err = fwverify_decompress(sfx, in, len, &o, &n);
	shim_fail_after = 0;
	if (shim_large_live())
		leaked("fwverify_decompress", sfx);
	*out = err ? NULL : o;
	*out_len = err ? 0 : n;
	return err;
}

static void fuzz_format(const char *sfx, const unsigned char *in, size_t len, unsigned int seed)
{
	struct loaded l = load(sfx, in, len, NULL, 0);
	unsigned char *out, *o2;
	size_t out_len, n2, sizes[5];
	int err, e2, ns = 0;

	err = fwverify(sfx, in, len, FUZZ_MAX, 0, &out, &out_len);
	check(sfx, "request_firmware", 0, &l, FUZZ_MAX, err, out, out_len);

	/* max_size at the content's size and one byte below. */
	if (!l.err && l.size <= FUZZ_MAX) {
		for (size_t m = l.size ? l.size - 1 : 0; m <= l.size; m++) {
			e2 = fwverify(sfx, in, len, m, 0, &o2, &n2);
			check(sfx, "request_firmware", 0, &l, m, e2, o2, n2);
			vfree(o2);
		}
	}
	/* An allocation failing: refused, no leak. */
	e2 = fwverify(sfx, in, len, FUZZ_MAX, 1 + seed % 4, &o2, &n2);
	check(sfx, "request_firmware", 0, &l, FUZZ_MAX, e2, o2, n2);
	vfree(o2);

	/* request_firmware_into_buf() with driver buffers around the content's size. */
	sizes[ns++] = 4096;
	if (!err) {
		sizes[ns++] = out_len;
		sizes[ns++] = out_len + 1;
		if (out_len)
			sizes[ns++] = out_len - 1;
	}
	if (!l.err && l.size != out_len && l.size <= FUZZ_MAX)
		sizes[ns++] = l.size;
	for (int i = 0; i < ns; i++) {
		/* +1: a zero-sized driver buffer is still a buffer. */
		unsigned char *buf = malloc(sizes[i] + 1);
		struct loaded b;

		if (!buf)
			abort();
		b = load(sfx, in, len, buf, sizes[i]);
		check(sfx, "request_firmware_into_buf", sizes[i], &b, FUZZ_MAX, err, out, out_len);
		free(b.own);
		free(buf);
	}
	vfree(out);
	free(l.own);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xz_crc32_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned int seed = 0;

	for (size_t i = 0; i < len && i < 16; i++)
		seed = seed * 31 + data[i];
	fuzz_format(".xz", data, len, seed);
	fuzz_format(".zst", data, len, seed);
	/* Twice over: a second stream or frame, which mutations rarely make whole. */
	if (len && len <= 32768) {
		unsigned char *two = malloc(2 * len);

		if (!two)
			abort();
		memcpy(two, data, len);
		memcpy(two + len, data, len);
		fuzz_format(".xz", two, 2 * len, seed);
		fuzz_format(".zst", two, 2 * len, seed);
		free(two);
	}
	return 0;
}
