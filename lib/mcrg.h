/* Internal: MCRG operator measurement, shared by the driver (mcrg.c) and the
 * tests. Never installed. */
#ifndef RGRBM_LIB_MCRG_H
#define RGRBM_LIB_MCRG_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/mcrg.h"

/* Widest offset of any operator: the frame's halo. */
#define RGRBM__MCRG_HALO 2

/* int8 entries of the framed copy of an lx x ly configuration. */
size_t rgrbm__mcrg_frame_size(int lx, int ly);

/* The first n_even even and the first n_odd odd operators (in the order of
 * rgrbm/mcrg.h) of one periodic configuration, written to out[0 ..
 * n_even + n_odd). frame has rgrbm__mcrg_frame_size(lx, ly) entries. */
void rgrbm__mcrg_measure(const int8_t *spins, int lx, int ly, int n_even, int n_odd,
                         int8_t *frame, double *out);

/* Whether a LAPACKE status says its own allocation failed
 * (LAPACK_WORK_MEMORY_ERROR, LAPACK_TRANSPOSE_MEMORY_ERROR): out of memory,
 * not a numerical failure. */
int rgrbm__lapack_out_of_memory(int info);

/* RGRBM_ENOMEM attributed to func for such a status, naming what LAPACKE
 * could not allocate. */
int rgrbm__mcrg_lapack_failure(int info, const char *func);

#endif
