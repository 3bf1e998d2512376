/* The 1D chain with field by its transfer matrix
 * T(s, s') = exp(K s s' + h (s + s') / 2). Z = Tr T^n (periodic) or
 * Tr(T^{n-1} U) with U(s', s) = exp(h (s + s') / 2) (open). To get <B>, <M>
 * and the variances exactly, each matrix carries its first and second
 * derivatives in (K, h) (a second-order jet), and products follow the Leibniz
 * rule. Powers go by repeated squaring; every product is rescaled by its
 * largest entry and the scale kept as a logarithm, so any n stays finite. */
#include <math.h>
#include <string.h>

#include "error.h"
#include "exact.h"
#include "lattice.h"

enum { D0, DK, DH, DKK, DKH, DHH, JET };

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
      [DKK] = {{DKK, D0}, {DK, DK}, {D0, DKK}},
      [DKH] = {{DKH, D0}, {DK, DH}, {DH, DK}, {D0, DKH}},
      [DHH] = {{DHH, D0}, {DH, DH}, {D0, DHH}},
  };
  static const double weight[JET][4] = {
      [D0] = {1}, [DK] = {1, 1}, [DH] = {1, 1}, [DKK] = {1, 2, 1}, [DKH] = {1, 1, 1, 1},
      [DHH] = {1, 2, 1}};
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

/* exp(K a + h b) with its derivatives, at entry (i, j) of every order. */
static void jet_entry(jet *j, int i, int k, double K, double h, double a, double b) {
  double e = exp(K * a + h * b);
  j->m[D0][i][k] = e;
  j->m[DK][i][k] = a * e;
  j->m[DH][i][k] = b * e;
  j->m[DKK][i][k] = a * a * e;
  j->m[DKH][i][k] = a * b * e;
  j->m[DHH][i][k] = b * b * e;
}

static void transfer(jet *t, double K, double h, double bond_weight) {
  memset(t, 0, sizeof *t);
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 2; k++) {
      double s = i ? 1 : -1, sp = k ? 1 : -1;
      jet_entry(t, i, k, K, h, bond_weight * s * sp, (s + sp) / 2);
    }
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

int rgrbm_exact_chain(int n, double K, double h, rgrbm_boundary bc, rgrbm_exact *out) {
  RGRBM_REQUIRE_NONNULL(out);
  if (n < 1) return rgrbm__fail(RGRBM_EINVAL, __func__, "n = %d, a chain needs at least 1 site", n);
  int rc = rgrbm__check_couplings(K, h, __func__);
  if (rc != RGRBM_OK) return rc;
  if (bc != RGRBM_PERIODIC && bc != RGRBM_OPEN)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "bc = %d, expected RGRBM_PERIODIC or RGRBM_OPEN",
                       (int)bc);
  jet t, p, end;
  transfer(&t, K, h, 1.0);
  if (bc == RGRBM_PERIODIC) {
    jet_power(&t, (unsigned)n, &p);
  } else {
    jet_power(&t, (unsigned)n - 1, &p);
    transfer(&end, K, h, 0.0); /* U: the field of both ends, no bond */
    jet_mul(&p, &end, &p);
  }
  double tr[JET];
  for (int d = 0; d < JET; d++) tr[d] = p.m[d][0][0] + p.m[d][1][1];
  double N = n, bK = tr[DK] / tr[D0], mh = tr[DH] / tr[D0];
  double varB = tr[DKK] / tr[D0] - bK * bK, varM = tr[DHH] / tr[D0] - mh * mh;
  double cov = tr[DKH] / tr[D0] - bK * mh;
  rgrbm__exact_clear(out);
  out->log_z_per_site = (log(tr[D0]) + p.log_scale) / N;
  out->bond_mean = bK / N;
  out->magnetization = mh / N;
  out->specific_heat = (K * K * varB + 2 * K * h * cov + h * h * varM) / N;
  return RGRBM_OK;
}

void rgrbm__exact_clear(rgrbm_exact *out) {
  out->log_z_per_site = out->bond_mean = out->specific_heat = out->magnetization = NAN;
  out->abs_magnetization = out->magnetization2 = out->magnetization4 = NAN;
}

double rgrbm__log_add(double a, double b) {
  if (a < b) {
    double t = a;
    a = b;
    b = t;
  }
  return b == -INFINITY ? a : a + log1p(exp(b - a));
}
