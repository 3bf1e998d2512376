/* Swendsen's Monte Carlo RG: sample, block repeatedly, accumulate operator
 * correlations per bin, then solve T = G^{-1} F and take its eigenvalues for
 * the full data and for every leave-one-bin-out subset (the jackknife). */
#include "mcrg.h"

#include <inttypes.h>
#include <lapacke.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "dataset.h"
#include "fail.h"
#include "lattice.h"
#include "rg.h"
#include "rng.h"
#include "sampler.h"
#include "team.h"
#include "versioned.h"

enum { CHUNK = 256, NOPS_MAX = RGRBM_MCRG_EVEN + RGRBM_MCRG_ODD, MAX_BINS = 100000 };

/* Singular beyond this reciprocal condition number: the operators are
 * (numerically) linearly dependent on the sampled configurations. */
static const double RCOND_MIN = 1e-12;

static const size_t MCRG_OPTIONS_BYTES[RGRBM_MCRG_OPTIONS_VERSION] = {
    offsetof(rgrbm_mcrg_options, chains), sizeof(rgrbm_mcrg_options)};
static const rgrbm__layout MCRG_OPTIONS = {"rgrbm_mcrg_options", RGRBM_MCRG_OPTIONS_VERSION,
                                           MCRG_OPTIONS_BYTES};
static const rgrbm_mcrg_options MCRG_DEFAULTS = RGRBM_MCRG_OPTIONS_INIT;

static const size_t MCRG_RESULT_BYTES[RGRBM_MCRG_RESULT_VERSION] = {sizeof(rgrbm_mcrg_result)};
static const rgrbm__layout MCRG_RESULT = {"rgrbm_mcrg_result", RGRBM_MCRG_RESULT_VERSION,
                                          MCRG_RESULT_BYTES};

int rgrbm_mcrg_options_init(rgrbm_mcrg_options *o, unsigned version) {
  return rgrbm__versioned_init(&MCRG_OPTIONS, o, &MCRG_DEFAULTS, version, __func__);
}

void rgrbm_mcrg_result_free(rgrbm_mcrg_result *r) {
  if (r == NULL) return;
  rgrbm__free(r->even);
  rgrbm__free(r->odd);
  r->even = NULL;
  r->odd = NULL;
}

static int check_options(const rgrbm_mcrg_options *o, const char *func) {
  if (o->levels < 1 || o->levels > RGRBM_MCRG_MAX_LEVELS)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->levels = %d, must be in 1..%d", o->levels,
                       RGRBM_MCRG_MAX_LEVELS);
  if (o->bins < 2 || o->bins > (size_t)MAX_BINS)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->bins = %zu, must be in 2..%d", o->bins, MAX_BINS);
  if (o->samples < o->bins || o->samples > RGRBM_MCRG_MAX_SAMPLES)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->samples = %zu, must be in o->bins = %zu..%" PRIu64,
                       o->samples, o->bins, RGRBM_MCRG_MAX_SAMPLES);
  if (o->spacing < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->spacing = 0, must be >= 1");
  /* In long double, so that no product of the fields can overflow. */
  long double sweeps = (long double)o->thermalize + (long double)o->samples * o->spacing;
  if (sweeps > (long double)RGRBM_MCRG_MAX_SWEEPS)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->thermalize + o->samples * o->spacing = %" PRIu64
                       " + %zu * %" PRIu64 " sweeps exceeds the limit of %" PRIu64,
                       o->thermalize, o->samples, o->spacing, RGRBM_MCRG_MAX_SWEEPS);
  if (o->even_operators < 1 || o->even_operators > RGRBM_MCRG_EVEN)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->even_operators = %d, must be in 1..%d",
                       o->even_operators, RGRBM_MCRG_EVEN);
  if (o->odd_operators < 1 || o->odd_operators > RGRBM_MCRG_ODD)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->odd_operators = %d, must be in 1..%d",
                       o->odd_operators, RGRBM_MCRG_ODD);
  size_t max_chains = o->samples < RGRBM_MCRG_MAX_CHAINS ? o->samples : RGRBM_MCRG_MAX_CHAINS;
  if (o->chains < 1 || o->chains > max_chains)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->chains = %zu, must be in 1..min(o->samples = %zu, %d)",
                       o->chains, o->samples, RGRBM_MCRG_MAX_CHAINS);
  return RGRBM_OK;
}

static void levels_free(rgrbm__mcrg_levels *lv) {
  for (int n = 2; n <= lv->levels; n++) rgrbm_rg_destroy(lv->owned[n]);
  memset(lv, 0, sizeof *lv);
}

/* Level n's plan must read an earlier level's lattice and make a 2D one
 * smaller by the factor of level 1 (the exponents are log lambda / log b),
 * no smaller than the operators need. */
static int check_level(const rgrbm__mcrg_levels *lv, int n, int levels, const char *func) {
  const rgrbm_rg *p = lv->plan[n];
  const char *name = n == 1 ? "rg" : "the plan";
  int from = lv->reads[n];
  if (p->out_lx < 1 || p->out_ly < 1)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "level %d: %s has no 2D geometry (out_lx = %d, out_ly = %d); MCRG "
                       "measures its operators on a 2D lattice at every level",
                       n, name, p->out_lx, p->out_ly);
  if (from < 0 || from >= n)
    return rgrbm__fail(RGRBM_EINVAL, func, "level %d: %s reads level %d, not one of 0..%d", n,
                       name, from, n - 1);
  if (p->in_lx != lv->lx[from] || p->in_ly != lv->ly[from])
    return rgrbm__fail(RGRBM_EINVAL, func, "level %d: %s maps %d x %d, but level %d is %d x %d",
                       n, name, p->in_lx, p->in_ly, from, lv->lx[from], lv->ly[from]);
  const int b = n == 1 ? p->in_lx / p->out_lx : lv->b;
  const int px = lv->lx[n - 1], py = lv->ly[n - 1];
  if (b < 2 || p->out_lx * b != px || p->out_ly * b != py)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "level %d: %s makes %d x %d from level %d's %d x %d, not a lattice "
                       "smaller by %s b = %d along both axes: the exponents "
                       "log(lambda) / log(b) need one factor b >= 2 for every level",
                       n, name, p->out_lx, p->out_ly, n - 1, px, py,
                       n == 1 ? "an integer" : "level 1's", b);
  if (p->out_lx < RGRBM_MCRG_MIN_SIDE || p->out_ly < RGRBM_MCRG_MIN_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "o->levels = %d is more than the %d x %d lattice allows: level %d "
                       "would be %d x %d with b = %d (sides must divide and stay >= %d)",
                       levels, lv->lx[0], lv->ly[0], n, p->out_lx, p->out_ly, b,
                       RGRBM_MCRG_MIN_SIDE);
  return RGRBM_OK;
}

/* Level n's plan and lattice (rg's for n = 1, its kind's mcrg_level after). */
static int add_level(rgrbm__mcrg_levels *lv, const rgrbm_rg *rg, int n, int levels,
                     const char *func) {
  if (n == 1) {
    lv->plan[1] = rg;
    lv->reads[1] = 0;
  } else {
    int rc = rg->kind->mcrg_level(rg, n, &lv->owned[n], &lv->reads[n], func);
    if (rc != RGRBM_OK) return rc;
    lv->plan[n] = lv->owned[n];
  }
  lv->levels = n; /* levels_free destroys owned[2..n] */
  int rc = check_level(lv, n, levels, func);
  if (rc != RGRBM_OK) return rc;
  if (n == 1) lv->b = rg->in_lx / rg->out_lx;
  lv->lx[n] = lv->plan[n]->out_lx;
  lv->ly[n] = lv->plan[n]->out_ly;
  return RGRBM_OK;
}

/* Checks that MCRG can run rg on smp's configurations and builds every
 * level's plan (holding nothing on failure). */
static int build_levels(rgrbm__mcrg_levels *lv, const rgrbm_sampler *smp, const rgrbm_rg *rg,
                        int levels, const char *func) {
  memset(lv, 0, sizeof *lv);
  if (smp->lattice != NULL && smp->lattice->boundary != RGRBM_PERIODIC)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "smp's lattice has open boundaries: the MCRG operators wrap around, "
                       "so they need a periodic lattice");
  if (rg->kind->mcrg_level == NULL)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "rg is not a block-spin plan (rgrbm_rg_create_block2d) nor another kind "
                       "MCRG can build its levels from (a placed stack: "
                       "rgrbm_rg_create_learned_placed); MCRG needs the operators of a 2D "
                       "lattice at every level");
  if (smp->lx != rg->in_lx || smp->ly != rg->in_ly || smp->chains != 1)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "smp emits %zu configuration(s) of shape %d x %d, rg expects one of %d x %d",
                       smp->chains, smp->lx, smp->ly, rg->in_lx, rg->in_ly);
  lv->lx[0] = rg->in_lx;
  lv->ly[0] = rg->in_ly;
  int rc = RGRBM_OK;
  for (int n = 1; rc == RGRBM_OK && n <= levels; n++) rc = add_level(lv, rg, n, levels, func);
  if (rc != RGRBM_OK) levels_free(lv);
  return rc;
}

/* Per bin: the operator sums of every level, then per level n >= 1 the
 * products S^(n) S^(n) and S^(n) S^(n-1) (nops x nops each, row a = level n). */
typedef struct {
  int levels, nops, bins;
  size_t stride;
  double *sums;    /* bins * stride; integer-valued, exact in double */
  double *counts;  /* per bin */
} accumulator;

static double *mean_part(double *bin, int level, const accumulator *a) {
  return bin + (size_t)level * a->nops;
}
static double *same_part(double *bin, int level, const accumulator *a) {
  return bin + (size_t)(a->levels + 1) * a->nops + (size_t)(level - 1) * a->nops * a->nops;
}
static double *cross_part(double *bin, int level, const accumulator *a) {
  return same_part(bin, level, a) + (size_t)a->levels * a->nops * a->nops;
}

static void accumulate(accumulator *a, int bin, const double *ops) {
  double *s = a->sums + (size_t)bin * a->stride;
  const int k = a->nops;
  for (int n = 0; n <= a->levels; n++)
    for (int i = 0; i < k; i++) mean_part(s, n, a)[i] += ops[n * k + i];
  for (int n = 1; n <= a->levels; n++) {
    double *same = same_part(s, n, a), *cross = cross_part(s, n, a);
    const double *cur = ops + n * k, *prev = ops + (n - 1) * k;
    for (int i = 0; i < k; i++)
      for (int j = 0; j < k; j++) {
        same[i * k + j] += cur[i] * cur[j];
        cross[i * k + j] += cur[i] * prev[j];
      }
  }
  a->counts[bin] += 1;
}

/* Averages over every bin but `leave_out` (-1 keeps all). */
static void averages(const accumulator *a, int leave_out, double *avg) {
  double n = 0;
  memset(avg, 0, a->stride * sizeof *avg);
  for (int b = 0; b < a->bins; b++) {
    if (b == leave_out) continue;
    const double *s = a->sums + (size_t)b * a->stride;
    for (size_t i = 0; i < a->stride; i++) avg[i] += s[i];
    n += a->counts[b];
  }
  for (size_t i = 0; i < a->stride; i++) avg[i] /= n;
}

int rgrbm__lapack_out_of_memory(int info) {
  return info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR;
}

int rgrbm__mcrg_lapack_failure(int info, const char *func) {
  return rgrbm__fail(RGRBM_ENOMEM, func, "LAPACKE could not allocate its %s (info = %d)",
                     info == LAPACK_TRANSPOSE_MEMORY_ERROR ? "transposed copy" : "work space",
                     info);
}

/* Leading eigenvalue (largest real part) of T = G^{-1} F at level n for the k
 * operators starting at index first. */
static int leading_eigenvalue(const accumulator *a, double *avg, int n, int first, int k,
                              double *lambda, const char *what, const char *func) {
  double g[NOPS_MAX * NOPS_MAX], f[NOPS_MAX * NOPS_MAX], wr[NOPS_MAX], wi[NOPS_MAX];
  lapack_int ipiv[NOPS_MAX];
  const int m = a->nops;
  const double *mc = mean_part(avg, n, a), *mp = mean_part(avg, n - 1, a);
  const double *same = same_part(avg, n, a), *cross = cross_part(avg, n, a);
  double norm = 0;
  for (int j = 0; j < k; j++) {
    double col = 0;
    for (int i = 0; i < k; i++) {
      int r = first + i, c = first + j; /* column-major k x k blocks */
      g[i + j * k] = same[r * m + c] - mc[r] * mc[c];
      f[i + j * k] = cross[r * m + c] - mc[r] * mp[c];
      col += fabs(g[i + j * k]);
    }
    norm = fmax(norm, col);
  }
  double rcond = 0;
  lapack_int info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, k, k, g, k, ipiv);
  if (info == 0 && norm > 0) info = LAPACKE_dgecon(LAPACK_COL_MAJOR, '1', k, g, k, norm, &rcond);
  if (rgrbm__lapack_out_of_memory((int)info)) return rgrbm__mcrg_lapack_failure((int)info, func);
  if (info != 0 || !(rcond >= RCOND_MIN))
    return rgrbm__fail(RGRBM_ENUMERIC, func,
                       "level %d: the correlation matrix G of the first %d %s operators is "
                       "singular (rcond = %g): an operator does not fluctuate or depends on "
                       "the others",
                       n, k, what, rcond);
  info = LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'N', k, k, g, k, ipiv, f, k);
  if (info == 0)
    info = LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', k, f, k, wr, wi, NULL, 1, NULL, 1);
  if (rgrbm__lapack_out_of_memory((int)info)) return rgrbm__mcrg_lapack_failure((int)info, func);
  if (info != 0)
    return rgrbm__fail(RGRBM_ENUMERIC, func, "level %d: the eigenvalues of T (%d %s operators) "
                       "did not converge (info = %d)", n, k, what, (int)info);
  double best = wr[0];
  for (int i = 1; i < k; i++) best = fmax(best, wr[i]);
  *lambda = best;
  return RGRBM_OK;
}

/* Every leading eigenvalue of one estimate: lam[(n-1) * NOPS_MAX + slot],
 * slots 0.. for k even operators, RGRBM_MCRG_EVEN.. for k odd ones. */
static int all_eigenvalues(const accumulator *a, int ne, int no, int leave_out, double *avg,
                           double *lam, const char *func) {
  averages(a, leave_out, avg);
  for (int n = 1; n <= a->levels; n++) {
    double *row = lam + (size_t)(n - 1) * NOPS_MAX;
    for (int k = 1; k <= ne; k++) {
      int rc = leading_eigenvalue(a, avg, n, 0, k, &row[k - 1], "even", func);
      if (rc != RGRBM_OK) return rc;
    }
    for (int k = 1; k <= no; k++) {
      int rc = leading_eigenvalue(a, avg, n, ne, k, &row[RGRBM_MCRG_EVEN + k - 1], "odd", func);
      if (rc != RGRBM_OK) return rc;
    }
  }
  return RGRBM_OK;
}

static void store(double lambda, double err, double log_b, rgrbm_mcrg_exponent *e) {
  e->lambda = lambda;
  e->lambda_err = err;
  e->y = lambda > 0 ? log(lambda) / log_b : NAN;
  e->y_err = lambda > 0 ? err / (lambda * log_b) : NAN;
}

/* Jackknife: estimate from all data, error from the spread of the
 * leave-one-bin-out estimates. */
static int analyse(const accumulator *a, int ne, int no, int b, double *avg, double *lam,
                   rgrbm_mcrg_result *res, const char *func) {
  const size_t per = (size_t)a->levels * NOPS_MAX;
  int rc = RGRBM_OK;
  for (int e = -1; rc == RGRBM_OK && e < a->bins; e++)
    rc = all_eigenvalues(a, ne, no, e, avg, lam + (size_t)(e + 1) * per, func);
  for (size_t s = 0; rc == RGRBM_OK && s < per; s++) {
    int n = (int)(s / NOPS_MAX), slot = (int)(s % NOPS_MAX);
    int even = slot < RGRBM_MCRG_EVEN, k = even ? slot + 1 : slot - RGRBM_MCRG_EVEN + 1;
    if (k > (even ? ne : no)) continue;
    double mean = 0, var = 0;
    for (int e = 1; e <= a->bins; e++) mean += lam[(size_t)e * per + s] / a->bins;
    for (int e = 1; e <= a->bins; e++) var += pow(lam[(size_t)e * per + s] - mean, 2);
    double err = sqrt(var * (a->bins - 1) / a->bins);
    if (even)
      store(lam[s], err, log(b), &res->even[(size_t)n * (size_t)ne + (size_t)(k - 1)]);
    else
      store(lam[s], err, log(b), &res->odd[(size_t)n * (size_t)no + (size_t)(k - 1)]);
  }
  return rc;
}

/* Every level's dataset and the measurement buffers: one per running
 * chain (the plans are the job's, applied as const). */
typedef struct {
  const rgrbm__mcrg_levels *lv;
  rgrbm_dataset *data[RGRBM_MCRG_MAX_LEVELS + 1];
  int8_t *spins, *frame;
  double *ops;
} pipeline;

static void pipeline_free(pipeline *p) {
  for (int n = 0; n <= p->lv->levels; n++) rgrbm_dataset_destroy(p->data[n]);
  rgrbm__free(p->spins);
  rgrbm__free(p->frame);
  rgrbm__free(p->ops);
}

/* Everything a chain allocates is allocated here, before its first sweep,
 * so that running out of memory leaves the caller's sampler as it was (with
 * one chain, the chain is the caller's sampler): the datasets hold a whole
 * chunk. */
static int pipeline_init(pipeline *p, const rgrbm__mcrg_levels *lv, size_t chunk,
                         const char *func) {
  memset(p, 0, sizeof *p);
  p->lv = lv;
  int rc = RGRBM_OK;
  for (int n = 0; rc == RGRBM_OK && n <= lv->levels; n++) {
    rc = rgrbm_dataset_create(&p->data[n], (size_t)lv->lx[n] * (size_t)lv->ly[n]);
    if (rc == RGRBM_OK) rc = rgrbm_dataset_reserve(p->data[n], chunk);
  }
  const size_t sites = (size_t)lv->lx[0] * (size_t)lv->ly[0];
  p->spins = rgrbm__alloc(sites);
  p->frame = rgrbm__alloc(rgrbm__mcrg_frame_size(lv->lx[0], lv->ly[0]));
  p->ops = rgrbm__alloc((size_t)(lv->levels + 1) * NOPS_MAX * sizeof *p->ops);
  if (rc == RGRBM_OK && (p->spins == NULL || p->frame == NULL || p->ops == NULL))
    rc = RGRBM_FAIL_NOMEM("the MCRG buffers", sites);
  if (rc != RGRBM_OK) {
    pipeline_free(p);
    return rgrbm__fail(rc, func, "cannot set up %d blocking levels", lv->levels);
  }
  return RGRBM_OK;
}

/* Draw `count` configurations, block them through every level and add their
 * operators to the bins of samples first.. (global sample numbers); the
 * accumulator's bin 0 is global bin `bin_base`. */
static int measure_chunk(pipeline *p, rgrbm_sampler *smp, const rgrbm_mcrg_options *o,
                         size_t first, size_t count, accumulator *acc, size_t bin_base,
                         const char *func) {
  const rgrbm__mcrg_levels *lv = p->lv;
  for (int n = 0; n <= lv->levels; n++) rgrbm_dataset_clear(p->data[n]);
  /* draw() sweeps `spacing` before every configuration, so chunks continue
   * the chain with a uniform spacing and no repeats. */
  int rc = rgrbm_sampler_draw(smp, count, 0, o->spacing, p->data[0]);
  for (int n = 1; rc == RGRBM_OK && n <= lv->levels; n++)
    rc = rgrbm_rg_apply(lv->plan[n], p->data[lv->reads[n]], p->data[n]);
  if (rc != RGRBM_OK) return rgrbm__fail_within(rc, func);
  const int k = acc->nops;
  for (size_t i = 0; i < count; i++) {
    for (int n = 0; n <= lv->levels; n++) {
      rgrbm_dataset_get(p->data[n], i, 1, p->spins);
      rgrbm__mcrg_measure(p->spins, lv->lx[n], lv->ly[n], o->even_operators, o->odd_operators,
                          p->frame, p->ops + n * k);
    }
    size_t bin = (first + i) * o->bins / o->samples;
    accumulate(acc, (int)(bin - bin_base), p->ops);
  }
  return RGRBM_OK;
}

/* ---- chains ---- */

/* The global samples [*begin, *end) of chain c and the bins they fall in,
 * [*first_bin, *first_bin + *bins). */
static void chain_range(const rgrbm_mcrg_options *o, size_t c, size_t *begin, size_t *end,
                        size_t *first_bin, size_t *bins) {
  rgrbm__team_part(o->samples, o->chains, c, begin, end);
  *first_bin = *begin * o->bins / o->samples;
  *bins = (*end - 1) * o->bins / o->samples - *first_bin + 1;
}

/* The algorithm of a lattice sampler, as rgrbm_sampler_create recorded it;
 * 0 for a sampler without a lattice. */
static int sampler_algorithm(const rgrbm_sampler *smp, int *alg) {
  if (smp->lattice == NULL) return 0;
  *alg = (int)smp->algorithm;
  return 1;
}

/* Chain c's own lattice (a copy of the template's couplings and spins) and
 * sampler, keyed by the first word of the Philox stream (o->seed, c). */
static int chain_sampler(const rgrbm__mcrg_job *job, size_t c, rgrbm_lattice **lat,
                         rgrbm_sampler **smp, const char *func) {
  const rgrbm_lattice *t = job->smp->lattice;
  *smp = NULL;
  int rc = rgrbm_lattice_create(lat, t->geometry, t->lx, t->ly, t->boundary);
  if (rc == RGRBM_OK) rc = rgrbm_lattice_set_couplings(*lat, t->K, t->h);
  if (rc == RGRBM_OK) {
    memcpy((*lat)->spins, t->spins, t->sites);
    rgrbm__rng r;
    rgrbm__rng_init(&r, job->o.seed, RGRBM__STREAM(RGRBM__STREAM_MCRG, c));
    rc = rgrbm_sampler_create(smp, *lat, (rgrbm_algorithm)job->alg, rgrbm__rng_u64(&r));
  }
  if (rc == RGRBM_OK) return RGRBM_OK;
  rgrbm_lattice_destroy(*lat);
  *lat = NULL;
  return rgrbm__fail_within(rc, func);
}

/* Thermalize chain c and sum its samples' moments into its partials. */
static int run_chain(rgrbm__mcrg_job *job, size_t c, const char *func) {
  const rgrbm_mcrg_options *o = &job->o;
  size_t begin, end, first_bin, bins;
  chain_range(o, c, &begin, &end, &first_bin, &bins);
  accumulator acc = {o->levels, o->even_operators + o->odd_operators, (int)bins, job->stride,
                     job->partials + job->offsets[c], NULL};
  acc.counts = acc.sums + bins * job->stride;
  memset(acc.sums, 0, (job->offsets[c + 1] - job->offsets[c]) * sizeof *acc.sums);
  pipeline p;
  int rc = pipeline_init(&p, &job->lv, end - begin < CHUNK ? end - begin : CHUNK, func);
  if (rc != RGRBM_OK) return rc;
  rgrbm_lattice *lat = NULL;
  rgrbm_sampler *smp = job->smp;
  if (o->chains > 1) rc = chain_sampler(job, c, &lat, &smp, func);
  if (rc == RGRBM_OK) {
    rc = rgrbm_sampler_sweep(smp, o->thermalize);
    if (rc != RGRBM_OK) rc = rgrbm__fail_within(rc, func);
  }
  for (size_t first = begin; rc == RGRBM_OK && first < end; first += CHUNK) {
    size_t count = end - first < CHUNK ? end - first : CHUNK;
    rc = measure_chunk(&p, smp, o, first, count, &acc, first_bin, func);
  }
  if (smp != job->smp) rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  pipeline_free(&p);
  return rc;
}

/* Guards the job's failure record against chains failing at once. */
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;

/* Keeps the lowest failing chain's status and (thread-local) message. */
static void record_failure(rgrbm__mcrg_job *job, size_t c, int rc) {
  pthread_mutex_lock(&failure_lock);
  if (job->failed_rc == RGRBM_OK || c < job->failed_chain) {
    job->failed_rc = rc;
    job->failed_chain = c;
    snprintf(job->failed_message, sizeof job->failed_message, "%s", rgrbm_last_error());
  }
  pthread_mutex_unlock(&failure_lock);
}

typedef struct {
  rgrbm__mcrg_job *job;
  size_t first;
  const char *func;
} chains_job;

static void chain_task(void *arg, size_t task) {
  chains_job *a = arg;
  int rc = run_chain(a->job, a->first + task, a->func);
  if (rc != RGRBM_OK) record_failure(a->job, a->first + task, rc);
}

int rgrbm__mcrg_run_chains(rgrbm__mcrg_job *job, size_t first, size_t last, const char *func) {
  job->failed_rc = RGRBM_OK;
  chains_job arg = {job, first, func};
  /* Every chain is long work: let the team take them whenever there are two. */
  rgrbm__team_run(last - first, (double)(last - first) * RGRBM__TEAM_MIN_WORK, chain_task, &arg);
  if (job->failed_rc == RGRBM_OK) return RGRBM_OK;
  /* The message names func already (every failure inside a chain is
   * reported in its name); report it again in this thread's record. */
  const char *inner = job->failed_message;
  size_t len = strlen(func);
  if (strncmp(inner, func, len) == 0 && strncmp(inner + len, ": ", 2) == 0) inner += len + 2;
  if (job->o.chains == 1) return rgrbm__fail(job->failed_rc, func, "%s", inner);
  return rgrbm__fail(job->failed_rc, func, "chain %zu: %s", job->failed_chain, inner);
}

/* ---- the run ---- */

/* The result in the current layout with its two arrays; NULL arrays when
 * either cannot be allocated. */
static int result_alloc(rgrbm_mcrg_result *res, const rgrbm_mcrg_options *o, int b,
                        const char *func) {
  const size_t n_even = (size_t)o->levels * (size_t)o->even_operators;
  const size_t n_odd = (size_t)o->levels * (size_t)o->odd_operators;
  memset(res, 0, sizeof *res); /* padding too: the result is copied out byte by byte */
  res->version = RGRBM_MCRG_RESULT_VERSION;
  res->levels = o->levels;
  res->even_operators = o->even_operators;
  res->odd_operators = o->odd_operators;
  res->b = b;
  res->samples = o->samples;
  res->even = rgrbm__alloc(n_even * sizeof *res->even);
  res->odd = rgrbm__alloc(n_odd * sizeof *res->odd);
  if (res->even && res->odd) return RGRBM_OK;
  rgrbm_mcrg_result_free(res);
  return RGRBM_FAIL_NOMEM_IN(func, "the MCRG exponents", (n_even + n_odd) * sizeof *res->even);
}

static int validate(rgrbm__mcrg_job *job, rgrbm_sampler *smp, const rgrbm_rg *rg,
                    const rgrbm_mcrg_options *given, const rgrbm_mcrg_result *out,
                    const char *func) {
  if (smp == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "smp is NULL");
  if (rg == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "rg is NULL");
  if (out == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "out is NULL");
  job->o = MCRG_DEFAULTS; /* the caller's version, current layout */
  int rc = rgrbm__versioned_read(&MCRG_OPTIONS, &job->o, given, func, "o");
  if (rc == RGRBM_OK) rc = rgrbm__version_check(&MCRG_RESULT, rgrbm__version_of(out), func, "out");
  if (rc == RGRBM_OK) rc = check_options(&job->o, func);
  if (rc == RGRBM_OK) rc = build_levels(&job->lv, smp, rg, job->o.levels, func);
  if (rc == RGRBM_OK && job->o.chains > 1 && !sampler_algorithm(smp, &job->alg)) {
    rc = rgrbm__fail(RGRBM_EINVAL, func,
                     "o->chains = %zu needs a lattice sampler (Metropolis, heat bath, Wolff or "
                     "Swendsen-Wang) to copy for every chain; smp is a %s sampler",
                     job->o.chains, smp->kind->name);
    levels_free(&job->lv);
  }
  return rc;
}

int rgrbm__mcrg_begin(rgrbm__mcrg_job *job, rgrbm_sampler *smp, const rgrbm_rg *rg,
                      const rgrbm_mcrg_options *given, const rgrbm_mcrg_result *out,
                      const char *func) {
  memset(job, 0, sizeof *job);
  int rc = validate(job, smp, rg, given, out, func);
  if (rc != RGRBM_OK) return rc;
  const rgrbm_mcrg_options *o = &job->o;
  const size_t nops = (size_t)(o->even_operators + o->odd_operators), levels = (size_t)o->levels;
  job->smp = smp;
  job->rg = rg;
  job->stride = (levels + 1) * nops + 2 * levels * nops * nops;
  job->offsets = rgrbm__alloc((o->chains + 1) * sizeof *job->offsets);
  if (job->offsets == NULL) {
    rc = RGRBM_FAIL_NOMEM_IN(func, "the MCRG chain offsets", (o->chains + 1) * sizeof(size_t));
    rgrbm__mcrg_end(job); /* the levels' plans */
    return rc;
  }
  job->offsets[0] = 0;
  for (size_t c = 0; c < o->chains; c++) {
    size_t begin, end, first_bin, bins;
    chain_range(o, c, &begin, &end, &first_bin, &bins);
    job->offsets[c + 1] = job->offsets[c] + bins * (job->stride + 1);
  }
  const size_t total = job->offsets[o->chains];
  job->partials = rgrbm__calloc(total, sizeof *job->partials);
  job->sums = rgrbm__calloc(o->bins * job->stride, sizeof *job->sums);
  job->counts = rgrbm__calloc(o->bins, sizeof *job->counts);
  job->avg = rgrbm__alloc(job->stride * sizeof *job->avg);
  job->lam = rgrbm__calloc((o->bins + 1) * levels * NOPS_MAX, sizeof *job->lam);
  if (job->partials == NULL || job->sums == NULL || job->counts == NULL || job->avg == NULL ||
      job->lam == NULL)
    rc = RGRBM_FAIL_NOMEM_IN(func, "the MCRG accumulators",
                             (total + (o->bins + 1) * job->stride) * sizeof(double));
  if (rc == RGRBM_OK) rc = result_alloc(&job->res, o, job->lv.b, func);
  if (rc != RGRBM_OK) rgrbm__mcrg_end(job);
  return rc;
}

int rgrbm__mcrg_finish(rgrbm__mcrg_job *job, const char *func) {
  const rgrbm_mcrg_options *o = &job->o;
  for (size_t c = 0; c < o->chains; c++) { /* in chain order: the sums need not be exact */
    size_t begin, end, first_bin, bins;
    chain_range(o, c, &begin, &end, &first_bin, &bins);
    const double *sums = job->partials + job->offsets[c], *counts = sums + bins * job->stride;
    for (size_t j = 0; j < bins; j++) {
      double *to = job->sums + (first_bin + j) * job->stride;
      for (size_t i = 0; i < job->stride; i++) to[i] += sums[j * job->stride + i];
      job->counts[first_bin + j] += counts[j];
    }
  }
  accumulator acc = {o->levels, o->even_operators + o->odd_operators, (int)o->bins, job->stride,
                     job->sums, job->counts};
  return analyse(&acc, o->even_operators, o->odd_operators, job->lv.b, job->avg, job->lam,
                 &job->res, func);
}

void rgrbm__mcrg_deliver(rgrbm__mcrg_job *job, rgrbm_mcrg_result *out) {
  rgrbm__versioned_write(&MCRG_RESULT, out, &job->res);
  job->res.even = NULL; /* out owns them now */
  job->res.odd = NULL;
}

void rgrbm__mcrg_end(rgrbm__mcrg_job *job) {
  rgrbm__free(job->offsets);
  rgrbm__free(job->partials);
  rgrbm__free(job->sums);
  rgrbm__free(job->counts);
  rgrbm__free(job->avg);
  rgrbm__free(job->lam);
  rgrbm_mcrg_result_free(&job->res);
  levels_free(&job->lv);
  memset(job, 0, sizeof *job);
}

int rgrbm_mcrg_run(rgrbm_sampler *smp, const rgrbm_rg *rg, const rgrbm_mcrg_options *o,
                   rgrbm_mcrg_result *out) {
  rgrbm__mcrg_job job;
  int rc = rgrbm__mcrg_begin(&job, smp, rg, o, out, __func__);
  if (rc != RGRBM_OK) return rc;
  rc = rgrbm__mcrg_run_chains(&job, 0, job.o.chains, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__mcrg_finish(&job, __func__);
  if (rc == RGRBM_OK) rgrbm__mcrg_deliver(&job, out);
  rgrbm__mcrg_end(&job);
  return rc;
}
