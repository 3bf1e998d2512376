/* The square lattice at h = 0: Onsager's infinite-lattice solution and
 * Kaufman's exact partition function of the finite torus. */
#include <math.h>

#include "error.h"
#include "exact.h"
#include "lattice.h"

static int check_coupling(double K, const char *func) {
  if (!isfinite(K))
    return rgrbm__fail(RGRBM_EINVAL, func, "K = %g, the coupling must be finite", K);
  if (K <= 0)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "K = %g, the square-lattice solutions are implemented for K > 0", K);
  return RGRBM_OK;
}

/* ---- Onsager ---------------------------------------------------------- */

/* Complete elliptic integrals K(k), E(k) of modulus k, given k and the
 * complementary modulus kp = sqrt(1 - k^2) (passed separately: near K_c it is
 * known far more accurately than 1 - k^2 would give). */
static void elliptic(double k, double kp, double *K1, double *E1) {
  double a = 1, b = kp, c = k, sum = 0.5 * c * c, pow2 = 0.5;
  for (int i = 0; i < 64 && fabs(c) > 1e-17 * a; i++) {
    c = 0.5 * (a - b);
    double an = 0.5 * (a + b);
    b = sqrt(a * b);
    a = an;
    pow2 *= 2;
    sum += pow2 * c * c;
  }
  *K1 = M_PI / (2 * a);
  *E1 = *K1 * (1 - sum);
}

/* (1/pi) int_0^pi ln[(1 + sqrt(cos^2 t + kp^2 sin^2 t)) / 2] dt / 2 by the
 * periodic trapezoid rule, doubled until it settles (exponentially fast off
 * K_c; at K_c, where the integrand has a kink, 2^22 points give ~1e-13). */
static double onsager_integral(double kp) {
  double sum = 0, prev = NAN;
  for (long n = 8, done = 0; n <= (1L << 22); n *= 2) {
    for (long j = done ? 1 : 0; j < n; j += done ? 2 : 1) {
      double t = M_PI * (double)j / (double)n, c = cos(t), s = sin(t);
      sum += log(0.5 * (1 + sqrt(c * c + kp * kp * s * s)));
    }
    done = 1;
    double est = sum / (double)n / 2;
    if (fabs(est - prev) <= 1e-16 * (1 + fabs(est))) return est;
    prev = est;
  }
  return prev;
}

int rgrbm_exact_onsager(double K, rgrbm_exact *out) {
  RGRBM_REQUIRE_NONNULL(out);
  int rc = check_coupling(K, __func__);
  if (rc != RGRBM_OK) return rc;
  double s = sinh(2 * K), ch = cosh(2 * K), t = tanh(2 * K);
  double k = fmin(1.0, 2 * s / (ch * ch)), kp = fabs(s * s - 1) / (ch * ch);
  double kappa = 2 * t * t - 1, coth = 1 / t, K1, E1;
  rgrbm__exact_clear(out);
  out->log_z_per_site = log(2 * ch) + onsager_integral(kp);
  if (kp == 0) {
    /* kappa K1 -> 0 at K_c: K1 diverges only logarithmically. */
    out->bond_mean = coth;
    out->specific_heat = INFINITY;
  } else {
    /* C = K^2 d(bond_mean)/dK, differentiating through k and kappa, with
     * dK1/dk = E1 / (k kp^2) - K1 / k. */
    elliptic(k, kp, &K1, &E1);
    double bracket = 1 + (2 / M_PI) * kappa * K1;
    double dkappa = 8 * t * (1 - t * t), dk = 4 * (ch * ch - 2 * s * s) / (ch * ch * ch);
    double dK1 = E1 / (k * kp * kp) - K1 / k;
    double du = -2 / (s * s) * bracket + coth * (2 / M_PI) * (dkappa * K1 + kappa * dK1 * dk);
    out->bond_mean = coth * bracket;
    out->specific_heat = K * K * du;
  }
  out->magnetization = s > 1 ? pow(1 - pow(s, -4), 0.125) : 0.0;
  return RGRBM_OK;
}

/* ---- Kaufman ---------------------------------------------------------- */

/* x = m gamma / 2 and its first two derivatives in K. */
typedef struct arg3 {
  double x, dx, ddx;
} arg3;

/* gamma_l for l >= 1: cosh gamma = c - cos(pi l / n), c = cosh 2K coth 2K. */
static arg3 gamma_l(double K, int l, int n, int m) {
  double s = sinh(2 * K), ch = cosh(2 * K);
  double c = ch * ch / s, dc = 2 * ch * (1 - 1 / (s * s));
  double ddc = 4 * s - 4 / s + 8 * ch * ch / (s * s * s);
  double cg = c - cos(M_PI * (double)l / (double)n), sg = sqrt(cg * cg - 1);
  double g = acosh(cg), dg = dc / sg, ddg = (ddc - cg * dg * dg) / sg;
  return (arg3){0.5 * m * g, 0.5 * m * dg, 0.5 * m * ddg};
}

/* gamma_0 = 2K + ln tanh K, negative above T_c. */
static arg3 gamma_0(double K, int m) {
  double s = sinh(2 * K);
  double g = 2 * K + log(tanh(K)), dg = 2 + 2 / s, ddg = -4 * cosh(2 * K) / (s * s);
  return (arg3){0.5 * m * g, 0.5 * m * dg, 0.5 * m * ddg};
}

/* A product of factors 2cosh(x) or 2sinh(x) kept as ln A, (ln A)', (ln A)''. */
typedef struct logprod {
  double log, d, dd;
} logprod;

static void times_cosh(logprod *p, arg3 a) {
  double ax = fabs(a.x), th = tanh(a.x);
  p->log += ax + log1p(exp(-2 * ax));
  p->d += th * a.dx;
  p->dd += (1 - th * th) * a.dx * a.dx + th * a.ddx;
}

static void times_sinh(logprod *p, arg3 a) { /* a.x > 0 */
  double ct = 1 / tanh(a.x), cs = 1 / sinh(a.x);
  p->log += a.x + log1p(-exp(-2 * a.x));
  p->d += ct * a.dx;
  p->dd += -cs * cs * a.dx * a.dx + ct * a.ddx;
}

/* One of Kaufman's four terms: A g(x0), with g = 1 (no gamma_0 factor),
 * 2cosh or 2sinh; g, g', g'' are divided by e^{|x0|}, which goes into A. */
typedef struct term {
  logprod a;
  double g, dg, ddg;
} term;

static void set_g(term *t, arg3 x0, int is_sinh) {
  double ax = fabs(x0.x), e = exp(-2 * ax), sg = (x0.x > 0) - (x0.x < 0);
  double ch = 1 + e, sh = sg * (1 - e);
  t->a.log += ax;
  t->g = is_sinh ? sh : ch;
  t->dg = is_sinh ? ch : sh;
  t->ddg = t->g;
}

static void kaufman_terms(double K, int n, int m, term t[4]) {
  for (int i = 0; i < 4; i++) t[i] = (term){{0, 0, 0}, 1, 0, 0};
  for (int l = 1; l < 2 * n; l++) {
    arg3 a = gamma_l(K, l, n, m);
    times_cosh(&t[l % 2 ? 0 : 2].a, a);
    times_sinh(&t[l % 2 ? 1 : 3].a, a);
  }
  arg3 x0 = gamma_0(K, m);
  set_g(&t[2], x0, 0);
  set_g(&t[3], x0, 1);
}

/* ln(sum of terms) and its first two derivatives; x0' and x0'' enter
 * through the g factors. */
static void sum_terms(const term t[4], arg3 x0, double *log_s, double *d1, double *d2) {
  double L = t[0].a.log;
  for (int i = 1; i < 4; i++) L = fmax(L, t[i].a.log);
  double s = 0, s1 = 0, s2 = 0;
  for (int i = 0; i < 4; i++) {
    double w = exp(t[i].a.log - L), da = t[i].a.d, dda = t[i].a.dd;
    s += w * t[i].g;
    s1 += w * (da * t[i].g + t[i].dg * x0.dx);
    s2 += w * ((dda + da * da) * t[i].g + 2 * da * t[i].dg * x0.dx + t[i].ddg * x0.dx * x0.dx +
               t[i].dg * x0.ddx);
  }
  *log_s = L + log(s);
  *d1 = s1 / s;
  *d2 = s2 / s - (s1 / s) * (s1 / s);
}

int rgrbm_exact_torus(int lx, int ly, double K, rgrbm_exact *out) {
  RGRBM_REQUIRE_NONNULL(out);
  if (lx < 2 || lx > RGRBM_LATTICE_MAX_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "lx = %d, a side must be in 2..%d", lx,
                       RGRBM_LATTICE_MAX_SIDE);
  if (ly < 2 || ly > RGRBM_LATTICE_MAX_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "ly = %d, a side must be in 2..%d", ly,
                       RGRBM_LATTICE_MAX_SIDE);
  int rc = check_coupling(K, __func__);
  if (rc != RGRBM_OK) return rc;
  int n = lx, m = ly;
  double N = (double)n * (double)m, s = sinh(2 * K);
  term t[4];
  kaufman_terms(K, n, m, t);
  double log_s, d1, d2;
  sum_terms(t, gamma_0(K, m), &log_s, &d1, &d2);
  rgrbm__exact_clear(out);
  out->log_z_per_site = (log(0.5) + 0.5 * N * log(2 * s) + log_s) / N;
  out->bond_mean = (N / tanh(2 * K) + d1) / N;
  out->specific_heat = K * K * (-2 * N / (s * s) + d2) / N;
  return RGRBM_OK;
}
