/* Internal: rows passed level by level through a stack in two ping-pong
 * batches, the loop behind every multi-level pass (the public passes in
 * stack.c, training's feed-up in cd.c, the learned RG, block Gibbs descents
 * and receptive-field products). The caller says what one level's step is;
 * this file knows which buffer each level lands in. Never installed. */
#ifndef RGRBM_LIB_STACK_FEED_H
#define RGRBM_LIB_STACK_FEED_H

#include <stddef.h>

#include "stack.h"
#include "workspace.h"

typedef struct rgrbm__feed {
  float *buf[2]; /* rows x width floats each */
} rgrbm__feed;

/* The widest of levels lo..hi of s (0 when hi < lo): the width a feed needs
 * to hold any of them. */
size_t rgrbm__feed_width(const rgrbm_stack *s, int lo, int hi);

/* Takes the two batches, rows x width floats each, from ws (workspace.h:
 * called in both passes). */
void rgrbm__feed_take(rgrbm__feed *f, rgrbm__workspace *ws, size_t rows, size_t width);

/* One level: dst (rows x sizes[to]) from src (rows x sizes[from]), to = from
 * +- 1. ctx is the caller's. */
typedef void rgrbm__feed_step(const void *ctx, int from, int to, const float *src,
                              size_t rows, float *dst);

/* Steps from level `from` to level `to` (from != to, either direction),
 * starting at in. The j-th level after `from` lands in buf[j % 2], so in may
 * itself be buf[0]; the last level goes to out instead when out is not NULL.
 * Returns where the last level is. */
float *rgrbm__feed_run(const rgrbm__feed *f, int from, int to, const float *in, size_t rows,
                       float *out, rgrbm__feed_step *step, const void *ctx);

#endif
