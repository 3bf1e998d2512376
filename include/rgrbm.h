/**
 * @file rgrbm.h
 * @brief Umbrella header: includes every public header of librgrbm.
 *
 * Each prefix rgrbm_x_ is declared in rgrbm/x.h alone, whose file comment
 * says what may run concurrently. In short: there is no global state but
 * the CPU mask (rgrbm/cpu.h); distinct handles may be used from different
 * threads at once; functions taking a const handle may run concurrently on
 * the same one, the others need exclusive access (docs/conventions.md,
 * "Threads").
 */
#ifndef RGRBM_H
#define RGRBM_H

#include "rgrbm/common.h"
#include "rgrbm/version.h"
#include "rgrbm/cpu.h"
#include "rgrbm/dataset.h"
#include "rgrbm/stack.h"
#include "rgrbm/cd.h"
#include "rgrbm/conv.h"
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
