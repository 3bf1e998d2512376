/* Internal: setting the thread-local error message. Never installed. */
#ifndef RGRBM_LIB_FAIL_H
#define RGRBM_LIB_FAIL_H

#include "rgrbm/common.h"
#include "sibling.h"

/* Bytes of the thread-local message, its terminating NUL included: long
 * enough for a function name, an argument name and a few numbers. A copy
 * of the message (to re-report it) needs a buffer of this size. */
#define RGRBM__ERROR_CAPACITY 512

/* Record "func: message" as the calling thread's last error and return
 * status, so a failing path reads `return rgrbm__fail(...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int rgrbm__fail(int status, const char *func, const char *fmt, ...);

/* rgrbm__fail(status, func, "%s", message): how the sibling library
 * librgrbm_mpi reports its failures through the core's message. */
RGRBM__SIBLING int rgrbm__fail_message(int status, const char *func, const char *message);

/* Argument guards for the commonest checks; each returns from the caller. */
#define RGRBM_REQUIRE_NONNULL(ptr)                                            \
  do {                                                                        \
    if ((ptr) == NULL)                                                        \
      return rgrbm__fail(RGRBM_EINVAL, __func__, "%s is NULL", #ptr);          \
  } while (0)

/* Re-reports the failure of an inner public call in the name of the public
 * function `func` that made it: "func: inner: message". Returns status. */
int rgrbm__fail_within(int status, const char *func);

/* Fails with ENOMEM naming what could not be allocated, in the name of the
 * enclosing function (a public one) or, from an internal helper, of the
 * public function `func` the caller called. */
#define RGRBM_FAIL_NOMEM_IN(func, what, bytes)                                \
  rgrbm__fail(RGRBM_ENOMEM, (func), "cannot allocate %zu bytes for %s",       \
              (size_t)(bytes), (what))
#define RGRBM_FAIL_NOMEM(what, bytes) RGRBM_FAIL_NOMEM_IN(__func__, what, bytes)

#endif
