/* Internal: the dataset's layout, for modules that read or write it in bulk
 * (samplers, training, RG transforms). Never installed. */
#ifndef RGRBM_LIB_DATASET_H
#define RGRBM_LIB_DATASET_H

#include <stdint.h>

#include "rgrbm/dataset.h"

/* Configuration i occupies words [i * words_per_row, (i+1) * words_per_row)
 * of bits; spin j is bit (j % 64) of word j / 64, set for +1. Unused high bits
 * of a row's last word are zero. */
struct rgrbm_dataset {
  size_t dim;
  size_t words_per_row;
  size_t count;
  size_t capacity;
  int lx, ly;
  uint64_t *bits;
};

static inline const uint64_t *rgrbm__dataset_row(const rgrbm_dataset *ds, size_t i) {
  return ds->bits + i * ds->words_per_row;
}

/* Unpack rows rows[0..n) (or rows first..first+n when rows is NULL) into
 * out[n][dim] as floats: minus for a -1 spin, plus for +1 (-1/+1 for spin
 * units, 0/1 for binary units). Ranges must have been checked. */
void rgrbm__dataset_unpack_float(const rgrbm_dataset *ds, const size_t *rows, size_t first,
                                 size_t n, float minus, float plus, float *out);

/* Append n configurations given as floats: a spin is +1 where x > threshold,
 * -1 elsewhere. Grows the storage; returns RGRBM_OK or RGRBM_ENOMEM. */
int rgrbm__dataset_append_float(rgrbm_dataset *ds, const float *x, size_t n, float threshold);

/* Ensure room for extra more rows (growing by at least 1/8); fails with the
 * message attributed to func. */
int rgrbm__dataset_grow(rgrbm_dataset *ds, size_t extra, const char *func);

#endif
