/* The MCRG operators: translation-invariant sums of spin products on a
 * periodic lattice. Each is a list of terms (sets of offsets); the spins are
 * first copied into a frame with a wrapped halo so that every product reads
 * fixed offsets without modular arithmetic. */
#include "mcrg.h"

#include <string.h>

enum { MAX_TERMS = 4, MAX_SPINS = 4 };

typedef struct {
  int spins;
  int d[MAX_SPINS][2]; /* (dx, dy) */
} term;

typedef struct {
  int terms;
  term t[MAX_TERMS];
} operator_def;

/* Ordered as Swendsen's: the short-range couplings first, so that truncating
 * to the first k operators keeps the most relevant ones. */
static const operator_def operators[RGRBM_MCRG_EVEN + RGRBM_MCRG_ODD] = {
    /* even: nearest neighbours */
    {2, {{2, {{0, 0}, {1, 0}}}, {2, {{0, 0}, {0, 1}}}}},
    /* next-nearest (diagonal) */
    {2, {{2, {{0, 0}, {1, 1}}}, {2, {{0, 0}, {1, -1}}}}},
    /* third neighbours, distance 2 */
    {2, {{2, {{0, 0}, {2, 0}}}, {2, {{0, 0}, {0, 2}}}}},
    /* plaquette */
    {1, {{4, {{0, 0}, {1, 0}, {0, 1}, {1, 1}}}}},
    /* distance sqrt 5 */
    {4, {{2, {{0, 0}, {2, 1}}}, {2, {{0, 0}, {1, 2}}}, {2, {{0, 0}, {2, -1}}}, {2, {{0, 0}, {1, -2}}}}},
    /* distance 2 sqrt 2 */
    {2, {{2, {{0, 0}, {2, 2}}}, {2, {{0, 0}, {2, -2}}}}},
    /* odd: magnetization */
    {1, {{1, {{0, 0}}}}},
    /* three spins of a plaquette, four orientations */
    {4,
     {{3, {{0, 0}, {1, 0}, {0, 1}}},
      {3, {{0, 0}, {1, 0}, {1, 1}}},
      {3, {{0, 0}, {0, 1}, {1, 1}}},
      {3, {{1, 0}, {0, 1}, {1, 1}}}}},
    /* three in a row or a column */
    {2, {{3, {{-1, 0}, {0, 0}, {1, 0}}}, {3, {{0, -1}, {0, 0}, {0, 1}}}}},
    /* three on a diagonal */
    {2, {{3, {{-1, -1}, {0, 0}, {1, 1}}}, {3, {{-1, 1}, {0, 0}, {1, -1}}}}},
};

/* Copy an lx x ly configuration into the framed buffer with wrapped halos. */
static void fill_frame(const int8_t *spins, int lx, int ly, int8_t *frame) {
  const int w = lx + 2 * RGRBM__MCRG_HALO;
  for (int fy = 0; fy < ly + 2 * RGRBM__MCRG_HALO; fy++) {
    int y = ((fy - RGRBM__MCRG_HALO) % ly + ly) % ly;
    for (int fx = 0; fx < w; fx++) {
      int x = ((fx - RGRBM__MCRG_HALO) % lx + lx) % lx;
      frame[fy * w + fx] = spins[y * lx + x];
    }
  }
}

/* Sum over sites of one product of spins at fixed frame offsets. */
static long term_sum(const int8_t *frame, int lx, int ly, const term *t) {
  const int w = lx + 2 * RGRBM__MCRG_HALO;
  long off[MAX_SPINS] = {0, 0, 0, 0};
  for (int k = 0; k < t->spins; k++) off[k] = (long)t->d[k][1] * w + t->d[k][0];
  long sum = 0;
  for (int y = 0; y < ly; y++) {
    const int8_t *row = frame + (long)(y + RGRBM__MCRG_HALO) * w + RGRBM__MCRG_HALO;
    for (int x = 0; x < lx; x++) {
      const int8_t *p = row + x;
      int prod = p[off[0]];
      for (int k = 1; k < t->spins; k++) prod *= p[off[k]];
      sum += prod;
    }
  }
  return sum;
}

size_t rgrbm__mcrg_frame_size(int lx, int ly) {
  return (size_t)(lx + 2 * RGRBM__MCRG_HALO) * (size_t)(ly + 2 * RGRBM__MCRG_HALO);
}

void rgrbm__mcrg_measure(const int8_t *spins, int lx, int ly, int n_even, int n_odd,
                         int8_t *frame, double *out) {
  fill_frame(spins, lx, ly, frame);
  int k = 0;
  for (int a = 0; a < RGRBM_MCRG_EVEN + RGRBM_MCRG_ODD; a++) {
    if ((a < RGRBM_MCRG_EVEN && a >= n_even) || a >= RGRBM_MCRG_EVEN + n_odd) continue;
    long sum = 0;
    for (int t = 0; t < operators[a].terms; t++) sum += term_sum(frame, lx, ly, &operators[a].t[t]);
    out[k++] = (double)sum;
  }
}
