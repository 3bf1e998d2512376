/* Samplers: the public entry points, dispatching through each kind's
 * operations (sampler.h). */
#include "sampler.h"

#include <inttypes.h>
#include <string.h>

#include "alloc.h"
#include "dataset.h"
#include "fail.h"
#include "lattice.h"

/* Each kind checks that it can run on the lattice before it allocates. */
static int init_kind(rgrbm_sampler *smp, rgrbm_lattice *lat, rgrbm_algorithm alg, uint64_t seed,
                     const char *func) {
  switch (alg) {
    case RGRBM_METROPOLIS:
    case RGRBM_HEAT_BATH: return rgrbm__local_init(smp, lat, alg, seed, func);
    case RGRBM_WOLFF: return rgrbm__wolff_init(smp, lat, seed, func);
    case RGRBM_SWENDSEN_WANG: return rgrbm__swendsen_wang_init(smp, lat, seed, func);
  }
  return rgrbm__fail(RGRBM_EINVAL, func,
                     "alg = %d, expected RGRBM_METROPOLIS, RGRBM_HEAT_BATH, RGRBM_WOLFF or "
                     "RGRBM_SWENDSEN_WANG",
                     (int)alg);
}

int rgrbm_sampler_create(rgrbm_sampler **out, rgrbm_lattice *lat, rgrbm_algorithm alg,
                         uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(lat);
  rgrbm_sampler *smp = rgrbm__calloc(1, sizeof *smp);
  if (smp == NULL) return RGRBM_FAIL_NOMEM("the sampler", sizeof *smp);
  smp->dim = lat->sites;
  smp->chains = 1;
  smp->lattice = lat;
  smp->algorithm = alg;
  if (lat->geometry == RGRBM_SQUARE) {
    smp->lx = lat->lx;
    smp->ly = lat->ly;
  }
  int rc = init_kind(smp, lat, alg, seed, __func__);
  if (rc != RGRBM_OK) {
    rgrbm__free(smp);
    return rc;
  }
  *out = smp;
  return RGRBM_OK;
}

void rgrbm_sampler_destroy(rgrbm_sampler *smp) {
  if (smp == NULL) return;
  if (smp->kind != NULL && smp->kind->destroy != NULL) smp->kind->destroy(smp);
  rgrbm__free(smp);
}

/* The spins of a lattice kind's chain: the caller may write any int8 through
 * rgrbm_lattice_spins(), but every update rule (and the kernels' neighbour
 * sums in int8) is defined for -1/+1 only. One rule for sweep and draw: the
 * whole lattice is checked once per call and anything else is refused. */
static int check_spins(const rgrbm_sampler *smp, const char *func) {
  const rgrbm_lattice *lat = smp->lattice;
  if (lat == NULL) return RGRBM_OK;
  unsigned bad = 0;
  for (size_t i = 0; i < lat->sites; i++) bad |= (unsigned)((uint8_t)(lat->spins[i] + 1) & 0xFDu);
  if (bad == 0) return RGRBM_OK;
  size_t i = 0;
  while (lat->spins[i] == 1 || lat->spins[i] == -1) i++;
  return rgrbm__fail(RGRBM_EINVAL, func,
                     "lattice spin %zu (x = %zu, y = %zu) is %d, spins must be -1 or +1", i,
                     i % (size_t)lat->lx, i / (size_t)lat->lx, (int)lat->spins[i]);
}

static int check_state(const rgrbm_sampler *smp, const char *func) {
  int rc = check_spins(smp, func);
  if (rc == RGRBM_OK && smp->kind->check != NULL) rc = smp->kind->check(smp, func);
  return rc;
}

/* A chain length above RGRBM_SAMPLER_MAX_SWEEPS is refused: it could not
 * end, and it is what a negative count converted to uint64_t becomes. */
static int check_sweeps(uint64_t sweeps, const char *name, const char *func) {
  if (sweeps <= RGRBM_SAMPLER_MAX_SWEEPS) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EINVAL, func, "%s = %" PRIu64 " exceeds RGRBM_SAMPLER_MAX_SWEEPS = "
                     "2^63 - 1 (a negative count converted to uint64_t?)", name, sweeps);
}

int rgrbm_sampler_sweep(rgrbm_sampler *smp, uint64_t sweeps) {
  RGRBM_REQUIRE_NONNULL(smp);
  if (check_sweeps(sweeps, "sweeps", __func__)) return RGRBM_EINVAL;
  int rc = check_state(smp, __func__);
  return rc != RGRBM_OK ? rc : smp->kind->sweep(smp, sweeps);
}

/* A lattice kind's configuration, or the kind's own emit. */
static int emit(rgrbm_sampler *smp, rgrbm_dataset *out, size_t max, size_t *appended) {
  if (smp->kind->emit != NULL) return smp->kind->emit(smp, out, max, appended);
  *appended = 0;
  if (max == 0) return RGRBM_OK;
  int rc = rgrbm_dataset_append(out, smp->lattice->spins, 1);
  if (rc == RGRBM_OK) *appended = 1;
  return rc;
}

static int check_draw(const rgrbm_sampler *smp, uint64_t thermalize, uint64_t spacing,
                      const rgrbm_dataset *out, const char *func) {
  if (check_sweeps(thermalize, "thermalize", func)) return RGRBM_EINVAL;
  if (spacing < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "spacing = 0, must be >= 1 sweep");
  if (check_sweeps(spacing, "spacing", func)) return RGRBM_EINVAL;
  if (out->dim != smp->dim)
    return rgrbm__fail(RGRBM_EINVAL, func, "out dim = %zu, the sampler emits %zu spins",
                       out->dim, smp->dim);
  if (smp->lx > 0 && out->lx > 0 && (out->lx != smp->lx || out->ly != smp->ly))
    return rgrbm__fail(RGRBM_EINVAL, func, "out shape = %d x %d, the sampler emits %d x %d",
                       out->lx, out->ly, smp->lx, smp->ly);
  return check_state(smp, func);
}

/* Sweep `spacing` times, then emit, until count configurations are out.
 * Sweeping first means consecutive draws never repeat a configuration, even
 * with thermalize = 0: a chain can be drawn from in chunks. */
static int draw_loop(rgrbm_sampler *smp, size_t count, uint64_t spacing, rgrbm_dataset *out) {
  size_t done = 0;
  while (done < count) {
    size_t appended = 0;
    int rc = smp->kind->sweep(smp, spacing);
    if (rc == RGRBM_OK) rc = emit(smp, out, count - done, &appended);
    if (rc != RGRBM_OK) return rc;
    done += appended;
  }
  return RGRBM_OK;
}

int rgrbm_sampler_draw(rgrbm_sampler *smp, size_t count, uint64_t thermalize,
                       uint64_t spacing, rgrbm_dataset *out) {
  RGRBM_REQUIRE_NONNULL(smp);
  RGRBM_REQUIRE_NONNULL(out);
  int rc = check_draw(smp, thermalize, spacing, out, __func__);
  if (rc != RGRBM_OK) return rc;
  /* Reserving first makes every later append infallible but for a kind's own
   * failure, after which the count is rolled back. */
  if ((rc = rgrbm__dataset_grow(out, count, __func__)) != RGRBM_OK) return rc;
  size_t before = out->count;
  rc = smp->kind->sweep(smp, thermalize);
  if (rc == RGRBM_OK) rc = draw_loop(smp, count, spacing, out);
  if (rc != RGRBM_OK) {
    out->count = before;
    return rc;
  }
  if (smp->lx > 0 && out->lx == 0) {
    out->lx = smp->lx;
    out->ly = smp->ly;
  }
  return RGRBM_OK;
}
