/* The exact thermometer: the coupling at which Kaufman's finite torus
 * (rgrbm_exact_torus) has a given bond mean, found by Newton's method on
 * the exact bond mean and its exact slope, kept inside a bracket. */
#include "rgrbm/exact.h"

#include <math.h>

#include "exact.h"
#include "exact_coupling.h"
#include "fail.h"

/* Newton stops once its step is below this (the error after a step of size d
 * is of order d^2 times the curvature, far below it), the bisection once
 * the bracket is this narrow: well inside the promised 1e-10. */
#define STEP_TOLERANCE 1e-12
/* Bisection alone needs 49 halvings from [0, 300] to 1e-12: a generous cap
 * that a safeguarded Newton iteration never reaches. */
#define MAX_ITERATIONS 200

/* b(K) and db/dK = N Var(b) = C / K^2 (rgrbm/exact.h: C = K^2 N Var(b) at
 * h = 0), for 0 < K <= RGRBM_EXACT_SQUARE_MAX_K. */
static int torus_bond_mean(int lx, int ly, double K, double *b, double *slope, const char *func) {
  rgrbm_exact e = RGRBM_EXACT_INIT;
  int rc = rgrbm_exact_torus(lx, ly, K, &e);
  if (rc != RGRBM_OK) return rgrbm__fail_within(rc, func);
  *b = e.bond_mean;
  *slope = e.specific_heat / (K * K);
  return RGRBM_OK;
}

/* db/dK at K = 0, where the spins are independent: (1/N) Var(B) counts the
 * bond entries that repeat a pair, as the 2-wide tori do (their bond to the
 * right and to the left join the same two sites). */
static double slope_at_zero(int lx, int ly) {
  return (lx == 2 ? 2.0 : 1.0) + (ly == 2 ? 2.0 : 1.0);
}

/* Newton's step from K unless it leaves the bracket (lo, hi) or would not
 * halve the previous step (rtsafe's rule): then the bracket's midpoint. */
static double next_coupling(double K, double f, double slope, double lo, double hi,
                            double previous_step) {
  if (slope > 0) {
    double step = f / slope, Kn = K - step;
    if (isfinite(Kn) && Kn > lo && Kn < hi && fabs(2 * step) <= fabs(previous_step)) return Kn;
  }
  return 0.5 * (lo + hi);
}

static int solved(double K, double slope, double *K_out, double *slope_out) {
  *K_out = K;
  *slope_out = slope;
  return RGRBM_OK;
}

/* The K in (0, RGRBM_EXACT_SQUARE_MAX_K) with b(K) = target, 0 < target < 2. */
static int solve_positive(int lx, int ly, double target, double *K_out, double *slope_out,
                          const char *func) {
  double lo = 0, hi = RGRBM_EXACT_SQUARE_MAX_K, b = 0, slope = 0;
  int rc = torus_bond_mean(lx, ly, hi, &b, &slope, func);
  if (rc != RGRBM_OK) return rc;
  if (target >= b)
    return rgrbm__fail(RGRBM_ENUMERIC, func, "bond_mean = %.17g is at or above the torus's "
                       "%.17g at K = %g: the coupling is beyond the exact solution's range "
                       "(infinite for a bond mean of 2)", target, b,
                       (double)RGRBM_EXACT_SQUARE_MAX_K);
  /* b = 2 tanh K to first order in tanh K: a start inside the bracket */
  double K = fmin(atanh(0.5 * target), 0.5 * hi), previous_step = hi;
  for (int it = 0; it < MAX_ITERATIONS; it++) {
    if ((rc = torus_bond_mean(lx, ly, K, &b, &slope, func)) != RGRBM_OK) return rc;
    double f = b - target;
    if (f == 0) return solved(K, slope, K_out, slope_out);
    if (f < 0) lo = K; else hi = K;
    double Kn = next_coupling(K, f, slope, lo, hi, previous_step);
    previous_step = Kn - K;
    K = Kn;
    if (fabs(previous_step) <= STEP_TOLERANCE || hi - lo <= STEP_TOLERANCE) {
      if ((rc = torus_bond_mean(lx, ly, K, &b, &slope, func)) != RGRBM_OK) return rc;
      return solved(K, slope, K_out, slope_out);
    }
  }
  /* bisection alone would have converged long before: a bond mean that is
   * not monotonic in K would be a bug in the exact solution */
  return rgrbm__fail(RGRBM_ENUMERIC, func, "bond_mean = %.17g: no convergence after %d "
                     "iterations (bracket [%.17g, %.17g])", target, MAX_ITERATIONS, lo, hi);
}

int rgrbm__exact_torus_coupling(int lx, int ly, double bond_mean, double *K, double *slope,
                                const char *func) {
  int rc = rgrbm__exact_check_torus_sides(lx, ly, func);
  if (rc != RGRBM_OK) return rc;
  if (!isfinite(bond_mean) || fabs(bond_mean) > 2)
    return rgrbm__fail(RGRBM_EINVAL, func, "bond_mean = %g, a torus's bond mean B/N lies in "
                       "[-2, 2]", bond_mean);
  if (fabs(bond_mean) == 2)
    return rgrbm__fail(RGRBM_ENUMERIC, func, "bond_mean = %g is the ground state's: the "
                       "coupling is %sinfinite", bond_mean, bond_mean < 0 ? "minus " : "");
  if (bond_mean == 0) {
    *K = 0;
    *slope = slope_at_zero(lx, ly);
    return RGRBM_OK;
  }
  if (bond_mean > 0) return solve_positive(lx, ly, bond_mean, K, slope, func);
  /* K < 0: flipping one sublattice maps K to -K and b to -b, on a bipartite
   * torus only */
  if (lx % 2 != 0 || ly % 2 != 0)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func, "bond_mean = %g < 0 on a %d x %d torus: a "
                       "negative coupling on a torus with an odd side is frustrated, and the "
                       "exact solution covers K > 0 only", bond_mean, lx, ly);
  rc = solve_positive(lx, ly, -bond_mean, K, slope, func);
  if (rc == RGRBM_OK) *K = -*K;
  return rc;
}

int rgrbm_exact_torus_coupling(int lx, int ly, double bond_mean, double *K) {
  RGRBM_REQUIRE_NONNULL(K);
  double coupling, slope;
  int rc = rgrbm__exact_torus_coupling(lx, ly, bond_mean, &coupling, &slope, __func__);
  if (rc == RGRBM_OK) *K = coupling;
  return rc;
}
