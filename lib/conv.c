/* Translation-invariant layers: construction, parameter access, the window
 * geometry of a lattice and the one-configuration passes that training and
 * the RG plan run. The passes are plain loops in a fixed order (no BLAS:
 * the window gather is not a matrix product), so their bits depend on the
 * inputs alone. */
#include "conv.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "fail.h"
#include "rbm.h"
#include "rng.h"
#include "stack.h"
#include "workspace.h"

/* ---- construction ---- */

int rgrbm__conv_alloc(rgrbm_conv **out, int f, int b, rgrbm_units units, const char *func) {
  if (out == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "out is NULL");
  *out = NULL;
  if (b < 2) return rgrbm__fail(RGRBM_EINVAL, func, "b = %d, the stride must be at least 2", b);
  if (f < b || f > RGRBM_CONV_MAX_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, func, "f = %d, the filter side must be in [b, %d] = "
                       "[%d, %d]", f, RGRBM_CONV_MAX_SIDE, b, RGRBM_CONV_MAX_SIDE);
  if (units != RGRBM_UNITS_BINARY && units != RGRBM_UNITS_SPIN)
    return rgrbm__fail(RGRBM_EINVAL, func, "units = %d is neither RGRBM_UNITS_BINARY nor "
                       "RGRBM_UNITS_SPIN", (int)units);
  const size_t bytes = sizeof(rgrbm_conv) + rgrbm__conv_param_count(f) * sizeof(float);
  rgrbm_conv *c = rgrbm__calloc(1, bytes);
  if (c == NULL) return RGRBM_FAIL_NOMEM_IN(func, "the layer", bytes);
  c->f = f;
  c->b = b;
  c->units = units;
  *out = c;
  return RGRBM_OK;
}

/* Weights N(0, sigma^2) as a stack's, from a stream of their own. */
int rgrbm_conv_create(rgrbm_conv **out, int f, int b, rgrbm_units units, uint64_t seed) {
  int rc = rgrbm__conv_alloc(out, f, b, units, __func__);
  if (rc != RGRBM_OK) return rc;
  rgrbm_conv *c = *out;
  c->seed = seed;
  /* stream 2^40: beyond any stack layer's */
  rgrbm__init_weights(c->params, (size_t)f * (size_t)f, seed, UINT64_C(1) << 40);
  return RGRBM_OK;
}

void rgrbm_conv_destroy(rgrbm_conv *c) { rgrbm__free(c); }

/* ---- getters ---- */

#define CONV_GETTER_GUARD(c, zero)                                                  \
  do {                                                                              \
    if ((c) == NULL) {                                                              \
      rgrbm__fail(RGRBM_EINVAL, __func__, "c is NULL");                             \
      return zero;                                                                  \
    }                                                                               \
  } while (0)

int rgrbm_conv_filter_side(const rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, 0);
  return c->f;
}

int rgrbm_conv_stride(const rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, 0);
  return c->b;
}

rgrbm_units rgrbm_conv_units(const rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, (rgrbm_units)0);
  return c->units;
}

float *rgrbm_conv_weights(rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, NULL);
  return c->params;
}

float *rgrbm_conv_visible_bias(rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, NULL);
  return c->params + (size_t)c->f * (size_t)c->f;
}

float *rgrbm_conv_hidden_bias(rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, NULL);
  return c->params + (size_t)c->f * (size_t)c->f + 1;
}

const float *rgrbm_conv_weights_const(const rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, NULL);
  return c->params;
}

const float *rgrbm_conv_visible_bias_const(const rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, NULL);
  return c->params + (size_t)c->f * (size_t)c->f;
}

const float *rgrbm_conv_hidden_bias_const(const rgrbm_conv *c) {
  CONV_GETTER_GUARD(c, NULL);
  return c->params + (size_t)c->f * (size_t)c->f + 1;
}

/* ---- checks ---- */

int rgrbm__conv_check_finite(const rgrbm_conv *c, const char *func) {
  const size_t weights = (size_t)c->f * (size_t)c->f;
  for (size_t i = 0; i < weights + 2; i++) {
    float x = c->params[i];
    if (isfinite(x)) continue;
    const char *what = isnan(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
    if (i < weights)
      return rgrbm__fail(RGRBM_ENUMERIC, func, "the filter's weight (dx %zu, dy %zu) is %s",
                         i % (size_t)c->f, i / (size_t)c->f, what);
    return rgrbm__fail(RGRBM_ENUMERIC, func, "the %s bias is %s",
                       i == weights ? "visible" : "hidden", what);
  }
  return RGRBM_OK;
}

int rgrbm__conv_check_lattice(const rgrbm_conv *c, int lx, int ly, const char *name,
                              const char *func) {
  if (lx < 1 || ly < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "%s = %d x %d, both sides must be at least 1",
                       name, lx, ly);
  if (lx % c->b != 0 || ly % c->b != 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "%s = %d x %d: the stride b = %d must divide "
                       "both sides", name, lx, ly, c->b);
  if ((int64_t)lx * (int64_t)ly > INT32_MAX)
    return rgrbm__fail(RGRBM_EINVAL, func, "%s = %d x %d exceeds 2^31 - 1 sites", name,
                       lx, ly);
  /* The index tables and passes index in int: a side's tables hold side x
   * ceil(f / b) entries, at least (side / b) x f. */
  const int64_t per = (c->f + c->b - 1) / c->b, side = lx > ly ? lx : ly;
  if (side * per > INT32_MAX)
    return rgrbm__fail(RGRBM_EINVAL, func, "%s = %d x %d with f = %d, b = %d: the index "
                       "tables would exceed 2^31 - 1 entries", name, lx, ly, c->f, c->b);
  return RGRBM_OK;
}

/* ---- geometry ---- */

static int mod(int a, int n) { return ((a % n) + n) % n; }

static void carve_geometry(rgrbm__conv_geometry *g, rgrbm__workspace *ws) {
  RGRBM__WS_TAKE(ws, g->win_x, (size_t)g->cx * (size_t)g->f);
  RGRBM__WS_TAKE(ws, g->win_y, (size_t)g->cy * (size_t)g->f);
  RGRBM__WS_TAKE(ws, g->cover_n_x, (size_t)g->lx);
  RGRBM__WS_TAKE(ws, g->cover_dx, (size_t)g->lx * (size_t)g->per);
  RGRBM__WS_TAKE(ws, g->cover_X, (size_t)g->lx * (size_t)g->per);
  RGRBM__WS_TAKE(ws, g->cover_n_y, (size_t)g->ly);
  RGRBM__WS_TAKE(ws, g->cover_dy, (size_t)g->ly * (size_t)g->per);
  RGRBM__WS_TAKE(ws, g->cover_Y, (size_t)g->ly * (size_t)g->per);
}

/* One axis: the window's fine coordinates, and for every fine coordinate
 * the window offsets d (d = (x + o) mod b, then every b-th) and the coarse
 * coordinate X = (x + o - d) / b (mod n / b) of the units reading it. */
static void axis_tables(int n, int f, int b, int o, int *win, int *cover_n, int *cover_d,
                        int *cover_c, int per) {
  const int coarse = n / b;
  for (int X = 0; X < coarse; X++)
    for (int d = 0; d < f; d++) win[X * f + d] = mod(b * X + d - o, n);
  for (int x = 0; x < n; x++) {
    int k = 0;
    for (int d = mod(x + o, b); d < f; d += b, k++) {
      cover_d[x * per + k] = d;
      cover_c[x * per + k] = mod(x + o - d, n) / b;
    }
    cover_n[x] = k;
  }
}

static void geometry_shape(rgrbm__conv_geometry *g, const rgrbm_conv *c, int lx, int ly) {
  memset(g, 0, sizeof *g);
  g->f = c->f;
  g->b = c->b;
  g->o = (c->f - c->b) / 2;
  g->lx = lx;
  g->ly = ly;
  g->cx = lx / c->b;
  g->cy = ly / c->b;
  g->nv = (size_t)lx * (size_t)ly;
  g->nh = (size_t)g->cx * (size_t)g->cy;
  g->per = (c->f + c->b - 1) / c->b;
}

size_t rgrbm__conv_geometry_bytes(const rgrbm_conv *c, int lx, int ly, int *overflow) {
  rgrbm__conv_geometry g;
  geometry_shape(&g, c, lx, ly);
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  carve_geometry(&g, &ws);
  *overflow |= ws.overflow;
  return ws.bytes;
}

void rgrbm__conv_geometry_build(rgrbm__conv_geometry *g, const rgrbm_conv *c, int lx, int ly,
                                void *block) {
  geometry_shape(g, c, lx, ly);
  rgrbm__workspace ws = {block, 0, 0};
  carve_geometry(g, &ws);
  axis_tables(lx, g->f, g->b, g->o, g->win_x, g->cover_n_x, g->cover_dx, g->cover_X, g->per);
  axis_tables(ly, g->f, g->b, g->o, g->win_y, g->cover_n_y, g->cover_dy, g->cover_Y, g->per);
}

int rgrbm__conv_geometry_init(rgrbm__conv_geometry *g, const rgrbm_conv *c, int lx, int ly,
                              const char *func) {
  int overflow = 0;
  const size_t bytes = rgrbm__conv_geometry_bytes(c, lx, ly, &overflow);
  void *block = overflow ? NULL : rgrbm__alloc(bytes);
  if (block == NULL) return RGRBM_FAIL_NOMEM_IN(func, "the filter's index tables", bytes);
  rgrbm__conv_geometry_build(g, c, lx, ly, block);
  g->block = block;
  return RGRBM_OK;
}

void rgrbm__conv_geometry_free(rgrbm__conv_geometry *g) {
  rgrbm__free(g->block);
  g->block = NULL;
}

/* ---- passes ---- */

void rgrbm__conv_hidden_means(const rgrbm_conv *c, const rgrbm__conv_geometry *g,
                              const float *v, const float *bias_row, float *out) {
  const int f = g->f;
  const float *w = c->params;
  for (int Y = 0; Y < g->cy; Y++)
    for (int X = 0; X < g->cx; X++) {
      float sum = 0.0f;
      const int *wx = g->win_x + X * f;
      for (int dy = 0; dy < f; dy++) {
        const float *row = v + (size_t)g->win_y[Y * f + dy] * (size_t)g->lx;
        const float *wr = w + (size_t)dy * (size_t)f;
        for (int dx = 0; dx < f; dx++) sum += wr[dx] * row[wx[dx]];
      }
      out[(size_t)Y * (size_t)g->cx + (size_t)X] = sum;
    }
  rgrbm__bias_activate(c->units, bias_row, 1, g->nh, out);
}

void rgrbm__conv_visible_means(const rgrbm_conv *c, const rgrbm__conv_geometry *g,
                               const float *h, const float *bias_row, float *out) {
  const int f = g->f, per = g->per;
  const float *w = c->params;
  for (int y = 0; y < g->ly; y++)
    for (int x = 0; x < g->lx; x++) {
      float sum = 0.0f;
      for (int ky = 0; ky < g->cover_n_y[y]; ky++) {
        const int dy = g->cover_dy[y * per + ky];
        const float *hrow = h + (size_t)g->cover_Y[y * per + ky] * (size_t)g->cx;
        const float *wr = w + (size_t)dy * (size_t)f;
        for (int kx = 0; kx < g->cover_n_x[x]; kx++)
          sum += wr[g->cover_dx[x * per + kx]] * hrow[g->cover_X[x * per + kx]];
      }
      out[(size_t)y * (size_t)g->lx + (size_t)x] = sum;
    }
  rgrbm__bias_activate(c->units, bias_row, 1, g->nv, out);
}

void rgrbm__conv_statistics(const rgrbm__conv_geometry *g, const float *v, const float *h,
                            double scale, double *grad) {
  const int f = g->f;
  const size_t weights = (size_t)f * (size_t)f;
  double hsum = 0.0, vsum = 0.0;
  for (int Y = 0; Y < g->cy; Y++)
    for (int X = 0; X < g->cx; X++) {
      const double hj = h[(size_t)Y * (size_t)g->cx + (size_t)X];
      if (hj == 0.0) continue; /* binary units: an off unit adds nothing */
      hsum += hj;
      const int *wx = g->win_x + X * f;
      for (int dy = 0; dy < f; dy++) {
        const float *row = v + (size_t)g->win_y[Y * f + dy] * (size_t)g->lx;
        double *gr = grad + (size_t)dy * (size_t)f;
        for (int dx = 0; dx < f; dx++) gr[dx] += scale * (hj * row[wx[dx]]);
      }
    }
  for (size_t i = 0; i < g->nv; i++) vsum += v[i];
  grad[weights] += scale * vsum;
  grad[weights + 1] += scale * hsum;
}
