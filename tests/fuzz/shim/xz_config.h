/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lib/xz/xz_private.h includes when __KERNEL__ is not defined: the
 * kernel branch's definitions, with the BCJ filters Debian's 6.12 enables
 * (CONFIG_XZ_DEC_X86, _ARM64, _RISCV, _MICROLZMA) and the allocators of
 * alloc.h.  CRC32 is xz's own (xz_crc32_init() before use).
 */
#ifndef SHIM_XZ_CONFIG_H
#define SHIM_XZ_CONFIG_H

#define XZ_DEC_X86
#define XZ_DEC_ARM64
#define XZ_DEC_RISCV
#define XZ_DEC_MICROLZMA

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <linux/xz.h>
#include <linux/kernel.h>
#include "alloc.h"

#define memeq(a, b, size) (memcmp(a, b, size) == 0)
#define memzero(buf, size) memset(buf, 0, size)

static inline uint32_t get_unaligned_le32(const void *v)
{
	const uint8_t *p = v;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t get_unaligned_be32(const void *v)
{
	const uint8_t *p = v;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void put_unaligned_le32(uint32_t v, void *d)
{
	uint8_t *p = d;

	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_unaligned_be32(uint32_t v, void *d)
{
	uint8_t *p = d;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define get_le32(p) get_unaligned_le32(p)

#endif
