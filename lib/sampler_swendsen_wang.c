/* Swendsen-Wang multi-cluster updates (Swendsen & Wang 1987). Every bond
 * between equal spins is activated with probability 1 - e^{-2K}; the
 * clusters of active bonds are labelled by union-find and each is flipped
 * with probability 1/2. One sweep is one such update of the whole lattice.
 *
 * Union by smaller index keeps every root the smallest site of its cluster,
 * so a single pass in site order meets each root before its members and can
 * decide the flips as it goes. */
#include <string.h>

#include "alloc.h"
#include "fail.h"
#include "lattice.h"
#include "rng.h"
#include "sampler.h"
#include "sampler_cluster.h"

typedef struct sw_state {
  rgrbm__byte_pool pool; /* a word per bond, a byte per cluster */
  uint32_t *parent;      /* union-find forest over the sites */
  uint8_t *flip;         /* per root: flip its cluster */
} sw_state;

static uint32_t find_root(uint32_t *parent, uint32_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]]; /* path halving */
    i = parent[i];
  }
  return i;
}

static void join(uint32_t *parent, uint32_t a, uint32_t b) {
  a = find_root(parent, a);
  b = find_root(parent, b);
  if (a < b) parent[b] = a;
  else parent[a] = b;
}

static void try_bond(sw_state *st, const int8_t *s, size_t i, size_t j, uint32_t w,
                     uint64_t threshold) {
  if (i != j && s[i] == s[j] && w < threshold) join(st->parent, (uint32_t)i, (uint32_t)j);
}

/* Each site's bonds to the right and down, as defined in rgrbm/lattice.h;
 * two random words are consumed for every site. */
static void activate_bonds(sw_state *st, const rgrbm_lattice *lat, uint64_t threshold) {
  size_t lx = (size_t)lat->lx, ly = (size_t)lat->ly;
  int periodic = lat->boundary == RGRBM_PERIODIC, square = lat->geometry == RGRBM_SQUARE;
  for (size_t y = 0; y < ly; y++)
    for (size_t x = 0; x < lx; x++) {
      size_t i = y * lx + x;
      uint32_t w[2];
      memcpy(w, rgrbm__pool_take(&st->pool, sizeof w), sizeof w);
      if (x + 1 < lx || periodic)
        try_bond(st, lat->spins, i, y * lx + (x + 1) % lx, w[0], threshold);
      if (square && (y + 1 < ly || periodic))
        try_bond(st, lat->spins, i, ((y + 1) % ly) * lx + x, w[1], threshold);
    }
}

static void flip_clusters(sw_state *st, rgrbm_lattice *lat) {
  for (size_t i = 0; i < lat->sites; i++) {
    uint32_t r = find_root(st->parent, (uint32_t)i);
    if (r == i) st->flip[i] = *rgrbm__pool_take(&st->pool, 1) & 1u;
    if (st->flip[r]) lat->spins[i] = (int8_t)-lat->spins[i];
  }
}

static int sw_sweep(rgrbm_sampler *smp, uint64_t sweeps) {
  sw_state *st = smp->state;
  rgrbm_lattice *lat = smp->lattice;
  uint64_t threshold = rgrbm__bond_threshold(lat->K);
  for (uint64_t k = 0; k < sweeps; k++) {
    for (size_t i = 0; i < lat->sites; i++) st->parent[i] = (uint32_t)i;
    activate_bonds(st, lat, threshold);
    flip_clusters(st, lat);
  }
  return RGRBM_OK;
}

static void sw_destroy(rgrbm_sampler *smp) {
  sw_state *st = smp->state;
  if (st == NULL) return;
  rgrbm__free(st->parent);
  rgrbm__pool_free(&st->pool);
  rgrbm__free(st->flip);
  rgrbm__free(st);
  smp->state = NULL;
}

static int sw_check(const rgrbm_sampler *smp, const char *func) {
  return rgrbm__check_cluster_couplings(smp->lattice, smp->kind->name, func);
}

static const rgrbm__sampler_kind sw_kind = {"Swendsen-Wang", sw_sweep, NULL, sw_destroy,
                                            sw_check};

int rgrbm__swendsen_wang_init(rgrbm_sampler *smp, rgrbm_lattice *lat, uint64_t seed,
                              const char *func) {
  int rc = rgrbm__check_cluster_couplings(lat, sw_kind.name, func);
  if (rc != RGRBM_OK) return rc;
  sw_state *st = rgrbm__calloc(1, sizeof *st);
  smp->state = st;
  if (st != NULL) {
    st->parent = rgrbm__calloc(lat->sites, sizeof *st->parent);
    st->flip = rgrbm__calloc(lat->sites, 1);
  }
  if (st == NULL || st->parent == NULL || st->flip == NULL ||
      rgrbm__pool_init(&st->pool, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 3)) != RGRBM_OK) {
    sw_destroy(smp);
    return RGRBM_FAIL_NOMEM_IN(func, "the Swendsen-Wang cluster labels", lat->sites * 5);
  }
  smp->kind = &sw_kind;
  return RGRBM_OK;
}
