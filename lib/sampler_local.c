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
 * which keeps them from tying at all.
 *
 * Kernels: a part is updated in steps of 64 sites, each reading 64 pool
 * bytes (one per site, in site order) and 64 more only when a site of the
 * step ties; second ties are settled in site order. This file's generic C
 * step is the reference; lib/x86/local_updates_*.c and lib/arm/ compute the
 * same step with vectors (same bytes, same flips), chosen once per sweep
 * call by rgrbm__cpu_isa(). */
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "cpu.h"
#include "fail.h"
#include "lattice.h"
#include "rng.h"
#include "sampler.h"

enum {
  LANES = RGRBM__LANES, /* updates per step */
  GHOST = 1             /* cells before each part */
};

typedef struct local_state {
  rgrbm_algorithm alg;
  rgrbm__flip_source src; /* the table and the random bits */
  int8_t *split;          /* 2 * ly parts of `stride` bytes; part 2y + p holds x = 2j + p */
  int8_t *zeros;          /* a part of zeros: the rows beyond an open edge */
  size_t stride;
} local_state;

/* ---- flip probabilities ----------------------------------------------- */

/* q(s, n): the probability that spin s flips; x = s (K n + h), so flipping
 * changes beta*H by 2x. */
static double flip_probability(rgrbm_algorithm alg, double x) {
  if (alg == RGRBM_METROPOLIS) return x <= 0.0 ? 1.0 : exp(-2.0 * x);
  return 1.0 / (1.0 + exp(2.0 * x)); /* heat bath: P(new = -s) */
}

static void build_table(rgrbm__flip_table *t, rgrbm_algorithm alg, double K, double h) {
  memset(t, 0, sizeof *t);
  for (int k = 0; k < RGRBM__FLIP_ENTRIES; k++) {
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

void rgrbm__split_row_generic(int8_t *row, int8_t *even, int8_t *odd, int pairs, int out) {
  for (int j = 0; j < pairs; j++) {
    if (out) {
      row[2 * j] = even[j];
      row[2 * j + 1] = odd[j];
    } else {
      even[j] = row[2 * j];
      odd[j] = row[2 * j + 1];
    }
  }
}

/* Copies between the lattice and the split layout, in either direction. */
static void split(local_state *st, rgrbm_lattice *lat, int out, rgrbm__split_kernel *split_row) {
  int pairs = lat->lx / 2;
  for (int y = 0; y < lat->ly; y++) {
    int8_t *row = lat->spins + (size_t)y * (size_t)lat->lx;
    int8_t *even = part(st, y, 0), *odd = part(st, y, 1);
    split_row(row, even, odd, pairs, out);
    if (lat->lx % 2 == 0) continue;
    if (out) row[2 * pairs] = even[pairs];
    else even[pairs] = row[2 * pairs];
  }
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

/* ---- the generic kernel: the reference every vector kernel matches ---- */

static int flip_index(const rgrbm__part_view *v, int i) {
  int n = v->o[i + v->left] + v->o[i + v->left + 1] + v->u[i] + v->d[i];
  return (v->a[i] > 0) * 9 + n + 4;
}

void rgrbm__settle_ties(const rgrbm__part_view *v, int j, uint64_t ties, rgrbm__flip_source *src) {
  for (; ties != 0; ties &= ties - 1) {
    int i = j + __builtin_ctzll(ties);
    /* A tied lane has not flipped: a[i] is still the spin the index needs. */
    uint32_t low = src->table.low[flip_index(v, i)];
    if ((rgrbm__rng_u32(&src->tie_rng) >> 16) < low) v->a[i] = (int8_t)-v->a[i];
  }
}

/* Lanes l < lanes of the step at j: the first byte decides, or ties. */
static uint64_t first_byte(const rgrbm__part_view *v, int j, int lanes, const uint8_t *b,
                           const rgrbm__flip_table *t, uint8_t k[LANES]) {
  uint64_t ties = 0;
  for (int l = 0; l < lanes; l++) {
    k[l] = (uint8_t)flip_index(v, j + l);
    int hi = t->hi[k[l]], always = t->always[k[l]] != 0;
    int flip = always | (b[l] < hi);
    v->a[j + l] = (int8_t)(flip ? -v->a[j + l] : v->a[j + l]);
    ties |= (uint64_t)(!always & (b[l] == hi)) << l;
  }
  return ties;
}

/* The tied lanes against the second byte; returns those tied again. */
static uint64_t second_byte(const rgrbm__part_view *v, int j, uint64_t ties, const uint8_t *b,
                            const rgrbm__flip_table *t, const uint8_t k[LANES]) {
  uint64_t again = 0;
  for (; ties != 0; ties &= ties - 1) {
    int l = __builtin_ctzll(ties), mid = t->mid[k[l]];
    if (b[l] < mid) v->a[j + l] = (int8_t)-v->a[j + l];
    again |= (uint64_t)(b[l] == mid) << l;
  }
  return again;
}

static void update_part_generic(const rgrbm__part_view *v, rgrbm__flip_source *src) {
  for (int j = 0; j < v->n; j += LANES) {
    int lanes = v->n - j < LANES ? v->n - j : LANES;
    const uint8_t *b = src->pool.bytes + rgrbm__pool_chunk(&src->pool);
    uint8_t k[LANES];
    uint64_t ties = first_byte(v, j, lanes, b, &src->table, k);
    src->pool.next += ties != 0 ? 2 * LANES : LANES;
    if (ties == 0) continue;
    ties = second_byte(v, j, ties, b + LANES, &src->table, k);
    rgrbm__settle_ties(v, j, ties, src);
  }
}

/* ---- sweeps ------------------------------------------------------------ */

typedef struct kernels {
  rgrbm__part_kernel *update_part;
  rgrbm__split_kernel *split_row;
} kernels;

static kernels pick_kernels(void) {
  switch (rgrbm__cpu_isa()) {
#if RGRBM__X86_64
    case RGRBM__ISA_AVX512VBMI:
      return (kernels){rgrbm__update_part_avx512vbmi, rgrbm__split_row_avx2};
    case RGRBM__ISA_AVX512: return (kernels){rgrbm__update_part_avx512, rgrbm__split_row_avx2};
    case RGRBM__ISA_AVX2: return (kernels){rgrbm__update_part_avx2, rgrbm__split_row_avx2};
#endif
#if RGRBM__AARCH64
    case RGRBM__ISA_NEON: return (kernels){rgrbm__update_part_neon, rgrbm__split_row_neon};
#endif
    default: return (kernels){update_part_generic, rgrbm__split_row_generic};
  }
}

/* Colour c of every row: in row y the sites with x = 2j + p, p = (y + c) % 2. */
static void half_sweep(local_state *st, const rgrbm_lattice *lat, int colour,
                       rgrbm__part_kernel *update_part) {
  int periodic = lat->boundary == RGRBM_PERIODIC, square = lat->geometry == RGRBM_SQUARE;
  for (int y = 0; y < lat->ly; y++) {
    int p = (y + colour) & 1, top = y == 0, bottom = y == lat->ly - 1;
    rgrbm__part_view v = {part(st, y, p), part(st, y, 1 - p), st->zeros, st->zeros,
                          part_length(lat->lx, p), p ? 0 : -1};
    if (square && (!top || periodic)) v.u = part(st, top ? lat->ly - 1 : y - 1, p);
    if (square && (!bottom || periodic)) v.d = part(st, bottom ? 0 : y + 1, p);
    update_part(&v, &st->src);
  }
}

static int local_sweep(rgrbm_sampler *smp, uint64_t sweeps) {
  local_state *st = smp->state;
  rgrbm_lattice *lat = smp->lattice;
  if (sweeps == 0) return RGRBM_OK;
  build_table(&st->src.table, st->alg, lat->K, lat->h);
  kernels kern = pick_kernels();
  split(st, lat, 0, kern.split_row);
  for (uint64_t i = 0; i < sweeps; i++)
    for (int colour = 0; colour < 2; colour++) {
      set_ghosts(st, lat);
      half_sweep(st, lat, colour, kern.update_part);
    }
  split(st, lat, 1, kern.split_row);
  return RGRBM_OK;
}

static void local_destroy(rgrbm_sampler *smp) {
  local_state *st = smp->state;
  if (st == NULL) return;
  rgrbm__pool_free(&st->src.pool);
  rgrbm__free(st->split);
  rgrbm__free(st->zeros);
  rgrbm__free(st);
  smp->state = NULL;
}

static const rgrbm__sampler_kind metropolis_kind = {"Metropolis", local_sweep, NULL,
                                                    local_destroy, NULL};
static const rgrbm__sampler_kind heat_bath_kind = {"heat bath", local_sweep, NULL, local_destroy,
                                                   NULL};

/* The checkerboard needs a bipartite lattice: periodic sides must be even. */
static int check_checkerboard(const rgrbm_lattice *lat, const char *algorithm, const char *func) {
  if (lat->boundary != RGRBM_PERIODIC) return RGRBM_OK;
  if (lat->lx % 2 != 0)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "lattice lx = %d is odd: %s checkerboard updates of a periodic lattice "
                       "need even sides (use RGRBM_OPEN or a cluster algorithm)",
                       lat->lx, algorithm);
  if (lat->geometry == RGRBM_SQUARE && lat->ly % 2 != 0)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "lattice ly = %d is odd: %s checkerboard updates of a periodic lattice "
                       "need even sides (use RGRBM_OPEN or a cluster algorithm)",
                       lat->ly, algorithm);
  return RGRBM_OK;
}

int rgrbm__local_init(rgrbm_sampler *smp, rgrbm_lattice *lat, rgrbm_algorithm alg, uint64_t seed,
                      const char *func) {
  const rgrbm__sampler_kind *kind = alg == RGRBM_METROPOLIS ? &metropolis_kind : &heat_bath_kind;
  int rc = check_checkerboard(lat, kind->name, func);
  if (rc != RGRBM_OK) return rc;
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
      rgrbm__pool_init(&st->src.pool, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 0)) !=
          RGRBM_OK) {
    local_destroy(smp);
    return RGRBM_FAIL_NOMEM_IN(func, "the sampler's split lattice", bytes + stride);
  }
  st->alg = alg;
  st->stride = stride;
  rgrbm__rng_init(&st->src.tie_rng, seed, RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 1));
  smp->kind = kind;
  return RGRBM_OK;
}
