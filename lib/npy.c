/* The .npy header: a magic string, a version, a length and a Python dict
 * literal such as {'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }. */
#include "npy.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "alloc.h"
#include "fail.h"

static const char NPY_MAGIC[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
/* numpy itself refuses headers over 10 kB by default; allow more, not much. */
enum { MAX_HEADER_BYTES = 1 << 20 };

typedef struct parser {
  const char *p, *end;
  const char *path, *func;
} parser;

static int bad(const parser *ps, const char *what) {
  return rgrbm__fail(RGRBM_EFORMAT, ps->func, "'%s': malformed .npy header: %s", ps->path, what);
}

static void skip_space(parser *ps) {
  while (ps->p < ps->end && isspace((unsigned char)*ps->p)) ps->p++;
}

static int expect(parser *ps, char c) {
  skip_space(ps);
  if (ps->p >= ps->end || *ps->p != c) return 0;
  ps->p++;
  return 1;
}

/* A quoted string without escapes (all that valid headers contain). */
static int parse_string(parser *ps, char *out, size_t cap) {
  skip_space(ps);
  if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"')) return bad(ps, "expected a string");
  char quote = *ps->p++;
  size_t n = 0;
  while (ps->p < ps->end && *ps->p != quote) {
    if (n + 1 >= cap) return bad(ps, "string too long");
    out[n++] = *ps->p++;
  }
  if (ps->p >= ps->end) return bad(ps, "unterminated string");
  ps->p++;
  out[n] = '\0';
  return RGRBM_OK;
}

static int parse_bool(parser *ps, int *out) {
  skip_space(ps);
  size_t left = (size_t)(ps->end - ps->p);
  if (left >= 4 && memcmp(ps->p, "True", 4) == 0) {
    ps->p += 4;
    *out = 1;
  } else if (left >= 5 && memcmp(ps->p, "False", 5) == 0) {
    ps->p += 5;
    *out = 0;
  } else {
    return bad(ps, "fortran_order must be True or False");
  }
  return RGRBM_OK;
}

static int parse_uint(parser *ps, uint64_t *out) {
  skip_space(ps);
  if (ps->p >= ps->end || !isdigit((unsigned char)*ps->p)) return bad(ps, "expected a dimension");
  uint64_t v = 0;
  while (ps->p < ps->end && isdigit((unsigned char)*ps->p)) {
    uint64_t d = (uint64_t)(*ps->p++ - '0');
    if (v > (UINT64_MAX - d) / 10) return bad(ps, "dimension too large");
    v = v * 10 + d;
  }
  *out = v;
  return RGRBM_OK;
}

static int parse_shape(parser *ps, rgrbm__npy_header *h) {
  if (!expect(ps, '(')) return bad(ps, "shape must be a tuple");
  h->ndim = 0;
  for (;;) {
    if (expect(ps, ')')) return RGRBM_OK;
    if (h->ndim == RGRBM__NPY_MAX_DIMS) return bad(ps, "too many dimensions");
    int rc = parse_uint(ps, &h->shape[h->ndim]);
    if (rc != RGRBM_OK) return rc;
    h->ndim++;
    if (!expect(ps, ',')) {
      if (expect(ps, ')')) return RGRBM_OK;
      return bad(ps, "expected ',' or ')' in shape");
    }
  }
}

static int parse_dict(parser *ps, rgrbm__npy_header *h) {
  int seen_descr = 0, seen_order = 0, seen_shape = 0;
  if (!expect(ps, '{')) return bad(ps, "expected '{'");
  while (!expect(ps, '}')) {
    char key[32];
    int rc = parse_string(ps, key, sizeof key);
    if (rc != RGRBM_OK) return rc;
    if (!expect(ps, ':')) return bad(ps, "expected ':' after a key");
    if (strcmp(key, "descr") == 0 && !seen_descr) {
      rc = parse_string(ps, h->descr, sizeof h->descr);
      seen_descr = 1;
    } else if (strcmp(key, "fortran_order") == 0 && !seen_order) {
      rc = parse_bool(ps, &h->fortran_order);
      seen_order = 1;
    } else if (strcmp(key, "shape") == 0 && !seen_shape) {
      rc = parse_shape(ps, h);
      seen_shape = 1;
    } else {
      return bad(ps, "unknown or repeated key");
    }
    if (rc != RGRBM_OK) return rc;
    if (!expect(ps, ',')) {
      if (expect(ps, '}')) break;
      return bad(ps, "expected ',' or '}'");
    }
  }
  if (!(seen_descr && seen_order && seen_shape))
    return bad(ps, "descr, fortran_order and shape are all required");
  skip_space(ps);
  if (ps->p != ps->end) return bad(ps, "text after the dictionary");
  return RGRBM_OK;
}

static uint32_t read_le(const unsigned char *b, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
  return v;
}

int rgrbm__npy_read_header(FILE *fp, uint64_t file_length, const char *path, const char *func,
                           rgrbm__npy_header *h) {
  unsigned char pre[12];
  memset(h, 0, sizeof *h);
  if (file_length < 10 || fread(pre, 1, 10, fp) != 10)
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': too short for a .npy file", path);
  if (memcmp(pre, NPY_MAGIC, sizeof NPY_MAGIC) != 0)
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': not a .npy file (wrong magic)", path);
  int major = pre[6];
  uint64_t preamble = major == 1 ? 10 : 12;
  if (major < 1 || major > 3 || pre[7] != 0)
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': unsupported .npy format version %d.%d", path,
                       major, pre[7]);
  if (major > 1 && (file_length < 12 || fread(pre + 10, 1, 2, fp) != 2))
    return rgrbm__fail(RGRBM_EFORMAT, func, "'%s': truncated .npy preamble", path);
  uint64_t header_len = major == 1 ? read_le(pre + 8, 2) : read_le(pre + 8, 4);
  if (header_len > file_length - preamble || header_len > MAX_HEADER_BYTES)
    return rgrbm__fail(RGRBM_EFORMAT, func,
                       "'%s': header length %" PRIu64 " exceeds the file (%" PRIu64 " bytes)",
                       path, header_len, file_length);
  char *text = rgrbm__alloc(header_len);
  if (text == NULL)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %" PRIu64 " bytes for the .npy header",
                       header_len);
  int rc = RGRBM_OK;
  if (fread(text, 1, header_len, fp) != header_len) {
    rc = rgrbm__fail(RGRBM_EIO, func, "cannot read '%s': %s", path, strerror(errno));
  } else {
    parser ps = {text, text + header_len, path, func};
    rc = parse_dict(&ps, h);
  }
  rgrbm__free(text);
  h->data_offset = preamble + header_len;
  return rc;
}

int rgrbm__npy_write_header(rgrbm__atomic_file *af, const char *descr, const uint64_t *shape,
                            int ndim) {
  char dict[512];
  int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                   descr);
  for (int i = 0; i < ndim; i++)
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%" PRIu64 "%s", shape[i],
                  ndim == 1 || i + 1 < ndim ? ", " : "");
  n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
  /* Pad with spaces and end with '\n' so that preamble + header is a multiple
   * of 64, as numpy writes it. */
  size_t total = 10 + (size_t)n + 1;
  size_t padded = (total + 63) / 64 * 64;
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
  size_t header_len = padded - 10;
  pre[8] = (unsigned char)(header_len & 0xff);
  pre[9] = (unsigned char)(header_len >> 8);
  memset(dict + n, ' ', padded - total);
  dict[header_len - 1] = '\n';
  int rc = rgrbm__atomic_write(af, pre, sizeof pre);
  if (rc == RGRBM_OK) rc = rgrbm__atomic_write(af, dict, header_len);
  return rc;
}

int rgrbm__npy_save_f32(const char *path, const float *data, const uint64_t *shape, int ndim,
                        const char *func) {
  size_t count = 1;
  for (int i = 0; i < ndim; i++) count *= (size_t)shape[i];
  rgrbm__atomic_file af;
  int rc = rgrbm__atomic_open(&af, path, func);
  if (rc != RGRBM_OK) return rc;
  rc = rgrbm__npy_write_header(&af, "<f4", shape, ndim);
  /* float is IEEE-754 binary32 and the supported targets are little-endian. */
  if (rc == RGRBM_OK) rc = rgrbm__atomic_write(&af, data, count * sizeof(float));
  if (rc != RGRBM_OK) {
    rgrbm__atomic_abort(&af);
    return rc;
  }
  return rgrbm__atomic_commit(&af);
}
