/* Internal: the library's allocator. Every buffer the library owns comes from
 * here so that rgrbm_memory_in_use() can count them; blocks are 64-byte
 * aligned for SIMD loads. Never installed. */
#ifndef RGRBM_LIB_ALLOC_H
#define RGRBM_LIB_ALLOC_H

#include <stddef.h>

/* Returns NULL on failure or when bytes == 0 would be ambiguous: a request for
 * 0 bytes returns a valid unique block. */
void *rgrbm__alloc(size_t bytes);
/* Zeroed array of n elements of size bytes; NULL if n * size overflows. */
void *rgrbm__calloc(size_t n, size_t size);
/* Like realloc: on failure returns NULL and leaves ptr untouched. */
void *rgrbm__realloc(void *ptr, size_t bytes);
void rgrbm__free(void *ptr);

/* Test hook, reachable only by programs linked with the internal static
 * library (lib/rgrbm.sym exports neither): restart the allocation count and
 * make allocation number n from now (0 = the next) return NULL, once; -1
 * turns the injection off. Allocations inside OpenBLAS, LAPACKE, libgomp and
 * libc (stdio, opendir) do not pass through here. */
void rgrbm__alloc_fail_after(long n);
/* The same, but allocation n and every one after it fail (until the next
 * call of either), so that fallbacks that allocate are failed too. */
void rgrbm__alloc_fail_onward(long n);
/* Allocations since the last rgrbm__alloc_fail_after (failed ones included). */
long rgrbm__alloc_count(void);

/* n * size, or 0 with *overflow set when it does not fit in size_t. */
static inline size_t rgrbm__mul_size(size_t n, size_t size, int *overflow) {
  if (size != 0 && n > (size_t)-1 / size) {
    *overflow = 1;
    return 0;
  }
  return n * size;
}

#endif
