/* Annealed importance sampling of ln Z, forward (lower) and reverse (upper). */
#include "rgrbm/ais.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "blas_inline.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "rng.h"
#include "stack.h"
#include "versioned.h"
#include "workspace.h"

/* Stream indices under RGRBM__STREAM_AIS: the reverse runs set this bit. */
#define REVERSE_BIT (UINT64_C(1) << 55)
/* Rows of data fed up at a time when fitting the base rates. */
enum { DATA_CHUNK = 256 };

static const size_t AIS_OPTIONS_BYTES[RGRBM_AIS_OPTIONS_VERSION] = {sizeof(rgrbm_ais_options)};
static const rgrbm__layout AIS_OPTIONS = {"rgrbm_ais_options", RGRBM_AIS_OPTIONS_VERSION,
                                          AIS_OPTIONS_BYTES};
static const rgrbm_ais_options AIS_DEFAULTS = RGRBM_AIS_OPTIONS_INIT;
/* Most burn-in sweeps (2^48, as for MCRG): beyond it a call could not end. */
#define MAX_BURN_IN (UINT64_C(1) << 48)

int rgrbm_ais_options_init(rgrbm_ais_options *o, unsigned version) {
  return rgrbm__versioned_init(&AIS_OPTIONS, o, &AIS_DEFAULTS, version, __func__);
}

static int check_data(const rgrbm_stack *s, const rgrbm_ais_options *o, const char *func) {
  if (o->base != RGRBM_AIS_BASE_DATA) return RGRBM_OK;
  if (o->data == NULL)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->data is NULL, RGRBM_AIS_BASE_DATA needs a dataset");
  if (o->data->dim != (size_t)s->sizes[0])
    return rgrbm__fail(RGRBM_EINVAL, func, "o->data dim = %zu != size(0) = %d", o->data->dim,
                       s->sizes[0]);
  if (o->data->count == 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->data is empty, the base rates need a configuration");
  return RGRBM_OK;
}

static int check_options(const rgrbm_stack *s, const rgrbm_ais_options *o, const char *func) {
  if (o->betas < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->betas = %d, need at least 1", o->betas);
  if (o->runs < 2 || !rgrbm__blas_fits(o->runs))
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "o->runs = %zu, need at least 2 (for a standard error) and at most %zu",
                       o->runs, RGRBM__BLAS_MAX);
  if (o->base != RGRBM_AIS_BASE_ZERO && o->base != RGRBM_AIS_BASE_DATA)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "o->base = %d is neither RGRBM_AIS_BASE_ZERO nor RGRBM_AIS_BASE_DATA",
                       (int)o->base);
  if (o->reverse_burn_in > MAX_BURN_IN)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->reverse_burn_in = %" PRIu64 " exceeds the limit "
                       "of 2^48 sweeps", o->reverse_burn_in);
  if (!(o->margin >= 0.0) || !isfinite(o->margin))
    return rgrbm__fail(RGRBM_EINVAL, func, "o->margin = %g, must be finite and >= 0", o->margin);
  return check_data(s, o, func);
}

/* ---- work space --------------------------------------------------------- */

typedef struct ais_work {
  const rgrbm_stack *s;
  int layer;
  size_t nv, nh, runs;
  float *base;          /* c_A, nv */
  float *vbias, *hbias; /* the biases of the current beta's conditionals */
  float *v, *h;         /* runs x nv, runs x nh */
  double *logw;         /* runs */
  double *dot_base;     /* runs: c_A . v */
  double *dot_bias;     /* runs: c . v */
  double *wd;           /* the weights in double, nv x nh */
  double *vd;           /* runs x nv, the current v in double */
  double *act;          /* runs x nh, b + v W in double */
  rgrbm__rng *rngs;     /* one stream per run */
  rgrbm__workspace ws;  /* the single block holding all of the above */
} ais_work;

/* The work arrays, in order; run twice on a->ws (workspace.h). The sizes
 * are products of o->runs and the layer's sizes, each overflow-checked. */
static void carve_work(ais_work *a) {
  rgrbm__workspace *ws = &a->ws;
  const size_t runs = a->runs, nv = a->nv, nh = a->nh;
  RGRBM__WS_TAKE(ws, a->base, nv);
  RGRBM__WS_TAKE(ws, a->vbias, nv);
  RGRBM__WS_TAKE(ws, a->hbias, nh);
  RGRBM__WS_TAKE(ws, a->v, rgrbm__mul_size(runs, nv, &ws->overflow));
  RGRBM__WS_TAKE(ws, a->h, rgrbm__mul_size(runs, nh, &ws->overflow));
  RGRBM__WS_TAKE(ws, a->logw, runs);
  RGRBM__WS_TAKE(ws, a->dot_base, runs);
  RGRBM__WS_TAKE(ws, a->dot_bias, runs);
  RGRBM__WS_TAKE(ws, a->wd, nv * nh); /* both ints */
  RGRBM__WS_TAKE(ws, a->vd, rgrbm__mul_size(runs, nv, &ws->overflow));
  RGRBM__WS_TAKE(ws, a->act, rgrbm__mul_size(runs, nh, &ws->overflow));
  RGRBM__WS_TAKE(ws, a->rngs, runs);
}

/* The weights are copied to double once, for the importance weights. */
static int alloc_work(ais_work *a, const char *func) {
  a->ws = (rgrbm__workspace)RGRBM__WORKSPACE_INIT;
  carve_work(a);
  int rc = rgrbm__ws_alloc(&a->ws, 0);
  if (rc == RGRBM_EINVAL)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->runs = %zu is too many", a->runs);
  if (rc != RGRBM_OK)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate the work space of %zu runs", a->runs);
  carve_work(a);
  const float *w = a->s->weights[a->layer];
  for (size_t i = 0; i < a->nv * a->nh; i++) a->wd[i] = w[i];
  return RGRBM_OK;
}

static void free_work(ais_work *a) { rgrbm__ws_free(&a->ws); }

/* ---- the base-rate model ----------------------------------------------- */

/* Sum over data of the visible level of `layer` (means fed up from level 0). */
static int data_level_sums(const ais_work *a, const rgrbm_dataset *data, double *sums,
                           const char *func) {
  const rgrbm_stack *s = a->s;
  size_t n0 = (size_t)s->sizes[0], chunk = DATA_CHUNK;
  float *x0, *xl;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, x0, chunk * n0); /* a fixed chunk of layer-sized rows */
    RGRBM__WS_TAKE(&ws, xl, chunk * a->nv);
    if (!carving && rgrbm__ws_alloc(&ws, 0) != RGRBM_OK)
      return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate the data batches");
  }
  float low = rgrbm__units_low(s->units);
  int rc = RGRBM_OK;
  for (size_t first = 0; rc == RGRBM_OK && first < data->count; first += chunk) {
    size_t n = data->count - first < chunk ? data->count - first : chunk;
    rgrbm__dataset_unpack_float(data, NULL, first, n, low, 1.0f, x0);
    const float *x = x0;
    if (a->layer > 0) {
      rc = rgrbm__stack_pass(s, 0, a->layer, x0, n, xl, 0, 0, func);
      x = xl;
    }
    for (size_t r = 0; rc == RGRBM_OK && r < n; r++)
      for (size_t i = 0; i < a->nv; i++) sums[i] += x[r * a->nv + i];
  }
  rgrbm__ws_free(&ws);
  return rc;
}

/* c_A = logit(p) for binary units, atanh(2p - 1) = logit(p) / 2 for spins,
 * with p the smoothed rate of the unit being on. */
static int fit_base(ais_work *a, const rgrbm_ais_options *o, const char *func) {
  memset(a->base, 0, a->nv * sizeof *a->base);
  if (o->base == RGRBM_AIS_BASE_ZERO) return RGRBM_OK;
  double *sums = rgrbm__calloc(a->nv, sizeof *sums);
  if (sums == NULL) return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate the base rates");
  int rc = data_level_sums(a, o->data, sums, func);
  const double count = (double)o->data->count;
  const int spin = a->s->units == RGRBM_UNITS_SPIN;
  for (size_t i = 0; rc == RGRBM_OK && i < a->nv; i++) {
    double on = spin ? (sums[i] + count) / 2.0 : sums[i]; /* expected count of "on" */
    double p = (on + 0.5) / (count + 1.0);
    double logit = log(p / (1.0 - p));
    a->base[i] = (float)(spin ? logit / 2.0 : logit);
  }
  rgrbm__free(sums);
  return rc;
}

/* ln Z_A: the visible factors in closed form times 2^nh hidden states. */
static double log_z_base(const ais_work *a) {
  double lz = (double)a->nh * log(2.0);
  for (size_t i = 0; i < a->nv; i++)
    lz +=
        a->s->units == RGRBM_UNITS_SPIN ? rgrbm__log2cosh(a->base[i]) : rgrbm__softplus(a->base[i]);
  return lz;
}

/* ---- annealing ------------------------------------------------------------ */

/* The conditional biases at inverse temperature beta. */
static void set_beta(ais_work *a, double beta) {
  const float *c = a->s->vbias[a->layer], *b = a->s->hbias[a->layer];
  for (size_t i = 0; i < a->nv; i++) a->vbias[i] = (float)((1.0 - beta) * a->base[i] + beta * c[i]);
  for (size_t j = 0; j < a->nh; j++) a->hbias[j] = (float)(beta * b[j]);
}

/* One block Gibbs step h ~ p_beta(h | v), v ~ p_beta(v | h), leaving p_beta
 * invariant; set_beta(beta) must have been called. */
static void transition(ais_work *a, double beta) {
  const float *w = a->s->weights[a->layer];
  const rgrbm_units units = a->s->units;
  rgrbm__sgemm(0, 0, a->runs, a->nh, a->nv, (float)beta, a->v, w, 0.0f, a->h);
  rgrbm__bias_activate(units, a->hbias, a->runs, a->nh, a->h);
  rgrbm__sample_units(units, a->h, a->runs, a->nh, a->rngs, a->h);
  rgrbm__sgemm(0, 1, a->runs, a->nv, a->nh, (float)beta, a->h, w, 0.0f, a->v);
  rgrbm__bias_activate(units, a->vbias, a->runs, a->nv, a->v);
  rgrbm__sample_units(units, a->v, a->runs, a->nv, a->rngs, a->v);
}

/* Everything ln p*_beta(v) needs for any beta, in double: the hidden
 * pre-activations b + v W (one dgemm) and the two visible dot products. */
static void prepare_log_p(ais_work *a) {
  const float *c = a->s->vbias[a->layer], *b = a->s->hbias[a->layer];
  for (size_t i = 0; i < a->runs * a->nv; i++) a->vd[i] = a->v[i];
  rgrbm__dgemm(0, 0, a->runs, a->nh, a->nv, 1.0, a->vd, a->wd, 0.0, a->act);
  for (size_t r = 0; r < a->runs; r++) {
    double base = 0.0, bias = 0.0;
    for (size_t i = 0; i < a->nv; i++) {
      base += (double)a->base[i] * a->vd[r * a->nv + i];
      bias += (double)c[i] * a->vd[r * a->nv + i];
    }
    a->dot_base[r] = base;
    a->dot_bias[r] = bias;
    for (size_t j = 0; j < a->nh; j++) a->act[r * a->nh + j] += b[j];
  }
}

/* ln p*_beta(v_r) = (1 - beta) c_A.v + beta c.v + sum_j ln sum_{h_j} e^{beta h_j act_j}:
 * the RBM with every parameter scaled by beta, times the base rates. */
static double log_p(const ais_work *a, size_t r, double beta) {
  const double *x = a->act + r * a->nh;
  double lp = (1.0 - beta) * a->dot_base[r] + beta * a->dot_bias[r];
  const int spin = a->s->units == RGRBM_UNITS_SPIN;
  for (size_t j = 0; j < a->nh; j++)
    lp += spin ? rgrbm__log2cosh(beta * x[j]) : rgrbm__softplus(beta * x[j]);
  return lp;
}

/* logw[r] += ln p*_num(v_r) - ln p*_den(v_r): one importance-weight factor. */
static void add_log_ratio(ais_work *a, double beta_num, double beta_den) {
  prepare_log_p(a);
  for (size_t r = 0; r < a->runs; r++) a->logw[r] += log_p(a, r, beta_num) - log_p(a, r, beta_den);
}

static double beta_at(int k, int steps) { return (double)k / (double)steps; }

/* Exact draws from p_A: independent units with the base biases. */
static void sample_base(ais_work *a, uint64_t seed, uint64_t stream_bit) {
  rgrbm__rng_init_rows(a->rngs, a->runs, seed, RGRBM__STREAM(RGRBM__STREAM_AIS, stream_bit));
  set_beta(a, 0.0);
  memset(a->v, 0, a->runs * a->nv * sizeof *a->v);
  rgrbm__bias_activate(a->s->units, a->vbias, a->runs, a->nv, a->v); /* means act(c_A) */
  rgrbm__sample_units(a->s->units, a->v, a->runs, a->nv, a->rngs, a->v);
}

/* v_1 ~ p_0; for k = 1..K: w += ln p*_k(v) - ln p*_{k-1}(v), then step with T_k. */
static void forward(ais_work *a, const rgrbm_ais_options *o) {
  const int steps = o->betas + 1;
  sample_base(a, o->seed, 0);
  memset(a->logw, 0, a->runs * sizeof *a->logw);
  for (int k = 1; k <= steps; k++) {
    add_log_ratio(a, beta_at(k, steps), beta_at(k - 1, steps));
    if (k < steps) {
      set_beta(a, beta_at(k, steps));
      transition(a, beta_at(k, steps));
    }
  }
}

/* v ~ p_K (approximately: burn-in at beta = 1); for k = K..1:
 * w += ln p*_{k-1}(v) - ln p*_k(v), then step with T_{k-1}. */
static void reverse(ais_work *a, const rgrbm_ais_options *o) {
  const int steps = o->betas + 1;
  sample_base(a, o->seed, REVERSE_BIT);
  set_beta(a, 1.0);
  for (uint64_t t = 0; t < o->reverse_burn_in; t++) transition(a, 1.0);
  memset(a->logw, 0, a->runs * sizeof *a->logw);
  for (int k = steps; k >= 1; k--) {
    add_log_ratio(a, beta_at(k - 1, steps), beta_at(k, steps));
    if (k > 1) {
      set_beta(a, beta_at(k - 1, steps));
      transition(a, beta_at(k - 1, steps));
    }
  }
}

/* ln mean(e^logw) and its standard error sd(w) / (mean(w) sqrt(R)). */
static int log_mean(const ais_work *a, double *lm, double *se, const char *func) {
  double top = -INFINITY;
  for (size_t r = 0; r < a->runs; r++)
    if (a->logw[r] > top) top = a->logw[r];
  if (!isfinite(top))
    return rgrbm__fail(RGRBM_ENUMERIC, func, "s: an importance weight is not finite");
  double sum = 0.0, sum2 = 0.0;
  for (size_t r = 0; r < a->runs; r++) {
    double u = exp(a->logw[r] - top);
    sum += u;
    sum2 += u * u;
  }
  double n = (double)a->runs, mean = sum / n;
  double var = (sum2 - n * mean * mean) / (n - 1.0);
  *lm = top + log(mean);
  *se = sqrt(var > 0.0 ? var / n : 0.0) / mean;
  return RGRBM_OK;
}

/* Largest rounding error tolerated in a log importance weight. */
static const double LOG_WEIGHT_TOLERANCE = 0.01;

/* The parameters' range: every pre-activation must stay a float in the Gibbs
 * steps, and ln p*(v), bounded by
 *   scale = sum_i |c_i| + sum_j (|b_j| + sum_i |W_ij|) (+ the units' ln 2s),
 * must be small enough that the rounding of (betas + 1) differences of it,
 * each a sum of about nv + nh terms, stays below LOG_WEIGHT_TOLERANCE.
 * Beyond that the estimates are rounding noise (weights of 3e37 once gave
 * lower > upper with RGRBM_OK). */
static int check_range(const rgrbm_stack *s, int layer, int betas, const char *func) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  const float *w = s->weights[layer], *c = s->vbias[layer], *b = s->hbias[layer];
  double scale = (double)nh * log(2.0), widest = 0.0;
  for (size_t i = 0; i < nv; i++) {
    double row = fabs(c[i]);
    for (size_t j = 0; j < nh; j++) row += fabs(w[i * nh + j]);
    scale += fabs(c[i]);
    widest = fmax(widest, row);
  }
  for (size_t j = 0; j < nh; j++) {
    double col = fabs(b[j]);
    for (size_t i = 0; i < nv; i++) col += fabs(w[i * nh + j]);
    scale += col;
    widest = fmax(widest, col);
  }
  if (widest > FLT_MAX)
    return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d: a pre-activation can reach %g, beyond "
                       "float range", layer, widest);
  double rounding = 2.0 * DBL_EPSILON * (double)(betas + 1) * (double)(nv + nh + 2) * scale;
  if (rounding > LOG_WEIGHT_TOLERANCE)
    return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d: |ln p*(v)| can reach %g, so rounding "
                       "alone could move ln Z by %g over %d temperatures (the limit is %g)",
                       layer, scale, rounding, betas, LOG_WEIGHT_TOLERANCE);
  return RGRBM_OK;
}

/* Never a non-finite or inverted bracket with RGRBM_OK: an upper estimate
 * below the lower one means the reverse chains did not reach the model. */
static int check_bracket(double lower, double upper, int layer, const char *func) {
  if (!isfinite(lower) || !isfinite(upper))
    return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d: the bracket [%g, %g] is not finite",
                       layer, lower, upper);
  if (lower > upper)
    return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d: the bracket is inverted, lower = %.17g "
                       "> upper = %.17g (reverse_burn_in too short for the chains to mix, or "
                       "too few runs)", layer, lower, upper);
  return RGRBM_OK;
}

int rgrbm_ais_log_partition(const rgrbm_stack *s, int layer, const rgrbm_ais_options *given,
                            double *lower, double *upper) {
  int rc = rgrbm__stack_check_layer(s, layer, __func__);
  if (rc != RGRBM_OK) return rc;
  RGRBM_REQUIRE_NONNULL(lower);
  RGRBM_REQUIRE_NONNULL(upper);
  rgrbm_ais_options current = AIS_DEFAULTS; /* the caller's version, current layout */
  if ((rc = rgrbm__versioned_read(&AIS_OPTIONS, &current, given, __func__, "o"))) return rc;
  const rgrbm_ais_options *o = &current;
  if ((rc = check_options(s, o, __func__))) return rc;
  /* The data's base rates read the layers below too. */
  const int first = o->base == RGRBM_AIS_BASE_DATA ? 0 : layer;
  if ((rc = rgrbm__stack_check_finite(s, first, layer, __func__))) return rc;
  if ((rc = check_range(s, layer, o->betas, __func__))) return rc;
  ais_work a = {.s = s, .layer = layer, .runs = o->runs};
  a.nv = (size_t)s->sizes[layer];
  a.nh = (size_t)s->sizes[layer + 1];
  if ((rc = alloc_work(&a, __func__))) return rc;
  double fwd = 0, fwd_se = 0, rev = 0, rev_se = 0, lz_base = 0;
  rc = fit_base(&a, o, __func__);
  if (rc == RGRBM_OK) {
    lz_base = log_z_base(&a);
    forward(&a, o);
    rc = log_mean(&a, &fwd, &fwd_se, __func__);
  }
  if (rc == RGRBM_OK) {
    reverse(&a, o);
    rc = log_mean(&a, &rev, &rev_se, __func__);
  }
  free_work(&a);
  double lo = lz_base + fwd - o->margin * fwd_se, hi = lz_base - rev + o->margin * rev_se;
  if (rc == RGRBM_OK) rc = check_bracket(lo, hi, layer, __func__);
  if (rc != RGRBM_OK) return rc;
  *lower = lo;
  *upper = hi;
  return RGRBM_OK;
}
