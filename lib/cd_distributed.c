/* Data-parallel contrastive divergence: the processes' slices of a batch
 * and the exchanges between them (cd_distributed.h); the training itself
 * is lib/cd.c's, which calls the hooks below at the exchange points. */
#include "cd_distributed.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cd_options.h"
#include "cd_trainer.h"
#include "crc32.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "stack.h"
#include "team.h"
#include "workspace.h"

struct rgrbm__cd_dist {
  const rgrbm__cd_comm *comm;
  const char *func;
  int reporting;     /* process 0 has a progress callback */
  size_t count;      /* rows of all shards */
  size_t batch, chains, first_rows; /* the trainer's batch and chains; rows the chains start at */
  size_t words;      /* uint64 words of a packed row */
  /* size + 1 entries each: process r holds global rows [offsets[r],
   * offsets[r + 1]) and computes batch positions [pos[r], pos[r + 1]),
   * chains [chain[r], chain[r + 1]) and rows [wrow[r], wrow[r + 1]) of W */
  size_t *offsets, *pos, *chain, *wrow;
  size_t *next;      /* size: a counter per process */
  uint64_t *row_counts; /* size: the shards' row counts */
  int *counts, *displs, *recv_counts, *recv_displs; /* size each: collective arguments */
  double *pll;       /* size: the processes' PLL sums */
  uint64_t *send, *recv, *first; /* packed rows: batch, batch, first_rows */
  size_t *slots;     /* batch: the received row of each of this process's positions */
  rgrbm_dataset view, first_view; /* the received rows as datasets */
  rgrbm__workspace ws;
};

/* ---- the slices ---- */

/* bounds[0..size]: n items cut into `size` contiguous parts in units of
 * `unit` items (nearly equal numbers of units, the first parts one more),
 * so that every part but the last starts at a multiple of unit. */
static void split(size_t n, size_t unit, int size, size_t *bounds) {
  const size_t units = (n + unit - 1) / unit;
  for (int r = 0; r < size; r++) {
    size_t first, last;
    rgrbm__team_part(units, (size_t)size, (size_t)r, &first, &last);
    bounds[r] = first * unit < n ? first * unit : n;
  }
  bounds[size] = n;
}

void rgrbm__cd_dist_slices(rgrbm__cd_dist *d, rgrbm__cd_trainer *t) {
  const int r = d->comm->rank;
  /* The table kernels compute every row alone and every entry of the
   * gradient in one order: any slices give the same bits, so they are even
   * (the work of a batch splits evenly). The sgemm calls need fixed
   * shapes: the slices start at multiples of the calls' rows. */
  const size_t rows = t->tables ? 1 : RGRBM__CD_ROW_CHUNK;
  const size_t w_rows = t->tables ? 1 : RGRBM__CD_W_CHUNK;
  split(t->batch, rows, d->comm->size, d->pos);
  split(t->chains, rows, d->comm->size, d->chain);
  split(t->nv, w_rows, d->comm->size, d->wrow);
  t->pos_lo = d->pos[r];
  t->pos_hi = d->pos[r + 1];
  t->chain_lo = d->chain[r];
  t->chain_hi = d->chain[r + 1];
  t->w_lo = d->wrow[r];
  t->w_hi = d->wrow[r + 1];
  t->row_chunk = t->tables ? 0 : RGRBM__CD_ROW_CHUNK;
  t->reporting = d->reporting;
}

/* ---- setting up ---- */

/* The arrays of the process count (carve_rows == 0) or of the rows too. */
static void carve(rgrbm__cd_dist *d, rgrbm__workspace *ws, int carve_rows) {
  const size_t n = (size_t)d->comm->size;
  RGRBM__WS_TAKE(ws, d->offsets, n + 1);
  RGRBM__WS_TAKE(ws, d->pos, n + 1);
  RGRBM__WS_TAKE(ws, d->chain, n + 1);
  RGRBM__WS_TAKE(ws, d->wrow, n + 1);
  RGRBM__WS_TAKE(ws, d->next, n);
  RGRBM__WS_TAKE(ws, d->row_counts, n);
  RGRBM__WS_TAKE(ws, d->counts, n);
  RGRBM__WS_TAKE(ws, d->displs, n);
  RGRBM__WS_TAKE(ws, d->recv_counts, n);
  RGRBM__WS_TAKE(ws, d->recv_displs, n);
  RGRBM__WS_TAKE(ws, d->pll, n);
  if (!carve_rows) return;
  RGRBM__WS_TAKE(ws, d->send, d->batch * d->words);
  RGRBM__WS_TAKE(ws, d->recv, d->batch * d->words);
  RGRBM__WS_TAKE(ws, d->first, d->first_rows * d->words);
  RGRBM__WS_TAKE(ws, d->slots, d->batch);
}

/* The arrays, in a block of their own that replaces the current one (whose
 * offsets carry over); d is unchanged on failure. */
static int allocate(rgrbm__cd_dist *d, int carve_rows) {
  rgrbm__cd_dist next = *d;
  next.ws = (rgrbm__workspace)RGRBM__WORKSPACE_INIT;
  carve(&next, &next.ws, carve_rows);
  int rc = rgrbm__ws_alloc(&next.ws, 1);
  if (rc != RGRBM_OK)
    return rgrbm__fail(rc, d->func, "cannot allocate %zu bytes for the exchanges between "
                       "%d processes%s", next.ws.bytes, d->comm->size,
                       next.ws.overflow ? " (the size overflows size_t)" : "");
  carve(&next, &next.ws, carve_rows);
  if (d->offsets)
    memcpy(next.offsets, d->offsets, ((size_t)d->comm->size + 1) * sizeof *d->offsets);
  rgrbm__ws_free(&d->ws);
  *d = next;
  return RGRBM_OK;
}

static void dist_free(rgrbm__cd_dist *d) { rgrbm__ws_free(&d->ws); }

/* Collective: the shards' row counts, into d->offsets and d->count. */
static int gather_counts(rgrbm__cd_dist *d, const rgrbm_dataset *local) {
  const rgrbm__cd_comm *c = d->comm;
  uint64_t *counts = d->row_counts;
  for (int r = 0; r < c->size; r++) {
    d->counts[r] = 1;
    d->displs[r] = r;
  }
  counts[c->rank] = local->count;
  int rc = c->allgatherv(c->ctx, RGRBM__CD_WORD, counts, d->counts, d->displs);
  if (rc != RGRBM_OK) return rc;
  size_t total = 0;
  int overflow = 0;
  for (int r = 0; r < c->size; r++) {
    const size_t n = (size_t)counts[r];
    d->offsets[r] = total;
    overflow |= n > SIZE_MAX - total;
    total += n;
  }
  d->offsets[c->size] = total;
  d->count = total;
  if (overflow)
    return rgrbm__fail(RGRBM_EINVAL, d->func, "the shards' row counts add up to more "
                       "than SIZE_MAX");
  return RGRBM_OK;
}

/* Local: the arguments one process can check alone (everything that does
 * not need the global row count). */
static int check_local(rgrbm_stack *s, int layer, const rgrbm_dataset *local,
                       const rgrbm_cd_options *given, rgrbm_cd_options *o, const char *func) {
  int rc = rgrbm__cd_options_read(given, o, func, "o");
  if (rc == RGRBM_OK) rc = rgrbm__stack_check_layer(s, layer, func);
  if (rc != RGRBM_OK) return rc;
  if (local == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "local is NULL");
  if (local->dim != (size_t)s->sizes[0])
    return rgrbm__fail(RGRBM_EINVAL, func, "local dim = %zu != size(0) = %d", local->dim,
                       s->sizes[0]);
  rc = rgrbm__cd_check_options(o, func);
  return rc == RGRBM_OK ? rgrbm__cd_check_finite(s, layer, func) : rc;
}

/* The sizes every exchange moves must fit MPI's int counts. */
static int check_int_counts(const rgrbm__cd_dist *d, const rgrbm_stack *s, int layer) {
  const size_t nv = (size_t)s->sizes[layer], nh = (size_t)s->sizes[layer + 1];
  const size_t rows = d->batch > d->chains ? d->batch : d->chains;
  const size_t width = nv > nh ? nv : nh;
  const struct {
    const char *what;
    size_t a, b;
  } moved[] = {{"the batch's packed rows", d->batch, d->words},
               {"the chains' packed starting rows", d->first_rows, d->words},
               {"a batch's rows of units", rows, width},
               {"the weights", nv, nh}};
  for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++)
    if (moved[i].b != 0 && moved[i].a > (size_t)INT_MAX / moved[i].b)
      return rgrbm__fail(RGRBM_EUNSUPPORTED, d->func, "layer %d: %s (%zu x %zu elements) "
                         "exceed the %d elements one MPI call moves", layer, moved[i].what,
                         moved[i].a, moved[i].b, INT_MAX);
  return RGRBM_OK;
}

/* The batch's and the chains' sizes, as the trainer computes them, for
 * d->count rows in all of `words` words each. */
static void set_sizes(rgrbm__cd_dist *d, const rgrbm_cd_options *o, size_t words) {
  d->batch = o->batch_size < d->count ? o->batch_size : d->count;
  d->chains = o->persistent ? (o->persistent_chains ? o->persistent_chains : o->batch_size) : 0;
  d->first_rows = d->chains < d->count ? d->chains : d->count;
  d->words = words;
}

/* Those sizes, the global checks, and the buffers of the rows. */
static int setup_rows(rgrbm__cd_dist *d, const rgrbm_stack *s, int layer,
                      const rgrbm_cd_options *o, size_t dim, size_t words) {
  if (d->count == 0)
    return rgrbm__fail(RGRBM_EINVAL, d->func, "the shards hold 0 configurations in all");
  int rc = rgrbm__cd_check_sized(s, layer, dim, d->count, o, d->func);
  if (rc != RGRBM_OK) return rc;
  set_sizes(d, o, words);
  rc = check_int_counts(d, s, layer);
  return rc == RGRBM_OK ? allocate(d, 1) : rc;
}

int rgrbm__cd_dist_check_counts(const rgrbm_stack *s, int layer, const rgrbm_cd_options *o,
                                size_t count, size_t words, const char *func) {
  rgrbm__cd_dist d = {.count = count, .func = func};
  set_sizes(&d, o, words);
  return check_int_counts(&d, s, layer);
}

/* ---- the same arguments on every process ---- */

enum { INTEGER, REAL };
typedef struct field {
  const char *name;
  int kind;
  uint64_t bits;
} field;

static uint64_t real_bits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static double bits_real(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

enum { FIELDS = 17, STACK_FIELDS = 4 };

/* Every argument that decides the training, as numbers (the callback and
 * its data are process 0's alone). */
static void fields_of(int layer, const rgrbm_cd_options *o, field f[FIELDS]) {
  const field v[FIELDS] = {
      {"layer", INTEGER, (uint64_t)(int64_t)layer},
      {"o->epochs", INTEGER, (uint64_t)(int64_t)o->epochs},
      {"o->batch_size", INTEGER, o->batch_size},
      {"o->k", INTEGER, (uint64_t)(int64_t)o->k},
      {"o->persistent", INTEGER, (uint64_t)(int64_t)o->persistent},
      {"o->persistent_chains", INTEGER, o->persistent_chains},
      {"o->learning_rate", REAL, real_bits(o->learning_rate)},
      {"o->momentum_initial", REAL, real_bits(o->momentum_initial)},
      {"o->momentum_final", REAL, real_bits(o->momentum_final)},
      {"o->momentum_switch_epoch", INTEGER, (uint64_t)(int64_t)o->momentum_switch_epoch},
      {"o->l1", REAL, real_bits(o->l1)},
      {"o->l2", REAL, real_bits(o->l2)},
      {"o->mean_field_reconstruction", INTEGER, (uint64_t)(int64_t)o->mean_field_reconstruction},
      {"o->feed_up", INTEGER, (uint64_t)(int64_t)o->feed_up},
      {"o->compute_pll", INTEGER, (uint64_t)(int64_t)o->compute_pll},
      {"o->seed", INTEGER, o->seed},
      {"o->products", INTEGER, (uint64_t)(int64_t)o->products}};
  memcpy(f, v, sizeof v);
}

/* The stack as numbers: its shape, the layer's epochs and a CRC-32 of all
 * of its parameters. */
static void stack_fields(const rgrbm_stack *s, int layer, uint64_t out[STACK_FIELDS]) {
  uint32_t shape = rgrbm__crc32(0, &s->depth, sizeof s->depth);
  shape = rgrbm__crc32(shape, s->sizes, (size_t)(s->depth + 1) * sizeof *s->sizes);
  shape = rgrbm__crc32(shape, &s->units, sizeof s->units);
  uint32_t params = 0;
  for (int l = 0; l < s->depth; l++) {
    const size_t nv = (size_t)s->sizes[l], nh = (size_t)s->sizes[l + 1];
    params = rgrbm__crc32(params, s->weights[l], nv * nh * sizeof(float));
    params = rgrbm__crc32(params, s->vbias[l], nv * sizeof(float));
    params = rgrbm__crc32(params, s->hbias[l], nh * sizeof(float));
  }
  out[0] = shape;
  out[1] = (uint64_t)(int64_t)s->epochs_done[layer];
  out[2] = params;
  out[3] = 0;
}

/* where: "" or the stack driver's "per_layer[l]: ". */
static int field_differs(const field *mine, uint64_t root, const char *where,
                         const char *func) {
  if (mine->kind == REAL)
    return rgrbm__fail(RGRBM_EINVAL, func, "%s%s = %.17g differs from rank 0's %.17g: every "
                       "rank must pass the same arguments", where, mine->name,
                       bits_real(mine->bits), bits_real(root));
  return rgrbm__fail(RGRBM_EINVAL, func, "%s%s = %" PRId64 " differs from rank 0's %" PRId64
                     ": every rank must pass the same arguments", where, mine->name,
                     (int64_t)mine->bits, (int64_t)root);
}

static int stack_differs(const uint64_t mine[STACK_FIELDS], const uint64_t root[STACK_FIELDS],
                         int layer, const char *func) {
  if (mine[0] != root[0])
    return rgrbm__fail(RGRBM_EINVAL, func, "the stack's shape (depth, sizes, units) differs "
                       "from rank 0's: every rank must hold the same stack");
  if (mine[1] != root[1])
    return rgrbm__fail(RGRBM_EINVAL, func, "the stack's layer %d has %" PRId64 " epochs "
                       "done, rank 0's %" PRId64 ": every rank must hold the same stack",
                       layer, (int64_t)mine[1], (int64_t)root[1]);
  if (mine[2] != root[2])
    return rgrbm__fail(RGRBM_EINVAL, func, "the stack's parameters differ from rank 0's "
                       "(CRC-32 %08" PRIx64 ", rank 0's %08" PRIx64 "): every rank must "
                       "hold the same stack", mine[2], root[2]);
  return RGRBM_OK;
}

/* Collective: this process's arguments against process 0's (agreed), and
 * whether process 0 has a progress callback. */
static int same_as_rank0(const rgrbm__cd_comm *c, const rgrbm_stack *s, int layer,
                         const rgrbm_cd_options *o, const char *where, int *reporting,
                         const char *func) {
  field f[FIELDS];
  fields_of(layer, o, f);
  uint64_t mine[FIELDS + STACK_FIELDS], root[FIELDS + STACK_FIELDS];
  for (int i = 0; i < FIELDS; i++) mine[i] = f[i].bits;
  stack_fields(s, layer, mine + FIELDS);
  mine[FIELDS + 3] = o->progress != NULL;
  memcpy(root, mine, sizeof root);
  int rc = c->bcast(c->ctx, root, sizeof root);
  if (rc != RGRBM_OK) return rc;
  *reporting = root[FIELDS + 3] != 0;
  for (int i = 0; rc == RGRBM_OK && i < FIELDS; i++)
    if (mine[i] != root[i]) rc = field_differs(&f[i], root[i], where, func);
  if (rc == RGRBM_OK) rc = stack_differs(mine + FIELDS, root + FIELDS, layer, func);
  return c->agree(c->ctx, rc, func);
}

int rgrbm__cd_dist_check_same(const rgrbm__cd_comm *c, const rgrbm_stack *s, int layer,
                              const rgrbm_cd_options *o, int index, const char *func) {
  char where[48];
  snprintf(where, sizeof where, "per_layer[%d]: ", index);
  int reporting;
  return same_as_rank0(c, s, layer, o, where, &reporting, func);
}

int rgrbm__cd_dist_global_count(const rgrbm__cd_comm *c, const rgrbm_dataset *local,
                                size_t *count, const char *func) {
  rgrbm__cd_dist d;
  memset(&d, 0, sizeof d);
  d.comm = c;
  d.func = func;
  int rc = c->agree(c->ctx, allocate(&d, 0), func);
  if (rc == RGRBM_OK) rc = c->agree(c->ctx, gather_counts(&d, local), func);
  *count = d.count;
  dist_free(&d);
  return rc;
}

/* ---- the exchanges ---- */

/* The process whose shard holds global row g. */
static int owner_of(const rgrbm__cd_dist *d, size_t g) {
  int lo = 0, hi = d->comm->size; /* offsets[lo] <= g < offsets[hi] */
  while (hi - lo > 1) {
    int mid = lo + (hi - lo) / 2;
    if (d->offsets[mid] <= g)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

static void prefix_sums(const int *counts, int n, int *displs) {
  int sum = 0;
  for (int r = 0; r < n; r++) {
    displs[r] = sum;
    sum += counts[r];
  }
}

/* The send side of a fetch: this process's rows among positions [0, n), in
 * position order, which is the order of the processes computing them. */
static void pack_sends(rgrbm__cd_dist *d, const rgrbm_dataset *local, const size_t *idx,
                       size_t n) {
  const int me = d->comm->rank;
  const size_t mine_lo = d->offsets[me], mine_hi = d->offsets[me + 1];
  uint64_t *out = d->send;
  memset(d->counts, 0, (size_t)d->comm->size * sizeof *d->counts);
  int q = 0;
  for (size_t i = 0; i < n; i++) {
    if (idx[i] < mine_lo || idx[i] >= mine_hi) continue;
    while (d->pos[q + 1] <= i) q++;
    memcpy(out, rgrbm__dataset_row(local, idx[i] - mine_lo), d->words * sizeof *out);
    out += d->words;
    d->counts[q] += (int)d->words;
  }
  prefix_sums(d->counts, d->comm->size, d->displs);
}

/* The receive side: where the row of each of positions [lo, hi) lands. */
static void plan_receives(rgrbm__cd_dist *d, const size_t *idx, size_t lo, size_t hi) {
  const int size = d->comm->size;
  memset(d->recv_counts, 0, (size_t)size * sizeof *d->recv_counts);
  for (size_t i = lo; i < hi; i++) { /* slots hold the owners until they are known */
    d->slots[i - lo] = (size_t)owner_of(d, idx[i]);
    d->recv_counts[d->slots[i - lo]] += (int)d->words;
  }
  prefix_sums(d->recv_counts, size, d->recv_displs);
  for (int r = 0; r < size; r++) d->next[r] = (size_t)d->recv_displs[r] / d->words;
  for (size_t i = lo; i < hi; i++) d->slots[i - lo] = d->next[d->slots[i - lo]]++;
}

int rgrbm__cd_dist_fetch(rgrbm__cd_trainer *t, const size_t *idx, size_t n, size_t lo,
                         size_t hi, const rgrbm_dataset **data, const size_t **rows) {
  rgrbm__cd_dist *d = t->dist;
  const rgrbm__cd_comm *c = d->comm;
  pack_sends(d, t->data, idx, n);
  plan_receives(d, idx, lo, hi);
  int rc = c->alltoallv(c->ctx, RGRBM__CD_WORD, d->send, d->counts, d->displs, d->recv,
                        d->recv_counts, d->recv_displs);
  d->view.count = hi - lo;
  *data = &d->view;
  *rows = d->slots;
  return rc;
}

int rgrbm__cd_dist_first_rows(rgrbm__cd_trainer *t, size_t k, const rgrbm_dataset **data) {
  rgrbm__cd_dist *d = t->dist;
  const rgrbm__cd_comm *c = d->comm;
  for (int r = 0; r < c->size; r++) {
    const size_t a = d->offsets[r] < k ? d->offsets[r] : k;
    const size_t b = d->offsets[r + 1] < k ? d->offsets[r + 1] : k;
    d->counts[r] = (int)((b - a) * d->words);
    d->displs[r] = (int)(a * d->words);
  }
  const int me = c->rank;
  if (d->counts[me] > 0)
    memcpy(d->first + d->displs[me], rgrbm__dataset_row(t->data, 0),
           (size_t)d->counts[me] * sizeof *d->first);
  d->first_view.count = k;
  *data = &d->first_view;
  return c->allgatherv(c->ctx, RGRBM__CD_WORD, d->first, d->counts, d->displs);
}

/* Collective: rows [bounds[r], bounds[r + 1]) (clipped to n) of x from
 * process r to all, rows of `width` elements. */
static int gather_slices(rgrbm__cd_dist *d, rgrbm__cd_type type, void *x, const size_t *bounds,
                         size_t n, size_t width) {
  const rgrbm__cd_comm *c = d->comm;
  for (int r = 0; r < c->size; r++) {
    const size_t a = bounds[r] < n ? bounds[r] : n, b = bounds[r + 1] < n ? bounds[r + 1] : n;
    d->counts[r] = (int)((b - a) * width);
    d->displs[r] = (int)(a * width);
  }
  return c->allgatherv(c->ctx, type, x, d->counts, d->displs);
}

int rgrbm__cd_dist_gather_rows(rgrbm__cd_trainer *t, int chains, float *x, size_t width,
                               size_t n) {
  rgrbm__cd_dist *d = t->dist;
  return gather_slices(d, RGRBM__CD_FLOAT, x, chains ? d->chain : d->pos, n, width);
}

int rgrbm__cd_dist_gather_weights(rgrbm__cd_trainer *t, int *bad) {
  rgrbm__cd_dist *d = t->dist;
  int rc = gather_slices(d, RGRBM__CD_FLOAT, t->s->weights[t->layer], d->wrow, t->nv, t->nh);
  return rc == RGRBM_OK ? d->comm->any(d->comm->ctx, bad) : rc;
}

int rgrbm__cd_dist_sum_error(rgrbm__cd_trainer *t, double *sq_error) {
  rgrbm__cd_dist *d = t->dist;
  int rc = gather_slices(d, RGRBM__CD_DOUBLE, t->row_error, d->pos, t->batch, 1);
  double sum = 0.0;
  for (size_t i = 0; i < t->batch; i++) sum += t->row_error[i];
  *sq_error = sum;
  return rc;
}

int rgrbm__cd_dist_sum_pll(rgrbm__cd_trainer *t, double *sum) {
  rgrbm__cd_dist *d = t->dist;
  const rgrbm__cd_comm *c = d->comm;
  for (int r = 0; r < c->size; r++) {
    d->counts[r] = 1;
    d->displs[r] = r;
  }
  d->pll[c->rank] = *sum;
  int rc = c->allgatherv(c->ctx, RGRBM__CD_DOUBLE, d->pll, d->counts, d->displs);
  double total = 0.0;
  for (int r = 0; r < c->size; r++) total += d->pll[r];
  *sum = total;
  return rc;
}

int rgrbm__cd_dist_reports(const rgrbm__cd_trainer *t) { return t->dist->comm->rank == 0; }

int rgrbm__cd_dist_stop(rgrbm__cd_trainer *t, int *stop) {
  const rgrbm__cd_comm *c = t->dist->comm;
  return c->bcast(c->ctx, stop, sizeof *stop);
}

/* ---- the entry point ---- */

int rgrbm__cd_train_distributed(rgrbm_stack *s, int layer, const rgrbm_dataset *local,
                                const rgrbm_cd_options *given, const rgrbm__cd_comm *c,
                                const char *func) {
  rgrbm_cd_options o;
  rgrbm__cd_dist d;
  memset(&d, 0, sizeof d);
  d.comm = c;
  d.func = func;
  int rc = check_local(s, layer, local, given, &o, func);
  if (rc == RGRBM_OK) rc = allocate(&d, 0);
  rc = c->agree(c->ctx, rc, func);
  if (rc == RGRBM_OK) rc = c->agree(c->ctx, gather_counts(&d, local), func);
  if (rc == RGRBM_OK) rc = same_as_rank0(c, s, layer, &o, "", &d.reporting, func);
  if (rc == RGRBM_OK) rc = c->agree(c->ctx, setup_rows(&d, s, layer, &o, local->dim,
                                                         local->words_per_row), func);
  rgrbm__cd_trainer t;
  int started = 0;
  if (rc == RGRBM_OK) {
    d.view = (rgrbm_dataset){.dim = local->dim, .words_per_row = d.words, .bits = d.recv};
    d.first_view = (rgrbm_dataset){.dim = local->dim, .words_per_row = d.words,
                                   .bits = d.first};
    int local_rc = rgrbm__cd_trainer_init(&t, s, layer, local, d.count, &o, &d, func);
    started = local_rc == RGRBM_OK;
    rc = c->agree(c->ctx, local_rc, func);
  }
  /* From here every process meets the same outcomes: the flags that end
   * training (non-finite parameters, a stop) are exchanged. */
  if (rc == RGRBM_OK) rc = rgrbm__cd_trainer_train(&t);
  if (started) rgrbm__cd_trainer_free(&t);
  dist_free(&d);
  return rc;
}
