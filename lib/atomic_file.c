/* Crash-safe writes: readers see either the old file or the complete new one. */
#define _POSIX_C_SOURCE 200809L
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "error.h"

/* The process's umask, read without changing it (umask(2) can only be read
 * by setting it, which would race with other threads creating files). */
static mode_t current_umask(void) {
  FILE *f = fopen("/proc/self/status", "r");
  unsigned mask = 022;
  char line[128];
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "Umask: %o", &mask) == 1) break;
  if (f) fclose(f);
  return (mode_t)mask;
}

/* mkstemp creates the file 0600; a replaced file keeps its permissions and a
 * new one gets what open(2) would have given it: 0666 less the umask. */
static mode_t final_mode(const char *path) {
  struct stat st;
  if (stat(path, &st) == 0) return st.st_mode & 07777;
  return (mode_t)0666 & ~current_umask();
}

int rgrbm__atomic_open(rgrbm__atomic_file *af, const char *path, const char *func) {
  static const char suffix[] = ".tmp.XXXXXX";
  size_t len = strlen(path);
  af->fp = NULL;
  af->path = path;
  af->func = func;
  af->tmp_path = rgrbm__alloc(len + sizeof suffix);
  if (af->tmp_path == NULL)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate the temporary file name");
  memcpy(af->tmp_path, path, len);
  memcpy(af->tmp_path + len, suffix, sizeof suffix);
  int fd = mkstemp(af->tmp_path);
  if (fd < 0) {
    int err = errno;
    rgrbm__free(af->tmp_path);
    af->tmp_path = NULL;
    return rgrbm__fail(RGRBM_EIO, func, "cannot create a temporary file beside '%s': %s", path,
                       strerror(err));
  }
  if (fchmod(fd, final_mode(path)) != 0 || (af->fp = fdopen(fd, "wb")) == NULL) {
    int err = errno;
    close(fd);
    unlink(af->tmp_path);
    rgrbm__free(af->tmp_path);
    af->tmp_path = NULL;
    return rgrbm__fail(RGRBM_EIO, func, "cannot open '%s' for writing: %s", path, strerror(err));
  }
  return RGRBM_OK;
}

void rgrbm__atomic_abort(rgrbm__atomic_file *af) {
  if (af->fp) fclose(af->fp);
  if (af->tmp_path) {
    unlink(af->tmp_path);
    rgrbm__free(af->tmp_path);
  }
  af->fp = NULL;
  af->tmp_path = NULL;
}

int rgrbm__atomic_write(rgrbm__atomic_file *af, const void *data, size_t n) {
  if (n == 0 || fwrite(data, 1, n, af->fp) == n) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EIO, af->func, "cannot write '%s': %s", af->path, strerror(errno));
}

int rgrbm__atomic_commit(rgrbm__atomic_file *af) {
  int err = 0;
  if (fflush(af->fp) != 0 || fsync(fileno(af->fp)) != 0) err = errno;
  if (fclose(af->fp) != 0 && err == 0) err = errno;
  af->fp = NULL;
  if (err == 0 && rename(af->tmp_path, af->path) != 0) err = errno;
  if (err != 0) {
    rgrbm__atomic_abort(af);
    return rgrbm__fail(RGRBM_EIO, af->func, "cannot write '%s': %s", af->path, strerror(err));
  }
  rgrbm__free(af->tmp_path);
  af->tmp_path = NULL;
  return RGRBM_OK;
}

int rgrbm__open_for_read(const char *path, const char *func, FILE **fp, uint64_t *length) {
  *fp = fopen(path, "rb");
  if (*fp == NULL)
    return rgrbm__fail(RGRBM_EIO, func, "cannot open '%s': %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(*fp), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(*fp);
    *fp = NULL;
    return rgrbm__fail(RGRBM_EIO, func, "'%s' is not a regular file", path);
  }
  *length = (uint64_t)st.st_size;
  return RGRBM_OK;
}
