/* Checks of the getter rule (docs/conventions.md, "Getters and results"):
 * given NULL or an index out of range, a getter returns 0 (or NULL) and sets
 * rgrbm_last_error(). ck_assert_null_fails (testutil.h) covers the pointer
 * getters; this covers those returning a number or an enum. */
#ifndef RGRBM_GETTER_TESTUTIL_H
#define RGRBM_GETTER_TESTUTIL_H

#include "testutil.h"

/* Assert that a value-returning getter gives 0 and a message with every
 * listed fragment (typically the function and the argument). The message is
 * cleared first, so a stale one cannot pass. */
#define ck_assert_zero_fails(call, ...)                                             \
  do {                                                                              \
    rgrbm_clear_error();                                                            \
    ck_assert_msg((call) == 0, "%s returned non-zero", #call);                      \
    RGRBM_CHECK_MESSAGE(#call, __VA_ARGS__);                                        \
  } while (0)

#endif
