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

const flow_map FLOW_MAPS[] = {
    {"majority", "2 x 2 majority rule (ties by a seeded coin)", majority},
    {"decimation", "2 x 2 decimation (the top-left spin of each block)", decimation},
};

const int FLOW_MAP_COUNT = (int)(sizeof FLOW_MAPS / sizeof FLOW_MAPS[0]);
