/* Stack files: round trips, checksums, every corruption and truncation of a
 * small file, hostile sizes, atomic replacement and .npy export. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "crc32.h"
#include "file_testutil.h"
#include "npy.h"
#include "stack_fixtures.h"
#include "testutil.h"

/* The byte layout of docs/formats.md, for the tests that patch files. */
enum {
  OFF_VERSION = 8,
  OFF_UNITS = 12,
  OFF_NLEVELS = 16,
  OFF_RESERVED = 20,
  OFF_SIZES = 32,
  META_BYTES = 104, /* epochs done and the format-2 training record */
  META_BYTES_V1 = 100
};

static rgrbm_stack *small_stack(const int *sizes, int nlevels, rgrbm_units units) {
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, nlevels, units, 42));
  for (int l = 0; l < s->depth; l++) {
    for (int i = 0; i < sizes[l]; i++) s->vbias[l][i] = 0.25f * (float)i - 0.5f;
    for (int j = 0; j < sizes[l + 1]; j++) s->hbias[l][j] = -0.125f * (float)j;
    s->epochs_done[l] = 7 + l;
    s->trained_with[l] = (rgrbm__training_record){
        .trained = 1, .epochs = 10, .batch_size = 100, .k = 1 + l, .persistent = 1,
        .persistent_chains = 33, .learning_rate = 0.05 * (l + 1), .momentum_initial = 0.5,
        .momentum_final = 0.9, .momentum_switch_epoch = 5, .mean_field_reconstruction = 0,
        .l1 = 1e-4, .l2 = 2e-4, .feed_up = RGRBM_PASS_SAMPLES, .compute_pll = 1,
        .seed = UINT64_C(0xFEEDFACECAFEBEEF), .products = 1 + l % 2};
  }
  return s;
}

static void assert_same_stack(const rgrbm_stack *a, const rgrbm_stack *b) {
  assert_same_parameters(a, b);
  ck_assert_int_eq(a->units, b->units);
  ck_assert(a->seed == b->seed);
  ck_assert_mem_eq(a->sizes, b->sizes, (size_t)(a->depth + 1) * sizeof(int));
  for (int l = 0; l < a->depth; l++) {
    const rgrbm__training_record *x = &a->trained_with[l], *y = &b->trained_with[l];
    ck_assert_int_eq(x->trained, y->trained);
    ck_assert_int_eq(x->products, y->products);
    ck_assert_int_eq(x->epochs, y->epochs);
    ck_assert_uint_eq(x->batch_size, y->batch_size);
    ck_assert_int_eq(x->k, y->k);
    ck_assert_int_eq(x->persistent, y->persistent);
    ck_assert_uint_eq(x->persistent_chains, y->persistent_chains);
    ck_assert(x->learning_rate == y->learning_rate);
    ck_assert(x->momentum_initial == y->momentum_initial);
    ck_assert(x->momentum_final == y->momentum_final);
    ck_assert_int_eq(x->momentum_switch_epoch, y->momentum_switch_epoch);
    ck_assert(x->l1 == y->l1 && x->l2 == y->l2);
    ck_assert_int_eq(x->mean_field_reconstruction, y->mean_field_reconstruction);
    ck_assert_int_eq(x->feed_up, y->feed_up);
    ck_assert_int_eq(x->compute_pll, y->compute_pll);
    ck_assert(x->seed == y->seed);
  }
}

START_TEST(crc32_known_answers) {
  /* The CRC-32/ISO-HDLC check value, and chaining over a split input. */
  ck_assert_uint_eq(rgrbm__crc32(0, "123456789", 9), 0xCBF43926u);
  ck_assert_uint_eq(rgrbm__crc32(rgrbm__crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
  ck_assert_uint_eq(rgrbm__crc32(0, "", 0), 0u);
  ck_assert_uint_eq(rgrbm__crc32(0, "The quick brown fox jumps over the lazy dog", 43),
                    0x414FA339u);
}
END_TEST

START_TEST(round_trip_keeps_everything) {
  const int sizes[] = {7, 5, 3, 2};
  char path[512];
  rgrbm_test_tmpfile(path, sizeof path, "round.stack");
  for (int units = 0; units < 2; units++) {
    rgrbm_stack *s = small_stack(sizes, 4, (rgrbm_units)units), *back;
    memset(&s->trained_with[2], 0, sizeof s->trained_with[2]); /* a layer never trained */
    ck_assert_ok(rgrbm_stack_save(s, path));
    size_t before = rgrbm_memory_in_use();
    ck_assert_ok(rgrbm_stack_load(&back, path));
    assert_same_stack(s, back);
    rgrbm_stack_destroy(back);
    ck_assert_uint_eq(rgrbm_memory_in_use(), before);
    /* Saving the loaded copy writes the same bytes. */
    unsigned char first[4096], second[4096];
    size_t n = read_all(path, first, sizeof first);
    ck_assert_ok(rgrbm_stack_load(&back, path));
    ck_assert_ok(rgrbm_stack_save(back, path));
    ck_assert_uint_eq(read_all(path, second, sizeof second), n);
    ck_assert_mem_eq(first, second, n);
    /* The documented length: header, sizes, per layer 104 bytes of metadata
     * and the floats, the CRC. */
    ck_assert_uint_eq(
        n, 32 + 4 * 4 + 3 * 104 + 4 * (7 * 5 + 7 + 5 + 5 * 3 + 5 + 3 + 3 * 2 + 3 + 2) + 4);
    rgrbm_stack_destroy(back);
    rgrbm_stack_destroy(s);
  }
}
END_TEST

/* Save the 3-2 stack used by the corruption tests; returns its bytes. */
static size_t small_file(const char *path, unsigned char *buf, size_t cap) {
  const int sizes[] = {3, 2};
  rgrbm_stack *s = small_stack(sizes, 2, RGRBM_UNITS_BINARY);
  ck_assert_ok(rgrbm_stack_save(s, path));
  rgrbm_stack_destroy(s);
  return read_all(path, buf, cap);
}

static void expect_rejected(const char *path, const char *fragment) {
  rgrbm_stack *s = (rgrbm_stack *)0x1;
  size_t before = rgrbm_memory_in_use();
  ck_assert_fails(rgrbm_stack_load(&s, path), RGRBM_EFORMAT, "rgrbm_stack_load", fragment);
  ck_assert_ptr_null(s);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}

/* A small saved file, its bytes, and a second path for damaged copies. */
typedef struct damage_kit {
  char path[512], bad[512];
  unsigned char buf[1024];
  size_t n;
} damage_kit;

static void damage_kit_init(damage_kit *k, const char *stem) {
  char name[64];
  snprintf(name, sizeof name, "%s.stack", stem);
  rgrbm_test_tmpfile(k->path, sizeof k->path, name);
  snprintf(name, sizeof name, "%s-damaged.stack", stem);
  rgrbm_test_tmpfile(k->bad, sizeof k->bad, name);
  k->n = small_file(k->path, k->buf, sizeof k->buf);
}

START_TEST(every_byte_flip_and_truncation_is_rejected) {
  damage_kit k;
  damage_kit_init(&k, "small");
  const char *bad = k.bad;
  unsigned char *buf = k.buf;
  size_t n = k.n;
  ck_assert_uint_eq(n, 32 + 8 + 104 + 4 * (6 + 3 + 2) + 4);
  for (size_t i = 0; i < n; i++) {
    for (int pattern = 0; pattern < 2; pattern++) {
      unsigned char copy[1024];
      memcpy(copy, buf, n);
      copy[i] ^= pattern ? 0xFF : 0x01; /* a whole byte and its lowest bit */
      write_all(bad, copy, n);
      expect_rejected(bad, bad);
    }
  }
  for (size_t len = 0; len < n; len++) {
    write_all(bad, buf, len);
    expect_rejected(bad, bad);
  }
  buf[n] = 0;
  write_all(bad, buf, n + 1);
  expect_rejected(bad, "trailing bytes");
}
END_TEST

/* Patch a 32-bit field, fix the checksum, expect the named rejection. */
static void patch_and_expect(const char *bad, const unsigned char *buf, size_t n, size_t offset,
                             uint32_t value, const char *fragment) {
  write_patched(bad, buf, n, offset, value);
  expect_rejected(bad, fragment);
}

/* The format-1 file of the stack whose format-2 file is v2 (n bytes, level
 * sizes `sizes`): the same but for the version and each layer's products
 * field, which format 1 does not have. Returns its length. */
static size_t downgrade_to_format_1(const unsigned char *v2, size_t n, const int *sizes,
                                    int nlevels, unsigned char *v1) {
  size_t in = OFF_SIZES + 4 * (size_t)nlevels, out = in;
  memcpy(v1, v2, in);
  put_u32(v1 + OFF_VERSION, 1);
  for (int l = 0; l + 1 < nlevels; l++) {
    size_t floats = (size_t)sizes[l] * sizes[l + 1] + sizes[l] + sizes[l + 1];
    memcpy(v1 + out, v2 + in, META_BYTES_V1); /* the record without products */
    in += META_BYTES;
    out += META_BYTES_V1;
    memcpy(v1 + out, v2 + in, 4 * floats);
    in += 4 * floats;
    out += 4 * floats;
  }
  ck_assert_uint_eq(in + 4, n);
  fix_crc(v1, out + 4);
  return out + 4;
}

/* Files of format 1 (librgrbm 0.x: no products in the training record)
 * still load, every layer's products being RGRBM_PRODUCTS_AUTO; saving
 * them again writes format 2. */
START_TEST(format_1_files_still_load) {
  const int sizes[] = {7, 5, 3, 2};
  char path[512], old[512];
  rgrbm_test_tmpfile(path, sizeof path, "format2.stack");
  rgrbm_test_tmpfile(old, sizeof old, "format1.stack");
  rgrbm_stack *s = small_stack(sizes, 4, RGRBM_UNITS_SPIN), *back;
  ck_assert_ok(rgrbm_stack_save(s, path));
  unsigned char v2[4096], v1[4096];
  size_t n = read_all(path, v2, sizeof v2);
  ck_assert_uint_eq(v2[OFF_VERSION], 2);
  size_t n1 = downgrade_to_format_1(v2, n, sizes, 4, v1);
  ck_assert_uint_eq(n1, n - 3 * 4);
  write_all(old, v1, n1);
  ck_assert_ok(rgrbm_stack_load(&back, old));
  for (int l = 0; l < 3; l++) {
    ck_assert_int_ne(s->trained_with[l].products, RGRBM_PRODUCTS_AUTO);
    s->trained_with[l].products = RGRBM_PRODUCTS_AUTO;
  }
  assert_same_stack(s, back);
  ck_assert_ok(rgrbm_stack_save(back, old));
  ck_assert_uint_eq(read_all(old, v1, sizeof v1), n);
  ck_assert_uint_eq(v1[OFF_VERSION], 2);
  /* A format-1 file is checked as strictly: its record's fields too. */
  n1 = downgrade_to_format_1(v2, n, sizes, 4, v1);
  put_u32(v1 + OFF_SIZES + 16 + 4 + 20, 2); /* layer 0's persistent */
  fix_crc(v1, n1);
  write_all(old, v1, n1);
  expect_rejected(old, "option persistent");
  /* And a format-2 length is not a format-1 file. */
  memcpy(v1, v2, n);
  put_u32(v1 + OFF_VERSION, 1);
  fix_crc(v1, n);
  write_all(old, v1, n);
  expect_rejected(old, "trailing");
  rgrbm_stack_destroy(back);
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(hostile_headers_are_rejected_before_allocating) {
  damage_kit k;
  damage_kit_init(&k, "hostile");
  const char *bad = k.bad;
  const unsigned char *buf = k.buf;
  size_t n = k.n;
  patch_and_expect(bad, buf, n, OFF_VERSION, 3,
                   "unsupported stack format version 3 (this library reads 1 to 2)");
  patch_and_expect(bad, buf, n, OFF_VERSION, 0, "unsupported stack format version 0");
  patch_and_expect(bad, buf, n, OFF_VERSION, 0xFFFFFFFFu, "version 4294967295");
  patch_and_expect(bad, buf, n, OFF_UNITS, 2, "unknown units 2");
  patch_and_expect(bad, buf, n, OFF_NLEVELS, 0xFFFFFFFFu, "4294967295 levels do not fit");
  patch_and_expect(bad, buf, n, OFF_NLEVELS, 1, "1 levels");
  patch_and_expect(bad, buf, n, OFF_NLEVELS, 3, "need more than the file");
  patch_and_expect(bad, buf, n, OFF_RESERVED, 1, "reserved");
  /* Sizes that would need terabytes: refused against the 188-byte file (the
   * allocator counter is checked unchanged by expect_rejected, and under
   * ASan an attempt to allocate them would be reported). */
  patch_and_expect(bad, buf, n, OFF_SIZES, 0x7FFFFFFFu, "need more than the file");
  patch_and_expect(bad, buf, n, OFF_SIZES + 4, 0x7FFFFFFFu, "need more than the file");
  patch_and_expect(bad, buf, n, OFF_SIZES, 0xFFFFFFFFu, "sizes[0] = 4294967295 is out of range");
  patch_and_expect(bad, buf, n, OFF_SIZES + 4, 0, "sizes[1] = 0");
  patch_and_expect(bad, buf, n, OFF_SIZES, 2, "trailing");
  patch_and_expect(bad, buf, n, OFF_SIZES, 4, "need more than the file");
  /* Metadata that passes the checksum but not the loader. */
  const size_t meta = OFF_SIZES + 8;
  patch_and_expect(bad, buf, n, meta, 0x80000000u, "epochs done = 2147483648");
  patch_and_expect(bad, buf, n, meta + 4, 9, "option trained");
  patch_and_expect(bad, buf, n, meta + 4 + 96, 3, "option products");
  patch_and_expect(bad, buf, n, meta + 4 + 20, 2, "option persistent");
  patch_and_expect(bad, buf, n, meta + 4 + 80, 5, "option feed_up");
  patch_and_expect(bad, buf, n, meta + 4 + 84, 2, "option compute_pll");
  patch_and_expect(bad, buf, n, meta + 4 + 36, 0x7FF00000u, "option learning_rate");
  patch_and_expect(bad, buf, n, meta + META_BYTES, 0x7FC00000u, "weights hold a non-finite");
  patch_and_expect(bad, buf, n, n - 8, 0xFF800000u, "hidden biases hold a non-finite");
  /* A broken checksum alone. */
  unsigned char copy[1024];
  memcpy(copy, buf, n);
  copy[n - 1] ^= 0x80;
  write_all(bad, copy, n);
  expect_rejected(bad, "checksum mismatch");
  memcpy(copy, buf, n);
  copy[0] = 'X';
  write_all(bad, copy, n);
  expect_rejected(bad, "wrong magic");
}
END_TEST

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int count = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.') count++;
  closedir(d);
  return count;
}

START_TEST(failed_saves_leave_the_old_file) {
  char path[600], dir[512];
  rgrbm_test_tmpfile(dir, sizeof dir, "atomic");
  ck_assert_int_eq(mkdir(dir, 0700), 0);
  snprintf(path, sizeof path, "%s/model.stack", dir);
  unsigned char old[1024], now[1024];
  size_t n = small_file(path, old, sizeof old);
  const int sizes[] = {4, 3};
  rgrbm_stack *s = small_stack(sizes, 2, RGRBM_UNITS_SPIN);
  /* A NaN parameter: refused before the file is touched. */
  s->weights[0][5] = NAN;
  ck_assert_fails(rgrbm_stack_save(s, path), RGRBM_ENUMERIC, "rgrbm_stack_save",
                  "layer 0's weights", "index 5");
  ck_assert_uint_eq(read_all(path, now, sizeof now), n);
  ck_assert_mem_eq(old, now, n);
  s->weights[0][5] = 0.5f;
  /* The rename cannot replace a directory: the write fails after the
   * temporary file was complete, and the temporary file is removed. */
  char sub[600];
  snprintf(sub, sizeof sub, "%s/occupied", dir);
  ck_assert_int_eq(mkdir(sub, 0700), 0);
  size_t before = rgrbm_memory_in_use();
  ck_assert_fails(rgrbm_stack_save(s, sub), RGRBM_EIO, "rgrbm_stack_save", "occupied");
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  ck_assert_int_eq(count_entries(dir), 2);
  ck_assert_uint_eq(read_all(path, now, sizeof now), n);
  ck_assert_mem_eq(old, now, n);
  /* A successful save replaces the file whole. */
  ck_assert_ok(rgrbm_stack_save(s, path));
  rgrbm_stack *back;
  ck_assert_ok(rgrbm_stack_load(&back, path));
  assert_same_stack(s, back);
  ck_assert_int_eq(count_entries(dir), 2);
  rgrbm_stack_destroy(back);
  rgrbm_stack_destroy(s);
}
END_TEST

/* Read a float32 .npy file back with the library's own header parser. */
static void check_npy(const char *path, const float *want, uint64_t rows, uint64_t cols, int ndim) {
  FILE *f;
  uint64_t length;
  ck_assert_ok(rgrbm__open_for_read(path, "test", &f, &length));
  rgrbm__npy_header h;
  ck_assert_ok(rgrbm__npy_read_header(f, length, path, "test", &h));
  ck_assert_str_eq(h.descr, "<f4");
  ck_assert_int_eq(h.fortran_order, 0);
  ck_assert_int_eq(h.ndim, ndim);
  ck_assert_uint_eq(h.shape[0], rows);
  if (ndim == 2) ck_assert_uint_eq(h.shape[1], cols);
  size_t count = (size_t)(rows * cols);
  ck_assert_uint_eq(length, h.data_offset + 4 * count);
  float got[64];
  ck_assert_uint_eq(fread(got, sizeof(float), count, f), count);
  fclose(f);
  ck_assert_mem_eq(got, want, count * sizeof(float));
}

START_TEST(export_writes_every_layer) {
  const int sizes[] = {6, 4, 2};
  rgrbm_stack *s = small_stack(sizes, 3, RGRBM_UNITS_BINARY);
  char prefix[512], path[600];
  rgrbm_test_tmpfile(prefix, sizeof prefix, "export_");
  ck_assert_ok(rgrbm_stack_export_npy(s, prefix));
  for (int l = 0; l < 2; l++) {
    snprintf(path, sizeof path, "%sweights_%d.npy", prefix, l);
    check_npy(path, s->weights[l], (uint64_t)sizes[l], (uint64_t)sizes[l + 1], 2);
    snprintf(path, sizeof path, "%svisible_bias_%d.npy", prefix, l);
    check_npy(path, s->vbias[l], (uint64_t)sizes[l], 1, 1);
    snprintf(path, sizeof path, "%shidden_bias_%d.npy", prefix, l);
    check_npy(path, s->hbias[l], (uint64_t)sizes[l + 1], 1, 1);
  }
  ck_assert_fails(rgrbm_stack_export_npy(s, "/nonexistent-dir/x_"), RGRBM_EIO,
                  "rgrbm_stack_export_npy", "/nonexistent-dir/x_weights_0.npy");
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(bad_arguments_are_named) {
  const int sizes[] = {3, 2};
  rgrbm_stack *s = small_stack(sizes, 2, RGRBM_UNITS_BINARY), *out = (rgrbm_stack *)0x1;
  char path[512];
  rgrbm_test_tmpfile(path, sizeof path, "args.stack");
  ck_assert_fails(rgrbm_stack_save(NULL, path), RGRBM_EINVAL, "rgrbm_stack_save", "s is NULL");
  ck_assert_fails(rgrbm_stack_save(s, NULL), RGRBM_EINVAL, "rgrbm_stack_save", "path is NULL");
  ck_assert_fails(rgrbm_stack_save(s, "/nonexistent-dir/x.stack"), RGRBM_EIO,
                  "/nonexistent-dir/x.stack");
  ck_assert_fails(rgrbm_stack_load(NULL, path), RGRBM_EINVAL, "rgrbm_stack_load", "out is NULL");
  ck_assert_fails(rgrbm_stack_load(&out, NULL), RGRBM_EINVAL, "path is NULL");
  ck_assert_ptr_null(out);
  out = (rgrbm_stack *)0x1;
  ck_assert_fails(rgrbm_stack_load(&out, "/nonexistent-dir/x.stack"), RGRBM_EIO, "cannot open",
                  "/nonexistent-dir/x.stack");
  ck_assert_ptr_null(out);
  ck_assert_fails(rgrbm_stack_load(&out, "/"), RGRBM_EIO, "not a regular file");
  ck_assert_fails(rgrbm_stack_export_npy(NULL, "x_"), RGRBM_EINVAL, "rgrbm_stack_export_npy",
                  "s is NULL");
  ck_assert_fails(rgrbm_stack_export_npy(s, NULL), RGRBM_EINVAL, "prefix is NULL");
  /* A .npy file is not a stack file. */
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, 3));
  ck_assert_ok(rgrbm_dataset_save_npy(ds, path));
  rgrbm_dataset_destroy(ds);
  expect_rejected(path, "wrong magic");
  rgrbm_stack_destroy(s);
}
END_TEST

static Suite *stack_io_suite(void) {
  Suite *s = suite_create("stack_io");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, crc32_known_answers);
  tcase_add_test(tc, round_trip_keeps_everything);
  tcase_add_test(tc, format_1_files_still_load);
  tcase_add_test(tc, every_byte_flip_and_truncation_is_rejected);
  tcase_add_test(tc, hostile_headers_are_rejected_before_allocating);
  tcase_add_test(tc, failed_saves_leave_the_old_file);
  tcase_add_test(tc, export_writes_every_layer);
  tcase_add_test(tc, bad_arguments_are_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(stack_io_suite()); }
