/* Internal: reading and writing NumPy .npy headers (format 1.0-3.0).
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html */
#ifndef RGRBM_LIB_NPY_H
#define RGRBM_LIB_NPY_H

#include <stdint.h>
#include <stdio.h>

#include "atomic_file.h"

enum { RGRBM__NPY_MAX_DIMS = 8 };

typedef struct rgrbm__npy_header {
  char descr[16];       /* e.g. "|i1", "<f4" */
  int fortran_order;
  int ndim;
  uint64_t shape[RGRBM__NPY_MAX_DIMS];
  uint64_t data_offset; /* bytes before the array data */
} rgrbm__npy_header;

/* Parse the header at the start of fp (file_length bytes long). Any defect is
 * RGRBM_EFORMAT with a message naming path; an I/O error is RGRBM_EIO. */
int rgrbm__npy_read_header(FILE *fp, uint64_t file_length, const char *path, const char *func,
                           rgrbm__npy_header *h);

/* Write a format 1.0 header, padded so the data starts on a 64-byte boundary. */
int rgrbm__npy_write_header(rgrbm__atomic_file *af, const char *descr, const uint64_t *shape,
                            int ndim);

/* Write a little-endian float32 array of the given shape to path, atomically. */
int rgrbm__npy_save_f32(const char *path, const float *data, const uint64_t *shape, int ndim,
                        const char *func);

#endif
