/* Status names, thread-local error messages, version and memory accounting. */
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "testutil.h"

START_TEST(strerror_names_every_status) {
  const int codes[] = {RGRBM_OK,      RGRBM_EINVAL,  RGRBM_ENOMEM,    RGRBM_EIO,
                       RGRBM_EFORMAT, RGRBM_ENUMERIC, RGRBM_ECANCELED, RGRBM_EUNSUPPORTED};
  const char *names[] = {"RGRBM_OK",      "RGRBM_EINVAL",   "RGRBM_ENOMEM",
                         "RGRBM_EIO",     "RGRBM_EFORMAT",  "RGRBM_ENUMERIC",
                         "RGRBM_ECANCELED", "RGRBM_EUNSUPPORTED"};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    ck_assert_msg(strncmp(rgrbm_strerror(codes[i]), names[i], strlen(names[i])) == 0,
                  "code %d named '%s'", codes[i], rgrbm_strerror(codes[i]));
  ck_assert_str_eq(rgrbm_strerror(12345), "unknown status");
  ck_assert_str_eq(rgrbm_strerror(-99), "unknown status");
}
END_TEST

START_TEST(version_matches_macros) {
  ck_assert_uint_eq(rgrbm_version(), RGRBM_VERSION_NUMBER);
  char expect[32];
  snprintf(expect, sizeof expect, "%d.%d.%d", RGRBM_VERSION_MAJOR, RGRBM_VERSION_MINOR,
           RGRBM_VERSION_PATCH);
  ck_assert_str_eq(rgrbm_version_string(), expect);
}
END_TEST

START_TEST(last_error_names_function_and_argument) {
  rgrbm_clear_error();
  ck_assert_str_eq(rgrbm_last_error(), "");
  rgrbm_dataset *ds = (rgrbm_dataset *)0x1;
  ck_assert_fails(rgrbm_dataset_create(&ds, 0), RGRBM_EINVAL, "rgrbm_dataset_create", "dim = 0");
  ck_assert_ptr_null(ds);
  /* A later successful call keeps the message, as documented. */
  ck_assert_ok(rgrbm_dataset_create(&ds, 4));
  ck_assert(strstr(rgrbm_last_error(), "dim = 0") != NULL);
  rgrbm_dataset_destroy(ds);
  rgrbm_clear_error();
  ck_assert_str_eq(rgrbm_last_error(), "");
}
END_TEST

/* Fails a call and stores where the thread's message lives in *arg. */
static void *fail_in_thread(void *arg) {
  const char **message = arg;
  rgrbm_dataset *ds;
  rgrbm_dataset_create(&ds, 0);
  *message = rgrbm_last_error();
  return NULL;
}

START_TEST(last_error_is_thread_local) {
  rgrbm_clear_error();
  pthread_t t;
  const char *other = NULL;
  ck_assert_int_eq(pthread_create(&t, NULL, fail_in_thread, &other), 0);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_ptr_ne(other, rgrbm_last_error());
  ck_assert_str_eq(rgrbm_last_error(), "");
}
END_TEST

START_TEST(memory_in_use_counts_and_returns) {
  size_t before = rgrbm_memory_in_use();
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, 640));
  ck_assert_ok(rgrbm_dataset_reserve(ds, 1000));
  /* 1000 rows of 10 words of 8 bytes, plus the handle. */
  ck_assert_uint_ge(rgrbm_memory_in_use() - before, 80000);
  ck_assert_uint_le(rgrbm_memory_in_use() - before, 80000 + 256);
  rgrbm_dataset_destroy(ds);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* A freed multi-megabyte block is reused by the next request of its size:
 * the heap does not grow from one create/destroy cycle to the next (it did
 * when blocks came from posix_memalign, by each block's size every time). */
START_TEST(large_blocks_are_reused) {
#ifdef __GLIBC__
  size_t heap[6];
  for (int cycle = 0; cycle < 6; cycle++) {
    rgrbm_dataset *ds;
    ck_assert_ok(rgrbm_dataset_create(&ds, 6400));
    ck_assert_ok(rgrbm_dataset_reserve(ds, 10000)); /* 8 MB */
    rgrbm_dataset_destroy(ds);
    struct mallinfo2 m = mallinfo2();
    heap[cycle] = m.arena + m.hblkhd;
  }
  for (int cycle = 3; cycle < 6; cycle++)
    ck_assert_msg(heap[cycle] <= heap[2], "the heap grew from %zu to %zu bytes", heap[2],
                  heap[cycle]);
#endif
}
END_TEST

static Suite *common_suite(void) {
  Suite *s = suite_create("common");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, strerror_names_every_status);
  tcase_add_test(tc, version_matches_macros);
  tcase_add_test(tc, last_error_names_function_and_argument);
  tcase_add_test(tc, last_error_is_thread_local);
  tcase_add_test(tc, memory_in_use_counts_and_returns);
  tcase_add_test(tc, large_blocks_are_reused);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(common_suite()); }
