/* Shared by the stack suites: stacks with Gaussian random parameters (RBMs
 * far from the near-zero initialization) and a comparison of two stacks. */
#ifndef RGRBM_TEST_STACK_FIXTURES_H
#define RGRBM_TEST_STACK_FIXTURES_H

#include <stdint.h>

#include "rng.h"
#include "stack.h"
#include "testutil.h"

/* Weights N(0, sigma^2), biases N(0, bias_sigma^2), every layer, from seed. */
static inline rgrbm_stack *random_stack(const int *sizes, int nlevels, rgrbm_units units,
                                        double sigma, double bias_sigma, uint64_t seed) {
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, nlevels, units, seed));
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, RGRBM__STREAM(RGRBM__STREAM_TEST, 1));
  for (int l = 0; l < s->depth; l++) {
    for (int i = 0; i < sizes[l] * sizes[l + 1]; i++)
      s->weights[l][i] = (float)(sigma * rgrbm__rng_normal(&r));
    for (int i = 0; i < sizes[l]; i++) s->vbias[l][i] = (float)(bias_sigma * rgrbm__rng_normal(&r));
    for (int j = 0; j < sizes[l + 1]; j++)
      s->hbias[l][j] = (float)(bias_sigma * rgrbm__rng_normal(&r));
  }
  return s;
}

/* Every parameter bit for bit, the epochs done and the training records. */
static inline void assert_same_parameters(const rgrbm_stack *a, const rgrbm_stack *b) {
  ck_assert_int_eq(a->depth, b->depth);
  for (int l = 0; l < a->depth; l++) {
    size_t nv = (size_t)a->sizes[l], nh = (size_t)a->sizes[l + 1];
    ck_assert_mem_eq(a->weights[l], b->weights[l], nv * nh * sizeof(float));
    ck_assert_mem_eq(a->vbias[l], b->vbias[l], nv * sizeof(float));
    ck_assert_mem_eq(a->hbias[l], b->hbias[l], nh * sizeof(float));
    ck_assert_int_eq(a->epochs_done[l], b->epochs_done[l]);
    ck_assert_int_eq(a->trained_with[l].trained, b->trained_with[l].trained);
    ck_assert_int_eq(a->trained_with[l].products, b->trained_with[l].products);
  }
}

#endif
