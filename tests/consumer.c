/* A program built against the installed library with pkg-config only
 * (tests/install_consumer.sh), linked with the shared library or, with
 * `pkg-config --static`, with the static one. */
#include <rgrbm.h>
#include <stdio.h>
/* The uninstalled .pc puts lib/ on the include path: none of its internal
 * headers may stand in for a C library header (lib/ once had error.h). */
#if defined(__has_include)
#if __has_include(<error.h>)
#include <error.h>
#define RGRBM_CONSUMER_GLIBC_ERROR_H 1
#endif
#endif

/* A static link takes only the objects a program refers to: these functions
 * pull in the modules that need each dependency of rgrbm.pc (LAPACKE in
 * MCRG, OpenBLAS's sgemm in training, the worker team's OpenMP query), so
 * the link fails if the .pc lacks one. Names only: their signatures do not
 * matter here. */
typedef void (*any_function)(void);
any_function const rgrbm_consumer_links[] = {
  (any_function)rgrbm_mcrg_run,
  (any_function)rgrbm_cd_train_stack,
  (any_function)rgrbm_stack_log_likelihood,
};

int main(void) {
#ifdef RGRBM_CONSUMER_GLIBC_ERROR_H
  (void)error_message_count; /* glibc's <error.h>, not a header of lib/ */
#endif
  if (rgrbm_version() != RGRBM_VERSION_NUMBER) {
    fprintf(stderr, "header %d, library %u\n", RGRBM_VERSION_NUMBER, rgrbm_version());
    return 1;
  }
  rgrbm_dataset *ds;
  const int8_t spins[4] = {1, -1, -1, 1};
  int8_t back[4];
  if (rgrbm_dataset_create(&ds, 4) != RGRBM_OK || rgrbm_dataset_append(ds, spins, 1) != RGRBM_OK ||
      rgrbm_dataset_get(ds, 0, 1, back) != RGRBM_OK) {
    fprintf(stderr, "%s\n", rgrbm_last_error());
    return 1;
  }
  rgrbm_dataset_destroy(ds);
  for (int i = 0; i < 4; i++)
    if (back[i] != spins[i]) return 1;
  printf("librgrbm %s works in a consumer's build\n", rgrbm_version_string());
  return 0;
}
