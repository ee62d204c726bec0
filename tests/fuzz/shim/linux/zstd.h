/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's zstd wrapper API (include/linux/zstd.h), the part the loader
 * and kmod/decompress.c use, on libzstd: the same mapping as
 * lib/zstd/zstd_decompress_module.c, static workspaces included, so a window
 * larger than the workspace fails here as it does in the kernel.
 */
#ifndef SHIM_LINUX_ZSTD_H
#define SHIM_LINUX_ZSTD_H

#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>
#include <linux/types.h>

typedef ZSTD_ErrorCode zstd_error_code;
typedef ZSTD_DCtx zstd_dctx;
typedef ZSTD_DStream zstd_dstream;
typedef ZSTD_inBuffer zstd_in_buffer;
typedef ZSTD_outBuffer zstd_out_buffer;
typedef ZSTD_frameHeader zstd_frame_header;

static inline unsigned int zstd_is_error(size_t code)
{
	return ZSTD_isError(code);
}

static inline zstd_error_code zstd_get_error_code(size_t code)
{
	return ZSTD_getErrorCode(code);
}

static inline size_t zstd_dctx_workspace_bound(void)
{
	return ZSTD_estimateDCtxSize();
}

static inline zstd_dctx *zstd_init_dctx(void *workspace, size_t workspace_size)
{
	if (workspace == NULL)
		return NULL;
	return ZSTD_initStaticDCtx(workspace, workspace_size);
}

static inline size_t zstd_decompress_dctx(zstd_dctx *dctx, void *dst, size_t dst_capacity,
					  const void *src, size_t src_size)
{
	return ZSTD_decompressDCtx(dctx, dst, dst_capacity, src, src_size);
}

static inline size_t zstd_dstream_workspace_bound(size_t max_window_size)
{
	return ZSTD_estimateDStreamSize(max_window_size);
}

static inline zstd_dstream *zstd_init_dstream(size_t max_window_size, void *workspace,
					      size_t workspace_size)
{
	if (workspace == NULL)
		return NULL;
	(void)max_window_size;
	return ZSTD_initStaticDStream(workspace, workspace_size);
}

static inline size_t zstd_decompress_stream(zstd_dstream *dstream, zstd_out_buffer *output,
					    zstd_in_buffer *input)
{
	return ZSTD_decompressStream(dstream, output, input);
}

static inline size_t zstd_find_frame_compressed_size(const void *src, size_t src_size)
{
	return ZSTD_findFrameCompressedSize(src, src_size);
}

static inline size_t zstd_get_frame_header(zstd_frame_header *params, const void *src,
					   size_t src_size)
{
	return ZSTD_getFrameHeader(params, src, src_size);
}

#endif
