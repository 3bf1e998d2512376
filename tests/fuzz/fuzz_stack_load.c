/* libFuzzer target: rgrbm_stack_load on arbitrary bytes never crashes, never
 * leaks, and answers every defect with RGRBM_EFORMAT. */
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_input(data, size);
  size_t before = rgrbm_memory_in_use();
  rgrbm_stack *s = NULL;
  int rc = rgrbm_stack_load(&s, path);
  if ((rc == RGRBM_OK) != (s != NULL)) abort();
  if (s != NULL) {
    /* A loaded stack must be usable: save it again and reload it. */
    int depth = rgrbm_stack_depth(s);
    if (depth < 1 || rgrbm_stack_save(s, path) != RGRBM_OK) abort();
    rgrbm_stack *again = NULL;
    if (rgrbm_stack_load(&again, path) != RGRBM_OK || rgrbm_stack_depth(again) != depth) abort();
    rgrbm_stack_destroy(again);
  }
  rgrbm_stack_destroy(s);
  fuzz_check(rc, before);
  return 0;
}
