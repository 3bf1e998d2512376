/* Passing rows level by level through a stack: see stack_feed.h. */
#include "stack_feed.h"

size_t rgrbm__feed_width(const rgrbm_stack *s, int lo, int hi) {
  size_t widest = 0;
  for (int l = lo; l <= hi; l++)
    if ((size_t)s->sizes[l] > widest) widest = (size_t)s->sizes[l];
  return widest;
}

void rgrbm__feed_take(rgrbm__feed *f, rgrbm__workspace *ws, size_t rows, size_t width) {
  int overflow = 0;
  const size_t floats = rgrbm__mul_size(rows, width, &overflow);
  ws->overflow |= overflow;
  RGRBM__WS_TAKE(ws, f->buf[0], floats);
  RGRBM__WS_TAKE(ws, f->buf[1], floats);
}

float *rgrbm__feed_run(const rgrbm__feed *f, int from, int to, const float *in, size_t rows,
                       float *out, rgrbm__feed_step *step, const void *ctx) {
  const int dir = to > from ? 1 : -1;
  const float *src = in;
  float *dst = NULL;
  for (int level = from, j = 1; level != to; level += dir, j++) {
    dst = level + dir == to && out != NULL ? out : f->buf[j & 1];
    step(ctx, level, level + dir, src, rows, dst);
    src = dst;
  }
  return dst;
}
