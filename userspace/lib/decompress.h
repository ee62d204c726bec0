/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compressed firmware, decoded by the kernel's rules: what the firmware
 * loader hands a driver for "fw.bin.xz" or "fw.bin.zst", and so what a
 * signature of the content ("fw.bin.p7s") covers and what the module
 * hashes for its revocation list.  liblzma and libzstd decode; the rules
 * are the module's: .xz is exactly one stream with nothing after it (no
 * padding, no second stream); .zst is every frame to the end of the file,
 * skippable frames skipped.  Library code: returns 0 or -errno, no logging.
 */
#ifndef FWVERIFY_DECOMPRESS_H
#define FWVERIFY_DECOMPRESS_H

#include <stddef.h>

/* The most content decoded: the module's max_size default, 256 MiB. */
#define DECOMPRESS_MAX ((size_t)256 << 20)

/* The compression suffixes the loader tries, NULL-terminated: ".xz", ".zst". */
extern const char *const decompress_suffixes[];

/* The compression suffix the loader may have added to @name: ".xz", ".zst", or NULL. */
const char *decompress_suffix(const char *name);

/*
 * The compression suffix of @name (relative to @dirfd, or AT_FDCWD) when
 * its signature is one of the content: "fw.bin.p7s" beside "fw.bin.xz" or
 * "fw.bin.zst", and no "fw.bin.xz.p7s", which the kernel would take first.
 * NULL when the file as stored is what its signature covers.  A signature
 * that cannot be looked at for another reason than ENOENT counts as there.
 */
const char *decompress_content_signed(int dirfd, const char *name);

/*
 * Decode @in, from its offset to its end, as the format @suffix names and
 * write the content to @out.  Nothing past @max bytes of content is
 * written: a decompression bomb is refused when it reaches the cap.
 * Return: 0; -EBADMSG if @in is not what the rules above accept (corrupt,
 * truncated, data after the stream, a dictionary or window larger than
 * @max); -EFBIG past @max bytes; -EOPNOTSUPP for another suffix; -ENOMEM;
 * or -errno of a read or write.
 */
int decompress_fd(const char *suffix, int in, int out, size_t max);

/*
 * Decode @in as decompress_fd() does into a new memfd.  Return: its
 * descriptor, at offset 0; or as decompress_fd(), or -errno of memfd_create().
 */
int decompress_memfd(const char *suffix, int in, size_t max);

/*
 * The rule a decompress_fd() error at the cap DECOMPRESS_MAX means, for
 * "cannot decompress: <rule>": the format's (-EBADMSG) or the cap's
 * (-EFBIG).  NULL for any other error, a system error.
 */
const char *decompress_rule(const char *suffix, int err);

#endif
