/**
 * @file rgrbm/cd.h
 * @brief Training RBM layers by contrastive divergence (CD-k and PCD-k).
 */
#ifndef RGRBM_CD_H
#define RGRBM_CD_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
#include "rgrbm/dataset.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Layout version of ::rgrbm_cd_options that this header describes. */
#define RGRBM_CD_OPTIONS_VERSION 1

/**
 * @brief Called once an epoch; a nonzero return cancels training with
 *        RGRBM_ECANCELED, the stack staying as of the last completed epoch.
 * @param user the options' progress_data.
 * @param layer the layer being trained; @param epoch 1-based epochs done.
 * @param reconstruction_error mean squared error of the reconstructions.
 * @param pll pseudo-log-likelihood per visible unit, or NaN unless asked for.
 * @param seconds wall time of this epoch.
 */
typedef int (*rgrbm_progress_fn)(void *user, int layer, int epoch, double reconstruction_error,
                                 double pll, double seconds);

/** Training options. Initialize with rgrbm_cd_options_init(), then change fields. */
typedef struct rgrbm_cd_options {
  unsigned version;             /**< RGRBM_CD_OPTIONS_VERSION (set by init) */
  int epochs;                   /**< passes over the data; default 10 */
  size_t batch_size;            /**< minibatch size; default 100 */
  int k;                        /**< Gibbs steps per update; default 1 */
  int persistent;               /**< 0 = CD-k (default), 1 = PCD-k */
  size_t persistent_chains;     /**< PCD chains; default 0 = batch_size */
  double learning_rate;         /**< default 0.01 */
  double momentum_initial;      /**< default 0.5 */
  double momentum_final;        /**< default 0.9 */
  int momentum_switch_epoch;    /**< final momentum from this epoch (1-based) on; default 5 */
  double l1;                    /**< L1 penalty on the weights; default 0 */
  double l2;                    /**< L2 penalty (weight decay); default 0 */
  int mean_field_reconstruction; /**< 1 = reconstruct visibles with means; default 0 */
  rgrbm_pass feed_up;           /**< how data reaches layer > 0; default RGRBM_PASS_MEANS */
  int compute_pll;              /**< 1 = report the exact PLL each epoch; default 0 */
  uint64_t seed;                /**< shuffling and sampling; default 1 */
  rgrbm_progress_fn progress;   /**< optional; default NULL */
  void *progress_data;          /**< passed to progress */
} rgrbm_cd_options;

/** @brief Set every field of o to its documented default (and the version). */
RGRBM_API void rgrbm_cd_options_init(rgrbm_cd_options *o);

/**
 * @brief Train one RBM layer of s on data, fed up through the layers below.
 * @param data dim == size(0), spins -1/+1 (mapped to the stack's units).
 * @return RGRBM_OK; RGRBM_EINVAL (bad options or arguments, named);
 *         RGRBM_ECANCELED (the callback stopped it; parameters as of the last
 *         completed epoch); RGRBM_ENUMERIC (a NaN or infinity appeared; the
 *         last good parameters are restored); RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_cd_train(rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                             const rgrbm_cd_options *o);

/**
 * @brief Greedy layer-wise training: layer 0, then 1, ... each with its own
 *        options (per_layer[l] for layer l, depth entries), each layer fed
 *        the data through the layers already trained.
 * @return as rgrbm_cd_train; a failure in layer l leaves layers < l trained
 *         and layer l as rgrbm_cd_train leaves it.
 */
RGRBM_API int rgrbm_stack_train(rgrbm_stack *s, const rgrbm_dataset *data,
                                const rgrbm_cd_options *per_layer);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_CD_H */
