/* Exact decimation of the 1D Ising chain through the b-th power of its 2x2
 * transfer matrix, evaluated from the eigen-decomposition so that no entry of
 * T^b is ever formed (it would overflow for large b K) and no difference of
 * nearly equal numbers is taken. */
#include <math.h>
#include <stdio.h>

#include "fail.h"
#include "rgrbm/decimation1d.h"

/* T^b / lambda_+^b = P_+ + r^b P_-, with r = lambda_-/lambda_+. Everything the
 * step needs is in these scaled quantities. */
typedef struct {
  double log_lambda;   /* ln lambda_+ */
  double cos2, sin2;   /* cos^2 theta, sin^2 theta of the eigenvector angle */
  double cos_2t;       /* cos 2theta = cos^2 - sin^2, without the cancellation */
  double sincos;       /* sin theta cos theta, > 0 */
  double rb;           /* r^b */
  double one_minus_rb; /* 1 - r^b, accurate also when r^b is close to 1 */
} power_parts;

/* Entries a = e^{K+h}, d = e^{K-h}, c = e^{-K} scaled by e^{-m} with m the
 * largest exponent, so that nothing overflows. */
static void transfer_power(double K, double h, int b, power_parts *p) {
  double m = fmax(K + fabs(h), -K);
  double a = exp(K + h - m), d = exp(K - h - m), c = exp(-K - m);
  /* a - d = 2 e^{K-m} sinh h, formed without cancellation. */
  double half_gap = hypot(exp(K - m) * sinh(h), c); /* (lambda_+ - lambda_-)/2, scaled */
  double lambda = 0.5 * (a + d) + half_gap;
  p->log_lambda = m + log(lambda);
  double cos_2t = exp(K - m) * sinh(h) / half_gap, sin_2t = c / half_gap;
  /* One of 1 +- cos 2theta may cancel; get it from sin^2 2theta instead. */
  double big = 1.0 + fabs(cos_2t), small = sin_2t * sin_2t / big;
  p->cos2 = 0.5 * (cos_2t >= 0 ? big : small);
  p->sin2 = 0.5 * (cos_2t >= 0 ? small : big);
  p->sincos = 0.5 * sin_2t;
  p->cos_2t = cos_2t;
  /* r = det T / lambda_+^2 with det T = 2 sinh 2K, scaled by e^{-2m}. */
  double det = fabs(K) <= 1.0 ? 2.0 * sinh(2.0 * K) * exp(-2.0 * m)
                              : exp(2.0 * K - 2.0 * m) - exp(-2.0 * K - 2.0 * m);
  double r = det / (lambda * lambda);
  if (r <= 0.5) {
    p->rb = pow(r, b); /* 1 - r^b cannot cancel here */
    p->one_minus_rb = 1.0 - p->rb;
  } else {
    /* Strong coupling, r close to 1: 1 - r = 2 half_gap / lambda exactly,
     * so ln r and 1 - r^b stay accurate. */
    double log_r = log1p(-2.0 * half_gap / lambda);
    p->rb = exp(b * log_r);
    p->one_minus_rb = -expm1(b * log_r);
  }
}

int rgrbm_decimation1d_step(double K, double h, int b, double *K_out, double *h_out,
                            double *g_out) {
  RGRBM_REQUIRE_NONNULL(K_out);
  RGRBM_REQUIRE_NONNULL(h_out);
  RGRBM_REQUIRE_NONNULL(g_out);
  if (b < 2)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "b = %d, a block needs at least 2 sites", b);
  if (!isfinite(K) || !isfinite(h))
    return rgrbm__fail(RGRBM_EINVAL, __func__, "K = %g, h = %g, both must be finite", K, h);
  power_parts p;
  transfer_power(K, h, b, &p);
  /* T^b = lambda^b [[A, B], [B, D]] must equal e^{G} [[e^{K'+h'}, e^{-K'}], [e^{-K'}, e^{K'-h'}]].
   * AD / B^2 = 1 + r^b / (cos^2 sin^2 (1 - r^b)^2) and A - D = cos 2theta (1 - r^b)
   * give K' and h' through log1p, accurate also when they are tiny. */
  double d_entry = p.sin2 + p.rb * p.cos2;
  double log_b = log(p.sincos * p.one_minus_rb);
  double k_new =
      0.25 * log1p(p.rb / (p.sincos * p.sincos * p.one_minus_rb * p.one_minus_rb));
  double h_new = 0.5 * log1p(p.cos_2t * p.one_minus_rb / d_entry);
  double g = (b * p.log_lambda + k_new + log_b) / b;
  if (!isfinite(k_new) || !isfinite(h_new) || !isfinite(g))
    return rgrbm__fail(RGRBM_ENUMERIC, __func__,
                       "K = %g, h = %g, b = %d: the renormalized couplings overflow", K, h, b);
  *K_out = k_new;
  *h_out = h_new;
  *g_out = g;
  return RGRBM_OK;
}

int rgrbm_decimation1d_flow(double K, double h, int b, int steps, double *K_flow, double *h_flow,
                            double *g_flow) {
  RGRBM_REQUIRE_NONNULL(K_flow);
  RGRBM_REQUIRE_NONNULL(h_flow);
  RGRBM_REQUIRE_NONNULL(g_flow);
  if (steps < 1)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "steps = %d, need at least 1", steps);
  /* Validate the whole flow before writing, so a failure changes nothing. */
  double k = K, f = h, g;
  for (int n = 0; n < steps; n++) {
    int rc = rgrbm_decimation1d_step(k, f, b, &k, &f, &g);
    if (rc != RGRBM_OK) {
      char why[256];
      snprintf(why, sizeof why, "%s", rgrbm_last_error());
      return rgrbm__fail(rc, __func__, "step %d failed: %s", n, why);
    }
  }
  k = K;
  f = h;
  for (int n = 0; n < steps; n++) {
    rgrbm_decimation1d_step(k, f, b, &k, &f, &g);
    K_flow[n] = k;
    h_flow[n] = f;
    g_flow[n] = g;
  }
  return RGRBM_OK;
}
