/* Files on disk (docs/formats.md, "Files on disk"): a save replaces only a
 * regular, writable file or creates a missing one, never follows a symbolic
 * link, keeps the permission bits, leaves no temporary file and removes the
 * abandoned temporary files of earlier saves; a load opens only a regular
 * file and never blocks on a FIFO. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "atomic_file.h"
#include "testutil.h"

/* Every kind of save, so that each rule is checked for all of them. */
typedef int (*save_fn)(const char *path);

static rgrbm_stack *g_stack;
static rgrbm_dataset *g_data;

static void make_objects(void) {
  const int sizes[2] = {6, 3};
  ck_assert_ok(rgrbm_stack_create(&g_stack, sizes, 2, RGRBM_UNITS_SPIN, 1));
  ck_assert_ok(rgrbm_dataset_create(&g_data, 6));
  const int8_t spins[12] = {1, -1, 1, 1, -1, -1, 1, 1, 1, -1, -1, 1};
  ck_assert_ok(rgrbm_dataset_append(g_data, spins, 2));
}

static int save_stack(const char *path) { return rgrbm_stack_save(g_stack, path); }
static int save_data(const char *path) { return rgrbm_dataset_save_npy(g_data, path); }

static const save_fn SAVES[2] = {save_stack, save_data};
static const char *const SAVE_NAMES[2] = {"rgrbm_stack_save", "rgrbm_dataset_save_npy"};

static void write_text(const char *path, const char *text) {
  FILE *fp = fopen(path, "wb");
  ck_assert_ptr_nonnull(fp);
  fputs(text, fp);
  fclose(fp);
}

static int has_text(const char *path, const char *text) {
  char buf[256] = "";
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  return strcmp(buf, text) == 0;
}

/* Names in dir containing the temporary-file tag. */
static int temporary_files(const char *dir) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) n += strstr(e->d_name, RGRBM__TMP_TAG) != NULL;
  closedir(d);
  return n;
}

static void paths(char *dir, char *target, size_t cap, const char *name) {
  rgrbm_test_tmpfile(dir, cap, "");
  snprintf(target, cap, "%s%s", dir, name);
}

/* ---- special targets ---- */

START_TEST(fifo_is_refused_and_kept) {
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "fifo");
  make_objects();
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  for (int k = 0; k < 2; k++) {
    ck_assert_fails(SAVES[k](path), RGRBM_EIO, SAVE_NAMES[k], path, "is a FIFO");
    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
  }
  ck_assert_int_eq(temporary_files(dir), 0);
}
END_TEST

/* A FIFO without a writer: opening it for reading would block forever. */
START_TEST(loading_a_fifo_returns_at_once) {
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "fifo");
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  alarm(10); /* a hang fails the test by SIGALRM, not by the suite's timeout */
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rgrbm_stack *s = NULL;
  rgrbm_dataset *ds = NULL;
  ck_assert_fails(rgrbm_stack_load(&s, path), RGRBM_EIO, "rgrbm_stack_load", "is a FIFO");
  ck_assert_fails(rgrbm_dataset_load_npy(&ds, path), RGRBM_EIO, "rgrbm_dataset_load_npy",
                  "is a FIFO");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  alarm(0);
  ck_assert(s == NULL && ds == NULL);
  ck_assert_double_lt((double)(t1.tv_sec - t0.tv_sec), 2.0);
}
END_TEST

/* A device node: our own node of /dev/null's numbers when we may create one
 * (root); /dev/null itself only when /dev is not writable, so that even a
 * broken library could not replace the system's /dev/null. */
START_TEST(device_is_refused_and_kept) {
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "null");
  make_objects();
  if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) != 0) {
    ck_assert_int_ne(access("/dev", W_OK), 0);
    snprintf(path, sizeof path, "/dev/null");
  }
  for (int k = 0; k < 2; k++) {
    ck_assert_fails(SAVES[k](path), RGRBM_EIO, SAVE_NAMES[k], path, "is a character device");
    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    ck_assert_int_eq((int)major(st.st_rdev), 1);
    ck_assert_int_eq((int)minor(st.st_rdev), 3);
  }
  rgrbm_stack *s = NULL;
  ck_assert_fails(rgrbm_stack_load(&s, path), RGRBM_EIO, "is a character device");
  ck_assert_int_eq(temporary_files(dir), 0);
}
END_TEST

START_TEST(directory_is_refused) {
  char dir[400], path[600];
  paths(dir, path, sizeof dir, "sub");
  make_objects();
  ck_assert_int_eq(mkdir(path, 0700), 0);
  for (int k = 0; k < 2; k++) {
    ck_assert_fails(SAVES[k](path), RGRBM_EIO, SAVE_NAMES[k], "is a directory");
    char slash[700];
    snprintf(slash, sizeof slash, "%s/", path);
    ck_assert_fails(SAVES[k](slash), RGRBM_EIO, SAVE_NAMES[k], "names a directory");
    ck_assert_fails(SAVES[k](""), RGRBM_EIO, SAVE_NAMES[k], "the path is empty");
  }
  struct stat st;
  ck_assert_int_eq(lstat(path, &st), 0);
  ck_assert(S_ISDIR(st.st_mode));
  ck_assert_int_eq(temporary_files(dir), 0);
}
END_TEST

/* Symbolic links are refused, whatever they point to: replacing the link
 * would turn it into a file, and following it would write where the caller
 * did not name. */
START_TEST(symlinks_are_refused) {
  char dir[400], file[512], link[512], dangling[512], to_device[512], node[512];
  paths(dir, file, sizeof dir, "file");
  snprintf(link, sizeof link, "%slink", dir);
  snprintf(dangling, sizeof dangling, "%sdangling", dir);
  snprintf(to_device, sizeof to_device, "%sto_device", dir);
  snprintf(node, sizeof node, "%snull", dir);
  make_objects();
  write_text(file, "old");
  ck_assert_int_eq(symlink(file, link), 0);
  ck_assert_int_eq(symlink("missing", dangling), 0);
  int have_node = mknod(node, S_IFCHR | 0666, makedev(1, 3)) == 0;
  ck_assert_int_eq(symlink(have_node ? node : "/dev/null", to_device), 0);
  const char *links[3] = {link, dangling, to_device};
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 3; i++) {
      ck_assert_fails(SAVES[k](links[i]), RGRBM_EIO, SAVE_NAMES[k], links[i], "symbolic link");
      struct stat st;
      ck_assert_int_eq(lstat(links[i], &st), 0);
      ck_assert(S_ISLNK(st.st_mode));
    }
  ck_assert(has_text(file, "old"));
  char missing[512];
  snprintf(missing, sizeof missing, "%smissing", dir);
  ck_assert_int_ne(access(missing, F_OK), 0);
  ck_assert_int_eq(temporary_files(dir), 0);
  /* Loading follows links, as reading any file does. */
  ck_assert_ok(rgrbm_stack_save(g_stack, file));
  rgrbm_stack *s = NULL;
  ck_assert_ok(rgrbm_stack_load(&s, link));
  rgrbm_stack_destroy(s);
}
END_TEST

/* Root bypasses the permission bits, so the library checks the mode itself. */
START_TEST(read_only_file_is_refused) {
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "ro");
  make_objects();
  write_text(path, "old");
  ck_assert_int_eq(chmod(path, 0444), 0);
  for (int k = 0; k < 2; k++)
    ck_assert_fails(SAVES[k](path), RGRBM_EIO, SAVE_NAMES[k], path, "read-only (mode 0444)");
  ck_assert(has_text(path, "old"));
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 07777, 0444);
  ck_assert_int_eq(temporary_files(dir), 0);
}
END_TEST

/* A file of another user, in a directory anyone may write: rename would
 * replace it, but the caller may not write it, so the save refuses (checked
 * as an unprivileged user; needs root to set up). */
START_TEST(file_of_another_user_is_refused) {
  if (geteuid() != 0) return;
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "theirs");
  make_objects();
  ck_assert_int_eq(chmod(dir, 0777), 0);
  write_text(path, "old");
  ck_assert_int_eq(chmod(path, 0644), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    int ok = setgid(65534) == 0 && setuid(65534) == 0 &&
             rgrbm_stack_save(g_stack, path) == RGRBM_EIO &&
             strstr(rgrbm_last_error(), "read-only for this process") != NULL;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ck_assert(has_text(path, "old"));
  ck_assert_int_eq(temporary_files(dir), 0);
}
END_TEST

START_TEST(permissions_kept_or_from_umask) {
  char dir[400], path[512], fresh[512];
  paths(dir, path, sizeof dir, "kept");
  snprintf(fresh, sizeof fresh, "%sfresh", dir);
  make_objects();
  write_text(path, "old");
  ck_assert_int_eq(chmod(path, 0640), 0);
  mode_t old_mask = umask(027);
  for (int k = 0; k < 2; k++) {
    ck_assert_ok(SAVES[k](path));
    ck_assert_ok(SAVES[k](fresh));
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0640);
    ck_assert_int_eq(stat(fresh, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0640); /* 0666 & ~027 */
    ck_assert_int_eq(unlink(fresh), 0);
  }
  umask(old_mask);
  ck_assert_int_eq(temporary_files(dir), 0);
}
END_TEST

/* setuid and setgid are never carried over to the new file; the owner and
 * group are where the saver may set them (root may). */
START_TEST(owner_kept_setuid_dropped) {
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "owned");
  make_objects();
  write_text(path, "old");
  const int root = geteuid() == 0;
  if (root) ck_assert_int_eq(chown(path, 4321, 4322), 0);
  ck_assert_int_eq(chmod(path, 06755), 0);
  ck_assert_ok(rgrbm_stack_save(g_stack, path));
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 07777, 0755);
  if (root) {
    ck_assert_int_eq((int)st.st_uid, 4321);
    ck_assert_int_eq((int)st.st_gid, 4322);
  }
}
END_TEST

/* ---- temporary files ---- */

/* An abandoned temporary file (no writer holds its lock) of the same target
 * is removed by the next save; one of another target, one whose name only
 * looks alike and one still locked are kept. */
START_TEST(abandoned_temporary_files_are_removed) {
  char dir[400], path[512], stale[600], other[600], alike[600], held[600];
  paths(dir, path, sizeof dir, "model.stk");
  snprintf(stale, sizeof stale, "%s.model.stk" RGRBM__TMP_TAG "0123456789abcdef", dir);
  snprintf(other, sizeof other, "%s.other.stk" RGRBM__TMP_TAG "0123456789abcdef", dir);
  snprintf(alike, sizeof alike, "%s.model.stk" RGRBM__TMP_TAG "0123", dir);
  snprintf(held, sizeof held, "%s.model.stk" RGRBM__TMP_TAG "fedcba9876543210", dir);
  make_objects();
  write_text(stale, "partial");
  write_text(other, "partial");
  write_text(alike, "partial");
  write_text(held, "partial");
  int fd = open(held, O_RDONLY);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(flock(fd, LOCK_EX), 0); /* a save in progress elsewhere */
  ck_assert_ok(rgrbm_stack_save(g_stack, path));
  ck_assert_int_ne(access(stale, F_OK), 0);
  ck_assert_int_eq(access(other, F_OK), 0);
  ck_assert_int_eq(access(alike, F_OK), 0);
  ck_assert_int_eq(access(held, F_OK), 0);
  close(fd); /* the writer is gone */
  ck_assert_ok(rgrbm_dataset_save_npy(g_data, path));
  ck_assert_int_ne(access(held, F_OK), 0);
  ck_assert_int_eq(temporary_files(dir), 2);
}
END_TEST

/* A writer killed mid-save (SIGKILL) leaves its temporary file; while it
 * lives, other saves of the target keep it, and once it is dead the next
 * save removes it. */
START_TEST(killed_writer_temporary_file_is_removed) {
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "target");
  make_objects();
  int ready[2];
  ck_assert_int_eq(pipe(ready), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    alarm(30); /* never outlive a failed test */
    rgrbm__atomic_file af;
    if (rgrbm__atomic_open(&af, path, "child") == RGRBM_OK &&
        rgrbm__atomic_write(&af, "partial", 7) == RGRBM_OK)
      (void)!write(ready[1], "x", 1);
    for (;;) pause();
  }
  char c;
  ck_assert_int_eq(read(ready[0], &c, 1), 1);
  ck_assert_int_eq(temporary_files(dir), 1);
  ck_assert_ok(rgrbm_stack_save(g_stack, path));
  ck_assert_int_eq(temporary_files(dir), 1); /* its writer still runs */
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  ck_assert_int_eq(temporary_files(dir), 1);
  ck_assert_ok(rgrbm_stack_save(g_stack, path));
  ck_assert_int_eq(temporary_files(dir), 0);
  rgrbm_stack *s = NULL;
  ck_assert_ok(rgrbm_stack_load(&s, path));
  rgrbm_stack_destroy(s);
  close(ready[0]);
  close(ready[1]);
}
END_TEST

/* The temporary name is ".<name>.rgrbm-tmp.<16 hex digits>" beside the
 * target, with long names cut so that it stays a valid file name. */
START_TEST(temporary_name_is_recognisable) {
  char dir[400], path[700];
  paths(dir, path, sizeof dir, "");
  size_t len = strlen(path);
  memset(path + len, 'n', 250); /* a 250-byte name: NAME_MAX is 255 */
  path[len + 250] = '\0';
  rgrbm__atomic_file af;
  ck_assert_ok(rgrbm__atomic_open(&af, path, "test"));
  ck_assert_int_eq(strlen(af.tmp_name), 1 + RGRBM__TMP_BASE_MAX + strlen(RGRBM__TMP_TAG) + 16);
  ck_assert_int_eq(af.tmp_name[0], '.');
  ck_assert_int_eq(strncmp(af.tmp_name + 1, path + len, RGRBM__TMP_BASE_MAX), 0);
  ck_assert_ptr_nonnull(strstr(af.tmp_name, RGRBM__TMP_TAG));
  ck_assert_int_eq(strspn(af.tmp_name + strlen(af.tmp_name) - 16, "0123456789abcdef"), 16);
  ck_assert_int_eq(temporary_files(dir), 1);
  ck_assert_ok(rgrbm__atomic_write(&af, "x", 1));
  ck_assert_ok(rgrbm__atomic_commit(&af));
  ck_assert_int_eq(temporary_files(dir), 0);
  ck_assert(has_text(path, "x"));
}
END_TEST

/* Large and small writes, through the buffer and around it, arrive in order. */
START_TEST(writes_arrive_in_order) {
  char dir[400], path[512];
  paths(dir, path, sizeof dir, "bytes");
  enum { N = 3 * RGRBM__WRITE_BUFFER + 15 };
  static unsigned char data[N], back[N + 1];
  for (size_t i = 0; i < N; i++) data[i] = (unsigned char)(i * 131 + 7);
  rgrbm__atomic_file af;
  ck_assert_ok(rgrbm__atomic_open(&af, path, "test"));
  const size_t pieces[] = {1, 3, RGRBM__WRITE_BUFFER - 2, 5, 2 * RGRBM__WRITE_BUFFER, 8};
  size_t at = 0;
  for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; at += pieces[p], p++)
    ck_assert_ok(rgrbm__atomic_write(&af, data + at, pieces[p]));
  ck_assert_int_eq(at, N);
  ck_assert_ok(rgrbm__atomic_commit(&af));
  FILE *fp = fopen(path, "rb");
  ck_assert_int_eq(fread(back, 1, N + 1, fp), N);
  fclose(fp);
  ck_assert_int_eq(memcmp(back, data, N), 0);
}
END_TEST

static void cleanup(void) {
  rgrbm_stack_destroy(g_stack);
  rgrbm_dataset_destroy(g_data);
  g_stack = NULL;
  g_data = NULL;
}

int main(void) {
  Suite *s = suite_create("files");
  TCase *tc = tcase_create("special");
  tcase_add_checked_fixture(tc, NULL, cleanup);
  tcase_add_test(tc, fifo_is_refused_and_kept);
  tcase_add_test(tc, loading_a_fifo_returns_at_once);
  tcase_add_test(tc, device_is_refused_and_kept);
  tcase_add_test(tc, directory_is_refused);
  tcase_add_test(tc, symlinks_are_refused);
  tcase_add_test(tc, read_only_file_is_refused);
  tcase_add_test(tc, file_of_another_user_is_refused);
  tcase_add_test(tc, permissions_kept_or_from_umask);
  tcase_add_test(tc, owner_kept_setuid_dropped);
  suite_add_tcase(s, tc);
  TCase *tmp = tcase_create("temporary");
  tcase_add_checked_fixture(tmp, NULL, cleanup);
  tcase_add_test(tmp, abandoned_temporary_files_are_removed);
  tcase_add_test(tmp, killed_writer_temporary_file_is_removed);
  tcase_add_test(tmp, temporary_name_is_recognisable);
  tcase_add_test(tmp, writes_arrive_in_order);
  suite_add_tcase(s, tmp);
  return rgrbm_test_run(s);
}
