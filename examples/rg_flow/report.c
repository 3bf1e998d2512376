/* report.md, summary.json and the two flow diagrams. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "plot.h"

#define K_C RGRBM_K_CRITICAL

static const rgrbm_estimate *rbm_cell(const rbm_flow *r, int start, int pass) {
  return &r->k_eff[(size_t)start * (size_t)(r->passes + 1) + (size_t)pass];
}

static int rbm_ok(const rbm_flow *r, int start, int pass) {
  return r->ok[(size_t)start * (size_t)(r->passes + 1) + (size_t)pass];
}

/* Where the RBM flows end after the last pass: the flows from above K_c
 * (T < T_c) and from below it (T > T_c), and whether the two groups have
 * met, their nearest ends within 3 errors. A start at T_c belongs to
 * neither group. */
typedef struct flow_ends {
  double above_lo, above_hi, below_lo, below_hi, mean;
  int met;
} flow_ends;

static flow_ends rbm_flow_ends(const rbm_flow *r) {
  flow_ends e = {INFINITY, -INFINITY, INFINITY, -INFINITY, 0, 0};
  double T_c = 1 / K_C, sum = 0, err_above = 0, err_below = 0;
  int count = 0;
  for (int i = 0; i < r->n_starts; i++) {
    if (!rbm_ok(r, i, r->passes)) continue;
    const rgrbm_estimate *k = rbm_cell(r, i, r->passes);
    sum += k->value, count++;
    if (r->start_T[i] < T_c - 1e-3) {
      if (k->value < e.above_lo) e.above_lo = k->value, err_above = k->error;
      e.above_hi = fmax(e.above_hi, k->value);
    } else if (r->start_T[i] > T_c + 1e-3) {
      if (k->value > e.below_hi) e.below_hi = k->value, err_below = k->error;
      e.below_lo = fmin(e.below_lo, k->value);
    }
  }
  e.mean = count ? sum / count : NAN;
  e.met = e.above_lo - e.below_hi < 3 * sqrt(err_above * err_above + err_below * err_below);
  return e;
}

static FILE *open_out(const flow_config *c, const char *name, char *path, size_t cap) {
  snprintf(path, cap, "%s/%s", c->out_dir, name);
  return fopen(path, "w");
}

/* The passes shown in the report's table: 0, 1, 2, 5, 10, 20, 50, ... and the last. */
static int shown_pass(int p, int last) {
  if (p == 0 || p == last) return 1;
  for (int d = 1; d <= p; d *= 10)
    if (p == d || p == 2 * d || p == 5 * d) return 1;
  return 0;
}

/* ---- JSON (numbers as numbers; null where nothing was measured) ---- */

static void json_number(FILE *f, double x) {
  if (isfinite(x)) fprintf(f, "%.10g", x);
  else fprintf(f, "null");
}

static void json_estimate(FILE *f, const rgrbm_estimate *e, int ok) {
  fprintf(f, "{\"value\": ");
  json_number(f, ok ? e->value : NAN);
  fprintf(f, ", \"error\": ");
  json_number(f, ok ? e->error : NAN);
  fprintf(f, "}");
}

static void json_crossing(FILE *f, const flow_crossing *x) {
  fprintf(f, "{\"found\": %s, \"value\": ", x->found ? "true" : "false");
  json_number(f, x->value);
  fprintf(f, ", \"error\": ");
  json_number(f, x->error);
  fprintf(f, ", \"slope\": ");
  json_number(f, x->slope);
  fprintf(f, ", \"chi2_dof\": ");
  json_number(f, x->chi2_dof);
  fprintf(f, ", \"points\": %d}", x->points);
}

static void json_coarse(FILE *f, const flow_config *c, const coarse_flow *cf) {
  fprintf(f, "  \"coarse_flow\": {\n    \"L\": %d, \"samples\": %zu, \"bins\": %zu, "
          "\"seconds\": %.1f,\n    \"K\": [", c->L, c->samples, c->bins, cf->seconds);
  for (int k = 0; k < cf->k_count; k++) fprintf(f, "%s%.10g", k ? ", " : "", cf->K[k]);
  fprintf(f, "],\n    \"fine_k_eff\": [");
  for (int k = 0; k < cf->k_count; k++) {
    fprintf(f, "%s", k ? ", " : "");
    json_estimate(f, &cf->fine[k], 1);
  }
  fprintf(f, "],\n    \"maps\": [\n");
  for (int m = 0; m < cf->n_maps; m++) {
    const map_flow *mf = &cf->maps[m];
    fprintf(f, "      {\"name\": \"%s\", \"coarse_L\": %d, \"k_prime\": [", mf->map->name,
            mf->coarse_L);
    for (int k = 0; k < cf->k_count; k++) {
      fprintf(f, "%s", k ? ", " : "");
      json_estimate(f, &mf->k_prime[k], mf->ok[k]);
    }
    fprintf(f, "],\n       \"crossing\": ");
    json_crossing(f, &mf->crossing);
    fprintf(f, "}%s\n", m + 1 < cf->n_maps ? "," : "");
  }
  fprintf(f, "    ]\n  }");
}

static void json_rbm(FILE *f, const flow_config *c, const rbm_flow *r) {
  fprintf(f, "  \"rbm_flow\": {\n    \"side\": %d, \"hidden\": %d, \"units\": \"%s\", "
          "\"epochs\": %d, \"per_temperature\": %zu, \"flow_samples\": %zu, \"passes\": %d,\n"
          "    \"reconstruction_error\": ", c->rbm_side, c->rbm_hidden,
          c->rbm_spin_units ? "spin" : "binary", c->rbm_epochs, c->rbm_per_temperature,
          c->rbm_flow_samples, r->passes);
  json_number(f, r->reconstruction_error);
  fprintf(f, ", \"seconds_train\": %.1f, \"seconds_flow\": %.1f,\n    \"train_T\": [",
          r->seconds_train, r->seconds_flow);
  for (int t = 0; t < r->n_train; t++) fprintf(f, "%s%.10g", t ? ", " : "", r->train_T[t]);
  flow_ends e = rbm_flow_ends(r);
  fprintf(f, "],\n    \"ends\": {\"above_lo\": ");
  json_number(f, e.above_lo);
  fprintf(f, ", \"above_hi\": ");
  json_number(f, e.above_hi);
  fprintf(f, ", \"below_lo\": ");
  json_number(f, e.below_lo);
  fprintf(f, ", \"below_hi\": ");
  json_number(f, e.below_hi);
  fprintf(f, ", \"mean\": ");
  json_number(f, e.mean);
  fprintf(f, ", \"met\": %s},\n    \"flows\": [\n", e.met ? "true" : "false");
  for (int i = 0; i < r->n_starts; i++) {
    fprintf(f, "      {\"start_T\": %.10g, \"start_K\": %.10g, \"k_eff\": [", r->start_T[i],
            1 / r->start_T[i]);
    for (int p = 0; p <= r->passes; p++) {
      fprintf(f, "%s", p ? ", " : "");
      json_estimate(f, rbm_cell(r, i, p), rbm_ok(r, i, p));
    }
    fprintf(f, "]}%s\n", i + 1 < r->n_starts ? "," : "");
  }
  fprintf(f, "    ]\n  }");
}

static int write_json(const flow_config *c, const coarse_flow *cf, const rbm_flow *rf) {
  char path[4096];
  FILE *f = open_out(c, "summary.json", path, sizeof path);
  if (f == NULL) return -1;
  fprintf(f, "{\n  \"seed\": %llu, \"quick\": %s, \"k_critical\": %.17g,\n",
          (unsigned long long)c->seed, c->quick ? "true" : "false", K_C);
  json_coarse(f, c, cf);
  fprintf(f, ",\n");
  json_rbm(f, c, rf);
  fprintf(f, "\n}\n");
  int failed = ferror(f);
  return fclose(f) != 0 || failed ? -1 : 0;
}

/* ---- report.md ---- */

static void md_estimate(FILE *f, const rgrbm_estimate *e, int ok) {
  if (ok) fprintf(f, " %.4f +- %.4f |", e->value, e->error);
  else fprintf(f, " (none) |");
}

static void md_coarse(FILE *f, const flow_config *c, const coarse_flow *cf) {
  fprintf(f, "## The coarse-graining flow K -> K'\n\n"
          "Swendsen-Wang samples of the %d x %d torus at each K (%zu configurations after %llu "
          "sweeps, seed %llu + the index of K), every map applied once; K' is K_eff of the "
          "coarse configurations on their own %d x %d torus, errors from %zu bins. The fine "
          "samples' own K_eff checks the thermometer (it should equal K within its error). "
          "Maps (one row each in `examples/rg_flow/flow_maps.c`):\n\n",
          c->L, c->L, c->samples, (unsigned long long)c->thermalize, (unsigned long long)c->seed,
          c->L / 2, c->L / 2, c->bins);
  for (int m = 0; m < cf->n_maps; m++)
    fprintf(f, "- `%s`: %s\n", cf->maps[m].map->name, cf->maps[m].map->description);
  fprintf(f, "\n| K | fine K_eff |");
  for (int m = 0; m < cf->n_maps; m++) fprintf(f, " K' %s | (K' - K)/err |", cf->maps[m].map->name);
  fprintf(f, "\n|---|---|");
  for (int m = 0; m < cf->n_maps; m++) fprintf(f, "---|---|");
  fprintf(f, "\n");
  for (int k = 0; k < cf->k_count; k++) {
    fprintf(f, "| %.4f |", cf->K[k]);
    md_estimate(f, &cf->fine[k], 1);
    for (int m = 0; m < cf->n_maps; m++) {
      const map_flow *mf = &cf->maps[m];
      md_estimate(f, &mf->k_prime[k], mf->ok[k]);
      if (mf->ok[k])
        fprintf(f, " %+.1f |", (mf->k_prime[k].value - cf->K[k]) / mf->k_prime[k].error);
      else
        fprintf(f, " |");
    }
    fprintf(f, "\n");
  }
  fprintf(f, "\n### Crossings K' = K\n\n"
          "K* is where a weighted straight line through the %d points nearest the first sign "
          "change of K' - K crosses zero; its error propagates the errors of K' through the "
          "fit (intercept and slope uncorrelated about the points' weighted mean), scaled by "
          "sqrt(chi2/dof) where that exceeds 1 (K' curves over the points used). A slope "
          "d(K' - K)/dK > 0 means the flow runs away from K* on both sides (an unstable, "
          "critical-like fixed point of the nearest-neighbour projection).\n\n"
          "| map | K* | error | K* - K_c | (K* - K_c)/error | slope | chi2/dof |\n"
          "|---|---|---|---|---|---|---|\n", c->crossing_points);
  for (int m = 0; m < cf->n_maps; m++) {
    const map_flow *mf = &cf->maps[m];
    const flow_crossing *x = &mf->crossing;
    if (!x->found) {
      int up = mf->ok[0] && mf->k_prime[0].value > cf->K[0];
      fprintf(f, "| %s | none in [%.3f, %.3f]: K' %s K everywhere | | | | | |\n", mf->map->name,
              cf->K[0], cf->K[cf->k_count - 1], up ? ">" : "<");
      continue;
    }
    fprintf(f, "| %s | %.4f | %.4f | %+.4f | %+.1f | %.3f | %.2f |\n", mf->map->name, x->value,
            x->error, x->value - K_C, (x->value - K_C) / x->error, x->slope, x->chi2_dof);
  }
  fprintf(f, "\nK_c = %.7f. The crossing is that of the nearest-neighbour projection of each "
          "map on a finite torus (fine %d^2, coarse %d^2): K_eff is the coupling of the "
          "nearest-neighbour model with the coarse configurations' bond mean, not the coarse "
          "Hamiltonian, so K* need not be K_c; its distance from K_c measures how much the map's "
          "coarse Hamiltonian differs from a nearest-neighbour one near criticality.\n\n"
          "![coarse-graining flow](coarse_flow.svg)\n\n", K_C, c->L, c->L / 2);
}

static void md_rbm(FILE *f, const flow_config *c, const rbm_flow *r) {
  fprintf(f, "## The RBM flow (Iso, Shiba & Yokoo)\n\n"
          "One RBM, %d visible units (a %d x %d torus) and %d hidden, %s units, trained by "
          "CD-1 (%d epochs, library defaults otherwise; last reconstruction error %.4f) on %zu "
          "Swendsen-Wang configurations at each of %d temperatures T = %.2f..%.2f, mixed, as "
          "Iso et al. did. Then %zu fresh configurations at each starting T are passed "
          "v -> h -> v (sampled, rgrbm_stack_reconstruct) %d times; the table gives K_eff "
          "(the exact %d x %d torus thermometer) after the passes shown. Iso et al. read the "
          "temperature with a neural-network thermometer, whose reliability was disputed "
          "(arXiv 2006.10176); this one is exact for the nearest-neighbour model, and on "
          "reconstructions it is the effective nearest-neighbour coupling.\n\n",
          c->rbm_side * c->rbm_side, c->rbm_side, c->rbm_side, c->rbm_hidden,
          c->rbm_spin_units ? "+-1" : "{0,1}", c->rbm_epochs, r->reconstruction_error,
          c->rbm_per_temperature, r->n_train, r->train_T[0], r->train_T[r->n_train - 1],
          c->rbm_flow_samples, r->passes, c->rbm_side, c->rbm_side);
  fprintf(f, "| start T | start K |");
  for (int p = 0; p <= r->passes; p++)
    if (shown_pass(p, r->passes)) fprintf(f, " pass %d |", p);
  fprintf(f, " |K_eff - K_c| first -> last |\n|---|---|");
  for (int p = 0; p <= r->passes; p++)
    if (shown_pass(p, r->passes)) fprintf(f, "---|");
  fprintf(f, "---|\n");
  for (int i = 0; i < r->n_starts; i++) {
    fprintf(f, "| %.3f | %.4f |", r->start_T[i], 1 / r->start_T[i]);
    for (int p = 0; p <= r->passes; p++)
      if (shown_pass(p, r->passes)) md_estimate(f, rbm_cell(r, i, p), rbm_ok(r, i, p));
    if (rbm_ok(r, i, 0) && rbm_ok(r, i, r->passes))
      fprintf(f, " %.4f -> %.4f |\n", fabs(rbm_cell(r, i, 0)->value - K_C),
              fabs(rbm_cell(r, i, r->passes)->value - K_C));
    else
      fprintf(f, " |\n");
  }
  flow_ends e = rbm_flow_ends(r);
  fprintf(f, "\nAfter %d passes the flows that started above K_c (T < T_c) end at K_eff in "
          "[%.4f, %.4f], those that started below it (T > T_c) in [%.4f, %.4f] (K_c = %.4f). ",
          r->passes, e.above_lo, e.above_hi, e.below_lo, e.below_hi, K_C);
  if (e.met)
    fprintf(f, "The two groups have met (within 3 errors): the RBM flow has a fixed point at "
            "K_eff = %.4f (the mean of every end point; T = %.3f against T_c = 2.269), %.4f %s "
            "K_c.\n\n", e.mean, 1 / e.mean, fabs(e.mean - K_C), e.mean > K_C ? "above" : "below");
  else
    fprintf(f, "The two groups have not met after %d passes: a fixed point would lie between "
            "%.4f and %.4f, %s K_c.\n\n", r->passes, e.below_hi, e.above_lo,
            e.below_hi <= K_C && K_C <= e.above_lo ? "a range that holds" : "a range that misses");
  fprintf(f, "![RBM flow](rbm_flow.svg)\n\n");
}

static int write_md(const flow_config *c, const coarse_flow *cf, const rbm_flow *rf) {
  char path[4096];
  FILE *f = open_out(c, "report.md", path, sizeof path);
  if (f == NULL) return -1;
  fprintf(f, "# Flows on the exact thermometer\n\n"
          "%s run, seed %llu. K_eff of a set of configurations is the coupling at which the "
          "exact finite torus (Kaufman) has their bond mean (rgrbm_measure_k_eff); its error "
          "carries the bond mean's binned error through the exact slope. K_c = %.7f. Numbers "
          "are also in summary.json.\n\n", c->quick ? "Quick (CI sizes)" : "Full",
          (unsigned long long)c->seed, K_C);
  md_coarse(f, c, cf);
  md_rbm(f, c, rf);
  int failed = ferror(f);
  return fclose(f) != 0 || failed ? -1 : 0;
}

/* ---- plots ---- */

static int plot_coarse(const flow_config *c, const coarse_flow *cf) {
  double y[FLOW_MAX_MAPS][FLOW_MAX_COUPLINGS], e[FLOW_MAX_MAPS][FLOW_MAX_COUPLINGS];
  plot_series s[FLOW_MAX_MAPS];
  for (int m = 0; m < cf->n_maps; m++) {
    for (int k = 0; k < cf->k_count; k++) {
      y[m][k] = cf->maps[m].ok[k] ? cf->maps[m].k_prime[k].value : NAN;
      e[m][k] = cf->maps[m].k_prime[k].error;
    }
    s[m] = (plot_series){cf->maps[m].map->name, cf->K, y[m], e[m], (size_t)cf->k_count, 1};
  }
  char path[4096], title[128];
  snprintf(path, sizeof path, "%s/coarse_flow.svg", c->out_dir);
  snprintf(title, sizeof title, "K' = K_eff(coarse) against K, %d^2 -> %d^2 (dashed: K_c)", c->L,
           c->L / 2);
  plot_spec p = {title, "K", "K'", s, cf->n_maps, 1, K_C, K_C};
  return plot_svg_write(path, &p);
}

static int plot_rbm(const flow_config *c, const rbm_flow *r) {
  int np = r->passes + 1;
  double *x = malloc((size_t)np * sizeof *x);
  double *y = malloc((size_t)r->n_starts * (size_t)np * sizeof *y);
  double *e = malloc((size_t)r->n_starts * (size_t)np * sizeof *e);
  plot_series s[FLOW_MAX_STARTS];
  char labels[FLOW_MAX_STARTS][32];
  if (x == NULL || y == NULL || e == NULL) {
    free(x), free(y), free(e);
    errno = ENOMEM;
    return -1;
  }
  for (int p = 0; p < np; p++) x[p] = p;
  for (int i = 0; i < r->n_starts; i++) {
    for (int p = 0; p < np; p++) {
      y[i * np + p] = rbm_ok(r, i, p) ? rbm_cell(r, i, p)->value : NAN;
      e[i * np + p] = rbm_cell(r, i, p)->error;
    }
    snprintf(labels[i], sizeof labels[i], "from T = %.3g", r->start_T[i]);
    s[i] = (plot_series){labels[i], x, y + i * np, e + i * np, (size_t)np, 1};
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/rbm_flow.svg", c->out_dir);
  plot_spec p = {"RBM flow: K_eff after each pass v -> h -> v (dashed: K_c)", "pass", "K_eff", s,
                 r->n_starts, 0, NAN, K_C};
  int rc = plot_svg_write(path, &p);
  free(x), free(y), free(e);
  return rc;
}

int flow_write_outputs(const flow_config *c, const coarse_flow *cf, const rbm_flow *rf) {
  if (write_json(c, cf, rf) || write_md(c, cf, rf) || plot_coarse(c, cf) || plot_rbm(c, rf))
    return -1;
  return 0;
}
