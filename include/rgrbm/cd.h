/**
 * @file rgrbm/cd.h
 * @brief Training RBM layers by contrastive divergence (CD-k and PCD-k).
 *
 * An update on a minibatch of n rows moves the parameters along
 * \<v h>_data - \<v h>_model, the data term with the exact hidden means and
 * the model term from m negative chains (CD-k: one chain per row, started at
 * the row and run k block-Gibbs steps; PCD-k: m persistent chains advanced k
 * steps per update), with momentum and penalties:
 *
 *     dW = momentum dW + lr (grad - l2 W - l1 sign(W)),  W += dW
 *
 * (biases alike without penalties). The cost per update is 4k + 1 matrix
 * products of the batch's shapes plus a few passes over the batch; nothing
 * is allocated per batch. A product whose one operand is binary (data,
 * sampled units) goes, by default, through group tables that need about 3.2
 * times fewer operations than sgemm on a batch of 100 rows (approaching a
 * quarter of sgemm's on taller blocks; see ::rgrbm_products), on every CPU: the
 * generic C, AVX2 and AVX-512 kernels give the same bits. The others are
 * sgemm calls. See docs/training.md.
 *
 * Thread-safety: training writes the stack and needs exclusive access to it
 * (and reads the dataset, which must not change meanwhile); distinct stacks
 * may be trained in different threads. The options are only read.
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

/** Layout version of ::rgrbm_cd_options that this header describes:
 *  1 = the layout without `products` (librgrbm 0.x), 2 = with it. The
 *  library accepts both; a version-1 caller trains with RGRBM_PRODUCTS_AUTO. */
#define RGRBM_CD_OPTIONS_VERSION 2

/**
 * @brief Called once an epoch; a nonzero return cancels training with
 *        RGRBM_ECANCELED, the stack staying as of the last completed epoch.
 * @param user the options' progress_data.
 * @param layer the layer being trained.
 * @param epoch 1-based epochs done.
 * @param reconstruction_error mean over rows and visible units of
 *        (v - p(v | h))^2 for the epoch's batches, h a sample of p(h | v)
 *        (for CD the first Gibbs step's; for PCD drawn from streams of its
 *        own, so that setting a callback never changes the training).
 *        Computed only when a callback is set.
 * @param pll pseudo-log-likelihood per visible unit, or NaN unless asked for.
 * @param seconds wall time of this epoch.
 */
typedef int (*rgrbm_progress_fn)(void *user, int layer, int epoch, double reconstruction_error,
                                 double pll, double seconds);

/** How the batch products of training are computed. */
typedef enum rgrbm_products {
  /** Group tables when every product of the update has a binary operand
   *  (CD with sampled reconstructions, or PCD, on data at the layer's level
   *  or fed up as samples); sgemm otherwise. */
  RGRBM_PRODUCTS_AUTO = 0,
  /** Always sgemm (OpenBLAS threads), as a reference or on request. */
  RGRBM_PRODUCTS_SGEMM = 1,
  /** Always group tables; RGRBM_EUNSUPPORTED when an operand is not binary
   *  (mean-field reconstruction, feed-up by means above layer 0). Tables run
   *  on the library's worker threads (as many as OMP_NUM_THREADS allows). */
  RGRBM_PRODUCTS_TABLES = 2
} rgrbm_products;

/** Training options. Initialize with RGRBM_CD_OPTIONS_INIT or
 *  rgrbm_cd_options_init(), then change fields. Fields are only ever
 *  appended; `version` says which of them the caller's layout has. */
typedef struct rgrbm_cd_options {
  unsigned version;             /**< the caller's layout, 1..RGRBM_CD_OPTIONS_VERSION (set by
                                     init) */
  int epochs;                   /**< passes over the data, at least 1; default 10 */
  size_t batch_size;            /**< minibatch size, at least 1 (the last batch of an epoch
                                     may be smaller; larger than the data = one batch, any
                                     size_t); a batch holds at most 2^30 - 1 rows, so with
                                     more data than that batch_size must not exceed it, nor
                                     when it stands in for persistent_chains; default 100 */
  int k;                        /**< Gibbs steps per update, at least 1; default 1 */
  int persistent;               /**< 0 = CD-k (default), 1 = PCD-k */
  size_t persistent_chains;     /**< PCD chains, started at data rows at each call, at
                                     most 2^30 - 1; default 0 = batch_size */
  double learning_rate;         /**< in (0, FLT_MAX]; default 0.01 */
  double momentum_initial;      /**< in [0, 1); default 0.5 */
  double momentum_final;        /**< in [0, 1); default 0.9 */
  int momentum_switch_epoch;    /**< final momentum from this epoch of the layer on
                                     (1-based, counting earlier calls' epochs); default 5 */
  double l1;                    /**< L1 penalty on the weights, >= 0; default 0 */
  double l2;                    /**< L2 penalty (weight decay) on the weights, >= 0; default 0 */
  int mean_field_reconstruction; /**< 1 = CD's visible steps use means instead of samples;
                                      PCD chains always sample; default 0 */
  rgrbm_pass feed_up;           /**< how data reaches layer > 0; default RGRBM_PASS_MEANS */
  int compute_pll;              /**< 1 = report the exact PLL each epoch (costs
                                     O(N nv nh); above layer 0 on data sampled up, since it
                                     needs configurations); default 0 */
  uint64_t seed;                /**< shuffling and sampling; each epoch of each layer
                                     derives its own key from it; default 1 */
  rgrbm_progress_fn progress;   /**< optional; default NULL */
  void *progress_data;          /**< passed to progress */
  rgrbm_products products;      /**< (version 2) how the batch products are computed;
                                     results agree to float rounding; default
                                     RGRBM_PRODUCTS_AUTO */
} rgrbm_cd_options;

/** Static initializer: the defaults, version RGRBM_CD_OPTIONS_VERSION
 *  (`rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;`). Equal, field by field,
 *  to what rgrbm_cd_options_init() writes. */
#define RGRBM_CD_OPTIONS_INIT                                                        \
  {RGRBM_CD_OPTIONS_VERSION, 10, 100, 1, 0, 0, 0.01, 0.5, 0.9, 5, 0.0, 0.0, 0,      \
   RGRBM_PASS_MEANS, 0, 1, NULL, NULL, RGRBM_PRODUCTS_AUTO}

/**
 * @brief Write the defaults of layout `version` into o, and nothing past
 *        that layout's size (version 1 leaves the bytes of `products` alone).
 * @param o the options to fill.
 * @param version 1..RGRBM_CD_OPTIONS_VERSION; pass RGRBM_CD_OPTIONS_VERSION.
 * @return RGRBM_OK, or RGRBM_EINVAL (o NULL, version 0 or unknown; o unchanged).
 *         Thread-safe.
 */
RGRBM_API int rgrbm_cd_options_init(rgrbm_cd_options *o, unsigned version);

/**
 * @brief Train one RBM layer of s on data, fed up through the layers below.
 *
 * Runs o->epochs epochs; each reshuffles the rows with a key derived from
 * (o->seed, layer, the layer's epoch number), so the result depends on the
 * seed and the epochs done, not on the thread count, and two calls of one
 * epoch each equal one call of two (momentum 0 and CD; PCD restarts its
 * chains and every call restarts the momentum). Holds, besides the stack
 * and data, the momentum and one copy of the layer's parameters (the last
 * good epoch, for restoring), 2 x batch rows of visible and hidden units,
 * and the shuffle order; above layer 0 with feed-up by means also the data
 * at the layer's level (count x size(layer) floats, computed once instead
 * of every batch) when that is at most 256 MiB.
 * @param s the stack (layers other than `layer` are only read).
 * @param layer 0..depth-1.
 * @param data dim == size(0), at least one configuration, spins -1/+1 (mapped
 *        to the stack's units).
 * @param o options of any version 1..RGRBM_CD_OPTIONS_VERSION (fields a
 *        version lacks take their defaults), or NULL for the defaults.
 * @return RGRBM_OK; RGRBM_EINVAL (bad options or arguments, named);
 *         RGRBM_ECANCELED (the callback stopped it; parameters as of the last
 *         completed epoch); RGRBM_ENUMERIC (a NaN or infinity appeared; the
 *         last good parameters are restored); RGRBM_EUNSUPPORTED
 *         (o->products = RGRBM_PRODUCTS_TABLES where tables cannot run);
 *         RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_cd_train(rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                             const rgrbm_cd_options *o);

/**
 * @brief Greedy layer-wise training: layer 0, then 1, ... each with its own
 *        options (per_layer[l] for layer l, depth entries), each layer fed
 *        the data through the layers already trained.
 *
 * Every layer's options (and the tables demand of RGRBM_PRODUCTS_TABLES)
 * are checked before any layer is trained.
 * @param s the stack.
 * @param data as for rgrbm_cd_train().
 * @param per_layer depth options (all of the same version, that of
 *        per_layer[0], since they are an array of the caller's layout), or
 *        NULL for the defaults in every layer.
 * @return as rgrbm_cd_train. RGRBM_EINVAL, RGRBM_EUNSUPPORTED and
 *         RGRBM_ENOMEM leave the whole stack as it was; RGRBM_ECANCELED and
 *         RGRBM_ENUMERIC in layer l leave layers < l trained and layer l as
 *         rgrbm_cd_train leaves it.
 */
RGRBM_API int rgrbm_cd_train_stack(rgrbm_stack *s, const rgrbm_dataset *data,
                                const rgrbm_cd_options *per_layer);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_CD_H */
