/* Block Gibbs chains over a stack: alternate whole-level updates of one RBM
 * layer (v -> h -> v is one sweep); for the whole stack the chains run in the
 * top RBM and each emitted configuration is a descent from it to level 0
 * through the directed conditionals below, i.e. an exact draw from the deep
 * belief network's generative model once the top chain has mixed. */
#include <string.h>

#include "alloc.h"
#include "blas_inline.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "rng.h"
#include "sampler.h"
#include "stack.h"
#include "stack_feed.h"
#include "workspace.h"

typedef struct gibbs_state {
  const rgrbm_stack *s;
  int layer;   /* the RBM the chains run in */
  int descend; /* 1: emit level 0 reached from level `layer` */
  size_t chains;
  float *v, *h;      /* chains x size(layer), chains x size(layer + 1) */
  rgrbm__feed feed;  /* chains x widest level below `layer`, for the descent */
  rgrbm__rng *rngs;  /* one stream per chain, so results ignore thread counts */
  rgrbm__workspace ws; /* the block holding the arrays above */
} gibbs_state;

/* One half-step of `layer`'s RBM for every chain: a level given the other. */
static void sample_hidden(const gibbs_state *g, int layer, const float *v, float *h) {
  rgrbm__rbm_hidden_means(g->s, layer, v, g->chains, h);
  rgrbm__sample_units(g->s->units, h, g->chains, (size_t)g->s->sizes[layer + 1], g->rngs, h);
}

static void sample_visible(const gibbs_state *g, int layer, const float *h, float *v) {
  rgrbm__rbm_visible_means(g->s, layer, h, g->chains, v);
  rgrbm__sample_units(g->s->units, v, g->chains, (size_t)g->s->sizes[layer], g->rngs, v);
}

static int gibbs_sweep(rgrbm_sampler *smp, uint64_t sweeps) {
  gibbs_state *g = smp->state;
  for (uint64_t t = 0; t < sweeps; t++) {
    sample_hidden(g, g->layer, g->v, g->h);
    sample_visible(g, g->layer, g->h, g->v);
  }
  return RGRBM_OK;
}

static void descend_step(const void *arg, int level, int next, const float *src,
                         size_t rows, float *dst) {
  (void)level, (void)rows; /* rows: every chain */
  sample_visible(arg, next, src, dst);
}

/* Level 0 of every chain, sampled down from the top chain's visible level. */
static const float *descend(gibbs_state *g) {
  if (g->layer == 0) return g->v;
  return rgrbm__feed_run(&g->feed, g->layer, 0, g->v, g->chains, NULL, descend_step, g);
}

static int gibbs_emit(rgrbm_sampler *smp, rgrbm_dataset *out, size_t max, size_t *appended) {
  gibbs_state *g = smp->state;
  size_t n = max < g->chains ? max : g->chains;
  *appended = 0;
  if (n == 0) return RGRBM_OK;
  const float *x = g->descend ? descend(g) : g->v;
  int rc = rgrbm__dataset_append_float(out, x, n, rgrbm__units_mid(g->s->units));
  if (rc == RGRBM_OK) *appended = n;
  return rc;
}

static void gibbs_destroy(rgrbm_sampler *smp) {
  gibbs_state *g = smp->state;
  if (g == NULL) return;
  rgrbm__ws_free(&g->ws);
  rgrbm__free(g);
  smp->state = NULL;
}

/* The stack is borrowed and may change between calls (training): every
 * sweep or draw checks the layers it reads, once. */
static int gibbs_check(const rgrbm_sampler *smp, const char *func) {
  const gibbs_state *g = smp->state;
  return rgrbm__stack_check_finite(g->s, g->descend ? 0 : g->layer, g->layer, func);
}

static const rgrbm__sampler_kind gibbs_kind = {"block Gibbs", gibbs_sweep, gibbs_emit,
                                               gibbs_destroy, gibbs_check};

static int check_gibbs(const rgrbm_stack *s, int layer, size_t chains, const char *func) {
  if (s == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "s is NULL");
  if (layer < -1 || layer >= s->depth)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "layer = %d, must be -1 (the whole stack) or in 0..depth-1 = %d", layer,
                       s->depth - 1);
  if (chains == 0) return rgrbm__fail(RGRBM_EINVAL, func, "chains = 0, need at least 1");
  return RGRBM_OK;
}

/* The chains' arrays, in order (workspace.h: sizing, then carving). */
static void carve(gibbs_state *g, rgrbm__workspace *ws) {
  const int *sz = g->s->sizes;
  int overflow = 0;
  RGRBM__WS_TAKE(ws, g->v, rgrbm__mul_size(g->chains, (size_t)sz[g->layer], &overflow));
  RGRBM__WS_TAKE(ws, g->h, rgrbm__mul_size(g->chains, (size_t)sz[g->layer + 1], &overflow));
  rgrbm__feed_take(&g->feed, ws, g->chains,
                   g->descend ? rgrbm__feed_width(g->s, 0, g->layer - 1) : 0);
  RGRBM__WS_TAKE(ws, g->rngs, g->chains);
  ws->overflow |= overflow;
}

/* One block holds every array; sizes are checked for overflow so that a
 * huge chain count fails cleanly with EINVAL. */
static int alloc_state(gibbs_state *g, const char *func) {
  carve(g, &g->ws);
  int rc = rgrbm__blas_fits(g->chains) ? rgrbm__ws_alloc(&g->ws, 0) : RGRBM_EINVAL;
  if (rc == RGRBM_EINVAL)
    return rgrbm__fail(RGRBM_EINVAL, func, "chains = %zu is too many for the stack's sizes",
                       g->chains);
  if (rc != RGRBM_OK)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu chains", g->chains);
  carve(g, &g->ws);
  return RGRBM_OK;
}

/* Start every chain from independent uniform visible states. */
static void randomize(gibbs_state *g, uint64_t seed) {
  rgrbm__rng_init_rows(g->rngs, g->chains, seed, RGRBM__STREAM(RGRBM__STREAM_GIBBS, 0));
  size_t count = g->chains * (size_t)g->s->sizes[g->layer];
  float uniform_mean = rgrbm__units_mid(g->s->units);
  for (size_t i = 0; i < count; i++) g->v[i] = uniform_mean;
  rgrbm__sample_units(g->s->units, g->v, g->chains, (size_t)g->s->sizes[g->layer], g->rngs, g->v);
}

int rgrbm_sampler_create_gibbs(rgrbm_sampler **out, const rgrbm_stack *s, int layer, size_t chains,
                               uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  int rc = check_gibbs(s, layer, chains, __func__);
  if (rc != RGRBM_OK) return rc;
  rgrbm_sampler *smp = rgrbm__calloc(1, sizeof *smp);
  gibbs_state *g = rgrbm__calloc(1, sizeof *g);
  if (smp == NULL || g == NULL) {
    rgrbm__free(smp);
    rgrbm__free(g);
    return RGRBM_FAIL_NOMEM("the sampler", sizeof *smp + sizeof *g);
  }
  g->s = s;
  g->descend = layer < 0;
  g->layer = layer < 0 ? s->depth - 1 : layer;
  g->chains = chains;
  smp->kind = &gibbs_kind;
  smp->state = g;
  smp->chains = chains;
  smp->dim = (size_t)s->sizes[g->descend ? 0 : g->layer];
  rc = alloc_state(g, __func__);
  if (rc != RGRBM_OK) {
    rgrbm_sampler_destroy(smp);
    return rc;
  }
  randomize(g, seed);
  *out = smp;
  return RGRBM_OK;
}
