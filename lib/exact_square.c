/* The square lattice at h = 0: Onsager's infinite-lattice solution and
 * Kaufman's exact partition function of the finite torus. */
#include <math.h>
#include <string.h>

#include "fail.h"
#include "exact.h"
#include "lattice.h"
#include "versioned.h"
#include "workspace.h"

static int check_coupling(double K, const char *func) {
  if (!isfinite(K))
    return rgrbm__fail(RGRBM_EINVAL, func, "K = %g, the coupling must be finite", K);
  if (K <= 0 || K > RGRBM_EXACT_SQUARE_MAX_K)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func, "K = %g, the square-lattice solutions are "
                       "implemented for 0 < K <= %g", K, (double)RGRBM_EXACT_SQUARE_MAX_K);
  return RGRBM_OK;
}

/* ---- low temperature -------------------------------------------------- */

/* The infinite lattice's low-temperature series, ln Z / N = 2K + sum_k a_k
 * u^k with u = e^{-4K}, k = 2..13 (a_2 = 1: one flipped spin costs 8K).
 * The coefficients were fitted to Onsager's ln Z evaluated with mpmath at 120
 * digits (tests/exact_references.py), every one within 1e-15 of the rational
 * shown (they agree with Domb's series). */
static const double LOW_T_SERIES[12] = {1,      2,         4.5,        12,       112.0 / 3,
                                        130,    1961.0 / 4, 5876.0 / 3, 40871.0 / 5, 35302,
                                        156740, 712052};

/* bond_mean = 2 - sum 4k a_k u^k and specific_heat = K^2 sum 16 k^2 a_k u^k,
 * each a sum of positive terms: full relative accuracy. Truncation costs a
 * relative a_14 14^2 u^12 / 4 (2e-15 at K = RGRBM__EXACT_SERIES_K = 1.1,
 * below 1e-19 from K = 1.5). */
static void low_t_series(double K, double *bond_mean, double *specific_heat) {
  const double u = exp(-4 * K);
  double db = 0, dc = 0;
  for (int k = 13; k >= 2; k--) {
    db = db * u + 4.0 * k * LOW_T_SERIES[k - 2];
    dc = dc * u + 16.0 * k * k * LOW_T_SERIES[k - 2];
  }
  *bond_mean = 2 - db * u * u;
  *specific_heat = K * K * (dc * u * u);
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

/* bond_mean and specific_heat of Onsager's solution off K_c, by the elliptic
 * integrals; C = K^2 d(bond_mean)/dK, differentiating through k and kappa,
 * with dK1/dk = E1 / (k kp^2) - K1 / k. */
static void onsager_elliptic(double K, double k, double kp, rgrbm_exact *e) {
  double s = sinh(2 * K), ch = cosh(2 * K), t = tanh(2 * K);
  double kappa = 2 * t * t - 1, coth = 1 / t, K1, E1;
  elliptic(k, kp, &K1, &E1);
  double bracket = 1 + (2 / M_PI) * kappa * K1;
  double dkappa = 8 * t * (1 - t * t), dk = 4 * (ch * ch - 2 * s * s) / (ch * ch * ch);
  double dK1 = E1 / (k * kp * kp) - K1 / k;
  double du = -2 / (s * s) * bracket + coth * (2 / M_PI) * (dkappa * K1 + kappa * dK1 * dk);
  e->bond_mean = coth * bracket;
  e->specific_heat = K * K * du;
}

int rgrbm_exact_onsager(double K, rgrbm_exact *out) {
  int rc = rgrbm__exact_check_out(out, __func__);
  if (rc != RGRBM_OK) return rc;
  rc = check_coupling(K, __func__);
  if (rc != RGRBM_OK) return rc;
  /* k and kp as ratios that cannot overflow (cosh^2 2K would from K = 177) */
  double s = sinh(2 * K), ch = cosh(2 * K), t = tanh(2 * K);
  double k = fmin(1.0, 2 * (s / ch) / ch), kp = fabs(1 - 1 / (s * s)) * t * t;
  rgrbm_exact e;
  rgrbm__exact_clear(&e);
  e.log_z_per_site = 2 * K + log1p(exp(-4 * K)) + onsager_integral(kp); /* ln(2 cosh 2K) + ... */
  e.magnetization = s > 1 ? pow(1 - pow(s, -4), 0.125) : 0.0;
  if (kp == 0) {
    /* kappa K1 -> 0 at K_c: K1 diverges only logarithmically; C is +inf,
     * the one documented infinity. */
    e.bond_mean = 1 / t;
    e.specific_heat = INFINITY;
    rgrbm__exact_write(out, &e);
    return RGRBM_OK;
  }
  /* Low temperature: the elliptic form cancels to e^{-8K} from terms of
   * e^{-4K}; the series has positive terms only. */
  if (K >= RGRBM__EXACT_SERIES_K)
    low_t_series(K, &e.bond_mean, &e.specific_heat);
  else
    onsager_elliptic(K, k, kp, &e);
  if ((rc = rgrbm__exact_finish(&e, 2.0, __func__)) != RGRBM_OK) return rc;
  rgrbm__exact_write(out, &e);
  return RGRBM_OK;
}

/* ---- narrow tori at low temperature: the row transfer matrix ---------- */

/* Tori whose short side is at most this many sites use the 2^w x 2^w row
 * transfer matrix from RGRBM__EXACT_SERIES_K on; wider ones the series from
 * WIDE_SERIES_K on (an excitation wrapping around a side of 7 or more weighs
 * u^5 < 5e-18 relative there). */
enum { STRIP_MAX_WIDTH = 6, STRIP_STATES_MAX = 1 << STRIP_MAX_WIDTH };
/* Wider tori switch to the infinite lattice's series from here. */
static const double WIDE_SERIES_K = 2.0;

/* A q x q matrix and its first two K-derivatives, divided by e^{log_scale}. */
typedef struct strip_jet {
  double *m[3];
  double log_scale;
} strip_jet;

/* Every entry, derivative and product below is >= 0 or <= 0 as a whole
 * (the exponents K (e - 2w) are centred at the ground state, e <= 2w), so
 * the products add numbers of one sign: no cancellation at any K. */
static void strip_mul(const strip_jet *a, const strip_jet *b, int q, strip_jet *c, double *tmp) {
  static const int orders[3][3][2] = {{{0, 0}}, {{1, 0}, {0, 1}}, {{2, 0}, {1, 1}, {0, 2}}};
  static const double weight[3][3] = {{1}, {1, 1}, {1, 2, 1}};
  const size_t qq = (size_t)q * (size_t)q;
  memset(tmp, 0, 3 * qq * sizeof *tmp);
  for (int d = 0; d < 3; d++)
    for (int t = 0; t <= d; t++) {
      const double *x = a->m[orders[d][t][0]], *y = b->m[orders[d][t][1]];
      for (int i = 0; i < q; i++)
        for (int k = 0; k < q; k++) {
          double xik = weight[d][t] * x[i * q + k];
          for (int j = 0; j < q; j++) tmp[d * qq + (size_t)(i * q + j)] += xik * y[k * q + j];
        }
    }
  double big = 0;
  for (size_t i = 0; i < qq; i++) big = fmax(big, tmp[i]);
  for (int d = 0; d < 3; d++)
    for (size_t i = 0; i < qq; i++) c->m[d][i] = tmp[d * qq + i] / big;
  c->log_scale = a->log_scale + b->log_scale + log(big);
}

/* Row energy (bonds inside the row, wrapping, plus bonds to the next row)
 * of rows a and b, w sites each (bit x set = spin +1). */
static int row_bonds(unsigned a, unsigned b, int w) {
  int e = 0;
  for (int x = 0; x < w; x++) {
    int sx = (a >> x) & 1 ? 1 : -1, sn = (a >> ((x + 1) % w)) & 1 ? 1 : -1;
    int sb = (b >> x) & 1 ? 1 : -1;
    e += sx * sn + sx * sb;
  }
  return e;
}

static void strip_transfer(double K, int w, strip_jet *t) {
  const int q = 1 << w;
  for (int a = 0; a < q; a++)
    for (int b = 0; b < q; b++) {
      double x = row_bonds((unsigned)a, (unsigned)b, w) - 2.0 * w, e = exp(K * x);
      t->m[0][a * q + b] = e;
      t->m[1][a * q + b] = x * e;
      t->m[2][a * q + b] = x * x * e;
    }
  t->log_scale = 0;
}

/* bond_mean and specific_heat of the w x len torus from Tr T^len, the
 * moments of B - 2N carried exactly. */
static int strip_thermo(double K, int w, int len, rgrbm_exact *e, const char *func) {
  const int q = 1 << w;
  const size_t qq = (size_t)q * (size_t)q; /* q <= STRIP_STATES_MAX: cannot overflow */
  strip_jet base = {{NULL}, 0}, acc = {{NULL}, 0};
  double *tmp; /* the 3 products of strip_mul, staged before they overwrite c */
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    for (int d = 0; d < 3; d++) RGRBM__WS_TAKE(&ws, base.m[d], qq);
    for (int d = 0; d < 3; d++) RGRBM__WS_TAKE(&ws, acc.m[d], qq);
    RGRBM__WS_TAKE(&ws, tmp, 3 * qq);
    if (!carving && rgrbm__ws_alloc(&ws, 0) != RGRBM_OK)
      return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate the %d x %d transfer matrix", q,
                         q);
  }
  strip_transfer(K, w, &base);
  int first = 1;
  for (unsigned n = (unsigned)len; n; n >>= 1) {
    if (n & 1) {
      if (first) {
        for (int d = 0; d < 3; d++) memcpy(acc.m[d], base.m[d], qq * sizeof *tmp);
        acc.log_scale = base.log_scale;
        first = 0;
      } else {
        strip_mul(&acc, &base, q, &acc, tmp);
      }
    }
    if (n > 1) strip_mul(&base, &base, q, &base, tmp);
  }
  double tr[3] = {0, 0, 0};
  for (int d = 0; d < 3; d++)
    for (int i = 0; i < q; i++) tr[d] += acc.m[d][i * q + i];
  rgrbm__ws_free(&ws);
  const double N = (double)w * (double)len, x = tr[1] / tr[0];
  e->bond_mean = 2 + x / N;
  e->specific_heat = K * K * ((tr[2] / tr[0] - x * x) / N);
  return RGRBM_OK;
}

/* ---- Kaufman ---------------------------------------------------------- */

/* x = m gamma / 2 and its first two derivatives in K. */
typedef struct arg3 {
  double x, dx, ddx;
} arg3;

/* gamma_l for l >= 1: cosh gamma = c - cos(pi l / n), c = cosh 2K coth 2K
 * = s + 1/s, written so that nothing overflows for K <= RGRBM_EXACT_SQUARE_MAX_K
 * (cosh^2 2K alone would from K = 177.4). */
static arg3 gamma_l(double K, int l, int n, int m) {
  double s = sinh(2 * K), ch = cosh(2 * K), r = ch / s;
  double c = s + 1 / s, dc = 2 * ch * (1 - 1 / (s * s));
  double ddc = 4 * s - 4 / s + 8 * r * r / s;
  double cg = c - cos(M_PI * (double)l / (double)n);
  double sg = cg < 1e100 ? sqrt(cg * cg - 1) : cg * sqrt((1 - 1 / cg) * (1 + 1 / cg));
  double g = acosh(cg), dg = dc / sg, ddg = (ddc - cg * dg * dg) / sg;
  return (arg3){0.5 * m * g, 0.5 * m * dg, 0.5 * m * ddg};
}

/* gamma_0 = 2K + ln tanh K, negative above T_c. */
static arg3 gamma_0(double K, int m) {
  double s = sinh(2 * K);
  double g = 2 * K + log(tanh(K)), dg = 2 + 2 / s, ddg = -4 * (cosh(2 * K) / s) / s;
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
 * through the g factors. The first derivatives (ln A_i)' are O(N) and nearly
 * equal: they are taken relative to the first term's, D, so that the second
 * derivative, a variance, is formed from the small differences instead of
 * cancelling squares of O(N) numbers ((ln F)'' is unchanged by the linear
 * shift, (ln F)' gains D back). */
static void sum_terms(const term t[4], arg3 x0, double *log_s, double *d1, double *d2) {
  double L = t[0].a.log, D = t[0].a.d;
  for (int i = 1; i < 4; i++) L = fmax(L, t[i].a.log);
  double s = 0, s1 = 0, s2 = 0;
  for (int i = 0; i < 4; i++) {
    double w = exp(t[i].a.log - L), da = t[i].a.d - D, dda = t[i].a.dd;
    s += w * t[i].g;
    s1 += w * (da * t[i].g + t[i].dg * x0.dx);
    s2 += w * ((dda + da * da) * t[i].g + 2 * da * t[i].dg * x0.dx + t[i].ddg * x0.dx * x0.dx +
               t[i].dg * x0.ddx);
  }
  *log_s = L + log(s);
  *d1 = D + s1 / s;
  *d2 = s2 / s - (s1 / s) * (s1 / s);
}

int rgrbm__exact_check_torus_sides(int lx, int ly, const char *func) {
  if (lx < 2 || lx > RGRBM_LATTICE_MAX_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx = %d, a side must be in 2..%d", lx,
                       RGRBM_LATTICE_MAX_SIDE);
  if (ly < 2 || ly > RGRBM_LATTICE_MAX_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, func, "ly = %d, a side must be in 2..%d", ly,
                       RGRBM_LATTICE_MAX_SIDE);
  return RGRBM_OK;
}

int rgrbm_exact_torus(int lx, int ly, double K, rgrbm_exact *out) {
  int rc = rgrbm__exact_check_out(out, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__exact_check_torus_sides(lx, ly, __func__);
  if (rc != RGRBM_OK) return rc;
  rc = check_coupling(K, __func__);
  if (rc != RGRBM_OK) return rc;
  int n = lx, m = ly;
  double N = (double)n * (double)m, s = sinh(2 * K);
  term t[4];
  kaufman_terms(K, n, m, t);
  double log_s, d1, d2;
  sum_terms(t, gamma_0(K, m), &log_s, &d1, &d2);
  rgrbm_exact e;
  rgrbm__exact_clear(&e);
  /* ln(2 sinh 2K) = 2K + ln(1 - e^{-4K}) */
  e.log_z_per_site = (log(0.5) + 0.5 * N * (2 * K + log1p(-exp(-4 * K))) + log_s) / N;
  const int w = lx < ly ? lx : ly, len = lx < ly ? ly : lx;
  if (K >= RGRBM__EXACT_SERIES_K && w <= STRIP_MAX_WIDTH) {
    rc = strip_thermo(K, w, len, &e, __func__);
    if (rc != RGRBM_OK) return rc;
  } else if (K >= WIDE_SERIES_K && w > STRIP_MAX_WIDTH) {
    low_t_series(K, &e.bond_mean, &e.specific_heat);
  } else {
    /* C cancels to O(e^{-8K}) from terms of O(e^{-4K}) here: a relative
     * error growing as DBL_EPSILON e^{4K}, at most 6.4e-11 (measured) below
     * WIDE_SERIES_K. */
    e.bond_mean = (N / tanh(2 * K) + d1) / N;
    e.specific_heat = K * K * (-2 * N / (s * s) + d2) / N;
  }
  if ((rc = rgrbm__exact_finish(&e, 2.0, __func__)) != RGRBM_OK) return rc;
  rgrbm__exact_write(out, &e);
  return RGRBM_OK;
}
