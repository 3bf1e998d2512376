/* Helper for numpy_roundtrip.py: writes and checks .npy files of a known
 * pattern through the public API.
 *   npy_tool write PATH N LY LX      write N configurations of LY x LX
 *   npy_tool check PATH N LY LX      load and compare with the pattern
 *   npy_tool check-flat PATH N LY LX the same for an (N, LY*LX) array
 *   npy_tool reject PATH             expect RGRBM_EFORMAT, print the message */
#include <rgrbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int8_t pattern(size_t i, size_t j) { return (i * 7 + j * 3) % 5 < 2 ? 1 : -1; }

static int fail(const char *what) {
  fprintf(stderr, "%s: %s\n", what, rgrbm_last_error());
  return 1;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "reject") == 0) {
    rgrbm_dataset *ds;
    int rc = rgrbm_dataset_load_npy(&ds, argv[2]);
    printf("%s\n", rgrbm_last_error());
    return rc == RGRBM_EFORMAT ? 0 : 1;
  }
  if (argc != 6) return 2;
  size_t n = strtoul(argv[3], NULL, 10);
  int ly = atoi(argv[4]), lx = atoi(argv[5]);
  size_t dim = (size_t)lx * (size_t)ly;
  int8_t *buf = malloc(n * dim);
  rgrbm_dataset *ds;
  if (strcmp(argv[1], "write") == 0) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < dim; j++) buf[i * dim + j] = pattern(i, j);
    if (rgrbm_dataset_create(&ds, dim) || rgrbm_dataset_set_shape(ds, lx, ly) ||
        rgrbm_dataset_append(ds, buf, n) || rgrbm_dataset_save_npy(ds, argv[2]))
      return fail("write");
  } else {
    if (rgrbm_dataset_load_npy(&ds, argv[2])) return fail("load");
    int got_lx, got_ly;
    rgrbm_dataset_shape(ds, &got_lx, &got_ly);
    if (strcmp(argv[1], "check-flat") == 0) lx = ly = 0;
    if (rgrbm_dataset_count(ds) != n || rgrbm_dataset_dim(ds) != dim || got_lx != lx ||
        got_ly != ly) {
      fprintf(stderr, "shape (%zu, %d, %d), expected (%zu, %d, %d)\n", rgrbm_dataset_count(ds),
              got_ly, got_lx, n, ly, lx);
      return 1;
    }
    if (rgrbm_dataset_get(ds, 0, n, buf)) return fail("get");
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < dim; j++)
        if (buf[i * dim + j] != pattern(i, j)) {
          fprintf(stderr, "configuration %zu site %zu differs\n", i, j);
          return 1;
        }
  }
  rgrbm_dataset_destroy(ds);
  free(buf);
  return 0;
}
