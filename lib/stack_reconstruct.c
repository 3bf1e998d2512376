/* Reconstructions: a batch up to a level and back down to the visible layer. */
#include "alloc.h"
#include "fail.h"
#include "rgrbm/stack.h"
#include "stack.h"

/* The descent must not reuse the ascent's random numbers: derive its seed
 * with the splitmix64 finalizer, a bijection with good avalanche. */
static uint64_t descent_seed(uint64_t seed) {
  uint64_t z = seed + UINT64_C(0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static int check_reconstruct(const rgrbm_stack *s, int level, rgrbm_pass pass, const float *in,
                             size_t n, const float *out, const char *func) {
  if (s == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "s is NULL");
  if (in == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "in is NULL");
  if (out == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "out is NULL");
  if (level < 1 || level > s->depth)
    return rgrbm__fail(RGRBM_EINVAL, func, "level = %d, must be in 1..depth = %d", level, s->depth);
  if (pass != RGRBM_PASS_MEANS && pass != RGRBM_PASS_SAMPLES)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "pass = %d is neither RGRBM_PASS_MEANS nor RGRBM_PASS_SAMPLES", (int)pass);
  if (n == 0) return rgrbm__fail(RGRBM_EINVAL, func, "n = 0, a batch needs at least 1 row");
  return RGRBM_OK;
}

int rgrbm_stack_reconstruct(const rgrbm_stack *s, int level, rgrbm_pass pass, const float *in,
                            size_t n, uint64_t seed, float *out) {
  int rc = check_reconstruct(s, level, pass, in, n, out, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__stack_check_finite(s, 0, level - 1, __func__);
  if (rc != RGRBM_OK) return rc;
  float *code = rgrbm__calloc(n, (size_t)s->sizes[level] * sizeof *code);
  if (code == NULL)
    return rgrbm__fail(RGRBM_ENOMEM, __func__, "cannot allocate %zu rows of level %d", n, level);
  const int sample = pass == RGRBM_PASS_SAMPLES;
  rc = rgrbm__stack_pass(s, 0, level, in, n, code, sample, seed, __func__);
  if (rc == RGRBM_OK)
    rc = rgrbm__stack_pass(s, level, 0, code, n, out, sample, descent_seed(seed), __func__);
  rgrbm__free(code);
  return rc;
}
