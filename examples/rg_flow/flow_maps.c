/* The table of coarse-graining maps of the flow. A learned map (the
 * translation-invariant filter of rgrbm_rg_create_conv, a placed stack) is
 * one more row: a name, a line of description and a function that makes
 * its plan for an L x L torus. */
#include "flow.h"

static int majority(rgrbm_rg **out, int L, uint64_t seed) {
  return rgrbm_rg_create_block2d(out, L, L, 2, RGRBM_BLOCK_MAJORITY, seed);
}

static int decimation(rgrbm_rg **out, int L, uint64_t seed) {
  return rgrbm_rg_create_block2d(out, L, L, 2, RGRBM_BLOCK_DECIMATE, seed);
}

/* The translation-invariant learned map (Chung & Kao): one 8 x 8 filter,
 * stride 2, +-1 units, trained once by CD-1 on Swendsen-Wang samples at
 * K_c of the flow's own torus with examples/learned_mcrg's settings, then
 * held fixed while K varies: a map learned at criticality, applied across
 * the flow. */
enum { FILTER_SAMPLES = 2000, FILTER_EPOCHS = 10, FILTER_THERMALIZE = 200 };
static rgrbm_conv *filter;

static int train_filter(int L, uint64_t seed) {
  rgrbm_dataset *data = NULL;
  if (flow_sample(L, RGRBM_K_CRITICAL, FILTER_SAMPLES, FILTER_THERMALIZE, seed, &data)) return 1;
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = FILTER_EPOCHS;
  o.learning_rate = 0.1;
  o.l1 = 1e-3;
  o.seed = seed;
  int rc = rgrbm_conv_create(&filter, 8, 2, RGRBM_UNITS_SPIN, seed);
  if (rc == RGRBM_OK) rc = rgrbm_conv_train(filter, data, &o);
  rgrbm_dataset_destroy(data);
  if (rc != RGRBM_OK) flow_maps_release();
  return rc != RGRBM_OK;
}

static int learned_filter(rgrbm_rg **out, int L, uint64_t seed) {
  if (filter == NULL && train_filter(L, seed + 101)) return 1;
  return rgrbm_rg_create_conv(out, filter, L, L, RGRBM_RG_SIGN_MEAN, seed);
}

void flow_maps_release(void) {
  rgrbm_conv_destroy(filter);
  filter = NULL;
}

const flow_map FLOW_MAPS[] = {
    {"majority", "2 x 2 majority rule (ties by a seeded coin)", majority},
    {"decimation", "2 x 2 decimation (the top-left spin of each block)", decimation},
    {"filter", "learned 8 x 8 filter, stride 2, trained at K_c (sign of means)",
     learned_filter},
};

const int FLOW_MAP_COUNT = (int)(sizeof FLOW_MAPS / sizeof FLOW_MAPS[0]);
