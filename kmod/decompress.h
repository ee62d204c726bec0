/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decompress.c: the loader's decompression of .xz and .zst firmware, by the
 * kernel's own decompressors, to verify a signature of the content.
 */
#ifndef _FWVERIFY_DECOMPRESS_H
#define _FWVERIFY_DECOMPRESS_H

#include <linux/types.h>

int fwverify_decompress(const char *suffix, const void *in, size_t in_len,
			void **out, size_t *out_len);

#endif /* _FWVERIFY_DECOMPRESS_H */
