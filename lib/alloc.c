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

/* Test hook (rgrbm__alloc_fail_after): allocations counted since it was
 * set, and the index of the one that fails (-1: none). Two relaxed atomics
 * cost nothing next to malloc. */
static atomic_long allocations_seen;
static atomic_long failing_allocation = -1;
static atomic_int failing_onward; /* 1: every allocation from that one on fails */

static void fail_from(long n, int onward) {
  atomic_store(&failing_allocation, -1);
  atomic_store(&allocations_seen, 0);
  atomic_store(&failing_onward, onward);
  atomic_store(&failing_allocation, n);
}

void rgrbm__alloc_fail_after(long n) { fail_from(n, 0); }

void rgrbm__alloc_fail_onward(long n) { fail_from(n, 1); }

long rgrbm__alloc_count(void) { return atomic_load(&allocations_seen); }

/* Whether the hook makes this allocation fail (each index fails once). */
static int injected_failure(void) {
  long index = atomic_fetch_add_explicit(&allocations_seen, 1, memory_order_relaxed);
  long failing = atomic_load_explicit(&failing_allocation, memory_order_relaxed);
  if (failing < 0) return 0;
  return index == failing || (index > failing && atomic_load(&failing_onward));
}

static header *header_of(void *ptr) { return (header *)((uintptr_t)ptr - sizeof(header)); }

void *rgrbm__alloc(size_t bytes) {
  const size_t extra = sizeof(header) + ALIGNMENT - 1;
  if (bytes > SIZE_MAX - extra || injected_failure()) return NULL;
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

static size_t block_size(void *ptr) { return header_of(ptr)->bytes; }

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
