/**
 * @file rgrbm.h
 * @brief Umbrella header: includes every public header of librgrbm.
 */
#ifndef RGRBM_H
#define RGRBM_H

#include "rgrbm/common.h"
#include "rgrbm/version.h"
#include "rgrbm/dataset.h"
#include "rgrbm/lattice.h"
#include "rgrbm/sampler.h"

#endif /* RGRBM_H */
