/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's allocators for the fuzz target (alloc.c).  Any allocation
 * above SHIM_ALLOC_MAX fails (a .xz header may ask the loader's decoder for
 * a 3 GiB dictionary; libFuzzer would call that malloc a crash), and
 * shim_fail_after > 0 makes the allocation that many calls from now fail.
 */
#ifndef SHIM_ALLOC_H
#define SHIM_ALLOC_H

#include <stddef.h>

#define SHIM_ALLOC_MAX ((size_t)128 << 20)
/* Above this, blocks are mmap()ed rather than malloc()ed (alloc.c). */
#define SHIM_LARGE ((size_t)2 << 20)
#define GFP_KERNEL 0u

extern int shim_fail_after;

void *shim_alloc(size_t size, int zero);
void shim_free(const void *p);
/* How many large (mmap()ed, so not ASan's) blocks are allocated. */
int shim_large_live(void);

#define kmalloc(size, gfp) ((void)(gfp), shim_alloc((size), 0))
#define kzalloc(size, gfp) ((void)(gfp), shim_alloc((size), 1))
#define kvmalloc(size, gfp) ((void)(gfp), shim_alloc((size), 0))
#define kvzalloc(size, gfp) ((void)(gfp), shim_alloc((size), 1))
#define vmalloc(size) shim_alloc((size), 0)
#define vzalloc(size) shim_alloc((size), 1)
#define kfree(p) shim_free(p)
#define kvfree(p) shim_free(p)
#define vfree(p) shim_free(p)

#endif
