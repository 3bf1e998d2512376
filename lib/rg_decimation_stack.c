/* The exact decimation network as an RBM stack (Mehta & Schwab, Fig. 2):
 * layer l sums out the odd sites of the chain on level l, whose even sites
 * become level l+1. */
#include <math.h>

#include "fail.h"
#include "rgrbm/decimation1d.h"
#include "stack.h"

/* Couplings are multiples of 2^-18: with |K| <= 10 every weight, every sum of
 * a row or column (what the binary-units transform forms) and the tie weight
 * then fit in a float's 24 bits, so the stack represents the chain exactly in
 * both unit conventions. */
static const double COUPLING_QUANTUM = 1.0 / 262144.0;
static const double MAX_COUPLING = 10.0;

static double quantize(double K) { return round(K / COUPLING_QUANTUM) * COUPLING_QUANTUM; }

/* Layer l over a chain of n sites at coupling K: odd site i couples to the
 * hidden copies of its neighbours i-1 and i+1 (added, so that a 2-site ring
 * gets its double bond), even site 2j to its own copy j by the tie weight. */
static void fill_layer(float *w, int n, double K) {
  const int nh = n / 2;
  const double tie = 2.0 * fabs(K) + RGRBM_DECIMATION_TIE_WEIGHT;
  for (int i = 0; i < n; i++) {
    if (i % 2 == 0) {
      w[i * nh + i / 2] = (float)tie;
    } else {
      w[i * nh + (i - 1) / 2] += (float)K;
      w[i * nh + ((i + 1) % n) / 2] += (float)K;
    }
  }
}

static int check_args(int n_sites, double K, int levels, const char *func) {
  if (!(fabs(K) <= MAX_COUPLING))
    return rgrbm__fail(RGRBM_EINVAL, func, "K = %g, |K| must be at most %g", K, MAX_COUPLING);
  if (levels < 1 || levels > 29)
    return rgrbm__fail(RGRBM_EINVAL, func, "levels = %d, must be in 1..29", levels);
  if (n_sites < 4 || n_sites % (2 << (levels - 1)) != 0 || n_sites >> levels < 2)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "n_sites = %d, must be a multiple of 2^levels = 2^%d leaving at least 2 "
                       "sites on the top level",
                       n_sites, levels);
  return RGRBM_OK;
}

int rgrbm_decimation1d_stack(rgrbm_stack **out, int n_sites, double K, int levels) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  int rc = check_args(n_sites, K, levels, __func__);
  if (rc != RGRBM_OK) return rc;
  int sizes[30];
  for (int l = 0; l <= levels; l++) sizes[l] = n_sites >> l;
  rgrbm_stack *s = NULL;
  rc = rgrbm__stack_alloc(&s, sizes, levels + 1, RGRBM_UNITS_SPIN, __func__);
  if (rc != RGRBM_OK) return rc;
  double k = quantize(K);
  for (int l = 0; l < levels; l++) {
    fill_layer(s->weights[l], sizes[l], k);
    double h = 0, g;
    /* |K| <= 10 at h = 0 never overflows. */
    rgrbm_decimation1d_step(k, 0.0, 2, &k, &h, &g);
    k = quantize(k);
  }
  *out = s;
  return RGRBM_OK;
}
