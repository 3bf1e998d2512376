/* rg_flow: the coarse-graining flow K -> K_eff(coarse) of majority rule and
 * decimation (and any map added to flow_maps.c) with each map's crossing
 * K' = K, and the RBM flow of Iso, Shiba & Yokoo, both read with the exact
 * thermometer rgrbm_measure_k_eff. Writes report.md, summary.json,
 * coarse_flow.svg and rbm_flow.svg into --out.
 *
 *   rg_flow [--quick] [--seed N] [--out DIR] [--L N] [--samples N] [--hidden N]
 *           [--epochs N] [--passes N] [--spin-units]
 *   rg_flow --help */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli.h"
#include "flow.h"

#define DEFAULT_SEED UINT64_C(2026)

static flow_config full_config(void) {
  flow_config c = {0};
  c.seed = DEFAULT_SEED;
  c.out_dir = "rg_flow_out";
  c.L = 64, c.k_min = 0.36, c.k_max = 0.52, c.k_count = 17;
  c.samples = 20000, c.bins = 50, c.thermalize = 500, c.crossing_points = 4;
  c.rbm_side = 10, c.rbm_hidden = 64, c.rbm_epochs = 100, c.rbm_passes = 100;
  c.rbm_per_temperature = 1000, c.rbm_flow_samples = 1000;
  return c;
}

/* CI sizes: seconds in a debug build. */
static void make_quick(flow_config *c) {
  c->quick = 1;
  c->L = 16, c->k_count = 5, c->samples = 1000, c->bins = 20, c->thermalize = 100;
  c->crossing_points = 3;
  c->rbm_epochs = 20, c->rbm_passes = 10, c->rbm_per_temperature = 100, c->rbm_flow_samples = 200;
}

static void usage(const char *prog) {
  flow_config f = full_config(), q = f;
  make_quick(&q);
  printf("Usage: %s [options]\n\n"
         "Flows read with the exact thermometer K_eff (rgrbm_measure_k_eff: the coupling at\n"
         "which the exact finite torus has the configurations' bond mean).\n"
         " 1. The coarse-graining flow: Swendsen-Wang samples of an L x L torus at %d couplings\n"
         "    K in [%.2f, %.2f], coarse-grained 2 x 2 by majority rule and by decimation;\n"
         "    K' = K_eff of the coarse configurations, and where K' = K (with its error).\n"
         " 2. The RBM flow of Iso, Shiba & Yokoo (arXiv 1801.07172): one RBM trained on\n"
         "    10 x 10 configurations from T = 0.5..6, configurations passed v -> h -> v\n"
         "    repeatedly, K_eff after each pass: does it approach K_c = %.7f?\n"
         "Writes report.md, summary.json, coarse_flow.svg and rbm_flow.svg into --out.\n"
         "The full run takes minutes on 2 cores; --quick seconds.\n\n"
         "Options:\n"
         "  --quick         CI sizes: L = %d, %d couplings, %zu samples; RBM %d epochs,\n"
         "                  %zu configurations per temperature, %d passes\n"
         "  --seed N        seed of every random number, 0..2^64-1 (default %llu)\n"
         "  --out DIR       output directory, created if missing (default %s)\n"
         "  --L N           fine torus side, even, 8..1024 (default %d)\n"
         "  --samples N     configurations per coupling, >= 100 (default %zu)\n"
         "  --hidden N      hidden units of the RBM, 1..10000 (default %d)\n"
         "  --epochs N      training epochs of the RBM, 1..100000 (default %d)\n"
         "  --passes N      passes v -> h -> v, 1..10000 (default %d)\n"
         "  --spin-units    +-1 units in the RBM (default {0,1}, as Iso et al.)\n"
         "  -h, --help      print this text and exit\n"
         "Options after --quick override its sizes.\n",
         prog, f.k_count, f.k_min, f.k_max, RGRBM_K_CRITICAL, q.L, q.k_count, q.samples,
         q.rbm_epochs, q.rbm_per_temperature, q.rbm_passes, (unsigned long long)f.seed,
         f.out_dir, f.L, f.samples, f.rbm_hidden, f.rbm_epochs, f.rbm_passes);
}

typedef struct int_option {
  const char *name;
  int min, max;
  int *target;
} int_option;

static int parse_int_options(const char *prog, int argc, char **argv, int *i,
                             const int_option *opts, int n, int *handled) {
  *handled = 0;
  for (int k = 0; k < n; k++) {
    if (!cli_is_option(argv[*i], opts[k].name)) continue;
    *handled = 1;
    const char *v = cli_option_value(argc, argv, i, opts[k].name);
    if (v == NULL) return cli_usage_error(prog, "option %s needs a value", opts[k].name);
    if (cli_int(v, opts[k].min, opts[k].max, opts[k].target) != 0)
      return cli_usage_error(prog, "%s: not an integer in %d..%d: '%s'", opts[k].name,
                             opts[k].min, opts[k].max, v);
    return CLI_RUN;
  }
  return CLI_RUN;
}

static int parse_args(int argc, char **argv, flow_config *c) {
  const char *prog = argv[0];
  const int_option ints[] = {{"--L", 8, 1024, &c->L},
                             {"--hidden", 1, 10000, &c->rbm_hidden},
                             {"--epochs", 1, 100000, &c->rbm_epochs},
                             {"--passes", 1, 10000, &c->rbm_passes}};
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *v;
    int handled, rc = parse_int_options(prog, argc, argv, &i, ints, 4, &handled);
    if (rc != CLI_RUN) return rc;
    if (handled) continue;
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      usage(prog);
      return CLI_HELP;
    } else if (strcmp(arg, "--quick") == 0) {
      make_quick(c);
    } else if (strcmp(arg, "--spin-units") == 0) {
      c->rbm_spin_units = 1;
    } else if (cli_is_option(arg, "--seed")) {
      if ((v = cli_option_value(argc, argv, &i, "--seed")) == NULL)
        return cli_usage_error(prog, "option --seed needs a value");
      if (cli_u64(v, 0, UINT64_MAX, &c->seed) != 0)
        return cli_usage_error(prog, "--seed: not an integer in 0..2^64-1: '%s'", v);
    } else if (cli_is_option(arg, "--out")) {
      if ((v = cli_option_value(argc, argv, &i, "--out")) == NULL || *v == '\0')
        return cli_usage_error(prog, "option --out needs a directory");
      c->out_dir = v;
    } else if (cli_is_option(arg, "--samples")) {
      if ((v = cli_option_value(argc, argv, &i, "--samples")) == NULL)
        return cli_usage_error(prog, "option --samples needs a value");
      if (cli_size(v, 100, &c->samples) != 0)
        return cli_usage_error(prog, "--samples: not an integer >= 100: '%s'", v);
    } else {
      return cli_usage_error(prog, "unknown option '%s'", arg);
    }
  }
  if (c->L % 2 != 0)
    return cli_usage_error(prog, "--L: %d is odd; 2 x 2 blocks need an even side", c->L);
  if (c->samples < c->bins) c->bins = c->samples;
  return CLI_RUN;
}

int main(int argc, char **argv) {
  flow_config c = full_config();
  int parsed = parse_args(argc, argv, &c);
  if (parsed != CLI_RUN) return parsed == CLI_HELP ? 0 : CLI_USAGE;
  if (mkdir(c.out_dir, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "rg_flow: cannot create %s: %s\n", c.out_dir, strerror(errno));
    return 1;
  }
  static coarse_flow cf;
  rbm_flow rf = {0};
  int failed = coarse_flow_run(&c, &cf);
  flow_maps_release();
  if (failed || rbm_flow_run(&c, &rf)) {
    rbm_flow_free(&rf);
    return 1;
  }
  int rc = flow_write_outputs(&c, &cf, &rf);
  if (rc)
    fprintf(stderr, "rg_flow: writing into %s: %s\n", c.out_dir, strerror(errno));
  else
    printf("rg_flow: wrote %s/report.md, summary.json, coarse_flow.svg, rbm_flow.svg\n",
           c.out_dir);
  rbm_flow_free(&rf);
  return rc ? 1 : 0;
}
