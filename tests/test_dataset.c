/* Packed datasets: round trips, memory bound, .npy files good and bad. */
#include <stdint.h>
#include <sys/stat.h>

#include "dataset.h"
#include "getter_testutil.h"
#include "rng.h"

static int8_t *random_spins(size_t n, uint64_t seed) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 0);
  int8_t *s = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++) s[i] = (rgrbm__rng_u32(&r) & 1) ? 1 : -1;
  return s;
}

START_TEST(append_get_round_trip) {
  const size_t dims[] = {1, 5, 63, 64, 65, 128, 1600};
  for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
    size_t dim = dims[d], count = 37;
    int8_t *in = random_spins(dim * count, dim), *out = malloc(dim * count);
    rgrbm_dataset *ds;
    ck_assert_ok(rgrbm_dataset_create(&ds, dim));
    ck_assert_ok(rgrbm_dataset_append(ds, in, 10));
    ck_assert_ok(rgrbm_dataset_append(ds, in + 10 * dim, count - 10));
    ck_assert_uint_eq(rgrbm_dataset_count(ds), count);
    ck_assert_uint_eq(rgrbm_dataset_dim(ds), dim);
    ck_assert_ok(rgrbm_dataset_get(ds, 0, count, out));
    ck_assert_mem_eq(in, out, dim * count);
    ck_assert_ok(rgrbm_dataset_get(ds, 5, 3, out));
    ck_assert_mem_eq(in + 5 * dim, out, 3 * dim);
    ck_assert_ok(rgrbm_dataset_get(ds, count, 0, out));
    ck_assert_ok(rgrbm_dataset_clear(ds));
    ck_assert_uint_eq(rgrbm_dataset_count(ds), 0);
    rgrbm_dataset_destroy(ds);
    free(in);
    free(out);
  }
}
END_TEST

START_TEST(float_unpack_and_pack_agree) {
  size_t dim = 70, count = 9;
  int8_t *in = random_spins(dim * count, 3);
  rgrbm_dataset *ds, *back;
  ck_assert_ok(rgrbm_dataset_create(&ds, dim));
  ck_assert_ok(rgrbm_dataset_create(&back, dim));
  ck_assert_ok(rgrbm_dataset_append(ds, in, count));
  float *f = malloc(dim * count * sizeof *f);
  size_t rows[3] = {8, 0, 4};
  rgrbm__dataset_unpack_float(ds, rows, 0, 3, 0.0f, 1.0f, f);
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < dim; j++)
      ck_assert(f[i * dim + j] == (in[rows[i] * dim + j] > 0 ? 1.0f : 0.0f));
  rgrbm__dataset_unpack_float(ds, NULL, 0, count, -1.0f, 1.0f, f);
  ck_assert_ok(rgrbm__dataset_append_float(back, f, count, 0.0f));
  int8_t *out = malloc(dim * count);
  ck_assert_ok(rgrbm_dataset_get(back, 0, count, out));
  ck_assert_mem_eq(in, out, dim * count);
  rgrbm_dataset_destroy(ds);
  rgrbm_dataset_destroy(back);
  free(in);
  free(out);
  free(f);
}
END_TEST

START_TEST(paper_dataset_fits_in_4_5_MB) {
  /* 20,000 configurations of 40 x 40 appended one at a time. */
  size_t before = rgrbm_memory_in_use();
  int8_t *one = random_spins(1600, 1);
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, 1600));
  for (int i = 0; i < 20000; i++) ck_assert_ok(rgrbm_dataset_append(ds, one, 1));
  size_t held = rgrbm_memory_in_use() - before;
  ck_assert_msg(held <= 4500000, "20,000 x 1600 spins hold %zu bytes", held);
  rgrbm_dataset_destroy(ds);
  free(one);
}
END_TEST

START_TEST(shape_is_checked_and_kept) {
  rgrbm_dataset *ds;
  int lx = -1, ly = -1;
  ck_assert_ok(rgrbm_dataset_create(&ds, 12));
  ck_assert_ok(rgrbm_dataset_shape(ds, &lx, &ly));
  ck_assert_int_eq(lx, 0);
  ck_assert_int_eq(ly, 0);
  ck_assert_ok(rgrbm_dataset_set_shape(ds, 4, 3));
  ck_assert_fails(rgrbm_dataset_set_shape(ds, 5, 3), RGRBM_EINVAL, "rgrbm_dataset_set_shape",
                  "lx * ly", "dim = 12");
  ck_assert_fails(rgrbm_dataset_set_shape(ds, 0, 3), RGRBM_EINVAL, "lx = 0");
  ck_assert_fails(rgrbm_dataset_set_shape(ds, 3, -4), RGRBM_EINVAL, "ly = -4");
  ck_assert_ok(rgrbm_dataset_shape(ds, &lx, &ly));
  ck_assert_int_eq(lx, 4);
  ck_assert_int_eq(ly, 3);
  ck_assert_ok(rgrbm_dataset_shape(ds, NULL, NULL));
  rgrbm_dataset_destroy(ds);
}
END_TEST

START_TEST(bad_arguments_are_named) {
  rgrbm_dataset *ds;
  int8_t buf[8] = {1, -1, 1, 1, -1, -1, 1, 1};
  ck_assert_fails(rgrbm_dataset_create(NULL, 4), RGRBM_EINVAL, "rgrbm_dataset_create", "out");
  ck_assert_fails(rgrbm_dataset_create(&ds, 0), RGRBM_EINVAL, "dim = 0");
  ck_assert_ptr_null(ds);
  ck_assert_ok(rgrbm_dataset_create(&ds, 4));
  ck_assert_fails(rgrbm_dataset_append(NULL, buf, 1), RGRBM_EINVAL, "rgrbm_dataset_append", "ds");
  ck_assert_fails(rgrbm_dataset_append(ds, NULL, 1), RGRBM_EINVAL, "spins");
  ck_assert_fails(rgrbm_dataset_append(ds, buf, SIZE_MAX / 2), RGRBM_EINVAL, "count * dim",
                  "overflows");
  buf[6] = 0;
  ck_assert_fails(rgrbm_dataset_append(ds, buf, 2), RGRBM_EINVAL, "spins[6] = 0",
                  "configuration 1, site 2");
  ck_assert_uint_eq(rgrbm_dataset_count(ds), 0);
  buf[6] = 1;
  ck_assert_ok(rgrbm_dataset_append(ds, buf, 2));
  int8_t out[8];
  ck_assert_fails(rgrbm_dataset_get(NULL, 0, 1, out), RGRBM_EINVAL, "rgrbm_dataset_get", "ds");
  ck_assert_fails(rgrbm_dataset_get(ds, 0, 1, NULL), RGRBM_EINVAL, "out");
  ck_assert_fails(rgrbm_dataset_get(ds, 1, 2, out), RGRBM_EINVAL, "first = 1, count = 2");
  ck_assert_fails(rgrbm_dataset_get(ds, 3, 0, out), RGRBM_EINVAL, "first = 3");
  ck_assert_fails(rgrbm_dataset_get(ds, 1, SIZE_MAX, out), RGRBM_EINVAL, "count");
  ck_assert_fails(rgrbm_dataset_set_shape(NULL, 2, 2), RGRBM_EINVAL, "ds");
  ck_assert_fails(rgrbm_dataset_shape(NULL, NULL, NULL), RGRBM_EINVAL, "ds");
  ck_assert_fails(rgrbm_dataset_reserve(NULL, 1), RGRBM_EINVAL, "rgrbm_dataset_reserve", "ds");
  ck_assert_fails(rgrbm_dataset_reserve(ds, SIZE_MAX / 2), RGRBM_EINVAL, "overflow");
  ck_assert_fails(rgrbm_dataset_reserve(ds, SIZE_MAX / 64), RGRBM_ENOMEM, "cannot allocate");
  ck_assert_fails(rgrbm_dataset_clear(NULL), RGRBM_EINVAL, "rgrbm_dataset_clear", "ds");
  ck_assert_fails(rgrbm_dataset_save_npy(NULL, "x.npy"), RGRBM_EINVAL, "ds");
  ck_assert_fails(rgrbm_dataset_save_npy(ds, NULL), RGRBM_EINVAL, "path");
  ck_assert_fails(rgrbm_dataset_save_npy(ds, "/nonexistent-dir/x.npy"), RGRBM_EIO,
                  "rgrbm_dataset_save_npy", "/nonexistent-dir/x.npy");
  rgrbm_dataset *loaded = (rgrbm_dataset *)0x1;
  ck_assert_fails(rgrbm_dataset_load_npy(NULL, "x.npy"), RGRBM_EINVAL, "out");
  ck_assert_fails(rgrbm_dataset_load_npy(&loaded, NULL), RGRBM_EINVAL, "path");
  ck_assert_ptr_null(loaded);
  ck_assert_fails(rgrbm_dataset_load_npy(&loaded, "/nonexistent-dir/x.npy"), RGRBM_EIO,
                  "rgrbm_dataset_load_npy", "cannot open", "/nonexistent-dir/x.npy");
  ck_assert_fails(rgrbm_dataset_load_npy(&loaded, "/"), RGRBM_EIO, "not a regular file");
  /* The getters give 0 and a message for NULL; destroy(NULL) is a no-op. */
  ck_assert_zero_fails(rgrbm_dataset_count(NULL), "rgrbm_dataset_count: ds is NULL");
  ck_assert_zero_fails(rgrbm_dataset_dim(NULL), "rgrbm_dataset_dim: ds is NULL");
  rgrbm_dataset_destroy(NULL);
  ck_assert_uint_eq(rgrbm_dataset_count(ds), 2);
  rgrbm_dataset_destroy(ds);
}
END_TEST

START_TEST(npy_round_trip_2d_and_3d) {
  char path[512];
  rgrbm_test_tmpfile(path, sizeof path, "round.npy");
  int8_t *in = random_spins(20 * 12, 11), out[20 * 12];
  for (int shaped = 0; shaped < 2; shaped++) {
    rgrbm_dataset *ds, *back;
    ck_assert_ok(rgrbm_dataset_create(&ds, 12));
    if (shaped) ck_assert_ok(rgrbm_dataset_set_shape(ds, 4, 3));
    ck_assert_ok(rgrbm_dataset_append(ds, in, 20));
    ck_assert_ok(rgrbm_dataset_save_npy(ds, path));
    ck_assert_ok(rgrbm_dataset_load_npy(&back, path));
    ck_assert_uint_eq(rgrbm_dataset_count(back), 20);
    ck_assert_uint_eq(rgrbm_dataset_dim(back), 12);
    int lx, ly;
    rgrbm_dataset_shape(back, &lx, &ly);
    ck_assert_int_eq(lx, shaped ? 4 : 0);
    ck_assert_int_eq(ly, shaped ? 3 : 0);
    ck_assert_ok(rgrbm_dataset_get(back, 0, 20, out));
    ck_assert_mem_eq(in, out, sizeof out);
    rgrbm_dataset_destroy(ds);
    rgrbm_dataset_destroy(back);
  }
  /* An empty dataset is a valid (0, dim) array. */
  rgrbm_dataset *empty, *back;
  ck_assert_ok(rgrbm_dataset_create(&empty, 7));
  ck_assert_ok(rgrbm_dataset_save_npy(empty, path));
  ck_assert_ok(rgrbm_dataset_load_npy(&back, path));
  ck_assert_uint_eq(rgrbm_dataset_count(back), 0);
  ck_assert_uint_eq(rgrbm_dataset_dim(back), 7);
  rgrbm_dataset_destroy(empty);
  rgrbm_dataset_destroy(back);
  free(in);
}
END_TEST

/* Atomic saves go through a 0600 temporary file; the result must still get
 * the permissions a plain open would give (0666 less the umask), and a
 * replaced file must keep its own. */
START_TEST(saved_files_get_ordinary_permissions) {
  char path[512];
  rgrbm_test_tmpfile(path, sizeof path, "mode.npy");
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, 3));
  mode_t old = umask(022);
  ck_assert_ok(rgrbm_dataset_save_npy(ds, path));
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_uint_eq(st.st_mode & 0777, 0644);
  ck_assert_int_eq(chmod(path, 0640), 0);
  ck_assert_ok(rgrbm_dataset_save_npy(ds, path));
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_uint_eq(st.st_mode & 0777, 0640);
  umask(old);
  rgrbm_dataset_destroy(ds);
}
END_TEST

/* Write a .npy file by hand: a preamble of the given version, the dict and
 * data bytes. */
static void write_npy(const char *path, int major, const char *dict, const void *data,
                      size_t n) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  size_t len = strlen(dict);
  unsigned char pre[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0};
  size_t pre_len = major == 1 ? 10 : 12;
  for (size_t i = 0; i < pre_len - 8; i++) pre[8 + i] = (unsigned char)(len >> (8 * i));
  fwrite(pre, 1, pre_len, f);
  fwrite(dict, 1, len, f);
  if (n) fwrite(data, 1, n, f);
  fclose(f);
}

#define D2 "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }\n"

static void expect_format_error(const char *path, const char *fragment) {
  rgrbm_dataset *ds = (rgrbm_dataset *)0x1;
  size_t before = rgrbm_memory_in_use();
  ck_assert_fails(rgrbm_dataset_load_npy(&ds, path), RGRBM_EFORMAT, "rgrbm_dataset_load_npy",
                  fragment);
  ck_assert_ptr_null(ds);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}

START_TEST(npy_loader_rejects_bad_files) {
  char path[512];
  rgrbm_test_tmpfile(path, sizeof path, "bad.npy");
  const int8_t good[6] = {1, -1, 1, -1, -1, 1};
  const int8_t binary[6] = {1, 0, 1, 0, 0, 1};

  write_npy(path, 1, D2, good, 6);
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_load_npy(&ds, path));
  rgrbm_dataset_destroy(ds);
  write_npy(path, 2, D2, good, 6);
  ck_assert_ok(rgrbm_dataset_load_npy(&ds, path));
  rgrbm_dataset_destroy(ds);

  FILE *f = fopen(path, "wb");
  fputs("PK\x03\x04 this is a zip file", f);
  fclose(f);
  expect_format_error(path, "wrong magic");
  /* One defect a row: the header's version and dict, the data, and what the
   * message must say. */
  static const int8_t seven[7] = {1, 1, 1, 1, 1, 1, 1};
#define HDR(descr, order, shape) \
  "{'descr': '" descr "', 'fortran_order': " order ", 'shape': " shape ", }\n"
  const struct {
    int major;
    const char *dict;
    const int8_t *data;
    size_t bytes;
    const char *fragment;
  } cases[] = {
      {4, D2, good, 6, "version 4.0"},
      {1, HDR("<f4", "False", "(2, 3)"), good, 6, "dtype '<f4'"},
      {1, HDR("|b1", "False", "(2, 3)"), good, 6, "dtype '|b1'"},
      {1, HDR("|i1", "True", "(2, 3)"), good, 6, "Fortran order"},
      {1, HDR("|i1", "False", "(6,)"), good, 6, "1 dimensions"},
      {1, HDR("|i1", "False", "(1, 2, 3, 1)"), good, 6, "4 dimensions"},
      {1, HDR("|i1", "False", "(2, 0)"), good, 0, "0 spins"},
      {1, D2, good, 5, "truncated"},
      {1, D2, good, 4, "truncated"},
      {1, D2, seven, 7, "trailing"},
      {1, D2, binary, 6, "configuration 0, site 1 holds 0"},
      {1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3)\n", good, 6, "malformed"},
      {1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), 'x': 1}\n", good, 6,
       "unknown or repeated key"},
      {1, "{'descr': '|i1', 'shape': (2, 3), }\n", good, 6, "required"},
      {1, HDR("|i1", "False", "(99999999999999999999, 3)"), good, 6, "too large"},
      /* Hostile shapes that would need exabytes: rejected against the file
       * length before any allocation (expect_format_error checks the count). */
      {1, HDR("|i1", "False", "(1000000000000, 1600)"), good, 6, "truncated"},
      {1, HDR("|i1", "False", "(4294967296, 4294967296, 1)"), good, 6, "lattice side too large"},
      {1, HDR("|i1", "False", "(65536, 65536, 4096)"), good, 6, "truncated"},
  };
#undef HDR
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    write_npy(path, cases[i].major, cases[i].dict, cases[i].data, cases[i].bytes);
    expect_format_error(path, cases[i].fragment);
  }
  /* A header length that points past the end of the file. */
  f = fopen(path, "wb");
  fwrite("\x93NUMPY\x02\x00\xff\xff\xff\x7f{", 1, 13, f);
  fclose(f);
  expect_format_error(path, "exceeds the file");
  f = fopen(path, "wb");
  fwrite("\x93NUMPY", 1, 6, f);
  fclose(f);
  expect_format_error(path, "too short");
}
END_TEST

START_TEST(npy_loader_survives_every_truncation) {
  char path[512], cut[512];
  rgrbm_test_tmpfile(path, sizeof path, "full.npy");
  rgrbm_test_tmpfile(cut, sizeof cut, "cut.npy");
  int8_t *in = random_spins(5 * 9, 4);
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, 9));
  ck_assert_ok(rgrbm_dataset_set_shape(ds, 3, 3));
  ck_assert_ok(rgrbm_dataset_append(ds, in, 5));
  ck_assert_ok(rgrbm_dataset_save_npy(ds, path));
  rgrbm_dataset_destroy(ds);
  FILE *f = fopen(path, "rb");
  unsigned char bytes[512];
  size_t n = fread(bytes, 1, sizeof bytes, f);
  fclose(f);
  ck_assert_uint_eq(n, 128 + 45); /* header padded to 64 bytes */
  for (size_t len = 0; len < n; len++) {
    f = fopen(cut, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
    rgrbm_dataset *out = NULL;
    int rc = rgrbm_dataset_load_npy(&out, cut);
    ck_assert_msg(rc == RGRBM_EFORMAT, "length %zu gave %d", len, rc);
    ck_assert_ptr_null(out);
  }
  free(in);
}
END_TEST

static Suite *dataset_suite(void) {
  Suite *s = suite_create("dataset");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, append_get_round_trip);
  tcase_add_test(tc, float_unpack_and_pack_agree);
  tcase_add_test(tc, paper_dataset_fits_in_4_5_MB);
  tcase_add_test(tc, shape_is_checked_and_kept);
  tcase_add_test(tc, bad_arguments_are_named);
  tcase_add_test(tc, npy_round_trip_2d_and_3d);
  tcase_add_test(tc, saved_files_get_ordinary_permissions);
  tcase_add_test(tc, npy_loader_rejects_bad_files);
  tcase_add_test(tc, npy_loader_survives_every_truncation);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(dataset_suite()); }
