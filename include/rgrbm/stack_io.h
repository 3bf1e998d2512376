/**
 * @file rgrbm/stack_io.h
 * @brief Saving and loading RBM stacks, and exporting their parameters as .npy.
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

#endif /* RGRBM_STACK_IO_H */
