/* Shared by the fuzz targets. The loaders under test read files (they check
 * claimed sizes against the file length), so each input is written to one
 * temporary file that the target then loads. */
#ifndef RGRBM_FUZZ_INPUT_H
#define RGRBM_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rgrbm.h"

static char fuzz_path[512];

static void fuzz_remove_input(void) { unlink(fuzz_path); }

/* The path holding the current input; created on first use, removed at exit. */
static const char *fuzz_input(const uint8_t *data, size_t size) {
  if (fuzz_path[0] == '\0') {
    const char *dir = getenv("TMPDIR");
    snprintf(fuzz_path, sizeof fuzz_path, "%s/rgrbm-fuzz-XXXXXX", dir ? dir : "/tmp");
    int fd = mkstemp(fuzz_path);
    if (fd < 0) abort();
    close(fd);
    atexit(fuzz_remove_input);
  }
  FILE *f = fopen(fuzz_path, "wb");
  if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) abort();
  return fuzz_path;
}

/* A loader that fails must report a status and give back every byte it took;
 * one that succeeds hands over an object whose destruction does the same. */
static void fuzz_check(int rc, size_t before) {
  if (rc != RGRBM_OK && rc != RGRBM_EFORMAT && rc != RGRBM_ENOMEM) abort();
  if (rgrbm_memory_in_use() != before) abort();
}

#endif
