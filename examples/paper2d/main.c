/* paper2d: Mehta & Schwab's 2D experiment end to end (the project's main
 * job). Samples the 40 x 40 Ising model at K = 0.408, trains the
 * 1600-400-100-25 stack greedily, measures what it learned against
 * block-spin RG and writes figures and report.html. See --help. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cblas.h>

#include "../cli.h"
#include "analysis.h"
#include "config.h"
#include "experiment.h"
#include "figures.h"
#include "report.h"
#include "study.h"

/* The command line: which embedded configuration, and what it changes. */
typedef struct overrides {
  int quick, help, study;
  const char *out, *cpu;
  int has_seed, has_epochs, has_samples, has_batch, has_threads, has_lr, has_l1, has_units;
  uint64_t seed;
  int epochs, threads;
  size_t samples, batch;
  double lr, l1;
  rgrbm_units units;
} overrides;

enum { MAX_THREADS = 1024 }; /* --threads; take_value() says it too */

static void usage(const char *prog, const paper2d_config *selected, int changed) {
  paper2d_config d, q;
  paper2d_config_default(&d);
  paper2d_config_quick(&q);
  char quick_sizes[128];
  paper2d_config_sizes(&q, quick_sizes, sizeof quick_sizes);
  printf("Usage: %s [options]\n\n"
         "Runs the experiment of Mehta & Schwab (arXiv:1410.3831) and writes the data set,\n"
         "the trained stack, figures, report.html and summary.json to the output folder.\n\n"
         "Options (defaults: the paper's run; with --quick, the reduced run's):\n"
         "  --out DIR      output folder (default %s; created if missing)\n"
         "  --quick        the reduced run: %d x %d, %zu samples, %s, %d epochs,\n"
         "                 batch %zu (seconds; a check of the program)\n"
         "  --seed N       seed of every random number, 0..2^64-1 (default %llu)\n"
         "  --epochs N     epochs per layer, at least 1 (default %d; --quick %d)\n"
         "  --samples N    configurations in the data set, at least 20 (default %zu;\n"
         "                 --quick %zu)\n"
         "  --batch N      minibatch size, at least 1 (default %zu; --quick %zu)\n"
         "  --lr X         learning rate, a positive number (default %g)\n"
         "  --units KIND   binary ({0,1}, the paper's) or spin (-1/+1) units (default %s)\n"
         "  --l1 X         L1 penalty on the weights, at least 0 (default %g; the paper's\n"
         "                 2e-4); why the defaults: the Configuration below\n"
         "  --threads N    OpenBLAS threads, 0..%d, for the upper layers' small sgemm calls\n"
         "                 (default 1, or OPENBLAS_NUM_THREADS when set; 0: OpenBLAS's\n"
         "                 choice); the library's own threads, which train the first\n"
         "                 layer, follow OMP_NUM_THREADS (see docs/training.md)\n"
         "  --cpu LEVEL    limit librgrbm's kernels to generic, avx2 or avx512 (default:\n"
         "                 the best this CPU has); the results are the same bits\n"
         "  --study        instead of the stack, the level-1 study (\"what makes level 1\n"
         "                 local\"): level 1 alone under {0,1} and -1/+1 units, L1 in\n"
         "                 {0, 2e-4, 1e-3, 8e-3}, CD-1 and PCD-1, %d epochs each (--epochs\n"
         "                 sets it; --quick: %d), on the same data; writes study.md,\n"
         "                 study.json and a receptive-field PNG per configuration. A later\n"
         "                 main run into the same folder includes its table\n"
         "  -h, --help     print this text and the configuration the other options\n"
         "                 select, and exit\n\n"
         "Exit status: 0 done, 1 a failure (the library's message or the file that could\n"
         "not be written), 2 a usage error.\n\n"
         "Configuration: the %s run%s, and why\n",
         prog, d.out_dir, q.side, q.side, q.samples, quick_sizes, q.epochs, q.batch_size, (unsigned long long)d.seed, d.epochs, q.epochs, d.samples,
         q.samples, d.batch_size, q.batch_size, d.learning_rate,
         d.units == RGRBM_UNITS_SPIN ? "spin" : "binary", d.l1, MAX_THREADS, d.study_epochs,
         q.study_epochs,
         selected->name, changed ? " with the options given" : "");
  paper2d_config_describe(selected, stdout, "  ");
}

/* The kernel mask of a level name (generic, avx2, avx512), or CPU_UNKNOWN. */
#define CPU_UNKNOWN 0xFFFFFFFEu
static unsigned parse_cpu(const char *name) {
  if (strcmp(name, "generic") == 0) return 0;
  if (strcmp(name, "avx2") == 0) return RGRBM_CPU_FLAG_AVX2;
  if (strcmp(name, "avx512") == 0) return RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512;
  return CPU_UNKNOWN;
}

/* One option's value into ov: NULL, or what the value should have been. */
static const char *take_value(int ch, const char *arg, overrides *ov) {
  switch (ch) {
  case 'o': ov->out = arg; return NULL;
  case 'c': ov->cpu = arg;
    return parse_cpu(arg) == CPU_UNKNOWN ? "a kernel level (generic, avx2, avx512)" : NULL;
  case 's': ov->has_seed = 1;
    return cli_u64(arg, 0, UINT64_MAX, &ov->seed) ? "an integer in 0..2^64-1" : NULL;
  case 'e': ov->has_epochs = 1;
    return cli_int(arg, 1, INT_MAX, &ov->epochs) ? "a positive integer" : NULL;
  case 'n': ov->has_samples = 1;
    return cli_size(arg, 20, &ov->samples) ? "an integer of at least 20" : NULL;
  case 'b': ov->has_batch = 1;
    return cli_size(arg, 1, &ov->batch) ? "a positive integer" : NULL;
  case 't': ov->has_threads = 1;
    return cli_int(arg, 0, MAX_THREADS, &ov->threads) ? "an integer in 0..1024" : NULL;
  case 'u': ov->has_units = 1;
    if (strcmp(arg, "binary") == 0) ov->units = RGRBM_UNITS_BINARY;
    else if (strcmp(arg, "spin") == 0) ov->units = RGRBM_UNITS_SPIN;
    else return "binary or spin";
    return NULL;
  case 'l': ov->has_l1 = 1;
    return cli_double(arg, &ov->l1) || !(ov->l1 >= 0) || !isfinite(ov->l1)
               ? "a number of at least 0" : NULL;
  case 'r': ov->has_lr = 1;
    return cli_double(arg, &ov->lr) || !(ov->lr > 0) ? "a positive number" : NULL;
  }
  return NULL;
}

static const struct option long_options[] = {
    {"out", required_argument, 0, 'o'},     {"quick", no_argument, 0, 'q'},
    {"seed", required_argument, 0, 's'},    {"epochs", required_argument, 0, 'e'},
    {"samples", required_argument, 0, 'n'}, {"batch", required_argument, 0, 'b'},
    {"threads", required_argument, 0, 't'}, {"lr", required_argument, 0, 'r'},
    {"cpu", required_argument, 0, 'c'},     {"help", no_argument, 0, 'h'},
    {"study", no_argument, 0, 'S'},       {"units", required_argument, 0, 'u'},
    {"l1", required_argument, 0, 'l'},
    {0, 0, 0, 0}};

/* The option getopt_long just rejected, as the user wrote it: the whole
 * argument for a long option, "-c" for a short one (optopt). */
static const char *rejected_option(char **argv, char *buf, size_t len) {
  const char *arg = argv[optind - 1];
  if (strncmp(arg, "--", 2) == 0) return arg;
  snprintf(buf, len, "-%c", optopt);
  return buf;
}

/* CLI_RUN or CLI_HELP with the options in *ov, or CLI_USAGE (reported). */
static int parse_options(int argc, char **argv, overrides *ov) {
  const char *prog = argv[0];
  char name[8];
  int ch, which = 0;
  opterr = 0; /* our messages, with the hint to --help */
  while ((ch = getopt_long(argc, argv, ":h", long_options, &which)) != -1) {
    if (ch == '?')
      return cli_usage_error(prog, "unknown option '%s'", rejected_option(argv, name, sizeof name));
    if (ch == ':')
      return cli_usage_error(prog, "option '%s' needs a value",
                             rejected_option(argv, name, sizeof name));
    if (ch == 'h') ov->help = 1;
    else if (ch == 'q') ov->quick = 1;
    else if (ch == 'S') ov->study = 1;
    else {
      const char *expected = take_value(ch, optarg, ov);
      if (expected)
        return cli_usage_error(prog, "--%s: not %s: '%s'", long_options[which].name, expected,
                               optarg);
    }
  }
  if (optind < argc) return cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
  return ov->help ? CLI_HELP : CLI_RUN;
}

static void apply_overrides(paper2d_config *c, const overrides *ov) {
  if (ov->quick) paper2d_config_quick(c);
  else paper2d_config_default(c);
  if (ov->out) c->out_dir = ov->out;
  if (ov->has_seed) c->seed = ov->seed;
  if (ov->has_epochs && ov->study) c->study_epochs = ov->epochs;
  else if (ov->has_epochs) c->epochs = ov->epochs;
  if (ov->has_samples) c->samples = ov->samples;
  if (ov->has_batch) {
    c->batch_size = ov->batch;
    c->batch_why = "given by --batch";
  }
  if (ov->has_threads) c->threads = ov->threads;
  else if (getenv("OPENBLAS_NUM_THREADS")) c->threads = 0; /* the user's setting wins */
  if (ov->has_lr) {
    c->learning_rate = ov->lr;
    c->learning_rate_why = "given by --lr";
  }
  if (ov->has_units) {
    c->units = ov->units;
    c->units_why = "given by --units";
  }
  if (ov->has_l1) {
    c->l1 = ov->l1;
    c->l1_why = "given by --l1";
  }
}

/* Whether the options change the embedded configuration they select. */
static int options_change_config(const overrides *ov) {
  return ov->has_seed || ov->has_epochs || ov->has_samples || ov->has_batch || ov->has_lr ||
         ov->has_units || ov->has_l1;
}

/* The configuration to run into *cfg: CLI_RUN, CLI_HELP (usage printed) or
 * CLI_USAGE (reported). Nothing is computed before this returns CLI_RUN. */
static int parse_args(int argc, char **argv, paper2d_config *cfg, overrides *ov) {
  int rc = parse_options(argc, argv, ov);
  if (rc == CLI_USAGE) return rc;
  apply_overrides(cfg, ov);
  if (rc == CLI_HELP) {
    usage(argv[0], cfg, options_change_config(ov));
    return rc;
  }
  char why[256];
  if (paper2d_config_check(cfg, why, sizeof why) != 0) return cli_usage_error(argv[0], "%s", why);
  return CLI_RUN;
}

static int make_out_dir(const char *dir) {
  if (mkdir(dir, 0777) == 0 || errno == EEXIST) return 0;
  return paper2d_file_error("create the folder", dir);
}

static void print_levels(const paper2d_run *run) {
  printf("level  b  R_g learned  R_g block  in best block  agreement (control)\n");
  for (int l = 1; l <= paper2d_layers(run); l++) {
    const paper2d_level *lv = &run->levels[l];
    printf("%5d %2d  %11.3f  %9.3f  %13.3f  %9.3f (%.3f)\n", l, lv->b,
           lv->locality.gyration_mean, paper2d_block_gyration(lv->b),
           lv->locality.block_fraction_mean, lv->agreement_mean, lv->agreement_far);
  }
}

static int run_study(paper2d_run *run) {
  int rc = make_out_dir(run->cfg.out_dir);
  if (rc == 0) rc = paper2d_sample(run);
  if (rc == 0) rc = paper2d_study(run);
  return rc;
}

static int run_experiment(paper2d_run *run) {
  int rc = make_out_dir(run->cfg.out_dir);
  if (rc == 0) rc = paper2d_sample(run);
  if (rc == 0) rc = paper2d_train(run);
  if (rc == 0) rc = paper2d_write_data(run);
  if (rc == 0) rc = paper2d_analyze(run);
  if (rc == 0) rc = paper2d_write_figures(run);
  if (rc == 0) rc = paper2d_write_report(run);
  return rc;
}

int main(int argc, char **argv) {
  overrides ov;
  memset(&ov, 0, sizeof ov);
  paper2d_config cfg;
  int parsed = parse_args(argc, argv, &cfg, &ov);
  if (parsed != CLI_RUN) return parsed == CLI_HELP ? 0 : CLI_USAGE;
  if (cfg.threads > 0) openblas_set_num_threads(cfg.threads);
  if (ov.cpu) rgrbm_cpu_set_mask(parse_cpu(ov.cpu));
  paper2d_run run;
  paper2d_run_init(&run, &cfg);
  printf("paper2d%s (%s): %d x %d Ising at K = %.4f, %zu samples, %d epochs a %s, batch %zu, "
         "seed %llu, kernels %s -> %s/\n", ov.study ? " --study" : "", cfg.name, cfg.side,
         cfg.side, cfg.K, cfg.samples, ov.study ? cfg.study_epochs : cfg.epochs,
         ov.study ? "configuration" : "layer", cfg.batch_size, (unsigned long long)cfg.seed,
         rgrbm_cpu_level_name(), cfg.out_dir);
  int rc = ov.study ? run_study(&run) : run_experiment(&run);
  if (rc < 0) fprintf(stderr, "%s: %s\n", argv[0], rgrbm_last_error());
  if (rc == 0 && ov.study) printf("wrote %s/%s\n", cfg.out_dir, PAPER2D_STUDY_MD);
  else if (rc == 0) {
    print_levels(&run);
    printf("wrote %s/%s\n", cfg.out_dir, PAPER2D_REPORT_FILE);
  }
  printf("wall time %.1f s\n", paper2d_now() - run.started);
  paper2d_run_free(&run);
  return rc == 0 ? 0 : 1;
}
