/* rg_flow: the flows of the exact thermometer K_eff (rgrbm_measure_k_eff).
 *  - the coarse-graining flow K -> K' = K_eff(coarse configurations) of
 *    each map of a table (majority rule, decimation; learned maps are added
 *    as rows of flow_maps.c), and where it crosses K' = K;
 *  - the RBM flow of Iso, Shiba & Yokoo (arXiv 1801.07172): an RBM trained
 *    on configurations from many temperatures, configurations passed
 *    v -> h -> v repeatedly, K_eff after each pass. */
#ifndef RG_FLOW_FLOW_H
#define RG_FLOW_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include <time.h>

#include "rgrbm.h"

/* Seconds on the monotonic clock, for the report's timings. */
static inline double flow_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

enum { FLOW_MAX_MAPS = 8, FLOW_MAX_COUPLINGS = 64, FLOW_MAX_STARTS = 16 };

typedef struct flow_config {
  uint64_t seed;
  int quick;
  const char *out_dir;
  /* the coarse-graining flow */
  int L;                     /* fine torus side */
  double k_min, k_max;       /* the grid of K, k_count points */
  int k_count;
  size_t samples, bins;      /* Swendsen-Wang configurations per K, error bins */
  uint64_t thermalize;
  int crossing_points;       /* points nearest the crossing in its line fit */
  /* the RBM flow */
  int rbm_side, rbm_hidden, rbm_epochs, rbm_passes;
  int rbm_spin_units;        /* 0: {0,1} units as Iso et al., 1: +-1 */
  size_t rbm_per_temperature; /* training configurations per temperature */
  size_t rbm_flow_samples;   /* configurations per starting temperature */
} flow_config;

/* A coarse-graining map: one row of the table of maps. */
typedef struct flow_map {
  const char *name;        /* a short label for tables, plots and JSON */
  const char *description; /* one line for the report */
  /* A plan for the L x L torus (nonzero, with rgrbm_last_error() set, on failure). */
  int (*create)(rgrbm_rg **out, int L, uint64_t seed);
} flow_map;

/* The maps of this build (flow_maps.c). */
extern const flow_map FLOW_MAPS[];
extern const int FLOW_MAP_COUNT;
/* Frees what the maps keep between calls (the learned filter). */
void flow_maps_release(void);

/* K* where K' = K, from a weighted line through the points nearest a sign
 * change of K' - K. */
typedef struct flow_crossing {
  int found;          /* 0: K' - K keeps one sign over the grid */
  double value, error;
  double slope;       /* d(K' - K)/dK at the crossing: > 0 runs away (unstable) */
  double chi2_dof;    /* of the line fit */
  int points;
} flow_crossing;

typedef struct map_flow {
  const flow_map *map;
  int coarse_L;
  rgrbm_estimate k_prime[FLOW_MAX_COUPLINGS];
  int ok[FLOW_MAX_COUPLINGS]; /* 0 where K_eff failed (message in the report) */
  flow_crossing crossing;
} map_flow;

typedef struct coarse_flow {
  int k_count;
  double K[FLOW_MAX_COUPLINGS];
  rgrbm_estimate fine[FLOW_MAX_COUPLINGS]; /* K_eff of the fine samples: a check */
  int n_maps;
  map_flow maps[FLOW_MAX_MAPS];
  double seconds;
} coarse_flow;

typedef struct rbm_flow {
  int n_train;             /* training temperatures */
  double train_T[FLOW_MAX_COUPLINGS];
  int n_starts;
  double start_T[FLOW_MAX_STARTS];
  int passes;
  rgrbm_estimate *k_eff;   /* n_starts x (passes + 1), row-major */
  int *ok;
  double reconstruction_error; /* of the last epoch */
  double seconds_train, seconds_flow;
} rbm_flow;

/* 0, or nonzero with a message on stderr. */
int coarse_flow_run(const flow_config *c, coarse_flow *out);
int rbm_flow_run(const flow_config *c, rbm_flow *out);
void rbm_flow_free(rbm_flow *r);

/* Crossing of d = k_prime - K over the grid (exposed for the report's
 * reader: the fit is described in report.md). */
flow_crossing flow_find_crossing(const double *K, const rgrbm_estimate *k_prime, const int *ok,
                                 int n, int points);

/* Swendsen-Wang configurations of the L x L torus at K (shape set). */
int flow_sample(int L, double K, size_t count, uint64_t thermalize, uint64_t seed,
                rgrbm_dataset **out);

/* report.md, summary.json and the SVG plots in c->out_dir: 0 or -1 (errno). */
int flow_write_outputs(const flow_config *c, const coarse_flow *cf, const rbm_flow *rf);

#endif
