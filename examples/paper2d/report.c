#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>
#include <unistd.h>

#include "../cli.h"
#include "figures.h"
#include "study.h"

enum { PATH_LEN = 4096 };

double paper2d_block_gyration(int b) { return sqrt((b * (double)b - 1) / 6); }

static void html_head(FILE *f, const paper2d_run *run) {
  fprintf(f, "<!DOCTYPE html>\n<html lang='en'>\n<head><meta charset='utf-8'>\n"
          "<title>paper2d: variational RG and deep learning, %d x %d Ising</title>\n"
          "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
          "table{border-collapse:collapse}td,th{border:1px solid #999;padding:3px 8px;"
          "text-align:right}img{max-width:100%%}</style>\n</head>\n<body>\n", run->cfg.side,
          run->cfg.side);
  fprintf(f, "<h1>Mehta &amp; Schwab (arXiv:1410.3831), measured</h1>\n"
          "<p>librgrbm %s, configuration <b>%s</b>. Every number below was computed by "
          "this run.</p>\n", rgrbm_version_string(), run->cfg.name);
  fprintf(f, "<h2>Configuration</h2>\n<pre>\n");
  paper2d_config_describe(&run->cfg, f, "");
  fprintf(f, "</pre>\n");
}

static void sampling_section(FILE *f, const paper2d_run *run) {
  const paper2d_sampling *s = &run->sampling;
  fprintf(f, "<h2>Data</h2>\n<p>Pilot: %zu consecutive Wolff clusters after %ld for "
          "thermalization; tau_int(|m|) = <span id='tau_abs_m'>%.3f</span>, "
          "tau_int(energy) = <span id='tau_energy'>%.3f</span> clusters (Sokal window). "
          "Stored configurations are <span id='spacing'>%ld</span> clusters apart "
          "(%.0f x the larger tau). Sampling took %.1f s.</p>\n",
          run->cfg.pilot_samples, run->cfg.pilot_thermalize, s->tau_abs_m, s->tau_energy,
          s->spacing, run->cfg.spacing_taus, s->seconds);
  fprintf(f, "<p>Check against the exact finite torus (Kaufman): bond mean %.4f &plusmn; %.4f "
          "measured, %.4f exact; &lt;|m|&gt; = %.4f &plusmn; %.4f. <a href='%s'>%s</a> holds "
          "the %zu configurations (int8, shape (N, %d, %d)).</p>\n", s->thermo.bond_mean.value,
          s->thermo.bond_mean.error, s->exact_bond_mean, s->thermo.abs_magnetization.value,
          s->thermo.abs_magnetization.error, PAPER2D_DATASET_FILE, PAPER2D_DATASET_FILE,
          rgrbm_dataset_count(run->data), run->cfg.side, run->cfg.side);
}

static void level_row(FILE *f, const paper2d_level *lv) {
  const rgrbm_receptive_summary *loc = &lv->locality;
  fprintf(f, "<tr><td>%d</td><td>%d</td><td>%d</td><td class='rg'>%.3f &plusmn; %.3f</td>"
          "<td>%.3f</td><td class='bf'>%.3f &plusmn; %.3f</td><td>%.4f</td>"
          "<td class='agree'>%.3f</td><td>%.3f &ndash; %.3f</td><td>%.3f</td>"
          "<td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>\n",
          lv->level, lv->units, lv->b, loc->gyration_mean, loc->gyration_sd,
          paper2d_block_gyration(lv->b), loc->block_fraction_mean, loc->block_fraction_sd,
          lv->uniform_fraction, lv->agreement_mean, lv->agreement_min, lv->agreement_max,
          lv->agreement_far, lv->learned_abs_m, lv->learned_raw_abs_m, lv->majority_abs_m);
}

static void levels_section(FILE *f, const paper2d_run *run) {
  fprintf(f, "<h2>Learned levels against block-spin RG</h2>\n<table id='levels'>\n"
          "<tr><th>level</th><th>units</th><th>b = 2^l</th><th>R<sub>g</sub> learned "
          "(mean &plusmn; sd)</th><th>R<sub>g</sub> of a b x b block</th><th>weight in best "
          "b x b block</th><th>same, uniform field</th><th>agreement with majority</th>"
          "<th>min &ndash; max over units</th><th>control: block half a lattice away</th>"
          "<th>&lt;|m|&gt; learned (aligned)</th><th>&lt;|m|&gt; learned (raw)</th>"
          "<th>&lt;|m|&gt; majority</th></tr>\n");
  for (int l = 1; l <= paper2d_layers(run); l++) level_row(f, &run->levels[l]);
  fprintf(f, "</table>\n");
  fprintf(f, "<p><b>Definitions.</b> R<sub>g</sub>: radius of gyration of the receptive field "
          "r(l) = W(1)...W(l) of a unit, sqrt(sum r_i^2 d_i^2 / sum r_i^2), d_i the periodic "
          "distance of site i from the field's circular-mean centre (rgrbm_receptive_summarize); "
          "a uniform b x b block has sqrt((b^2 - 1)/6). Weight in best block: the largest "
          "share of sum r_i^2 inside any b x b block (every periodic position). Agreement: unit "
          "j is matched to the aligned majority-rule block B (the blocks of "
          "rgrbm_rg_create_block2d) that holds the largest share of sum r_ij^2, with sign "
          "sigma_j = sign(sum over B of r_ij); its learned coarse spin h_j "
          "(rgrbm_rg_create_learned, sign of the mean fed up) agrees on a configuration when "
          "h_j = sigma_j majority(B); the rate is the fraction of configurations that agree, "
          "averaged over the units (min and max over units beside it). The control applies "
          "the same rule to the block shifted by half the lattice in x and y: its agreement "
          "comes from the overall magnetization alone. Learned m = (1/n) sum_j sigma_j h_j "
          "(aligned) or (1/n) sum_j h_j (raw); majority m is the mean block spin.</p>\n");
}

static void figure(FILE *f, const char *file, const char *caption) {
  fprintf(f, "<figure><a href='%s'><img src='%s' alt='%s'></a><figcaption>%s</figcaption>"
          "</figure>\n", file, file, caption, caption);
}

static void figures_section(FILE *f, const paper2d_run *run) {
  char name[64], caption[256];
  fprintf(f, "<h2>Receptive fields</h2>\n");
  for (int l = 1; l <= paper2d_layers(run); l++) {
    paper2d_receptive_file(name, sizeof name, l);
    snprintf(caption, sizeof caption, "Level %d: one tile per unit (%d), r(%d) on the %d x %d "
             "lattice, each tile scaled to its largest |r| (red +, blue -)", l, run->cfg.sizes[l],
             l, run->cfg.side, run->cfg.side);
    figure(f, name, caption);
  }
  fprintf(f, "<h2>Reconstructions and block spins</h2>\n");
  snprintf(caption, sizeof caption, "Samples %zu, %zu, %zu (rows): the configuration, its "
           "mean-field reconstructions from levels 1..%d down, then the majority-rule block "
           "spins for b = 2..%d", run->samples_shown[0], run->samples_shown[1],
           run->samples_shown[2], paper2d_layers(run), paper2d_block_side(paper2d_layers(run)));
  figure(f, PAPER2D_RECONSTRUCTION_FILE, caption);
  fprintf(f, "<h2>Coarse magnetizations</h2>\n");
  for (int l = 1; l <= paper2d_layers(run); l++) {
    paper2d_magnetization_file(name, sizeof name, l);
    snprintf(caption, sizeof caption, "Level %d: learned (sign-aligned) and majority-rule "
             "coarse magnetization over the %zu configurations", l, rgrbm_dataset_count(run->data));
    figure(f, name, caption);
  }
  fprintf(f, "<h2>Training</h2>\n");
  snprintf(caption, sizeof caption, "Reconstruction error per epoch and layer (%.1f s of "
           "training)", run->train_seconds);
  figure(f, PAPER2D_CURVES_FILE, caption);
}

/* Copy the file out_dir/name into f; 0 when it was there and copied. */
static int copy_file(FILE *f, const paper2d_run *run, const char *name) {
  char path[PATH_LEN];
  paper2d_out_path(run, name, path, sizeof path);
  FILE *in = fopen(path, "r");
  if (in == NULL) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, f);
  int failed = ferror(in);
  fclose(in);
  return failed ? -1 : 0;
}

/* The level-1 study (paper2d --study), when it was run into this folder:
 * its table as it wrote it (study_table.html). */
static void study_section(FILE *f, const paper2d_run *run) {
  fprintf(f, "<h2>What makes level 1 local</h2>\n");
  fprintf(f, "<p>Level 1 trained alone under {0,1} and -1/+1 units, four L1 penalties, CD-1 "
          "and PCD-1 (<code>paper2d --study</code>, examples/paper2d/study.c); per-unit "
          "locality of its receptive fields. Full text, the epoch check and the references "
          "(uniform field, white noise): <a href='%s'>%s</a>.</p>\n", PAPER2D_STUDY_MD,
          PAPER2D_STUDY_MD);
  if (copy_file(f, run, PAPER2D_STUDY_TABLE) != 0)
    fprintf(f, "<p>Not run into this folder: <code>paper2d --study --out %s</code> (8-15 "
            "minutes on 2 idle cores) writes it, and a main run into the same folder afterwards includes "
            "its table here and its numbers in %s.</p>\n", run->cfg.out_dir,
            PAPER2D_SUMMARY_FILE);
}

/* The issue-16 companions, run into subfolders of this folder (scripts/paper2d
 * --all does): examples/learned_mcrg (exponents from learned maps) and
 * examples/rg_flow (the flows on the exact thermometer). Each writes a
 * markdown report, included here as text, and a summary.json, included in
 * ours. */
typedef struct companion {
  const char *dir, *title, *what, *command, *figures[2];
} companion;

static const companion COMPANIONS[] = {
    {"learned_mcrg", "Monte Carlo RG with learned maps",
     "y_t and y_h at levels 1-3 for majority rule, decimation, a translation-invariant "
     "learned filter and a placed stack, on the same samples",
     "learned_mcrg", {NULL, NULL}},
    {"rg_flow", "Flows on the exact thermometer",
     "the coarse-graining flows K -> K_eff(coarse) with their crossings, and the RBM flow of "
     "Iso, Shiba &amp; Yokoo",
     "rg_flow", {"coarse_flow.svg", "rbm_flow.svg"}},
};

/* name's text, HTML-escaped, into f; 0 when it was there. */
static int copy_escaped(FILE *f, const paper2d_run *run, const char *name) {
  char path[PATH_LEN];
  paper2d_out_path(run, name, path, sizeof path);
  FILE *in = fopen(path, "r");
  if (in == NULL) return -1;
  for (int c; (c = fgetc(in)) != EOF;) {
    if (c == '<') fputs("&lt;", f);
    else if (c == '>') fputs("&gt;", f);
    else if (c == '&') fputs("&amp;", f);
    else fputc(c, f);
  }
  fclose(in);
  return 0;
}

static void companion_section(FILE *f, const paper2d_run *run, const companion *c) {
  char name[PATH_LEN];
  fprintf(f, "<h2>%s</h2>\n<p>%s (examples/%s).</p>\n", c->title, c->what, c->dir);
  snprintf(name, sizeof name, "%s/report.md", c->dir);
  fprintf(f, "<pre class='companion'>\n");
  int present = copy_escaped(f, run, name) == 0;
  fprintf(f, "</pre>\n");
  if (!present) {
    fprintf(f, "<p>Not run into this folder: <code>build/examples/%s/%s --out %s/%s</code> (or "
            "<code>scripts/paper2d --all</code>) writes it, and a main run afterwards includes "
            "it here and its numbers in %s.</p>\n", c->dir, c->command, run->cfg.out_dir,
            c->dir, PAPER2D_SUMMARY_FILE);
    return;
  }
  for (int i = 0; i < 2 && c->figures[i] != NULL; i++) { /* the figures it wrote */
    char path[PATH_LEN];
    snprintf(name, sizeof name, "%s/%s", c->dir, c->figures[i]);
    paper2d_out_path(run, name, path, sizeof path);
    if (access(path, R_OK) == 0)
      fprintf(f, "<p><img src='%s' alt='%s'></p>\n", name, c->figures[i]);
  }
}

static void files_section(FILE *f, const paper2d_run *run) {
  fprintf(f, "<h2>Files</h2>\n<ul>\n<li><a href='%s'>%s</a>: the stack, native format "
          "(docs/formats.md)</li>\n", PAPER2D_STACK_FILE, PAPER2D_STACK_FILE);
  for (int l = 0; l < paper2d_layers(run); l++)
    fprintf(f, "<li><a href='%sweights_%d.npy'>%sweights_%d.npy</a>, "
            "<a href='%svisible_bias_%d.npy'>visible_bias_%d</a>, "
            "<a href='%shidden_bias_%d.npy'>hidden_bias_%d</a></li>\n",
            PAPER2D_STACK_NPY_PREFIX, l, PAPER2D_STACK_NPY_PREFIX, l, PAPER2D_STACK_NPY_PREFIX, l,
            l, PAPER2D_STACK_NPY_PREFIX, l, l);
  fprintf(f, "<li><a href='%s'>%s</a>: these numbers for scripts</li>\n</ul>\n",
          PAPER2D_SUMMARY_FILE, PAPER2D_SUMMARY_FILE);
  fprintf(f, "<p>OpenBLAS core %s, %d threads; wall time until this report: "
          "<span id='wall'>%.1f</span> s.</p>\n</body>\n</html>\n", openblas_get_corename(),
          openblas_get_num_threads(), paper2d_now() - run->started);
}

/* "name": value, as JSON (sep is what follows: "," or ""). */
static void json_field(FILE *f, const char *indent, const char *name, double x, const char *sep) {
  fprintf(f, "%s\"%s\": ", indent, name);
  cli_json_number(f, x);
  fputs(sep, f);
}

static void summary_level(FILE *f, const paper2d_level *lv, int last) {
  const rgrbm_receptive_summary *loc = &lv->locality;
  fprintf(f, "    {\"level\": %d, \"b\": %d, \"units\": %d,", lv->level, lv->b, lv->units);
  json_field(f, " ", "gyration", loc->gyration_mean, ",");
  json_field(f, " ", "gyration_sd", loc->gyration_sd, ",");
  json_field(f, " ", "block_gyration", paper2d_block_gyration(lv->b), ",");
  json_field(f, " ", "block_fraction", loc->block_fraction_mean, ",");
  json_field(f, " ", "block_fraction_sd", loc->block_fraction_sd, ",");
  json_field(f, " ", "uniform_fraction", lv->uniform_fraction, ",");
  json_field(f, " ", "agreement", lv->agreement_mean, ",");
  json_field(f, " ", "agreement_min", lv->agreement_min, ",");
  json_field(f, " ", "agreement_max", lv->agreement_max, ",");
  json_field(f, " ", "agreement_far", lv->agreement_far, ",");
  json_field(f, " ", "learned_abs_m", lv->learned_abs_m, ",");
  json_field(f, " ", "learned_raw_abs_m", lv->learned_raw_abs_m, ",");
  json_field(f, " ", "majority_abs_m", lv->majority_abs_m, "");
  fprintf(f, "}%s\n", last ? "" : ",");
}

/* The configuration the run used: what a script needs to tell runs apart. */
static void summary_config(FILE *f, const paper2d_config *c) {
  fprintf(f, "  \"config\": \"%s\",\n  \"seed\": %llu,\n  \"side\": %d,\n", c->name,
          (unsigned long long)c->seed, c->side);
  json_field(f, "  ", "K", c->K, ",\n");
  fprintf(f, "  \"sizes\": [");
  for (int l = 0; l < c->nlevels; l++) fprintf(f, "%s%d", l ? ", " : "", c->sizes[l]);
  fprintf(f, "],\n  \"epochs\": %d,\n  \"batch\": %zu,\n", c->epochs, c->batch_size);
  json_field(f, "  ", "learning_rate", c->learning_rate, ",\n");
  json_field(f, "  ", "l1", c->l1, ",\n");
  fprintf(f, "  \"units\": \"%s\",\n", c->units == RGRBM_UNITS_SPIN ? "spin" : "binary");
}

/* ,"study": study.json as the study wrote it, when the folder holds one. */
static void summary_member(FILE *f, const paper2d_run *run, const char *key,
                           const char *name) {
  char path[PATH_LEN];
  paper2d_out_path(run, name, path, sizeof path);
  FILE *probe = fopen(path, "r");
  if (probe == NULL) return;
  fclose(probe);
  fprintf(f, ",\n  \"%s\": ", key);
  copy_file(f, run, name);
}

/* ,"study", "learned_mcrg", "rg_flow": their JSON as written, when present. */
static void summary_study(FILE *f, const paper2d_run *run) {
  summary_member(f, run, "study", PAPER2D_STUDY_JSON);
  for (size_t i = 0; i < sizeof COMPANIONS / sizeof COMPANIONS[0]; i++) {
    char name[PATH_LEN];
    snprintf(name, sizeof name, "%s/summary.json", COMPANIONS[i].dir);
    summary_member(f, run, COMPANIONS[i].dir, name);
  }
}

/* summary.json: the report's numbers unrounded, as JSON numbers (the report
 * prints them with three or four decimals). No times: two runs with the
 * same seed write the same file. */
static int write_summary(const paper2d_run *run) {
  char path[PATH_LEN];
  paper2d_out_path(run, PAPER2D_SUMMARY_FILE, path, sizeof path);
  FILE *f = fopen(path, "w");
  if (f == NULL) return paper2d_file_error("create", path);
  const paper2d_sampling *s = &run->sampling;
  fprintf(f, "{\n");
  summary_config(f, &run->cfg);
  fprintf(f, "  \"samples\": %zu,\n", rgrbm_dataset_count(run->data));
  json_field(f, "  ", "tau_abs_m", s->tau_abs_m, ",\n");
  json_field(f, "  ", "tau_energy", s->tau_energy, ",\n");
  fprintf(f, "  \"spacing\": %ld,\n", s->spacing);
  json_field(f, "  ", "bond_mean", s->thermo.bond_mean.value, ",\n");
  json_field(f, "  ", "bond_mean_error", s->thermo.bond_mean.error, ",\n");
  json_field(f, "  ", "exact_bond_mean", s->exact_bond_mean, ",\n");
  json_field(f, "  ", "abs_m", s->thermo.abs_magnetization.value, ",\n");
  json_field(f, "  ", "abs_m_error", s->thermo.abs_magnetization.error, ",\n");
  fprintf(f, "  \"levels\": [\n");
  for (int l = 1; l <= paper2d_layers(run); l++)
    summary_level(f, &run->levels[l], l == paper2d_layers(run));
  fprintf(f, "  ]");
  summary_study(f, run);
  fprintf(f, "\n}\n");
  return fclose(f) != 0 ? paper2d_file_error("write", path) : RGRBM_OK;
}

int paper2d_write_report(const paper2d_run *run) {
  char path[PATH_LEN];
  paper2d_out_path(run, PAPER2D_REPORT_FILE, path, sizeof path);
  FILE *f = fopen(path, "w");
  if (f == NULL) return paper2d_file_error("create", path);
  html_head(f, run);
  sampling_section(f, run);
  levels_section(f, run);
  figures_section(f, run);
  study_section(f, run);
  for (size_t i = 0; i < sizeof COMPANIONS / sizeof COMPANIONS[0]; i++)
    companion_section(f, run, &COMPANIONS[i]);
  files_section(f, run);
  if (fclose(f) != 0) return paper2d_file_error("write", path);
  return write_summary(run);
}
