/* Crash-safe writes: readers see either the old file or the complete new one,
 * and a save never replaces anything but a regular file. */
#define _GNU_SOURCE
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fail.h"

/* ---- the file-call test hook ---- */

static atomic_long file_calls_seen;
static atomic_long failing_file_call = -1;
static atomic_int failing_errno = EIO;

void rgrbm__file_fail_after(long n, int err) {
  atomic_store(&file_calls_seen, 0);
  atomic_store(&failing_errno, err);
  atomic_store(&failing_file_call, n);
}

long rgrbm__file_call_count(void) { return atomic_load(&file_calls_seen); }

/* Whether the hook fails this call (then errno is set). */
static int injected(void) {
  long index = atomic_fetch_add_explicit(&file_calls_seen, 1, memory_order_relaxed);
  if (index != atomic_load_explicit(&failing_file_call, memory_order_relaxed)) return 0;
  errno = atomic_load(&failing_errno);
  return 1;
}

/* A system call returning -1 on failure, through the hook. */
#define SYS(call) (injected() ? -1 : (call))

/* ---- what is at the target ---- */

static const char *kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "of an unknown kind";
}

/* Refuse anything at the target but a regular file the caller may write:
 * symbolic links are not followed (the link would become a file), and a
 * file without write permission is refused even for root (who bypasses the
 * permission bits). *exists says whether a file is there, *old its status. */
static int check_target(const rgrbm__atomic_file *af, int *exists, struct stat *old) {
  struct stat st;
  *exists = 0;
  if (fstatat(af->dir_fd, af->base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return RGRBM_OK;
    return rgrbm__fail(RGRBM_EIO, af->func, "cannot inspect '%s': %s", af->path, strerror(errno));
  }
  if (S_ISLNK(st.st_mode))
    return rgrbm__fail(RGRBM_EIO, af->func, "'%s' is a symbolic link; saves do not follow links "
                       "(save to the link's target instead)", af->path);
  if (!S_ISREG(st.st_mode))
    return rgrbm__fail(RGRBM_EIO, af->func, "'%s' is %s, not a regular file; a save replaces "
                       "only a regular file",
                       af->path, kind_of(st.st_mode));
  if ((st.st_mode & 0222) == 0)
    return rgrbm__fail(RGRBM_EIO, af->func, "'%s' is read-only (mode %04o); a save does not "
                       "replace a file it may not write", af->path, (unsigned)(st.st_mode & 07777));
  if (faccessat(af->dir_fd, af->base, W_OK, AT_EACCESS) != 0)
    return rgrbm__fail(RGRBM_EIO, af->func, "'%s' is read-only for this process (%s); a save does "
                       "not replace a file it may not write", af->path, strerror(errno));
  *exists = 1;
  *old = st;
  return RGRBM_OK;
}

/* ---- the directory and the temporary name ---- */

/* Open the directory holding path and point af->base at the file's name. */
static int open_directory(rgrbm__atomic_file *af) {
  const char *slash = strrchr(af->path, '/');
  af->base = slash ? slash + 1 : af->path;
  if (af->path[0] == '\0') return rgrbm__fail(RGRBM_EIO, af->func, "the path is empty");
  if (af->base[0] == '\0' || strcmp(af->base, ".") == 0 || strcmp(af->base, "..") == 0)
    return rgrbm__fail(RGRBM_EIO, af->func, "'%s' names a directory, not a file", af->path);
  char dir[PATH_MAX];
  size_t len = slash == NULL ? 0 : (slash == af->path ? 1 : (size_t)(slash - af->path));
  if (len >= sizeof dir)
    return rgrbm__fail(RGRBM_EIO, af->func, "'%s': %s", af->path, strerror(ENAMETOOLONG));
  memcpy(dir, len ? af->path : ".", len ? len : 1);
  dir[len ? len : 1] = '\0';
  af->dir_fd = SYS(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (af->dir_fd < 0)
    return rgrbm__fail(RGRBM_EIO, af->func, "cannot open the directory of '%s': %s", af->path,
                       strerror(errno));
  return RGRBM_OK;
}

/* ".<name>.rgrbm-tmp." with the name cut to RGRBM__TMP_BASE_MAX bytes. */
static size_t tmp_prefix(const char *base, char *out) {
  size_t len = strlen(base);
  if (len > RGRBM__TMP_BASE_MAX) len = RGRBM__TMP_BASE_MAX;
  out[0] = '.';
  memcpy(out + 1, base, len);
  memcpy(out + 1 + len, RGRBM__TMP_TAG, sizeof RGRBM__TMP_TAG);
  return 1 + len + sizeof RGRBM__TMP_TAG - 1;
}

static uint64_t random_suffix(void) {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    static atomic_ulong counter;
    r = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
        (atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ULL);
  }
  return r;
}

/* ---- abandoned temporary files ---- */

/* A temporary file is held locked (flock) by its writer from creation to
 * rename; the kernel drops the lock when the writer dies, even by SIGKILL.
 * So a temporary file of this target that can be locked is abandoned. */
static void remove_if_abandoned(int dir_fd, const char *name) {
  int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  struct stat held, named;
  if (fstat(fd, &held) == 0 && S_ISREG(held.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
      fstatat(dir_fd, name, &named, AT_SYMLINK_NOFOLLOW) == 0 && named.st_ino == held.st_ino &&
      named.st_dev == held.st_dev)
    unlinkat(dir_fd, name, 0);
  close(fd);
}

/* Best effort: a failure here never fails the save. */
static void remove_abandoned(const rgrbm__atomic_file *af) {
  char prefix[RGRBM__TMP_NAME_CAP];
  size_t len = tmp_prefix(af->base, prefix);
  int fd = dup(af->dir_fd);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (d == NULL) {
    if (fd >= 0) close(fd);
    return;
  }
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (strncmp(e->d_name, prefix, len) == 0 && strlen(e->d_name) == len + 16)
      remove_if_abandoned(af->dir_fd, e->d_name);
  closedir(d);
}

/* ---- creating the temporary file ---- */

/* Lock the fresh file; 0 when a concurrent cleaner got to it first (then it
 * may be gone and another name is tried). Without flock support nothing is
 * locked and cleaners, unable to lock either, remove nothing. */
static int lock_fresh(const rgrbm__atomic_file *af) {
  if (flock(af->fd, LOCK_EX | LOCK_NB) != 0) return errno != EWOULDBLOCK;
  struct stat held, named;
  return fstat(af->fd, &held) == 0 &&
         fstatat(af->dir_fd, af->tmp_name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
         held.st_ino == named.st_ino && held.st_dev == named.st_dev;
}

/* A replaced file keeps its owner and group where the caller may set them
 * (best effort: root may, others only their own groups) and its permission
 * bits, setuid and setgid excepted. */
static int keep_attributes(const rgrbm__atomic_file *af, const struct stat *old) {
  /* Failing that, the saver's ownership is kept, as any new file gets. */
  if (fchown(af->fd, old->st_uid, old->st_gid) != 0) (void)!fchown(af->fd, (uid_t)-1, old->st_gid);
  return SYS(fchmod(af->fd, old->st_mode & 01777));
}

/* A new file gets what open(2) would give it (0666 less the umask, default
 * ACLs); a replaced one what keep_attributes keeps, and until then the
 * temporary file is private. */
static int create_temporary(rgrbm__atomic_file *af, int exists, const struct stat *old) {
  size_t len = tmp_prefix(af->base, af->tmp_name);
  for (int attempt = 0; attempt < 64; attempt++) {
    snprintf(af->tmp_name + len, sizeof af->tmp_name - len, "%016llx",
             (unsigned long long)random_suffix());
    af->fd = SYS(openat(af->dir_fd, af->tmp_name,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, exists ? 0600 : 0666));
    if (af->fd < 0 && errno == EEXIST) continue;
    if (af->fd < 0) break;
    if (lock_fresh(af)) {
      af->tmp_path = af->tmp_name;
      if (!exists || keep_attributes(af, old) == 0) return RGRBM_OK;
      break;
    }
    close(af->fd);
    af->fd = -1;
  }
  int err = errno;
  rgrbm__atomic_abort(af);
  return rgrbm__fail(RGRBM_EIO, af->func, "cannot create a temporary file beside '%s': %s",
                     af->path, strerror(err));
}

int rgrbm__atomic_open(rgrbm__atomic_file *af, const char *path, const char *func) {
  af->tmp_path = NULL;
  af->path = path;
  af->func = func;
  af->fd = af->dir_fd = -1;
  af->buffered = 0;
  int rc = open_directory(af);
  int exists = 0;
  struct stat old;
  if (rc == RGRBM_OK) rc = check_target(af, &exists, &old);
  if (rc != RGRBM_OK) {
    rgrbm__atomic_abort(af);
    return rc;
  }
  remove_abandoned(af);
  return create_temporary(af, exists, &old);
}

void rgrbm__atomic_abort(rgrbm__atomic_file *af) {
  if (af->tmp_path) unlinkat(af->dir_fd, af->tmp_name, 0);
  if (af->fd >= 0) close(af->fd);
  if (af->dir_fd >= 0) close(af->dir_fd);
  af->fd = af->dir_fd = -1;
  af->tmp_path = NULL;
}

/* ---- writing ---- */

static int write_all(rgrbm__atomic_file *af, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t done = SYS(write(af->fd, p, n));
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0)
      return rgrbm__fail(RGRBM_EIO, af->func, "cannot write '%s': %s", af->path,
                         done < 0 ? strerror(errno) : "no progress");
    p += done;
    n -= (size_t)done;
  }
  return RGRBM_OK;
}

static int flush(rgrbm__atomic_file *af) {
  int rc = write_all(af, af->buffer, af->buffered);
  af->buffered = 0;
  return rc;
}

/* Small pieces (a stack's sizes, headers) gather in the buffer; large
 * arrays go straight to the file. */
int rgrbm__atomic_write(rgrbm__atomic_file *af, const void *data, size_t n) {
  if (af->buffered + n <= sizeof af->buffer) {
    if (n) memcpy(af->buffer + af->buffered, data, n);
    af->buffered += n;
    return RGRBM_OK;
  }
  int rc = flush(af);
  if (rc == RGRBM_OK) rc = n < sizeof af->buffer ? rgrbm__atomic_write(af, data, n)
                                                  : write_all(af, data, n);
  return rc;
}

/* ---- committing ---- */

static int replace_target(rgrbm__atomic_file *af) {
  int rc = flush(af);
  if (rc != RGRBM_OK) return rc;
  if (SYS(fsync(af->fd)) != 0)
    return rgrbm__fail(RGRBM_EIO, af->func, "cannot write '%s': fsync: %s", af->path,
                       strerror(errno));
  int exists;
  struct stat old;
  rc = check_target(af, &exists, &old); /* it may have changed while writing */
  if (rc != RGRBM_OK) return rc;
  if (SYS(renameat(af->dir_fd, af->tmp_name, af->dir_fd, af->base)) != 0)
    return rgrbm__fail(RGRBM_EIO, af->func, "cannot replace '%s': rename: %s", af->path,
                       strerror(errno));
  af->tmp_path = NULL;
  return RGRBM_OK;
}

int rgrbm__atomic_commit(rgrbm__atomic_file *af) {
  int rc = replace_target(af);
  /* The new name lasts through a power loss once the directory is synced;
   * file systems that cannot sync a directory (EINVAL) have nothing to sync. */
  if (rc == RGRBM_OK && SYS(fsync(af->dir_fd)) != 0 && errno != EINVAL)
    rc = rgrbm__fail(RGRBM_EIO, af->func, "'%s' holds the new contents, but its directory "
                     "could not be synced (%s): they may not survive a power loss", af->path,
                     strerror(errno));
  rgrbm__atomic_abort(af); /* removes the temporary file only if still there */
  return rc;
}

/* ---- reading ---- */

/* A descriptor of path if it is a regular file; -1 (errno set) when it
 * cannot be opened, -2 when it is something else (*st says what). stat comes
 * first so that a device is never opened (opening has effects on some), and
 * O_NONBLOCK so that a FIFO swapped in meanwhile cannot block. */
static int open_regular(const char *path, struct stat *st) {
  if (stat(path, st) != 0) return -1;
  if (!S_ISREG(st->st_mode)) return -2;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return -1;
  if (fstat(fd, st) == 0 && S_ISREG(st->st_mode)) return fd;
  close(fd);
  return -2;
}

int rgrbm__open_for_read(const char *path, const char *func, FILE **fp, uint64_t *length) {
  *fp = NULL;
  struct stat st;
  int fd = open_regular(path, &st);
  if (fd == -1) return rgrbm__fail(RGRBM_EIO, func, "cannot open '%s': %s", path, strerror(errno));
  if (fd == -2)
    return rgrbm__fail(RGRBM_EIO, func, "'%s' is %s, not a regular file", path,
                       kind_of(st.st_mode));
  int flags = fcntl(fd, F_GETFL);
  if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
      (*fp = fdopen(fd, "rb")) == NULL) {
    int err = errno;
    close(fd);
    return rgrbm__fail(RGRBM_EIO, func, "cannot open '%s': %s", path, strerror(err));
  }
  *length = (uint64_t)st.st_size;
  return RGRBM_OK;
}
