/**
 * @file rgrbm/conv.h
 * @brief Translation-invariant RBM layers: one f x f filter shared by every
 *        hidden unit, stride b (Chung & Kao's neural MCRG, Phys. Rev.
 *        Research 3, 023230).
 *
 * On a periodic lx x ly lattice (site y * lx + x; b divides lx and ly) the
 * layer has a hidden unit J on every site (X, Y) of the coarse lx/b x ly/b
 * lattice. Unit J sees the f x f window of fine sites
 *
 *     ((b X + dx - o) mod lx, (b Y + dy - o) mod ly),  dx, dy in [0, f),
 *
 * with o = (f - b) / 2 (integer division) through the shared weight
 * w[dy * f + dx]: the window is centred on the b x b block (b X .. b X + b
 * - 1, b Y .. b Y + b - 1) when f - b is even, and has one more column and
 * row on the high side when it is odd. With one shared hidden bias b_h and
 * one shared visible bias c, the energy is the stack's (rgrbm/stack.h) for
 * the fully connected weights W_iJ = sum of w[dy * f + dx] over the (dx, dy)
 * whose window site of J is i:
 *
 *     E(v, h) = - sum_J b_h h_J - sum_J h_J sum_{dx,dy} w[dy f + dx] v_(window site)
 *               - c sum_i v_i.
 *
 * So p(h_J | v) is the activation of b_h + (the filter's correlation with
 * J's window), and p(v_i | h) that of c + the sum over the hidden units
 * whose windows cover i. A window wider than the lattice wraps and meets a
 * site more than once; the formulas hold as written. The same filter applies
 * to any lattice whose sides b divides, so one trained layer is a
 * coarse-graining of every level of an RG (rgrbm_rg_create_conv() in
 * rgrbm/rg.h).
 *
 * Units are binary {0,1} or spin {-1,+1} (::rgrbm_units) for both sides.
 * Parameters are float; the passes are direct loops in a fixed order (about
 * f^2 lx ly / b^2 multiply-adds per configuration and pass), so results are
 * the same bits on every CPU and for every thread count.
 *
 * Thread-safety: distinct layers may be used from different threads at
 * once. Functions taking a const layer (getters, _const accessors, save,
 * and RG plans that borrow it) may run concurrently on the same one;
 * training, writes through the non-const accessors and destroy need
 * exclusive access.
 */
#ifndef RGRBM_CONV_H
#define RGRBM_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/cd.h"
#include "rgrbm/common.h"
#include "rgrbm/dataset.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque translation-invariant layer. */
typedef struct rgrbm_conv rgrbm_conv;

/** Largest filter side rgrbm_conv_create() and rgrbm_conv_load() accept. */
#define RGRBM_CONV_MAX_SIDE 1024

/** Version of the stack file format that rgrbm_conv_save() writes: format 3
 *  of the stack container, whose header names the kind of model
 *  (docs/formats.md). */
#define RGRBM_CONV_FORMAT_VERSION 3

/**
 * @brief Create a layer with an f x f filter and stride b.
 *
 * Weights are drawn from N(0, RGRBM_STACK_DEFAULT_SIGMA^2) with the given
 * seed, as a stack's; both biases are 0.
 * @param out receives the layer (NULL on failure).
 * @param f filter side, b <= f <= RGRBM_CONV_MAX_SIDE.
 * @param b stride (the RG's block factor), at least 2.
 * @param units RGRBM_UNITS_BINARY or RGRBM_UNITS_SPIN.
 * @param seed the initial weights' seed.
 * @return RGRBM_OK, RGRBM_EINVAL (naming the bad argument) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_conv_create(rgrbm_conv **out, int f, int b, rgrbm_units units,
                                uint64_t seed);

/**
 * @brief Free a layer.
 * @param c the layer; NULL is a no-op.
 */
RGRBM_API void rgrbm_conv_destroy(rgrbm_conv *c);

/**
 * @brief The filter side f (a getter).
 * @param c the layer.
 * @return f; 0 for a NULL c, with rgrbm_last_error() set.
 */
RGRBM_API int rgrbm_conv_filter_side(const rgrbm_conv *c);

/**
 * @brief The stride b (a getter).
 * @param c the layer.
 * @return b; 0 for a NULL c, with rgrbm_last_error() set.
 */
RGRBM_API int rgrbm_conv_stride(const rgrbm_conv *c);

/**
 * @brief The unit convention (a getter).
 * @param c the layer.
 * @return RGRBM_UNITS_BINARY or RGRBM_UNITS_SPIN; 0 for a NULL c, with
 *         rgrbm_last_error() set.
 */
RGRBM_API rgrbm_units rgrbm_conv_units(const rgrbm_conv *c);

/**
 * @brief The filter, f x f floats, row-major: w[dy * f + dx] (a getter).
 *
 * The caller may write them; functions that read the parameters check them
 * for NaN and infinity at each call (RGRBM_ENUMERIC).
 * @param c the layer.
 * @return A pointer into the layer, valid until it is destroyed; NULL for a
 *         NULL c, with rgrbm_last_error() set.
 */
RGRBM_API float *rgrbm_conv_weights(rgrbm_conv *c);

/**
 * @brief The shared visible bias c, one float (a getter; as rgrbm_conv_weights()).
 * @param c the layer.
 * @return A pointer into the layer; NULL for a NULL c, with rgrbm_last_error() set.
 */
RGRBM_API float *rgrbm_conv_visible_bias(rgrbm_conv *c);

/**
 * @brief The shared hidden bias b_h, one float (a getter; as rgrbm_conv_weights()).
 * @param c the layer.
 * @return A pointer into the layer; NULL for a NULL c, with rgrbm_last_error() set.
 */
RGRBM_API float *rgrbm_conv_hidden_bias(rgrbm_conv *c);

/**
 * @brief Read-only access to the filter (the pointer of rgrbm_conv_weights()).
 * @param c the layer.
 * @return A read-only pointer into the layer; NULL for a NULL c, with
 *         rgrbm_last_error() set.
 */
RGRBM_API const float *rgrbm_conv_weights_const(const rgrbm_conv *c);

/**
 * @brief Read-only access to the visible bias (one float).
 * @param c the layer.
 * @return A read-only pointer into the layer; NULL for a NULL c, with
 *         rgrbm_last_error() set.
 */
RGRBM_API const float *rgrbm_conv_visible_bias_const(const rgrbm_conv *c);

/**
 * @brief Read-only access to the hidden bias (one float).
 * @param c the layer.
 * @return A read-only pointer into the layer; NULL for a NULL c, with
 *         rgrbm_last_error() set.
 */
RGRBM_API const float *rgrbm_conv_hidden_bias_const(const rgrbm_conv *c);

/**
 * @brief Train the layer by CD-k or PCD-k on 2D configurations.
 *
 * The options are the stack trainer's (rgrbm/cd.h) with the same meaning:
 * epochs, minibatches of batch_size rows in an order reshuffled every epoch
 * from (o->seed, the layer's epoch number), k Gibbs steps from the data (CD)
 * or from persistent chains (PCD), momentum switching at
 * momentum_switch_epoch, L1 and L2 penalties on the weights, mean-field
 * reconstructions, a progress callback each epoch (layer 0; pll NaN). Each
 * shared parameter moves along the mean, over its tied copies, of the fully
 * connected gradient: the filter and hidden bias along
 * (1 / (lx ly / b^2)) sum_J, the visible bias along (1 / (lx ly)) sum_i, so
 * that the learning rate means the same on every lattice size. feed_up and
 * products do not apply (one layer; direct loops) and are ignored once
 * checked; compute_pll = 1 is RGRBM_EUNSUPPORTED. Every row (and every PCD
 * chain) has its own random stream and the gradient is summed in row order,
 * so the result depends on the seed and the epochs done, not on the thread
 * count (the rows run on the library's worker threads). Holds the
 * momentum, a copy of the parameters, 2 x batch rows of visible and hidden
 * units (more for PCD) and the shuffle order.
 * @param c the layer.
 * @param data at least one configuration with a 2D shape lx x ly
 *        (rgrbm_dataset_set_shape()) that b divides; spins -1/+1, mapped to
 *        the layer's units.
 * @param o options of any version 1..RGRBM_CD_OPTIONS_VERSION, or NULL for
 *        the defaults.
 * @return RGRBM_OK; RGRBM_EINVAL (bad options or arguments, named; nothing
 *         changed); RGRBM_EUNSUPPORTED (o->compute_pll = 1); RGRBM_ECANCELED
 *         (the callback stopped it; parameters as of the last completed
 *         epoch); RGRBM_ENUMERIC (a parameter is not finite before training,
 *         or became so: the parameters of the last good epoch are restored);
 *         RGRBM_ENOMEM (nothing changed).
 */
RGRBM_API int rgrbm_conv_train(rgrbm_conv *c, const rgrbm_dataset *data,
                               const rgrbm_cd_options *o);

/**
 * @brief Write c to path in the stack container, format 3 (docs/formats.md):
 *        units, f, b, creation seed, epochs done, the options last trained
 *        with, the filter and both biases.
 *
 * Atomic, with the rules of every save (rgrbm/stack.h, "Files").
 * @param c the layer (borrowed).
 * @param path the destination: a regular writable file or a missing name in
 *        an existing, writable directory.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL); RGRBM_ENUMERIC (a parameter is not
 *         finite); RGRBM_EIO (the message names the path and the cause).
 *         Thread-safe for a const layer.
 */
RGRBM_API int rgrbm_conv_save(const rgrbm_conv *c, const char *path);

/**
 * @brief Read a layer written by rgrbm_conv_save().
 *
 * A stack file (formats 1 and 2, or format 3 of kind 0) is refused with
 * RGRBM_EFORMAT saying to use rgrbm_stack_load(); every defect (magic,
 * version, kind, units, f and b out of range, a length that does not match,
 * a checksum mismatch, invalid metadata, non-finite parameters) is
 * RGRBM_EFORMAT saying which, found before anything is allocated.
 * @param out receives the layer (NULL on failure).
 * @param path a regular file (or a symbolic link to one).
 * @return RGRBM_OK, RGRBM_EINVAL (NULL), RGRBM_EIO, RGRBM_EFORMAT or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_conv_load(rgrbm_conv **out, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_CONV_H */
