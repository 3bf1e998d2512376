/* The 1D chain with field by its transfer matrix
 * T(s, s') = exp(K s s' + h (s + s') / 2). Z = Tr T^n (periodic) or
 * Tr(T^{n-1} U) with U(s', s) = exp(h (s + s') / 2) (open). To get <B>, <M>
 * and the variances exactly, each matrix carries its first and second
 * derivatives in (K, h) (a second-order jet), and products follow the Leibniz
 * rule. Powers go by repeated squaring; every product is rescaled by its
 * largest entry and the scale kept as a logarithm, so any n stays finite.
 *
 * Centring: the energies in the exponents are measured from the infinite
 * chain's means (a0 per bond, b0 per site), e^{K (s s' - a0) + h ((s+s')/2 -
 * b0)}, so that the jets carry moments of B - a0 bonds and M - b0 n. Their
 * means are then O(1) instead of O(n), and the variance E[X^2] - E[X]^2
 * keeps its digits at every n and K (the raw moments of B cancelled to a
 * negative specific heat at low temperature); the exponents also stay near
 * or below 0 (no overflow for any finite K, h). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "fail.h"
#include "exact.h"
#include "lattice.h"
#include "versioned.h"

/* Value, derivatives in K and h (for the means), and the first two
 * derivatives along the ray (beta K, beta h) at beta = 1 (for Var(beta*H):
 * taken along the ray, the variance is never a difference of K^2 Var B,
 * 2 K h Cov and h^2 Var M, which cancel when K and h compete). */
enum { D0, DK, DH, DE, DEE, JET };

typedef struct jet {
  double m[JET][2][2]; /* value and derivatives, all divided by e^{log_scale} */
  double log_scale;
} jet;

static void mat_mul(const double a[2][2], const double b[2][2], double w, double c[2][2]) {
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) c[i][j] += w * (a[i][0] * b[0][j] + a[i][1] * b[1][j]);
}

/* Leibniz: (AB)'' = A''B + 2A'B' + AB'', mixed terms alike. */
static void jet_mul(const jet *a, const jet *b, jet *c) {
  static const int first[JET][4][2] = {
      [D0] = {{D0, D0}},
      [DK] = {{DK, D0}, {D0, DK}},
      [DH] = {{DH, D0}, {D0, DH}},
      [DE] = {{DE, D0}, {D0, DE}},
      [DEE] = {{DEE, D0}, {DE, DE}, {D0, DEE}},
  };
  static const double weight[JET][4] = {
      [D0] = {1}, [DK] = {1, 1}, [DH] = {1, 1}, [DE] = {1, 1}, [DEE] = {1, 2, 1}};
  jet r;
  memset(&r, 0, sizeof r);
  for (int d = 0; d < JET; d++)
    for (int t = 0; t < 4 && weight[d][t] != 0; t++)
      mat_mul(a->m[first[d][t][0]], b->m[first[d][t][1]], weight[d][t], r.m[d]);
  double big = 0;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) big = fmax(big, fabs(r.m[D0][i][j]));
  for (int d = 0; d < JET; d++)
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 2; j++) r.m[d][i][j] /= big;
  r.log_scale = a->log_scale + b->log_scale + log(big);
  *c = r;
}

/* The centring: the infinite chain's bond mean and magnetization (from its
 * largest eigenvalue), with K and h clamped to [-20, 20], beyond which the
 * means are +-1 or 0 to double precision anyway. Any centre is exact; a
 * close one keeps the variance's digits. */
typedef struct centre {
  double a0, b0;
} centre;

/* Deep in an ordered phase the means are +-1 or 0 to within rounding; the
 * centre must then be exactly the ground state's, or the variance, tiny
 * there, would drown in the square of the leftover. */
static double snap(double x) {
  double r = round(x);
  return fabs(x - r) < 1e-9 ? r : x;
}

static centre chain_centre(double K, double h) {
  /* -beta*H per site of the three ground-state candidates: up, down,
   * alternating. A clear winner (by 40: its rivals then weigh e^{-40 n}) is
   * the centre itself, exactly, whatever the size of K and h. */
  const double level[3] = {K + h, K - h, -K};
  const centre ground[3] = {{1, 1}, {1, -1}, {-1, 0}};
  int best = 0;
  for (int i = 1; i < 3; i++)
    if (level[i] > level[best]) best = i;
  int clear = 1;
  for (int i = 0; i < 3; i++)
    if (i != best && !(level[best] - level[i] > 40)) clear = 0;
  if (clear) return ground[best];
  double k = fmax(-20.0, fmin(20.0, K)), f = fmax(-20.0, fmin(20.0, h));
  double t = sinh(f) * sinh(f), v = exp(-4 * k), r = sqrt(t + v);
  double lambda = cosh(f) + r, dlambda = cosh(f) + (t - v) / r; /* both / e^K */
  return (centre){snap(dlambda / lambda), snap(sinh(f) / r)};
}

/* Exponent of entry (i, k), centred. */
static double exponent(double K, double h, double bond_weight, centre c, int i, int k) {
  double s = i ? 1 : -1, sp = k ? 1 : -1;
  return K * (bond_weight * (s * sp - c.a0)) + h * ((s + sp) / 2 - c.b0);
}

/* The entries are divided by e^{largest exponent} (kept in log_scale): a
 * centre a hair inside (-1, 1) times K = 1e300 must not overflow. */
static void transfer(jet *t, double K, double h, double bond_weight, centre c) {
  memset(t, 0, sizeof *t);
  double top = -INFINITY;
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 2; k++) top = fmax(top, exponent(K, h, bond_weight, c, i, k));
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 2; k++) {
      double s = i ? 1 : -1, sp = k ? 1 : -1;
      double e = exp(exponent(K, h, bond_weight, c, i, k) - top);
      double a = bond_weight * (s * sp - c.a0), b = (s + sp) / 2 - c.b0;
      t->m[D0][i][k] = e;
      t->m[DK][i][k] = a * e;
      t->m[DH][i][k] = b * e;
      double x = e == 0 ? 0 : exponent(K, h, bond_weight, c, i, k); /* no inf * 0 */
      t->m[DE][i][k] = x * e;
      t->m[DEE][i][k] = x * x * e;
    }
  t->log_scale = top;
}

static void jet_identity(jet *j) {
  memset(j, 0, sizeof *j);
  j->m[D0][0][0] = j->m[D0][1][1] = 1;
}

static void jet_power(const jet *t, unsigned n, jet *out) {
  jet base = *t;
  jet_identity(out);
  for (; n; n >>= 1) {
    if (n & 1) jet_mul(out, &base, out);
    if (n > 1) jet_mul(&base, &base, &base);
  }
}

/* Z_open = sum over the end spins (s, s') of T^{n-1}(s, s') e^{h (s + s')/2},
 * the ends' remaining half fields. The four terms are combined in the log
 * domain with conditional moments (the jets of each entry divided by its
 * value): a matrix product with U would rescale U by its largest entry, and
 * with an end field of 1e300 against an antiferromagnet that entry is not
 * the ground state's, which then underflows to 0. */
static void open_ends(const jet *p, double h, centre c, double tr[JET], double *log_scale) {
  double L[2][2], top = -INFINITY;
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 2; k++) {
      double y = (i + k - 1.0) - c.b0; /* (s + s')/2 - b0 with s = 2i - 1 */
      L[i][k] = p->m[D0][i][k] > 0 ? log(p->m[D0][i][k]) + h * y : -INFINITY;
      top = fmax(top, L[i][k]);
    }
  for (int d = 0; d < JET; d++) tr[d] = 0;
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 2; k++) {
      double w = exp(L[i][k] - top);
      if (w == 0) continue;
      double v = p->m[D0][i][k], y = (i + k - 1.0) - c.b0, x = h * y;
      double rK = p->m[DK][i][k] / v, rH = p->m[DH][i][k] / v, rE = p->m[DE][i][k] / v;
      double rEE = p->m[DEE][i][k] / v;
      tr[D0] += w;
      tr[DK] += w * rK;
      tr[DH] += w * (rH + y);
      tr[DE] += w * (rE + x);
      tr[DEE] += w * (rEE + 2 * rE * x + x * x);
    }
  *log_scale = p->log_scale + top;
}

int rgrbm_exact_chain(int n, double K, double h, rgrbm_boundary bc, rgrbm_exact *out) {
  int rc = rgrbm__exact_check_out(out, __func__);
  if (rc != RGRBM_OK) return rc;
  if (n < 1) return rgrbm__fail(RGRBM_EINVAL, __func__, "n = %d, a chain needs at least 1 site", n);
  rc = rgrbm__check_couplings(K, h, __func__);
  if (rc != RGRBM_OK) return rc;
  if (bc != RGRBM_PERIODIC && bc != RGRBM_OPEN)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "bc = %d, expected RGRBM_PERIODIC or RGRBM_OPEN",
                       (int)bc);
  const centre c = chain_centre(K, h);
  jet t, p;
  double tr[JET], log_scale;
  transfer(&t, K, h, 1.0, c);
  if (bc == RGRBM_PERIODIC) {
    jet_power(&t, (unsigned)n, &p);
    for (int d = 0; d < JET; d++) tr[d] = p.m[d][0][0] + p.m[d][1][1];
    log_scale = p.log_scale;
  } else {
    jet_power(&t, (unsigned)n - 1, &p);
    open_ends(&p, h, c, tr, &log_scale);
  }
  const double N = n, bonds = bc == RGRBM_PERIODIC ? N : N - 1;
  /* centred moments: X = B - a0 bonds, Y = M - b0 N */
  double x = tr[DK] / tr[D0], y = tr[DH] / tr[D0];
  double mean_e = tr[DE] / tr[D0], mean_ee = tr[DEE] / tr[D0];
  double var_e = mean_ee - mean_e * mean_e;
  if (var_e < 0 && -var_e <= 8 * DBL_EPSILON * mean_ee) var_e = 0; /* a zero, rounded */
  rgrbm_exact e;
  rgrbm__exact_clear(&e);
  /* ln Z = ln tr + scale + K a0 bonds + h b0 N, per site */
  e.log_z_per_site = (log(tr[D0]) + log_scale) / N + K * (c.a0 * (bonds / N)) + h * c.b0;
  e.bond_mean = c.a0 * (bonds / N) + x / N;
  e.magnetization = c.b0 + y / N;
  e.specific_heat = var_e / N;
  if ((rc = rgrbm__exact_finish(&e, bonds / N, __func__)) != RGRBM_OK) return rc;
  rgrbm__exact_write(out, &e);
  return RGRBM_OK;
}

static const size_t EXACT_BYTES[RGRBM_EXACT_VERSION] = {sizeof(rgrbm_exact)};
static const rgrbm__layout EXACT = {"rgrbm_exact", RGRBM_EXACT_VERSION, EXACT_BYTES};

int rgrbm__exact_check_out(const rgrbm_exact *out, const char *func) {
  if (out == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "out is NULL");
  return rgrbm__version_check(&EXACT, out->version, func, "out");
}

void rgrbm__exact_write(rgrbm_exact *out, rgrbm_exact *e) { rgrbm__versioned_write(&EXACT, out, e); }

void rgrbm__exact_clear(rgrbm_exact *out) {
  memset(out, 0, sizeof *out); /* padding too: results are copied out byte by byte */
  out->version = RGRBM_EXACT_VERSION;
  out->log_z_per_site = out->bond_mean = out->specific_heat = out->magnetization = NAN;
  out->abs_magnetization = out->magnetization2 = out->magnetization4 = NAN;
}

/* Rounding may put a mean an ulp or two beyond its bound; more than 16 ulps
 * is a numerical failure, not rounding. */
static int bounded(double *x, double bound, const char *name, const char *func) {
  if (isnan(*x) || fabs(*x) > bound * (1 + 16 * DBL_EPSILON))
    return rgrbm__fail(RGRBM_ENUMERIC, func, "%s = %.17g is outside [-%g, %g]", name, *x, bound,
                       bound);
  *x = fmax(-bound, fmin(bound, *x));
  return RGRBM_OK;
}

int rgrbm__exact_finish(rgrbm_exact *e, double max_bond, const char *func) {
  if (!isfinite(e->log_z_per_site))
    return rgrbm__fail(RGRBM_ENUMERIC, func, "log_z_per_site = %g is not finite",
                       e->log_z_per_site);
  if (!isfinite(e->specific_heat) || e->specific_heat < 0)
    return rgrbm__fail(RGRBM_ENUMERIC, func, "specific_heat = %g is not finite and >= 0",
                       e->specific_heat);
  int rc = bounded(&e->bond_mean, max_bond, "bond_mean", func);
  double *m[4] = {&e->magnetization, &e->abs_magnetization, &e->magnetization2,
                  &e->magnetization4};
  static const char *const names[4] = {"magnetization", "abs_magnetization", "magnetization2",
                                       "magnetization4"};
  for (int i = 0; rc == RGRBM_OK && i < 4; i++)
    if (!isnan(*m[i])) rc = bounded(m[i], 1.0, names[i], func); /* NaN = not defined */
  return rc;
}

double rgrbm__log_add(double a, double b) {
  if (a < b) {
    double t = a;
    a = b;
    b = t;
  }
  return b == -INFINITY ? a : a + log1p(exp(b - a));
}
