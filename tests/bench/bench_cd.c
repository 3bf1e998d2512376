/* One CD-1 epoch, 1600 visible -> 400 hidden units, 20,000 random
 * configurations, batches of 100, on both product paths:
 *  - the default path (RGRBM_PRODUCTS_AUTO: group tables on this kind of
 *    CPU) against its products-only bound, the same table products per
 *    batch (codes and products, nothing else);
 *  - the sgemm path (RGRBM_PRODUCTS_SGEMM) against its GEMM-only bound,
 *    the same sgemm calls with the same shapes per batch, nothing else.
 * Each bound is timed in the same run, interleaved with the epochs. Also
 * reports PCD-1 epochs (scikit-learn's BernoulliRBM does PCD-1), the
 * library's own bytes during training against weights + momentum + packed
 * dataset + one batch's buffers, and the process's peak RSS.
 *
 * It prints the CPU model and measures the table path at every kernel level
 * the CPU has (generic, avx2, avx512, through rgrbm_cpu_set_mask), or only
 * at the level named on the command line (generic, avx2, avx512 or best);
 * the sgemm path and the RESULT line are at the last level measured.
 *
 * Usage: bench_cd [repetitions [level]]   (default 3 and every level; best
 * and median are printed). The last line, "RESULT ...", is for
 * tests/bench/sklearn_compare.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "binary_product.h"
#include "blas_inline.h"
#include "rgrbm.h"
#include "rng.h"

enum { NV = 1600, NH = 400, COUNT = 20000, BATCH = 100, MAX_REPS = 50 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU seconds of the calling thread, which runs one share of every sgemm
 * and all of the rest: on an idle machine its ratio tracks the wall-time
 * ratio, and it moves much less when other processes share the cores (the
 * process's total would also count OpenBLAS's workers spinning while the
 * calling thread samples). */
static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The process's peak resident set so far, in MB (VmHWM of /proc/self/status;
 * 0 if unreadable), for the breakdown of the peak. */
static double peak_resident_mb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  double kb = 0.0;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kb = atof(line + 6);
  if (f) fclose(f);
  return kb / 1024.0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *x, int n) {
  qsort(x, (size_t)n, sizeof *x, cmp_double);
  return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

static rgrbm_dataset *random_dataset(void) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, 2024, RGRBM__STREAM(RGRBM__STREAM_TEST, 1));
  int8_t *row = malloc(NV);
  rgrbm_dataset *ds = NULL;
  if (row == NULL || rgrbm_dataset_create(&ds, NV) || rgrbm_dataset_reserve(ds, COUNT)) exit(1);
  for (int n = 0; n < COUNT; n++) {
    for (int i = 0; i < NV; i++) row[i] = (rgrbm__rng_u32(&r) & 1) ? 1 : -1;
    if (rgrbm_dataset_append(ds, row, 1)) exit(1);
  }
  free(row);
  return ds;
}

/* The trainer's per-batch products for CD-1: hidden means of the data,
 * visible means of the hidden sample, hidden means of the reconstruction,
 * and the one fused gradient product over both phases. */
static double gemm_only_epoch(float *v, float *h, float *hs, float *w, float *dw) {
  double t0 = now();
  for (int b = 0; b < COUNT / BATCH; b++) {
    rgrbm__sgemm(0, 0, BATCH, NH, NV, 1.0f, v, w, 0.0f, h);
    rgrbm__sgemm(0, 1, BATCH, NV, NH, 1.0f, hs, w, 0.0f, v + BATCH * NV);
    rgrbm__sgemm(0, 0, BATCH, NH, NV, 1.0f, v + BATCH * NV, w, 0.0f, h + BATCH * NH);
    rgrbm__sgemm(1, 0, NV, NH, 2 * BATCH, 0.01f, v, h, 0.5f, dw);
  }
  return now() - t0;
}

/* The table path's per-batch products for CD-1, codes included: hidden
 * means of the data, visible means of the hidden sample (W^T), hidden means
 * of the reconstruction, and the fused gradient over both phases. */
static double tables_only_epoch(float *v, float *h, float *hs, float *w, float *dw,
                                uint8_t *codes) {
  const rgrbm__dense_matrix wd = {.data = w, .cols = NH, .k_stride = NH, .c_stride = 1};
  const rgrbm__dense_matrix wt = {.data = w, .cols = NV, .k_stride = 1, .c_stride = NH};
  const rgrbm__dense_matrix hd = {.data = h, .cols = NH, .k_stride = NH, .c_stride = 1};
  const rgrbm__binary_matrix up = {.codes = codes, .rows = BATCH, .cols = NV,
                                   .row_stride = NV / 4, .group_stride = 1, .low = 0, .high = 1};
  const rgrbm__binary_matrix down = {.codes = codes, .rows = BATCH, .cols = NH,
                                     .row_stride = NH / 4, .group_stride = 1, .low = 0,
                                     .high = 1};
  const rgrbm__binary_matrix grad = {.codes = codes, .rows = NV, .cols = 2 * BATCH,
                                     .row_stride = 1, .group_stride = NV, .low = 0, .high = 1};
  double t0 = now();
  for (int b = 0; b < COUNT / BATCH; b++) {
    rgrbm__codes_of_rows(v, BATCH, NV, 0.5f, codes);
    rgrbm__binary_product(&up, &wd, 1.0f, 0.0f, h, NULL, NULL);
    rgrbm__codes_of_rows(hs, BATCH, NH, 0.5f, codes);
    rgrbm__binary_product(&down, &wt, 1.0f, 0.0f, v + BATCH * NV, NULL, NULL);
    rgrbm__codes_of_rows(v + BATCH * NV, BATCH, NV, 0.5f, codes);
    rgrbm__binary_product(&up, &wd, 1.0f, 0.0f, h + BATCH * NH, NULL, NULL);
    rgrbm__codes_of_columns(v, 2 * BATCH, NV, 0.5f, codes);
    rgrbm__binary_product(&grad, &hd, 0.01f, 0.5f, dw, NULL, NULL);
  }
  return now() - t0;
}

typedef struct memory_probe {
  size_t bytes;
} memory_probe;

static int probe_memory(void *user, int layer, int epoch, double error, double pll,
                        double seconds) {
  ((memory_probe *)user)->bytes = rgrbm_memory_in_use();
  return 0;
}

static double train_epoch(rgrbm_stack *s, const rgrbm_dataset *ds, int persistent,
                          rgrbm_products products, memory_probe *probe) {
  rgrbm_cd_options o;
  rgrbm_cd_options_init(&o, RGRBM_CD_OPTIONS_VERSION);
  o.epochs = 1;
  o.batch_size = BATCH;
  o.k = 1;
  o.persistent = persistent;
  o.products = products;
  if (probe) {
    o.progress = probe_memory;
    o.progress_data = probe;
  }
  double t0 = now();
  int rc = rgrbm_cd_train(s, 0, ds, &o);
  double t = now() - t0;
  if (rc) {
    fprintf(stderr, "rgrbm_cd_train: %s\n", rgrbm_last_error());
    exit(1);
  }
  return t;
}

typedef struct buffers {
  float *v, *h, *hs, *w, *dw;
  uint8_t *codes;
} buffers;

static double bound_epoch(rgrbm_products products, const buffers *b) {
  if (products == RGRBM_PRODUCTS_SGEMM) return gemm_only_epoch(b->v, b->h, b->hs, b->w, b->dw);
  return tables_only_epoch(b->v, b->h, b->hs, b->w, b->dw, b->codes);
}

typedef struct path_figures {
  double epoch_best, epoch_median, bound_best, bound_median;
  double ratio_best, ratio_median, ratio_worst, pcd_best;
} path_figures;

/* reps CD-1 epochs interleaved with reps bound epochs, then reps PCD-1 epochs. */
static path_figures measure_path(rgrbm_stack *s, const rgrbm_dataset *ds,
                                 rgrbm_products products, const buffers *b, int reps) {
  double epoch[MAX_REPS], bound[MAX_REPS], ratio[MAX_REPS];
  bound_epoch(products, b); /* warm up threads and buffers */
  train_epoch(s, ds, 0, products, NULL);
  for (int r = 0; r < reps; r++) {
    epoch[r] = train_epoch(s, ds, 0, products, NULL);
    bound[r] = bound_epoch(products, b);
    ratio[r] = epoch[r] / bound[r];
  }
  path_figures f = {.pcd_best = 1e300};
  for (int r = 0; r < reps; r++) {
    double t = train_epoch(s, ds, 1, products, NULL);
    if (t < f.pcd_best) f.pcd_best = t;
  }
  f.ratio_median = median(ratio, reps); /* sorts: best first, worst last */
  f.ratio_best = ratio[0];
  f.ratio_worst = ratio[reps - 1];
  f.epoch_median = median(epoch, reps);
  f.epoch_best = epoch[0];
  f.bound_median = median(bound, reps);
  f.bound_best = bound[0];
  return f;
}

static void print_path(const char *name, const char *bound_name, const path_figures *f,
                       int reps) {
  const double flops = 2.0 * NV * NH * (3.0 * BATCH + 2.0 * BATCH) * (COUNT / BATCH);
  printf("%s:\n", name);
  printf("  CD-1 epoch:  best %.4f s, median %.4f s over %d runs\n", f->epoch_best,
         f->epoch_median, reps);
  printf("  %s: best %.4f s, median %.4f s (%.1f GFLOP/s sgemm-equivalent)\n", bound_name,
         f->bound_best, f->bound_median, flops * 1e-9 / f->bound_best);
  printf("  ratio epoch / bound: best %.3f, median %.3f, worst %.3f (goal <= 1.25)\n",
         f->ratio_best, f->ratio_median, f->ratio_worst);
  printf("  PCD-1 epoch: best %.4f s\n", f->pcd_best);
}

/* The CPU's model name from /proc/cpuinfo, or "unknown". */
static void cpu_model(char *name, size_t size) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[256];
  snprintf(name, size, "unknown");
  while (f && fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) != 0 || colon == NULL) continue;
    snprintf(name, size, "%s", colon + 2);
    name[strcspn(name, "\n")] = 0;
    break;
  }
  if (f) fclose(f);
}

/* The kernel levels, as masks, and their names. */
enum { LEVELS = 3 };
static const unsigned LEVEL_MASKS[LEVELS] = {0, RGRBM_CPU_FLAG_AVX2,
                                             RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512};
static const char *const LEVEL_NAMES[LEVELS] = {"generic", "avx2", "avx512"};

static int cpu_has_level(int level) {
  return (rgrbm_cpu_flags() & LEVEL_MASKS[level]) == LEVEL_MASKS[level];
}

/* The level named name ("best": the highest the CPU has; -1: every level
 * the CPU has; -2: unknown). */
static int parse_level(const char *name) {
  if (name == NULL) return -1;
  if (strcmp(name, "best") == 0) {
    int best = 0;
    while (best + 1 < LEVELS && cpu_has_level(best + 1)) best++;
    return best;
  }
  for (int l = 0; l < LEVELS; l++)
    if (strcmp(name, LEVEL_NAMES[l]) == 0) return l;
  return -2;
}

/* The table path at one level. The generic level, about ten times slower on
 * x86-64 (its step's fmaf is a library call there), gets one run when it is
 * one of several levels measured. */
static path_figures measure_level(int level, int several, rgrbm_stack *s,
                                  const rgrbm_dataset *ds, const buffers *b, int reps) {
  rgrbm_cpu_set_mask(LEVEL_MASKS[level]);
  if (level == 0 && several) reps = 1;
  path_figures f = measure_path(s, ds, RGRBM_PRODUCTS_AUTO, b, reps);
  char title[128];
  snprintf(title, sizeof title, "default path (group tables), level %s", rgrbm_cpu_level_name());
  print_path(title, "products-only bound", &f, reps);
  return f;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 3;
  if (reps < 1 || reps > MAX_REPS) reps = 3;
  const int only = parse_level(argc > 2 ? argv[2] : NULL);
  if (only == -2) {
    fprintf(stderr, "bench_cd: level '%s' is unknown (generic, avx2, avx512, best)\n",
            argv[2]);
    return 2;
  }
  if (only >= 0 && !cpu_has_level(only)) {
    printf("bench_cd: this CPU lacks level %s: skipped\n", argv[2]);
    return 77;
  }
  char model[200];
  cpu_model(model, sizeof model);
  printf("cpu: %s; levels:", model);
  for (int l = 0; l < LEVELS; l++)
    if (cpu_has_level(l)) printf(" %s", LEVEL_NAMES[l]);
  printf("; best level here: %s\n", rgrbm_cpu_level_name());
  const double rss_start = peak_resident_mb();
  size_t base = rgrbm_memory_in_use();
  rgrbm_dataset *ds = random_dataset();
  size_t data_bytes = rgrbm_memory_in_use() - base;
  const int sizes[] = {NV, NH};
  rgrbm_stack *s;
  if (rgrbm_stack_create(&s, sizes, 2, RGRBM_UNITS_BINARY, 1)) return 1;

  buffers b = {calloc(2 * BATCH * NV, sizeof(float)), calloc(2 * BATCH * NH, sizeof(float)),
               calloc(BATCH * NH, sizeof(float)),     calloc(NV * NH, sizeof(float)),
               calloc(NV * NH, sizeof(float)),        calloc(2 * BATCH * NV, 1)};
  if (!b.v || !b.h || !b.hs || !b.w || !b.dw || !b.codes) return 1;
  for (size_t i = 0; i < 2 * BATCH * NV; i++) b.v[i] = (float)(i % 2);
  for (size_t i = 0; i < BATCH * NH; i++) b.hs[i] = (float)(i % 3 == 0);

  const double rss_data = peak_resident_mb();
  memory_probe probe = {0};
  train_epoch(s, ds, 0, RGRBM_PRODUCTS_AUTO, &probe);
  const double rss_train = peak_resident_mb();
  printf("work: CD-1 epoch, %d x %d binary RBM, %d configurations, batch %d (%.1f GFLOP "
         "as sgemm)\n", NV, NH, COUNT, BATCH,
         2e-9 * NV * NH * (3.0 * BATCH + 2.0 * BATCH) * (COUNT / BATCH));
  path_figures auto_path = {0};
  int last = 0;
  for (int l = 0; l < LEVELS; l++) {
    if (!cpu_has_level(l) || (only >= 0 && l != only)) continue;
    auto_path = measure_level(l, only < 0, s, ds, &b, reps);
    last = l;
  }
  rgrbm_cpu_set_mask(LEVEL_MASKS[last]);
  const double rss_default = peak_resident_mb();
  path_figures sgemm_path = measure_path(s, ds, RGRBM_PRODUCTS_SGEMM, &b, reps);
  const double rss_sgemm = peak_resident_mb();
  print_path("sgemm path (OpenBLAS threads)", "GEMM-only bound", &sgemm_path, reps);
  printf("level %s: tables over sgemm: CD-1 %.2fx, PCD-1 %.2fx faster; products-only bound "
         "over GEMM-only bound: %.2fx faster (goal > 1)\n", LEVEL_NAMES[last],
         sgemm_path.epoch_best / auto_path.epoch_best, sgemm_path.pcd_best / auto_path.pcd_best,
         sgemm_path.bound_best / auto_path.bound_best);
  printf("default-path CD-1 epoch / GEMM-only bound (the sgemm calls CD-1 would make): best "
         "%.3f, medians %.3f\n", auto_path.epoch_best / sgemm_path.bound_best,
         auto_path.epoch_median / sgemm_path.bound_median);

  /* The sgemm path's split, with OpenBLAS on one thread: X = epoch - GEMM
   * is the work outside sgemm, which stays on the calling thread, so two
   * cores at best give (G / 2 + X) / (G / 2). */
  openblas_set_num_threads(1);
  double c0 = cpu_now();
  train_epoch(s, ds, 0, RGRBM_PRODUCTS_SGEMM, NULL);
  double c1 = cpu_now();
  gemm_only_epoch(b.v, b.h, b.hs, b.w, b.dw);
  double c2 = cpu_now(), g1 = c2 - c1, x1 = (c1 - c0) - g1;
  printf("sgemm path on one OpenBLAS thread, CPU time: epoch %.4f s, GEMM %.4f s, non-GEMM "
         "%.4f s; two-core ratio with perfect sgemm scaling: %.3f\n", c1 - c0, g1, x1,
         (g1 / 2 + x1) / (g1 / 2));

  const size_t weights = (size_t)NV * NH * sizeof(float);
  const size_t batch_buffers = (2 * BATCH * NV + 2 * BATCH * NH + BATCH * NH) * sizeof(float);
  const size_t reference = 2 * weights + data_bytes + batch_buffers;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("library bytes during training (default path): %zu (weights %zu + momentum %zu + "
         "packed data %zu + one batch's buffers %zu = %zu; ratio %.3f, goal <= 1.5)\n",
         probe.bytes - base, weights, weights, data_bytes, batch_buffers, reference,
         (double)(probe.bytes - base) / (double)reference);
  printf("peak RSS: %.1f MB (includes this benchmark's own bound buffers of %.1f MB, "
         "OpenBLAS's per-thread buffers and the C/OpenMP runtimes)\n",
         (double)ru.ru_maxrss / 1024.0,
         (double)(2 * weights + (2 * BATCH * NV + 3 * BATCH * NH) * sizeof(float) +
                  2 * BATCH * NV) / 1e6);
  printf("peak resident set, step by step: %.1f MB at start (C, OpenMP and OpenBLAS "
         "runtimes and code), %.1f MB with the dataset, stack and bound buffers, %.1f MB "
         "through one training call (its work buffers), %.1f MB after the default path's "
         "bound runs, %.1f MB after the sgemm path (OpenBLAS's per-thread GEMM buffers)\n",
         rss_start, rss_data, rss_train, rss_default, rss_sgemm);
  printf("RESULT epoch_seconds=%.6f pcd_seconds=%.6f sgemm_epoch_seconds=%.6f "
         "sgemm_pcd_seconds=%.6f gemm_seconds=%.6f\n", auto_path.epoch_best,
         auto_path.pcd_best, sgemm_path.epoch_best, sgemm_path.pcd_best,
         sgemm_path.bound_best);
  free(b.v);
  free(b.h);
  free(b.hs);
  free(b.w);
  free(b.dw);
  free(b.codes);
  rgrbm_stack_destroy(s);
  rgrbm_dataset_destroy(ds);
  return 0;
}
