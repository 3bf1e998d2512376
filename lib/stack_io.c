/* The stack file: a fixed header, the level sizes, one record per layer
 * (training metadata, weights, biases) and a CRC-32 trailer. Format 3, for
 * models other than stacks, names the model's kind in the header's formerly
 * reserved field: kind 1 is a translation-invariant layer (rgrbm/conv.h),
 * whose body is its shape, training record, filter and biases. docs/formats.md
 * has the byte layout; the field table below is its single source here. */
#include "rgrbm/stack.h"
#include "rgrbm/conv.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "atomic_file.h"
#include "conv.h"
#include "crc32.h"
#include "fail.h"
#include "npy.h"
#include "stack.h"

static const unsigned char STACK_MAGIC[8] = {'R', 'G', 'R', 'B', 'M', 'S', 'T', 'K'};
enum {
  HEADER_BYTES = 32, /* magic, version, units, nlevels, reserved (format 3: kind), seed */
  CRC_BYTES = 4,
  EPOCHS_BYTES = 4,
  NEWEST_FORMAT = RGRBM_CONV_FORMAT_VERSION, /* the newest this library reads */
  CONV_SHAPE_BYTES = 12 /* a layer's f, b and epochs done */
};

/* Model kinds: format 3's header offset 20 holds KIND_CONV, formats 1 and 2
 * (stacks) a reserved 0. */
enum { KIND_STACK = 0, KIND_CONV = 1 };

/* ---- little-endian encoding ------------------------------------------- */

static void put_le(unsigned char *b, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *b, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | b[i];
  return v;
}

/* ---- the training record -------------------------------------------- */

/* How a field of the training record (lib/stack.h) is stored and which
 * values a loader accepts. Flags are normalized to 0/1 on writing so that
 * every stack the library can hold also loads. */
typedef enum field_kind {
  KIND_TRAINED,  /* uint32: 0 (never trained) or 1 */
  KIND_COUNT,    /* int32 >= 0 */
  KIND_FLAG,     /* int32 0 or 1 */
  KIND_PASS,     /* int32 rgrbm_pass */
  KIND_PRODUCTS, /* int32 rgrbm_products: 0, 1 or 2 */
  KIND_SIZE,     /* uint64 that fits a size_t */
  KIND_SEED,     /* uint64, any */
  KIND_REAL      /* IEEE-754 binary64, finite */
} field_kind;

typedef struct record_field {
  size_t offset;
  field_kind kind;
  const char *name;
  unsigned since; /* the first file format version that stores it */
} record_field;

#define RECORD_FIELD(member, kind, since) \
  { offsetof(rgrbm__training_record, member), kind, #member, since }

/* File order of the record; docs/formats.md lists the same table. Format 2
 * appends fields, so a format-1 record is a prefix of a format-2 one and
 * the fields it lacks keep 0 (products: RGRBM_PRODUCTS_AUTO). Format 3
 * (translation-invariant layers) stores the format-2 record; a field for a
 * later format gets the `since` of that format. */
static const record_field RECORD_FIELDS[] = {
    RECORD_FIELD(trained, KIND_TRAINED, 1),
    RECORD_FIELD(epochs, KIND_COUNT, 1),
    RECORD_FIELD(batch_size, KIND_SIZE, 1),
    RECORD_FIELD(k, KIND_COUNT, 1),
    RECORD_FIELD(persistent, KIND_FLAG, 1),
    RECORD_FIELD(persistent_chains, KIND_SIZE, 1),
    RECORD_FIELD(learning_rate, KIND_REAL, 1),
    RECORD_FIELD(momentum_initial, KIND_REAL, 1),
    RECORD_FIELD(momentum_final, KIND_REAL, 1),
    RECORD_FIELD(momentum_switch_epoch, KIND_COUNT, 1),
    RECORD_FIELD(mean_field_reconstruction, KIND_FLAG, 1),
    RECORD_FIELD(l1, KIND_REAL, 1),
    RECORD_FIELD(l2, KIND_REAL, 1),
    RECORD_FIELD(feed_up, KIND_PASS, 1),
    RECORD_FIELD(compute_pll, KIND_FLAG, 1),
    RECORD_FIELD(seed, KIND_SEED, 1),
    RECORD_FIELD(products, KIND_PRODUCTS, 2),
};
enum { RECORD_FIELD_COUNT = sizeof RECORD_FIELDS / sizeof RECORD_FIELDS[0] };

static int field_bytes(field_kind kind) {
  return kind == KIND_SIZE || kind == KIND_SEED || kind == KIND_REAL ? 8 : 4;
}

static size_t record_bytes(unsigned format) {
  size_t n = 0;
  for (int i = 0; i < RECORD_FIELD_COUNT; i++)
    if (RECORD_FIELDS[i].since <= format) n += (size_t)field_bytes(RECORD_FIELDS[i].kind);
  return n;
}

static uint64_t encode_field(const rgrbm__training_record *o, const record_field *f) {
  const char *p = (const char *)o + f->offset;
  switch (f->kind) {
    case KIND_TRAINED:
    case KIND_FLAG:
      return *(const int *)p != 0;
    case KIND_COUNT:
    case KIND_PRODUCTS:
      return (uint32_t) * (const int *)p;
    case KIND_PASS:
      return (uint32_t) * (const rgrbm_pass *)p;
    case KIND_SIZE:
      return *(const size_t *)p;
    case KIND_SEED:
      return *(const uint64_t *)p;
    case KIND_REAL: {
      uint64_t bits;
      memcpy(&bits, p, sizeof bits);
      return bits;
    }
  }
  return 0;
}

/* Writes format `format`'s record (record_bytes(format) bytes). */
static void encode_record(const rgrbm__training_record *o, unsigned format, unsigned char *b) {
  for (int i = 0; i < RECORD_FIELD_COUNT; i++) {
    if (RECORD_FIELDS[i].since > format) continue;
    int n = field_bytes(RECORD_FIELDS[i].kind);
    put_le(b, encode_field(o, &RECORD_FIELDS[i]), n);
    b += n;
  }
}

/* Store one decoded field, or return 0 when its value is not acceptable. */
static int decode_field(rgrbm__training_record *o, const record_field *f, uint64_t v) {
  char *p = (char *)o + f->offset;
  switch (f->kind) {
    case KIND_TRAINED:
    case KIND_FLAG:
      if (v > 1) return 0;
      *(int *)p = (int)v;
      return 1;
    case KIND_COUNT:
      if (v > INT_MAX) return 0;
      *(int *)p = (int)v;
      return 1;
    case KIND_PRODUCTS:
      if (v > 2) return 0; /* RGRBM_PRODUCTS_AUTO, _SGEMM, _TABLES */
      *(int *)p = (int)v;
      return 1;
    case KIND_PASS:
      if (v != RGRBM_PASS_MEANS && v != RGRBM_PASS_SAMPLES) return 0;
      *(rgrbm_pass *)p = (rgrbm_pass)v;
      return 1;
    case KIND_SIZE:
      if (v > SIZE_MAX) return 0;
      *(size_t *)p = (size_t)v;
      return 1;
    case KIND_SEED:
      *(uint64_t *)p = v;
      return 1;
    case KIND_REAL: {
      double d;
      memcpy(&d, &v, sizeof d);
      if (!isfinite(d)) return 0;
      *(double *)p = d;
      return 1;
    }
  }
  return 0;
}

static int decode_record(const unsigned char *b, unsigned format, int layer, const char *path,
                         const char *func, rgrbm__training_record *o) {
  memset(o, 0, sizeof *o);
  for (int i = 0; i < RECORD_FIELD_COUNT; i++) {
    if (RECORD_FIELDS[i].since > format) continue;
    int n = field_bytes(RECORD_FIELDS[i].kind);
    uint64_t v = get_le(b, n);
    if (!decode_field(o, &RECORD_FIELDS[i], v))
      return rgrbm__fail(RGRBM_EFORMAT, func,
                         "'%s': layer %d's training option %s holds an invalid value (0x%" PRIx64
                         ")",
                         path, layer, RECORD_FIELDS[i].name, v);
    b += n;
  }
  return RGRBM_OK;
}

/* ---- layer geometry ---------------------------------------------------- */

static size_t layer_meta_bytes(unsigned format) { return EPOCHS_BYTES + record_bytes(format); }

/* The three parameter arrays of a layer, in file order. */
typedef struct layer_arrays {
  float *data[3];
  size_t count[3];
} layer_arrays;

static const char *const ARRAY_NAMES[3] = {"weights", "visible biases", "hidden biases"};

static layer_arrays arrays_of(const rgrbm_stack *s, int l) {
  size_t nv = (size_t)s->sizes[l], nh = (size_t)s->sizes[l + 1];
  layer_arrays a = {{s->weights[l], s->vbias[l], s->hbias[l]}, {nv * nh, nv, nh}};
  return a;
}

/* Locate the first NaN or infinity among the parameters; 0 if there is none. */
static int find_non_finite(const rgrbm_stack *s, int *layer, int *array, size_t *index) {
  for (int l = 0; l < s->depth; l++) {
    layer_arrays a = arrays_of(s, l);
    for (int k = 0; k < 3; k++)
      for (size_t i = 0; i < a.count[k]; i++)
        if (!isfinite(a.data[k][i])) {
          *layer = l;
          *array = k;
          *index = i;
          return 1;
        }
  }
  return 0;
}

/* ---- saving ----------------------------------------------------------- */

typedef struct writer {
  rgrbm__atomic_file af;
  uint32_t crc;
} writer;

static int put(writer *w, const void *data, size_t n) {
  w->crc = rgrbm__crc32(w->crc, data, n);
  return rgrbm__atomic_write(&w->af, data, n);
}

/* The header every kind of model starts with (docs/formats.md); kind is 0
 * in formats 1 and 2 (a stack), KIND_CONV in format 3. */
static void encode_header(unsigned char *h, unsigned format, rgrbm_units units,
                          uint32_t nlevels, uint32_t kind, uint64_t seed) {
  memcpy(h, STACK_MAGIC, sizeof STACK_MAGIC);
  put_le(h + 8, format, 4);
  put_le(h + 12, (uint32_t)units, 4);
  put_le(h + 16, nlevels, 4);
  put_le(h + 20, kind, 4);
  put_le(h + 24, seed, 8);
}

/* Writes path atomically: write_model(w, model), then the CRC of all of it. */
static int save_file(const char *path, const char *func,
                     int (*write_model)(writer *w, const void *model), const void *model) {
  writer w = {.crc = 0};
  int rc = rgrbm__atomic_open(&w.af, path, func);
  if (rc != RGRBM_OK) return rc;
  rc = write_model(&w, model);
  if (rc == RGRBM_OK) {
    unsigned char trailer[CRC_BYTES];
    put_le(trailer, w.crc, CRC_BYTES);
    rc = rgrbm__atomic_write(&w.af, trailer, sizeof trailer);
  }
  if (rc != RGRBM_OK) {
    rgrbm__atomic_abort(&w.af);
    return rc;
  }
  return rgrbm__atomic_commit(&w.af);
}

static int write_header(writer *w, const rgrbm_stack *s) {
  unsigned char h[HEADER_BYTES];
  encode_header(h, RGRBM_STACK_FORMAT_VERSION, s->units, (uint32_t)(s->depth + 1), 0, s->seed);
  int rc = put(w, h, sizeof h);
  for (int i = 0; rc == RGRBM_OK && i <= s->depth; i++) {
    unsigned char b[4];
    put_le(b, (uint32_t)s->sizes[i], 4);
    rc = put(w, b, sizeof b);
  }
  return rc;
}

static int write_layer(writer *w, const rgrbm_stack *s, int l) {
  unsigned char meta[128];
  put_le(meta, (uint32_t)s->epochs_done[l], EPOCHS_BYTES);
  encode_record(&s->trained_with[l], RGRBM_STACK_FORMAT_VERSION, meta + EPOCHS_BYTES);
  int rc = put(w, meta, layer_meta_bytes(RGRBM_STACK_FORMAT_VERSION));
  layer_arrays a = arrays_of(s, l);
  /* Floats are IEEE-754 binary32 and the build only targets little-endian
   * hosts, so the arrays go out as they lie in memory. */
  for (int k = 0; rc == RGRBM_OK && k < 3; k++) rc = put(w, a.data[k], a.count[k] * sizeof(float));
  return rc;
}

static int write_stack(writer *w, const void *model) {
  const rgrbm_stack *s = model;
  int rc = write_header(w, s);
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++) rc = write_layer(w, s, l);
  return rc;
}

int rgrbm_stack_save(const rgrbm_stack *s, const char *path) {
  RGRBM_REQUIRE_NONNULL(s);
  RGRBM_REQUIRE_NONNULL(path);
  int layer, array;
  size_t index;
  if (find_non_finite(s, &layer, &array, &index))
    return rgrbm__fail(RGRBM_ENUMERIC, __func__,
                       "s: layer %d's %s hold a NaN or infinity at index %zu", layer,
                       ARRAY_NAMES[array], index);
  return save_file(path, __func__, write_stack, s);
}

/* ---- loading ---------------------------------------------------------- */

typedef struct reader {
  FILE *fp;
  uint64_t length;
  uint32_t crc;
  const char *path;
  const char *func;
  unsigned format; /* the file's format version, once the header is read */
} reader;

/* The length was checked before any read, so a short read is an I/O error
 * (or the file changing underneath), not a format defect. */
static int get(reader *r, void *data, size_t n) {
  if (n != 0 && fread(data, 1, n, r->fp) != n)
    return rgrbm__fail(RGRBM_EIO, r->func, "cannot read '%s' (did it change while loading?)",
                       r->path);
  r->crc = rgrbm__crc32(r->crc, data, n);
  return RGRBM_OK;
}

static int bad_file(const reader *r, const char *what) {
  return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': %s", r->path, what);
}

/* Format 3 exists for models other than stacks, which are written in
 * format 2: its header's formerly reserved field names the kind, and the
 * only kind defined is KIND_CONV. want is the caller's kind (KIND_STACK for
 * rgrbm_stack_load); a file of the other loader's kind is refused naming
 * that loader. Sets r->format. */
static int check_version_and_kind(reader *r, const unsigned char *b, int want) {
  const uint64_t version = get_le(b + 8, 4), field = get_le(b + 20, 4);
  if (version < 1 || version > NEWEST_FORMAT)
    return rgrbm__fail(RGRBM_EFORMAT, r->func,
                       "'%s': unsupported stack format version %" PRIu64
                       " (this library reads 1 to %d for stacks, %d for translation-invariant "
                       "layers)", r->path, version, RGRBM_STACK_FORMAT_VERSION,
                       RGRBM_CONV_FORMAT_VERSION);
  r->format = (unsigned)version;
  if (version < 3 && field != 0) return bad_file(r, "reserved header field is not 0");
  if (version < 3 && want == KIND_CONV)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s' holds an RBM stack (format %" PRIu64
                       "), not a translation-invariant layer: load it with rgrbm_stack_load",
                       r->path, version);
  if (version == 3 && field == KIND_CONV && want == KIND_STACK)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s' holds a translation-invariant layer "
                       "(format 3, kind 1), not an RBM stack: load it with rgrbm_conv_load",
                       r->path);
  if (version == 3 && field != KIND_CONV)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': unsupported stack format version 3 "
                       "(this library reads 1 to %d) with model kind %" PRIu64 " (format 3 "
                       "defines only kind 1, a translation-invariant layer)", r->path,
                       RGRBM_STACK_FORMAT_VERSION, field);
  return RGRBM_OK;
}

/* The header's fields every kind shares, into b (HEADER_BYTES): its
 * length, magic, version and kind (which must be `kind`), and units. */
static int read_header_start(reader *r, unsigned char *b, int kind, unsigned *units) {
  if (r->length < HEADER_BYTES + CRC_BYTES) return bad_file(r, "too short for a stack file");
  int rc = get(r, b, HEADER_BYTES);
  if (rc != RGRBM_OK) return rc;
  if (memcmp(b, STACK_MAGIC, sizeof STACK_MAGIC) != 0)
    return bad_file(r, "not a stack file (wrong magic)");
  rc = check_version_and_kind(r, b, kind);
  if (rc != RGRBM_OK) return rc;
  *units = (unsigned)get_le(b + 12, 4);
  if (*units != RGRBM_UNITS_BINARY && *units != RGRBM_UNITS_SPIN)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': unknown units %u", r->path, *units);
  return RGRBM_OK;
}

/* Opens path, runs read_model(r, out) on it and closes it. */
static int load_file(const char *path, const char *func,
                     int (*read_model)(reader *r, void *out), void *out) {
  reader r = {.path = path, .func = func};
  int rc = rgrbm__open_for_read(path, func, &r.fp, &r.length);
  if (rc != RGRBM_OK) return rc;
  rc = read_model(&r, out);
  fclose(r.fp);
  return rc;
}

typedef struct header {
  unsigned units;
  uint64_t nlevels;
  uint64_t seed;
} header;

static int read_header(reader *r, header *h) {
  unsigned char b[HEADER_BYTES];
  int rc = read_header_start(r, b, KIND_STACK, &h->units);
  if (rc != RGRBM_OK) return rc;
  h->nlevels = get_le(b + 16, 4);
  if (h->nlevels < 2 || h->nlevels > INT_MAX ||
      h->nlevels * 4 > r->length - HEADER_BYTES - CRC_BYTES)
    return rgrbm__fail(RGRBM_EFORMAT, r->func,
                       "'%s': %" PRIu64 " levels do not fit a file of %" PRIu64
                       " bytes (need >= 2)",
                       r->path, h->nlevels, r->length);
  h->seed = get_le(b + 24, 8);
  return RGRBM_OK;
}

/* Read the sizes and check that, with the layer records they imply, they
 * account for the file length exactly. Bounded by the file length at every
 * step, so no arithmetic can overflow and nothing large is trusted. */
static int read_sizes(reader *r, int nlevels, int *sizes) {
  uint64_t need = HEADER_BYTES + 4 * (uint64_t)nlevels + CRC_BYTES;
  for (int i = 0; i < nlevels; i++) {
    unsigned char b[4];
    int rc = get(r, b, sizeof b);
    if (rc != RGRBM_OK) return rc;
    uint64_t v = get_le(b, 4);
    if (v < 1 || v > INT_MAX)
      return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': sizes[%d] = %" PRIu64 " is out of range",
                         r->path, i, v);
    sizes[i] = (int)v;
  }
  for (int l = 0; l + 1 < nlevels; l++) {
    uint64_t nv = (uint64_t)sizes[l], nh = (uint64_t)sizes[l + 1];
    uint64_t floats = nv * nh + nv + nh; /* < 2^63: both factors < 2^31 */
    uint64_t room = r->length > need ? r->length - need : 0;
    if (floats > room / 4 || layer_meta_bytes(r->format) > room - 4 * floats)
      return rgrbm__fail(RGRBM_EFORMAT, r->func,
                         "'%s': sizes %d x %d of layer %d need more than the file's %" PRIu64
                         " bytes (truncated or corrupt)",
                         r->path, sizes[l], sizes[l + 1], l, r->length);
    need += 4 * floats + layer_meta_bytes(r->format);
  }
  if (need != r->length)
    return rgrbm__fail(RGRBM_EFORMAT, r->func,
                       "'%s': the sizes account for %" PRIu64 " bytes, the file has %" PRIu64
                       " (trailing bytes)",
                       r->path, need, r->length);
  return RGRBM_OK;
}

static int read_layers(reader *r, rgrbm_stack *s, unsigned char *meta) {
  int rc = RGRBM_OK;
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++) {
    rc = get(r, meta + (size_t)l * layer_meta_bytes(r->format), layer_meta_bytes(r->format));
    layer_arrays a = arrays_of(s, l);
    for (int k = 0; rc == RGRBM_OK && k < 3; k++)
      rc = get(r, a.data[k], a.count[k] * sizeof(float));
  }
  return rc;
}

static int check_crc(reader *r) {
  uint32_t computed = r->crc;
  unsigned char b[CRC_BYTES];
  int rc = get(r, b, sizeof b);
  if (rc != RGRBM_OK) return rc;
  uint32_t stored = (uint32_t)get_le(b, CRC_BYTES);
  if (stored != computed)
    return rgrbm__fail(RGRBM_EFORMAT, r->func,
                       "'%s': checksum mismatch (stored CRC-32 %08" PRIx32 ", computed %08" PRIx32
                       "): the file is corrupt",
                       r->path, stored, computed);
  return RGRBM_OK;
}

/* Decode the metadata and check the parameters once the checksum has passed,
 * so that a damaged file is reported as damaged rather than as odd values. */
static int apply_metadata(const reader *r, rgrbm_stack *s, const unsigned char *meta) {
  for (int l = 0; l < s->depth; l++) {
    const unsigned char *m = meta + (size_t)l * layer_meta_bytes(r->format);
    uint64_t epochs = get_le(m, EPOCHS_BYTES);
    if (epochs > INT_MAX)
      return rgrbm__fail(RGRBM_EFORMAT, r->func,
                         "'%s': layer %d's epochs done = %" PRIu64 " is out of range", r->path, l,
                         epochs);
    int rc = decode_record(m + EPOCHS_BYTES, r->format, l, r->path, r->func, &s->trained_with[l]);
    if (rc != RGRBM_OK) return rc;
    s->epochs_done[l] = (int)epochs;
  }
  int layer, array;
  size_t index;
  if (find_non_finite(s, &layer, &array, &index))
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': layer %d's %s hold a non-finite value at %zu",
                       r->path, layer, ARRAY_NAMES[array], index);
  return RGRBM_OK;
}

static int nomem(const reader *r, const char *what, size_t bytes) {
  return rgrbm__fail(RGRBM_ENOMEM, r->func, "cannot allocate %zu bytes for %s", bytes, what);
}

static int read_stack(reader *r, void *out_arg) {
  rgrbm_stack **out = out_arg;
  header h = {0, 0, 0};
  int rc = read_header(r, &h);
  if (rc != RGRBM_OK) return rc;
  int nlevels = (int)h.nlevels; /* <= length / 4, checked */
  int *sizes = rgrbm__calloc((size_t)nlevels, sizeof *sizes);
  if (sizes == NULL) return nomem(r, "the level sizes", (size_t)nlevels * sizeof *sizes);
  rgrbm_stack *s = NULL;
  unsigned char *meta = NULL;
  rc = read_sizes(r, nlevels, sizes);
  if (rc == RGRBM_OK) rc = rgrbm__stack_alloc(&s, sizes, nlevels, (rgrbm_units)h.units, r->func);
  if (rc == RGRBM_OK) {
    meta = rgrbm__alloc((size_t)(nlevels - 1) * layer_meta_bytes(r->format));
    if (meta == NULL)
      rc = nomem(r, "the layer records", (size_t)(nlevels - 1) * layer_meta_bytes(r->format));
  }
  if (rc == RGRBM_OK) rc = read_layers(r, s, meta);
  if (rc == RGRBM_OK) rc = check_crc(r);
  if (rc == RGRBM_OK) rc = apply_metadata(r, s, meta);
  rgrbm__free(meta);
  rgrbm__free(sizes);
  if (rc != RGRBM_OK) {
    rgrbm_stack_destroy(s);
    return rc;
  }
  s->seed = h.seed;
  *out = s;
  return RGRBM_OK;
}

int rgrbm_stack_load(rgrbm_stack **out, const char *path) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(path);
  return load_file(path, __func__, read_stack, out);
}

/* ---- translation-invariant layers (format 3, kind 1) ---------------- */

static size_t conv_file_bytes(int f) {
  return HEADER_BYTES + CONV_SHAPE_BYTES + record_bytes(RGRBM_CONV_FORMAT_VERSION) +
         rgrbm__conv_param_count(f) * sizeof(float) + CRC_BYTES;
}

static int write_conv(writer *w, const void *model) {
  const rgrbm_conv *c = model;
  unsigned char h[HEADER_BYTES + CONV_SHAPE_BYTES + 128];
  encode_header(h, RGRBM_CONV_FORMAT_VERSION, c->units, 2 /* a visible and a hidden level */,
                KIND_CONV, c->seed);
  put_le(h + HEADER_BYTES, (uint32_t)c->f, 4);
  put_le(h + HEADER_BYTES + 4, (uint32_t)c->b, 4);
  put_le(h + HEADER_BYTES + 8, (uint32_t)c->epochs_done, 4);
  const size_t shape_end = HEADER_BYTES + CONV_SHAPE_BYTES;
  encode_record(&c->trained_with, RGRBM_CONV_FORMAT_VERSION, h + shape_end);
  int rc = put(w, h, shape_end + record_bytes(RGRBM_CONV_FORMAT_VERSION));
  if (rc == RGRBM_OK) rc = put(w, c->params, rgrbm__conv_param_count(c->f) * sizeof(float));
  return rc;
}

int rgrbm_conv_save(const rgrbm_conv *c, const char *path) {
  RGRBM_REQUIRE_NONNULL(c);
  RGRBM_REQUIRE_NONNULL(path);
  int rc = rgrbm__conv_check_finite(c, __func__);
  if (rc != RGRBM_OK) return rc;
  return save_file(path, __func__, write_conv, c);
}

/* The header and the shape, checked against the file length. */
typedef struct conv_header {
  unsigned units;
  int f, b;
  uint64_t epochs, seed;
} conv_header;

static int read_conv_header(reader *r, conv_header *h) {
  unsigned char b[HEADER_BYTES + CONV_SHAPE_BYTES];
  int rc = read_header_start(r, b, KIND_CONV, &h->units);
  if (rc != RGRBM_OK) return rc;
  if (get_le(b + 16, 4) != 2)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': a translation-invariant layer has 2 "
                       "levels, the file says %" PRIu64, r->path, get_le(b + 16, 4));
  h->seed = get_le(b + 24, 8);
  if (r->length < HEADER_BYTES + CONV_SHAPE_BYTES + CRC_BYTES)
    return bad_file(r, "too short for a translation-invariant layer (truncated)");
  rc = get(r, b + HEADER_BYTES, CONV_SHAPE_BYTES);
  if (rc != RGRBM_OK) return rc;
  const uint64_t f = get_le(b + HEADER_BYTES, 4), stride = get_le(b + HEADER_BYTES + 4, 4);
  h->epochs = get_le(b + HEADER_BYTES + 8, 4);
  if (stride < 2 || f < stride || f > RGRBM_CONV_MAX_SIDE)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': filter side f = %" PRIu64 " and stride "
                       "b = %" PRIu64 " are out of range (2 <= b <= f <= %d)", r->path, f,
                       stride, RGRBM_CONV_MAX_SIDE);
  h->f = (int)f;
  h->b = (int)stride;
  const uint64_t need = conv_file_bytes(h->f);
  if (need != r->length)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': a %d x %d filter needs %" PRIu64
                       " bytes, the file has %" PRIu64 " (%s)", r->path, h->f, h->f, need,
                       r->length, need > r->length ? "truncated" : "trailing bytes");
  return RGRBM_OK;
}

/* After the checksum: the metadata's values and the parameters. */
static int apply_conv_metadata(const reader *r, const conv_header *h, const unsigned char *meta,
                               rgrbm_conv *c) {
  if (h->epochs > INT_MAX)
    return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': epochs done = %" PRIu64
                       " is out of range", r->path, h->epochs);
  int rc = decode_record(meta, r->format, 0, r->path, r->func, &c->trained_with);
  if (rc != RGRBM_OK) return rc;
  c->epochs_done = (int)h->epochs;
  c->seed = h->seed;
  const size_t weights = (size_t)c->f * (size_t)c->f;
  for (size_t i = 0; i < weights + 2; i++)
    if (!isfinite(c->params[i]))
      return rgrbm__fail(RGRBM_EFORMAT, r->func, "'%s': parameter %zu (%s) is not finite",
                         r->path, i, i < weights ? "a weight of the filter"
                                     : i == weights ? "the visible bias" : "the hidden bias");
  return RGRBM_OK;
}

static int read_conv(reader *r, void *out_arg) {
  rgrbm_conv **out = out_arg;
  conv_header h;
  int rc = read_conv_header(r, &h);
  if (rc != RGRBM_OK) return rc;
  rgrbm_conv *c = NULL;
  unsigned char meta[128];
  rc = rgrbm__conv_alloc(&c, h.f, h.b, (rgrbm_units)h.units, r->func);
  if (rc == RGRBM_OK) rc = get(r, meta, record_bytes(r->format));
  if (rc == RGRBM_OK) rc = get(r, c->params, rgrbm__conv_param_count(h.f) * sizeof(float));
  if (rc == RGRBM_OK) rc = check_crc(r);
  if (rc == RGRBM_OK) rc = apply_conv_metadata(r, &h, meta, c);
  if (rc != RGRBM_OK) {
    rgrbm_conv_destroy(c);
    return rc;
  }
  *out = c;
  return RGRBM_OK;
}

int rgrbm_conv_load(rgrbm_conv **out, const char *path) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(path);
  return load_file(path, __func__, read_conv, out);
}

/* ---- .npy export -------------------------------------------------------- */

int rgrbm_stack_export_npy(const rgrbm_stack *s, const char *prefix) {
  RGRBM_REQUIRE_NONNULL(s);
  RGRBM_REQUIRE_NONNULL(prefix);
  static const char *const stems[3] = {"weights", "visible_bias", "hidden_bias"};
  size_t cap = strlen(prefix) + 40;
  char *path = rgrbm__alloc(cap);
  if (path == NULL) return RGRBM_FAIL_NOMEM("the file name", cap);
  int rc = RGRBM_OK;
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++) {
    layer_arrays a = arrays_of(s, l);
    const uint64_t shapes[3][2] = {{(uint64_t)s->sizes[l], (uint64_t)s->sizes[l + 1]},
                                   {(uint64_t)s->sizes[l], 0},
                                   {(uint64_t)s->sizes[l + 1], 0}};
    for (int k = 0; rc == RGRBM_OK && k < 3; k++) {
      snprintf(path, cap, "%s%s_%d.npy", prefix, stems[k], l);
      rc = rgrbm__npy_save_f32(path, a.data[k], shapes[k], k == 0 ? 2 : 1, __func__);
    }
  }
  rgrbm__free(path);
  return rc;
}
