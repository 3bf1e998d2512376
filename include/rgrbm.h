/**
 * @file rgrbm.h
 * @brief Umbrella header: includes every public header of librgrbm.
 */
#ifndef RGRBM_H
#define RGRBM_H

#include "rgrbm/common.h"
#include "rgrbm/version.h"
#include "rgrbm/cpu.h"
#include "rgrbm/dataset.h"
#include "rgrbm/stack.h"
#include "rgrbm/cd.h"
#include "rgrbm/lattice.h"
#include "rgrbm/sampler.h"
#include "rgrbm/exact.h"
#include "rgrbm/series.h"
#include "rgrbm/measure.h"
#include "rgrbm/receptive.h"
#include "rgrbm/ais.h"
#include "rgrbm/rg.h"
#include "rgrbm/decimation1d.h"
#include "rgrbm/vrg.h"
#include "rgrbm/mcrg.h"

#endif /* RGRBM_H */
