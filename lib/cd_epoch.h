/* Internal: the random-stream scheme of an epoch of contrastive divergence,
 * shared by the stack trainer (cd.c) and the translation-invariant layer's
 * (conv_train.c). Never installed.
 *
 * Each epoch derives a key from (seed, layer, epoch) and a trainer's tag;
 * under it the shuffle, every batch row, every persistent chain and PCD's
 * reconstruction error have streams of their own, so that results do not
 * depend on the thread count. */
#ifndef RGRBM_LIB_CD_EPOCH_H
#define RGRBM_LIB_CD_EPOCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rng.h"

/* The trainers' tags: distinct keys for the same seed. */
#define RGRBM__CD_TAG_STACK 0x43440000u /* "CD" */
#define RGRBM__CD_TAG_CONV 0x43560000u  /* "CV" */

/* The key of one epoch of one layer: Philox of (epoch, layer, tag) under
 * the seed. */
uint64_t rgrbm__cd_epoch_key(uint64_t seed, int layer, int epoch, uint32_t tag);

/* order[0..count) = a permutation of 0..count-1 drawn from the epoch's
 * shuffle stream. */
void rgrbm__cd_shuffle(size_t *order, size_t count, uint64_t key);

/* The epoch's streams: rngs[0..batch_rows) for the batch rows,
 * rngs[batch_rows .. batch_rows + chains) for the persistent chains and,
 * when error_rngs is not NULL, error_rngs[0..batch_rows) for PCD's
 * reconstruction error. */
void rgrbm__cd_epoch_streams(rgrbm__rng *rngs, size_t batch_rows, size_t chains,
                             rgrbm__rng *error_rngs, uint64_t key);

/* Seconds of CLOCK_MONOTONIC since *start (an epoch's time, for the
 * progress callback). */
double rgrbm__cd_seconds_since(const struct timespec *start);

#endif
