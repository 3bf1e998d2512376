/* Ising lattices: storage, couplings and per-site observables. */
#include "lattice.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "fail.h"
#include "rng.h"

int rgrbm__check_couplings(double K, double h, const char *func) {
  if (!isfinite(K))
    return rgrbm__fail(RGRBM_EINVAL, func, "K = %g, the coupling must be finite", K);
  if (!isfinite(h))
    return rgrbm__fail(RGRBM_EINVAL, func, "h = %g, the field must be finite", h);
  return RGRBM_OK;
}

int rgrbm__check_shape(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, const char *func) {
  if (g != RGRBM_CHAIN && g != RGRBM_SQUARE)
    return rgrbm__fail(RGRBM_EINVAL, func, "g = %d, expected RGRBM_CHAIN or RGRBM_SQUARE", (int)g);
  if (bc != RGRBM_PERIODIC && bc != RGRBM_OPEN)
    return rgrbm__fail(RGRBM_EINVAL, func, "bc = %d, expected RGRBM_PERIODIC or RGRBM_OPEN",
                       (int)bc);
  if (lx < 1 || lx > RGRBM_LATTICE_MAX_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx = %d, a side must be in 1..%d", lx,
                       RGRBM_LATTICE_MAX_SIDE);
  if (g == RGRBM_CHAIN && ly != 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "ly = %d, a chain has ly = 1", ly);
  if (ly < 1 || ly > RGRBM_LATTICE_MAX_SIDE)
    return rgrbm__fail(RGRBM_EINVAL, func, "ly = %d, a side must be in 1..%d", ly,
                       RGRBM_LATTICE_MAX_SIDE);
  return RGRBM_OK;
}

int rgrbm_lattice_create(rgrbm_lattice **out, rgrbm_geometry g, int lx, int ly,
                         rgrbm_boundary bc) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  int rc = rgrbm__check_shape(g, lx, ly, bc, __func__);
  if (rc != RGRBM_OK) return rc;
  size_t sites = (size_t)lx * (size_t)ly;
  rgrbm_lattice *lat = rgrbm__calloc(1, sizeof *lat);
  if (lat == NULL) return RGRBM_FAIL_NOMEM("the lattice", sizeof *lat);
  lat->spins = rgrbm__alloc(sites);
  if (lat->spins == NULL) {
    rgrbm__free(lat);
    return RGRBM_FAIL_NOMEM("the spins", sites);
  }
  memset(lat->spins, 1, sites);
  lat->geometry = g;
  lat->boundary = bc;
  lat->lx = lx;
  lat->ly = ly;
  lat->sites = sites;
  *out = lat;
  return RGRBM_OK;
}

void rgrbm_lattice_destroy(rgrbm_lattice *lat) {
  if (lat == NULL) return;
  rgrbm__free(lat->spins);
  rgrbm__free(lat);
}

int rgrbm_lattice_set_couplings(rgrbm_lattice *lat, double K, double h) {
  RGRBM_REQUIRE_NONNULL(lat);
  int rc = rgrbm__check_couplings(K, h, __func__);
  if (rc != RGRBM_OK) return rc;
  lat->K = K;
  lat->h = h;
  return RGRBM_OK;
}

int rgrbm_lattice_couplings(const rgrbm_lattice *lat, double *K, double *h) {
  RGRBM_REQUIRE_NONNULL(lat);
  if (K) *K = lat->K;
  if (h) *h = lat->h;
  return RGRBM_OK;
}

int rgrbm_lattice_shape(const rgrbm_lattice *lat, rgrbm_geometry *g, int *lx, int *ly,
                        rgrbm_boundary *bc) {
  RGRBM_REQUIRE_NONNULL(lat);
  if (g) *g = lat->geometry;
  if (lx) *lx = lat->lx;
  if (ly) *ly = lat->ly;
  if (bc) *bc = lat->boundary;
  return RGRBM_OK;
}

/* Getters (docs/conventions.md, "Getters and results"): the value itself;
 * 0 or NULL, with the message set, for a NULL lattice. */

size_t rgrbm_lattice_sites(const rgrbm_lattice *lat) {
  if (lat == NULL) {
    rgrbm__fail(RGRBM_EINVAL, __func__, "lat is NULL");
    return 0;
  }
  return lat->sites;
}

/* A const lattice's spins are writable storage (the struct holds int8_t *),
 * so both getters share this one without a cast. */
static int8_t *spins_of(const rgrbm_lattice *lat, const char *func) {
  if (lat == NULL) {
    rgrbm__fail(RGRBM_EINVAL, func, "lat is NULL");
    return NULL;
  }
  return lat->spins;
}

int8_t *rgrbm_lattice_spins(rgrbm_lattice *lat) { return spins_of(lat, __func__); }

const int8_t *rgrbm_lattice_spins_const(const rgrbm_lattice *lat) {
  return spins_of(lat, __func__);
}

long long rgrbm__spin_sum(const int8_t *s, size_t n) {
  long long sum = 0;
  for (size_t i = 0; i < n; i++) sum += s[i];
  return sum;
}

/* Bonds to the right within each row, then bonds down between rows; a side of
 * length 1 has no open bonds and, periodic, one bond of a site to itself. */
long long rgrbm__bond_sum(const int8_t *s, rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc) {
  long long sum = 0;
  int wrap = bc == RGRBM_PERIODIC;
  for (int y = 0; y < ly; y++) {
    const int8_t *row = s + (size_t)y * (size_t)lx;
    for (int x = 0; x + 1 < lx; x++) sum += row[x] * row[x + 1];
    if (wrap) sum += row[lx - 1] * row[0];
  }
  if (g == RGRBM_CHAIN) return sum;
  for (int y = 0; y < ly; y++) {
    if (y + 1 == ly && !wrap) break;
    const int8_t *row = s + (size_t)y * (size_t)lx;
    const int8_t *below = s + (size_t)((y + 1) % ly) * (size_t)lx;
    for (int x = 0; x < lx; x++) sum += row[x] * below[x];
  }
  return sum;
}

static double bond_mean(const rgrbm_lattice *lat) {
  return (double)rgrbm__bond_sum(lat->spins, lat->geometry, lat->lx, lat->ly, lat->boundary) /
         (double)lat->sites;
}

static double magnetization(const rgrbm_lattice *lat) {
  return (double)rgrbm__spin_sum(lat->spins, lat->sites) / (double)lat->sites;
}

int rgrbm_lattice_bond_mean(const rgrbm_lattice *lat, double *out) {
  RGRBM_REQUIRE_NONNULL(lat);
  RGRBM_REQUIRE_NONNULL(out);
  *out = bond_mean(lat);
  return RGRBM_OK;
}

int rgrbm_lattice_magnetization(const rgrbm_lattice *lat, double *out) {
  RGRBM_REQUIRE_NONNULL(lat);
  RGRBM_REQUIRE_NONNULL(out);
  *out = magnetization(lat);
  return RGRBM_OK;
}

/* The bond mean and m are within [-2, 2] and [-1, 1], so the energy is
 * finite unless a coupling near DBL_MAX makes a product overflow. */
int rgrbm_lattice_energy(const rgrbm_lattice *lat, double *out) {
  RGRBM_REQUIRE_NONNULL(lat);
  RGRBM_REQUIRE_NONNULL(out);
  double energy = -lat->K * bond_mean(lat) - lat->h * magnetization(lat);
  if (!isfinite(energy))
    return rgrbm__fail(RGRBM_ENUMERIC, __func__, "K = %g, h = %g: the energy per site "
                       "overflows double (it needs 2|K| + |h| <= DBL_MAX)", lat->K, lat->h);
  *out = energy;
  return RGRBM_OK;
}

int rgrbm_lattice_fill(rgrbm_lattice *lat, int value) {
  RGRBM_REQUIRE_NONNULL(lat);
  if (value != 1 && value != -1)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "value = %d, a spin is -1 or +1", value);
  memset(lat->spins, (int8_t)value, lat->sites);
  return RGRBM_OK;
}

int rgrbm_lattice_randomize(rgrbm_lattice *lat, uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(lat);
  rgrbm__rng rng;
  rgrbm__rng_init(&rng, seed, RGRBM__STREAM(RGRBM__STREAM_LATTICE, 0));
  uint32_t word = 0;
  for (size_t i = 0; i < lat->sites; i++) {
    if (i % 32 == 0) word = rgrbm__rng_u32(&rng);
    lat->spins[i] = (word >> (i % 32)) & 1u ? 1 : -1;
  }
  return RGRBM_OK;
}
