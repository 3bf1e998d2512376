/* Metropolis and heat bath on a 1024 x 1024 torus at K_c, one core: spin-flip
 * attempts per nanosecond of the library's checkerboard sweep on every kernel
 * level this CPU has (through rgrbm_cpu_set_mask), against a plain scalar
 * checkerboard loop (one float uniform and one table lookup per attempt) run
 * here on the same lattice. Goals: AVX2 >= 2 attempts/ns and >= 15x the
 * scalar loop; AVX-512 >= 4 attempts/ns. Each figure is the best of several
 * repetitions, in CPU time (the machine may be shared). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu.h"
#include "rgrbm.h"
#include "rng.h"

enum { L = 1024, REPEATS = 5, SWEEPS = 20 };

static const struct {
  const char *name;
  unsigned mask;
  rgrbm__isa isa;
  double goal; /* attempts/ns, 0 = none */
} levels[] = {
    {"generic", 0, RGRBM__ISA_GENERIC, 0},
    {"neon", RGRBM_CPU_FLAG_NEON, RGRBM__ISA_NEON, 0},
    {"avx2", RGRBM_CPU_FLAG_AVX2, RGRBM__ISA_AVX2, 2},
    {"avx512", RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512, RGRBM__ISA_AVX512, 4},
    {"avx512vbmi", RGRBM_CPU_FLAG_ALL, RGRBM__ISA_AVX512VBMI, 4},
};
enum { LEVELS = sizeof levels / sizeof levels[0] };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: the machine is shared */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void print_cpu_model(void) {
  char line[256], model[256] = "unknown (no /proc/cpuinfo model name)";
  FILE *f = fopen("/proc/cpuinfo", "r");
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) != 0 || colon == NULL) continue;
    snprintf(model, sizeof model, "%s", colon + 2);
    model[strcspn(model, "\n")] = '\0';
    break;
  }
  if (f != NULL) fclose(f);
  printf("CPU: %s; default kernel level: %s\n", model, rgrbm_cpu_level_name());
}

/* The reference: what a first implementation would write. Flip
 * probabilities by e = s * (sum of neighbours) / 2 + 2 (h = 0). */
static void scalar_sweep(int8_t *s, const float accept[5], rgrbm__rng *rng) {
  for (int colour = 0; colour < 2; colour++)
    for (int y = 0; y < L; y++)
      for (int x = (y + colour) & 1; x < L; x += 2) {
        int i = y * L + x;
        int n = s[y * L + (x + 1) % L] + s[y * L + (x + L - 1) % L] + s[((y + 1) % L) * L + x] +
                s[((y + L - 1) % L) * L + x];
        if (rgrbm__rng_float(rng) < accept[s[i] * n / 2 + 2]) s[i] = (int8_t)-s[i];
      }
}

static double scalar_rate(rgrbm_algorithm alg, const int8_t *start) {
  float accept[5];
  for (int e = 0; e < 5; e++) {
    double x = 2.0 * RGRBM_K_CRITICAL * 2 * (e - 2); /* the energy change of a flip */
    accept[e] = (float)(alg == RGRBM_METROPOLIS ? fmin(1.0, exp(-x)) : 1.0 / (1.0 + exp(x)));
  }
  int8_t *s = malloc((size_t)L * L);
  memcpy(s, start, (size_t)L * L);
  rgrbm__rng rng;
  rgrbm__rng_init(&rng, 3, 0);
  double best = 1e30;
  for (int r = 0; r < REPEATS; r++) {
    double t0 = now();
    scalar_sweep(s, accept, &rng);
    double t = now() - t0;
    if (t < best) best = t;
  }
  free(s);
  return (double)L * L / best / 1e9;
}

/* The library's rate at the current mask, from the configuration of lat. */
static double library_rate(rgrbm_lattice *lat, rgrbm_algorithm alg) {
  rgrbm_sampler *smp;
  if (rgrbm_sampler_create(&smp, lat, alg, 2) != RGRBM_OK) return 0;
  rgrbm_sampler_sweep(smp, 2);
  double best = 1e30;
  for (int r = 0; r < REPEATS; r++) {
    double t0 = now();
    rgrbm_sampler_sweep(smp, SWEEPS);
    double t = now() - t0;
    if (t < best) best = t;
  }
  rgrbm_sampler_destroy(smp);
  return SWEEPS * (double)L * L / best / 1e9;
}

static void bench(rgrbm_lattice *lat, rgrbm_algorithm alg, const char *name) {
  double ref = scalar_rate(alg, rgrbm_lattice_spins(lat));
  printf("%s, %d x %d torus, K = K_c, one thread\n", name, L, L);
  printf("  scalar loop : %.3f attempts/ns\n", ref);
  for (int i = 0; i < LEVELS; i++) {
    rgrbm_cpu_set_mask(levels[i].mask);
    if (rgrbm__cpu_isa() != levels[i].isa) continue;
    double rate = library_rate(lat, alg);
    printf("  %-11s : %.3f attempts/ns = %5.1fx the scalar loop", levels[i].name, rate, rate / ref);
    if (levels[i].goal > 0)
      printf("  (goal >= %.0f/ns%s: %s)", levels[i].goal,
             levels[i].isa == RGRBM__ISA_AVX2 ? " and >= 15x" : "",
             rate >= levels[i].goal && (levels[i].isa != RGRBM__ISA_AVX2 || rate >= 15 * ref)
                 ? "met"
                 : "NOT met");
    printf("\n");
  }
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
}

int main(void) {
  rgrbm_lattice *lat;
  if (rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC) != RGRBM_OK ||
      rgrbm_lattice_set_couplings(lat, RGRBM_K_CRITICAL, 0.0) != RGRBM_OK ||
      rgrbm_lattice_randomize(lat, 1) != RGRBM_OK) {
    fprintf(stderr, "setup failed: %s\n", rgrbm_last_error());
    return 1;
  }
  print_cpu_model();
  bench(lat, RGRBM_METROPOLIS, "Metropolis");
  bench(lat, RGRBM_HEAT_BATH, "Heat bath");
  double bond_mean = NAN;
  rgrbm_lattice_bond_mean(lat, &bond_mean);
  printf("bond mean after the runs: %.4f (sqrt 2 = 1.4142 in the infinite lattice)\n",
         bond_mean);
  rgrbm_lattice_destroy(lat);
  return 0;
}
