/**
 * @file rgrbm/stack_io.h
 * @brief Saving and loading RBM stacks, and exporting their parameters as .npy.
 *
 * The stack file format (little-endian, CRC-32 protected, version 1) is
 * described byte by byte in docs/formats.md. Files are written to a temporary
 * file beside the destination, fsync'ed and renamed into place, so a reader
 * (or a crash) sees either the old file or the complete new one.
 */
#ifndef RGRBM_STACK_IO_H
#define RGRBM_STACK_IO_H

#include "rgrbm/common.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the stack file format that rgrbm_stack_save() writes. */
#define RGRBM_STACK_FORMAT_VERSION 1

/**
 * @brief Write s to path: sizes, units, creation seed, every weight and bias,
 *        and per layer the epochs done and the options last trained with.
 *
 * Atomic: on any failure the temporary file is removed and an existing file
 * at path is left untouched.
 * @param s the stack (borrowed).
 * @param path the destination; its directory must exist and be writable.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL); RGRBM_ENUMERIC (a parameter is NaN or
 *         infinite, which no loader would accept); RGRBM_EIO; RGRBM_ENOMEM.
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
 * @param path the file to read.
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
 * is written atomically; files written before a failure are kept.
 * @param s the stack (borrowed).
 * @param prefix pasted in front of every file name.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL), RGRBM_EIO or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_stack_export_npy(const rgrbm_stack *s, const char *prefix);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_STACK_IO_H */
