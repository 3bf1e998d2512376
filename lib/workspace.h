/* Internal: one allocation carved into aligned arrays (zstd's cwksp idea).
 * A module that needs several work arrays writes one function that takes
 * them in order from a workspace, and runs it twice: the first pass, on a
 * workspace with no memory, only adds up the sizes (overflow-checked); after
 * rgrbm__ws_alloc the second pass, in the same order, hands out the pieces.
 * The order and the sizes are then written once, so the list of arrays, the
 * size computation and the pointer assignment cannot drift apart.
 *
 *   rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
 *   carve(t, &ws);                         // sizes
 *   if (rgrbm__ws_alloc(&ws, 1) != RGRBM_OK) ... // ws.overflow tells why
 *   carve(t, &ws);                         // pointers
 *   ...
 *   rgrbm__ws_free(&ws);
 *
 * A few arrays can be taken in a loop of the two passes instead:
 *
 *   for (int carving = 0; carving < 2; carving++) {
 *     RGRBM__WS_TAKE(&ws, a, n);
 *     RGRBM__WS_TAKE(&ws, b, m);
 *     if (!carving && rgrbm__ws_alloc(&ws, 0) != RGRBM_OK) return ...;
 *   }
 *
 * During the sizing pass every take returns NULL: a carving function only
 * stores the pointers it is given (no arithmetic on them, which on NULL is
 * undefined). Never installed. */
#ifndef RGRBM_LIB_WORKSPACE_H
#define RGRBM_LIB_WORKSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "rgrbm/common.h"

/* Every piece starts on a cache line (the allocator's alignment). */
#define RGRBM__WS_ALIGN ((size_t)64)

typedef struct rgrbm__workspace {
  char *base;   /* NULL during the sizing pass */
  size_t bytes; /* bytes taken so far (the total after the sizing pass) */
  int overflow; /* a size did not fit in size_t */
} rgrbm__workspace;

#define RGRBM__WORKSPACE_INIT {NULL, 0, 0}

/* The next count * size bytes, aligned; NULL while sizing (and for a
 * workspace whose sizing overflowed). */
static inline void *rgrbm__ws_take(rgrbm__workspace *ws, size_t count, size_t size) {
  size_t bytes = rgrbm__mul_size(count, size, &ws->overflow);
  size_t rounded = (bytes + RGRBM__WS_ALIGN - 1) & ~(RGRBM__WS_ALIGN - 1);
  if (ws->overflow || rounded < bytes || rounded > SIZE_MAX - ws->bytes) {
    ws->overflow = 1;
    return NULL;
  }
  void *piece = ws->base != NULL ? ws->base + ws->bytes : NULL;
  ws->bytes += rounded;
  return piece;
}

/* After the sizing pass: one block of ws->bytes (zeroed when zero), and
 * the count restarted for the carving pass. RGRBM_EINVAL when a size
 * overflowed, RGRBM_ENOMEM when the block cannot be had; the caller words
 * the message (it knows what the arrays are for). */
static inline int rgrbm__ws_alloc(rgrbm__workspace *ws, int zero) {
  if (ws->overflow) return RGRBM_EINVAL;
  ws->base = zero ? (char *)rgrbm__calloc(1, ws->bytes) : (char *)rgrbm__alloc(ws->bytes);
  if (ws->base == NULL) return RGRBM_ENOMEM;
  ws->bytes = 0;
  return RGRBM_OK;
}

static inline void rgrbm__ws_free(rgrbm__workspace *ws) {
  rgrbm__free(ws->base);
  ws->base = NULL;
}

/* Typed take: ptr = count elements of *ptr's type. */
#define RGRBM__WS_TAKE(ws, ptr, count) ((ptr) = rgrbm__ws_take((ws), (count), sizeof *(ptr)))

#endif
