/* What the cluster algorithms share: their coupling check and bond
 * probability (see sampler_cluster.h). */
#include "sampler_cluster.h"

#include <math.h>

#include "fail.h"

int rgrbm__check_cluster_couplings(const rgrbm_lattice *lat, const char *algorithm,
                                   const char *func) {
  if (lat->h != 0.0)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "lattice field h = %g: %s updates implement h = 0 only", lat->h, algorithm);
  if (lat->K < 0.0)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "lattice coupling K = %g: %s updates implement ferromagnets (K >= 0) only",
                       lat->K, algorithm);
  return RGRBM_OK;
}

uint64_t rgrbm__bond_threshold(double K) {
  double T = ldexp(-expm1(-2.0 * K), 32);
  return T >= 4294967295.5 ? UINT64_C(1) << 32 : (uint64_t)llround(T);
}
