/* Monte Carlo RG on the 2D Ising model: Swendsen-Wang samples of an L x L
 * torus, 2 x 2 majority blocks, the leading even (thermal) and odd (magnetic)
 * exponents per level and per number of operators, with jackknife errors.
 * Exact 2D Ising values at K_c: y_t = 1, y_h = 15/8.
 *
 *   mcrg [K [L [samples [levels]]]]     defaults: K_c, 64, 20000, 3 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rgrbm.h"

static int fail(void) {
  fprintf(stderr, "%s\n", rgrbm_last_error());
  return 1;
}

/* One row of exponents (y) or eigenvalues (lambda) of k truncations. */
static void print_row(const char *name, const rgrbm_mcrg_exponent *e, int k, int lambda) {
  printf("  %-4s", name);
  for (int i = 0; i < k; i++)
    printf("  %7.4f +- %6.4f", lambda ? e[i].lambda : e[i].y, lambda ? e[i].lambda_err : e[i].y_err);
  printf("\n");
}

int main(int argc, char **argv) {
  double K = argc > 1 ? atof(argv[1]) : 0.5 * log(1 + sqrt(2.0));
  int L = argc > 2 ? atoi(argv[2]) : 64;
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.samples = argc > 3 ? (size_t)atol(argv[3]) : 20000;
  o.levels = argc > 4 ? atoi(argv[4]) : 3;
  rgrbm_lattice *lat = NULL;
  rgrbm_sampler *smp = NULL;
  rgrbm_rg *rg = NULL;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  if (rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC) ||
      rgrbm_lattice_set_couplings(lat, K, 0) ||
      rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, 2026) ||
      rgrbm_rg_create_block2d(&rg, L, L, 2, RGRBM_BLOCK_MAJORITY, 7) ||
      rgrbm_mcrg_run(smp, rg, &o, &r)) {
    int rc = fail();
    rgrbm_rg_destroy(rg);
    rgrbm_sampler_destroy(smp);
    rgrbm_lattice_destroy(lat);
    return rc;
  }
  printf("MCRG, %d x %d torus, K = %.10f, b = %d majority, %zu Swendsen-Wang samples\n", L, L, K,
         r.b, r.samples);
  printf("columns: the first 1, 2, ... operators of each parity\n");
  for (int n = 0; n < r.levels; n++) {
    printf("level %d\n", n + 1);
    const rgrbm_mcrg_exponent *even = r.even + (size_t)n * r.even_operators;
    const rgrbm_mcrg_exponent *odd = r.odd + (size_t)n * r.odd_operators;
    print_row("y_t", even, r.even_operators, 0);
    print_row("y_h", odd, r.odd_operators, 0);
    print_row("l_t", even, r.even_operators, 1);
    print_row("l_h", odd, r.odd_operators, 1);
  }
  rgrbm_mcrg_result_free(&r);
  rgrbm_rg_destroy(rg);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return 0;
}
