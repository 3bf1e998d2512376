/* CD-k and PCD-k for a translation-invariant layer (rgrbm/conv.h), with the
 * options and the random-stream scheme of the stack trainer (cd.c).
 *
 * A configuration's passes are direct loops over the filter (conv.c), so a
 * batch is cut into one task per row (CD: the row's data statistics and its
 * whole negative chain; PCD: the rows' data statistics, then one task per
 * persistent chain) on the library's worker threads (team.h). Every task
 * writes its own slot of statistics and draws from its own stream; the
 * calling thread sums the slots in order, so the bits do not depend on the
 * thread count. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cd_epoch.h"
#include "cd_options.h"
#include "conv.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "rng.h"
#include "team.h"
#include "workspace.h"

/* ---- option checks (the stack trainer's rules, cd.c) ---- */

/* The chains are rows of direct loops, not of sgemm calls: their count is
 * limited only by the memory they take. */
static int check_options(const rgrbm_cd_options *o, const char *func) {
  int rc = rgrbm__cd_check_option_values(o, SIZE_MAX, func);
  if (rc == RGRBM_OK && o->compute_pll)
    rc = rgrbm__fail(RGRBM_EUNSUPPORTED, func, "o->compute_pll = 1: a translation-invariant "
                     "layer has no pseudo-likelihood report");
  return rc;
}

static int check_call(const rgrbm_conv *c, const rgrbm_dataset *data, const rgrbm_cd_options *o,
                      const char *func) {
  if (c == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "c is NULL");
  if (data == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "data is NULL");
  if (data->lx == 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "data has no 2D shape (dim = %zu): set one with "
                       "rgrbm_dataset_set_shape", data->dim);
  int rc = rgrbm__conv_check_lattice(c, data->lx, data->ly, "data shape", func);
  if (rc != RGRBM_OK) return rc;
  if (data->count == 0) return rgrbm__fail(RGRBM_EINVAL, func, "data holds 0 configurations");
  rc = check_options(o, func);
  if (rc != RGRBM_OK) return rc;
  if (c->epochs_done > INT32_MAX - o->epochs)
    return rgrbm__fail(RGRBM_EINVAL, func, "o->epochs = %d overflows the %d epochs already "
                       "done", o->epochs, c->epochs_done);
  return rgrbm__conv_check_finite(c, func);
}

/* ---- the trainer ---- */

typedef struct trainer {
  const char *func;
  rgrbm_conv *c;
  const rgrbm_dataset *data;
  const rgrbm_cd_options *o;
  rgrbm__conv_geometry g;
  size_t nv, nh, np, count;
  size_t batch;  /* rows of a full batch */
  size_t chains; /* PCD chains, 0 for CD */
  size_t neg;    /* negative rows: chains (PCD) or batch (CD) */
  float *vpos, *hpos;       /* batch x nv, batch x nh */
  float *vneg, *hneg, *hs;  /* neg x nv, neg x nh, neg x nh (PCD: the chains' state) */
  float *recon, *recon_h;   /* PCD with a callback: the error's reconstruction */
  float *vbias_row, *hbias_row; /* nv and nh copies of the biases */
  double *slots;            /* (batch + neg) x np statistics, one slot per task */
  double *sq_error;         /* batch: each row's squared reconstruction error */
  double *grad;             /* np */
  float *velocity, *good;   /* np each: the momentum, the last good parameters */
  size_t *order;
  rgrbm__rng *rngs;         /* batch rows, then chains */
  rgrbm__rng *error_rngs;   /* PCD with a callback: batch */
  /* the batch in progress */
  const size_t *idx;
  size_t n;
  double epoch_error;
  rgrbm__workspace ws;
} trainer;

static int pcd_error(const trainer *t) { return t->chains && t->o->progress; }

static void carve(trainer *t, rgrbm__workspace *ws) {
  const size_t error_rows = pcd_error(t) ? t->batch : 0;
  RGRBM__WS_TAKE(ws, t->vpos, t->batch * t->nv);
  RGRBM__WS_TAKE(ws, t->hpos, t->batch * t->nh);
  RGRBM__WS_TAKE(ws, t->vneg, t->neg * t->nv);
  RGRBM__WS_TAKE(ws, t->hneg, t->neg * t->nh);
  RGRBM__WS_TAKE(ws, t->hs, t->neg * t->nh);
  RGRBM__WS_TAKE(ws, t->recon, error_rows * t->nv);
  RGRBM__WS_TAKE(ws, t->recon_h, error_rows * t->nh);
  RGRBM__WS_TAKE(ws, t->vbias_row, t->nv);
  RGRBM__WS_TAKE(ws, t->hbias_row, t->nh);
  RGRBM__WS_TAKE(ws, t->slots, (t->batch + t->neg) * t->np);
  RGRBM__WS_TAKE(ws, t->sq_error, t->batch);
  RGRBM__WS_TAKE(ws, t->grad, t->np);
  RGRBM__WS_TAKE(ws, t->velocity, t->np);
  RGRBM__WS_TAKE(ws, t->good, t->np);
  RGRBM__WS_TAKE(ws, t->order, t->count);
  RGRBM__WS_TAKE(ws, t->rngs, t->batch + t->chains);
  RGRBM__WS_TAKE(ws, t->error_rngs, error_rows);
}

static int trainer_init(trainer *t, rgrbm_conv *c, const rgrbm_dataset *data,
                        const rgrbm_cd_options *o, const char *func) {
  memset(t, 0, sizeof *t);
  t->func = func;
  t->c = c;
  t->data = data;
  t->o = o;
  t->count = data->count;
  t->np = rgrbm__conv_param_count(c->f);
  t->batch = o->batch_size < t->count ? o->batch_size : t->count;
  t->chains = o->persistent ? (o->persistent_chains ? o->persistent_chains : o->batch_size) : 0;
  t->neg = t->chains ? t->chains : t->batch;
  int rc = rgrbm__conv_geometry_init(&t->g, c, data->lx, data->ly, func);
  if (rc != RGRBM_OK) return rc;
  t->nv = t->g.nv;
  t->nh = t->g.nh;
  carve(t, &t->ws);
  rc = rgrbm__ws_alloc(&t->ws, 1); /* zeroed: the momentum starts at 0 */
  if (rc == RGRBM_OK) {
    carve(t, &t->ws);
    return RGRBM_OK;
  }
  rgrbm__conv_geometry_free(&t->g);
  if (rc == RGRBM_EINVAL)
    return rgrbm__fail(RGRBM_EINVAL, func, "the work buffers overflow size_t (batch %zu, "
                       "%zu chains, %zu sites)", t->batch, t->chains, t->nv);
  return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes of work buffers",
                     t->ws.bytes);
}

static void trainer_free(trainer *t) {
  rgrbm__ws_free(&t->ws);
  rgrbm__conv_geometry_free(&t->g);
}

/* ---- one row's work ---- */

static void hidden(const trainer *t, const float *v, float *h) {
  rgrbm__conv_hidden_means(t->c, &t->g, v, t->hbias_row, h);
}

static void visible(const trainer *t, const float *h, float *v) {
  rgrbm__conv_visible_means(t->c, &t->g, h, t->vbias_row, v);
}

static void sample(const trainer *t, const float *means, size_t cols, rgrbm__rng *rng,
                   float *out) {
  rgrbm__sample_units(t->c->units, means, 1, cols, rng, out);
}

static double squared_distance(const float *a, const float *b, size_t n) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = (double)a[i] - (double)b[i];
    sum += d * d;
  }
  return sum;
}

static double *slot(const trainer *t, size_t s) {
  double *p = t->slots + s * t->np;
  memset(p, 0, t->np * sizeof *p);
  return p;
}

/* Data row r: its hidden means and statistics (slot r); for PCD with a
 * callback also the error's reconstruction, from a stream of its own. */
static void positive_row(const trainer *t, size_t r) {
  float *v = t->vpos + r * t->nv, *h = t->hpos + r * t->nh;
  rgrbm__dataset_unpack_float(t->data, t->idx + r, 0, 1, rgrbm__units_low(t->c->units), 1.0f,
                              v);
  hidden(t, v, h);
  rgrbm__conv_statistics(&t->g, v, h, 1.0, slot(t, r));
  if (t->chains && t->o->progress != NULL) {
    float *rh = t->recon_h + r * t->nh, *rv = t->recon + r * t->nv;
    sample(t, h, t->nh, &t->error_rngs[r], rh);
    visible(t, rh, rv);
    t->sq_error[r] = squared_distance(v, rv, t->nv);
  }
}

/* CD-k from data row r (after positive_row): statistics in slot batch + r. */
static void cd_chain(const trainer *t, size_t r) {
  float *vn = t->vneg + r * t->nv, *hn = t->hneg + r * t->nh, *hs = t->hs + r * t->nh;
  rgrbm__rng *rng = &t->rngs[r];
  sample(t, t->hpos + r * t->nh, t->nh, rng, hs);
  for (int step = 1; step <= t->o->k; step++) {
    visible(t, hs, vn);
    if (step == 1 && t->o->progress != NULL)
      t->sq_error[r] = squared_distance(t->vpos + r * t->nv, vn, t->nv);
    if (!t->o->mean_field_reconstruction) sample(t, vn, t->nv, rng, vn);
    hidden(t, vn, hn);
    if (step < t->o->k) sample(t, hn, t->nh, rng, hs);
  }
  rgrbm__conv_statistics(&t->g, vn, hn, 1.0, slot(t, t->batch + r));
}

/* PCD chain j advances k steps from its state (hidden sample hs_j). */
static void pcd_chain(const trainer *t, size_t j) {
  float *vn = t->vneg + j * t->nv, *hn = t->hneg + j * t->nh, *hs = t->hs + j * t->nh;
  rgrbm__rng *rng = &t->rngs[t->batch + j];
  for (int step = 1; step <= t->o->k; step++) {
    visible(t, hs, vn);
    sample(t, vn, t->nv, rng, vn);
    hidden(t, vn, hn);
    sample(t, hn, t->nh, rng, hs);
  }
  rgrbm__conv_statistics(&t->g, vn, hn, 1.0, slot(t, t->batch + j));
}

/* CD: task r is row r's whole chain; PCD: tasks < n are data rows, the
 * rest chains. */
static void row_task(void *arg, size_t task) {
  const trainer *t = arg;
  if (!t->chains) {
    positive_row(t, task);
    cd_chain(t, task);
  } else if (task < t->n) {
    positive_row(t, task);
  } else {
    pcd_chain(t, task - t->n);
  }
}

/* ---- one batch ---- */

static void refresh_bias_rows(trainer *t) {
  const float vb = rgrbm__conv_vbias(t->c), hb = rgrbm__conv_hbias(t->c);
  for (size_t i = 0; i < t->nv; i++) t->vbias_row[i] = vb;
  for (size_t j = 0; j < t->nh; j++) t->hbias_row[j] = hb;
}

/* grad = mean positive minus mean negative statistics, each shared
 * parameter divided by its number of tied copies. */
static void reduce(trainer *t) {
  const size_t m = t->chains ? t->chains : t->n, weights = t->np - 2;
  for (size_t p = 0; p < t->np; p++) {
    double pos = 0.0, neg = 0.0;
    for (size_t r = 0; r < t->n; r++) pos += t->slots[r * t->np + p];
    for (size_t j = 0; j < m; j++) neg += t->slots[(t->batch + j) * t->np + p];
    const double copies = p == weights ? (double)t->nv : (double)t->nh;
    t->grad[p] = (pos / (double)t->n - neg / (double)m) / copies;
  }
}

/* The step; returns nonzero when a parameter stopped being finite. */
static int step(trainer *t, float momentum) {
  const float lr = (float)t->o->learning_rate;
  const float lr_l2 = (float)(t->o->learning_rate * t->o->l2);
  const float lr_l1 = (float)(t->o->learning_rate * t->o->l1);
  const size_t weights = t->np - 2;
  float *p = t->c->params;
  int bad = 0;
  for (size_t i = 0; i < t->np; i++) {
    float d = momentum * t->velocity[i] + lr * (float)t->grad[i];
    if (i < weights) {
      const float sign = (float)(p[i] > 0.0f) - (float)(p[i] < 0.0f);
      d = d - lr_l2 * p[i] - lr_l1 * sign;
    }
    t->velocity[i] = d;
    p[i] += d;
    bad |= !isfinite(p[i]);
  }
  return bad;
}

static int train_batch(trainer *t, const size_t *idx, size_t n, float momentum) {
  t->idx = idx;
  t->n = n;
  refresh_bias_rows(t);
  const size_t tasks = t->chains ? n + t->chains : n;
  const double per_pass = (double)t->nh * (double)t->g.f * (double)t->g.f;
  rgrbm__team_run(tasks, (double)tasks * (2.0 * t->o->k + 2.0) * per_pass, row_task, t);
  if (t->o->progress != NULL)
    for (size_t r = 0; r < n; r++) t->epoch_error += t->sq_error[r];
  reduce(t);
  return step(t, momentum);
}

/* ---- epochs ---- */

/* A key for one epoch: layer 0 under the conv tag, so that it differs from
 * the stack trainer's keys of the same seed. */
static uint64_t epoch_key(uint64_t seed, int epoch) {
  return rgrbm__cd_epoch_key(seed, 0, epoch, RGRBM__CD_TAG_CONV);
}

/* PCD chains start at data rows (chain j at row j mod count) with their
 * hidden state sampled given them. */
static void init_chains(trainer *t, uint64_t key) {
  refresh_bias_rows(t);
  rgrbm__rng_init_rows(t->rngs + t->batch, t->chains, key,
                       RGRBM__STREAM(RGRBM__STREAM_CD, t->batch));
  for (size_t j = 0; j < t->chains; j++) {
    const size_t row = j % t->count;
    float *v = t->vneg + j * t->nv, *h = t->hneg + j * t->nh;
    rgrbm__dataset_unpack_float(t->data, &row, 0, 1, rgrbm__units_low(t->c->units), 1.0f, v);
    hidden(t, v, h);
    sample(t, h, t->nh, &t->rngs[t->batch + j], t->hs + j * t->nh);
  }
}

static void snapshot(trainer *t, int restore) {
  const size_t bytes = t->np * sizeof(float);
  if (restore)
    memcpy(t->c->params, t->good, bytes);
  else
    memcpy(t->good, t->c->params, bytes);
}

static int run_epoch(trainer *t, int epoch) {
  const rgrbm_cd_options *o = t->o;
  const uint64_t key = epoch_key(o->seed, epoch);
  const float momentum =
      (float)(epoch >= o->momentum_switch_epoch ? o->momentum_final : o->momentum_initial);
  rgrbm__cd_shuffle(t->order, t->count, key);
  rgrbm__cd_epoch_streams(t->rngs, t->batch, t->chains, pcd_error(t) ? t->error_rngs : NULL,
                          key);
  t->epoch_error = 0.0;
  for (size_t first = 0; first < t->count; first += t->batch) {
    size_t n = t->count - first < t->batch ? t->count - first : t->batch;
    if (train_batch(t, t->order + first, n, momentum)) {
      snapshot(t, 1);
      return rgrbm__fail(RGRBM_ENUMERIC, t->func, "epoch %d, rows %zu..%zu: a parameter "
                         "became NaN or infinite (o->learning_rate = %g too large?); the "
                         "parameters after epoch %d are restored", epoch, first, first + n - 1,
                         o->learning_rate, epoch - 1);
    }
  }
  return RGRBM_OK;
}

static int train(trainer *t) {
  rgrbm_conv *c = t->c;
  snapshot(t, 0);
  if (t->chains) init_chains(t, epoch_key(t->o->seed, c->epochs_done));
  for (int e = 0; e < t->o->epochs; e++) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const int epoch = c->epochs_done + 1;
    int rc = run_epoch(t, epoch);
    if (rc != RGRBM_OK) return rc;
    c->epochs_done = epoch;
    rgrbm__cd_record_options(&c->trained_with, t->o);
    snapshot(t, 0);
    if (t->o->progress == NULL) continue;
    const double error = t->epoch_error / ((double)t->count * (double)t->nv);
    int stop = t->o->progress(t->o->progress_data, 0, epoch, error, NAN,
                              rgrbm__cd_seconds_since(&start));
    if (stop)
      return rgrbm__fail(RGRBM_ECANCELED, t->func, "the progress callback returned %d after "
                         "epoch %d", stop, epoch);
  }
  return RGRBM_OK;
}

int rgrbm_conv_train(rgrbm_conv *c, const rgrbm_dataset *data, const rgrbm_cd_options *given) {
  rgrbm_cd_options o; /* the caller's version read into the current layout */
  int rc = rgrbm__cd_options_read(given, &o, __func__, "o");
  if (rc == RGRBM_OK) rc = check_call(c, data, &o, __func__);
  if (rc != RGRBM_OK) return rc;
  trainer t;
  rc = trainer_init(&t, c, data, &o, __func__);
  if (rc != RGRBM_OK) return rc;
  rc = train(&t);
  trainer_free(&t);
  return rc;
}
