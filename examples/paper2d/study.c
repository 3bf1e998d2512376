#include "study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "figures.h"

enum { UNIT_KINDS = 2, L1_VALUES = 4, ALGORITHMS = 2, CASES = UNIT_KINDS * L1_VALUES * ALGORITHMS,
       EPOCH_POINTS = 4, PATH_LEN = 4096, STUDY_BLOCK = 2 };

static const rgrbm_units unit_kinds[UNIT_KINDS] = {RGRBM_UNITS_BINARY, RGRBM_UNITS_SPIN};
static const double l1_values[L1_VALUES] = {0, 2e-4, 1e-3, 8e-3};
/* The epoch check: the paper's configuration after these fractions of E. */
static const double epoch_fractions[EPOCH_POINTS] = {0.25, 0.5, 1, 2};
#define CHECK_UNITS RGRBM_UNITS_BINARY
#define CHECK_L1 2e-4
#define CHECK_PERSISTENT 0

typedef struct quartiles {
  double q1, median, q3, mean;
} quartiles;

/* The locality of one trained level 1, over its units. */
typedef struct locality {
  quartiles block_fraction, gyration; /* over units whose field is not all zero */
  double local_fraction;              /* block fraction >= PAPER2D_STUDY_THRESHOLD, of all units */
  double compact_fraction;            /* R_g <= PAPER2D_STUDY_COMPACT_GYRATION, of all units */
  int dead;                           /* units whose field is all zero */
  double reconstruction_error;        /* the last epoch's */
} locality;

typedef struct study_case {
  rgrbm_units units;
  double l1;
  int persistent;
  locality loc;
  double seconds;
  char png[96];
} study_case;

typedef struct epoch_point {
  int epochs;
  locality loc;
} epoch_point;

typedef struct study {
  paper2d_run *run;
  int side, visible, hidden, epochs;
  double noise_block_fraction, noise_gyration; /* medians over white-noise fields */
  double uniform_fraction, uniform_gyration;   /* a field spread evenly over the lattice */
  study_case cases[CASES];
  epoch_point points[EPOCH_POINTS];
  double last_error;
  long epochs_done, epochs_total;
  double seconds;
  float *rf, *column;
  double *bf, *gy;
} study;

static const char *units_name(rgrbm_units u) { return u == RGRBM_UNITS_SPIN ? "spin" : "binary"; }
static const char *units_label(rgrbm_units u) { return u == RGRBM_UNITS_SPIN ? "-1/+1" : "{0,1}"; }
static const char *algorithm_name(int persistent) { return persistent ? "PCD-1" : "CD-1"; }

/* ---- statistics ---- */

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Quartiles by linear interpolation between order statistics (x is sorted). */
static double quantile(const double *x, size_t n, double p) {
  double at = p * (double)(n - 1);
  size_t lo = (size_t)floor(at);
  size_t hi = lo + 1 < n ? lo + 1 : lo;
  return x[lo] + (at - (double)lo) * (x[hi] - x[lo]);
}

static quartiles quartiles_of(double *x, size_t n) {
  quartiles q = {NAN, NAN, NAN, NAN};
  if (n == 0) return q;
  qsort(x, n, sizeof *x, compare_doubles);
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  q.q1 = quantile(x, n, 0.25);
  q.median = quantile(x, n, 0.5);
  q.q3 = quantile(x, n, 0.75);
  q.mean = sum / (double)n;
  return q;
}

/* ---- measuring ---- */

/* Per-unit locality of the fields in st->rf (sites x hidden) into *out. */
static int summarize_fields(study *st, locality *out) {
  size_t sites = (size_t)st->visible, live = 0;
  int local = 0, compact = 0, dead = 0;
  for (int j = 0; j < st->hidden; j++) {
    int zero = 1;
    for (size_t i = 0; i < sites; i++) {
      st->column[i] = st->rf[i * (size_t)st->hidden + (size_t)j];
      zero &= st->column[i] == 0;
    }
    if (zero) { /* no centre: counted apart, never local */
      dead++;
      continue;
    }
    int rc = rgrbm_receptive_locality(st->column, st->side, st->side, 1, STUDY_BLOCK, NULL, NULL,
                                      &st->gy[live], &st->bf[live]);
    if (rc != RGRBM_OK) return rc;
    local += st->bf[live] >= PAPER2D_STUDY_THRESHOLD;
    compact += st->gy[live] <= PAPER2D_STUDY_COMPACT_GYRATION;
    live++;
  }
  out->block_fraction = quartiles_of(st->bf, live);
  out->gyration = quartiles_of(st->gy, live);
  out->local_fraction = (double)local / st->hidden;
  out->compact_fraction = (double)compact / st->hidden;
  out->dead = dead;
  out->reconstruction_error = st->last_error;
  return RGRBM_OK;
}

static int measure(study *st, const rgrbm_stack *s, locality *out) {
  int rc = rgrbm_receptive_field(s, 1, st->rf);
  return rc == RGRBM_OK ? summarize_fields(st, out) : rc;
}

/* splitmix64: the white-noise reference needs no more than this. */
static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static double gaussian(uint64_t *state) {
  double u = ((double)(splitmix(state) >> 11) + 0.5) / 9007199254740992.0;
  double v = (double)(splitmix(state) >> 11) / 9007199254740992.0;
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* What the measures give for fields without spatial structure: i.i.d.
 * Gaussian weights (a field spread evenly has block fraction 4 / N; noise
 * concentrates by chance on its largest values). */
static int noise_reference(study *st) {
  uint64_t state = st->run->cfg.seed;
  for (size_t i = 0; i < (size_t)st->visible * (size_t)st->hidden; i++)
    st->rf[i] = (float)gaussian(&state);
  locality noise;
  int rc = summarize_fields(st, &noise);
  st->noise_block_fraction = noise.block_fraction.median;
  st->noise_gyration = noise.gyration.median;
  st->uniform_fraction = (double)(STUDY_BLOCK * STUDY_BLOCK) / st->visible;
  double l = st->side; /* minimum-image distances on an l x l torus, uniform weight */
  st->uniform_gyration = sqrt(2 * (l * l / 12 + (fmod(l, 2) == 0 ? 1.0 / 6 : -1.0 / 12)));
  return rc;
}

/* ---- training ---- */

static int on_epoch(void *user, int layer, int epoch, double error, double pll, double seconds) {
  (void)layer, (void)pll, (void)seconds;
  study *st = user;
  st->last_error = error;
  st->epochs_done++;
  char detail[64];
  snprintf(detail, sizeof detail, "epochs, last error %.4f (epoch %d)", error, epoch);
  paper2d_progress_update(&st->run->progress, st->epochs_done, st->epochs_total, detail);
  return 0;
}

static void case_options(study *st, double l1, int persistent, int epochs, rgrbm_cd_options *o) {
  const paper2d_config *c = &st->run->cfg;
  rgrbm_cd_options_init(o, RGRBM_CD_OPTIONS_VERSION);
  o->epochs = epochs;
  o->batch_size = c->batch_size;
  o->k = 1;
  o->persistent = persistent; /* PCD: batch_size chains */
  o->learning_rate = c->learning_rate;
  o->momentum_initial = c->momentum_initial;
  o->momentum_final = c->momentum_final;
  o->momentum_switch_epoch = c->momentum_switch_epoch;
  o->l1 = l1;
  o->seed = c->seed + 100; /* the main job's layer-0 seed */
  o->progress = on_epoch;
  o->progress_data = st;
}

/* A fresh level 1 (the main job's initial weights for these units). */
static int create_level1(const study *st, rgrbm_units units, rgrbm_stack **s) {
  const int sizes[2] = {st->visible, st->hidden};
  return rgrbm_stack_create(s, sizes, 2, units, st->run->cfg.seed + 2);
}

static void png_name(const study_case *sc, char *buf, size_t len) {
  snprintf(buf, len, "study_%s_l1-%g_%s.png", units_name(sc->units), sc->l1,
           sc->persistent ? "pcd" : "cd");
}

static int run_case(study *st, study_case *sc) {
  double t0 = paper2d_now();
  rgrbm_stack *s = NULL;
  rgrbm_cd_options o;
  case_options(st, sc->l1, sc->persistent, st->epochs, &o);
  int rc = create_level1(st, sc->units, &s);
  if (rc == RGRBM_OK) rc = rgrbm_cd_train(s, 0, st->run->data, &o);
  if (rc == RGRBM_OK) rc = measure(st, s, &sc->loc);
  sc->seconds = paper2d_now() - t0;
  png_name(sc, sc->png, sizeof sc->png);
  char path[PATH_LEN];
  paper2d_out_path(st->run, sc->png, path, sizeof path);
  if (rc == RGRBM_OK) rc = paper2d_receptive_png(path, st->rf, st->side, st->hidden);
  rgrbm_stack_destroy(s);
  return rc;
}

/* The paper's configuration trained in segments up to each point, measured
 * after each. Every rgrbm_cd_train call restarts the momentum's velocity
 * (the schedule and the shuffles continue), so the point at E epochs is
 * close to, not the same bits as, the table's row. */
static int epoch_check(study *st) {
  rgrbm_stack *s = NULL;
  int rc = create_level1(st, CHECK_UNITS, &s), done = 0;
  for (int p = 0; rc == RGRBM_OK && p < EPOCH_POINTS; p++) {
    int target = (int)fmax(1, round(epoch_fractions[p] * st->epochs));
    rgrbm_cd_options o;
    case_options(st, CHECK_L1, CHECK_PERSISTENT, target - done, &o);
    st->points[p].epochs = target;
    if (target > done) rc = rgrbm_cd_train(s, 0, st->run->data, &o);
    if (rc == RGRBM_OK) rc = measure(st, s, &st->points[p].loc);
    done = target;
  }
  rgrbm_stack_destroy(s);
  return rc;
}

/* ---- output ---- */

static void json_field(FILE *f, const char *name, double x, const char *sep) {
  fprintf(f, "\"%s\": ", name);
  cli_json_number(f, x);
  fputs(sep, f);
}

static void json_locality(FILE *f, const locality *l) {
  json_field(f, "block_fraction_q1", l->block_fraction.q1, ", ");
  json_field(f, "block_fraction_median", l->block_fraction.median, ", ");
  json_field(f, "block_fraction_q3", l->block_fraction.q3, ", ");
  json_field(f, "block_fraction_mean", l->block_fraction.mean, ", ");
  json_field(f, "local_fraction", l->local_fraction, ", ");
  json_field(f, "gyration_q1", l->gyration.q1, ", ");
  json_field(f, "gyration_median", l->gyration.median, ", ");
  json_field(f, "gyration_q3", l->gyration.q3, ", ");
  json_field(f, "gyration_mean", l->gyration.mean, ", ");
  json_field(f, "compact_fraction", l->compact_fraction, ", ");
  fprintf(f, "\"dead\": %d, ", l->dead);
  json_field(f, "reconstruction_error", l->reconstruction_error, "");
}

/* study.json: the numbers unrounded, no times (the same run writes the same file). */
static int write_json(const study *st) {
  const paper2d_config *c = &st->run->cfg;
  char path[PATH_LEN];
  paper2d_out_path(st->run, PAPER2D_STUDY_JSON, path, sizeof path);
  FILE *f = fopen(path, "w");
  if (f == NULL) return paper2d_file_error("create", path);
  fprintf(f, "{\n  \"config\": \"%s\", \"seed\": %llu, \"side\": %d, ", c->name,
          (unsigned long long)c->seed, c->side);
  json_field(f, "K", c->K, ", ");
  fprintf(f, "\"samples\": %zu,\n  \"visible\": %d, \"hidden\": %d, \"epochs\": %d, "
          "\"batch\": %zu, ", rgrbm_dataset_count(st->run->data), st->visible, st->hidden,
          st->epochs, c->batch_size);
  json_field(f, "learning_rate", c->learning_rate, ",\n  ");
  fprintf(f, "\"b\": %d, ", STUDY_BLOCK);
  json_field(f, "threshold", PAPER2D_STUDY_THRESHOLD, ", ");
  json_field(f, "compact_gyration", PAPER2D_STUDY_COMPACT_GYRATION, ", ");
  json_field(f, "uniform_fraction", st->uniform_fraction, ", ");
  json_field(f, "uniform_gyration", st->uniform_gyration, ", ");
  json_field(f, "noise_block_fraction", st->noise_block_fraction, ", ");
  json_field(f, "noise_gyration", st->noise_gyration, ",\n  \"configurations\": [\n");
  for (int k = 0; k < CASES; k++) {
    const study_case *sc = &st->cases[k];
    fprintf(f, "    {\"units\": \"%s\", ", units_name(sc->units));
    json_field(f, "l1", sc->l1, ", ");
    fprintf(f, "\"persistent\": %d, \"png\": \"%s\", ", sc->persistent, sc->png);
    json_locality(f, &sc->loc);
    fprintf(f, "}%s\n", k + 1 < CASES ? "," : "");
  }
  fprintf(f, "  ],\n  \"epoch_check\": {\"units\": \"%s\", ", units_name(CHECK_UNITS));
  json_field(f, "l1", CHECK_L1, ", ");
  fprintf(f, "\"persistent\": %d, \"points\": [\n", CHECK_PERSISTENT);
  for (int p = 0; p < EPOCH_POINTS; p++) {
    fprintf(f, "    {\"epochs\": %d, ", st->points[p].epochs);
    json_locality(f, &st->points[p].loc);
    fprintf(f, "}%s\n", p + 1 < EPOCH_POINTS ? "," : "");
  }
  fprintf(f, "  ]}\n}\n");
  return fclose(f) != 0 ? paper2d_file_error("write", path) : RGRBM_OK;
}

/* "yes" when most units are local, "some" when at least one in ten is. */
static const char *verdict(const locality *l) {
  if (l->local_fraction >= 0.5) return "yes";
  if (l->local_fraction >= 0.1) return "some";
  return "no";
}

static void md_row(FILE *f, const study_case *sc) {
  const locality *l = &sc->loc;
  fprintf(f, "| %s | %g | %s | %.3f [%.3f, %.3f] | %.3f | %.3f | %.2f [%.2f, %.2f] | %.3f | %d "
          "| %.4f | %s | %.0f | [png](%s) |\n", units_label(sc->units), sc->l1,
          algorithm_name(sc->persistent), l->block_fraction.median, l->block_fraction.q1,
          l->block_fraction.q3, l->block_fraction.mean, l->local_fraction, l->gyration.median,
          l->gyration.q1, l->gyration.q3, l->compact_fraction, l->dead, l->reconstruction_error,
          verdict(l), sc->seconds, sc->png);
}

static void md_header(FILE *f) {
  fprintf(f, "| units | L1 | training | best 2x2 block weight: median [q1, q3] | mean | "
          "fraction >= %.2f | R_g: median [q1, q3] | fraction R_g <= %.0f | dead | "
          "reconstruction error | local? | seconds | fields |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
          PAPER2D_STUDY_THRESHOLD, PAPER2D_STUDY_COMPACT_GYRATION);
}

static void md_intro(FILE *f, const study *st) {
  const paper2d_config *c = &st->run->cfg;
  fprintf(f, "# What makes level 1 local\n\n"
          "`paper2d --study` (configuration %s): level 1 (%d -> %d) trained alone on the main "
          "job's data set (%zu configurations of the %d x %d Ising model at K = %.3f, seed "
          "%llu), %d epochs a configuration, batch %zu, learning rate %g, momentum %.1f then "
          "%.1f from epoch %d, the main job's initial weights for each kind of unit. Only the "
          "units, the L1 penalty and the training (CD-1: one chain a row started at the row; "
          "PCD-1: %zu persistent chains) change.\n\n", c->name, st->visible, st->hidden,
          rgrbm_dataset_count(st->run->data), c->side, c->side, c->K,
          (unsigned long long)c->seed, st->epochs, c->batch_size, c->learning_rate,
          c->momentum_initial, c->momentum_final, c->momentum_switch_epoch, c->batch_size);
  fprintf(f, "Per unit j (rgrbm_receptive_locality on the column r_j of W(1)): the **best 2x2 "
          "block weight**, the largest share of sum r_ij^2 inside any 2 x 2 block (every "
          "periodic position), and the **radius of gyration** R_g about the field's "
          "circular-mean centre. References on this lattice: a field spread evenly has block "
          "weight %.4f and R_g %.2f; white noise (i.i.d. Gaussian weights, the same "
          "measures) has median block weight %.4f and R_g %.2f; a uniform 2 x 2 block has "
          "weight 1 and R_g 0.71. A unit is counted **local** when its block weight is at "
          "least %.2f: %.0f times the even field's and %.0f times white noise's, a quarter of "
          "the field's weight on 4 sites (a field spread evenly over a 4 x 4 block reaches "
          "0.25). **Compact**: R_g at most %.0f, that of a uniform 5 x 5 block. Fractions are "
          "of all %d units; dead units (an all-zero field) are never local and are left out "
          "of the quartiles. \"local?\": yes when at least half the units are local, some "
          "when at least a tenth are, no otherwise.\n\n",
          st->uniform_fraction, st->uniform_gyration, st->noise_block_fraction,
          st->noise_gyration, PAPER2D_STUDY_THRESHOLD,
          PAPER2D_STUDY_THRESHOLD / st->uniform_fraction,
          PAPER2D_STUDY_THRESHOLD / st->noise_block_fraction, PAPER2D_STUDY_COMPACT_GYRATION,
          st->hidden);
}

static void md_answer(FILE *f, const study *st) {
  int best = 0;
  for (int k = 1; k < CASES; k++)
    if (st->cases[k].loc.local_fraction > st->cases[best].loc.local_fraction) best = k;
  const study_case *b = &st->cases[best];
  fprintf(f, "\n## Answer\n\nLocal level-1 fields (at least half the units local): ");
  int any = 0;
  for (int k = 0; k < CASES; k++) {
    const study_case *sc = &st->cases[k];
    if (sc->loc.local_fraction < 0.5) continue;
    fprintf(f, "%s%s units, L1 = %g, %s (%.0f%%)", any ? "; " : "", units_label(sc->units),
            sc->l1, algorithm_name(sc->persistent), 100 * sc->loc.local_fraction);
    any = 1;
  }
  fprintf(f, "%s. The most local: %s units, L1 = %g, %s, with %.0f%% of units local, median "
          "block weight %.3f and median R_g %.2f.\n", any ? "" : "none", units_label(b->units),
          b->l1, algorithm_name(b->persistent), 100 * b->loc.local_fraction,
          b->loc.block_fraction.median, b->loc.gyration.median);
}

static void md_epochs(FILE *f, const study *st) {
  fprintf(f, "\n## Epochs\n\nThe paper's configuration (%s units, L1 = %g, %s) trained in "
          "segments and measured after each (each segment restarts the momentum's velocity, "
          "so the %d-epoch point is close to, not identical with, the table's row):\n\n"
          "| epochs | best 2x2 block weight: median [q1, q3] | fraction >= %.2f | R_g: median "
          "[q1, q3] | reconstruction error |\n| --- | --- | --- | --- | --- |\n",
          units_label(CHECK_UNITS), CHECK_L1, algorithm_name(CHECK_PERSISTENT), st->epochs,
          PAPER2D_STUDY_THRESHOLD);
  for (int p = 0; p < EPOCH_POINTS; p++) {
    const locality *l = &st->points[p].loc;
    fprintf(f, "| %d | %.3f [%.3f, %.3f] | %.3f | %.2f [%.2f, %.2f] | %.4f |\n",
            st->points[p].epochs, l->block_fraction.median, l->block_fraction.q1,
            l->block_fraction.q3, l->local_fraction, l->gyration.median, l->gyration.q1,
            l->gyration.q3, l->reconstruction_error);
  }
}

static int write_md(const study *st) {
  char path[PATH_LEN];
  paper2d_out_path(st->run, PAPER2D_STUDY_MD, path, sizeof path);
  FILE *f = fopen(path, "w");
  if (f == NULL) return paper2d_file_error("create", path);
  md_intro(f, st);
  md_header(f);
  for (int k = 0; k < CASES; k++) md_row(f, &st->cases[k]);
  md_answer(f, st);
  md_epochs(f, st);
  fprintf(f, "\nWall time of the study (sampling included): %.0f s; librgrbm %s, kernels %s.\n",
          paper2d_now() - st->run->started, rgrbm_version_string(), rgrbm_cpu_level_name());
  return fclose(f) != 0 ? paper2d_file_error("write", path) : RGRBM_OK;
}

/* The table as an HTML fragment for report.html. */
static int write_table(const study *st) {
  char path[PATH_LEN];
  paper2d_out_path(st->run, PAPER2D_STUDY_TABLE, path, sizeof path);
  FILE *f = fopen(path, "w");
  if (f == NULL) return paper2d_file_error("create", path);
  fprintf(f, "<table id='study'>\n<tr><th>units</th><th>L1</th><th>training</th><th>best 2x2 "
          "block weight: median [q1, q3]</th><th>fraction &ge; %.2f</th><th>R<sub>g</sub>: "
          "median [q1, q3]</th><th>fraction R<sub>g</sub> &le; %.0f</th><th>local?</th>"
          "<th>fields</th></tr>\n", PAPER2D_STUDY_THRESHOLD, PAPER2D_STUDY_COMPACT_GYRATION);
  for (int k = 0; k < CASES; k++) {
    const study_case *sc = &st->cases[k];
    const locality *l = &sc->loc;
    fprintf(f, "<tr><td>%s</td><td>%g</td><td>%s</td><td>%.3f [%.3f, %.3f]</td><td>%.3f</td>"
            "<td>%.2f [%.2f, %.2f]</td><td>%.3f</td><td>%s</td><td><a href='%s'>png</a></td>"
            "</tr>\n", units_label(sc->units), sc->l1, algorithm_name(sc->persistent),
            l->block_fraction.median, l->block_fraction.q1, l->block_fraction.q3,
            l->local_fraction, l->gyration.median, l->gyration.q1, l->gyration.q3,
            l->compact_fraction, verdict(l), sc->png);
  }
  fprintf(f, "</table>\n<p>%d epochs a configuration, %d -&gt; %d units; threshold and "
          "references in <a href='%s'>%s</a> (numbers in <a href='%s'>%s</a>).</p>\n",
          st->epochs, st->visible, st->hidden, PAPER2D_STUDY_MD, PAPER2D_STUDY_MD,
          PAPER2D_STUDY_JSON, PAPER2D_STUDY_JSON);
  return fclose(f) != 0 ? paper2d_file_error("write", path) : RGRBM_OK;
}

/* ---- the study ---- */

static void study_free(study *st) {
  free(st->rf);
  free(st->column);
  free(st->bf);
  free(st->gy);
}

static int study_init(study *st, paper2d_run *run) {
  memset(st, 0, sizeof *st);
  st->run = run;
  st->side = run->cfg.side;
  st->visible = run->cfg.sizes[0];
  st->hidden = run->cfg.sizes[1];
  st->epochs = run->cfg.study_epochs;
  size_t n = (size_t)st->visible * (size_t)st->hidden;
  st->rf = malloc(n * sizeof *st->rf);
  st->column = malloc((size_t)st->visible * sizeof *st->column);
  st->bf = malloc((size_t)st->hidden * sizeof *st->bf);
  st->gy = malloc((size_t)st->hidden * sizeof *st->gy);
  if (!st->rf || !st->column || !st->bf || !st->gy) return RGRBM_ENOMEM;
  int k = 0;
  for (int u = 0; u < UNIT_KINDS; u++)
    for (int l = 0; l < L1_VALUES; l++)
      for (int p = 0; p < ALGORITHMS; p++, k++) {
        st->cases[k].units = unit_kinds[u];
        st->cases[k].l1 = l1_values[l];
        st->cases[k].persistent = p;
      }
  double check_epochs = 0;
  for (int p = 0; p < EPOCH_POINTS; p++) check_epochs = fmax(check_epochs, epoch_fractions[p]);
  st->epochs_total = (long)CASES * st->epochs + (long)ceil(check_epochs * st->epochs);
  return RGRBM_OK;
}

static void print_case(const study_case *sc) {
  printf("  %-6s L1 %-6g %-5s  block weight median %.3f, local %.3f, R_g median %5.2f, "
         "%.0f s\n", units_label(sc->units), sc->l1, algorithm_name(sc->persistent),
         sc->loc.block_fraction.median, sc->loc.local_fraction, sc->loc.gyration.median,
         sc->seconds);
}

int paper2d_study(paper2d_run *run) {
  study st;
  int rc = study_init(&st, run);
  if (rc == RGRBM_OK) rc = noise_reference(&st);
  paper2d_progress_begin(&run->progress, "study");
  double t0 = paper2d_now();
  for (int k = 0; rc == RGRBM_OK && k < CASES; k++) rc = run_case(&st, &st.cases[k]);
  if (rc == RGRBM_OK) rc = epoch_check(&st);
  if (rc == RGRBM_OK) {
    char summary[96];
    snprintf(summary, sizeof summary, "%d configurations x %d epochs and the epoch check",
             CASES, st.epochs);
    paper2d_progress_end(&run->progress, summary);
    for (int k = 0; k < CASES; k++) print_case(&st.cases[k]);
    printf("study: %.0f s of training\n", paper2d_now() - t0);
  }
  if (rc == RGRBM_OK) rc = write_json(&st);
  if (rc == RGRBM_OK) rc = write_md(&st);
  if (rc == RGRBM_OK) rc = write_table(&st);
  study_free(&st);
  return rc;
}
