/* Internal: crash-safe file replacement (temporary file beside the target,
 * fsync, rename, fsync of the directory) and the checked open that loaders
 * use. docs/formats.md ("Files on disk") states the rules and guarantees. */
#ifndef RGRBM_LIB_ATOMIC_FILE_H
#define RGRBM_LIB_ATOMIC_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The temporary name is ".<name>.rgrbm-tmp.<16 hex digits>" in the target's
 * directory, where <name> is the target's name cut to this many bytes (so
 * that the whole stays within NAME_MAX). */
enum { RGRBM__TMP_BASE_MAX = 200, RGRBM__TMP_NAME_CAP = 256, RGRBM__WRITE_BUFFER = 4096 };
#define RGRBM__TMP_TAG ".rgrbm-tmp."

typedef struct rgrbm__atomic_file {
  char *tmp_path;  /* the temporary file's name while open (NULL otherwise) */
  const char *path;
  const char *func; /* the public function, for error messages */
  const char *base; /* the target's name within its directory (inside path) */
  int fd, dir_fd;
  size_t buffered;
  char tmp_name[RGRBM__TMP_NAME_CAP];
  unsigned char buffer[RGRBM__WRITE_BUFFER];
} rgrbm__atomic_file;

/* Check the target (a regular, writable file or nothing; never a symbolic
 * link or a special file), remove abandoned temporary files of the same
 * target and create this call's temporary file. Allocates nothing.
 * RGRBM_EIO with a message naming path on refusal or failure; af holds
 * nothing then. */
int rgrbm__atomic_open(rgrbm__atomic_file *af, const char *path, const char *func);
/* Flush, fsync, check the target again, rename over it and fsync the
 * directory. RGRBM_EIO on failure: before the rename the temporary file is
 * removed and any old file is untouched; after it (the directory fsync
 * failed) the new contents are in place and the message says so. */
int rgrbm__atomic_commit(rgrbm__atomic_file *af);
/* Discard the temporary file (after a failed write); safe after a failed
 * open or commit. */
void rgrbm__atomic_abort(rgrbm__atomic_file *af);

/* Write n bytes or fail with RGRBM_EIO naming af->path. */
int rgrbm__atomic_write(rgrbm__atomic_file *af, const void *data, size_t n);

/* Open path for reading if it is a regular file (following symbolic links),
 * without blocking on a FIFO, and report its length in bytes. RGRBM_EIO
 * naming path otherwise. */
int rgrbm__open_for_read(const char *path, const char *func, FILE **fp, uint64_t *length);

/* Test hook, like rgrbm__alloc_fail_after: restart the count of the system
 * calls a save makes (open of the directory, create, fchmod, each write,
 * fsync, rename, fsync of the directory) and make call n from now fail with
 * errno err, once; n = -1 turns the injection off. */
void rgrbm__file_fail_after(long n, int err);
/* File calls since the last rgrbm__file_fail_after (failed ones included). */
long rgrbm__file_call_count(void);

#endif
