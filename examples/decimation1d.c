/* The exact RG flow of the 1D Ising chain under decimation, and the check
 * that the free energy summed along the flow is the transfer-matrix value.
 *
 *   decimation1d [K [h [b [steps]]]]      defaults: K = 1, h = 0.1, b = 2, 60 steps
 *   decimation1d --help
 *
 * At h = 0 the correlation length xi = -1 / ln tanh K is printed too: it
 * shrinks by exactly b at each step. Deterministic: no random numbers, so
 * no --seed. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "rgrbm.h"

typedef struct decimation_args {
  double K, h;
  int b, steps;
} decimation_args;

static void usage(const char *prog, const decimation_args *d) {
  printf("Usage: %s [K [h [b [steps]]]]\n\n"
         "The exact RG flow of the 1D Ising chain under decimation (keep every b-th spin):\n"
         "the couplings K and h and the constant g per site after each step, and the check\n"
         "that ln Z / N summed along the flow equals the transfer-matrix value. At h = 0\n"
         "the correlation length xi = -1 / ln tanh K is printed too: it shrinks by exactly\n"
         "b at each step. Exact and deterministic (no random numbers, hence no --seed).\n\n"
         "Arguments (numbers, negative ones included):\n"
         "  K          nearest-neighbour coupling J/kT (default %g)\n"
         "  h          field h/kT (default %g)\n"
         "  b          decimation factor, at least 2 (default %d)\n"
         "  steps      RG steps, at least 1 (default %d)\n\n"
         "Options:\n"
         "  -h, --help print this text and exit\n",
         prog, d->K, d->h, d->b, d->steps);
}

/* CLI_RUN with *a filled, CLI_HELP (usage printed) or CLI_USAGE (reported). */
static int parse_args(int argc, char **argv, decimation_args *a) {
  const char *pos[4];
  int n;
  int rc = cli_parse_small(argc, argv, NULL, pos, 4, &n);
  if (rc == CLI_HELP) usage(argv[0], a);
  if (rc != CLI_RUN) return rc;
  if (n > 0 && cli_double(pos[0], &a->K) != 0)
    return cli_usage_error(argv[0], "K: not a finite number: '%s'", pos[0]);
  if (n > 1 && cli_double(pos[1], &a->h) != 0)
    return cli_usage_error(argv[0], "h: not a finite number: '%s'", pos[1]);
  if (n > 2 && cli_int(pos[2], 2, INT_MAX, &a->b) != 0)
    return cli_usage_error(argv[0], "b: not an integer in 2..%d: '%s'", INT_MAX, pos[2]);
  if (n > 3 && cli_int(pos[3], 1, INT_MAX, &a->steps) != 0)
    return cli_usage_error(argv[0], "steps: not an integer in 1..%d: '%s'", INT_MAX, pos[3]);
  return CLI_RUN;
}

int main(int argc, char **argv) {
  decimation_args a = {1.0, 0.1, 2, 60};
  int parsed = parse_args(argc, argv, &a);
  if (parsed != CLI_RUN) return parsed == CLI_HELP ? 0 : CLI_USAGE;
  double K = a.K, h = a.h;
  int b = a.b, steps = a.steps;
  size_t rows = (size_t)steps;
  double *kf = malloc(rows * 3 * sizeof *kf);
  if (kf == NULL) {
    fprintf(stderr, "%s: out of memory for %d steps\n", argv[0], steps);
    return 1;
  }
  double *hf = kf + rows, *gf = hf + rows;
  if (rgrbm_decimation1d_flow(K, h, b, steps, kf, hf, gf) != RGRBM_OK) {
    fprintf(stderr, "%s\n", rgrbm_last_error());
    free(kf);
    return 1;
  }
  printf("decimation of the 1D Ising chain, b = %d\n", b);
  printf("%5s %22s %22s %22s %14s\n", "step", "K", "h", "g (per site)", h == 0 ? "xi" : "");
  printf("%5d %22.15g %22.15g %22s %14.6g\n", 0, K, h, "", h == 0 ? -1 / log(tanh(K)) : NAN);
  double f = 0, weight = 1;
  for (int n = 0; n < steps; n++, weight /= b) {
    f += weight * gf[n];
    if (n < 12 || n == steps - 1)
      printf("%5d %22.15g %22.15g %22.15g %14.6g\n", n + 1, kf[n], hf[n], gf[n],
             h == 0 && kf[n] > 0 ? -1 / log(tanh(kf[n])) : NAN);
    else if (n == 12)
      printf("  ...\n");
  }
  double exact = log(exp(K) * cosh(h) + sqrt(exp(2 * K) * sinh(h) * sinh(h) + exp(-2 * K)));
  printf("\nln Z / N summed along the flow: %.15f\n", f);
  printf("ln lambda_+ (transfer matrix):  %.15f\n", exact);
  printf("difference:                     %.3g\n", f - exact);
  free(kf);
  return 0;
}
