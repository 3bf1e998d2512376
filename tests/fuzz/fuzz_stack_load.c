/* libFuzzer target: rgrbm_stack_load on arbitrary bytes never crashes, never
 * leaks, and answers every defect with RGRBM_EFORMAT. */
#include <stdlib.h>

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_input(data, size);
  size_t before = rgrbm_memory_in_use();
  rgrbm_stack *s = NULL;
  int rc = rgrbm_stack_load(&s, path);
  if ((rc == RGRBM_OK) != (s != NULL)) abort();
  if (s != NULL) {
    /* A loaded stack must be usable: push a row through every layer, which
     * reads every weight (ASan would see a short array). */
    int depth = rgrbm_stack_depth(s);
    size_t width = 1;
    for (int l = 0; l <= depth; l++)
      if (rgrbm_stack_size(s, l) > width) width = rgrbm_stack_size(s, l);
    float *in = calloc(width, sizeof *in), *out = calloc(width, sizeof *out);
    if (in == NULL || out == NULL || rgrbm_stack_up(s, 0, depth, in, 1, out) != RGRBM_OK) abort();
    free(in);
    free(out);
  }
  rgrbm_stack_destroy(s);
  fuzz_check(rc, before);
  return 0;
}
