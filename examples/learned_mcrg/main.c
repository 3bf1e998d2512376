/* Monte Carlo RG with learned plans, side by side: Swendsen-Wang samples of
 * an L x L torus at K_c, and for every coarse-graining map in MAPS the
 * leading thermal (y_t) and magnetic (y_h) exponents at levels 1..3 with
 * jackknife errors, all on the same samples (every map's run restarts the
 * same chain). Exact 2D Ising values: y_t = 1, y_h = 15/8.
 *
 *   learned_mcrg [--quick] [--out DIR] [--seed N] [--epochs N] [--samples N]
 *
 * Writes DIR/report.md (a markdown section) and DIR/summary.json (every
 * number a JSON number, null where a value is not finite). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli.h"
#include "rgrbm.h"

/* The chain's seed and the majority rule's coins are those of examples/mcrg
 * (2026 and 7), so that the full run's majority row is what `mcrg` prints
 * by default. */
#define DEFAULT_SEED UINT64_C(2026)
#define TIE_SEED_OFFSET (DEFAULT_SEED - UINT64_C(7))
#define MAX_LEVELS 3

typedef struct args {
  int quick;
  const char *out;
  uint64_t seed;
  int epochs;     /* 0: the size's default */
  size_t samples; /* 0: the size's default */
} args;

/* What every map's maker may use: the run's sizes and seeds, and training
 * configurations that are the first ones the MCRG runs measure. */
typedef struct context {
  int L, levels;
  double K;
  uint64_t seed;
  int epochs;
  size_t samples;
  const rgrbm_dataset *train;
} context;

/* What a maker reports beside its plan. */
typedef struct map_note {
  char text[1024];   /* for the report (empty: nothing to say) */
  int levels;        /* levels MCRG can run with the plan, 0..context levels */
  int placements;    /* placement reports filled (stack plans) */
  rgrbm_rg_placement placement[MAX_LEVELS];
  void *owned;                 /* what the plan borrows (a stack, a filter), or NULL */
  void (*release)(void *owned); /* frees it after the run */
} map_note;

/* A map: its summary.json key, its report name and its maker, which
 * returns 0 with *plan (or *plan NULL and note->text saying why it cannot
 * run), or 1 after printing the library's error (the whole run fails). */
typedef int (*map_maker)(const context *c, rgrbm_rg **plan, map_note *note);
typedef struct map_entry {
  const char *key, *name;
  map_maker make;
} map_entry;

static int library_error(const char *what) {
  fprintf(stderr, "learned_mcrg: %s: %s\n", what, rgrbm_last_error());
  return 1;
}

static int make_block(const context *c, rgrbm_rg **plan, map_note *note,
                      rgrbm_block_rule rule) {
  note->levels = c->levels;
  if (rgrbm_rg_create_block2d(plan, c->L, c->L, 2, rule, c->seed - TIE_SEED_OFFSET) != RGRBM_OK)
    return library_error("block-spin plan");
  return 0;
}

static int make_majority(const context *c, rgrbm_rg **plan, map_note *note) {
  return make_block(c, plan, note, RGRBM_BLOCK_MAJORITY);
}

static int make_decimation(const context *c, rgrbm_rg **plan, map_note *note) {
  return make_block(c, plan, note, RGRBM_BLOCK_DECIMATE);
}

/* The paper's choices: {0,1} units, L1 = 2e-4, CD-1; sizes L^2, (L/2)^2,
 * (L/4)^2, (L/8)^2. */
static int train_stack(const context *c, rgrbm_stack **s) {
  int sizes[MAX_LEVELS + 1];
  for (int l = 0; l <= MAX_LEVELS; l++) sizes[l] = (c->L >> l) * (c->L >> l);
  rgrbm_cd_options o[MAX_LEVELS]; /* one per layer */
  for (int l = 0; l < MAX_LEVELS; l++) {
    rgrbm_cd_options_init(&o[l], RGRBM_CD_OPTIONS_VERSION);
    o[l].epochs = c->epochs;
    o[l].l1 = 2e-4;
    o[l].seed = c->seed + 1 + (uint64_t)l;
  }
  if (rgrbm_stack_create(s, sizes, MAX_LEVELS + 1, RGRBM_UNITS_BINARY, c->seed + 2) != RGRBM_OK)
    return library_error("stack");
  if (rgrbm_cd_train_stack(*s, c->train, o) != RGRBM_OK) return library_error("training");
  return 0;
}

static void release_stack(void *s) { rgrbm_stack_destroy(s); }

/* Every level's placement, reported; MCRG runs the levels 1..n that all
 * place one-to-one. */
static int make_stack_plan(const context *c, rgrbm_rg **plan, map_note *note) {
  printf("  training a %d-%d-%d-%d stack on %zu configurations, %d epochs per layer\n", c->L * c->L,
         (c->L / 2) * (c->L / 2), (c->L / 4) * (c->L / 4), (c->L / 8) * (c->L / 8),
         rgrbm_dataset_count(c->train), c->epochs);
  rgrbm_stack *s = NULL;
  int trained = train_stack(c, &s);
  note->owned = s; /* freed also when training failed */
  note->release = release_stack;
  if (trained != 0) return 1;
  int usable = 1;
  for (int l = 1; l <= c->levels; l++) {
    rgrbm_rg *rg = NULL;
    rgrbm_rg_placement *p = &note->placement[l - 1];
    *p = (rgrbm_rg_placement)RGRBM_RG_PLACEMENT_INIT;
    int rc = rgrbm_rg_create_learned_placed(&rg, s, l, RGRBM_RG_SIGN_MEAN, c->seed, c->L, c->L, p);
    note->placements = l;
    if (rc != RGRBM_OK && p->units == 0) return library_error("placement");
    if (rc != RGRBM_OK && usable) {
      snprintf(note->text, sizeof note->text, "level %d: %s", l, rgrbm_last_error());
      usable = 0;
    }
    if (usable) note->levels = l;
    if (l == 1) *plan = rg;
    else rgrbm_rg_destroy(rg);
  }
  return 0;
}

/* Chung & Kao's translation-invariant map: one 8 x 8 filter, stride 2, +-1
 * units, CD-1 (docs/rg.md "Translation-invariant learned coarse-graining"
 * gives these settings and why: lr 0.1, L1 1e-3). Trained once, shared by
 * the deterministic and the sampled rows, freed at the end of main. */
static rgrbm_conv *trained_filter;

static int train_filter(const context *c) {
  if (trained_filter != NULL) return 0;
  printf("  training an 8 x 8 filter (stride 2, +-1 units) on %zu configurations, %d epochs\n",
         rgrbm_dataset_count(c->train), c->epochs);
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = c->epochs;
  o.learning_rate = 0.1;
  o.l1 = 1e-3;
  o.seed = c->seed + 11;
  if (rgrbm_conv_create(&trained_filter, 8, 2, RGRBM_UNITS_SPIN, c->seed + 12) != RGRBM_OK)
    return library_error("filter");
  if (rgrbm_conv_train(trained_filter, c->train, &o) != RGRBM_OK) {
    rgrbm_conv_destroy(trained_filter);
    trained_filter = NULL;
    return library_error("filter training");
  }
  return 0;
}

static int make_conv(const context *c, rgrbm_rg **plan, map_note *note, rgrbm_rg_mode mode) {
  if (train_filter(c) != 0) return 1;
  note->levels = c->levels;
  if (rgrbm_rg_create_conv(plan, trained_filter, c->L, c->L, mode, c->seed) != RGRBM_OK)
    return library_error("filter plan");
  return 0;
}

static int make_conv_mean(const context *c, rgrbm_rg **plan, map_note *note) {
  return make_conv(c, plan, note, RGRBM_RG_SIGN_MEAN);
}

static int make_conv_sampled(const context *c, rgrbm_rg **plan, map_note *note) {
  return make_conv(c, plan, note, RGRBM_RG_SAMPLE);
}

/* The maps, in the report's order. Another map is one more row here: a
 * maker that builds (and may train, on c->train) its plan from the
 * context, sets note->levels to the levels MCRG may run, and hands what
 * the plan borrows to note->owned and note->release. */
static const map_entry MAPS[] = {
    {"majority", "2 x 2 majority rule", make_majority},
    {"decimation", "2 x 2 decimation", make_decimation},
    {"filter", "learned 8 x 8 filter, stride 2 (sign of means)", make_conv_mean},
    {"filter_sampled", "learned 8 x 8 filter, stride 2 (sampled)", make_conv_sampled},
    {"stack", "trained stack, units placed by receptive-field centre (sign of means)",
     make_stack_plan},
};
enum { NMAPS = sizeof MAPS / sizeof MAPS[0] };

typedef struct outcome {
  map_note note;
  rgrbm_mcrg_result r; /* r.levels == 0: not run */
} outcome;

/* A sampler of the run's chain: every map sees the same configurations. */
static int chain(const context *c, rgrbm_lattice **lat, rgrbm_sampler **smp) {
  if (rgrbm_lattice_create(lat, RGRBM_SQUARE, c->L, c->L, RGRBM_PERIODIC) != RGRBM_OK ||
      rgrbm_lattice_set_couplings(*lat, c->K, 0) != RGRBM_OK ||
      rgrbm_sampler_create(smp, *lat, RGRBM_SWENDSEN_WANG, c->seed) != RGRBM_OK)
    return library_error("sampler");
  return 0;
}

/* A numerical failure (an operator that does not fluctuate on a map's
 * coarse lattice, as a barely trained filter's can) is that map's result,
 * reported in its note; any other failure stops the run. */
static int run_map(const context *c, const rgrbm_rg *plan, int levels, rgrbm_mcrg_result *r,
                   map_note *note) {
  rgrbm_lattice *lat = NULL;
  rgrbm_sampler *smp = NULL;
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = levels;
  o.samples = c->samples;
  *r = (rgrbm_mcrg_result)RGRBM_MCRG_RESULT_INIT;
  int rc = chain(c, &lat, &smp);
  int status = rc == 0 ? rgrbm_mcrg_run(smp, plan, &o, r) : RGRBM_OK;
  if (status == RGRBM_ENUMERIC)
    snprintf(note->text, sizeof note->text, "MCRG failed: %s", rgrbm_last_error());
  else if (status != RGRBM_OK)
    rc = library_error("MCRG");
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return rc;
}

/* The first `count` configurations an MCRG run measures: the same chain,
 * thermalized and spaced as rgrbm_mcrg_run does with default options. */
static int training_data(const context *c, size_t count, rgrbm_dataset **out) {
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  rgrbm_lattice *lat = NULL;
  rgrbm_sampler *smp = NULL;
  int rc = chain(c, &lat, &smp);
  if (rc == 0 && (rgrbm_dataset_create(out, (size_t)c->L * (size_t)c->L) != RGRBM_OK ||
                  rgrbm_sampler_sweep(smp, o.thermalize) != RGRBM_OK ||
                  rgrbm_sampler_draw(smp, count, 0, o.spacing, *out) != RGRBM_OK))
    rc = library_error("training data");
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return rc;
}

/* ---- output ---- */

/* The exponents with every operator of their parity (Swendsen's estimate). */
static const rgrbm_mcrg_exponent *thermal(const rgrbm_mcrg_result *r, int n) {
  return &r->even[(size_t)n * (size_t)r->even_operators + (size_t)(r->even_operators - 1)];
}
static const rgrbm_mcrg_exponent *magnetic(const rgrbm_mcrg_result *r, int n) {
  return &r->odd[(size_t)n * (size_t)r->odd_operators + (size_t)(r->odd_operators - 1)];
}

static void print_table(FILE *f, const context *c, const outcome *res) {
  fprintf(f, "| map | level | y_t | y_h |\n|---|---|---|---|\n");
  for (int m = 0; m < NMAPS; m++)
    for (int n = 0; n < c->levels; n++) {
      const rgrbm_mcrg_result *r = &res[m].r;
      if (n < r->levels) {
        const rgrbm_mcrg_exponent *t = thermal(r, n), *h = magnetic(r, n);
        fprintf(f, "| %s | %d | %.4f ± %.4f | %.4f ± %.4f |\n", MAPS[m].name, n + 1, t->y,
                t->y_err, h->y, h->y_err);
      } else {
        fprintf(f, "| %s | %d | not run | not run |\n", MAPS[m].name, n + 1);
      }
    }
}

static int write_report(const char *path, const context *c, const outcome *res) {
  rgrbm_mcrg_options o; /* the runs' */
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  fprintf(f, "## Monte Carlo RG with learned plans\n\n");
  fprintf(f,
          "%zu Swendsen-Wang configurations of the %d x %d torus at K = %.7f (seed %llu), the "
          "same for every map. Exponents y = ln(lambda) / ln(b), b = 2, from the leading "
          "eigenvalue of Swendsen's T matrix with all %d even and %d odd operators; errors "
          "are the jackknife's over %zu bins. Exact: y_t = 1, y_h = 15/8 = 1.875.\n\n",
          c->samples, c->L, c->L, c->K, (unsigned long long)c->seed, RGRBM_MCRG_EVEN,
          RGRBM_MCRG_ODD, o.bins);
  print_table(f, c, res);
  for (int m = 0; m < NMAPS; m++) {
    const map_note *note = &res[m].note;
    if (note->placements > 0) {
      fprintf(f, "\nPlacement of the %s's units (receptive-field centres on the coarse "
                 "lattices):\n\n| level | coarse lattice | units alone on their site | "
                 "empty sites | crowded sites |\n|---|---|---|---|---|\n",
              MAPS[m].key);
      for (int l = 0; l < note->placements; l++) {
        const rgrbm_rg_placement *p = &note->placement[l];
        fprintf(f, "| %d | %d x %d | %zu of %zu (%.4f) | %zu | %zu |\n", l + 1, p->coarse_lx,
                p->coarse_ly, p->placed, p->units, p->fraction, p->empty_sites,
                p->crowded_sites);
      }
    }
    if (note->text[0] != '\0') fprintf(f, "\n%s: %s\n", MAPS[m].name, note->text);
  }
  fprintf(f, "\nA learned map's exponents are those of MCRG's linearization for that map: "
             "they measure the Ising exponents only where the map is a good RG "
             "transformation (docs/rg.md, \"Monte Carlo RG with learned plans\").\n");
  return fclose(f) == 0 ? 0 : -1;
}

/* A JSON number, null where it is not finite. */
static void json_exponents(FILE *f, const rgrbm_mcrg_exponent *e, int k) {
  fprintf(f, "[");
  for (int i = 0; i < k; i++) {
    fprintf(f, "%s{\"y\": ", i ? ", " : "");
    cli_json_number(f, e[i].y);
    fprintf(f, ", \"y_err\": ");
    cli_json_number(f, e[i].y_err);
    fprintf(f, ", \"lambda\": ");
    cli_json_number(f, e[i].lambda);
    fprintf(f, ", \"lambda_err\": ");
    cli_json_number(f, e[i].lambda_err);
    fprintf(f, "}");
  }
  fprintf(f, "]");
}

static void json_map(FILE *f, const outcome *o) {
  const rgrbm_mcrg_result *r = &o->r;
  fprintf(f, "{\"levels_run\": %d, \"levels\": [", r->levels);
  for (int n = 0; n < r->levels; n++) {
    fprintf(f, "%s\n      {\"level\": %d, \"y_t\": ", n ? "," : "", n + 1);
    cli_json_number(f, thermal(r, n)->y);
    fprintf(f, ", \"y_t_err\": ");
    cli_json_number(f, thermal(r, n)->y_err);
    fprintf(f, ", \"y_h\": ");
    cli_json_number(f, magnetic(r, n)->y);
    fprintf(f, ", \"y_h_err\": ");
    cli_json_number(f, magnetic(r, n)->y_err);
    fprintf(f, ",\n       \"even_by_operators\": ");
    json_exponents(f, r->even + (size_t)n * (size_t)r->even_operators, r->even_operators);
    fprintf(f, ",\n       \"odd_by_operators\": ");
    json_exponents(f, r->odd + (size_t)n * (size_t)r->odd_operators, r->odd_operators);
    fprintf(f, "}");
  }
  fprintf(f, "]");
  if (o->note.placements > 0) {
    fprintf(f, ",\n    \"placement\": [");
    for (int l = 0; l < o->note.placements; l++) {
      const rgrbm_rg_placement *p = &o->note.placement[l];
      fprintf(f, "%s{\"level\": %d, \"units\": %zu, \"placed\": %zu, \"fraction\": ", l ? ", " : "",
              l + 1, p->units, p->placed);
      cli_json_number(f, p->fraction);
      fprintf(f, ", \"empty_sites\": %zu, \"crowded_sites\": %zu}", p->empty_sites,
              p->crowded_sites);
    }
    fprintf(f, "]");
  }
  fprintf(f, "}");
}

static int write_summary(const char *path, const context *c, const outcome *res) {
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  fprintf(f, "{\n  \"L\": %d,\n  \"K\": ", c->L);
  cli_json_number(f, c->K);
  fprintf(f, ",\n  \"b\": 2,\n  \"samples\": %zu,\n  \"seed\": %llu,\n  \"epochs\": %d,\n"
             "  \"levels\": %d,\n  \"exact\": {\"y_t\": 1, \"y_h\": 1.875},\n  \"maps\": {",
          c->samples, (unsigned long long)c->seed, c->epochs, c->levels);
  for (int m = 0; m < NMAPS; m++) {
    fprintf(f, "%s\n    \"%s\": ", m ? "," : "", MAPS[m].key);
    json_map(f, &res[m]);
  }
  fprintf(f, "\n  }\n}\n");
  return fclose(f) == 0 ? 0 : -1;
}

/* ---- command line ---- */

static void usage(const char *prog) {
  printf("Usage: %s [--quick] [--out DIR] [--seed N] [--epochs N] [--samples N]\n\n"
         "Monte Carlo renormalization group with learned coarse-graining maps, side by\n"
         "side on the same Swendsen-Wang samples of the 2D Ising model at K_c: y_t and\n"
         "y_h at levels 1-3 with jackknife errors for 2 x 2 majority rule, 2 x 2\n"
         "decimation and a stack trained on the first samples of the same chain\n"
         "(L^2-(L/2)^2-(L/4)^2-(L/8)^2, {0,1} units, L1 = 2e-4, CD-1: the paper's choices),\n"
         "its units placed on the coarse lattices by their receptive-field centres; where\n"
         "they do not place one-to-one the report gives the fraction placed. Exact 2D\n"
         "Ising values: y_t = 1, y_h = 15/8.\n\n"
         "Options:\n"
         "  --quick       CI sizes: 32 x 32, 2000 samples, 3 epochs (seconds); default\n"
         "                64 x 64, 20000 samples, 10 epochs (minutes)\n"
         "  --out DIR     output folder for report.md and summary.json (default\n"
         "                learned_mcrg_out; created if missing)\n"
         "  --seed N      seed of every random number, 0..2^64-1 (default %llu): the\n"
         "                chain uses N, the majority rule's coins N - %llu, the stack\n"
         "                N + 1 .. N + 4\n"
         "  --epochs N    training epochs per layer, 1..10000\n"
         "  --samples N   MCRG samples, 100..100000000 (training uses the first 2000 of\n"
         "                them in --quick runs, 5000 otherwise)\n"
         "  -h, --help    print this text and exit\n",
         prog, (unsigned long long)DEFAULT_SEED, (unsigned long long)TIE_SEED_OFFSET);
}

static int parse_args(int argc, char **argv, args *a) {
  const char *prog = argv[0];
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *v;
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      usage(prog);
      return CLI_HELP;
    } else if (strcmp(arg, "--quick") == 0) {
      a->quick = 1;
    } else if (cli_is_option(arg, "--out")) {
      if ((v = cli_option_value(argc, argv, &i, "--out")) == NULL || *v == '\0')
        return cli_usage_error(prog, "option --out needs a folder");
      a->out = v;
    } else if (cli_is_option(arg, "--seed")) {
      if ((v = cli_option_value(argc, argv, &i, "--seed")) == NULL)
        return cli_usage_error(prog, "option --seed needs a value");
      if (cli_u64(v, 0, UINT64_MAX, &a->seed) != 0)
        return cli_usage_error(prog, "--seed: not an integer in 0..2^64-1: '%s'", v);
    } else if (cli_is_option(arg, "--epochs")) {
      if ((v = cli_option_value(argc, argv, &i, "--epochs")) == NULL)
        return cli_usage_error(prog, "option --epochs needs a value");
      if (cli_int(v, 1, 10000, &a->epochs) != 0)
        return cli_usage_error(prog, "--epochs: not an integer in 1..10000: '%s'", v);
    } else if (cli_is_option(arg, "--samples")) {
      if ((v = cli_option_value(argc, argv, &i, "--samples")) == NULL)
        return cli_usage_error(prog, "option --samples needs a value");
      uint64_t n;
      if (cli_u64(v, 100, 100000000, &n) != 0)
        return cli_usage_error(prog, "--samples: not an integer in 100..100000000: '%s'", v);
      a->samples = (size_t)n;
    } else if (arg[0] == '-') {
      return cli_usage_error(prog, "unknown option '%s'", arg);
    } else {
      return cli_usage_error(prog, "unexpected argument '%s' (every setting is an option)", arg);
    }
  }
  return CLI_RUN;
}

static int make_folder(const char *dir) {
  if (mkdir(dir, 0777) == 0 || errno == EEXIST) return 0;
  fprintf(stderr, "learned_mcrg: cannot create %s: %s\n", dir, strerror(errno));
  return -1;
}

/* ---- the run ---- */

static void print_outcome(const map_entry *m, const outcome *o) {
  printf("%s\n", m->name);
  for (int n = 0; n < o->r.levels; n++) {
    const rgrbm_mcrg_exponent *t = thermal(&o->r, n), *h = magnetic(&o->r, n);
    printf("  level %d  y_t %.4f +- %.4f  y_h %.4f +- %.4f\n", n + 1, t->y, t->y_err, h->y,
           h->y_err);
  }
  if (o->note.text[0] != '\0') printf("  %s\n", o->note.text);
}

static int run_all(const context *c, outcome *res) {
  for (int m = 0; m < NMAPS; m++) {
    rgrbm_rg *plan = NULL;
    printf("[%d/%d] %s\n", m + 1, NMAPS, MAPS[m].name);
    fflush(stdout);
    if (MAPS[m].make(c, &plan, &res[m].note) != 0) return 1;
    int rc = 0;
    if (plan != NULL && res[m].note.levels > 0)
      rc = run_map(c, plan, res[m].note.levels, &res[m].r, &res[m].note);
    rgrbm_rg_destroy(plan);
    if (rc != 0) return rc;
    print_outcome(&MAPS[m], &res[m]);
  }
  return 0;
}

int main(int argc, char **argv) {
  args a = {0, "learned_mcrg_out", DEFAULT_SEED, 0, 0};
  int parsed = parse_args(argc, argv, &a);
  if (parsed != CLI_RUN) return parsed == CLI_HELP ? 0 : CLI_USAGE;
  context c = {a.quick ? 32 : 64, MAX_LEVELS, 0.5 * log(1 + sqrt(2.0)), a.seed,
               a.epochs ? a.epochs : (a.quick ? 3 : 10),
               a.samples ? a.samples : (a.quick ? 2000 : 20000), NULL};
  size_t train = a.quick ? 2000 : 5000;
  if (train > c.samples) train = c.samples;
  if (make_folder(a.out) != 0) return 1;
  rgrbm_dataset *data = NULL;
  outcome res[NMAPS];
  memset(res, 0, sizeof res);
  int rc = training_data(&c, train, &data);
  c.train = data;
  if (rc == 0) rc = run_all(&c, res);
  char path[4096];
  if (rc == 0) {
    snprintf(path, sizeof path, "%s/report.md", a.out);
    if (write_report(path, &c, res) != 0) rc = 1;
    snprintf(path, sizeof path, "%s/summary.json", a.out);
    if (rc == 0 && write_summary(path, &c, res) != 0) rc = 1;
    if (rc != 0) fprintf(stderr, "learned_mcrg: cannot write %s: %s\n", path, strerror(errno));
    else printf("wrote %s/report.md and %s/summary.json\n", a.out, a.out);
  }
  for (int m = 0; m < NMAPS; m++) {
    rgrbm_mcrg_result_free(&res[m].r);
    if (res[m].note.release != NULL) res[m].note.release(res[m].note.owned);
  }
  rgrbm_conv_destroy(trained_filter);
  rgrbm_dataset_destroy(data);
  return rc;
}
