/* Internal: the sampler handle. One public handle covers lattice Markov
 * chains (Metropolis, heat bath, Wolff, Swendsen-Wang) and block Gibbs chains
 * over stacks; each kind supplies its operations. Never installed. */
#ifndef RGRBM_LIB_SAMPLER_H
#define RGRBM_LIB_SAMPLER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"
#include "rgrbm/sampler.h"
#include "rng.h"

typedef struct rgrbm__sampler_kind {
  const char *name;
  /* Advance every chain by sweeps sweeps (the kind documents what a sweep is). */
  int (*sweep)(rgrbm_sampler *smp, uint64_t sweeps);
  /* Append the current configuration(s), at most max of them, to out (whose
   * dim was checked); set *appended. NULL for the lattice kinds: sampler.c
   * appends smp->lattice's configuration. */
  int (*emit)(rgrbm_sampler *smp, rgrbm_dataset *out, size_t max, size_t *appended);
  void (*destroy)(rgrbm_sampler *smp);
  /* Whether the chain can run now, failing in the name of func (the public
   * entry point): a lattice's couplings may change after creation. NULL when
   * any state can run. */
  int (*check)(const rgrbm_sampler *smp, const char *func);
} rgrbm__sampler_kind;

struct rgrbm_sampler {
  const rgrbm__sampler_kind *kind;
  size_t dim;     /* spins per emitted configuration */
  int lx, ly;     /* 2D shape for emitted datasets, 0 if none */
  size_t chains;  /* configurations emitted per emit call (1 for lattices) */
  void *state;    /* the kind's own state */
  rgrbm_lattice *lattice; /* the lattice a Monte Carlo kind updates, else NULL */
  rgrbm_algorithm algorithm; /* the lattice kind's algorithm (unused without a lattice) */
};

/* Lattice kinds. Each constructor checks that its algorithm can run on the
 * lattice (whose shape and couplings rgrbm_sampler_create validated),
 * failing in the name of func, then fills smp->kind and smp->state; on
 * failure it leaves smp->state NULL and holds nothing. */
int rgrbm__local_init(rgrbm_sampler *smp, rgrbm_lattice *lat, rgrbm_algorithm alg, uint64_t seed,
                      const char *func);
int rgrbm__wolff_init(rgrbm_sampler *smp, rgrbm_lattice *lat, uint64_t seed, const char *func);
int rgrbm__swendsen_wang_init(rgrbm_sampler *smp, rgrbm_lattice *lat, uint64_t seed,
                              const char *func);

/* Bulk random bytes (lib/sampler_random.c). */

/* A pool of random bytes refilled 4 KiB at a time from (seed, stream). Past
 * its end, the pool holds the stream's next RGRBM__POOL_LOOKAHEAD bytes (the
 * next refill's first bytes), which the checkerboard kernels may read. */
#define RGRBM__POOL_BYTES 4096
#define RGRBM__POOL_LOOKAHEAD 256 /* one group of 16 Philox blocks */
typedef struct rgrbm__byte_pool {
  uint32_t key[2];
  uint64_t stream, block; /* the next Philox counter to generate */
  uint8_t *bytes;         /* POOL_BYTES + POOL_LOOKAHEAD, plus 64 readable bytes */
  size_t next;
} rgrbm__byte_pool;

int rgrbm__pool_init(rgrbm__byte_pool *p, uint64_t seed, uint64_t stream); /* or RGRBM_ENOMEM */
void rgrbm__pool_free(rgrbm__byte_pool *p);
/* Moves on by RGRBM__POOL_BYTES stream bytes: next = 0 is the old lookahead. */
void rgrbm__pool_refill(rgrbm__byte_pool *p);

/* n <= RGRBM__POOL_BYTES fresh bytes; 64 bytes from the result are readable.
 * Bytes left at the pool's end when fewer than n remain are skipped. */
static inline const uint8_t *rgrbm__pool_take(rgrbm__byte_pool *p, size_t n) {
  if (RGRBM__POOL_BYTES - p->next < n) rgrbm__pool_refill(p);
  const uint8_t *r = p->bytes + p->next;
  p->next += n;
  return r;
}

/* The checkerboard kernels read the pool in 64-byte chunks: a step's first
 * bytes at offset rgrbm__pool_chunk(p), its second bytes (when a lane
 * ties) right after them, then they add 64 or 128 to p->next. The chunk
 * after the pool's last one is the lookahead, so next may pass the end by
 * 64, which the following call carries over into the refilled pool. A pool
 * used this way takes nothing else. */
static inline size_t rgrbm__pool_chunk(rgrbm__byte_pool *p) {
  if (p->next >= RGRBM__POOL_BYTES) {
    size_t over = p->next - RGRBM__POOL_BYTES;
    rgrbm__pool_refill(p);
    p->next = over;
  }
  return p->next;
}

/* A uniform 32-bit word from the pool. */
static inline uint32_t rgrbm__pool_u32(rgrbm__byte_pool *p) {
  uint32_t w;
  memcpy(&w, rgrbm__pool_take(p, 4), 4);
  return w;
}

/* Checkerboard kernels (lib/sampler_local.c; lib/x86/local_updates_*.c).
 *
 * The flip probability q(s, n) of a spin s whose neighbours sum to n is
 * stored as T / 2^32, T = hi 2^24 + mid 2^16 + low, indexed by
 * k = (s > 0) * 9 + n + 4. The byte tables are padded to 64 entries so that
 * a kernel can load any 16-byte window (entries 9.. hold s > 0). */
enum { RGRBM__LANES = 64, RGRBM__FLIP_ENTRIES = 18 };
typedef struct rgrbm__flip_table {
  uint8_t hi[RGRBM__LANES];
  uint8_t mid[RGRBM__LANES];
  uint8_t always[RGRBM__LANES]; /* 0xFF where q = 1: flips without ties */
  uint32_t low[RGRBM__FLIP_ENTRIES]; /* up to 2^16 */
} rgrbm__flip_table;

/* What decides the flips: one pool byte a lane a step (a second 64 only
 * when a lane of the step ties), 16 bits of tie_rng a second-level tie. */
typedef struct rgrbm__flip_source {
  rgrbm__byte_pool pool;
  rgrbm__rng tie_rng;
  rgrbm__flip_table table;
} rgrbm__flip_source;

/* One part of the split layout: n sites a[j] with neighbours u[j], d[j]
 * (rows above and below) and o[j + left], o[j + left + 1] (the other part
 * of the row); left = -1 for the even part, 0 for the odd. Every array can
 * be read 64 bytes past its last site, and a[] written there (with the
 * bytes it holds). */
typedef struct rgrbm__part_view {
  int8_t *a;
  const int8_t *o, *u, *d;
  int n, left;
} rgrbm__part_view;

/* Updates the part in steps of 64 lanes, the last one masked: every kernel
 * level consumes the same bytes and decides the same flips. */
typedef void rgrbm__part_kernel(const rgrbm__part_view *v, rgrbm__flip_source *src);

/* Settles the lanes of the step at j still tied after two bytes (bits of
 * ties, lane order), using tie_rng: the shared scalar end of every kernel. */
void rgrbm__settle_ties(const rgrbm__part_view *v, int j, uint64_t ties, rgrbm__flip_source *src);

/* Copies between a row and its even and odd parts: pairs x = 2j, 2j + 1
 * (an odd row's last site is left to the caller). */
typedef void rgrbm__split_kernel(int8_t *row, int8_t *even, int8_t *odd, int pairs, int out);
/* The generic one, which the vector kernels also use for their last pairs. */
rgrbm__split_kernel rgrbm__split_row_generic;

#if RGRBM__X86_64
rgrbm__part_kernel rgrbm__update_part_avx2, rgrbm__update_part_avx512,
    rgrbm__update_part_avx512vbmi;
rgrbm__split_kernel rgrbm__split_row_avx2;
#endif
#if RGRBM__AARCH64
rgrbm__part_kernel rgrbm__update_part_neon;
rgrbm__split_kernel rgrbm__split_row_neon;
#endif

/* Spins flipped so far by a Wolff sampler (0 for other kinds): its work. */
uint64_t rgrbm__wolff_flipped(const rgrbm_sampler *smp);

#endif
