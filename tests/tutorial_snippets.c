/* The C code of docs/tutorial.md, compiled and run by the build so that the
 * tutorial cannot rot: every ```c block of the tutorial must appear here
 * verbatim (up to whitespace; test_python_binding.py checks it). The sizes
 * are the tutorial's small ones, so that the run takes seconds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <rgrbm.h>

#define L 16          /* lattice side (the paper: 40) */
#define SAMPLES 2000  /* configurations (the paper: 20,000) */
#define EPOCHS 10     /* CD epochs per layer (the paper: 200) */

/* Every call returns RGRBM_OK or a negative status; on failure jump to
 * the cleanup with the message still in rgrbm_last_error(). */
#define TRY(call)                  \
  do {                             \
    rc = (call);                   \
    if (rc != RGRBM_OK) goto done; \
  } while (0)

static int sample_configurations(rgrbm_lattice *lat, rgrbm_dataset **data) {
  rgrbm_sampler *smp = NULL;
  rgrbm_dataset *probe = NULL;
  double *energy = NULL, tau;
  int rc;
  TRY(rgrbm_lattice_set_couplings(lat, 0.408, 0.0));
  TRY(rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, 2026));
  /* A probe run measures the autocorrelation time of the energy. */
  TRY(rgrbm_dataset_create(&probe, L * L));
  TRY(rgrbm_sampler_draw(smp, 2000, 300, 1, probe));
  energy = malloc(2000 * sizeof *energy);
  if (!energy) { rc = RGRBM_ENOMEM; goto done; }
  TRY(rgrbm_measure(probe, lat, RGRBM_OBS_ENERGY, energy));
  TRY(rgrbm_series_tau_int(energy, 2000, &tau));
  /* Configurations 2 tau apart are nearly independent. */
  TRY(rgrbm_dataset_create(data, L * L));
  TRY(rgrbm_sampler_draw(smp, SAMPLES, 0, (long)ceil(2 * tau), *data));
done:
  free(energy);
  rgrbm_dataset_destroy(probe);
  rgrbm_sampler_destroy(smp);
  return rc;
}

static int check_against_kaufman(rgrbm_lattice *lat, const rgrbm_dataset *data) {
  rgrbm_thermo t = RGRBM_THERMO_INIT;
  rgrbm_exact e = RGRBM_EXACT_INIT;
  int rc;
  TRY(rgrbm_measure_thermo(data, lat, 20, &t));
  TRY(rgrbm_exact_torus(L, L, 0.408, &e));
  printf("bond mean %.4f +- %.4f, exact %.4f\n", t.bond_mean.value, t.bond_mean.error,
         e.bond_mean);
  if (fabs(t.bond_mean.value - e.bond_mean) > 4 * t.bond_mean.error) {
    fprintf(stderr, "the sampled bond mean is more than 4 standard errors off\n");
    rc = RGRBM_ENUMERIC;
  }
done:
  return rc;
}

static int print_progress(void *user, int layer, int epoch, double reconstruction_error,
                          double pll, double seconds) {
  (void)user, (void)pll;
  printf("layer %d epoch %d: reconstruction error %.4f (%.2f s)\n", layer, epoch,
         reconstruction_error, seconds);
  return 0; /* nonzero would cancel training with RGRBM_ECANCELED */
}

static int train_stack(const rgrbm_dataset *data, rgrbm_stack **stack) {
  int sizes[] = {L * L, L * L / 4, L * L / 16};
  rgrbm_cd_options per_layer[2];
  int rc;
  TRY(rgrbm_stack_create(stack, sizes, 3, RGRBM_UNITS_BINARY, 2026));
  for (int l = 0; l < 2; l++) {
    rgrbm_cd_options_init(&per_layer[l], RGRBM_CD_OPTIONS_VERSION); /* defaults and the version field */
    per_layer[l].epochs = EPOCHS;
    per_layer[l].l1 = 2e-4;
    per_layer[l].learning_rate = 0.05;
    per_layer[l].batch_size = 50;
    per_layer[l].progress = print_progress;
  }
  TRY(rgrbm_cd_train_stack(*stack, data, per_layer));
done:
  return rc;
}

static int measure_locality(const rgrbm_stack *stack) {
  int rc = RGRBM_OK;
  for (int level = 1; level <= 2; level++) {
    int b = 1 << level; /* the block side of block-spin RG at this level */
    rgrbm_receptive_summary loc = RGRBM_RECEPTIVE_SUMMARY_INIT;
    TRY(rgrbm_receptive_summarize(stack, level, L, L, b, &loc));
    printf("level %d: gyration radius %.2f +- %.2f, weight in best %dx%d block %.2f"
           " (uniform: %.3f)\n", level, loc.gyration_mean, loc.gyration_sd, b, b,
           loc.block_fraction_mean, (double)(b * b) / (L * L));
  }
done:
  return rc;
}

/* <|m|> of a coarse-grained dataset, measured on a lattice of its shape. */
static int coarse_abs_magnetization(const rgrbm_dataset *coarse, int side, double *mean) {
  rgrbm_lattice *model = NULL;
  size_t n = rgrbm_dataset_count(coarse);
  double *m = malloc(n * sizeof *m);
  int rc = m ? RGRBM_OK : RGRBM_ENOMEM;
  if (rc) goto done;
  TRY(rgrbm_lattice_create(&model, RGRBM_SQUARE, side, side, RGRBM_PERIODIC));
  TRY(rgrbm_measure(coarse, model, RGRBM_OBS_ABS_MAGNETIZATION, m));
  TRY(rgrbm_series_mean(m, n, mean));
done:
  free(m);
  rgrbm_lattice_destroy(model);
  return rc;
}

static int learned_versus_majority(const rgrbm_stack *stack, const rgrbm_dataset *data) {
  rgrbm_rg *learned = NULL, *majority = NULL;
  rgrbm_dataset *by_rbm = NULL, *by_blocks = NULL;
  double m_rbm, m_blocks;
  int rc;
  TRY(rgrbm_rg_create_learned(&learned, stack, 2, RGRBM_RG_SIGN_MEAN, 1));
  TRY(rgrbm_rg_create_block2d(&majority, L, L, 4, RGRBM_BLOCK_MAJORITY, 1));
  TRY(rgrbm_dataset_create(&by_rbm, L * L / 16));
  TRY(rgrbm_dataset_create(&by_blocks, L * L / 16));
  TRY(rgrbm_rg_apply(learned, data, by_rbm));
  TRY(rgrbm_rg_apply(majority, data, by_blocks));
  TRY(coarse_abs_magnetization(by_rbm, L / 4, &m_rbm));
  TRY(coarse_abs_magnetization(by_blocks, L / 4, &m_blocks));
  printf("coarse <|m|>: learned %.3f, majority rule %.3f\n", m_rbm, m_blocks);
done:
  rgrbm_dataset_destroy(by_blocks);
  rgrbm_dataset_destroy(by_rbm);
  rgrbm_rg_destroy(majority);
  rgrbm_rg_destroy(learned);
  return rc;
}

static int mcrg_exponents(rgrbm_lattice *lat) {
  rgrbm_sampler *smp = NULL;
  rgrbm_rg *rg = NULL;
  rgrbm_mcrg_options o = RGRBM_MCRG_OPTIONS_INIT;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  int rc;
  o.levels = 2;
  o.samples = 2000;
  TRY(rgrbm_lattice_set_couplings(lat, RGRBM_K_CRITICAL, 0.0));
  TRY(rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, 7));
  TRY(rgrbm_rg_create_block2d(&rg, L, L, 2, RGRBM_BLOCK_MAJORITY, 7));
  TRY(rgrbm_mcrg_run(smp, rg, &o, &r));
  for (int n = 0; n < r.levels; n++) {
    int ke = r.even_operators - 1, ko = r.odd_operators - 1;
    const rgrbm_mcrg_exponent *t = &r.even[n * r.even_operators + ke];
    const rgrbm_mcrg_exponent *m = &r.odd[n * r.odd_operators + ko];
    printf("level %d: y_t = %.3f +- %.3f (exact 1), y_h = %.4f +- %.4f (exact 15/8)\n", n + 1,
           t->y, t->y_err, m->y, m->y_err);
  }
done:
  rgrbm_mcrg_result_free(&r);
  rgrbm_rg_destroy(rg);
  rgrbm_sampler_destroy(smp);
  return rc;
}

static int exact_decimation(void) {
  rgrbm_stack *net = NULL;
  rgrbm_lattice *chain = NULL;
  rgrbm_vrg_report rep = RGRBM_VRG_REPORT_INIT;
  double K = 0.625, K1, h1, g;
  int rc;
  TRY(rgrbm_decimation1d_step(K, 0.0, 2, &K1, &h1, &g));
  printf("tanh K' = %.15f, tanh^2 K = %.15f\n", tanh(K1), tanh(K) * tanh(K));
  /* 8 sites -> 4 -> 2: each RBM layer sums out the odd sites exactly. */
  TRY(rgrbm_decimation1d_stack(&net, 8, K, 2));
  TRY(rgrbm_lattice_create(&chain, RGRBM_CHAIN, 8, 1, RGRBM_PERIODIC));
  TRY(rgrbm_lattice_set_couplings(chain, K, 0.0));
  TRY(rgrbm_vrg_check(net, 0, chain, &rep));
  printf("KL %.2e, trace spread %.2e, |H_RG - H_RBM| %.2e\n", rep.kl, rep.trace_spread,
         rep.h_rg_max_diff);
  if (rep.kl > 1e-9 || rep.trace_spread > 1e-9 || rep.h_rg_max_diff > 1e-9) {
    fprintf(stderr, "the decimation network is not an exact RG step\n");
    rc = RGRBM_ENUMERIC;
  }
done:
  rgrbm_lattice_destroy(chain);
  rgrbm_stack_destroy(net);
  return rc;
}

static int run(void) {
  rgrbm_lattice *lat = NULL;
  rgrbm_dataset *data = NULL;
  rgrbm_stack *stack = NULL;
  int rc;
  TRY(rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC));
  TRY(sample_configurations(lat, &data));
  TRY(check_against_kaufman(lat, data));
  TRY(train_stack(data, &stack));
  TRY(measure_locality(stack));
  TRY(learned_versus_majority(stack, data));
  TRY(mcrg_exponents(lat));
  TRY(exact_decimation());
done:
  rgrbm_stack_destroy(stack);
  rgrbm_dataset_destroy(data);
  rgrbm_lattice_destroy(lat);
  return rc;
}

int main(void) {
  size_t before = rgrbm_memory_in_use();
  int rc = run();
  if (rc != RGRBM_OK) {
    fprintf(stderr, "%s: %s\n", rgrbm_strerror(rc), rgrbm_last_error());
    return 1;
  }
  if (rgrbm_memory_in_use() != before) {
    fprintf(stderr, "leak: %zu bytes\n", rgrbm_memory_in_use() - before);
    return 1;
  }
  return 0;
}
