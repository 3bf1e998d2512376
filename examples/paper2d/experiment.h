/* The run's state and the two expensive phases: drawing the data set
 * (pilot tau_int, then decorrelated Wolff samples) and greedy training. */
#ifndef PAPER2D_EXPERIMENT_H
#define PAPER2D_EXPERIMENT_H

#include "config.h"
#include "progress.h"
#include "rgrbm.h"

enum { PAPER2D_HIST_MAX_BINS = 41 };

typedef struct paper2d_sampling {
  double tau_abs_m, tau_energy; /* in Wolff clusters (one cluster a sweep) */
  long spacing;                 /* clusters between stored configurations */
  rgrbm_thermo thermo;          /* of the stored data set, 20 jackknife bins */
  double exact_bond_mean;       /* Kaufman's finite-torus value at the same K */
  double seconds;
} paper2d_sampling;

typedef struct paper2d_level {
  int level, b, units, coarse_side;
  rgrbm_receptive_summary locality;      /* radius of gyration, best b x b block fraction */
  double uniform_fraction;      /* block fraction of a field spread evenly: b^2 / N */
  double agreement_mean, agreement_min, agreement_max; /* over units, see analysis.h */
  double agreement_far;         /* the same against the block half a lattice away */
  double learned_abs_m, learned_raw_abs_m, majority_abs_m;
  int bins;
  double edges[PAPER2D_HIST_MAX_BINS + 1];
  double hist_learned[PAPER2D_HIST_MAX_BINS], hist_majority[PAPER2D_HIST_MAX_BINS];
  float *majority_samples;      /* PAPER2D_RECONSTRUCTIONS x coarse sites, for the figure */
} paper2d_level;

typedef struct paper2d_run {
  paper2d_config cfg;
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_dataset *data;
  rgrbm_stack *stack;
  paper2d_progress progress;
  paper2d_sampling sampling;
  double *curves;               /* layers x epochs reconstruction errors */
  double train_seconds;
  paper2d_level levels[PAPER2D_MAX_LEVELS]; /* index = level, 1..depth */
  size_t samples_shown[PAPER2D_RECONSTRUCTIONS];
  double started;
} paper2d_run;

/* Zero the run and copy the configuration; nothing is allocated yet. */
void paper2d_run_init(paper2d_run *run, const paper2d_config *cfg);
void paper2d_run_free(paper2d_run *run);

/* Pilot run, tau_int, production data set and its thermodynamics. */
int paper2d_sample(paper2d_run *run);

/* Create the stack and train it greedily, recording the curves. */
int paper2d_train(paper2d_run *run);

/* Number of RBM layers (nlevels - 1). */
int paper2d_layers(const paper2d_run *run);

#endif
