/* The exact RG flow of the 1D Ising chain under decimation, and the check
 * that the free energy summed along the flow is the transfer-matrix value.
 *
 *   decimation1d [K [h [b [steps]]]]      defaults: K = 1, h = 0.1, b = 2, 60 steps
 *
 * At h = 0 the correlation length xi = -1 / ln tanh K is printed too: it
 * shrinks by exactly b at each step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rgrbm.h"

int main(int argc, char **argv) {
  double K = argc > 1 ? atof(argv[1]) : 1.0;
  double h = argc > 2 ? atof(argv[2]) : 0.1;
  int b = argc > 3 ? atoi(argv[3]) : 2;
  int steps = argc > 4 ? atoi(argv[4]) : 60;
  double *kf = malloc((steps > 0 ? steps : 1) * 3 * sizeof *kf);
  if (kf == NULL) return 1;
  double *hf = kf + (steps > 0 ? steps : 1), *gf = hf + (steps > 0 ? steps : 1);
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
