/**
 * @file rgrbm/common.h
 * @brief Conventions shared by every module: export macro, status codes,
 *        error messages and the library's own memory accounting.
 *
 * Every fallible function returns an int: RGRBM_OK (0) on success or one of
 * the negative ::rgrbm_status values. On failure the calling thread's
 * rgrbm_last_error() says exactly what was wrong, the out-pointers of
 * constructors are set to NULL, nothing is leaked and the caller's objects are
 * left as they were. See docs/conventions.md.
 *
 * Getters, here and in every header, follow one rule (docs/conventions.md,
 * "Getters and results"): a function that reads a stored property returns
 * the value itself (counts as size_t, enums as their enum type, arrays as
 * pointers into the handle); given a NULL handle or an index out of range it
 * returns 0 or NULL and sets rgrbm_last_error(). Everything else returns a
 * status and writes through out-pointers.
 *
 * Thread-safety: every function here may run in any thread at any time.
 * rgrbm_last_error() and rgrbm_clear_error() act on the calling thread's
 * own message; rgrbm_memory_in_use() reads one atomic counter.
 */
#ifndef RGRBM_COMMON_H
#define RGRBM_COMMON_H

#include <stddef.h>

/** Marks a declaration as part of the public ABI (exported from the DSO). */
#ifndef RGRBM_API
#if defined(_WIN32) && defined(RGRBM_BUILDING_DLL)
#define RGRBM_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define RGRBM_API __attribute__((visibility("default")))
#else
#define RGRBM_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by every fallible function. */
typedef enum rgrbm_status {
  RGRBM_OK = 0,            /**< success */
  RGRBM_EINVAL = -1,       /**< an argument is invalid (NULL, out of range, mismatched) */
  RGRBM_ENOMEM = -2,       /**< an allocation failed */
  RGRBM_EIO = -3,          /**< a file could not be opened, read or written */
  RGRBM_EFORMAT = -4,      /**< a file's contents are malformed, corrupt or unsupported */
  RGRBM_ENUMERIC = -5,     /**< a computation met NaN, infinity or a singular matrix */
  RGRBM_ECANCELED = -6,    /**< a callback asked to stop */
  RGRBM_EUNSUPPORTED = -7  /**< the request is valid but not supported by this build/algorithm */
} rgrbm_status;

/**
 * @brief The name and meaning of a status code, e.g. "RGRBM_EINVAL: invalid argument".
 * @param status a value returned by a library function (any int is accepted).
 * @return A static string (never NULL); unknown codes give "unknown status".
 *         Thread-safe; never fails.
 */
RGRBM_API const char *rgrbm_strerror(int status);

/**
 * @brief What exactly went wrong in the calling thread's most recent failed call.
 *
 * The message names the function and the offending argument, e.g.
 * "rgrbm_dataset_create: dim = 0, a configuration needs at least 1 spin".
 * Successful calls do not clear it. The string is thread-local, owned by the
 * library and valid until the next failing call in the same thread.
 * @return The message, or "" if no call in this thread has failed (never
 *         NULL). Never fails.
 */
RGRBM_API const char *rgrbm_last_error(void);

/**
 * @brief Forget the calling thread's last error message (rgrbm_last_error()
 *        returns ""). Never fails.
 */
RGRBM_API void rgrbm_clear_error(void);

/**
 * @brief Bytes currently held by the library's own allocations, all threads.
 *
 * Counts every buffer the library allocated and has not freed (handles,
 * datasets, weights, work buffers); excludes memory held by OpenBLAS, the C
 * runtime or the caller. Useful to measure footprints and to check for leaks.
 * @return The byte count, read atomically (allocations made by other
 *         threads at the same moment may or may not be counted yet).
 *         Thread-safe; never fails.
 */
RGRBM_API size_t rgrbm_memory_in_use(void);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_COMMON_H */
