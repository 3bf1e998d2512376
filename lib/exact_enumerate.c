/* Exhaustive enumeration of small lattices. The states are visited in Gray
 * code order, so each step flips one spin and updates the bond sum B and the
 * magnetization M by integers; the result is a histogram of (B, M), from
 * which every average follows exactly (weights summed in the log domain). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "fail.h"
#include "exact.h"
#include "lattice.h"
#include "versioned.h"

enum { MAXN = RGRBM_EXACT_ENUMERATE_MAX_SITES };

typedef struct bonds {
  int n, count[MAXN];
  int nb[MAXN][4]; /* neighbours with multiplicity, self-bonds left out */
} bonds;

static void add_bond(bonds *b, int i, int j) {
  if (i == j) return; /* s_i s_i = 1 whatever the state */
  b->nb[i][b->count[i]++] = j;
  b->nb[j][b->count[j]++] = i;
}

static void build_bonds(bonds *b, rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc) {
  memset(b, 0, sizeof *b);
  b->n = lx * ly;
  int wrap = bc == RGRBM_PERIODIC;
  for (int y = 0; y < ly; y++)
    for (int x = 0; x < lx; x++) {
      int i = y * lx + x;
      if (x + 1 < lx || wrap) add_bond(b, i, y * lx + (x + 1) % lx);
      if (g == RGRBM_SQUARE && (y + 1 < ly || wrap)) add_bond(b, i, ((y + 1) % ly) * lx + x);
    }
}

/* counts[(B + 2N) * (N + 1) + (M + N) / 2] over all states. */
static void histogram(const bonds *b, long long b0, uint64_t *counts) {
  int n = b->n, s[MAXN];
  for (int i = 0; i < n; i++) s[i] = 1;
  long long B = b0, M = n;
  counts[(B + 2 * n) * (n + 1) + (M + n) / 2]++;
  for (uint64_t step = 1; step < (UINT64_C(1) << n); step++) {
    int j = __builtin_ctzll(step), local = 0;
    for (int k = 0; k < b->count[j]; k++) local += s[b->nb[j][k]];
    B -= 2 * s[j] * local;
    M -= 2 * s[j];
    s[j] = -s[j];
    counts[(B + 2 * n) * (n + 1) + (M + n) / 2]++;
  }
}

typedef struct moments {
  double log_z, b, var_e, m, am, m2, m4;
} moments;

/* The (B, M) of histogram cell c. */
static void cell_values(size_t c, int n, double *B, double *M) {
  *B = (double)((long long)(c / (size_t)(n + 1)) - 2 * n);
  *M = (double)(2 * (long long)(c % (size_t)(n + 1)) - n);
}

/* The occupied cell of largest -beta*H = K B + h M: weights are taken
 * relative to it, from integer differences of (B, M), so that no weight
 * exceeds its count and none is the difference of two huge exponents (at
 * K = 1e300, K B - ln Z loses every digit). */
static size_t heaviest_cell(const uint64_t *counts, size_t cells, int n, double K, double h) {
  size_t best = cells;
  double best_e = 0, B, M;
  for (size_t c = 0; c < cells; c++) {
    if (!counts[c]) continue;
    cell_values(c, n, &B, &M);
    double e = K * B + h * M;
    if (best == cells || e > best_e) best = c, best_e = e;
  }
  return best;
}

/* Every average is a weighted mean with weights in [0, count], so means stay
 * inside the range of their cells (|m| <= 1, bond_mean <= its maximum), and
 * the variance of -beta*H is a second pass of squared deviations from the
 * mean: never negative, no cancellation at low temperature. */
static moments averages(const uint64_t *counts, int n, double K, double h) {
  moments r = {0, 0, 0, 0, 0, 0, 0};
  const size_t cells = (size_t)(4 * n + 1) * (size_t)(n + 1);
  const size_t top = heaviest_cell(counts, cells, n, K, h);
  double B0, M0, B, M, z = 0;
  cell_values(top, n, &B0, &M0);
  for (size_t c = 0; c < cells; c++) {
    if (!counts[c]) continue;
    cell_values(c, n, &B, &M);
    double w = (double)counts[c] * exp(K * (B - B0) + h * (M - M0)), m = M / n;
    z += w;
    r.b += w * B;
    r.m += w * m;
    r.am += w * fabs(m);
    r.m2 += w * m * m;
    r.m4 += w * m * m * m * m;
  }
  r.b /= z;
  r.m /= z;
  r.am /= z;
  r.m2 /= z;
  r.m4 /= z;
  for (size_t c = 0; c < cells; c++) {
    if (!counts[c]) continue;
    cell_values(c, n, &B, &M);
    double w = (double)counts[c] * exp(K * (B - B0) + h * (M - M0));
    if (w == 0) continue; /* also keeps 0 * inf out of the sum */
    double d = K * (B - r.b) + h * (M - n * r.m);
    r.var_e += w * d * d;
  }
  r.var_e /= z;
  /* ln Z / n = (K B0 + h M0) / n + ln z / n, each part finite when K, h are */
  r.log_z = K * (B0 / n) + h * (M0 / n) + log(z) / n;
  return r;
}

int rgrbm_exact_enumerate(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, double K, double h,
                          rgrbm_exact *out) {
  int rc = rgrbm__exact_check_out(out, __func__);
  if (rc != RGRBM_OK) return rc;
  rc = rgrbm__check_shape(g, lx, ly, bc, __func__);
  if (rc != RGRBM_OK) return rc;
  if ((long long)lx * ly > MAXN)
    return rgrbm__fail(RGRBM_EINVAL, __func__,
                       "lx * ly = %d * %d sites, enumeration takes at most %d", lx, ly, MAXN);
  if ((rc = rgrbm__check_couplings(K, h, __func__)) != RGRBM_OK) return rc;
  bonds b;
  build_bonds(&b, g, lx, ly, bc);
  int n = b.n;
  int8_t ones[MAXN];
  memset(ones, 1, sizeof ones);
  size_t cells = (size_t)(4 * n + 1) * (size_t)(n + 1);
  uint64_t *counts = rgrbm__calloc(cells, sizeof *counts);
  if (counts == NULL) return RGRBM_FAIL_NOMEM("the energy histogram", cells * sizeof *counts);
  const long long max_bonds = rgrbm__bond_sum(ones, g, lx, ly, bc);
  histogram(&b, max_bonds, counts);
  moments r = averages(counts, n, K, h);
  rgrbm__free(counts);
  rgrbm_exact e;
  rgrbm__exact_clear(&e);
  e.log_z_per_site = r.log_z;
  e.bond_mean = r.b / n;
  e.specific_heat = r.var_e / n;
  e.magnetization = r.m;
  e.abs_magnetization = r.am;
  e.magnetization2 = r.m2;
  e.magnetization4 = r.m4;
  if ((rc = rgrbm__exact_finish(&e, (double)max_bonds / n, __func__)) != RGRBM_OK) return rc;
  rgrbm__exact_write(out, &e);
  return RGRBM_OK;
}
