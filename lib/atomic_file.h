/* Internal: crash-safe file replacement (temporary file, fsync, rename) and
 * the file-length query that loaders check claimed sizes against. */
#ifndef RGRBM_LIB_ATOMIC_FILE_H
#define RGRBM_LIB_ATOMIC_FILE_H

#include <stdint.h>
#include <stdio.h>

typedef struct rgrbm__atomic_file {
  FILE *fp;        /* write here between open and commit/abort */
  char *tmp_path;  /* "<path>.tmp.XXXXXX", unlinked on abort */
  const char *path;
  const char *func; /* the public function, for error messages */
} rgrbm__atomic_file;

/* Create the temporary file next to path. RGRBM_EIO/ENOMEM on failure. */
int rgrbm__atomic_open(rgrbm__atomic_file *af, const char *path, const char *func);
/* Flush, fsync, close and rename over path. On failure the temporary file is
 * removed and any old file at path is untouched; returns RGRBM_EIO. */
int rgrbm__atomic_commit(rgrbm__atomic_file *af);
/* Discard the temporary file (after a failed write). */
void rgrbm__atomic_abort(rgrbm__atomic_file *af);

/* Write n bytes or fail with RGRBM_EIO naming af->path. */
int rgrbm__atomic_write(rgrbm__atomic_file *af, const void *data, size_t n);

/* Open path for reading and report its length in bytes. */
int rgrbm__open_for_read(const char *path, const char *func, FILE **fp, uint64_t *length);

#endif
