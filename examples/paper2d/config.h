/* The experiment's parameters: the embedded default (the paper's run) and
 * the reduced --quick variant, plus their description for --help and the
 * report. */
#ifndef PAPER2D_CONFIG_H
#define PAPER2D_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rgrbm.h"

enum { PAPER2D_MAX_LEVELS = 8, PAPER2D_RECONSTRUCTIONS = 3 };

typedef struct paper2d_config {
  const char *name;       /* "default" or "quick" */
  int side;               /* L of the L x L periodic lattice */
  double K;               /* J / kT */
  size_t samples;         /* configurations in the data set */
  size_t pilot_samples;   /* consecutive Wolff sweeps measured for tau_int */
  long pilot_thermalize;  /* Wolff sweeps before the pilot */
  double spacing_taus;    /* production spacing in units of the larger tau_int */
  int nlevels;            /* levels of the stack, visible included */
  int sizes[PAPER2D_MAX_LEVELS];
  rgrbm_units units;
  int epochs;             /* per layer */
  int study_epochs;       /* per configuration of --study (study.h) */
  size_t batch_size;
  const char *batch_why;  /* the reason for batch_size, printed by describe() */
  double learning_rate;
  const char *learning_rate_why;
  double momentum_initial, momentum_final;
  int momentum_switch_epoch;
  const char *units_why;  /* the reason for units (a departure from the paper is measured) */
  double l1;
  const char *l1_why;
  rgrbm_pass feed_up;
  uint64_t seed;          /* every random number of the run derives from it */
  int threads;            /* OpenBLAS threads, 0 = OpenBLAS's choice */
  const char *out_dir;
} paper2d_config;

/* The paper's experiment: 40 x 40 at K = 0.408, 20,000 samples, 1600-400-100-25. */
void paper2d_config_default(paper2d_config *c);

/* The same pipeline on a 16 x 16 lattice with a 256-64-16-4 stack: seconds. */
void paper2d_config_quick(paper2d_config *c);

/* Block side 2^level of block-spin RG matched to stack level `level`. */
int paper2d_block_side(int level);

/* Check the sizes against the lattice (each level a square 2^l finer grid). */
int paper2d_config_check(const paper2d_config *c, char *why, size_t len);

/* The sizes of the levels, "1600-400-100-25", into buf. */
void paper2d_config_sizes(const paper2d_config *c, char *buf, size_t len);

/* One paragraph per hyperparameter: the value this run uses, next to the
 * paper's where it fixes one, and the reason it was chosen. Describes c as
 * it is, options included (--help and the report's Configuration). */
void paper2d_config_describe(const paper2d_config *c, FILE *f, const char *indent);

#endif
