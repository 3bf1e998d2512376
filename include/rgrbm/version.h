/**
 * @file rgrbm/version.h
 * @brief Library version: compile-time macros and run-time queries.
 *
 * These macros are the single source of truth for the version: the build
 * reads them to set the shared library's soname (librgrbm.so.MAJOR) and the
 * version recorded in rgrbm.pc.
 *
 * Thread-safety: both functions return constants and may run in any thread
 * at any time.
 */
#ifndef RGRBM_VERSION_H
#define RGRBM_VERSION_H

#include "rgrbm/common.h"

/** Major version; incremented on incompatible API or ABI changes. */
#define RGRBM_VERSION_MAJOR 1
/** Minor version; incremented when functionality is added compatibly. */
#define RGRBM_VERSION_MINOR 2
/** Patch version; incremented for compatible bug fixes. */
#define RGRBM_VERSION_PATCH 0

/** The version as one number: MAJOR*10000 + MINOR*100 + PATCH. */
#define RGRBM_VERSION_NUMBER \
  (RGRBM_VERSION_MAJOR * 10000 + RGRBM_VERSION_MINOR * 100 + RGRBM_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The version of the library linked at run time.
 * @return MAJOR*10000 + MINOR*100 + PATCH; compare with RGRBM_VERSION_NUMBER
 *         to detect a header/library mismatch. Thread-safe; never fails.
 */
RGRBM_API unsigned rgrbm_version(void);

/**
 * @brief The run-time version as a string such as "1.0.0".
 * @return "MAJOR.MINOR.PATCH", a static string (never NULL, never freed).
 *         Thread-safe; never fails.
 */
RGRBM_API const char *rgrbm_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_VERSION_H */
