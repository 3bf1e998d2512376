/* Embedded configurations. The paper fixes the lattice, K, the sample count,
 * the sizes, CD-1, L1 = 2e-4 and 200 epochs; the rest is chosen here and
 * justified in paper2d_config_describe() (printed by --help and the report). */
#include "config.h"

#include <string.h>

static void set_common(paper2d_config *c) {
  c->K = 0.408;
  c->pilot_thermalize = 2000;
  c->spacing_taus = 3.0;
  c->nlevels = 4;
  c->units = RGRBM_UNITS_SPIN;
  c->l1 = 2e-4;
  c->momentum_initial = 0.5;
  c->momentum_final = 0.9;
  c->momentum_switch_epoch = 5;
  c->feed_up = RGRBM_PASS_MEANS;
  c->seed = 1410383;
  /* OpenBLAS threads: only the upper layers' sgemm calls (batch 500 x 400 x
   * 100 and smaller) use them, and OpenBLAS's spinning threads made those
   * layers 2-3 times slower than one thread on a busy 2-core machine. */
  c->threads = 1;
  c->out_dir = "paper2d-out";
}

void paper2d_config_default(paper2d_config *c) {
  memset(c, 0, sizeof *c);
  set_common(c);
  c->name = "default";
  c->side = 40;
  c->samples = 20000;
  c->pilot_samples = 20000;
  const int sizes[] = {1600, 400, 100, 25};
  memcpy(c->sizes, sizes, sizeof sizes);
  c->epochs = 200;
  c->batch_size = 500;
  c->learning_rate = 0.02;
}

void paper2d_config_quick(paper2d_config *c) {
  memset(c, 0, sizeof *c);
  set_common(c);
  c->name = "quick";
  c->side = 16;
  c->samples = 2000;
  c->pilot_samples = 4000;
  c->pilot_thermalize = 500;
  const int sizes[] = {256, 64, 16, 4};
  memcpy(c->sizes, sizes, sizeof sizes);
  c->epochs = 30;
  c->batch_size = 100; /* 2,000 samples: keep 20 updates an epoch */
  c->learning_rate = 0.02;
}

int paper2d_block_side(int level) { return 1 << level; }

int paper2d_config_check(const paper2d_config *c, char *why, size_t len) {
  if (c->side < 2 || c->nlevels < 2 || c->nlevels > PAPER2D_MAX_LEVELS) {
    snprintf(why, len, "lattice side %d or %d levels out of range", c->side, c->nlevels);
    return -1;
  }
  for (int l = 0; l < c->nlevels; l++) {
    int b = paper2d_block_side(l), coarse = c->side / b;
    if (c->side % b != 0 || c->sizes[l] != coarse * coarse) {
      snprintf(why, len, "level %d has %d units; block-spin RG with b = %d on %d x %d needs %d",
               l, c->sizes[l], b, c->side, c->side, coarse * coarse);
      return -1;
    }
  }
  if (c->samples < 20 || c->epochs < 1 || c->batch_size < 1) {
    snprintf(why, len, "need at least 20 samples, 1 epoch and a batch of 1");
    return -1;
  }
  return 0;
}

void paper2d_config_describe(const paper2d_config *c, FILE *f, const char *in) {
  fprintf(f, "%slattice: %d x %d periodic Ising, K = %.4f (K_c = 0.4407): the paper's point\n",
          in, c->side, c->side, c->K);
  fprintf(f, "%ssamples: %zu Wolff configurations, spaced by %.0f x the larger tau_int of\n"
          "%s  |m| and the energy, measured on a pilot run of %zu consecutive clusters\n",
          in, c->samples, c->spacing_taus, in, c->pilot_samples);
  fprintf(f, "%sstack:", in);
  for (int l = 0; l < c->nlevels; l++) fprintf(f, "%s%d", l ? "-" : " ", c->sizes[l]);
  fprintf(f, ", trained greedily, CD-1, L1 = %g, %d epochs a layer\n", c->l1, c->epochs);
  fprintf(f, "%sunits: %s: the data are -1/+1 spins, and with spin units the RBM family\n"
          "%s  keeps the spin-flip symmetry, so a coarse spin is the sign of a unit's mean\n",
          in, c->units == RGRBM_UNITS_SPIN ? "spin {-1,+1}" : "binary {0,1}", in);
  fprintf(f, "%sbatch %zu (%zu updates an epoch): the batch products cost less per row with\n"
          "%s  500 rows than with 100 (sgemm, used above layer 0 where the data arrive as\n"
          "%s  means: 1.6-3x on 2 cores; the group tables of layer 0: each table serves 5x\n"
          "%s  the rows), which helps 3 x 200 epochs fit in a few minutes; 200 epochs\n"
          "%s  still give 8,000 updates a layer\n",
          in, c->batch_size, (c->samples + c->batch_size - 1) / c->batch_size, in, in, in, in);
  fprintf(f, "%slearning rate %g: with batch 500 and momentum 0.9, 0.05 stalled (error flat\n"
          "%s  at 0.59 for 12 epochs) while 0.02 kept decreasing; 0.01 is Hinton's\n"
          "%s  value for batch 100, and a larger batch averages the gradient's noise away\n",
          in, c->learning_rate, in, in);
  fprintf(f, "%smomentum %.1f, then %.1f from epoch %d: Hinton's schedule (fast early\n"
          "%s  progress without the oscillation high momentum causes at the start)\n",
          in, c->momentum_initial, c->momentum_final, c->momentum_switch_epoch, in);
  fprintf(f, "%sfeed-up: %s, deterministic, so a layer sees the smooth image of the data\n"
          "%s  and no sampling noise is added to what it learns\n",
          in, c->feed_up == RGRBM_PASS_MEANS ? "conditional means" : "samples", in);
  fprintf(f, "%sseed: %llu (fixed: the whole run is a function of it)\n", in,
          (unsigned long long)c->seed);
}
