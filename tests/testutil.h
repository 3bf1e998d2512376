/* Shared helpers for the Check suites. */
#ifndef RGRBM_TESTUTIL_H
#define RGRBM_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rgrbm.h"

/* Assert that call returns status and that rgrbm_last_error() contains
 * every listed fragment (typically the function and the argument name). */
#define ck_assert_fails(call, status, ...)                                          \
  do {                                                                              \
    rgrbm_clear_error();                                                            \
    int rc_ = (call);                                                               \
    ck_assert_msg(rc_ == (status), "%s returned %d (%s), expected %s", #call, rc_,  \
                  rgrbm_strerror(rc_), #status);                                    \
    const char *frags_[] = {__VA_ARGS__};                                           \
    for (size_t i_ = 0; i_ < sizeof frags_ / sizeof frags_[0]; i_++)                \
      ck_assert_msg(strstr(rgrbm_last_error(), frags_[i_]) != NULL,                 \
                    "%s: message '%s' does not mention '%s'", #call,                \
                    rgrbm_last_error(), frags_[i_]);                                \
  } while (0)

/* Assert that a pointer-returning call gives NULL and a message with every
 * listed fragment. */
#define ck_assert_null_fails(call, ...)                                             \
  do {                                                                              \
    rgrbm_clear_error();                                                            \
    const void *p_ = (call);                                                        \
    ck_assert_msg(p_ == NULL, "%s returned non-NULL", #call);                       \
    const char *frags_[] = {__VA_ARGS__};                                           \
    for (size_t i_ = 0; i_ < sizeof frags_ / sizeof frags_[0]; i_++)                \
      ck_assert_msg(strstr(rgrbm_last_error(), frags_[i_]) != NULL,                 \
                    "%s: message '%s' does not mention '%s'", #call,                \
                    rgrbm_last_error(), frags_[i_]);                                \
  } while (0)

#define ck_assert_ok(call)                                                          \
  do {                                                                              \
    int rc_ = (call);                                                               \
    ck_assert_msg(rc_ == RGRBM_OK, "%s failed: %s (%s)", #call, rgrbm_strerror(rc_), \
                  rgrbm_last_error());                                              \
  } while (0)

/* Run one suite; the exit status is the failure count (0 = pass). */
static inline int rgrbm_test_run(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A path in a fresh temporary directory, for file tests. */
static inline void rgrbm_test_tmpfile(char *buf, size_t cap, const char *name) {
  static char dir[256];
  if (dir[0] == '\0') {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/rgrbm-test-XXXXXX", base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
  }
  snprintf(buf, cap, "%s/%s", dir, name);
}

#endif
