/* libFuzzer target: rgrbm_dataset_load_npy on arbitrary bytes never crashes,
 * never leaks, and answers every defect with RGRBM_EFORMAT. */
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_input(data, size);
  size_t before = rgrbm_memory_in_use();
  rgrbm_dataset *ds = NULL;
  int rc = rgrbm_dataset_load_npy(&ds, path);
  if ((rc == RGRBM_OK) != (ds != NULL)) abort();
  if (ds != NULL) {
    /* Every loaded spin is -1 or +1. */
    size_t n = rgrbm_dataset_count(ds), dim = rgrbm_dataset_dim(ds);
    int8_t *row = malloc(dim);
    if (row == NULL) abort();
    for (size_t i = 0; i < n && i < 64; i++) {
      if (rgrbm_dataset_get(ds, i, 1, row) != RGRBM_OK) abort();
      for (size_t j = 0; j < dim; j++)
        if (row[j] != 1 && row[j] != -1) abort();
    }
    free(row);
  }
  rgrbm_dataset_destroy(ds);
  fuzz_check(rc, before);
  return 0;
}
