/* Wolff at K_c: spins added per second on 256^2 and 1024^2 tori, and the
 * integrated autocorrelation time of the energy per unit of work (N spin
 * flips for Wolff, one sweep = N attempts for Metropolis) on 256^2, measured
 * in the same run for both. Series are short (the machine is shared), so
 * the tau figures are indicative, not precise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rgrbm.h"
#include "sampler.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: the machine is shared */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int setup(int L, rgrbm_algorithm alg, rgrbm_lattice **lat, rgrbm_sampler **smp) {
  if (rgrbm_lattice_create(lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC) != RGRBM_OK ||
      rgrbm_lattice_set_couplings(*lat, RGRBM_K_CRITICAL, 0.0) != RGRBM_OK ||
      rgrbm_sampler_create(smp, *lat, alg, 9) != RGRBM_OK) {
    fprintf(stderr, "setup failed: %s\n", rgrbm_last_error());
    return 1;
  }
  return 0;
}

/* Energy after each of n steps of `per` sweeps; returns seconds spent sweeping. */
static double energy_series(rgrbm_sampler *smp, rgrbm_lattice *lat, size_t n, double *e) {
  double t = 0;
  for (size_t i = 0; i < n; i++) {
    double t0 = now();
    rgrbm_sampler_sweep(smp, 1);
    t += now() - t0;
    rgrbm_lattice_energy(lat, &e[i]);
  }
  return t;
}

int main(void) {
  /* The level only moves the random-byte pool's Philox (lib/x86/philox_*.c). */
  printf("Wolff single-cluster updates at K = K_c, one thread; kernel level %s\n",
         rgrbm_cpu_level_name());
  const int sides[] = {256, 1024};
  const long clusters[] = {400, 60};
  for (int k = 0; k < 2; k++) {
    rgrbm_lattice *lat;
    rgrbm_sampler *smp;
    if (setup(sides[k], RGRBM_WOLFF, &lat, &smp)) return 1;
    rgrbm_sampler_sweep(smp, clusters[k]); /* from the ordered start */
    uint64_t f0 = rgrbm__wolff_flipped(smp);
    double t0 = now();
    rgrbm_sampler_sweep(smp, clusters[k]);
    double t = now() - t0, spins = (double)(rgrbm__wolff_flipped(smp) - f0);
    printf("  %4d^2: %ld clusters, %.3g spins added in %.3f s = %.1f Mspins/s (mean cluster %.3g "
           "= %.2f N)\n",
           sides[k], clusters[k], spins, t, spins / t / 1e6, spins / (double)clusters[k],
           spins / (double)clusters[k] / ((double)sides[k] * sides[k]));
    rgrbm_sampler_destroy(smp);
    rgrbm_lattice_destroy(lat);
  }

  const int L = 256;
  const double N = (double)L * L;
  const size_t nw = 3000, nm = 5000;
  double *e = malloc((nw > nm ? nw : nm) * sizeof *e), tau_w, tau_m;
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  if (setup(L, RGRBM_WOLFF, &lat, &smp)) return 1;
  rgrbm_sampler_sweep(smp, 300);
  uint64_t f0 = rgrbm__wolff_flipped(smp);
  double tw = energy_series(smp, lat, nw, e);
  double per_cluster = (double)(rgrbm__wolff_flipped(smp) - f0) / (double)nw / N;
  rgrbm_series_tau_int(e, nw, &tau_w);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  if (setup(L, RGRBM_METROPOLIS, &lat, &smp)) return 1;
  rgrbm_sampler_sweep(smp, 2000);
  double tm = energy_series(smp, lat, nm, e);
  rgrbm_series_tau_int(e, nm, &tau_m);
  double work_w = tau_w * per_cluster, sec_w = tw / nw / per_cluster, sec_m = tm / nm;
  printf("  256^2 energy tau_int, in units of N spin operations:\n");
  printf("    Wolff     : %.3g clusters x %.3f N per cluster = %.3g N  (%.3g ms per N flips)\n",
         tau_w, per_cluster, work_w, 1e3 * sec_w);
  printf("    Metropolis: %.3g sweeps = %.3g N                      (%.3g ms per sweep)\n", tau_m,
         tau_m, 1e3 * sec_m);
  printf("    work ratio Metropolis / Wolff = %.1fx; time per independent energy sample "
         "Metropolis / Wolff = %.1fx\n",
         tau_m / work_w, (tau_m * sec_m) / (work_w * sec_w));
  free(e);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return 0;
}
