/* Packed spin datasets and their .npy files. */
#include "dataset.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "alloc.h"
#include "atomic_file.h"
#include "cpu.h"
#include "fail.h"
#include "npy.h"

enum { WORD_BITS = 64 };
/* Rows are converted to and from int8 in chunks of about this many bytes. */
enum { IO_CHUNK_BYTES = 1 << 20 };
#define MAX_DIM ((size_t)1 << 40) /* spins a configuration */

/* An empty dataset of dim spins a configuration (dim checked by the caller). */
static rgrbm_dataset *dataset_new(size_t dim) {
  rgrbm_dataset *ds = rgrbm__calloc(1, sizeof *ds);
  if (ds == NULL) return NULL;
  ds->dim = dim;
  ds->words_per_row = (dim + WORD_BITS - 1) / WORD_BITS;
  return ds;
}

int rgrbm_dataset_create(rgrbm_dataset **out, size_t dim) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  if (dim == 0)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "dim = 0, a configuration needs at least 1 spin");
  if (dim > MAX_DIM)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "dim = %zu exceeds the limit of 2^40 spins", dim);
  rgrbm_dataset *ds = dataset_new(dim);
  if (ds == NULL) return RGRBM_FAIL_NOMEM("the dataset", sizeof *ds);
  *out = ds;
  return RGRBM_OK;
}

void rgrbm_dataset_destroy(rgrbm_dataset *ds) {
  if (ds == NULL) return;
  rgrbm__free(ds->bits);
  rgrbm__free(ds);
}

/* Getters (docs/conventions.md, "Getters and results"): the value itself;
 * 0, with the message set, for a NULL dataset. */

size_t rgrbm_dataset_count(const rgrbm_dataset *ds) {
  if (ds == NULL) {
    rgrbm__fail(RGRBM_EINVAL, __func__, "ds is NULL");
    return 0;
  }
  return ds->count;
}

size_t rgrbm_dataset_dim(const rgrbm_dataset *ds) {
  if (ds == NULL) {
    rgrbm__fail(RGRBM_EINVAL, __func__, "ds is NULL");
    return 0;
  }
  return ds->dim;
}

int rgrbm_dataset_set_shape(rgrbm_dataset *ds, int lx, int ly) {
  RGRBM_REQUIRE_NONNULL(ds);
  if (lx < 1 || ly < 1)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "lx = %d, ly = %d, both must be at least 1", lx,
                       ly);
  if ((uint64_t)lx * (uint64_t)ly != ds->dim)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "lx * ly = %d * %d != dim = %zu", lx, ly, ds->dim);
  ds->lx = lx;
  ds->ly = ly;
  return RGRBM_OK;
}

int rgrbm_dataset_shape(const rgrbm_dataset *ds, int *lx, int *ly) {
  RGRBM_REQUIRE_NONNULL(ds);
  if (lx) *lx = ds->lx;
  if (ly) *ly = ds->ly;
  return RGRBM_OK;
}

/* Resize the storage to exactly capacity rows. */
static int set_capacity(rgrbm_dataset *ds, size_t capacity, const char *func) {
  int overflow = 0;
  size_t words = rgrbm__mul_size(capacity, ds->words_per_row, &overflow);
  size_t bytes = rgrbm__mul_size(words, sizeof(uint64_t), &overflow);
  if (overflow)
    return rgrbm__fail(RGRBM_EINVAL, func, "%zu configurations of dim %zu overflow size_t",
                       capacity, ds->dim);
  uint64_t *bits = rgrbm__realloc(ds->bits, bytes);
  if (bits == NULL)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes for %zu configurations",
                       bytes, capacity);
  ds->bits = bits;
  ds->capacity = capacity;
  return RGRBM_OK;
}

int rgrbm__dataset_grow(rgrbm_dataset *ds, size_t extra, const char *func) {
  if (extra > SIZE_MAX - ds->count)
    return rgrbm__fail(RGRBM_EINVAL, func, "count = %zu overflows the dataset", extra);
  size_t need = ds->count + extra;
  if (need <= ds->capacity) return RGRBM_OK;
  /* Grow by 1/8 so that repeated appends stay amortized O(1) while the
   * overshoot stays small (the paper's data set must fit in 4.5 MB). */
  size_t step = ds->capacity / 8 + 16;
  size_t target = ds->capacity > SIZE_MAX - step ? SIZE_MAX : ds->capacity + step;
  if (target < need) target = need;
  int rc = set_capacity(ds, target, func);
  if (rc == RGRBM_ENOMEM && target > need) rc = set_capacity(ds, need, func);
  return rc;
}

int rgrbm_dataset_reserve(rgrbm_dataset *ds, size_t count) {
  RGRBM_REQUIRE_NONNULL(ds);
  if (count <= ds->capacity) return RGRBM_OK;
  return set_capacity(ds, count, __func__);
}

int rgrbm_dataset_clear(rgrbm_dataset *ds) {
  RGRBM_REQUIRE_NONNULL(ds);
  ds->count = 0;
  return RGRBM_OK;
}

static void pack_row(const int8_t *spins, size_t dim, uint64_t *row) {
  size_t words = (dim + WORD_BITS - 1) / WORD_BITS;
  for (size_t w = 0; w < words; w++) {
    size_t base = w * WORD_BITS;
    size_t n = dim - base < WORD_BITS ? dim - base : WORD_BITS;
    uint64_t bits = 0;
    for (size_t k = 0; k < n; k++) bits |= (uint64_t)(spins[base + k] > 0) << k;
    row[w] = bits;
  }
}

static void unpack_row_int8(const uint64_t *row, size_t dim, int8_t *out) {
  for (size_t j = 0; j < dim; j++)
    out[j] = (int8_t)(((row[j / WORD_BITS] >> (j % WORD_BITS)) & 1) ? 1 : -1);
}

/* Index of the first value that is not -1/+1, or n if all are. */
static size_t first_non_spin(const int8_t *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (v[i] != 1 && v[i] != -1) return i;
  return n;
}

int rgrbm_dataset_append(rgrbm_dataset *ds, const int8_t *spins, size_t count) {
  RGRBM_REQUIRE_NONNULL(ds);
  RGRBM_REQUIRE_NONNULL(spins);
  int overflow = 0;
  size_t total = rgrbm__mul_size(count, ds->dim, &overflow);
  if (overflow)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "count * dim = %zu * %zu overflows size_t", count,
                       ds->dim);
  size_t bad = first_non_spin(spins, total);
  if (bad < total)
    return rgrbm__fail(RGRBM_EINVAL, __func__,
                       "spins[%zu] = %d (configuration %zu, site %zu), spins must be -1 or +1",
                       bad, spins[bad], bad / ds->dim, bad % ds->dim);
  int rc = rgrbm__dataset_grow(ds, count, __func__);
  if (rc != RGRBM_OK) return rc;
  for (size_t i = 0; i < count; i++)
    pack_row(spins + i * ds->dim, ds->dim, ds->bits + (ds->count + i) * ds->words_per_row);
  ds->count += count;
  return RGRBM_OK;
}

int rgrbm_dataset_get(const rgrbm_dataset *ds, size_t first, size_t count, int8_t *out) {
  RGRBM_REQUIRE_NONNULL(ds);
  RGRBM_REQUIRE_NONNULL(out);
  if (first > ds->count || count > ds->count - first)
    return rgrbm__fail(RGRBM_EINVAL, __func__,
                       "first = %zu, count = %zu: past the end of a dataset of %zu", first, count,
                       ds->count);
  for (size_t i = 0; i < count; i++)
    unpack_row_int8(rgrbm__dataset_row(ds, first + i), ds->dim, out + i * ds->dim);
  return RGRBM_OK;
}

/* The unpacking of every training batch: entries [from, dim) of one row. */
static void unpack_float_generic(const uint64_t *row, size_t from, size_t dim, float minus,
                                 float plus, float *out) {
  for (size_t i = from; i < dim; i++)
    out[i] = ((row[i / WORD_BITS] >> (i % WORD_BITS)) & 1) ? plus : minus;
}

#if RGRBM__X86_64
#include <immintrin.h>

/* Eight entries a step: a byte of the row broadcast, tested lane by lane. */
RGRBM__TARGET_AVX2 static void unpack_float_avx2(const uint64_t *row, size_t from, size_t dim,
                                                 float minus, float plus, float *out) {
  const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256 lo = _mm256_set1_ps(minus), hi = _mm256_set1_ps(plus);
  size_t i = from;
  for (; i + 8 <= dim; i += 8) {
    const int byte = (int)((row[i / WORD_BITS] >> (i % WORD_BITS)) & 0xFF);
    __m256i bit = _mm256_and_si256(_mm256_set1_epi32(byte), lane_bit);
    __m256 set = _mm256_castsi256_ps(_mm256_cmpeq_epi32(bit, lane_bit));
    _mm256_storeu_ps(out + i, _mm256_blendv_ps(lo, hi, set));
  }
  unpack_float_generic(row, i, dim, minus, plus, out);
}

/* Sixteen entries a step: sixteen bits of the row are the blend's mask. */
RGRBM__TARGET_AVX512 static void unpack_float_avx512(const uint64_t *row, size_t from,
                                                     size_t dim, float minus, float plus,
                                                     float *out) {
  const __m512 lo = _mm512_set1_ps(minus), hi = _mm512_set1_ps(plus);
  size_t i = from;
  for (; i + 16 <= dim; i += 16) {
    const __mmask16 set = (__mmask16)(row[i / WORD_BITS] >> (i % WORD_BITS));
    _mm512_storeu_ps(out + i, _mm512_mask_blend_ps(set, lo, hi));
  }
  unpack_float_generic(row, i, dim, minus, plus, out);
}
#endif

typedef void (*unpack_float_fn)(const uint64_t *row, size_t from, size_t dim, float minus,
                                float plus, float *out);

static unpack_float_fn unpack_float_for(rgrbm__isa isa) {
#if RGRBM__X86_64
  if (isa >= RGRBM__ISA_AVX512) return unpack_float_avx512;
  if (isa >= RGRBM__ISA_AVX2) return unpack_float_avx2;
#endif
  (void)isa;
  return unpack_float_generic;
}

void rgrbm__dataset_unpack_float(const rgrbm_dataset *ds, const size_t *rows, size_t first,
                                 size_t n, float minus, float plus, float *out) {
  const unpack_float_fn unpack = unpack_float_for(rgrbm__cpu_isa());
  for (size_t i = 0; i < n; i++)
    unpack(rgrbm__dataset_row(ds, rows ? rows[i] : first + i), 0, ds->dim, minus, plus,
           out + i * ds->dim);
}

int rgrbm__dataset_append_float(rgrbm_dataset *ds, const float *x, size_t n, float threshold) {
  int rc = rgrbm__dataset_grow(ds, n, __func__);
  if (rc != RGRBM_OK) return rc;
  const size_t dim = ds->dim;
  for (size_t i = 0; i < n; i++) {
    uint64_t *row = ds->bits + (ds->count + i) * ds->words_per_row;
    const float *xi = x + i * dim;
    for (size_t base = 0; base < dim; base += WORD_BITS) {
      size_t m = dim - base < WORD_BITS ? dim - base : WORD_BITS;
      uint64_t bits = 0;
      for (size_t k = 0; k < m; k++) bits |= (uint64_t)(xi[base + k] > threshold) << k;
      row[base / WORD_BITS] = bits;
    }
  }
  ds->count += n;
  return RGRBM_OK;
}

/* Rows per conversion chunk: about IO_CHUNK_BYTES of int8, at least one. */
static size_t rows_per_chunk(size_t dim) {
  size_t rows = IO_CHUNK_BYTES / dim;
  return rows ? rows : 1;
}

int rgrbm_dataset_save_npy(const rgrbm_dataset *ds, const char *path) {
  RGRBM_REQUIRE_NONNULL(ds);
  RGRBM_REQUIRE_NONNULL(path);
  uint64_t shape[3] = {ds->count, ds->dim, 0};
  int ndim = 2;
  if (ds->lx > 0) {
    shape[1] = (uint64_t)ds->ly;
    shape[2] = (uint64_t)ds->lx;
    ndim = 3;
  }
  size_t chunk = rows_per_chunk(ds->dim);
  int8_t *buf = rgrbm__alloc(chunk * ds->dim);
  if (buf == NULL) return RGRBM_FAIL_NOMEM("the write buffer", chunk * ds->dim);
  rgrbm__atomic_file af;
  int rc = rgrbm__atomic_open(&af, path, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__npy_write_header(&af, "|i1", shape, ndim);
  for (size_t first = 0; rc == RGRBM_OK && first < ds->count; first += chunk) {
    size_t n = ds->count - first < chunk ? ds->count - first : chunk;
    for (size_t i = 0; i < n; i++)
      unpack_row_int8(rgrbm__dataset_row(ds, first + i), ds->dim, buf + i * ds->dim);
    rc = rgrbm__atomic_write(&af, buf, n * ds->dim);
  }
  rgrbm__free(buf);
  if (rc == RGRBM_OK) return rgrbm__atomic_commit(&af);
  if (af.tmp_path) rgrbm__atomic_abort(&af);
  return rc;
}

static int is_int8_descr(const char *d) {
  return strcmp(d, "|i1") == 0 || strcmp(d, "<i1") == 0 || strcmp(d, ">i1") == 0 ||
         strcmp(d, "i1") == 0;
}

/* Check dtype, order and shape; give the row count and row length. */
static int check_header(const rgrbm__npy_header *h, uint64_t length, const char *path,
                        const char *func, size_t *count, size_t *dim, int *lx, int *ly) {
  if (!is_int8_descr(h->descr))
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': dtype '%s' is not supported, spins must be int8",
                       path, h->descr);
  if (h->fortran_order)
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': Fortran order is not supported, save C order",
                       path);
  if (h->ndim != 2 && h->ndim != 3)
    return rgrbm__fail(RGRBM_EFORMAT, func,
                       "'%s': shape has %d dimensions, expected (N, dim) or (N, ly, lx)", path,
                       h->ndim);
  uint64_t row = h->shape[1];
  if (h->ndim == 3) {
    if (h->shape[1] > INT32_MAX || h->shape[2] > INT32_MAX)
      return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': lattice side too large", path);
    row = h->shape[1] * h->shape[2];
  }
  if (row == 0)
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': configurations of 0 spins", path);
  if (row > MAX_DIM)
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': configurations of %" PRIu64
                       " spins exceed the limit of 2^40", path, row);
  uint64_t available = length - h->data_offset;
  if (h->shape[0] > available / row)
    return rgrbm__fail(RGRBM_EFORMAT, func,
                       "'%s': truncated, shape needs %" PRIu64 " x %" PRIu64
                       " bytes but the file has %" PRIu64,
                       path, h->shape[0], row, available);
  if (h->shape[0] * row != available)
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': %" PRIu64 " bytes of trailing data", path,
                       available - h->shape[0] * row);
  *count = (size_t)h->shape[0];
  *dim = (size_t)row;
  *lx = h->ndim == 3 ? (int)h->shape[2] : 0;
  *ly = h->ndim == 3 ? (int)h->shape[1] : 0;
  return RGRBM_OK;
}

/* Read, validate and pack the array data. */
static int read_rows(FILE *fp, rgrbm_dataset *ds, size_t count, const char *path,
                     const char *func) {
  size_t chunk = rows_per_chunk(ds->dim);
  int8_t *buf = rgrbm__alloc(chunk * ds->dim);
  if (buf == NULL) return RGRBM_FAIL_NOMEM_IN(func, "the read buffer", chunk * ds->dim);
  int rc = RGRBM_OK;
  for (size_t first = 0; rc == RGRBM_OK && first < count; first += chunk) {
    size_t n = count - first < chunk ? count - first : chunk;
    size_t bytes = n * ds->dim;
    if (fread(buf, 1, bytes, fp) != bytes) {
      rc = rgrbm__fail(RGRBM_EIO, func, "cannot read '%s': %s", path,
                       ferror(fp) ? strerror(errno) : "unexpected end of file");
      break;
    }
    size_t bad = first_non_spin(buf, bytes);
    if (bad < bytes) {
      rc = rgrbm__fail(RGRBM_EFORMAT, func,
                       "'%s': configuration %zu, site %zu holds %d; spins must be -1 or +1 "
                       "({0,1} data: save 2*x - 1)",
                       path, first + bad / ds->dim, bad % ds->dim, buf[bad]);
      break;
    }
    for (size_t i = 0; i < n; i++)
      pack_row(buf + i * ds->dim, ds->dim, ds->bits + (first + i) * ds->words_per_row);
  }
  rgrbm__free(buf);
  return rc;
}

int rgrbm_dataset_load_npy(rgrbm_dataset **out, const char *path) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(path);
  FILE *fp;
  uint64_t length;
  int rc = rgrbm__open_for_read(path, __func__, &fp, &length);
  if (rc != RGRBM_OK) return rc;
  rgrbm__npy_header h;
  size_t count = 0, dim = 0;
  int lx = 0, ly = 0;
  rgrbm_dataset *ds = NULL;
  rc = rgrbm__npy_read_header(fp, length, path, __func__, &h);
  if (rc == RGRBM_OK) rc = check_header(&h, length, path, __func__, &count, &dim, &lx, &ly);
  if (rc == RGRBM_OK && (ds = dataset_new(dim)) == NULL)
    rc = RGRBM_FAIL_NOMEM("the dataset", sizeof *ds);
  if (rc == RGRBM_OK) rc = set_capacity(ds, count, __func__);
  if (rc == RGRBM_OK) rc = read_rows(fp, ds, count, path, __func__);
  fclose(fp);
  if (rc != RGRBM_OK) {
    rgrbm_dataset_destroy(ds);
    return rc;
  }
  ds->count = count;
  ds->lx = lx;
  ds->ly = ly;
  *out = ds;
  return RGRBM_OK;
}
