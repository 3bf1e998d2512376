/* Exhaustive enumeration of small lattices. The states are visited in Gray
 * code order, so each step flips one spin and updates the bond sum B and the
 * magnetization M by integers; the result is a histogram of (B, M), from
 * which every average follows exactly (weights summed in the log domain). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "exact.h"
#include "lattice.h"

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
  double log_z, b, e, ee, m, am, m2, m4;
} moments;

/* The (B, M) of histogram cell c. */
static void cell_values(size_t c, int n, double *B, double *M) {
  *B = (double)((long long)(c / (size_t)(n + 1)) - 2 * n);
  *M = (double)(2 * (long long)(c % (size_t)(n + 1)) - n);
}

static moments averages(const uint64_t *counts, int n, double K, double h) {
  moments r = {-INFINITY, 0, 0, 0, 0, 0, 0, 0};
  size_t cells = (size_t)(4 * n + 1) * (size_t)(n + 1);
  double B, M;
  for (size_t c = 0; c < cells; c++) {
    if (!counts[c]) continue;
    cell_values(c, n, &B, &M);
    r.log_z = rgrbm__log_add(r.log_z, log((double)counts[c]) + K * B + h * M);
  }
  for (size_t c = 0; c < cells; c++) {
    if (!counts[c]) continue;
    cell_values(c, n, &B, &M);
    double e = K * B + h * M /* -beta*H */, w = exp(log((double)counts[c]) + e - r.log_z), m = M / n;
    r.b += w * B;
    r.e += w * e;
    r.ee += w * e * e;
    r.m += w * m;
    r.am += w * fabs(m);
    r.m2 += w * m * m;
    r.m4 += w * m * m * m * m;
  }
  return r;
}

int rgrbm_exact_enumerate(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, double K, double h,
                          rgrbm_exact *out) {
  RGRBM_REQUIRE_NONNULL(out);
  int rc = rgrbm__check_shape(g, lx, ly, bc, __func__);
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
  histogram(&b, rgrbm__bond_sum(ones, g, lx, ly, bc), counts);
  moments r = averages(counts, n, K, h);
  rgrbm__free(counts);
  out->log_z_per_site = r.log_z / n;
  out->bond_mean = r.b / n;
  out->specific_heat = (r.ee - r.e * r.e) / n;
  out->magnetization = r.m;
  out->abs_magnetization = r.am;
  out->magnetization2 = r.m2;
  out->magnetization4 = r.m4;
  return RGRBM_OK;
}
