/* Metropolis on a 1024 x 1024 torus at K_c, one core: spin-flip attempts per
 * nanosecond of the library's vectorized checkerboard sweep, against a plain
 * scalar checkerboard loop (one float uniform and one table lookup per
 * attempt) run here on the same lattice. Goal: >= 2 attempts/ns and >= 15x.
 * Each figure is the best of several repetitions (the machine is shared). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rgrbm.h"
#include "rng.h"

enum { L = 1024, REPEATS = 5 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: the machine is shared */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The reference: what a first implementation would write. */
static void scalar_sweep(int8_t *s, double K, rgrbm__rng *rng) {
  float accept[5]; /* by s * (sum of neighbours) / 2 + 2 */
  for (int e = 0; e < 5; e++) accept[e] = (float)exp(-2.0 * K * 2 * (e - 2));
  for (int colour = 0; colour < 2; colour++)
    for (int y = 0; y < L; y++)
      for (int x = (y + colour) & 1; x < L; x += 2) {
        int i = y * L + x;
        int n = s[y * L + (x + 1) % L] + s[y * L + (x + L - 1) % L] + s[((y + 1) % L) * L + x] +
                s[((y + L - 1) % L) * L + x];
        if (rgrbm__rng_float(rng) < accept[s[i] * n / 2 + 2]) s[i] = (int8_t)-s[i];
      }
}

int main(void) {
  const double K = RGRBM_K_CRITICAL, attempts = (double)L * L;
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  if (rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC) != RGRBM_OK ||
      rgrbm_lattice_set_couplings(lat, K, 0.0) != RGRBM_OK ||
      rgrbm_lattice_randomize(lat, 1) != RGRBM_OK ||
      rgrbm_sampler_create(&smp, lat, RGRBM_METROPOLIS, 2) != RGRBM_OK) {
    fprintf(stderr, "setup failed: %s\n", rgrbm_last_error());
    return 1;
  }
  const long sweeps = 20;
  rgrbm_sampler_sweep(smp, 5);
  double best_lib = 1e30, best_ref = 1e30;
  rgrbm__rng rng;
  rgrbm__rng_init(&rng, 3, 0);
  int8_t *ref = malloc((size_t)L * L);
  memcpy(ref, rgrbm_lattice_spins(lat), (size_t)L * L);
  for (int r = 0; r < REPEATS; r++) {
    double t0 = now();
    rgrbm_sampler_sweep(smp, sweeps);
    double t1 = now();
    scalar_sweep(ref, K, &rng);
    scalar_sweep(ref, K, &rng);
    double t2 = now();
    if (t1 - t0 < best_lib) best_lib = t1 - t0;
    if ((t2 - t1) / 2 < best_ref) best_ref = (t2 - t1) / 2;
  }
  double lib_rate = sweeps * attempts / best_lib / 1e9, ref_rate = attempts / best_ref / 1e9;
  printf("Metropolis, %d x %d torus, K = K_c, one thread\n", L, L);
  printf("  library : %ld sweeps (%.3g attempts) in %.4f s = %.3f attempts/ns\n", sweeps,
         sweeps * attempts, best_lib, lib_rate);
  printf("  scalar  : 1 sweep in %.4f s = %.3f attempts/ns\n", best_ref, ref_rate);
  printf("  ratio   : %.1fx (goal >= 15x); goal >= 2 attempts/ns: %s\n", lib_rate / ref_rate,
         lib_rate >= 2.0 ? "met" : "NOT met");
  printf("  bond mean after the run: %.4f (sqrt 2 = 1.4142 in the infinite lattice)\n",
         rgrbm_lattice_bond_mean(lat));
  free(ref);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return 0;
}
