/* Contrastive divergence (CD-k) and persistent CD (PCD-k) for one layer.
 *
 * Per minibatch the work is four matrix products per Gibbs step plus one for
 * the gradient; everything else is a few passes over the batch. When every
 * product has a binary operand (the data or sampled units on one side) the
 * products go through the group tables of binary_product.h, and then all of
 * a batch's passes run on the library's threads (team.h); otherwise they
 * are sgemm calls on OpenBLAS's threads and the passes between them stay on
 * the calling thread (see rbm.c).
 *
 * The positive and negative statistics share one product: the visible rows
 * of both phases lie contiguously in one buffer (CD: [V_pos; V_neg], PCD:
 * [V_chains; V_pos], so that the chains never move) and their hidden rows,
 * scaled in place by the bias-gradient pass to H_pos / n and -H_neg / m, in
 * another, so that
 *     dW = momentum dW + lr V^T H
 * over all n + m rows is a single sgemm with beta = momentum followed by the
 * penalized step, or with tables a single table product with the step fused
 * into its stores. The work arrays are carved from one block per call
 * (workspace.h), plus the cache of the fed-up data (allocate_fed); a batch is
 * unpacked from the packed dataset into a reused float buffer. Randomness:
 * each epoch derives a key from (seed, layer, epoch) and every batch row (and
 * every persistent chain) has its own stream, so results do not depend on the
 * thread count.
 *
 * The trainer computes the batch positions, chains and rows of W of its
 * slices (cd_trainer.h): all of them in one process; a share of them in each
 * process of a distributed run (cd_distributed.c), which then exchanges rows
 * at the points marked by t->dist, so that every process ends each batch
 * with the parameters one process would have. */
#include <float.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "cd_epoch.h"
#include "cd_options.h"
#include "cd_trainer.h"
#include "binary_product.h"
#include "blas_inline.h"
#include "dataset.h"
#include "fail.h"
#include "isa_clones.h"
#include "stack_likelihood.h"
#include "rbm.h"
#include "rng.h"
#include "stack.h"
#include "stack_feed.h"
#include "team.h"
#include "versioned.h"
#include "workspace.h"

/* Version v's layout ends where the first field of version v + 1 begins. */
static const size_t CD_OPTIONS_BYTES[RGRBM_CD_OPTIONS_VERSION] = {
    offsetof(rgrbm_cd_options, products), /* 1: librgrbm 0.x, no products */
    sizeof(rgrbm_cd_options),             /* 2: products */
};
const rgrbm__layout rgrbm__cd_options_layout = {"rgrbm_cd_options", RGRBM_CD_OPTIONS_VERSION,
                                                CD_OPTIONS_BYTES};
static const rgrbm_cd_options CD_DEFAULTS = RGRBM_CD_OPTIONS_INIT;

int rgrbm_cd_options_init(rgrbm_cd_options *o, unsigned version) {
  return rgrbm__versioned_init(&rgrbm__cd_options_layout, o, &CD_DEFAULTS, version, __func__);
}

int rgrbm__cd_options_read(const rgrbm_cd_options *given, rgrbm_cd_options *o,
                           const char *func, const char *arg) {
  *o = CD_DEFAULTS;
  return rgrbm__versioned_read(&rgrbm__cd_options_layout, o, given, func, arg);
}

/* ---- option checks ---- */

static int check_flag(int value, const char *name, const char *func) {
  if (value == 0 || value == 1) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EINVAL, func, "o->%s = %d, must be 0 or 1", name, value);
}

static int check_nonnegative(double value, const char *name, const char *func) {
  if (isfinite(value) && value >= 0.0) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EINVAL, func, "o->%s = %g, must be finite and >= 0",
                     name, value);
}

static int check_momentum(double value, const char *name, const char *func) {
  if (value >= 0.0 && value < 1.0) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EINVAL, func, "o->%s = %g, must be in [0, 1)", name,
                     value);
}

static int check_counts(const rgrbm_cd_options *o, size_t max_chains, const char *func) {
  if (o->epochs < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->epochs = %d, must be at least 1", o->epochs);
  /* Larger than the data is one batch (rgrbm_cd_train checks the batch it
   * gives); as PCD's default chain count it obeys the chains' limit. */
  if (o->batch_size == 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->batch_size = 0, must be at least 1");
  if (o->persistent && o->persistent_chains == 0 && o->batch_size > max_chains)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->batch_size = %zu, as PCD's chain count "
                       "(o->persistent_chains = 0) it must be at most %zu", o->batch_size,
                       max_chains);
  if (o->k < 1) return rgrbm__fail(RGRBM_EINVAL, func, "o->k = %d, must be at least 1", o->k);
  if (o->persistent_chains > max_chains)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->persistent_chains = %zu exceeds %zu",
                       o->persistent_chains, max_chains);
  if (o->momentum_switch_epoch < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->momentum_switch_epoch = %d, must be at least 1",
                       o->momentum_switch_epoch);
  return RGRBM_OK;
}

/* o is the caller's options read into the current layout (the version was
 * checked then). */
int rgrbm__cd_check_option_values(const rgrbm_cd_options *o, size_t max_chains,
                                  const char *func) {
  int rc = check_counts(o, max_chains, func);
  /* The updates run in float: the rate and its products must stay finite there. */
  if (rc == RGRBM_OK && !(o->learning_rate > 0.0 && o->learning_rate <= FLT_MAX))
    rc = rgrbm__fail(RGRBM_EINVAL, func, "o->learning_rate = %g, must be > 0 and "
                     "at most FLT_MAX", o->learning_rate);
  if (rc == RGRBM_OK) rc = check_momentum(o->momentum_initial, "momentum_initial", func);
  if (rc == RGRBM_OK) rc = check_momentum(o->momentum_final, "momentum_final", func);
  if (rc == RGRBM_OK) rc = check_nonnegative(o->l1, "l1", func);
  if (rc == RGRBM_OK) rc = check_nonnegative(o->l2, "l2", func);
  if (rc == RGRBM_OK) rc = check_flag(o->persistent, "persistent", func);
  if (rc == RGRBM_OK)
    rc = check_flag(o->mean_field_reconstruction, "mean_field_reconstruction", func);
  if (rc == RGRBM_OK) rc = check_flag(o->compute_pll, "compute_pll", func);
  if (rc == RGRBM_OK && o->feed_up != RGRBM_PASS_MEANS && o->feed_up != RGRBM_PASS_SAMPLES)
    rc = rgrbm__fail(RGRBM_EINVAL, func, "o->feed_up = %d is neither "
                     "RGRBM_PASS_MEANS nor RGRBM_PASS_SAMPLES", (int)o->feed_up);
  if (rc == RGRBM_OK && o->products != RGRBM_PRODUCTS_AUTO &&
      o->products != RGRBM_PRODUCTS_SGEMM && o->products != RGRBM_PRODUCTS_TABLES)
    rc = rgrbm__fail(RGRBM_EINVAL, func, "o->products = %d is not an "
                     "rgrbm_products value", (int)o->products);
  return rc;
}

/* The chains are rows of sgemm calls, with the batch rows beside them. */
int rgrbm__cd_check_options(const rgrbm_cd_options *o, const char *func) {
  return rgrbm__cd_check_option_values(o, RGRBM__BLAS_MAX / 2, func);
}

/* Whether every product of training layer `layer` has a binary operand: the
 * visible rows are configurations (data at level 0, or fed up as samples)
 * and the reconstructions are samples (PCD chains always sample). */
static int products_binary(int layer, const rgrbm_cd_options *o) {
  const int data_binary = layer == 0 || o->feed_up == RGRBM_PASS_SAMPLES;
  const int recon_binary = o->persistent || !o->mean_field_reconstruction;
  return data_binary && recon_binary;
}

/* Tables or sgemm for this call; RGRBM_EUNSUPPORTED when tables are
 * demanded and an operand is not binary. */
static int choose_tables(int layer, const rgrbm_cd_options *o, int *tables, const char *func) {
  const int possible = products_binary(layer, o);
  *tables = o->products != RGRBM_PRODUCTS_SGEMM && possible;
  if (o->products != RGRBM_PRODUCTS_TABLES || possible) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EUNSUPPORTED, func, "o->products = "
                     "RGRBM_PRODUCTS_TABLES needs binary operands, but %s",
                     o->mean_field_reconstruction && !o->persistent
                         ? "o->mean_field_reconstruction = 1 makes the reconstructions means"
                         : "layer > 0 is fed up by means (o->feed_up = RGRBM_PASS_MEANS)");
}

/* ---- the trainer's state (cd_trainer.h) ---- */

typedef rgrbm__cd_trainer trainer;

/* Bytes of codes the largest product needs: rows of any level at or below
 * the layer, or the columns of the gradient's rows x nv visible block. */
static size_t codes_bytes(const trainer *t, size_t rows) {
  if (!t->tables) return 0;
  size_t most = rgrbm__code_groups(rows) * t->nv;
  for (int l = 0; l <= t->layer + 1; l++) {
    size_t need = rows * rgrbm__code_groups((size_t)t->s->sizes[l]);
    if (need > most) most = need;
  }
  return most;
}

/* Whether PCD's reconstruction error is wanted (it needs buffers of its own). */
static int pcd_error(const trainer *t) { return t->chains && t->reporting; }

/* The PLL's scratch is allocated with everything else, before the first
 * change to the stack, so that no failure can come after one. */
static size_t pll_doubles(const trainer *t, int *overflow) {
  if (!(t->o->compute_pll && t->reporting)) return 0;
  return rgrbm__pll_scratch_doubles(t->s, t->layer, t->batch, overflow);
}

/* The trainer's arrays, in order; run twice on its workspace (workspace.h):
 * once to size the block, once to carve it. */
static void carve(trainer *t, rgrbm__workspace *ws) {
  /* negative rows: the chains for PCD, one per batch row for CD */
  const size_t hs_rows = t->chains ? t->chains : t->batch, rows = t->batch + hs_rows;
  const size_t error_rows = pcd_error(t) ? t->batch : 0;
  int overflow = 0;
  RGRBM__WS_TAKE(ws, t->v, rows * t->nv);
  RGRBM__WS_TAKE(ws, t->h, rows * t->nh);
  RGRBM__WS_TAKE(ws, t->hs, hs_rows * t->nh);
  RGRBM__WS_TAKE(ws, t->recon, error_rows * t->nv);
  RGRBM__WS_TAKE(ws, t->recon_h, error_rows * t->nh);
  rgrbm__feed_take(&t->feed, ws, t->batch, rgrbm__feed_width(t->s, 0, t->layer - 1));
  RGRBM__WS_TAKE(ws, t->dw, t->nv * t->nh);
  RGRBM__WS_TAKE(ws, t->dc, t->nv);
  RGRBM__WS_TAKE(ws, t->db, t->nh);
  RGRBM__WS_TAKE(ws, t->gc, t->nv);
  RGRBM__WS_TAKE(ws, t->gb, t->nh);
  RGRBM__WS_TAKE(ws, t->good, rgrbm__layer_floats(t->s, t->layer));
  RGRBM__WS_TAKE(ws, t->codes, codes_bytes(t, rows));
  RGRBM__WS_TAKE(ws, t->order, t->count);
  RGRBM__WS_TAKE(ws, t->rngs, t->batch + t->chains);
  RGRBM__WS_TAKE(ws, t->error_rngs, error_rows);
  RGRBM__WS_TAKE(ws, t->pll_scratch, pll_doubles(t, &overflow));
  t->row_error = NULL; /* one process sums the error by blocks (add_error) */
  if (t->dist && t->reporting) RGRBM__WS_TAKE(ws, t->row_error, t->batch);
  ws->overflow |= overflow;
}

/* With feed-up by means the data at the layer's level do not change during
 * a call: they are computed once (count x nv floats) when that takes at most
 * FED_CACHE_MAX_BYTES, instead of through every lower layer for every batch
 * of every epoch (for paper2d's second layer that was 80% of the work).
 * Larger data are recomputed batch by batch. The choice depends on the sizes
 * alone, never on whether memory happens to be free: sgemm's bits for a row
 * can depend on the batch it sits in, so the two ways may differ in the last
 * bits, and a training run must be a function of its inputs. */
#define FED_CACHE_MAX_BYTES ((size_t)256 << 20)

static int allocate_fed(trainer *t) {
  t->fed = NULL;
  /* Distributed, a process holds a shard and computes the rows of its
   * positions, which the shuffle takes from every shard. */
  if (t->layer == 0 || t->o->feed_up != RGRBM_PASS_MEANS || t->dist) return RGRBM_OK;
  int overflow = 0;
  size_t bytes = rgrbm__mul_size(rgrbm__mul_size(t->count, t->nv, &overflow), sizeof(float),
                                 &overflow);
  if (overflow || bytes > FED_CACHE_MAX_BYTES) return RGRBM_OK;
  t->fed = rgrbm__alloc(bytes);
  if (t->fed != NULL) return RGRBM_OK;
  return rgrbm__fail(RGRBM_ENOMEM, t->func, "cannot allocate %zu bytes for the data "
                     "fed up to layer %d", bytes, t->layer);
}

int rgrbm__cd_trainer_init(trainer *t, rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                           size_t count, const rgrbm_cd_options *o, rgrbm__cd_dist *dist,
                           const char *func) {
  memset(t, 0, sizeof *t);
  t->func = func;
  t->s = s;
  t->layer = layer;
  t->data = data;
  t->o = o;
  t->nv = (size_t)s->sizes[layer];
  t->nh = (size_t)s->sizes[layer + 1];
  t->count = count;
  t->batch = o->batch_size < t->count ? o->batch_size : t->count;
  t->chains = o->persistent ? (o->persistent_chains ? o->persistent_chains : o->batch_size) : 0;
  t->reporting = o->progress != NULL;
  t->pos_hi = t->batch;
  t->chain_hi = t->chains;
  t->w_hi = t->nv;
  t->dist = dist;
  int rc = choose_tables(layer, o, &t->tables, func);
  if (rc != RGRBM_OK) return rc;
  if (dist) rgrbm__cd_dist_slices(dist, t);
  carve(t, &t->ws);
  rc = rgrbm__ws_alloc(&t->ws, 1); /* zeroed: the momenta start at 0 */
  if (rc == RGRBM_EINVAL)
    return rgrbm__fail(RGRBM_EINVAL, func, "the work buffers of layer %d overflow size_t",
                       layer);
  if (rc != RGRBM_OK)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes of work buffers for "
                       "layer %d", t->ws.bytes, layer);
  carve(t, &t->ws);
  rc = allocate_fed(t);
  if (rc != RGRBM_OK) rgrbm__ws_free(&t->ws);
  return rc;
}

void rgrbm__cd_trainer_free(trainer *t) {
  rgrbm__free(t->fed);
  rgrbm__ws_free(&t->ws);
}

/* ---- elementwise kernels of the update ---- */

/* dw already holds momentum dw + lr grad; add the penalties, step, and report
 * whether any weight stopped being finite (w - w is NaN exactly then). */
RGRBM__INLINE int penalized_step_body(float *w, float *dw, size_t n, float lr_l2, float lr_l1) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    float wi = w[i];
    float sign = (float)(wi > 0.0f) - (float)(wi < 0.0f); /* branch-free: vectorizes for AVX2 */
    float d = dw[i] - lr_l2 * wi - lr_l1 * sign;
    dw[i] = d;
    wi += d;
    w[i] = wi;
    bad |= (wi - wi) != 0.0f;
  }
  return bad;
}
RGRBM__CLONES(int, penalized_step, (float *w, float *dw, size_t n, float lr_l2, float lr_l1),
              (w, dw, n, lr_l2, lr_l1))

RGRBM__INLINE int momentum_step_body(float *p, float *vel, const float *grad, size_t n,
                                     float momentum, float lr) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    float d = momentum * vel[i] + lr * grad[i];
    vel[i] = d;
    p[i] += d;
    bad |= (p[i] - p[i]) != 0.0f;
  }
  return bad;
}
RGRBM__CLONES(int, momentum_step,
              (float *p, float *vel, const float *grad, size_t n, float momentum, float lr),
              (p, vel, grad, n, momentum, lr))

/* acc[c] += scale * sum_r x[r][c] for the cols columns of rows x (leading
 * dimension ld); with write_back, x itself becomes scale x. */
RGRBM__INLINE void scaled_column_sums_body(float *x, size_t rows, size_t cols, size_t ld,
                                           float scale, int write_back, float *acc) {
  for (size_t r = 0; r < rows; r++) {
    float *xr = x + r * ld;
    for (size_t c = 0; c < cols; c++) {
      float y = scale * xr[c];
      acc[c] += y;
      if (write_back) xr[c] = y;
    }
  }
}
RGRBM__CLONES_VOID(scaled_column_sums,
                   (float *x, size_t rows, size_t cols, size_t ld, float scale, int write_back,
                    float *acc),
                   (x, rows, cols, ld, scale, write_back, acc))

/* The bias gradients of a batch: gc = mean of the positive visible rows
 * minus that of the negative ones, gb likewise for the hidden rows, which
 * become their scaled selves ([H_pos / n; -H_neg / m], the gradient
 * product's operand). Tasks are slices of columns. */
typedef struct sums_job {
  float *vpos, *vneg, *hpos, *hneg;
  size_t n, m, nv, nh;
  float *gc, *gb;
  rgrbm__isa isa;
} sums_job;

enum { SUMS_SLICE = 64 };

static void sums_slice(const sums_job *j, float *pos, float *neg, size_t cols, size_t c,
                       int write_back, float *acc) {
  const size_t width = cols - c < SUMS_SLICE ? cols - c : SUMS_SLICE;
  memset(acc + c, 0, width * sizeof *acc);
  scaled_column_sums_for(j->isa)(pos + c, j->n, width, cols, 1.0f / (float)j->n, write_back,
                                 acc + c);
  scaled_column_sums_for(j->isa)(neg + c, j->m, width, cols, -1.0f / (float)j->m, write_back,
                                 acc + c);
}

static void sums_task(void *arg, size_t task) {
  const sums_job *j = arg;
  const size_t visible_slices = (j->nv + SUMS_SLICE - 1) / SUMS_SLICE;
  if (task < visible_slices)
    sums_slice(j, j->vpos, j->vneg, j->nv, task * SUMS_SLICE, 0, j->gc);
  else
    sums_slice(j, j->hpos, j->hneg, j->nh, (task - visible_slices) * SUMS_SLICE, 1, j->gb);
}

static void bias_gradients(trainer *t, sums_job *j) {
  const size_t slices_v = (t->nv + SUMS_SLICE - 1) / SUMS_SLICE;
  const size_t tasks = slices_v + (t->nh + SUMS_SLICE - 1) / SUMS_SLICE;
  const double work = t->tables ? (double)(j->n + j->m) * (double)(t->nv + t->nh) : 0.0;
  rgrbm__team_run(tasks, work, sums_task, j);
}

/* sum (a - b)^2 over n entries, in sixteen independent lanes so it vectorizes. */
enum { LANES = 16 };
RGRBM__INLINE double squared_distance_body(const float *a, const float *b, size_t n) {
  float lane[LANES] = {0};
  size_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int k = 0; k < LANES; k++) {
      float d = a[i + k] - b[i + k];
      lane[k] += d * d;
    }
  double total = 0.0;
  for (; i < n; i++) total += (double)(a[i] - b[i]) * (double)(a[i] - b[i]);
  for (int k = 0; k < LANES; k++) total += lane[k];
  return total;
}
RGRBM__CLONES(double, squared_distance, (const float *a, const float *b, size_t n), (a, b, n))

/* The squared error of rows rows of data against recon, batch positions
 * first..: one process adds the whole block to the epoch's sum; a
 * distributed process keeps each position's sum (row_error), so that the
 * epoch's total is added up in position order whatever the slices. */
static void add_error(trainer *t, const float *data, const float *recon, size_t rows,
                      size_t first) {
  double (*distance)(const float *, const float *, size_t) = squared_distance_for(rgrbm__cpu_isa());
  if (t->row_error == NULL) {
    t->sq_error += distance(data, recon, rows * t->nv);
    return;
  }
  for (size_t r = 0; r < rows; r++)
    t->row_error[first + r] += distance(data + r * t->nv, recon + r * t->nv, t->nv);
}

static int params_finite(const float *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(p[i])) return 0;
  return 1;
}

/* ---- the passes, by tables on the team or by sgemm ---- */

/* A pass of n rows by sgemm: one call, or (distributed) calls of
 * row_chunk rows, so that a row's bits never depend on how many rows a
 * process computes. */
typedef void sgemm_pass_fn(const rgrbm_stack *s, int layer, const float *in, size_t n,
                           float *out);

static void sgemm_pass(const trainer *t, sgemm_pass_fn *pass, int layer, const float *in,
                       size_t in_width, size_t n, float *out, size_t out_width) {
  if (t->row_chunk == 0) {
    pass(t->s, layer, in, n, out);
    return;
  }
  for (size_t r = 0; r < n; r += t->row_chunk) {
    const size_t rows = n - r < t->row_chunk ? n - r : t->row_chunk;
    pass(t->s, layer, in + r * in_width, rows, out + r * out_width);
  }
}

static void hidden_means(trainer *t, int layer, const float *v, size_t n, float *out) {
  if (t->tables)
    rgrbm__rbm_hidden_means_tables(t->s, layer, v, n, t->codes, out);
  else
    sgemm_pass(t, rgrbm__rbm_hidden_means, layer, v, (size_t)t->s->sizes[layer], n, out,
               (size_t)t->s->sizes[layer + 1]);
}

static void visible_means(trainer *t, const float *h, size_t n, float *out) {
  if (t->tables)
    rgrbm__rbm_visible_means_tables(t->s, t->layer, h, n, t->codes, out);
  else
    sgemm_pass(t, rgrbm__rbm_visible_means, t->layer, h, t->nh, n, out, t->nv);
}

static void sample(trainer *t, const float *means, size_t rows, size_t cols,
                   rgrbm__rng *row_rngs, float *out) {
  if (t->tables)
    rgrbm__sample_units_team(t->s->units, means, rows, cols, row_rngs, out);
  else
    rgrbm__sample_units(t->s->units, means, rows, cols, row_rngs, out);
}

/* Rows [w_lo, w_hi) of dw = momentum dw + lr v0^T h0 by sgemm when
 * distributed: calls of W_CHUNK rows at fixed offsets (the slices' edges
 * are multiples of it: every process count makes the same calls). */
static void sgemm_weight_rows(trainer *t, size_t rows, const float *v0, const float *h0,
                              float lr, float momentum) {
  const size_t chunk = RGRBM__CD_W_CHUNK;
  for (size_t r = t->w_lo; r < t->w_hi; r += chunk) {
    const size_t m = t->w_hi - r < chunk ? t->w_hi - r : chunk;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)m, (blasint)t->nh,
                (blasint)rows, lr, v0 + r, (blasint)t->nv, h0, (blasint)t->nh, momentum,
                t->dw + r * t->nh, (blasint)t->nh);
  }
}

/* dw = momentum dw + lr v0^T h0 over rows (v0: rows x nv, h0: rows x nh),
 * then the penalized weight step, for the rows [w_lo, w_hi) of W (all of
 * them for one process); returns nonzero when a weight stopped being
 * finite. With tables the step is fused into the product's stores. */
static int weight_update(trainer *t, size_t rows, const float *v0, const float *h0,
                         float momentum) {
  const float lr = (float)t->o->learning_rate;
  const float lr_l2 = (float)(t->o->learning_rate * t->o->l2);
  const float lr_l1 = (float)(t->o->learning_rate * t->o->l1);
  float *w = t->s->weights[t->layer];
  if (!t->tables) {
    if (t->row_chunk == 0) /* one process: one call over all rows of W */
      rgrbm__sgemm(1, 0, t->nv, t->nh, rows, lr, v0, h0, momentum, t->dw);
    else
      sgemm_weight_rows(t, rows, v0, h0, lr, momentum);
    const size_t first = t->w_lo * t->nh;
    return penalized_step_for(rgrbm__cpu_isa())(w + first, t->dw + first,
                                                (t->w_hi - t->w_lo) * t->nh, lr_l2, lr_l1);
  }
  const rgrbm_units units = t->s->units;
  rgrbm__codes_of_columns(v0, rows, t->nv, rgrbm__units_mid(units), t->codes);
  const rgrbm__binary_matrix b = {.codes = t->codes, .rows = t->nv, .cols = rows,
                                  .row_stride = 1, .group_stride = t->nv,
                                  .low = rgrbm__units_low(units), .high = 1.0f};
  const rgrbm__dense_matrix d = {.data = h0, .cols = t->nh, .k_stride = t->nh, .c_stride = 1};
  const rgrbm__param_step step = {.param = w, .l2 = lr_l2, .l1 = lr_l1};
  return rgrbm__binary_product_rows(&b, &d, lr, momentum, t->dw, &step, NULL, t->w_lo,
                                    t->w_hi);
}

/* ---- data: unpack, feed up through the layers below ---- */

/* Rows idx[0..n) of the dataset as floats (low or 1), on the team with tables. */
typedef struct unpack_job {
  const rgrbm_dataset *data;
  const size_t *idx;
  size_t n;
  float low;
  float *dst;
} unpack_job;

enum { UNPACK_SLICE = 16 };

static void unpack_task(void *arg, size_t task) {
  const unpack_job *j = arg;
  const size_t r = task * UNPACK_SLICE, rows = j->n - r < UNPACK_SLICE ? j->n - r : UNPACK_SLICE;
  rgrbm__dataset_unpack_float(j->data, j->idx + r, 0, rows, j->low, 1.0f,
                              j->dst + r * j->data->dim);
}

static void unpack(trainer *t, const rgrbm_dataset *data, const size_t *idx, size_t n,
                   float low, float *dst) {
  unpack_job j = {data, idx, n, low, dst};
  const double work = t->tables ? (double)n * (double)data->dim : 0.0;
  rgrbm__team_run((n + UNPACK_SLICE - 1) / UNPACK_SLICE, work, unpack_task, &j);
}

/* One level of the feed-up: hidden means, sampled when c->feed asks. */
typedef struct feed_ctx {
  trainer *t;
  rgrbm_pass feed;
  rgrbm__rng *rngs;
} feed_ctx;

static void feed_step(const void *arg, int level, int next, const float *src, size_t n,
                      float *dst) {
  const feed_ctx *c = arg;
  hidden_means(c->t, level, src, n, dst);
  if (c->feed == RGRBM_PASS_SAMPLES)
    sample(c->t, dst, n, (size_t)c->t->s->sizes[next], c->rngs, dst);
}

/* Rows idx[0..n) of data, at the trained layer's level, into dst (n x nv);
 * with feed == RGRBM_PASS_SAMPLES row r draws from rngs[r]. */
static void feed_rows(trainer *t, const rgrbm_dataset *data, const size_t *idx, size_t n,
                      rgrbm_pass feed, rgrbm__rng *rngs, float *dst) {
  float *level0 = t->layer == 0 ? dst : t->feed.buf[0];
  unpack(t, data, idx, n, rgrbm__units_low(t->s->units), level0);
  if (t->layer == 0) return;
  feed_ctx c = {t, feed, rngs};
  rgrbm__feed_run(&t->feed, 0, t->layer, level0, n, dst, feed_step, &c);
}

/* feed_rows, from the cache when it holds the rows asked for (data is then
 * the trainer's). */
static void load_rows(trainer *t, const rgrbm_dataset *data, const size_t *idx, size_t n,
                      rgrbm_pass feed, rgrbm__rng *rngs, float *dst) {
  if (t->fed == NULL || feed != RGRBM_PASS_MEANS) {
    feed_rows(t, data, idx, n, feed, rngs, dst);
    return;
  }
  for (size_t r = 0; r < n; r++)
    memcpy(dst + r * t->nv, t->fed + idx[r] * t->nv, t->nv * sizeof(float));
}

/* The cache, a batch of rows at a time through the layers below. */
static void fill_fed(trainer *t) {
  for (size_t first = 0; t->fed != NULL && first < t->count; first += t->batch) {
    size_t n = t->count - first < t->batch ? t->count - first : t->batch;
    for (size_t r = 0; r < n; r++) t->order[r] = first + r;
    feed_rows(t, t->data, t->order, n, RGRBM_PASS_MEANS, t->rngs, t->fed + first * t->nv);
  }
}

/* ---- one minibatch ---- */

/* A batch of n positive and m negative rows: CD [pos; neg] rows, PCD
 * [chains; pos] so that the chains never move. Positions [lo, hi) and
 * chains [clo, chi) are this process's. */
typedef struct batch {
  size_t n, m, lo, hi, clo, chi;
  float *vpos, *vneg, *hpos, *hneg;
} batch;

static batch batch_of(const trainer *t, size_t n) {
  const int pcd = t->chains != 0;
  const size_t nv = t->nv, nh = t->nh, m = pcd ? t->chains : n;
  batch b = {.n = n, .m = m};
  b.lo = t->pos_lo < n ? t->pos_lo : n;
  b.hi = t->pos_hi < n ? t->pos_hi : n;
  b.clo = pcd ? t->chain_lo : b.lo;
  b.chi = pcd ? t->chain_hi : b.hi;
  b.vpos = pcd ? t->v + m * nv : t->v;
  b.vneg = pcd ? t->v : t->v + n * nv;
  b.hpos = pcd ? t->h + m * nh : t->h;
  b.hneg = pcd ? t->h : t->h + n * nh;
  return b;
}

/* The negative phase of CD-k for positions [lo, hi): chains start at the
 * data's hidden samples. */
static void negative_cd(trainer *t, const batch *b, int want_error) {
  const size_t lo = b->lo, rows = b->hi - b->lo, nv = t->nv, nh = t->nh;
  const float *vpos = b->vpos + lo * nv, *hpos = b->hpos + lo * nh;
  float *vneg = b->vneg + lo * nv, *hneg = b->hneg + lo * nh, *hs = t->hs + lo * nh;
  rgrbm__rng *rngs = t->rngs + lo;
  sample(t, hpos, rows, nh, rngs, hs);
  for (int step = 1; step <= t->o->k; step++) {
    visible_means(t, hs, rows, vneg);
    if (step == 1 && want_error) add_error(t, vpos, vneg, rows, lo);
    if (!t->o->mean_field_reconstruction) sample(t, vneg, rows, nv, rngs, vneg);
    hidden_means(t, t->layer, vneg, rows, hneg);
    if (step < t->o->k) sample(t, hneg, rows, nh, rngs, hs);
  }
}

/* The negative phase of PCD-k: the persistent chains [clo, chi) (visible
 * vneg, hidden samples hs) advance k block-Gibbs steps. The reconstruction
 * error, when wanted, is CD's, p(v | h) with h a hidden sample given the
 * data rows, drawn from generators of its own so that the training does
 * not change. */
static void negative_pcd(trainer *t, const batch *b, int want_error) {
  const size_t nv = t->nv, nh = t->nh, lo = b->lo, rows = b->hi - b->lo;
  if (want_error) {
    sample(t, b->hpos + lo * nh, rows, nh, t->error_rngs + lo, t->recon_h + lo * nh);
    visible_means(t, t->recon_h + lo * nh, rows, t->recon + lo * nv);
    add_error(t, b->vpos + lo * nv, t->recon + lo * nv, rows, lo);
  }
  const size_t c = b->clo, chains = b->chi - b->clo;
  rgrbm__rng *chain_rngs = t->rngs + t->batch + c;
  float *vneg = b->vneg + c * nv, *hneg = b->hneg + c * nh, *hs = t->hs + c * nh;
  for (int step = 1; step <= t->o->k; step++) {
    visible_means(t, hs, chains, vneg);
    sample(t, vneg, chains, nv, chain_rngs, vneg);
    hidden_means(t, t->layer, vneg, chains, hneg);
    sample(t, hneg, chains, nh, chain_rngs, hs);
  }
}

/* Distributed: every process's rows of the batch to every process. */
static int gather_batch(trainer *t, const batch *b) {
  const int pcd = t->chains != 0;
  int rc = rgrbm__cd_dist_gather_rows(t, 0, b->vpos, t->nv, b->n);
  if (rc == RGRBM_OK) rc = rgrbm__cd_dist_gather_rows(t, 0, b->hpos, t->nh, b->n);
  if (rc == RGRBM_OK) rc = rgrbm__cd_dist_gather_rows(t, pcd, b->vneg, t->nv, b->m);
  if (rc == RGRBM_OK) rc = rgrbm__cd_dist_gather_rows(t, pcd, b->hneg, t->nh, b->m);
  return rc;
}

/* Gradient and parameter step for the batch's n positive and m negative
 * rows (which start at t->v and t->h). *bad: whether a parameter stopped
 * being finite (on any process). */
static int update(trainer *t, const batch *b, float momentum, int *bad) {
  rgrbm_stack *s = t->s;
  const float lr = (float)t->o->learning_rate;
  const rgrbm__isa isa = rgrbm__cpu_isa();
  sums_job sums = {b->vpos, b->vneg, b->hpos, b->hneg, b->n, b->m, t->nv, t->nh, t->gc, t->gb,
                   isa};
  bias_gradients(t, &sums);
  *bad = weight_update(t, b->n + b->m, t->v, t->h, momentum);
  *bad |= momentum_step_for(isa)(s->vbias[t->layer], t->dc, t->gc, t->nv, momentum, lr);
  *bad |= momentum_step_for(isa)(s->hbias[t->layer], t->db, t->gb, t->nh, momentum, lr);
  return t->dist ? rgrbm__cd_dist_gather_weights(t, bad) : RGRBM_OK;
}

/* The batch of global rows idx[0..n): this process's positions and chains,
 * then (distributed) the exchange of rows, then the update. */
static int train_batch(trainer *t, const size_t *idx, size_t n, float momentum, int want_error,
                       int *bad) {
  const batch b = batch_of(t, n);
  const rgrbm_dataset *data = t->data;
  const size_t *rows = idx + b.lo;
  int rc = RGRBM_OK;
  if (t->dist) rc = rgrbm__cd_dist_fetch(t, idx, n, b.lo, b.hi, &data, &rows);
  if (rc != RGRBM_OK) return rc;
  load_rows(t, data, rows, b.hi - b.lo, t->o->feed_up, t->rngs + b.lo, b.vpos + b.lo * t->nv);
  hidden_means(t, t->layer, b.vpos + b.lo * t->nv, b.hi - b.lo, b.hpos + b.lo * t->nh);
  if (t->chains)
    negative_pcd(t, &b, want_error);
  else
    negative_cd(t, &b, want_error);
  if (t->dist) rc = gather_batch(t, &b);
  return rc == RGRBM_OK ? update(t, &b, momentum, bad) : rc;
}

/* ---- epochs ---- */

/* ---- the random streams of an epoch (cd_epoch.h) ---- */

uint64_t rgrbm__cd_epoch_key(uint64_t seed, int layer, int epoch, uint32_t tag) {
  const uint32_t ctr[4] = {(uint32_t)epoch, 0, (uint32_t)layer, tag};
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  uint32_t out[4];
  rgrbm__philox4x32_10(ctr, key, out);
  return (uint64_t)out[0] | ((uint64_t)out[1] << 32);
}

void rgrbm__cd_shuffle(size_t *order, size_t count, uint64_t key) {
  rgrbm__rng rng;
  rgrbm__rng_init(&rng, key, RGRBM__STREAM(RGRBM__STREAM_CD, RGRBM__CD_SHUFFLE_BIT));
  for (size_t i = 0; i < count; i++) order[i] = i;
  for (size_t i = count; i > 1; i--) {
    size_t j = (size_t)rgrbm__rng_below(&rng, i);
    size_t tmp = order[i - 1];
    order[i - 1] = order[j];
    order[j] = tmp;
  }
}

void rgrbm__cd_epoch_streams(rgrbm__rng *rngs, size_t batch_rows, size_t chains,
                             rgrbm__rng *error_rngs, uint64_t key) {
  rgrbm__rng_init_rows(rngs, batch_rows, key, RGRBM__STREAM(RGRBM__STREAM_CD, 0));
  if (chains)
    rgrbm__rng_init_rows(rngs + batch_rows, chains, key,
                         RGRBM__STREAM(RGRBM__STREAM_CD, batch_rows));
  if (error_rngs)
    rgrbm__rng_init_rows(error_rngs, batch_rows, key,
                         RGRBM__STREAM(RGRBM__STREAM_CD, RGRBM__CD_ERROR_BIT));
}

double rgrbm__cd_seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

/* The key of one epoch of this trainer's layer. */
static uint64_t epoch_key(const trainer *t, int epoch) {
  return rgrbm__cd_epoch_key(t->o->seed, t->layer, epoch, RGRBM__CD_TAG_STACK);
}

/* PCD chains start at data rows (fed up), chain r at row r mod count, and
 * their hidden state at a sample given those rows. Distributed, every
 * process starts every chain (as one process does, from the first rows of
 * the data, which it receives) and then advances its own. */
static int init_chains(trainer *t, uint64_t key) {
  const size_t m = t->chains;
  float *vneg = t->v;
  const rgrbm_dataset *data = t->data;
  if (t->dist) {
    int rc = rgrbm__cd_dist_first_rows(t, m < t->count ? m : t->count, &data);
    if (rc != RGRBM_OK) return rc;
  }
  rgrbm__rng_init_rows(t->rngs, t->batch + m, key, RGRBM__STREAM(RGRBM__STREAM_CD, 0));
  for (size_t first = 0; first < m; first += t->batch) {
    size_t n = m - first < t->batch ? m - first : t->batch;
    for (size_t r = 0; r < n; r++) t->order[r] = (first + r) % t->count;
    load_rows(t, data, t->order, n, t->o->feed_up, t->rngs, vneg + first * t->nv);
  }
  hidden_means(t, t->layer, vneg, m, t->h);
  sample(t, t->h, m, t->nh, t->rngs + t->batch, t->hs);
  return RGRBM_OK;
}

static void snapshot(trainer *t, int restore) {
  rgrbm__layer_copy(t->s, t->layer, t->good, restore);
}

/* One pass over the data; RGRBM_ENUMERIC (parameters restored) on a
 * non-finite parameter. epoch is the layer's 1-based epoch number. */
static int run_epoch(trainer *t, int epoch) {
  const rgrbm_cd_options *o = t->o;
  const uint64_t key = epoch_key(t, epoch);
  const float momentum =
      (float)(epoch >= o->momentum_switch_epoch ? o->momentum_final : o->momentum_initial);
  rgrbm__cd_shuffle(t->order, t->count, key);
  rgrbm__cd_epoch_streams(t->rngs, t->batch, t->chains, pcd_error(t) ? t->error_rngs : NULL,
                          key);
  t->sq_error = 0.0;
  if (t->row_error) memset(t->row_error, 0, t->batch * sizeof *t->row_error);
  for (size_t first = 0; first < t->count; first += t->batch) {
    size_t n = t->count - first < t->batch ? t->count - first : t->batch;
    int bad = 0, rc = train_batch(t, t->order + first, n, momentum, t->reporting, &bad);
    if (rc != RGRBM_OK || bad) snapshot(t, 1); /* every process restores alike */
    if (rc != RGRBM_OK) return rc;
    if (bad)
      return rgrbm__fail(RGRBM_ENUMERIC, t->func, "layer %d, epoch %d, rows %zu..%zu: "
                         "a parameter became NaN or infinite (o->learning_rate = %g too "
                         "large?); the parameters after epoch %d are restored", t->layer,
                         epoch, first, first + n - 1, o->learning_rate, epoch - 1);
  }
  return RGRBM_OK;
}

/* PLL per visible unit of the layer's RBM on the data at its level; above
 * level 0 the data are sampled up (a configuration is needed), with a stream
 * of their own so that asking for the PLL never changes the training.
 * Distributed, each process sums over its shard and the sums are added in
 * process order. */
static int epoch_pll(trainer *t, int epoch, double *pll) {
  const uint64_t key = epoch_key(t, epoch) ^ RGRBM__CD_PASS_BIT;
  rgrbm__rng_init_rows(t->rngs, t->batch, key, RGRBM__STREAM(RGRBM__STREAM_CD, 0));
  float *rows = t->v + t->chains * t->nv; /* behind the PCD chains, which must survive */
  const size_t count = t->data->count;
  double sum = 0.0;
  int rc = RGRBM_OK;
  for (size_t first = 0; rc == RGRBM_OK && first < count; first += t->batch) {
    size_t n = count - first < t->batch ? count - first : t->batch;
    for (size_t r = 0; r < n; r++) t->order[r] = first + r;
    load_rows(t, t->data, t->order, n, RGRBM_PASS_SAMPLES, t->rngs, rows);
    double part = 0.0;
    rc = rgrbm__pll_sum_with(t->s, t->layer, rows, n, t->pll_scratch, &part);
    sum += part;
  }
  if (t->dist && rc == RGRBM_OK) rc = rgrbm__cd_dist_sum_pll(t, &sum);
  *pll = sum / ((double)t->count * (double)t->nv);
  return rc;
}

/* The epoch's numbers to the progress callback (distributed: rank 0's,
 * whose answer every process follows). */
static int report(trainer *t, int epoch, double seconds) {
  const rgrbm_cd_options *o = t->o;
  double pll = NAN, sq_error = t->sq_error;
  int rc = o->compute_pll ? epoch_pll(t, epoch, &pll) : RGRBM_OK;
  if (rc == RGRBM_OK && t->dist) rc = rgrbm__cd_dist_sum_error(t, &sq_error);
  if (rc != RGRBM_OK) return rc;
  double error = sq_error / ((double)t->count * (double)t->nv);
  int stop = 0;
  if (t->dist == NULL || rgrbm__cd_dist_reports(t))
    stop = o->progress(o->progress_data, t->layer, epoch, error, pll, seconds);
  if (t->dist) rc = rgrbm__cd_dist_stop(t, &stop);
  if (rc != RGRBM_OK) return rc;
  if (stop)
    return rgrbm__fail(RGRBM_ECANCELED, t->func, "the progress callback returned %d "
                       "after epoch %d of layer %d", stop, epoch, t->layer);
  return RGRBM_OK;
}

/* The record of a call's options (docs/formats.md stores it). */
void rgrbm__cd_record_options(rgrbm__training_record *r, const rgrbm_cd_options *o) {
  memset(r, 0, sizeof *r); /* padding too: the stack's bytes follow its training */
  r->trained = 1;
  r->epochs = o->epochs;
  r->batch_size = o->batch_size;
  r->k = o->k;
  r->persistent = o->persistent;
  r->persistent_chains = o->persistent_chains;
  r->learning_rate = o->learning_rate;
  r->momentum_initial = o->momentum_initial;
  r->momentum_final = o->momentum_final;
  r->momentum_switch_epoch = o->momentum_switch_epoch;
  r->mean_field_reconstruction = o->mean_field_reconstruction;
  r->l1 = o->l1;
  r->l2 = o->l2;
  r->feed_up = o->feed_up;
  r->compute_pll = o->compute_pll;
  r->seed = o->seed;
  r->products = (int)o->products;
}

int rgrbm__cd_trainer_train(trainer *t) {
  rgrbm_stack *s = t->s;
  snapshot(t, 0);
  fill_fed(t);
  if (t->chains) {
    int rc = init_chains(t, epoch_key(t, s->epochs_done[t->layer]));
    if (rc != RGRBM_OK) return rc;
  }
  for (int e = 0; e < t->o->epochs; e++) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const int epoch = s->epochs_done[t->layer] + 1;
    int rc = run_epoch(t, epoch);
    if (rc != RGRBM_OK) return rc;
    s->epochs_done[t->layer] = epoch;
    rgrbm__cd_record_options(&s->trained_with[t->layer], t->o);
    snapshot(t, 0);
    if (t->reporting) {
      rc = report(t, epoch, rgrbm__cd_seconds_since(&start));
      if (rc != RGRBM_OK) return rc;
    }
  }
  return RGRBM_OK;
}

int rgrbm__cd_check_sized(const rgrbm_stack *s, int layer, size_t dim, size_t count,
                          const rgrbm_cd_options *o, const char *func) {
  if (dim != (size_t)s->sizes[0])
    return rgrbm__fail(RGRBM_EINVAL, func, "data dim = %zu != size(0) = %d", dim,
                       s->sizes[0]);
  if (count == 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "data holds 0 configurations");
  int rc = rgrbm__cd_check_options(o, func);
  if (rc != RGRBM_OK) return rc;
  if (o->batch_size > RGRBM__BLAS_MAX / 2 && count > RGRBM__BLAS_MAX / 2)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->batch_size = %zu with %zu rows of "
                       "data: a batch holds at most %zu rows", o->batch_size, count,
                       RGRBM__BLAS_MAX / 2);
  if (s->epochs_done[layer] > INT32_MAX - o->epochs)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->epochs = %d overflows the %d epochs "
                       "already done", o->epochs, s->epochs_done[layer]);
  int tables;
  return choose_tables(layer, o, &tables, func);
}

int rgrbm__cd_check_call(const rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                         const rgrbm_cd_options *o, const char *func) {
  int rc = rgrbm__stack_check_layer(s, layer, func);
  if (rc != RGRBM_OK) return rc;
  if (data == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "data is NULL");
  return rgrbm__cd_check_sized(s, layer, data->dim, data->count, o, func);
}

/* The layer's own parameters, before anything is done with them. */
static int check_layer_finite(const rgrbm_stack *s, int layer, const char *func) {
  const size_t count[3] = {(size_t)s->sizes[layer] * (size_t)s->sizes[layer + 1],
                           (size_t)s->sizes[layer], (size_t)s->sizes[layer + 1]};
  const float *p[3] = {s->weights[layer], s->vbias[layer], s->hbias[layer]};
  for (int i = 0; i < 3; i++)
    if (!params_finite(p[i], count[i]))
      return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d's %s hold NaN or "
                         "infinity before training", layer,
                         i == 0 ? "weights" : i == 1 ? "visible biases" : "hidden biases");
  return RGRBM_OK;
}

int rgrbm__cd_check_finite(const rgrbm_stack *s, int layer, const char *func) {
  int rc = check_layer_finite(s, layer, func);
  if (rc == RGRBM_OK) /* the layers below feed the data up */
    rc = rgrbm__stack_check_finite(s, 0, layer - 1, func);
  return rc;
}

int rgrbm_cd_train(rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                   const rgrbm_cd_options *given) {
  rgrbm_cd_options o; /* the caller's version read into the current layout */
  int rc = rgrbm__cd_options_read(given, &o, __func__, "o");
  if (rc == RGRBM_OK) rc = rgrbm__cd_check_call(s, layer, data, &o, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__cd_check_finite(s, layer, __func__);
  if (rc != RGRBM_OK) return rc;
  trainer t;
  rc = rgrbm__cd_trainer_init(&t, s, layer, data, data->count, &o, NULL, __func__);
  if (rc != RGRBM_OK) return rc;
  rc = rgrbm__cd_trainer_train(&t);
  rgrbm__cd_trainer_free(&t);
  return rc;
}
