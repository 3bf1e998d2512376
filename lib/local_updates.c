/* Checkerboard single-spin updates: Metropolis and heat bath share one
 * kernel, differing only in the flip probability q(s, n) of a spin s whose
 * neighbours sum to n. One sweep updates every site once: all sites with
 * (x + y) even, then all with (x + y) odd; sites of one colour only have
 * neighbours of the other, so each half-sweep is a set of independent
 * updates that can be done in any order, and in SIMD.
 *
 * Layout: for the duration of a sweep call the spins are copied into a
 * split layout, each row as its even-x sites then its odd-x sites, each part
 * with a ghost cell at both ends. The sites of one colour in a row are then
 * one contiguous part, their up and down neighbours the same part of the
 * rows above and below, and their left and right neighbours the other part
 * shifted by at most one: every operand is a plain vector load.
 *
 * Exactness with about one random byte per update: q is stored as T / 2^32
 * with T = round(q 2^32) written in base 256 as hi, mid and 16 low bits. A
 * uniform byte b below hi flips, above it keeps; on a tie (probability
 * 1/256) a second byte is compared with mid the same way, and on a second
 * tie 16 bits from a second stream decide against the low bits. The flip
 * probability is therefore exactly T / 2^32, i.e. q to within 2^-33. The
 * moves with q = 1 (downhill Metropolis moves) are marked to flip outright,
 * which keeps them from tying at all. */
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "lattice.h"
#include "rng.h"
#include "sampler.h"

enum {
  LANES = 64, /* updates per vector step */
  TABLE = 18, /* (s > 0) * 9 + n + 4 for n in -4..4 */
  GHOST = 1   /* cells before each part */
};

typedef uint8_t vbyte __attribute__((vector_size(LANES)));
typedef int8_t vspin __attribute__((vector_size(LANES)));
typedef uint64_t vlong __attribute__((vector_size(LANES)));

/* q = T / 2^32 with T = hi 2^24 + mid 2^16 + low, decided a byte at a time
 * (the first two levels in vectors) and the last 16 bits by scalar code. */
typedef struct flip_table {
  uint8_t hi[LANES];  /* indexed like TABLE; padded to a vector for shuffles */
  uint8_t mid[LANES];
  uint8_t always[LANES]; /* 0xFF where q = 1: flips without ties */
  uint32_t low[TABLE]; /* up to 2^16 */
} flip_table;

typedef struct local_state {
  rgrbm_algorithm alg;
  rgrbm__byte_pool pool; /* one byte per update */
  rgrbm__rng tie_rng;    /* 24 bits per tie */
  int8_t *split;         /* 2 * ly parts of `stride` bytes; part 2y + p holds x = 2j + p */
  int8_t *zeros;         /* a part of zeros: the rows beyond an open edge */
  size_t stride;
  int generic; /* never the AVX-512 kernels (tests) */
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
    /* q = 1 flips outright (always); its bytes still say q = 1 exactly. */
    int one = ti >> 32 != 0;
    t->always[k] = one ? 0xFF : 0;
    t->hi[k] = one ? 255 : (uint8_t)(ti >> 24);
    t->mid[k] = one ? 255 : (uint8_t)(ti >> 16);
    t->low[k] = one ? 65536 : (uint32_t)(ti & 0xFFFFu);
  }
}

/* ---- the split layout ------------------------------------------------- */

static int8_t *part(const local_state *st, int y, int p) {
  return st->split + (size_t)(2 * y + p) * st->stride + GHOST;
}

static int part_length(int lx, int p) { return (lx + 1 - p) / 2; }

/* Copies between the lattice and the split layout, in either direction. */
static inline __attribute__((always_inline)) void split_body(local_state *st, rgrbm_lattice *lat,
                                                             int out) {
  for (int y = 0; y < lat->ly; y++) {
    int8_t *row = lat->spins + (size_t)y * (size_t)lat->lx;
    int8_t *even = part(st, y, 0), *odd = part(st, y, 1);
    int ne = part_length(lat->lx, 0), no = part_length(lat->lx, 1);
    if (out) {
      for (int j = 0; j < no; j++) {
        row[2 * j] = even[j];
        row[2 * j + 1] = odd[j];
      }
      if (ne > no) row[2 * no] = even[no];
    } else {
      for (int j = 0; j < no; j++) {
        even[j] = row[2 * j];
        odd[j] = row[2 * j + 1];
      }
      if (ne > no) even[no] = row[2 * no];
    }
  }
}

__attribute__((target(RGRBM__AVX512_BYTES)))
static void split_avx512(local_state *st, rgrbm_lattice *lat, int out) {
  split_body(st, lat, out);
}

__attribute__((target_clones("avx2", "default")))
static void split_generic(local_state *st, rgrbm_lattice *lat, int out) {
  split_body(st, lat, out);
}

static void split(local_state *st, rgrbm_lattice *lat, int out, int avx512) {
  if (avx512) split_avx512(st, lat, out);
  else split_generic(st, lat, out);
}

/* The ghosts the updates of part p read: the left neighbour of x = 0 (odd
 * part, before its start) and the right neighbour of x = lx - 1 (even part,
 * after its end, lx even). Open rows read zeros there. */
static void set_ghosts(local_state *st, const rgrbm_lattice *lat) {
  int periodic = lat->boundary == RGRBM_PERIODIC, ne = part_length(lat->lx, 0);
  int no = part_length(lat->lx, 1);
  for (int y = 0; y < lat->ly; y++) {
    int8_t *even = part(st, y, 0), *odd = part(st, y, 1);
    odd[-1] = periodic ? odd[no - 1] : 0;
    even[ne] = periodic ? even[0] : 0;
    odd[no] = 0; /* open, odd lx: no right neighbour of x = lx - 1 */
  }
}

/* ---- the kernel ------------------------------------------------------- */

/* One part: n updates of the sites a[j], whose neighbours are u[j], d[j]
 * (rows above and below) and o[j + left], o[j + left + 1] (the other part).
 * Each step takes LANES pool bytes; the last step is masked to the part
 * (parts are padded so its loads stay in bounds, and it stores the other
 * lanes back unchanged); ties are settled one by one, in lane order. */
typedef struct part_view {
  int8_t *a;
  const int8_t *o, *u, *d;
  int n, left; /* left = -1 for the even part, 0 for the odd */
} part_view;

#define LOAD(type, p) ({ type v_; memcpy(&v_, (p), sizeof v_); v_; })

/* Lanes still tied after two bytes (bytes of 0xFF in words), in lane order. */
static void settle_ties(local_state *st, int8_t *a, const uint64_t words[LANES / 8],
                        const uint8_t k[LANES], const int8_t c[LANES]) {
  for (int w = 0; w < LANES / 8; w++)
    for (uint64_t t = words[w]; t != 0;) {
      int byte = __builtin_ctzll(t) / 8, i = 8 * w + byte;
      t &= ~(UINT64_C(0xFF) << (8 * byte));
      if ((rgrbm__rng_u32(&st->tie_rng) >> 16) < st->table.low[k[i]]) a[i] = (int8_t)-c[i];
    }
}

/* Any lane set? A log-step OR across the eight 64-bit lanes. */
#define ANY(v)                                                                   \
  ({                                                                             \
    vlong a_ = (vlong)(v) | __builtin_shufflevector((vlong)(v), (vlong)(v), 4, 5, 6, 7, 0, 1, 2, 3); \
    a_ |= __builtin_shufflevector(a_, a_, 2, 3, 0, 1, 6, 7, 4, 5);                \
    a_ |= __builtin_shufflevector(a_, a_, 1, 0, 3, 2, 5, 4, 7, 6);                \
    a_[0] != 0;                                                                  \
  })

/* table[k] lane by lane (k < LANES): one vpermb on AVX-512 VBMI with GCC.
 * Clang has no variable-index vector shuffle builtin; its loop is only for
 * the fuzzing builds, where speed does not matter. */
#if defined(__clang__)
#define LOOKUP(table, k)                                                         \
  ({                                                                             \
    vbyte r_;                                                                    \
    for (int l_ = 0; l_ < LANES; l_++) r_[l_] = (table)[(k)[l_] & (LANES - 1)]; \
    r_;                                                                          \
  })
#else
#define LOOKUP(table, k) __builtin_shuffle((table), (k))
#endif

/* Vectors stay local to this function: passing them across functions would
 * tie the ABI to one instruction set. */
static inline __attribute__((always_inline)) void update_part_body(const part_view *v,
                                                                   local_state *st) {
  vbyte lane;
  for (int i = 0; i < LANES; i++) lane[i] = (uint8_t)i;
  const vbyte hi_table = LOAD(vbyte, st->table.hi), mid_table = LOAD(vbyte, st->table.mid);
  const vbyte always_table = LOAD(vbyte, st->table.always);
  for (int j = 0; j < v->n; j += LANES) {
    vbyte active = v->n - j >= LANES ? ~(vbyte){0} : (vbyte)(lane < (uint8_t)(v->n - j));
    vspin c = LOAD(vspin, v->a + j);
    vspin n = LOAD(vspin, v->o + j + v->left) + LOAD(vspin, v->o + j + v->left + 1) +
              LOAD(vspin, v->u + j) + LOAD(vspin, v->d + j);
    vbyte k = (vbyte)(n + 4) + ((vbyte)(c > 0) & 9);
    vbyte hi = LOOKUP(hi_table, k);
    vbyte b = LOAD(vbyte, rgrbm__pool_take(&st->pool, LANES));
    vbyte always = LOOKUP(always_table, k);
    vbyte flip = active & ((vbyte)(b < hi) | always), tie = active & ~always & (vbyte)(b == hi);
    if (ANY(tie)) {
      vbyte mid = LOOKUP(mid_table, k);
      b = LOAD(vbyte, rgrbm__pool_take(&st->pool, LANES));
      flip |= tie & (vbyte)(b < mid);
      tie &= (vbyte)(b == mid);
    }
    vspin nc = (c & ~(vspin)flip) | (-c & (vspin)flip);
    memcpy(v->a + j, &nc, sizeof nc);
    if (ANY(tie)) {
      uint64_t w8[LANES / 8];
      uint8_t kk[LANES];
      int8_t cc[LANES];
      memcpy(w8, &tie, sizeof w8);
      memcpy(kk, &k, sizeof kk);
      memcpy(cc, &c, sizeof cc);
      settle_ties(st, v->a + j, w8, kk, cc);
    }
  }
}

__attribute__((target(RGRBM__AVX512_BYTES)))
static void update_part_avx512(const part_view *v, local_state *st) {
  update_part_body(v, st);
}

__attribute__((target_clones("avx2", "default")))
static void update_part_generic(const part_view *v, local_state *st) {
  update_part_body(v, st);
}

/* Colour c of every row: in row y the sites with x = 2j + p, p = (y + c) % 2. */
static void half_sweep(local_state *st, const rgrbm_lattice *lat, int colour, int avx512) {
  int periodic = lat->boundary == RGRBM_PERIODIC, square = lat->geometry == RGRBM_SQUARE;
  for (int y = 0; y < lat->ly; y++) {
    int p = (y + colour) & 1, top = y == 0, bottom = y == lat->ly - 1;
    part_view v = {part(st, y, p), part(st, y, 1 - p), st->zeros, st->zeros,
                   part_length(lat->lx, p), p ? 0 : -1};
    if (square && (!top || periodic)) v.u = part(st, top ? lat->ly - 1 : y - 1, p);
    if (square && (!bottom || periodic)) v.d = part(st, bottom ? 0 : y + 1, p);
    if (avx512) update_part_avx512(&v, st);
    else update_part_generic(&v, st);
  }
}

static int local_sweep(rgrbm_sampler *smp, long sweeps) {
  local_state *st = smp->state;
  rgrbm_lattice *lat = smp->lattice;
  if (sweeps == 0) return RGRBM_OK;
  build_table(&st->table, st->alg, lat->K, lat->h);
  int avx512 = !st->generic && rgrbm__have_avx512_bytes();
  split(st, lat, 0, avx512);
  for (long i = 0; i < sweeps; i++)
    for (int colour = 0; colour < 2; colour++) {
      set_ghosts(st, lat);
      half_sweep(st, lat, colour, avx512);
    }
  split(st, lat, 1, avx512);
  return RGRBM_OK;
}

static void local_destroy(rgrbm_sampler *smp) {
  local_state *st = smp->state;
  if (st == NULL) return;
  rgrbm__pool_free(&st->pool);
  rgrbm__free(st->split);
  rgrbm__free(st->zeros);
  rgrbm__free(st);
  smp->state = NULL;
}

static const rgrbm__sampler_ops metropolis_ops = {"Metropolis", local_sweep, rgrbm__lattice_emit,
                                                  local_destroy, NULL};
static const rgrbm__sampler_ops heat_bath_ops = {"heat bath", local_sweep, rgrbm__lattice_emit,
                                                 local_destroy, NULL};

void rgrbm__sampler_force_generic(rgrbm_sampler *smp) {
  if (smp->ops != &metropolis_ops && smp->ops != &heat_bath_ops) return;
  local_state *st = smp->state;
  st->generic = st->pool.generic = 1;
}

int rgrbm__local_init(rgrbm_sampler *smp, rgrbm_lattice *lat, rgrbm_algorithm alg, uint64_t seed) {
  /* A part: the left ghost, the sites, the right ghost, and room for a
   * vector load starting at the last site. */
  size_t stride = (size_t)part_length(lat->lx, 0) + GHOST + 1 + LANES;
  size_t bytes = 2 * (size_t)lat->ly * stride;
  local_state *st = rgrbm__calloc(1, sizeof *st);
  smp->state = st;
  if (st != NULL) {
    st->split = rgrbm__calloc(bytes, 1);
    st->zeros = rgrbm__calloc(stride, 1);
  }
  if (st == NULL || st->split == NULL || st->zeros == NULL ||
      rgrbm__pool_init(&st->pool, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 0)) != RGRBM_OK) {
    local_destroy(smp);
    return RGRBM_FAIL_NOMEM("the sampler's split lattice", bytes + stride);
  }
  st->alg = alg;
  st->stride = stride;
  rgrbm__rng_init(&st->tie_rng, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 1));
  smp->ops = alg == RGRBM_METROPOLIS ? &metropolis_ops : &heat_bath_ops;
  return RGRBM_OK;
}
