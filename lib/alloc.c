/* Counting, aligned allocator behind rgrbm_memory_in_use(). */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rgrbm/common.h"

/* The block size lives in a header one alignment unit long, so the user
 * pointer stays 64-byte aligned. */
enum { ALIGNMENT = 64 };

static atomic_size_t bytes_in_use;

void *rgrbm__alloc(size_t bytes) {
  if (bytes > SIZE_MAX - ALIGNMENT) return NULL;
  void *block = NULL;
  if (posix_memalign(&block, ALIGNMENT, ALIGNMENT + bytes) != 0) return NULL;
  *(size_t *)block = bytes;
  atomic_fetch_add_explicit(&bytes_in_use, bytes, memory_order_relaxed);
  return (char *)block + ALIGNMENT;
}

void *rgrbm__calloc(size_t n, size_t size) {
  int overflow = 0;
  size_t bytes = rgrbm__mul_size(n, size, &overflow);
  if (overflow) return NULL;
  void *p = rgrbm__alloc(bytes);
  if (p) memset(p, 0, bytes);
  return p;
}

static size_t block_size(const void *ptr) {
  return *(const size_t *)((const char *)ptr - ALIGNMENT);
}

void *rgrbm__realloc(void *ptr, size_t bytes) {
  if (ptr == NULL) return rgrbm__alloc(bytes);
  size_t old = block_size(ptr);
  void *fresh = rgrbm__alloc(bytes);
  if (fresh == NULL) return NULL;
  memcpy(fresh, ptr, old < bytes ? old : bytes);
  rgrbm__free(ptr);
  return fresh;
}

void rgrbm__free(void *ptr) {
  if (ptr == NULL) return;
  atomic_fetch_sub_explicit(&bytes_in_use, block_size(ptr), memory_order_relaxed);
  free((char *)ptr - ALIGNMENT);
}

size_t rgrbm_memory_in_use(void) {
  return atomic_load_explicit(&bytes_in_use, memory_order_relaxed);
}
