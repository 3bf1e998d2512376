/* RG plans that gather: decimation and block-spin plans precompute, for
 * every coarse spin, the fine spins it reads (the handle's index map), so
 * that applying a plan is a gather over packed rows. Coarse spin j takes the
 * majority of its members (a single member is copied). */
#include <string.h>

#include "dataset.h"
#include "fail.h"
#include "rg.h"

enum { WORD_BITS = 64 };

/* Block-spin plans keep their rule (decimation has none to keep). */
typedef struct block_state {
  rgrbm_block_rule rule;
} block_state;

static int gather_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                        const char *func);

static int block_mcrg_level(const rgrbm_rg *rg, int n, rgrbm_rg **plan, int *reads,
                            const char *func);

static const rgrbm__rg_kind decimation1d_kind = {.apply = gather_apply};
static const rgrbm__rg_kind block2d_kind = {.apply = gather_apply,
                                            .mcrg_level = block_mcrg_level};

int rgrbm_rg_create_decimation1d(rgrbm_rg **out, int n_sites, int b) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  if (b < 2)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "b = %d, a block needs at least 2 sites", b);
  if (n_sites < b || n_sites % b != 0)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "n_sites = %d is not a positive multiple of b = %d",
                       n_sites, b);
  rgrbm_rg *rg = NULL;
  int rc = rgrbm__rg_alloc(&rg, &decimation1d_kind, (size_t)(n_sites / b), 0, 1, __func__);
  if (rc != RGRBM_OK) return rc;
  rg->in_dim = (size_t)n_sites;
  rg->in_lx = n_sites;
  rg->in_ly = 1;
  rg->out_lx = n_sites / b;
  rg->out_ly = 1;
  rg->b = b;
  for (size_t j = 0; j < rg->out_dim; j++) rg->map[j] = (uint32_t)(j * (size_t)b);
  *out = rg;
  return RGRBM_OK;
}

static int check_block2d(int lx, int ly, int b, rgrbm_block_rule rule, const char *func) {
  if (b < 2) return rgrbm__fail(RGRBM_EINVAL, func, "b = %d, a block needs b >= 2", b);
  if (lx < 1 || ly < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx = %d, ly = %d, both must be at least 1", lx, ly);
  if (lx % b != 0) return rgrbm__fail(RGRBM_EINVAL, func, "b = %d does not divide lx = %d", b, lx);
  if (ly % b != 0) return rgrbm__fail(RGRBM_EINVAL, func, "b = %d does not divide ly = %d", b, ly);
  if ((uint64_t)lx * (uint64_t)ly > UINT32_MAX)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx * ly = %d * %d exceeds 2^32 - 1 sites", lx, ly);
  if (rule != RGRBM_BLOCK_MAJORITY && rule != RGRBM_BLOCK_DECIMATE)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "rule = %d is neither RGRBM_BLOCK_MAJORITY nor RGRBM_BLOCK_DECIMATE",
                       (int)rule);
  return RGRBM_OK;
}

/* The work of rgrbm_rg_create_block2d, failing in the name of func. */
static int make_block2d(rgrbm_rg **out, int lx, int ly, int b, rgrbm_block_rule rule,
                        uint64_t seed, const char *func) {
  int rc = check_block2d(lx, ly, b, rule, func);
  if (rc != RGRBM_OK) return rc;
  const int cx = lx / b, cy = ly / b;
  size_t members = rule == RGRBM_BLOCK_MAJORITY ? (size_t)b * (size_t)b : 1;
  rgrbm_rg *rg = NULL;
  rc = rgrbm__rg_alloc(&rg, &block2d_kind, (size_t)cx * (size_t)cy, sizeof(block_state), members,
                       func);
  if (rc != RGRBM_OK) return rc;
  rgrbm__rg_set_blocks(rg, lx, ly, b);
  rg->seed = seed;
  ((block_state *)rg->state)->rule = rule;
  uint32_t *m = rg->map;
  for (int y = 0; y < cy; y++)
    for (int x = 0; x < cx; x++)
      for (size_t k = 0; k < members; k++) {
        size_t fx = (size_t)x * b + k % b, fy = (size_t)y * b + k / b;
        *m++ = (uint32_t)(fy * (size_t)lx + fx);
      }
  *out = rg;
  return RGRBM_OK;
}

int rgrbm_rg_create_block2d(rgrbm_rg **out, int lx, int ly, int b, rgrbm_block_rule rule,
                            uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  return make_block2d(out, lx, ly, b, rule, seed, __func__);
}

/* Level n blocks level n - 1 by the same rule; its coins are keyed by
 * seed + n - 1, so that the levels' tie-breaking coins are independent
 * (and MCRG's results those of librgrbm 1.0 and 1.1). */
static int block_mcrg_level(const rgrbm_rg *rg, int n, rgrbm_rg **plan, int *reads,
                            const char *func) {
  int lx = rg->out_lx, ly = rg->out_ly; /* level k - 1's sides */
  for (int k = 2; k <= n; k++) {
    if (lx % rg->b != 0 || ly % rg->b != 0)
      return rgrbm__fail(RGRBM_EINVAL, func,
                         "level %d cannot block the %d x %d lattice of level %d by b = %d "
                         "(rg maps %d x %d): b must divide every level's sides",
                         k, lx, ly, k - 1, rg->b, rg->in_lx, rg->in_ly);
    if (k < n) {
      lx /= rg->b;
      ly /= rg->b;
    }
  }
  const block_state *st = rg->state;
  int rc = make_block2d(plan, lx, ly, rg->b, st->rule, rg->seed + (uint64_t)(n - 1), func);
  if (rc == RGRBM_OK) *reads = n - 1;
  return rc;
}

static inline int bit_at(const uint64_t *row, size_t j) {
  return (int)((row[j / WORD_BITS] >> (j % WORD_BITS)) & 1);
}

/* One coarse row by majority of the mapped members (a single member is
 * copied); zero sums draw a coin from the row's generator, made on demand. */
static void coarse_row(const rgrbm_rg *rg, const uint64_t *in, size_t in_words, uint64_t *out,
                       size_t out_words) {
  rgrbm__rng rng;
  int rng_ready = 0;
  memset(out, 0, out_words * sizeof *out);
  const uint32_t *m = rg->map;
  for (size_t j = 0; j < rg->out_dim; j++, m += rg->block_size) {
    int sum = 0;
    for (size_t k = 0; k < rg->block_size; k++) sum += 2 * bit_at(in, m[k]) - 1;
    int up = sum > 0;
    if (sum == 0) {
      if (!rng_ready) rgrbm__rg_row_rng(rg, in, in_words, &rng);
      rng_ready = 1;
      up = (int)(rgrbm__rng_u32(&rng) >> 31);
    }
    out[j / WORD_BITS] |= (uint64_t)up << (j % WORD_BITS);
  }
}

static int gather_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                        const char *func) {
  int rc = rgrbm__dataset_grow(out, in->count, func);
  if (rc != RGRBM_OK) return rc;
  for (size_t i = 0; i < in->count; i++)
    coarse_row(rg, rgrbm__dataset_row(in, i), in->words_per_row,
               out->bits + (out->count + i) * out->words_per_row, out->words_per_row);
  out->count += in->count;
  return RGRBM_OK;
}
