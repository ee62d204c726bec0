// SPDX-License-Identifier: GPL-2.0
/*
 * Allocations up to SHIM_LARGE come from malloc(), so ASan bounds them
 * exactly (fwverify's output buffers stay below it).  Larger ones (the
 * zstd stream workspace of 32 MiB and more, xz dictionaries) are mmap()ed:
 * ASan poisons and unpoisons the shadow of every large block it frees,
 * which made each run take tens of milliseconds.  Their leaks are counted
 * instead (shim_large_live()).
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "alloc.h"

#define SHIM_LARGE_NR 16

int shim_fail_after;

static struct {
	void *p;
	size_t size;
} large[SHIM_LARGE_NR];

void *shim_alloc(size_t size, int zero)
{
	void *p;
	int i;

	if (shim_fail_after > 0 && !--shim_fail_after)
		return NULL;
	/* vmalloc(0) and kvmalloc(0) give NULL; kmalloc()'s ZERO_SIZE_PTR is never asked for here. */
	if (!size || size > SHIM_ALLOC_MAX)
		return NULL;
	if (size <= SHIM_LARGE)
		return zero ? calloc(1, size) : malloc(size);
	for (i = 0; i < SHIM_LARGE_NR && large[i].p; i++)
		;
	if (i == SHIM_LARGE_NR)
		abort();
	/* Fresh anonymous pages are zero: vzalloc() and vmalloc() alike. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	large[i].p = p;
	large[i].size = size;
	return p;
}

void shim_free(const void *p)
{
	for (int i = 0; p && i < SHIM_LARGE_NR; i++) {
		if (large[i].p == p) {
			munmap(large[i].p, large[i].size);
			large[i].p = NULL;
			return;
		}
	}
	free((void *)p);
}

int shim_large_live(void)
{
	int n = 0;

	for (int i = 0; i < SHIM_LARGE_NR; i++)
		n += !!large[i].p;
	return n;
}
