/* Writes valid inputs into a corpus directory so the fuzzers start from files
 * that pass the magic and the checksum and mutate from there.
 * Usage: fuzz_seeds stack|npy DIR */
#include <stdio.h>
#include <string.h>

#include "rgrbm.h"

static int write_stacks(const char *dir) {
  const int shallow[] = {3, 2}, deep[] = {4, 3, 2};
  char path[1024];
  rgrbm_stack *s;
  int rc = rgrbm_stack_create(&s, shallow, 2, RGRBM_UNITS_BINARY, 1);
  snprintf(path, sizeof path, "%s/shallow.stack", dir);
  if (rc == RGRBM_OK) rc = rgrbm_stack_save(s, path);
  rgrbm_stack_destroy(s);
  if (rc == RGRBM_OK) rc = rgrbm_stack_create(&s, deep, 3, RGRBM_UNITS_SPIN, 2);
  snprintf(path, sizeof path, "%s/deep.stack", dir);
  if (rc == RGRBM_OK) rc = rgrbm_stack_save(s, path);
  if (rc == RGRBM_OK) rgrbm_stack_destroy(s);
  return rc;
}

static int write_datasets(const char *dir) {
  const int8_t spins[12] = {1, -1, 1, 1, -1, -1, 1, 1, -1, 1, -1, 1};
  char path[1024];
  rgrbm_dataset *ds;
  int rc = rgrbm_dataset_create(&ds, 6);
  if (rc == RGRBM_OK) rc = rgrbm_dataset_append(ds, spins, 2);
  snprintf(path, sizeof path, "%s/flat.npy", dir);
  if (rc == RGRBM_OK) rc = rgrbm_dataset_save_npy(ds, path);
  if (rc == RGRBM_OK) rc = rgrbm_dataset_set_shape(ds, 3, 2);
  snprintf(path, sizeof path, "%s/shaped.npy", dir);
  if (rc == RGRBM_OK) rc = rgrbm_dataset_save_npy(ds, path);
  rgrbm_dataset_destroy(ds);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s stack|npy DIR\n", argv[0]);
    return 2;
  }
  int rc = strcmp(argv[1], "stack") == 0 ? write_stacks(argv[2]) : write_datasets(argv[2]);
  if (rc != RGRBM_OK) fprintf(stderr, "%s\n", rgrbm_last_error());
  return rc == RGRBM_OK ? 0 : 1;
}
