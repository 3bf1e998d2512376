/* paper2d: Mehta & Schwab's 2D experiment end to end (the project's main
 * job). Samples the 40 x 40 Ising model at K = 0.408, trains the
 * 1600-400-100-25 stack greedily, measures what it learned against
 * block-spin RG and writes figures and report.html. See --help. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cblas.h>

#include "analysis.h"
#include "config.h"
#include "experiment.h"
#include "figures.h"
#include "report.h"

static void usage(FILE *f, const char *prog) {
  paper2d_config c;
  paper2d_config_default(&c);
  fprintf(f, "usage: %s [options]\n\n"
          "Runs the experiment of Mehta & Schwab (arXiv:1410.3831) and writes the data set,\n"
          "the trained stack, figures and report.html to the output folder.\n\n"
          "options:\n"
          "  --out DIR      output folder (default %s; created if missing)\n"
          "  --quick        reduced run: 16 x 16, 2,000 samples, 256-64-16-4, 30 epochs\n"
          "  --seed N       seed of every random number (default %llu)\n"
          "  --epochs N     epochs per layer (default %d)\n"
          "  --samples N    configurations in the data set (default %zu)\n"
          "  --batch N      minibatch size (default %zu)\n"
          "  --lr X         learning rate (default %g)\n"
          "  --threads N    OpenBLAS threads, for the upper layers' small sgemm calls\n"
          "                 (default 1, or OPENBLAS_NUM_THREADS when set; 0: OpenBLAS's\n"
          "                 choice); the library's own threads, which train the first\n"
          "                 layer, follow OMP_NUM_THREADS (see docs/training.md)\n"
          "  --cpu LEVEL    limit librgrbm's kernels to generic, avx2 or avx512 (default:\n"
          "                 the best this CPU has); the results are the same bits\n"
          "  --help         this text\n\n"
          "default configuration and why:\n", prog, c.out_dir, (unsigned long long)c.seed,
          c.epochs, c.samples, c.batch_size, c.learning_rate);
  paper2d_config_describe(&c, f, "  ");
}

typedef struct overrides {
  long long seed, epochs, samples, batch, threads;
  double lr;
  const char *out;
  const char *cpu;
  int quick;
} overrides;

static int parse_rate(const char *arg, double *out) {
  char *end;
  double v = strtod(arg, &end);
  if (*end || end == arg || !(v > 0)) return -1;
  *out = v;
  return 0;
}

static int parse_count(const char *arg, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(arg, &end, 10);
  if (errno || *end || end == arg || v < 0) return -1;
  *out = v;
  return 0;
}

/* The kernel mask of a level name (generic, avx2, avx512), or CPU_UNKNOWN. */
#define CPU_UNKNOWN 0xFFFFFFFEu
static unsigned parse_cpu(const char *name) {
  if (strcmp(name, "generic") == 0) return 0;
  if (strcmp(name, "avx2") == 0) return RGRBM_CPU_FLAG_AVX2;
  if (strcmp(name, "avx512") == 0) return RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512;
  return CPU_UNKNOWN;
}

/* 0 to run, 1 to exit successfully (--help), -1 on a usage error. */
static int parse_args(int argc, char **argv, overrides *ov) {
  static const struct option opts[] = {
      {"out", required_argument, 0, 'o'},     {"quick", no_argument, 0, 'q'},
      {"seed", required_argument, 0, 's'},    {"epochs", required_argument, 0, 'e'},
      {"samples", required_argument, 0, 'n'}, {"batch", required_argument, 0, 'b'},
      {"threads", required_argument, 0, 't'}, {"lr", required_argument, 0, 'r'},
      {"cpu", required_argument, 0, 'c'},     {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int ch;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    long long *target = ch == 's' ? &ov->seed : ch == 'e' ? &ov->epochs : ch == 'n' ? &ov->samples
                        : ch == 'b' ? &ov->batch : ch == 't' ? &ov->threads : NULL;
    const char *bad = NULL;
    if (ch == 'h') return usage(stdout, argv[0]), 1;
    if (ch == 'q') ov->quick = 1;
    else if (ch == 'o') ov->out = optarg;
    else if (ch == 'c') {
      ov->cpu = optarg;
      bad = parse_cpu(optarg) == CPU_UNKNOWN ? "a kernel level (generic, avx2, avx512)" : NULL;
    }
    else if (ch == 'r') bad = parse_rate(optarg, &ov->lr) ? "a positive number" : NULL;
    else if (target) bad = parse_count(optarg, target) ? "a non-negative integer" : NULL;
    else bad = "";
    if (bad) {
      if (*bad) fprintf(stderr, "%s: not %s: %s\n", argv[0], bad, optarg);
      fprintf(stderr, "try %s --help\n", argv[0]);
      return -1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "%s: unexpected argument %s; try --help\n", argv[0], argv[optind]);
    return -1;
  }
  return 0;
}

static void apply_overrides(paper2d_config *c, const overrides *ov) {
  if (ov->quick) paper2d_config_quick(c);
  else paper2d_config_default(c);
  if (ov->out) c->out_dir = ov->out;
  if (ov->seed >= 0) c->seed = (uint64_t)ov->seed;
  if (ov->epochs >= 0) c->epochs = (int)ov->epochs;
  if (ov->samples >= 0) c->samples = (size_t)ov->samples;
  if (ov->batch >= 0) c->batch_size = (size_t)ov->batch;
  if (ov->threads >= 0) c->threads = (int)ov->threads;
  else if (getenv("OPENBLAS_NUM_THREADS")) c->threads = 0; /* the user's setting wins */
  if (ov->lr > 0) c->learning_rate = ov->lr;
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
  overrides ov = {-1, -1, -1, -1, -1, 0, NULL, NULL, 0};
  int parsed = parse_args(argc, argv, &ov);
  if (parsed != 0) return parsed > 0 ? 0 : 2;
  paper2d_config cfg;
  apply_overrides(&cfg, &ov);
  char why[256];
  if (paper2d_config_check(&cfg, why, sizeof why) != 0) {
    fprintf(stderr, "%s: %s\n", argv[0], why);
    return 2;
  }
  if (cfg.threads > 0) openblas_set_num_threads(cfg.threads);
  if (ov.cpu) rgrbm_cpu_set_mask(parse_cpu(ov.cpu));
  paper2d_run run;
  paper2d_run_init(&run, &cfg);
  printf("paper2d (%s): %d x %d Ising at K = %.4f, %zu samples, %d epochs a layer, kernels %s "
         "-> %s/\n", cfg.name, cfg.side, cfg.side, cfg.K, cfg.samples, cfg.epochs,
         rgrbm_cpu_level_name(), cfg.out_dir);
  int rc = run_experiment(&run);
  if (rc < 0) fprintf(stderr, "%s: %s\n", argv[0], rgrbm_last_error());
  if (rc == 0) {
    print_levels(&run);
    printf("wrote %s/%s\n", cfg.out_dir, PAPER2D_REPORT_FILE);
  }
  printf("wall time %.1f s\n", paper2d_now() - run.started);
  paper2d_run_free(&run);
  return rc == 0 ? 0 : 1;
}
