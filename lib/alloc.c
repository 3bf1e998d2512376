/* Counting, aligned allocator behind rgrbm_memory_in_use(). */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rgrbm/common.h"

/* Blocks come from plain malloc, over-allocated and aligned by hand: a
 * header just below the user pointer keeps the size and malloc's own
 * pointer. (posix_memalign asks glibc for more than it hands back, so a
 * freed multi-megabyte block was never reused by the next request of the
 * same size: every rgrbm_cd_train call grew the heap by its work buffers.) */
enum { ALIGNMENT = 64 };

typedef struct header {
  void *block; /* what malloc returned */
  size_t bytes;
} header;

static atomic_size_t bytes_in_use;

static header *header_of(const void *ptr) { return (header *)((uintptr_t)ptr - sizeof(header)); }

void *rgrbm__alloc(size_t bytes) {
  const size_t extra = sizeof(header) + ALIGNMENT - 1;
  if (bytes > SIZE_MAX - extra) return NULL;
  void *block = malloc(bytes + extra);
  if (block == NULL) return NULL;
  uintptr_t user = ((uintptr_t)block + sizeof(header) + ALIGNMENT - 1) & ~(uintptr_t)(ALIGNMENT - 1);
  header *h = header_of((void *)user);
  h->block = block;
  h->bytes = bytes;
  atomic_fetch_add_explicit(&bytes_in_use, bytes, memory_order_relaxed);
  return (void *)user;
}

void *rgrbm__calloc(size_t n, size_t size) {
  int overflow = 0;
  size_t bytes = rgrbm__mul_size(n, size, &overflow);
  if (overflow) return NULL;
  void *p = rgrbm__alloc(bytes);
  if (p) memset(p, 0, bytes);
  return p;
}

static size_t block_size(const void *ptr) { return header_of(ptr)->bytes; }

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
  free(header_of(ptr)->block);
}

size_t rgrbm_memory_in_use(void) {
  return atomic_load_explicit(&bytes_in_use, memory_order_relaxed);
}
