/* RBM stacks: construction, parameter access, the unit transform and the
 * up/down passes. */
#include "stack.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "blas_inline.h"
#include "fail.h"
#include "rbm.h"
#include "rng.h"
#include "stack_feed.h"
#include "workspace.h"

int rgrbm__stack_alloc(rgrbm_stack **out, const int *sizes, int nlevels, rgrbm_units units,
                       const char *func) {
  if (out == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "out is NULL");
  *out = NULL;
  if (sizes == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "sizes is NULL");
  if (nlevels < 2)
    return rgrbm__fail(RGRBM_EINVAL, func, "nlevels = %d, a stack needs at least 2 levels",
                       nlevels);
  if (units != RGRBM_UNITS_BINARY && units != RGRBM_UNITS_SPIN)
    return rgrbm__fail(RGRBM_EINVAL, func, "units = %d is neither RGRBM_UNITS_BINARY nor "
                       "RGRBM_UNITS_SPIN", (int)units);
  for (int l = 0; l < nlevels; l++) {
    if (sizes[l] < 1)
      return rgrbm__fail(RGRBM_EINVAL, func, "sizes[%d] = %d, each level needs at least 1 unit",
                         l, sizes[l]);
  }
  rgrbm_stack *s = rgrbm__calloc(1, sizeof *s);
  if (s == NULL) return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate the stack");
  s->depth = nlevels - 1;
  s->units = units;
  s->sizes = rgrbm__calloc((size_t)nlevels, sizeof *s->sizes);
  s->weights = rgrbm__calloc((size_t)s->depth, sizeof *s->weights);
  s->vbias = rgrbm__calloc((size_t)s->depth, sizeof *s->vbias);
  s->hbias = rgrbm__calloc((size_t)s->depth, sizeof *s->hbias);
  s->epochs_done = rgrbm__calloc((size_t)s->depth, sizeof *s->epochs_done);
  s->trained_with = rgrbm__calloc((size_t)s->depth, sizeof *s->trained_with);
  int ok = s->sizes && s->weights && s->vbias && s->hbias && s->epochs_done && s->trained_with;
  if (ok) memcpy(s->sizes, sizes, (size_t)nlevels * sizeof *sizes);
  for (int l = 0; ok && l < s->depth; l++) {
    size_t nv = (size_t)sizes[l], nh = (size_t)sizes[l + 1];
    s->weights[l] = rgrbm__calloc(nv * nh, sizeof(float));
    s->vbias[l] = rgrbm__calloc(nv, sizeof(float));
    s->hbias[l] = rgrbm__calloc(nh, sizeof(float));
    ok = s->weights[l] && s->vbias[l] && s->hbias[l];
  }
  if (!ok) {
    rgrbm_stack_destroy(s);
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate the parameters of a %d-level stack",
                       nlevels);
  }
  *out = s;
  return RGRBM_OK;
}

void rgrbm__init_weights(float *w, size_t n, uint64_t seed, uint64_t index) {
  rgrbm__rng rng;
  rgrbm__rng_init(&rng, seed, RGRBM__STREAM(RGRBM__STREAM_STACK_INIT, index));
  for (size_t i = 0; i < n; i++)
    w[i] = (float)(RGRBM_STACK_DEFAULT_SIGMA * rgrbm__rng_normal(&rng));
}

/* Weights N(0, sigma^2), one generator stream per layer so that a layer's
 * initial weights do not depend on the other layers' sizes. */
static void init_weights(rgrbm_stack *s, uint64_t seed) {
  for (int l = 0; l < s->depth; l++)
    rgrbm__init_weights(s->weights[l], (size_t)s->sizes[l] * (size_t)s->sizes[l + 1], seed,
                        (uint64_t)l);
}

/* ---- finiteness ---- */

/* Index of the first NaN or infinity among p[0..n), or n. The scan is pure
 * integer arithmetic that vectorizes with any SIMD (SSE2 included): with
 * |x|'s bits m <= 0x7fffffff, m + 0x00800000 has bit 31 set exactly when m
 * >= 0x7f800000, i.e. x is an infinity or a NaN; the sums are OR-ed and the
 * scan stops only at the end, so the common, all-finite case pays one pass at
 * memory speed. */
static size_t first_non_finite(const float *p, size_t n) {
  uint32_t any = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t bits; /* memcpy: no aliasing of a float through an integer type */
    memcpy(&bits, p + i, sizeof bits);
    any |= (bits & 0x7fffffffu) + 0x00800000u;
  }
  if (!(any >> 31)) return n;
  size_t i = 0;
  while (isfinite(p[i])) i++;
  return i;
}

static const char *non_finite_name(float x) {
  return isnan(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
}

static int check_finite(const rgrbm_stack *s, int first, int last, int biases,
                        const char *func) {
  for (int l = first; l <= last; l++) {
    const size_t nv = (size_t)s->sizes[l], nh = (size_t)s->sizes[l + 1];
    size_t i = first_non_finite(s->weights[l], nv * nh);
    if (i < nv * nh)
      return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d weight (%zu, %zu) is %s", l, i / nh,
                         i % nh, non_finite_name(s->weights[l][i]));
    if (!biases) continue;
    i = first_non_finite(s->vbias[l], nv);
    if (i < nv)
      return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d visible bias %zu is %s", l, i,
                         non_finite_name(s->vbias[l][i]));
    i = first_non_finite(s->hbias[l], nh);
    if (i < nh)
      return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d hidden bias %zu is %s", l, i,
                         non_finite_name(s->hbias[l][i]));
  }
  return RGRBM_OK;
}

int rgrbm__stack_check_finite(const rgrbm_stack *s, int first, int last, const char *func) {
  return check_finite(s, first, last, 1, func);
}

int rgrbm__stack_check_finite_weights(const rgrbm_stack *s, int first, int last,
                                      const char *func) {
  return check_finite(s, first, last, 0, func);
}

int rgrbm__check_finite_batch(const float *x, size_t n, size_t cols, const char *name,
                              const char *func) {
  size_t i = first_non_finite(x, n * cols);
  if (i == n * cols) return RGRBM_OK;
  return rgrbm__fail(RGRBM_ENUMERIC, func, "%s row %zu, column %zu is %s", name, i / cols,
                     i % cols, non_finite_name(x[i]));
}

int rgrbm_stack_create(rgrbm_stack **out, const int *sizes, int nlevels, rgrbm_units units,
                       uint64_t seed) {
  int rc = rgrbm__stack_alloc(out, sizes, nlevels, units, __func__);
  if (rc != RGRBM_OK) return rc;
  (*out)->seed = seed;
  init_weights(*out, seed);
  return RGRBM_OK;
}

void rgrbm_stack_destroy(rgrbm_stack *s) {
  if (s == NULL) return;
  for (int l = 0; l < s->depth; l++) {
    if (s->weights) rgrbm__free(s->weights[l]);
    if (s->vbias) rgrbm__free(s->vbias[l]);
    if (s->hbias) rgrbm__free(s->hbias[l]);
  }
  rgrbm__free(s->weights);
  rgrbm__free(s->vbias);
  rgrbm__free(s->hbias);
  rgrbm__free(s->sizes);
  rgrbm__free(s->epochs_done);
  rgrbm__free(s->trained_with);
  rgrbm__free(s);
}

/* Getters (docs/conventions.md, "Getters and results"): the value itself;
 * 0 or NULL, with the message set, for a NULL stack or an index out of range. */

int rgrbm_stack_depth(const rgrbm_stack *s) {
  if (s == NULL) {
    rgrbm__fail(RGRBM_EINVAL, __func__, "s is NULL");
    return 0;
  }
  return s->depth;
}

size_t rgrbm_stack_size(const rgrbm_stack *s, int level) {
  if (rgrbm__stack_check_level(s, level, "level", __func__) != RGRBM_OK) return 0;
  return (size_t)s->sizes[level];
}

rgrbm_units rgrbm_stack_units(const rgrbm_stack *s) {
  if (s == NULL) {
    rgrbm__fail(RGRBM_EINVAL, __func__, "s is NULL");
    return RGRBM_UNITS_BINARY; /* 0, as every getter gives for NULL */
  }
  return s->units;
}

/* Binary (x in {0,1}) and spin (s = 2x - 1) parameters of one layer:
 * W_s = W_b / 4, c_s = c_b / 2 + sum_j W_b / 4, b_s = b_b / 2 + sum_i W_b / 4,
 * and inversely c_b = 2 (c_s - sum_j W_s), b_b = 2 (b_s - sum_i W_s). The sums
 * are of the weights before the change, in double. */
static void transform_layer(float *w, float *c, float *b, size_t nv, size_t nh, int to_spin) {
  for (size_t i = 0; i < nv; i++) {
    double row = 0.0;
    for (size_t j = 0; j < nh; j++) row += w[i * nh + j];
    c[i] = (float)(to_spin ? 0.5 * c[i] + 0.25 * row : 2.0 * (c[i] - row));
  }
  for (size_t j = 0; j < nh; j++) {
    double col = 0.0;
    for (size_t i = 0; i < nv; i++) col += w[i * nh + j];
    b[j] = (float)(to_spin ? 0.5 * b[j] + 0.25 * col : 2.0 * (b[j] - col));
  }
  const float scale = to_spin ? 0.25f : 4.0f; /* powers of two: exact */
  for (size_t i = 0; i < nv * nh; i++) w[i] *= scale;
}

/* A bias after transform_layer, in double: sum is its row or column of W. */
static double transformed_bias(double bias, double sum, int to_spin) {
  return to_spin ? 0.5 * bias + 0.25 * sum : 2.0 * (bias - sum);
}

/* Whether every parameter of layer l stays a finite float through
 * transform_layer (the binary side's parameters are up to 4 times larger):
 * computed as transform_layer would, without writing. */
static int check_transform_fits(const rgrbm_stack *s, int l, int to_spin, const char *func) {
  const size_t nv = (size_t)s->sizes[l], nh = (size_t)s->sizes[l + 1];
  const float *w = s->weights[l];
  const char *what = NULL;
  size_t at = 0;
  for (size_t i = 0; i < nv * nh && what == NULL; i++)
    if (!to_spin && fabsf(w[i]) > FLT_MAX / 4) what = "weight", at = i;
  for (size_t i = 0; i < nv && what == NULL; i++) {
    double row = 0.0;
    for (size_t j = 0; j < nh; j++) row += w[i * nh + j];
    if (fabs(transformed_bias(s->vbias[l][i], row, to_spin)) > FLT_MAX)
      what = "visible bias", at = i;
  }
  for (size_t j = 0; j < nh && what == NULL; j++) {
    double col = 0.0;
    for (size_t i = 0; i < nv; i++) col += w[i * nh + j];
    if (fabs(transformed_bias(s->hbias[l][j], col, to_spin)) > FLT_MAX)
      what = "hidden bias", at = j;
  }
  if (what == NULL) return RGRBM_OK;
  return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d %s %zu would exceed "
                     "FLT_MAX in %s units; the stack is unchanged", l, what, at,
                     to_spin ? "spin" : "binary");
}

int rgrbm_stack_set_units(rgrbm_stack *s, rgrbm_units units) {
  RGRBM_REQUIRE_NONNULL(s);
  if (units != RGRBM_UNITS_BINARY && units != RGRBM_UNITS_SPIN)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "units = %d is neither RGRBM_UNITS_BINARY nor "
                       "RGRBM_UNITS_SPIN", (int)units);
  if (units == s->units) return RGRBM_OK;
  int rc = rgrbm__stack_check_finite(s, 0, s->depth - 1, __func__);
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++)
    rc = check_transform_fits(s, l, units == RGRBM_UNITS_SPIN, __func__);
  if (rc != RGRBM_OK) return rc;
  for (int l = 0; l < s->depth; l++)
    transform_layer(s->weights[l], s->vbias[l], s->hbias[l], (size_t)s->sizes[l],
                    (size_t)s->sizes[l + 1], units == RGRBM_UNITS_SPIN);
  s->units = units;
  return RGRBM_OK;
}

/* The accessors share one range check; NULL (with a message) when out of
 * range. A const stack's arrays are writable storage (the struct holds
 * float *), so the const variants need no cast: they only promise the
 * caller less. */
static float *layer_array(const rgrbm_stack *s, int layer, float *const *arrays,
                          const char *func) {
  if (rgrbm__stack_check_layer(s, layer, func) != RGRBM_OK) return NULL;
  return arrays[layer];
}

float *rgrbm_stack_weights(rgrbm_stack *s, int layer) {
  return layer_array(s, layer, s ? s->weights : NULL, __func__);
}

float *rgrbm_stack_visible_bias(rgrbm_stack *s, int layer) {
  return layer_array(s, layer, s ? s->vbias : NULL, __func__);
}

float *rgrbm_stack_hidden_bias(rgrbm_stack *s, int layer) {
  return layer_array(s, layer, s ? s->hbias : NULL, __func__);
}

const float *rgrbm_stack_weights_const(const rgrbm_stack *s, int layer) {
  return layer_array(s, layer, s ? s->weights : NULL, __func__);
}

const float *rgrbm_stack_visible_bias_const(const rgrbm_stack *s, int layer) {
  return layer_array(s, layer, s ? s->vbias : NULL, __func__);
}

const float *rgrbm_stack_hidden_bias_const(const rgrbm_stack *s, int layer) {
  return layer_array(s, layer, s ? s->hbias : NULL, __func__);
}

/* Arguments of a pass: levels in range and ordered, buffers present. */
static int check_pass(const rgrbm_stack *s, int from, int to, int up, const float *in,
                      size_t n, const float *out, const char *func) {
  int rc = rgrbm__stack_check_level(s, from, "from", func);
  if (rc == RGRBM_OK) rc = rgrbm__stack_check_level(s, to, "to", func);
  if (rc != RGRBM_OK) return rc;
  if (up ? to <= from : to >= from)
    return rgrbm__fail(RGRBM_EINVAL, func, "from = %d, to = %d, a pass %s needs to %s from",
                       from, to, up ? "up" : "down", up ? ">" : "<");
  if (in == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "in is NULL");
  if (out == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "out is NULL");
  if (n == 0) return rgrbm__fail(RGRBM_EINVAL, func, "n = 0, a batch needs at least 1 row");
  if (!rgrbm__blas_fits(n))
    return rgrbm__fail(RGRBM_EINVAL, func, "n = %zu exceeds the BLAS limit of %zu rows", n,
                       RGRBM__BLAS_MAX);
  return RGRBM_OK;
}

/* One pass's context: sampling draws every row of every level from its own
 * stream, so the result is a function of seed alone. */
typedef struct pass_ctx {
  const rgrbm_stack *s;
  int sample;
  uint64_t seed;
  rgrbm__rng *rngs; /* one per row when sampling */
} pass_ctx;

static void pass_step(const void *arg, int level, int next, const float *src, size_t n,
                      float *dst) {
  const pass_ctx *p = arg;
  const int up = next > level;
  if (up)
    rgrbm__rbm_hidden_means(p->s, level, src, n, dst);
  else
    rgrbm__rbm_visible_means(p->s, next, src, n, dst);
  if (!p->sample) return;
  uint64_t index = RGRBM__CD_PASS_BIT | ((uint64_t)up << 53) | ((uint64_t)next << 32);
  rgrbm__rng_init_rows(p->rngs, n, p->seed, RGRBM__STREAM(RGRBM__STREAM_CD, index));
  rgrbm__sample_units(p->s->units, dst, n, (size_t)p->s->sizes[next], p->rngs, dst);
}

static void carve_pass(pass_ctx *p, rgrbm__feed *f, rgrbm__workspace *ws, int from, int to,
                       size_t n) {
  const int lo = from < to ? from : to, hi = from < to ? to : from;
  RGRBM__WS_TAKE(ws, p->rngs, p->sample ? n : 0);
  rgrbm__feed_take(f, ws, n, rgrbm__feed_width(p->s, lo + 1, hi - 1));
}

/* The levels strictly between from and to pass through the feed's two
 * batches; the last level is written to out. */
static int run_pass(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                    float *out, int sample, uint64_t seed, const char *func) {
  pass_ctx p = {s, sample, seed, NULL};
  rgrbm__feed feed;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  carve_pass(&p, &feed, &ws, from, to, n);
  int rc = rgrbm__ws_alloc(&ws, 0);
  if (rc == RGRBM_EINVAL)
    return rgrbm__fail(RGRBM_EINVAL, func, "n = %zu rows overflow the scratch buffers", n);
  if (rc != RGRBM_OK)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes of scratch", ws.bytes);
  carve_pass(&p, &feed, &ws, from, to, n);
  rgrbm__feed_run(&feed, from, to, in, n, out, pass_step, &p);
  rgrbm__ws_free(&ws);
  return RGRBM_OK;
}

int rgrbm__stack_pass(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                      float *out, int sample, uint64_t seed, const char *func) {
  int rc = check_pass(s, from, to, to > from, in, n, out, func);
  if (rc == RGRBM_OK)
    rc = rgrbm__check_finite_batch(in, n, (size_t)s->sizes[from], "in", func);
  return rc != RGRBM_OK ? rc : run_pass(s, from, to, in, n, out, sample, seed, func);
}

/* A pass reads the layers between its two levels; they are checked once. */
static int checked_pass(const rgrbm_stack *s, int from, int to, int up, const float *in,
                        size_t n, float *out, int sample, uint64_t seed, const char *func) {
  int rc = check_pass(s, from, to, up, in, n, out, func);
  if (rc == RGRBM_OK)
    rc = rgrbm__stack_check_finite(s, up ? from : to, up ? to - 1 : from - 1, func);
  return rc != RGRBM_OK ? rc : rgrbm__stack_pass(s, from, to, in, n, out, sample, seed, func);
}

int rgrbm_stack_up(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                   float *out) {
  return checked_pass(s, from, to, 1, in, n, out, 0, 0, __func__);
}

int rgrbm_stack_down(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                     float *out) {
  return checked_pass(s, from, to, 0, in, n, out, 0, 0, __func__);
}

int rgrbm_stack_sample_up(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                          uint64_t seed, float *out) {
  return checked_pass(s, from, to, 1, in, n, out, 1, seed, __func__);
}

int rgrbm_stack_sample_down(const rgrbm_stack *s, int from, int to, const float *in,
                            size_t n, uint64_t seed, float *out) {
  return checked_pass(s, from, to, 0, in, n, out, 1, seed, __func__);
}
