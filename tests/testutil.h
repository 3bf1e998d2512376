/* Shared helpers for the Check suites. */
#ifndef RGRBM_TESTUTIL_H
#define RGRBM_TESTUTIL_H

#include <check.h>
#include <dirent.h>
#include <unistd.h>
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
    RGRBM_CHECK_MESSAGE(#call, __VA_ARGS__);                                        \
  } while (0)

/* Assert that a pointer-returning call gives NULL and a message with every
 * listed fragment. */
#define ck_assert_null_fails(call, ...)                                             \
  do {                                                                              \
    rgrbm_clear_error();                                                            \
    const void *p_ = (call);                                                        \
    ck_assert_msg(p_ == NULL, "%s returned non-NULL", #call);                       \
    RGRBM_CHECK_MESSAGE(#call, __VA_ARGS__);                                        \
  } while (0)

/* The last error mentions every fragment. */
#define RGRBM_CHECK_MESSAGE(what, ...)                                              \
  do {                                                                              \
    const char *frags_[] = {__VA_ARGS__};                                           \
    for (size_t i_ = 0; i_ < sizeof frags_ / sizeof frags_[0]; i_++)                \
      ck_assert_msg(strstr(rgrbm_last_error(), frags_[i_]) != NULL,                 \
                    "%s: message '%s' does not mention '%s'", (what),               \
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

static char rgrbm_test_dir[256];

/* Remove path and, if it is a directory, everything below it. */
static void rgrbm_test_remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d != NULL) {
    char child[1024];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      snprintf(child, sizeof child, "%s/%s", path, e->d_name);
      rgrbm_test_remove_tree(child);
    }
    closedir(d);
  }
  remove(path);
}

/* Removes the temporary directory of rgrbm_test_tmpfile at exit. */
static void rgrbm_test_cleanup(void) {
  if (rgrbm_test_dir[0] != '\0') rgrbm_test_remove_tree(rgrbm_test_dir);
}

/* A path in a fresh temporary directory, for file tests; the directory and
 * everything in it is removed when the (forked) test process exits. */
static inline void rgrbm_test_tmpfile(char *buf, size_t cap, const char *name) {
  if (rgrbm_test_dir[0] == '\0') {
    const char *base = getenv("TMPDIR");
    snprintf(rgrbm_test_dir, sizeof rgrbm_test_dir, "%s/rgrbm-test-XXXXXX", base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(rgrbm_test_dir));
    atexit(rgrbm_test_cleanup);
  }
  snprintf(buf, cap, "%s/%s", rgrbm_test_dir, name);
}

#endif
