/* Exact likelihood tools: free energies, ln Z by enumeration, the mean
 * log-likelihood and the pseudo-log-likelihood of a dataset. Everything that
 * decides a number accumulates in double. */
#include "stack_likelihood.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "team.h"
#include "workspace.h"

/* Datasets are unpacked this many rows at a time. */
enum { DATA_CHUNK_ROWS = 256 };
/* Enumerations of more than this many units are split into 2^SPLIT_BITS
 * independent Gray-code runs over the low bits (threads take runs; the
 * results are combined in run order, so the value does not depend on the
 * thread count). */
enum { SPLIT_MIN_UNITS = 14, SPLIT_BITS = 6 };

static double unit_log_weight(rgrbm_units units, double x) {
  return units == RGRBM_UNITS_SPIN ? rgrbm__log2cosh(x) : rgrbm__softplus(x);
}

int rgrbm_stack_free_energy(const rgrbm_stack *s, int layer, const float *v, size_t n,
                            double *out) {
  int rc = rgrbm__stack_check_layer(s, layer, __func__);
  if (rc != RGRBM_OK) return rc;
  RGRBM_REQUIRE_NONNULL(v);
  RGRBM_REQUIRE_NONNULL(out);
  if (n == 0) return rgrbm__fail(RGRBM_EINVAL, __func__, "n = 0, a batch needs at least 1 row");
  rc = rgrbm__stack_check_finite(s, layer, layer, __func__);
  if (rc == RGRBM_OK)
    rc = rgrbm__check_finite_batch(v, n, (size_t)s->sizes[layer], "v", __func__);
  if (rc != RGRBM_OK) return rc;
  /* Finite float parameters and inputs give finite double sums (each product
   * is below 2^256, and a layer has far fewer than 2^700 of them). */
  rgrbm__free_energy_params(s->units, s->weights[layer], s->vbias[layer], s->hbias[layer],
                            (size_t)s->sizes[layer], (size_t)s->sizes[layer + 1], 1.0, v, n,
                            out);
  return RGRBM_OK;
}

/* ---- exact ln Z ---- */

/* The enumerated side has a units with biases bias_a and couplings
 * coupling[k * o + i] to the o units of the summed side (biases bias_o). */
typedef struct enumeration {
  rgrbm_units units;
  size_t a, o;
  double *coupling, *bias_a, *bias_o;
} enumeration;

/* Running log-sum-exp: the total is e^max * sum. */
typedef struct lse {
  double max, sum;
} lse;

static void lse_add(lse *acc, double term) {
  if (term > acc->max) {
    acc->sum = acc->sum * exp(acc->max - term) + 1.0;
    acc->max = term;
  } else {
    acc->sum += exp(term - acc->max);
  }
}

static double lse_value(const lse *acc) { return acc->max + log(acc->sum); }

static double summed_side(const enumeration *e, const double *pre) {
  double t = 0.0;
  for (size_t i = 0; i < e->o; i++) t += unit_log_weight(e->units, pre[i]);
  return t;
}

/* Unit k of the enumerated side goes on (sign +1) or off (-1). */
static void flip(const enumeration *e, size_t k, double sign, double *pre, double *energy_a) {
  const double step = e->units == RGRBM_UNITS_SPIN ? 2.0 * sign : sign;
  const double *ck = e->coupling + k * e->o;
  for (size_t i = 0; i < e->o; i++) pre[i] += step * ck[i];
  *energy_a += step * e->bias_a[k];
}

/* Enumerate the 2^low configurations whose high units are fixed by prefix,
 * in Gray-code order so that each term costs O(o). pre is o doubles. */
static lse enumerate_run(const enumeration *e, uint64_t prefix, unsigned low, double *pre) {
  const double off = e->units == RGRBM_UNITS_SPIN ? -1.0 : 0.0;
  double energy_a = 0.0;
  memcpy(pre, e->bias_o, e->o * sizeof *pre);
  for (size_t k = 0; k < e->a; k++) {
    int on = k >= low && ((prefix >> (k - low)) & 1);
    double value = on ? 1.0 : off;
    if (value == 0.0) continue;
    for (size_t i = 0; i < e->o; i++) pre[i] += value * e->coupling[k * e->o + i];
    energy_a += value * e->bias_a[k];
  }
  lse acc = {-INFINITY, 0.0};
  lse_add(&acc, energy_a + summed_side(e, pre));
  uint64_t state = 0;
  for (uint64_t i = 1; i < (UINT64_C(1) << low); i++) {
    unsigned k = (unsigned)__builtin_ctzll(i);
    state ^= UINT64_C(1) << k;
    flip(e, k, ((state >> k) & 1) ? 1.0 : -1.0, pre, &energy_a);
    lse_add(&acc, energy_a + summed_side(e, pre));
  }
  return acc;
}

typedef struct runs_job {
  const enumeration *e;
  unsigned low;
  double *pre_runs;
  lse *parts;
} runs_job;

static void run_task(void *arg, size_t r) {
  const runs_job *j = arg;
  j->parts[r] = enumerate_run(j->e, (uint64_t)r, j->low, j->pre_runs + r * j->e->o);
}

static unsigned split_bits(const enumeration *e) {
  return e->a >= SPLIT_MIN_UNITS ? SPLIT_BITS : 0;
}

/* The runs are tasks of the library's team; their parts are combined in
 * run order, so the result does not depend on the thread count. pre_runs
 * holds o doubles per run, parts one lse per run. */
static double enumerate_all(const enumeration *e, double *pre_runs, lse *parts) {
  const unsigned high = split_bits(e);
  const unsigned low = (unsigned)e->a - high;
  const long runs = 1L << high;
  runs_job job = {e, low, pre_runs, parts};
  const double work = ldexp((double)e->o, (int)e->a);
  rgrbm__team_run((size_t)runs, work, run_task, &job);
  lse total = {-INFINITY, 0.0};
  for (long r = 0; r < runs; r++) {
    if (parts[r].max > total.max) {
      total.sum = total.sum * exp(total.max - parts[r].max) + parts[r].sum;
      total.max = parts[r].max;
    } else {
      total.sum += parts[r].sum * exp(parts[r].max - total.max);
    }
  }
  return lse_value(&total);
}

/* Copy the layer's parameters into double, oriented for the enumerated side. */
static void fill_enumeration(const rgrbm_stack *s, int layer, rgrbm__side side,
                             enumeration *e) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  const float *w = s->weights[layer];
  const int hidden = side == RGRBM__SIDE_HIDDEN;
  const float *ba = hidden ? s->hbias[layer] : s->vbias[layer];
  const float *bo = hidden ? s->vbias[layer] : s->hbias[layer];
  for (size_t k = 0; k < e->a; k++) e->bias_a[k] = ba[k];
  for (size_t i = 0; i < e->o; i++) e->bias_o[i] = bo[i];
  for (size_t i = 0; i < nv; i++)
    for (size_t j = 0; j < nh; j++)
      e->coupling[hidden ? j * nv + i : i * nh + j] = w[i * nh + j];
}

int rgrbm__log_partition_side(const rgrbm_stack *s, int layer, rgrbm__side side,
                              double *log_z, const char *func) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  enumeration e = {s->units, side == RGRBM__SIDE_HIDDEN ? nh : nv,
                   side == RGRBM__SIDE_HIDDEN ? nv : nh, NULL, NULL, NULL};
  if (e.a > RGRBM__LOGZ_MAX_UNITS)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func, "layer %d: enumerating %zu units (2^%zu "
                       "terms) exceeds the limit of %d", layer, e.a, e.a,
                       RGRBM__LOGZ_MAX_UNITS);
  const size_t runs = (size_t)1 << split_bits(&e);
  double *pre_runs;
  lse *parts;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, e.coupling, e.a * e.o); /* layer sizes are ints: cannot overflow */
    RGRBM__WS_TAKE(&ws, e.bias_a, e.a);
    RGRBM__WS_TAKE(&ws, e.bias_o, e.o);
    RGRBM__WS_TAKE(&ws, pre_runs, runs * e.o); /* one pre-activation vector per run */
    RGRBM__WS_TAKE(&ws, parts, runs);
    if (!carving && rgrbm__ws_alloc(&ws, 0) != RGRBM_OK)
      return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes for the enumeration",
                         ws.bytes);
  }
  fill_enumeration(s, layer, side, &e);
  *log_z = enumerate_all(&e, pre_runs, parts);
  rgrbm__ws_free(&ws);
  if (!isfinite(*log_z))
    return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d: ln Z = %g is not finite", layer,
                       *log_z);
  return RGRBM_OK;
}

static rgrbm__side smaller_side(const rgrbm_stack *s, int layer) {
  return s->sizes[layer + 1] <= s->sizes[layer] ? RGRBM__SIDE_HIDDEN : RGRBM__SIDE_VISIBLE;
}

int rgrbm_stack_log_partition(const rgrbm_stack *s, int layer, double *log_z) {
  int rc = rgrbm__stack_check_layer(s, layer, __func__);
  if (rc != RGRBM_OK) return rc;
  RGRBM_REQUIRE_NONNULL(log_z);
  if ((rc = rgrbm__stack_check_finite(s, layer, layer, __func__))) return rc;
  double value;
  rc = rgrbm__log_partition_side(s, layer, smaller_side(s, layer), &value, __func__);
  if (rc == RGRBM_OK) *log_z = value;
  return rc;
}

/* ---- pseudo-log-likelihood ---- */

/* sum_i ln p(v_i | v_-i) for one row: flipping v_i by d changes the free
 * energy by dF = -c_i d - sum_j [f(x_j + d W_ij) - f(x_j)], x = b + v W, and
 * ln p(v_i | v_-i) = ln sigmoid(dF). x is nh doubles of scratch. */
static double pll_row(const rgrbm_stack *s, int layer, const float *v, double *x) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  const float *w = s->weights[layer], *c = s->vbias[layer], *b = s->hbias[layer];
  const int spin = s->units == RGRBM_UNITS_SPIN;
  for (size_t j = 0; j < nh; j++) x[j] = b[j];
  for (size_t i = 0; i < nv; i++)
    for (size_t j = 0; j < nh; j++) x[j] += (double)v[i] * (double)w[i * nh + j];
  double base = 0.0;
  for (size_t j = 0; j < nh; j++) base += unit_log_weight(s->units, x[j]);
  double total = 0.0;
  for (size_t i = 0; i < nv; i++) {
    const double d = spin ? -2.0 * v[i] : 1.0 - 2.0 * v[i];
    double flipped = 0.0;
    for (size_t j = 0; j < nh; j++)
      flipped += unit_log_weight(s->units, x[j] + d * (double)w[i * nh + j]);
    const double dF = -(double)c[i] * d - (flipped - base);
    total -= rgrbm__softplus(-dF);
  }
  return total;
}

size_t rgrbm__pll_scratch_doubles(const rgrbm_stack *s, int layer, size_t n, int *overflow) {
  return rgrbm__mul_size(n, (size_t)s->sizes[layer + 1] + 1, overflow);
}

typedef struct pll_job {
  const rgrbm_stack *s;
  int layer;
  const float *v;
  size_t nv, nh;
  double *scratch, *terms;
} pll_job;

static void pll_task(void *arg, size_t r) {
  const pll_job *j = arg;
  j->terms[r] = pll_row(j->s, j->layer, j->v + r * j->nv, j->scratch + r * j->nh);
}

int rgrbm__pll_sum_with(const rgrbm_stack *s, int layer, const float *v, size_t n,
                        double *scratch, double *sum) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  pll_job job = {s, layer, v, nv, nh, scratch, scratch + n * nh};
  rgrbm__team_run(n, (double)n * (double)nv * (double)nh, pll_task, &job);
  const double *terms = job.terms;
  double total = 0.0;
  for (size_t r = 0; r < n; r++) total += terms[r];
  *sum = total;
  return RGRBM_OK;
}

int rgrbm__pll_sum(const rgrbm_stack *s, int layer, const float *v, size_t n, double *sum,
                   const char *func) {
  int overflow = 0;
  size_t doubles = rgrbm__pll_scratch_doubles(s, layer, n, &overflow);
  size_t bytes = rgrbm__mul_size(doubles, sizeof(double), &overflow);
  double *scratch = overflow ? NULL : rgrbm__alloc(bytes);
  if (scratch == NULL) return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu rows of "
                                          "scratch for the pseudo-log-likelihood", n);
  int rc = rgrbm__pll_sum_with(s, layer, v, n, scratch, sum);
  rgrbm__free(scratch);
  return rc;
}

/* ---- dataset means ---- */

typedef enum dataset_stat { STAT_LOG_LIKELIHOOD, STAT_PLL } dataset_stat;

/* Sum of -F(v) (log-likelihood) or of the row PLLs over the whole dataset,
 * unpacked DATA_CHUNK_ROWS rows at a time. */
static int dataset_sum(const rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                       dataset_stat stat, double *sum, const char *func) {
  const size_t nv = (size_t)s->sizes[layer];
  const size_t chunk = data->count < DATA_CHUNK_ROWS ? data->count : DATA_CHUNK_ROWS;
  float *rows;
  double *energies;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, rows, chunk * nv); /* at most DATA_CHUNK_ROWS layer-sized rows */
    RGRBM__WS_TAKE(&ws, energies, chunk);
    if (!carving && rgrbm__ws_alloc(&ws, 0) != RGRBM_OK)
      return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes", ws.bytes);
  }
  const float low = rgrbm__units_low(s->units);
  double total = 0.0;
  int rc = RGRBM_OK;
  for (size_t first = 0; rc == RGRBM_OK && first < data->count; first += chunk) {
    size_t n = data->count - first < chunk ? data->count - first : chunk;
    rgrbm__dataset_unpack_float(data, NULL, first, n, low, 1.0f, rows);
    double part = 0.0;
    if (stat == STAT_PLL) {
      rc = rgrbm__pll_sum(s, layer, rows, n, &part, func);
    } else {
      rgrbm__free_energy_params(s->units, s->weights[layer], s->vbias[layer], s->hbias[layer],
                                nv, (size_t)s->sizes[layer + 1], 1.0, rows, n, energies);
      for (size_t r = 0; r < n; r++) part -= energies[r];
    }
    total += part;
  }
  rgrbm__ws_free(&ws);
  *sum = total;
  return rc;
}

static int check_dataset(const rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                         const void *out, const char *out_name, const char *func) {
  int rc = rgrbm__stack_check_layer(s, layer, func);
  if (rc != RGRBM_OK) return rc;
  if (data == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "data is NULL");
  if (out == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "%s is NULL", out_name);
  if (data->dim != (size_t)s->sizes[layer])
    return rgrbm__fail(RGRBM_EINVAL, func, "data dim = %zu != size(%d) = %d", data->dim, layer,
                       s->sizes[layer]);
  if (data->count == 0) return rgrbm__fail(RGRBM_EINVAL, func, "data holds 0 configurations");
  return rgrbm__stack_check_finite(s, layer, layer, func);
}

/* The last guard of a mean: never a non-finite number with RGRBM_OK. */
static int check_result(double value, const char *what, int layer, const char *func) {
  if (isfinite(value)) return RGRBM_OK;
  return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d: the %s is %g", layer, what, value);
}

int rgrbm_stack_log_likelihood(const rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                               double *mean_ll) {
  int rc = check_dataset(s, layer, data, mean_ll, "mean_ll", __func__);
  double log_z = 0.0, sum = 0.0;
  if (rc == RGRBM_OK) rc = rgrbm__log_partition_side(s, layer, smaller_side(s, layer), &log_z,
                                                     __func__);
  if (rc == RGRBM_OK) rc = dataset_sum(s, layer, data, STAT_LOG_LIKELIHOOD, &sum, __func__);
  double mean = rc ? 0.0 : sum / (double)data->count - log_z;
  if (rc == RGRBM_OK) rc = check_result(mean, "mean log-likelihood", layer, __func__);
  if (rc == RGRBM_OK) *mean_ll = mean;
  return rc;
}

int rgrbm_stack_pseudo_log_likelihood(const rgrbm_stack *s, int layer,
                                      const rgrbm_dataset *data, double *pll) {
  int rc = check_dataset(s, layer, data, pll, "pll", __func__);
  double sum = 0.0;
  if (rc == RGRBM_OK) rc = dataset_sum(s, layer, data, STAT_PLL, &sum, __func__);
  double mean = rc ? 0.0 : sum / ((double)data->count * (double)s->sizes[layer]);
  if (rc == RGRBM_OK) rc = check_result(mean, "pseudo-log-likelihood", layer, __func__);
  if (rc == RGRBM_OK) *pll = mean;
  return rc;
}
