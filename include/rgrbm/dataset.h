/**
 * @file rgrbm/dataset.h
 * @brief Datasets: N configurations of dim Ising spins, stored at 1 bit a spin.
 *
 * At the API every spin is an int8_t equal to -1 or +1. A dataset may carry an
 * optional 2D shape (lx * ly = dim, row-major y*lx + x) that samplers set and
 * that `.npy` files record as (N, ly, lx). Storage grows by at most 1/8 over
 * what is appended (reserve() makes it exact): 20,000 x 1600 spins take 4 MB.
 *
 * Thread-safety: distinct datasets may be used from different threads at
 * once. Functions taking a const dataset (count, dim, shape, get, save) may
 * run concurrently on the same one; the others (set_shape, reserve, clear,
 * append, destroy, and samplers or transforms appending to it) need
 * exclusive access.
 */
#ifndef RGRBM_DATASET_H
#define RGRBM_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque dataset handle. */
typedef struct rgrbm_dataset rgrbm_dataset;

/**
 * @brief Create an empty dataset of configurations with dim spins each.
 * @param out receives the new dataset (NULL on failure); destroy it with
 *        rgrbm_dataset_destroy().
 * @param dim spins per configuration, at least 1.
 * @return RGRBM_OK, RGRBM_EINVAL (out NULL, dim 0) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_dataset_create(rgrbm_dataset **out, size_t dim);

/**
 * @brief Free a dataset and its storage.
 * @param ds the dataset; NULL is a no-op.
 */
RGRBM_API void rgrbm_dataset_destroy(rgrbm_dataset *ds);

/**
 * @brief Number of configurations held (a getter).
 * @param ds the dataset.
 * @return The count (0 for an empty dataset); 0 for a NULL ds, with
 *         rgrbm_last_error() set ("rgrbm_dataset_count: ds is NULL").
 */
RGRBM_API size_t rgrbm_dataset_count(const rgrbm_dataset *ds);

/**
 * @brief Spins per configuration (a getter).
 * @param ds the dataset.
 * @return dim, at least 1; 0 for a NULL ds, with rgrbm_last_error() set.
 */
RGRBM_API size_t rgrbm_dataset_dim(const rgrbm_dataset *ds);

/**
 * @brief Give the configurations a 2D shape: lx columns, ly rows, lx*ly = dim.
 * @param ds the dataset.
 * @param lx columns, at least 1.
 * @param ly rows, at least 1.
 * @return RGRBM_OK, or RGRBM_EINVAL (NULL, lx or ly < 1, lx*ly != dim); on
 *         failure the previous shape is kept.
 */
RGRBM_API int rgrbm_dataset_set_shape(rgrbm_dataset *ds, int lx, int ly);

/**
 * @brief The 2D shape, or lx = ly = 0 when none is set (two values: a status
 *        and out-pointers, not a getter).
 * @param ds the dataset.
 * @param lx receives the columns; may be NULL if not wanted.
 * @param ly receives the rows; may be NULL if not wanted.
 * @return RGRBM_OK or RGRBM_EINVAL (ds NULL; lx and ly are then unchanged).
 */
RGRBM_API int rgrbm_dataset_shape(const rgrbm_dataset *ds, int *lx, int *ly);

/**
 * @brief Make room for at least count configurations in total, exactly.
 * @param ds the dataset.
 * @param count configurations to hold without reallocating.
 * @return RGRBM_OK, RGRBM_EINVAL (ds NULL, count * dim bits overflow) or
 *         RGRBM_ENOMEM (the dataset is unchanged).
 */
RGRBM_API int rgrbm_dataset_reserve(rgrbm_dataset *ds, size_t count);

/**
 * @brief Remove every configuration, keeping the storage and the shape.
 * @param ds the dataset.
 * @return RGRBM_OK or RGRBM_EINVAL (ds NULL).
 */
RGRBM_API int rgrbm_dataset_clear(rgrbm_dataset *ds);

/**
 * @brief Append count configurations.
 * @param ds the dataset (changed only on success).
 * @param spins count * dim values, each -1 or +1, configuration after
 *        configuration (borrowed for the call).
 * @param count configurations in spins (0 appends nothing).
 * @return RGRBM_OK; RGRBM_EINVAL if an argument is NULL, count * dim
 *         overflows, or a value is not -1/+1 (the message gives its index);
 *         RGRBM_ENOMEM. On failure nothing is appended.
 */
RGRBM_API int rgrbm_dataset_append(rgrbm_dataset *ds, const int8_t *spins, size_t count);

/**
 * @brief Copy configurations [first, first + count) out as -1/+1 values.
 * @param ds the dataset.
 * @param first index of the first configuration to copy.
 * @param count configurations to copy.
 * @param out room for count * dim int8_t values.
 * @return RGRBM_OK or RGRBM_EINVAL (NULL, range past the end, overflow).
 */
RGRBM_API int rgrbm_dataset_get(const rgrbm_dataset *ds, size_t first, size_t count,
                                int8_t *out);

/**
 * @brief Write the dataset as a NumPy `.npy` file (format 1.0, dtype int8,
 *        C order), shape (N, dim), or (N, ly, lx) when a 2D shape is set.
 *
 * The file is written to a temporary file `.NAME.rgrbm-tmp.HEX16` beside
 * path, fsync'ed, renamed into place and its directory fsync'ed: after
 * RGRBM_OK the new file survives a power loss, and a failed or interrupted
 * save leaves any existing file intact (except when only the directory fsync
 * fails: the new file is then in place and the message says so). path must
 * be a regular file the caller may write, or missing: directories, FIFOs,
 * devices, sockets, symbolic links (not followed) and files without write
 * permission (even for root) are refused and left as they are. The rules,
 * and the removal of abandoned temporary files, are those of
 * rgrbm_stack_save() (rgrbm/stack.h; docs/formats.md, "Files on disk").
 * @param ds the dataset.
 * @param path the destination file.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL), RGRBM_EIO (refused, or a system
 *         error; the message names the path and the reason) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_dataset_save_npy(const rgrbm_dataset *ds, const char *path);

/**
 * @brief Read a `.npy` file of int8 spins into a new dataset.
 *
 * Accepts format versions 1.0, 2.0 and 3.0, dtype int8 (`|i1`, `<i1`, `>i1`)
 * in C order, shape (N, dim) or (N, ly, lx) (which sets the 2D shape), every
 * value -1 or +1. Arrays of {0,1} are rejected with a message suggesting
 * 2*x - 1: an all-ones array would be ambiguous between the two conventions.
 * The claimed shape is checked against the file's length before anything is
 * allocated.
 * @param out receives the dataset (NULL on failure).
 * @param path a regular file (or a symbolic link to one); anything else is
 *        RGRBM_EIO without being opened, so a FIFO never blocks the call.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL); RGRBM_EIO (not a regular file,
 *         cannot open or read);
 *         RGRBM_EFORMAT (bad magic, version, header, dtype, Fortran order,
 *         shape, truncated or trailing data, a value other than -1/+1);
 *         RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_dataset_load_npy(rgrbm_dataset **out, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_DATASET_H */
