/* Variational-RG checks of one RBM layer by enumerating every (v, h) pair:
 * the operator T(v,h) = -E(v,h) + H(v) is formed literally, and its traces
 * over h (exactness) and over v (H_RG) are summed from the definitions, so
 * that comparing H_RG with the closed-form H_RBM tests the paper's Eq. 21. */
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "fail.h"
#include "rbm.h"
#include "rgrbm/vrg.h"
#include "stack.h"
#include "versioned.h"

enum { MAX_VISIBLE = 20, MAX_HIDDEN = 12 };

/* ln sum e^x accumulated one term at a time, the sum compensated
 * (Neumaier) so that 2^32 terms lose no more than a few ulps. */
typedef struct {
  double max, sum, comp;
} lse;

static void lse_add(lse *a, double x) {
  double term = 1.0;
  if (x <= a->max) {
    term = exp(x - a->max);
  } else {
    double scale = exp(a->max - x);
    a->sum *= scale;
    a->comp *= scale;
    a->max = x;
  }
  double t = a->sum + term;
  a->comp += fabs(a->sum) >= term ? (a->sum - t) + term : (term - t) + a->sum;
  a->sum = t;
}
static double lse_value(const lse *a) { return a->max + log(a->sum + a->comp); }
static const lse LSE_EMPTY = {-INFINITY, 0.0, 0.0};

/* The model's reduced Hamiltonian with the lattice's own bond convention:
 * every site bonds to x+1 and, on the square lattice, to y+1 (wrapping when
 * periodic, a site to itself included, as rgrbm/lattice.h states). */
typedef struct {
  int lx, ly, periodic, square;
  double K, h;
} model_hamiltonian;

static double model_energy(const model_hamiltonian *m, const int *s) {
  double bonds = 0, field = 0;
  for (int y = 0; y < m->ly; y++)
    for (int x = 0; x < m->lx; x++) {
      int i = y * m->lx + x;
      field += s[i];
      if (x + 1 < m->lx || m->periodic) bonds += s[i] * s[y * m->lx + (x + 1) % m->lx];
      if (m->square && (y + 1 < m->ly || m->periodic))
        bonds += s[i] * s[((y + 1) % m->ly) * m->lx + x];
    }
  return -m->K * bonds - m->h * field;
}

typedef struct {
  const rgrbm_stack *s;
  int layer, nv, nh;
  double low; /* value of an off unit: -1 spin, 0 binary */
  model_hamiltonian model;
  double log_z_model;
  lse *over_v; /* per hidden configuration: ln Tr_v e^{T - H} */
} enumeration;

/* Model spins and RBM unit values of visible configuration bits. */
static double visible_state(const enumeration *e, unsigned bits, int *spins) {
  for (int i = 0; i < e->nv; i++) spins[i] = (bits >> i) & 1 ? 1 : -1;
  return model_energy(&e->model, spins);
}

static double unit(const enumeration *e, unsigned bits, int i) {
  return (bits >> i) & 1 ? 1.0 : e->low;
}

/* -E(v,h) for h = low everywhere, and the fields b_j + (v W)_j. */
static double visible_fields(const enumeration *e, unsigned v, double *field) {
  const float *w = e->s->weights[e->layer], *c = e->s->vbias[e->layer],
              *b = e->s->hbias[e->layer];
  double x = 0;
  for (int j = 0; j < e->nh; j++) field[j] = b[j];
  for (int i = 0; i < e->nv; i++) {
    double vi = unit(e, v, i);
    x += c[i] * vi;
    for (int j = 0; j < e->nh; j++) field[j] += vi * w[i * e->nh + j];
  }
  for (int j = 0; j < e->nh; j++) x += e->low * field[j];
  return x;
}

/* Sweep h in Gray-code order for one v: the trace over h of e^{T}, and each
 * h's share of the trace over v of e^{T - H}. Returns ln Tr_h e^{T(v,h)}. */
static double sweep_hidden(enumeration *e, unsigned v, double energy_v, double *field) {
  double x = visible_fields(e, v, field); /* -E(v, h) at h = 0 bits */
  lse trace = LSE_EMPTY;
  unsigned h = 0;
  for (unsigned k = 0;; k++) {
    double t = x + energy_v; /* T(v,h) */
    lse_add(&trace, t);
    lse_add(&e->over_v[h], t - energy_v);
    if (k + 1 == 1u << e->nh) break;
    int j = __builtin_ctz(k + 1);
    x += ((h >> j) & 1 ? e->low - 1.0 : 1.0 - e->low) * field[j];
    h ^= 1u << j;
  }
  return lse_value(&trace);
}

/* H_RBM(h) = -ln Tr_v e^{-E(v,h)} in closed form (the visible units factorize). */
static double rbm_hidden_energy(const enumeration *e, unsigned h) {
  const float *w = e->s->weights[e->layer], *c = e->s->vbias[e->layer],
              *b = e->s->hbias[e->layer];
  double minus = 0;
  for (int j = 0; j < e->nh; j++) minus += b[j] * unit(e, h, j);
  for (int i = 0; i < e->nv; i++) {
    double a = c[i];
    for (int j = 0; j < e->nh; j++) a += w[i * e->nh + j] * unit(e, h, j);
    /* sum over v_i of e^{a v_i}: 2 cosh a (spin) or 1 + e^a (binary) */
    minus += e->low < 0 ? rgrbm__log2cosh(a) : rgrbm__softplus(a);
  }
  return -minus;
}

static int check_args(const rgrbm_stack *s, int layer, const rgrbm_lattice *model,
                      const char *func) {
  int rc = rgrbm__stack_check_layer(s, layer, func);
  if (rc != RGRBM_OK) return rc;
  int nv = s->sizes[layer], nh = s->sizes[layer + 1];
  if (nv > MAX_VISIBLE)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "layer %d has size(layer) = %d visible units, enumeration handles at "
                       "most %d", layer, nv, MAX_VISIBLE);
  if (nh > MAX_HIDDEN)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "layer %d has size(layer+1) = %d hidden units, enumeration handles at "
                       "most %d", layer, nh, MAX_HIDDEN);
  if (rgrbm_lattice_sites(model) != (size_t)nv)
    return rgrbm__fail(RGRBM_EINVAL, func, "model has %zu sites, layer %d has %d visible units",
                       rgrbm_lattice_sites(model), layer, nv);
  return RGRBM_OK;
}

static void init_enumeration(enumeration *e, const rgrbm_stack *s, int layer,
                             const rgrbm_lattice *model) {
  rgrbm_geometry g;
  rgrbm_boundary bc;
  e->s = s;
  e->layer = layer;
  e->nv = s->sizes[layer];
  e->nh = s->sizes[layer + 1];
  e->low = s->units == RGRBM_UNITS_SPIN ? -1.0 : 0.0;
  rgrbm_lattice_shape(model, &g, &e->model.lx, &e->model.ly, &bc);
  rgrbm_lattice_couplings(model, &e->model.K, &e->model.h);
  e->model.periodic = bc == RGRBM_PERIODIC;
  e->model.square = g == RGRBM_SQUARE;
  int spins[MAX_VISIBLE];
  lse z = LSE_EMPTY;
  for (unsigned v = 0; v < 1u << e->nv; v++) lse_add(&z, -visible_state(e, v, spins));
  e->log_z_model = lse_value(&z);
}

/* Finite parameters can still overflow double in the traces (weights near
 * FLT_MAX times a model's 20 units): never report such a number as OK. */
static int check_report(const rgrbm_vrg_report *r, int layer, const char *func) {
  const double v[5] = {r->trace_defect, r->trace_spread, r->delta_f, r->kl, r->h_rg_max_diff};
  static const char *const names[5] = {"trace_defect", "trace_spread", "delta_f", "kl",
                                       "h_rg_max_diff"};
  for (int i = 0; i < 5; i++)
    if (!isfinite(v[i]))
      return rgrbm__fail(RGRBM_ENUMERIC, func, "layer %d: %s = %g is not finite", layer,
                         names[i], v[i]);
  return RGRBM_OK;
}

static const size_t REPORT_BYTES[RGRBM_VRG_REPORT_VERSION] = {sizeof(rgrbm_vrg_report)};
static const rgrbm__layout REPORT = {"rgrbm_vrg_report", RGRBM_VRG_REPORT_VERSION, REPORT_BYTES};

int rgrbm_vrg_check(const rgrbm_stack *s, int layer, const rgrbm_lattice *model,
                    rgrbm_vrg_report *out) {
  RGRBM_REQUIRE_NONNULL(s);
  RGRBM_REQUIRE_NONNULL(model);
  RGRBM_REQUIRE_NONNULL(out);
  int rc = rgrbm__version_check(&REPORT, out->version, __func__, "out");
  if (rc == RGRBM_OK) rc = check_args(s, layer, model, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__stack_check_finite(s, layer, layer, __func__);
  if (rc != RGRBM_OK) return rc;
  enumeration e;
  init_enumeration(&e, s, layer, model);
  e.over_v = rgrbm__alloc((sizeof *e.over_v) << e.nh);
  if (e.over_v == NULL) return RGRBM_FAIL_NOMEM("the hidden traces", (sizeof *e.over_v) << e.nh);
  for (unsigned h = 0; h < 1u << e.nh; h++) e.over_v[h] = LSE_EMPTY;
  double field[MAX_HIDDEN];
  int spins[MAX_VISIBLE];
  /* <ln Tr_h e^T>_P is accumulated relative to the first v's value: exact
   * layers make every term vanish instead of cancelling large ones. */
  double lo = INFINITY, hi = -INFINITY, first = 0, mean_shifted = 0;
  for (unsigned v = 0; v < 1u << e.nv; v++) {
    double energy_v = visible_state(&e, v, spins);
    double log_trace = sweep_hidden(&e, v, energy_v, field);
    if (v == 0) first = log_trace;
    lo = fmin(lo, log_trace);
    hi = fmax(hi, log_trace);
    mean_shifted += exp(-energy_v - e.log_z_model) * (log_trace - first);
  }
  lse z_rg = LSE_EMPTY;
  double worst = 0;
  for (unsigned h = 0; h < 1u << e.nh; h++) {
    double h_rg = -lse_value(&e.over_v[h]);
    lse_add(&z_rg, -h_rg);
    worst = fmax(worst, fabs(h_rg - rbm_hidden_energy(&e, h)));
  }
  rgrbm__free(e.over_v);
  /* ln p(v) - ln P(v) = ln Tr_h e^{T(v,h)} - ln Z_RG + ln Z_model. */
  double log_z_rg = lse_value(&z_rg);
  rgrbm_vrg_report r;
  memset(&r, 0, sizeof r); /* padding included: the report's bytes are a function of the input */
  r.version = RGRBM_VRG_REPORT_VERSION;
  r.trace_defect = fmax(fabs(lo), fabs(hi));
  r.trace_spread = hi - lo;
  r.delta_f = -log_z_rg + e.log_z_model;
  r.kl = -mean_shifted + (log_z_rg - e.log_z_model - first);
  r.h_rg_max_diff = worst;
  if ((rc = check_report(&r, layer, __func__))) return rc;
  rgrbm__versioned_write(&REPORT, out, &r);
  return RGRBM_OK;
}
