/* Checkerboard single-spin updates: Metropolis and heat bath share one
 * kernel, differing only in the flip probability q(s, n) of a spin s whose
 * neighbours sum to n. One sweep updates every site once: all sites with
 * (x + y) even, then all with (x + y) odd; sites of one colour only have
 * neighbours of the other, so each half-sweep is a set of independent
 * updates that can be done in any order, and in SIMD.
 *
 * Exactness with one random byte per site: q is stored as T / 2^32 with
 * T = round(q 2^32) split into a high byte and 24 low bits (q = 1 as
 * 255 and 2^24). A uniform byte b below the high byte flips, above it keeps;
 * on a tie (probability 1/256) 24 more bits from a second stream decide. The
 * flip probability is therefore exactly T / 2^32, i.e. q to within 2^-33,
 * while the vector loop consumes one byte per update. */
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "lattice.h"
#include "rng.h"
#include "sampler.h"

enum {
  LANES = 64, /* sites per vector step; half of them are updated */
  TABLE = 18  /* (s > 0) * 9 + n + 4 for n in -4..4 */
};

typedef uint8_t vbyte __attribute__((vector_size(LANES)));
typedef int8_t vspin __attribute__((vector_size(LANES)));
typedef uint64_t vlong __attribute__((vector_size(LANES)));

typedef struct flip_table {
  uint8_t hi[LANES]; /* indexed like TABLE; padded to a vector for shuffles */
  uint32_t lo[TABLE];
} flip_table;

typedef struct local_state {
  rgrbm_algorithm alg;
  rgrbm__byte_pool pool; /* one byte per update */
  rgrbm__rng tie_rng; /* 24 bits per tie */
  int8_t *zeros;      /* the neighbours of a row at an open edge */
  flip_table table;
} local_state;

/* ---- flip probabilities ----------------------------------------------- */

/* q(s, n): the probability that spin s flips; x = s (K n + h), so flipping
 * changes beta*H by 2x. */
static double flip_probability(rgrbm_algorithm alg, double x) {
  if (alg == RGRBM_METROPOLIS) return x <= 0.0 ? 1.0 : exp(-2.0 * x);
  return 1.0 / (1.0 + exp(2.0 * x)); /* heat bath: P(new = -s) */
}

static void build_table(flip_table *t, rgrbm_algorithm alg, double K, double h) {
  memset(t, 0, sizeof *t);
  for (int k = 0; k < TABLE; k++) {
    double s = k >= 9 ? 1.0 : -1.0, n = (double)(k % 9 - 4);
    double T = ldexp(flip_probability(alg, s * (K * n + h)), 32);
    uint64_t ti = T >= 4294967295.5 ? UINT64_C(1) << 32 : (uint64_t)llround(T);
    /* q = 1 cannot be a byte below 256: 255 plus ties that always flip. */
    t->hi[k] = ti >> 32 ? 255 : (uint8_t)(ti >> 24);
    t->lo[k] = (uint32_t)(ti - ((uint64_t)t->hi[k] << 24));
  }
}

static int table_index(int s, int n) { return (s > 0) * 9 + n + 4; }

/* The new spin, given the byte b drawn for it. */
static int8_t decide(const flip_table *t, rgrbm__rng *tie_rng, int8_t s, int n, uint8_t b) {
  int k = table_index(s, n);
  if (b != t->hi[k]) return b < t->hi[k] ? (int8_t)-s : s;
  return (rgrbm__rng_u32(tie_rng) >> 8) < t->lo[k] ? (int8_t)-s : s;
}

/* ---- rows ------------------------------------------------------------- */

typedef struct row_view {
  int8_t *row;
  const int8_t *up, *down; /* rows above and below (zeros at open edges) */
  int lx, periodic;
} row_view;

static int left_of(const row_view *v, int x) {
  return x > 0 ? v->row[x - 1] : v->periodic ? v->row[v->lx - 1] : 0;
}
static int right_of(const row_view *v, int x) {
  return x + 1 < v->lx ? v->row[x + 1] : v->periodic ? v->row[0] : 0;
}

static void update_site(const row_view *v, local_state *st, int x) {
  int n = left_of(v, x) + right_of(v, x) + v->up[x] + v->down[x];
  v->row[x] = decide(&st->table, &st->tie_rng, v->row[x], n, *rgrbm__pool_take(&st->pool, 1));
}

#define LOAD(type, p) ({ type v_; memcpy(&v_, (p), sizeof v_); v_; })

/* The tied lanes (bytes of 0xFF in words), settled one by one in lane order. */
static void settle_ties(const row_view *v, local_state *st, int x, const uint64_t words[LANES / 8],
                        const uint8_t k[LANES], const int8_t c[LANES]) {
  for (int w = 0; w < LANES / 8; w++)
    for (uint64_t t = words[w]; t != 0;) {
      int byte = __builtin_ctzll(t) / 8, i = 8 * w + byte;
      t &= ~(UINT64_C(0xFF) << (8 * byte));
      if ((rgrbm__rng_u32(&st->tie_rng) >> 8) < st->table.lo[k[i]]) v->row[x + i] = (int8_t)-c[i];
    }
}

/* Sites x = 1 .. lx - 2 of the colour whose lanes have i % 2 == odd (the
 * same for every step since LANES is even), LANES sites a step; the last
 * step is masked to the row (the lattice and the zero row are padded so its
 * loads stay in bounds, and it stores other lanes back unchanged). Each step
 * takes LANES / 2 pool bytes, one per updated lane. Vectors stay local to
 * this function: passing them across functions would tie the ABI to one
 * instruction set. */
static inline __attribute__((always_inline)) void update_interior_body(const row_view *v,
                                                                       local_state *st, int odd) {
  vbyte lane, spread;
  for (int i = 0; i < LANES; i++) {
    lane[i] = (uint8_t)i;
    spread[i] = (uint8_t)(i / 2);
  }
  const vbyte colour = (vbyte)((lane & 1) == (uint8_t)odd);
  const vbyte hi_table = LOAD(vbyte, st->table.hi);
  for (int x = 1; x < v->lx - 1; x += LANES) {
    int inside = v->lx - 1 - x; /* lanes before the last site */
    vbyte active = inside >= LANES ? colour : colour & (vbyte)(lane < (uint8_t)inside);
    vspin c = LOAD(vspin, v->row + x);
    vspin n = LOAD(vspin, v->row + x - 1) + LOAD(vspin, v->row + x + 1) + LOAD(vspin, v->up + x) +
              LOAD(vspin, v->down + x);
    vbyte k = (vbyte)(n + 4) + ((vbyte)(c > 0) & 9);
    vbyte hi = __builtin_shuffle(hi_table, k);
    vbyte b = __builtin_shuffle(LOAD(vbyte, rgrbm__pool_take(&st->pool, LANES / 2)), spread);
    vbyte flip = active & (vbyte)(b < hi), tie = active & (vbyte)(b == hi);
    vspin nc = (c & ~(vspin)flip) | (-c & (vspin)flip);
    memcpy(v->row + x, &nc, sizeof nc);
    vlong words = (vlong)tie;
    uint64_t any = 0;
    for (int w = 0; w < LANES / 8; w++) any |= words[w];
    if (any != 0) {
      uint64_t w8[LANES / 8];
      uint8_t kk[LANES];
      int8_t cc[LANES];
      memcpy(w8, &words, sizeof w8);
      memcpy(kk, &k, sizeof kk);
      memcpy(cc, &c, sizeof cc);
      settle_ties(v, st, x, w8, kk, cc);
    }
  }
}

__attribute__((target(RGRBM__AVX512_BYTES)))
static void update_interior_avx512(const row_view *v, local_state *st, int odd) {
  update_interior_body(v, st, odd);
}

__attribute__((target_clones("avx2", "default")))
static void update_interior_generic(const row_view *v, local_state *st, int odd) {
  update_interior_body(v, st, odd);
}

static void update_interior(const row_view *v, local_state *st, int odd) {
  if (rgrbm__have_avx512_bytes()) update_interior_avx512(v, st, odd);
  else update_interior_generic(v, st, odd);
}

/* The sites of one colour in a row: x0 (0 or 1), then every second site. */
static void update_row(const row_view *v, local_state *st, int x0) {
  if (x0 == 0) update_site(v, st, 0);
  update_interior(v, st, (x0 + 1) & 1); /* lane i is site 1 + i */
  if (v->lx > 1 && (v->lx - 1 - x0) % 2 == 0) update_site(v, st, v->lx - 1);
}

static void half_sweep(local_state *st, rgrbm_lattice *lat, int colour) {
  size_t lx = (size_t)lat->lx;
  int periodic = lat->boundary == RGRBM_PERIODIC, square = lat->geometry == RGRBM_SQUARE;
  for (int y = 0; y < lat->ly; y++) {
    int8_t *row = lat->spins + (size_t)y * lx;
    int top = y == 0, bottom = y == lat->ly - 1;
    row_view v = {row, st->zeros, st->zeros, lat->lx, periodic};
    if (square && (!top || periodic)) v.up = top ? row + (lat->sites - lx) : row - lx;
    if (square && (!bottom || periodic)) v.down = bottom ? lat->spins : row + lx;
    update_row(&v, st, (y + colour) & 1);
  }
}

static int local_sweep(rgrbm_sampler *smp, long sweeps) {
  local_state *st = smp->state;
  rgrbm_lattice *lat = smp->lattice;
  build_table(&st->table, st->alg, lat->K, lat->h);
  for (long i = 0; i < sweeps; i++) {
    half_sweep(st, lat, 0);
    half_sweep(st, lat, 1);
  }
  return RGRBM_OK;
}

static void local_destroy(rgrbm_sampler *smp) {
  local_state *st = smp->state;
  if (st == NULL) return;
  rgrbm__pool_free(&st->pool);
  rgrbm__free(st->zeros);
  rgrbm__free(st);
  smp->state = NULL;
}

static const rgrbm__sampler_ops metropolis_ops = {"Metropolis", local_sweep, rgrbm__lattice_emit,
                                                  local_destroy};
static const rgrbm__sampler_ops heat_bath_ops = {"heat bath", local_sweep, rgrbm__lattice_emit,
                                                 local_destroy};

int rgrbm__local_init(rgrbm_sampler *smp, rgrbm_lattice *lat, rgrbm_algorithm alg, uint64_t seed) {
  /* Vector loads of the zero row read up to a vector past the row's end. */
  size_t pad = (size_t)lat->lx + 2 * LANES;
  local_state *st = rgrbm__calloc(1, sizeof *st);
  smp->state = st;
  if (st != NULL) st->zeros = rgrbm__calloc(pad, 1);
  if (st == NULL || st->zeros == NULL ||
      rgrbm__pool_init(&st->pool, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 0)) != RGRBM_OK) {
    local_destroy(smp);
    return RGRBM_FAIL_NOMEM("the sampler's buffers", pad + RGRBM__POOL_BYTES);
  }
  st->alg = alg;
  rgrbm__rng_init(&st->tie_rng, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 1));
  smp->ops = alg == RGRBM_METROPOLIS ? &metropolis_ops : &heat_bath_ops;
  return RGRBM_OK;
}
