/* A program built against the installed library with pkg-config only. */
#include <rgrbm.h>
#include <stdio.h>

int main(void) {
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
  printf("librgrbm %s works from its installed copy\n", rgrbm_version_string());
  return 0;
}
