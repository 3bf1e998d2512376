/* Wolff single-cluster updates (Wolff 1989). A cluster grows from a uniform
 * random seed site through bonds to equal neighbours, each taken with
 * probability 1 - e^{-2K}, and is flipped as it grows (so "already in the
 * cluster" is "no longer equal to the seed's old spin").
 *
 * One sweep is one cluster. (Growing clusters until about N spins have
 * flipped would make the stopping time depend on the cluster sizes, and a
 * configuration observed at such a time is biased toward having just flipped
 * a large cluster.) The work of a sweep is the cluster size, on average
 * N <m^2> spins; rgrbm__wolff_flipped() counts it. */
#include "alloc.h"
#include "fail.h"
#include "lattice.h"
#include "rng.h"
#include "sampler.h"
#include "sampler_cluster.h"

typedef struct wolff_state {
  rgrbm__rng rng;          /* seed sites */
  rgrbm__byte_pool pool;   /* one word per bond tried */
  uint32_t *stack;         /* sites added but not yet grown from, as x | y << 16 */
  uint64_t flipped;        /* all spins flipped so far, for measurements of work */
} wolff_state;

/* Sites are packed as x | y << 16 (sides are at most 65536), so moving to a
 * neighbour needs no division. Periodic sides of 1 give a site itself as
 * neighbour, a self-bond that never changes and is skipped; sides of 2 give
 * one neighbour twice, two bonds, each tried. */
static int neighbours(const rgrbm_lattice *lat, uint32_t site, uint32_t nb[4]) {
  uint32_t x = site & 0xFFFFu, y = site >> 16, lx = (uint32_t)lat->lx, ly = (uint32_t)lat->ly;
  int periodic = lat->boundary == RGRBM_PERIODIC, k = 0;
  if (x > 0 || periodic) nb[k++] = (x > 0 ? x - 1 : lx - 1) | y << 16;
  if (x + 1 < lx || periodic) nb[k++] = (x + 1 < lx ? x + 1 : 0) | y << 16;
  if (lat->geometry == RGRBM_SQUARE) {
    if (y > 0 || periodic) nb[k++] = x | (y > 0 ? y - 1 : ly - 1) << 16;
    if (y + 1 < ly || periodic) nb[k++] = x | (y + 1 < ly ? y + 1 : 0) << 16;
  }
  if (lx > 1 && ly > 1) return k;
  int kept = 0;
  for (int j = 0; j < k; j++)
    if (nb[j] != site) nb[kept++] = nb[j];
  return kept;
}

static size_t grow_cluster(wolff_state *st, rgrbm_lattice *lat, uint64_t threshold) {
  int8_t *s = lat->spins;
  size_t lx = (size_t)lat->lx, seed = (size_t)rgrbm__rng_below(&st->rng, lat->sites), top = 0;
  size_t size = 1;
  int8_t old = s[seed];
  s[seed] = (int8_t)-old;
  st->stack[top++] = (uint32_t)(seed % lx) | (uint32_t)(seed / lx) << 16;
  while (top > 0) {
    uint32_t nb[4];
    int k = neighbours(lat, st->stack[--top], nb);
    for (int j = 0; j < k; j++) {
      size_t i = (nb[j] >> 16) * lx + (nb[j] & 0xFFFFu);
      if (s[i] != old || rgrbm__pool_u32(&st->pool) >= threshold) continue;
      s[i] = (int8_t)-old;
      st->stack[top++] = nb[j];
      size++;
    }
  }
  return size;
}

static int wolff_sweep(rgrbm_sampler *smp, uint64_t sweeps) {
  wolff_state *st = smp->state;
  rgrbm_lattice *lat = smp->lattice;
  uint64_t threshold = rgrbm__bond_threshold(lat->K);
  for (uint64_t i = 0; i < sweeps; i++) st->flipped += grow_cluster(st, lat, threshold);
  return RGRBM_OK;
}

static void wolff_destroy(rgrbm_sampler *smp) {
  wolff_state *st = smp->state;
  if (st == NULL) return;
  rgrbm__free(st->stack);
  rgrbm__pool_free(&st->pool);
  rgrbm__free(st);
  smp->state = NULL;
}

static int wolff_check(const rgrbm_sampler *smp, const char *func) {
  return rgrbm__check_cluster_couplings(smp->lattice, smp->kind->name, func);
}

static const rgrbm__sampler_kind wolff_kind = {"Wolff", wolff_sweep, NULL, wolff_destroy,
                                               wolff_check};

uint64_t rgrbm__wolff_flipped(const rgrbm_sampler *smp) {
  return smp->kind == &wolff_kind ? ((const wolff_state *)smp->state)->flipped : 0;
}

int rgrbm__wolff_init(rgrbm_sampler *smp, rgrbm_lattice *lat, uint64_t seed, const char *func) {
  int rc = rgrbm__check_cluster_couplings(lat, wolff_kind.name, func);
  if (rc != RGRBM_OK) return rc;
  wolff_state *st = rgrbm__calloc(1, sizeof *st);
  smp->state = st;
  if (st != NULL) st->stack = rgrbm__calloc(lat->sites, sizeof *st->stack);
  if (st == NULL || st->stack == NULL ||
      rgrbm__pool_init(&st->pool, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 4)) != RGRBM_OK) {
    wolff_destroy(smp);
    return RGRBM_FAIL_NOMEM_IN(func, "the Wolff cluster stack", lat->sites * sizeof(uint32_t));
  }
  rgrbm__rng_init(&st->rng, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 2));
  smp->kind = &wolff_kind;
  return RGRBM_OK;
}
