/**
 * @file rgrbm/stack.h
 * @brief Stacks of Restricted Boltzmann Machines.
 *
 * A stack has levels 0..depth with sizes[level] units each; level 0 is the
 * visible layer and RBM layer l couples level l (its visible side) to level
 * l+1 (its hidden side). The energy of layer l, with v = level l and h =
 * level l+1, is
 *
 *     E(v, h) = - sum_j b_j h_j - sum_ij v_i W_ij h_j - sum_i c_i v_i
 *
 * (c = visible bias, b = hidden bias; the sign convention is the usual one,
 * the opposite of Mehta & Schwab's print). Units are binary {0,1} or spin
 * {-1,+1} for the whole stack. Weights and biases are float; quantities that
 * decide a physics number (energies, log Z, likelihoods) accumulate in double.
 *
 * Batches passed in and out are row-major float arrays of n rows, in the
 * stack's unit convention (0/1 or -1/+1, or conditional means in [0,1] or
 * [-1,1]).
 *
 * Non-finite parameters: the arrays are the caller's to write (through
 * rgrbm_stack_weights() and the bias accessors), so every function that
 * reads parameters checks the layers it reads once per call, before any
 * work, and refuses a NaN or infinity with RGRBM_ENUMERIC, leaving its
 * outputs untouched; the message names the function, the layer and the
 * entry ("rgrbm_stack_up: layer 0 weight (3, 7) is NaN"). The kernels
 * themselves cannot see a NaN: their clamped exponential would turn it into
 * a saturated mean. This covers the passes, free energies, ln Z, the
 * (pseudo-)likelihoods, AIS, receptive fields and locality (weights only),
 * reconstructions, block Gibbs samplers (at every sweep and draw: the stack
 * is borrowed and may change), learned RG plans (at every apply), the VRG
 * check, training (the trained layer and those feeding data up to it) and
 * rgrbm_stack_set_units; rgrbm_stack_save refuses to write them. No function
 * returns a non-finite result with RGRBM_OK. Batches passed in (in, v) are
 * checked the same way.
 *
 * Thread-safety: distinct stacks may be used from different threads at
 * once. Functions taking a const stack (the getters and their _const
 * variants, passes, free energies, ln Z, likelihoods, reconstructions,
 * save, export, and samplers, RG plans and checks that borrow it) may run
 * concurrently on the same one; set_units, training, writes through
 * rgrbm_stack_weights() and the bias getters, and destroy need exclusive
 * access (no const reader may run meanwhile).
 *
 * Determinism: every stochastic result is a function of the seeds passed in,
 * whatever the number of threads. The library's own loops give each row its
 * own random stream; the products go through OpenBLAS, whose sgemm results
 * are reproducible for a fixed OpenBLAS thread count (bitwise identity across
 * different OpenBLAS thread counts depends on OpenBLAS, not on this library).
 */
#ifndef RGRBM_STACK_H
#define RGRBM_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
#include "rgrbm/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque stack handle. */
typedef struct rgrbm_stack rgrbm_stack;

/** Unit convention of every level of a stack. */
typedef enum rgrbm_units {
  RGRBM_UNITS_BINARY = 0, /**< units take values 0 and 1; means are sigmoids */
  RGRBM_UNITS_SPIN = 1    /**< units take values -1 and +1; means are tanh */
} rgrbm_units;

/** Whether a pass propagates conditional means or samples of them. */
typedef enum rgrbm_pass {
  RGRBM_PASS_MEANS = 0,  /**< deterministic conditional expectations */
  RGRBM_PASS_SAMPLES = 1 /**< a sample of each unit given the level before */
} rgrbm_pass;

/** Default standard deviation of the initial weights, N(0, sigma^2): 0.01, as
 *  in Hinton's practical guide to training RBMs (small enough that every unit
 *  starts near its unbiased mean, large enough to break the symmetry). */
#define RGRBM_STACK_DEFAULT_SIGMA 0.01

/**
 * @brief Create a stack with nlevels levels of sizes[0..nlevels-1] units.
 *
 * Weights are drawn from N(0, RGRBM_STACK_DEFAULT_SIGMA^2) with the given
 * seed (each layer from its own stream, so a layer's initial weights do not
 * depend on the other layers); biases are 0.
 * @param out receives the stack (NULL on failure).
 * @param sizes units per level, each at least 1 (borrowed). An int, unlike
 *        the size_t of rgrbm_stack_size(): every pass hands a level's size
 *        to sgemm, whose dimensions are int, so a level cannot be wider
 *        than INT_MAX; rgrbm_stack_size() returns size_t because callers
 *        multiply it into buffer sizes (n * size).
 * @param nlevels at least 2 (one RBM layer).
 * @param units RGRBM_UNITS_BINARY or RGRBM_UNITS_SPIN.
 * @param seed the initial weights' seed.
 * @return RGRBM_OK, RGRBM_EINVAL (naming the bad argument) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_stack_create(rgrbm_stack **out, const int *sizes, int nlevels,
                                 rgrbm_units units, uint64_t seed);

/**
 * @brief Free a stack and its parameters.
 * @param s the stack; NULL is a no-op.
 */
RGRBM_API void rgrbm_stack_destroy(rgrbm_stack *s);

/**
 * @brief Number of RBM layers, nlevels - 1 (a getter).
 * @param s the stack.
 * @return The depth, at least 1; 0 for a NULL s, with rgrbm_last_error()
 *         set ("rgrbm_stack_depth: s is NULL").
 */
RGRBM_API int rgrbm_stack_depth(const rgrbm_stack *s);

/**
 * @brief Units at a level (a getter).
 * @param s the stack.
 * @param level 0..depth.
 * @return The size, at least 1; 0 for a NULL s or a level out of range,
 *         with rgrbm_last_error() set ("rgrbm_stack_size: level = 3 is out
 *         of range, levels are 0..2").
 */
RGRBM_API size_t rgrbm_stack_size(const rgrbm_stack *s, int level);

/**
 * @brief The stack's unit convention (a getter).
 * @param s the stack.
 * @return RGRBM_UNITS_BINARY or RGRBM_UNITS_SPIN; for a NULL s, 0
 *         (RGRBM_UNITS_BINARY) with rgrbm_last_error() set, as every getter
 *         returns 0 for NULL.
 */
RGRBM_API rgrbm_units rgrbm_stack_units(const rgrbm_stack *s);

/**
 * @brief Change the unit convention, transforming every parameter exactly so
 *        that the joint distribution of every layer is unchanged.
 *
 * With s = 2x - 1: W_spin = W_bin / 4, c_spin = c_bin / 2 + sum_j W_bin_ij / 4,
 * b_spin = b_bin / 2 + sum_i W_bin_ij / 4 (and the inverse). The energy
 * changes by a constant only, so likelihoods are unchanged and ln Z shifts
 * by that constant. Weights scale by a power of two (exact); the biases are
 * rounded to float once. Changing to the current convention is a no-op.
 * Pointers returned by the parameter getters stay valid (same storage).
 * @param s the stack.
 * @param units RGRBM_UNITS_BINARY or RGRBM_UNITS_SPIN.
 * @return RGRBM_OK, RGRBM_EINVAL, or RGRBM_ENUMERIC (a parameter is not
 *         finite, or one would exceed FLT_MAX in the new units, e.g. a
 *         weight above FLT_MAX / 4 going to binary); on failure the stack
 *         is unchanged.
 */
RGRBM_API int rgrbm_stack_set_units(rgrbm_stack *s, rgrbm_units units);

/**
 * @brief A layer's weights, size(layer) x size(layer+1), row-major (a getter).
 *
 * The caller may write them (training does); functions that read parameters
 * check them for NaN and infinity at each call (see the file comment).
 * @param s the stack.
 * @param layer 0..depth-1.
 * @return A pointer into the stack, valid until it is destroyed; NULL for a
 *         NULL s or a layer out of range, with rgrbm_last_error() set
 *         ("rgrbm_stack_weights: layer = 2 is out of range, the stack has 2
 *         layers").
 */
RGRBM_API float *rgrbm_stack_weights(rgrbm_stack *s, int layer);

/**
 * @brief A layer's visible biases c, size(layer) floats (a getter; as
 *        rgrbm_stack_weights()).
 * @param s the stack.
 * @param layer 0..depth-1.
 * @return A pointer into the stack; NULL for a NULL s or a layer out of
 *         range, with rgrbm_last_error() set.
 */
RGRBM_API float *rgrbm_stack_visible_bias(rgrbm_stack *s, int layer);

/**
 * @brief A layer's hidden biases b, size(layer+1) floats (a getter; as
 *        rgrbm_stack_weights()).
 * @param s the stack.
 * @param layer 0..depth-1.
 * @return A pointer into the stack; NULL for a NULL s or a layer out of
 *         range, with rgrbm_last_error() set.
 */
RGRBM_API float *rgrbm_stack_hidden_bias(rgrbm_stack *s, int layer);

/**
 * @brief Read-only access to a layer's weights: the same pointer as
 *        rgrbm_stack_weights(), as const, from a const stack (a getter).
 * @param s the stack.
 * @param layer 0..depth-1.
 * @return A read-only pointer into the stack; NULL for a NULL s or a layer
 *         out of range, with rgrbm_last_error() set.
 */
RGRBM_API const float *rgrbm_stack_weights_const(const rgrbm_stack *s, int layer);

/**
 * @brief Read-only access to a layer's visible biases (as
 *        rgrbm_stack_weights_const()).
 * @param s the stack.
 * @param layer 0..depth-1.
 * @return A read-only pointer into the stack; NULL for a NULL s or a layer
 *         out of range, with rgrbm_last_error() set.
 */
RGRBM_API const float *rgrbm_stack_visible_bias_const(const rgrbm_stack *s, int layer);

/**
 * @brief Read-only access to a layer's hidden biases (as
 *        rgrbm_stack_weights_const()).
 * @param s the stack.
 * @param layer 0..depth-1.
 * @return A read-only pointer into the stack; NULL for a NULL s or a layer
 *         out of range, with rgrbm_last_error() set.
 */
RGRBM_API const float *rgrbm_stack_hidden_bias_const(const rgrbm_stack *s, int layer);

/**
 * @brief Propagate a batch up from level `from` to level `to` (> from) by
 *        conditional means: sigmoid(b + v W) or tanh(b + v W) at each layer.
 * @param s the stack.
 * @param from the input's level, 0 <= from < to.
 * @param to the output's level, from < to <= depth.
 * @param in n x size(from) values.
 * @param n rows, at least 1.
 * @param out n x size(to) values (may not overlap in).
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, levels out of order or range, n 0),
 *         RGRBM_ENUMERIC (a parameter of a layer between the levels, or an
 *         entry of in, is not finite; out untouched) or RGRBM_ENOMEM
 *         (scratch for the intermediate levels).
 */
RGRBM_API int rgrbm_stack_up(const rgrbm_stack *s, int from, int to, const float *in,
                             size_t n, float *out);

/**
 * @brief Propagate a batch down from level `from` to `to` (< from) by
 *        conditional means act(c + h W^T).
 * @param s the stack.
 * @param from the input's level, to < from <= depth.
 * @param to the output's level, 0 <= to < from.
 * @param in n x size(from) values.
 * @param n rows, at least 1.
 * @param out n x size(to) values (may not overlap in).
 * @return As rgrbm_stack_up().
 */
RGRBM_API int rgrbm_stack_down(const rgrbm_stack *s, int from, int to, const float *in,
                               size_t n, float *out);

/**
 * @brief Like rgrbm_stack_up, but sample every level on the way (the output
 *        holds samples, 0/1 or -1/+1).
 *
 * Row r of each level draws from its own stream of seed, so the result is a
 * function of (seed, input) alone, and a row's sample does not depend on n.
 * @param s the stack.
 * @param from the input's level, 0 <= from < to.
 * @param to the output's level, from < to <= depth.
 * @param in n x size(from) values.
 * @param n rows, at least 1.
 * @param seed every random number of the pass.
 * @param out n x size(to) samples (may not overlap in).
 * @return As rgrbm_stack_up().
 */
RGRBM_API int rgrbm_stack_sample_up(const rgrbm_stack *s, int from, int to, const float *in,
                                    size_t n, uint64_t seed, float *out);

/**
 * @brief Like rgrbm_stack_down, sampling every level on the way (streams
 *        as rgrbm_stack_sample_up, distinct from the up direction's).
 * @param s the stack.
 * @param from the input's level, to < from <= depth.
 * @param to the output's level, 0 <= to < from.
 * @param in n x size(from) values.
 * @param n rows, at least 1.
 * @param seed every random number of the pass.
 * @param out n x size(to) samples (may not overlap in).
 * @return As rgrbm_stack_up().
 */
RGRBM_API int rgrbm_stack_sample_down(const rgrbm_stack *s, int from, int to, const float *in,
                                      size_t n, uint64_t seed, float *out);

/**
 * @brief Free energy F(v) = -ln sum_h e^{-E(v,h)} of layer's RBM for n visible vectors.
 *
 * F(v) = -c.v - sum_j ln(1 + e^{x_j}) (binary) or -c.v - sum_j ln(2 cosh x_j)
 * (spin), x = b + v W, accumulated in double: O(n size(layer) size(layer+1)).
 * @param s the stack.
 * @param layer the RBM layer, 0..depth-1.
 * @param v n x size(layer) values in the stack's units.
 * @param n rows, at least 1.
 * @param out n doubles.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, layer out of range, n 0) or
 *         RGRBM_ENUMERIC (a parameter of the layer or an entry of v is not
 *         finite; finite ones always give finite energies).
 */
RGRBM_API int rgrbm_stack_free_energy(const rgrbm_stack *s, int layer, const float *v, size_t n,
                                      double *out);

/**
 * @brief Exact ln Z of layer's RBM, enumerating the smaller side (at most 30
 *        units; RGRBM_EUNSUPPORTED above) with log-sum-exp in double.
 *
 * The other side is summed analytically; configurations are visited in Gray
 * code order, O(2^m n) for m enumerated and n summed units. Large
 * enumerations are split into 64 runs threaded with OpenMP and combined in
 * a fixed order, so the value does not depend on the thread count.
 * @param s the stack.
 * @param layer the RBM layer, 0..depth-1.
 * @param log_z receives ln Z.
 * @return RGRBM_OK, RGRBM_EINVAL, RGRBM_EUNSUPPORTED, RGRBM_ENOMEM or
 *         RGRBM_ENUMERIC (a parameter of the layer is not finite, or ln Z
 *         overflowed double).
 */
RGRBM_API int rgrbm_stack_log_partition(const rgrbm_stack *s, int layer, double *log_z);

/**
 * @brief Exact mean log-likelihood (1/N) sum ln p(v) of a dataset under
 *        layer's RBM (its visible marginal), using the exact ln Z.
 * @param s the stack.
 * @param layer the RBM layer, 0..depth-1.
 * @param data dim == size(layer), at least one configuration; spins -1/+1
 *        mapped to the stack's units.
 * @param mean_ll receives the mean (nats per configuration).
 * @return RGRBM_OK, RGRBM_EINVAL, or as rgrbm_stack_log_partition
 *         (RGRBM_ENUMERIC also if the mean is not finite: a -Inf bias, which
 *         gives some configurations probability 0, is refused as non-finite).
 */
RGRBM_API int rgrbm_stack_log_likelihood(const rgrbm_stack *s, int layer,
                                         const rgrbm_dataset *data, double *mean_ll);

/**
 * @brief Exact pseudo-log-likelihood per visible unit:
 *        (1/(N dim)) sum_n sum_i ln p(v_i | v_{-i}), every site of every
 *        configuration (not a random site).
 *
 * ln p(v_i | v_-i) = ln sigmoid(F(v with i flipped) - F(v)); costs
 * O(N size(layer) size(layer+1)) evaluations of ln(1 + e^x) in double,
 * threaded over configurations with OpenMP.
 * @param s the stack.
 * @param layer the RBM layer, 0..depth-1.
 * @param data dim == size(layer), at least one configuration.
 * @param pll receives the mean (nats per site, at most 0).
 * @return RGRBM_OK, RGRBM_EINVAL, RGRBM_ENUMERIC (a parameter of the layer
 *         is not finite) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_stack_pseudo_log_likelihood(const rgrbm_stack *s, int layer,
                                                const rgrbm_dataset *data, double *pll);

/**
 * @brief Reconstruct a batch: up from level 0 to `level`, then back down to 0.
 *
 * With RGRBM_PASS_MEANS every level carries conditional means (deterministic);
 * with RGRBM_PASS_SAMPLES every level is sampled on the way (reproducible from
 * seed) and out holds samples.
 * @param s the stack (borrowed).
 * @param level the level to reach, 1..depth.
 * @param pass RGRBM_PASS_MEANS or RGRBM_PASS_SAMPLES.
 * @param in n x size(0) values in the stack's units.
 * @param n rows, at least 1.
 * @param seed every random number of a sampled reconstruction (unused for means).
 * @param out n x size(0) values.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, level not in 1..depth, n 0, bad pass),
 *         RGRBM_ENUMERIC (a parameter of layers 0..level-1 or an entry of in
 *         is not finite; out untouched) or RGRBM_ENOMEM. Thread-safe for a
 *         const stack.
 */
RGRBM_API int rgrbm_stack_reconstruct(const rgrbm_stack *s, int level, rgrbm_pass pass,
                                      const float *in, size_t n, uint64_t seed, float *out);

/* ---- Files ----
 *
 * The stack file format (little-endian, CRC-32 protected, version 1) is
 * described byte by byte in docs/formats.md. Files are written to a temporary
 * file beside the destination, fsync'ed and renamed into place, so a reader
 * (or a crash) sees either the old file or the complete new one.
 *
 * The rules of every save (also rgrbm_dataset_save_npy(); docs/formats.md,
 * "Files on disk"):
 * - the path must name a regular file the caller may write, or nothing: a
 *   directory, FIFO, device, socket, symbolic link (links are not followed,
 *   even to a regular file) or a file without write permission (mode 0444,
 *   refused even for root) is refused with RGRBM_EIO and left as it is;
 * - the temporary file is `.NAME.rgrbm-tmp.HEX16` in the
 *   target's directory (NAME: the file's name cut to 200 bytes, HEX16: 16
 *   random hex digits); a replaced file keeps its permission bits (not
 *   setuid/setgid) and, where the caller may set them, its owner and
 *   group; a new one gets 0666 less the umask;
 * - after RGRBM_OK the new contents and name survive a power loss (the file
 *   and its directory are fsync'ed); an interrupted or failed save leaves
 *   the old file intact;
 * - temporary files of the same target whose writer is gone (killed, even by
 *   SIGKILL: each is held locked with flock(2) while written) are removed by
 *   the next save of that target; `rm DIR/.NAME.rgrbm-tmp.*` is safe
 *   when no save of it runs.
 * Loads open only regular files (symbolic links are followed) and never
 * block: a FIFO, device or directory is refused with RGRBM_EIO unopened.
 */

/** Version of the stack file format that rgrbm_stack_save() writes. */
#define RGRBM_STACK_FORMAT_VERSION 2

/**
 * @brief Write s to path: sizes, units, creation seed, every weight and bias,
 *        and per layer the epochs done and the options last trained with.
 *
 * Atomic: on any failure the temporary file is removed and an existing file
 * at path is left untouched, except when only the final fsync of the
 * directory fails: then the new file is in place and the RGRBM_EIO message
 * says that it may not survive a power loss. The rules above apply.
 * @param s the stack (borrowed).
 * @param path the destination: a regular writable file or a missing name in
 *        an existing, writable directory.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL); RGRBM_ENUMERIC (a parameter is NaN or
 *         infinite, which no loader would accept); RGRBM_EIO (the message
 *         names the path, and the refusal or the system error).
 *         Thread-safe for a const stack.
 */
RGRBM_API int rgrbm_stack_save(const rgrbm_stack *s, const char *path);

/**
 * @brief Read a stack written by rgrbm_stack_save().
 *
 * Every defect (wrong magic, unknown version, sizes inconsistent with the
 * file length, truncation, trailing bytes, a checksum mismatch, invalid
 * metadata, non-finite parameters) is RGRBM_EFORMAT with a message saying
 * which. Claimed sizes are checked against the file length before anything is
 * allocated, so a hostile file cannot request more memory than its own size.
 * @param out receives the stack (NULL on failure); free it with rgrbm_stack_destroy().
 * @param path a regular file (or a symbolic link to one); anything else is
 *        RGRBM_EIO without being opened, so a FIFO never blocks the call.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL), RGRBM_EIO, RGRBM_EFORMAT or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_stack_load(rgrbm_stack **out, const char *path);

/**
 * @brief Export every layer's parameters as float32 .npy files named
 *        `<prefix>weights_<l>.npy` (size(l) x size(l+1)),
 *        `<prefix>visible_bias_<l>.npy` (size(l)) and
 *        `<prefix>hidden_bias_<l>.npy` (size(l+1)) for l = 0..depth-1.
 *
 * The prefix is pasted in front of the names as given, so "out/" writes into
 * a directory (which must exist) and "out/run1_" prefixes the files. Each file
 * is saved by the rules above, one after the other: the export as a whole is
 * not atomic, and files written before a failure are kept.
 * @param s the stack (borrowed).
 * @param prefix pasted in front of every file name.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL), RGRBM_EIO or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_stack_export_npy(const rgrbm_stack *s, const char *prefix);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_STACK_H */
