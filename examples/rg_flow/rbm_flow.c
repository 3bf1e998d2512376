/* The RBM flow of Iso, Shiba & Yokoo (arXiv 1801.07172), read with the exact
 * thermometer instead of a neural-network one: one fully connected RBM
 * trained on configurations from many temperatures at once, then
 * configurations of one temperature passed v -> h -> v (sampled) again and
 * again, K_eff after each pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "flow.h"

/* Training temperatures T = 0.5, 0.75, ..., 6 (Iso et al. used 0..6 in the
 * same steps; T = 0, the two ground states, adds nothing that T = 0.5 on a
 * 10 x 10 torus does not already hold). Starting temperatures around
 * T_c = 2.269. */
static const double START_T[] = {1.5, 2.0, 2.269185, 2.5, 3.0, 4.0, 6.0};

/* Keeps the last epoch's reconstruction error (computed only with a callback). */
static int record_error(void *user, int layer, int epoch, double reconstruction_error, double pll,
                        double seconds) {
  (void)layer, (void)epoch, (void)pll, (void)seconds;
  *(double *)user = reconstruction_error;
  return 0;
}

static int train(const flow_config *c, rbm_flow *r, rgrbm_stack *s) {
  int L = c->rbm_side;
  rgrbm_dataset *all = NULL;
  int rc = rgrbm_dataset_create(&all, (size_t)L * (size_t)L);
  int8_t *buf = malloc(c->rbm_per_temperature * (size_t)L * (size_t)L);
  if (rc || buf == NULL) {
    rgrbm_dataset_destroy(all);
    free(buf);
    fprintf(stderr, "rg_flow: out of memory for the training set\n");
    return 1;
  }
  for (int t = 0; !rc && t < r->n_train; t++) {
    rgrbm_dataset *ds;
    rc = flow_sample(L, 1 / r->train_T[t], c->rbm_per_temperature, c->thermalize,
                     c->seed + 1000 + (uint64_t)t, &ds);
    if (rc) break;
    rc = rgrbm_dataset_get(ds, 0, c->rbm_per_temperature, buf) ||
         rgrbm_dataset_append(all, buf, c->rbm_per_temperature);
    rgrbm_dataset_destroy(ds);
  }
  free(buf);
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = c->rbm_epochs;
  o.seed = c->seed + 2000;
  o.progress = record_error;
  o.progress_data = &r->reconstruction_error;
  if (!rc) rc = rgrbm_cd_train(s, 0, all, &o);
  if (rc) fprintf(stderr, "rg_flow: training the RBM: %s\n", rgrbm_last_error());
  rgrbm_dataset_destroy(all);
  return rc ? 1 : 0;
}

/* ds's configurations as floats in the stack's units. */
static void to_units(const int8_t *spins, size_t n, int spin_units, float *v) {
  for (size_t i = 0; i < n; i++) v[i] = spin_units ? (float)spins[i] : (spins[i] > 0 ? 1.f : 0.f);
}

static void to_spins(const float *v, size_t n, int spin_units, int8_t *spins) {
  for (size_t i = 0; i < n; i++) spins[i] = v[i] > (spin_units ? 0.f : 0.5f) ? 1 : -1;
}

/* K_eff of n configurations of side L held as spins. */
static int thermometer(const int8_t *spins, size_t n, int L, size_t bins, rgrbm_estimate *k) {
  rgrbm_dataset *ds = NULL;
  int rc = rgrbm_dataset_create(&ds, (size_t)L * (size_t)L);
  if (!rc) rc = rgrbm_dataset_append(ds, spins, n);
  if (!rc) rc = rgrbm_dataset_set_shape(ds, L, L);
  if (!rc) rc = rgrbm_measure_k_eff(ds, bins, k);
  rgrbm_dataset_destroy(ds);
  return rc;
}

/* One starting temperature: its samples, then passes v -> h -> v. */
static int flow_from(const flow_config *c, const rgrbm_stack *s, int start, rbm_flow *r) {
  int L = c->rbm_side;
  size_t n = c->rbm_flow_samples, dim = (size_t)L * (size_t)L;
  rgrbm_dataset *ds;
  if (flow_sample(L, 1 / r->start_T[start], n, c->thermalize, c->seed + 3000 + (uint64_t)start,
                  &ds))
    return 1;
  int8_t *spins = malloc(n * dim);
  float *v = malloc(n * dim * sizeof *v), *w = malloc(n * dim * sizeof *w);
  int rc = spins && v && w ? rgrbm_dataset_get(ds, 0, n, spins) : RGRBM_ENOMEM;
  rgrbm_dataset_destroy(ds);
  for (int p = 0; !rc && p <= r->passes; p++) {
    size_t at = (size_t)start * (size_t)(r->passes + 1) + (size_t)p;
    if (p > 0) {
      to_units(spins, n * dim, c->rbm_spin_units, v);
      rc = rgrbm_stack_reconstruct(s, 1, RGRBM_PASS_SAMPLES, v, n,
                                   c->seed + 4000 + 1000 * (uint64_t)start + (uint64_t)p, w);
      if (rc) break;
      to_spins(w, n * dim, c->rbm_spin_units, spins);
    }
    /* a thermometer failure (all bonds satisfied) is a result: no K_eff */
    r->ok[at] = thermometer(spins, n, L, c->bins, &r->k_eff[at]) == RGRBM_OK;
    if (!r->ok[at])
      fprintf(stderr, "rg_flow: T = %g, pass %d: %s\n", r->start_T[start], p, rgrbm_last_error());
  }
  if (rc) fprintf(stderr, "rg_flow: RBM pass: %s\n", rc == RGRBM_ENOMEM ? "out of memory"
                                                                         : rgrbm_last_error());
  free(spins);
  free(v);
  free(w);
  return rc ? 1 : 0;
}

int rbm_flow_run(const flow_config *c, rbm_flow *r) {
  r->n_train = 0;
  for (double T = 0.5; T < 6.0 + 1e-9 && r->n_train < FLOW_MAX_COUPLINGS; T += 0.25)
    r->train_T[r->n_train++] = T;
  r->n_starts = (int)(sizeof START_T / sizeof START_T[0]);
  for (int i = 0; i < r->n_starts; i++) r->start_T[i] = START_T[i];
  r->passes = c->rbm_passes;
  size_t cells = (size_t)r->n_starts * (size_t)(r->passes + 1);
  r->k_eff = calloc(cells, sizeof *r->k_eff);
  r->ok = calloc(cells, sizeof *r->ok);
  if (r->k_eff == NULL || r->ok == NULL) {
    fprintf(stderr, "rg_flow: out of memory\n");
    return 1;
  }
  int L = c->rbm_side, sizes[2] = {L * L, c->rbm_hidden};
  rgrbm_stack *s = NULL;
  if (rgrbm_stack_create(&s, sizes, 2, c->rbm_spin_units ? RGRBM_UNITS_SPIN : RGRBM_UNITS_BINARY,
                         c->seed + 5000)) {
    fprintf(stderr, "rg_flow: %s\n", rgrbm_last_error());
    return 1;
  }
  double t0 = flow_now();
  int rc = train(c, r, s);
  r->seconds_train = flow_now() - t0;
  t0 = flow_now();
  for (int i = 0; !rc && i < r->n_starts; i++) {
    rc = flow_from(c, s, i, r);
    if (rc) break;
    size_t last = (size_t)i * (size_t)(r->passes + 1) + (size_t)r->passes;
    fprintf(stderr, "rg_flow: RBM flow from T = %g: K_eff %.4f -> %.4f after %d passes\n",
            r->start_T[i], r->k_eff[(size_t)i * (size_t)(r->passes + 1)].value,
            r->k_eff[last].value, r->passes);
  }
  r->seconds_flow = flow_now() - t0;
  rgrbm_stack_destroy(s);
  return rc;
}

void rbm_flow_free(rbm_flow *r) {
  free(r->k_eff);
  free(r->ok);
  r->k_eff = NULL;
  r->ok = NULL;
}
