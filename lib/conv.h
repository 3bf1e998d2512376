/* Internal: the translation-invariant layer's layout and its passes, for
 * training (conv_train.c), files (stack_io.c) and the RG plan (rg_conv.c).
 * Never installed. */
#ifndef RGRBM_LIB_CONV_H
#define RGRBM_LIB_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/conv.h"
#include "rng.h"
#include "stack.h"

/* params holds the f * f weights (w[dy * f + dx]), then the visible bias,
 * then the hidden bias: one block, so that training snapshots and restores
 * it with one copy. */
struct rgrbm_conv {
  int f, b;
  rgrbm_units units;
  uint64_t seed;                      /* creation seed */
  int epochs_done;                    /* epochs rgrbm_conv_train completed */
  rgrbm__training_record trained_with; /* the last training call's options */
  float params[];
};

/* Floats of params: f * f weights and the two biases. */
static inline size_t rgrbm__conv_param_count(int f) { return (size_t)f * (size_t)f + 2; }
static inline float rgrbm__conv_vbias(const rgrbm_conv *c) {
  return c->params[(size_t)c->f * (size_t)c->f];
}
static inline float rgrbm__conv_hbias(const rgrbm_conv *c) {
  return c->params[(size_t)c->f * (size_t)c->f + 1];
}

/* A zeroed layer (parameters 0, no training record); validates f, b and
 * units like rgrbm_conv_create, failures named after func. */
int rgrbm__conv_alloc(rgrbm_conv **out, int f, int b, rgrbm_units units, const char *func);

/* RGRBM_ENUMERIC in func's name, naming the first NaN or infinite parameter. */
int rgrbm__conv_check_finite(const rgrbm_conv *c, const char *func);

/* RGRBM_EINVAL in func's name unless lx, ly >= 1, b divides both and the
 * lattice has at most 2^31 - 1 sites. */
int rgrbm__conv_check_lattice(const rgrbm_conv *c, int lx, int ly, const char *name,
                              const char *func);

/* The index tables of one lattice: which fine coordinate the window's
 * column dx of coarse column X reads (win_x[X * f + dx]), and for the
 * visible pass the (dx, X) pairs covering fine column x (cover_x[x]
 * holds cover_n_x[x] pairs starting at cover_dx/cover_X + x * per), likewise
 * for y. One block of rgrbm__alloc, freed by rgrbm__conv_geometry_free
 * (or memory of the caller's: rgrbm__conv_geometry_build). */
typedef struct rgrbm__conv_geometry {
  int f, b, o, lx, ly, cx, cy;
  size_t nv, nh;
  int per;          /* ceil(f / b): most window columns covering a fine column */
  int *win_x, *win_y;                     /* cx * f, cy * f */
  int *cover_n_x, *cover_dx, *cover_X;    /* lx, lx * per, lx * per */
  int *cover_n_y, *cover_dy, *cover_Y;    /* ly, ly * per, ly * per */
  void *block;
} rgrbm__conv_geometry;

/* Fills g for c on an lx x ly lattice (checked by the caller);
 * RGRBM_ENOMEM in func's name. */
int rgrbm__conv_geometry_init(rgrbm__conv_geometry *g, const rgrbm_conv *c, int lx, int ly,
                              const char *func);
/* The same tables in memory the caller holds (a plan's block): their bytes
 * (*overflow set when they do not fit size_t), and g built in block, which
 * g does not own (g->block stays NULL: no rgrbm__conv_geometry_free). */
size_t rgrbm__conv_geometry_bytes(const rgrbm_conv *c, int lx, int ly, int *overflow);
void rgrbm__conv_geometry_build(rgrbm__conv_geometry *g, const rgrbm_conv *c, int lx, int ly,
                                void *block);
void rgrbm__conv_geometry_free(rgrbm__conv_geometry *g);

/* One configuration's passes, in the layer's units (the activation of
 * rbm.h). hidden: out (nh) = act(b_h + correlation of the filter with v);
 * visible: out (nv) = act(c + the transposed correlation of h). bias_row is
 * nh (hidden) or nv (visible) copies of the bias, for the activation
 * kernel. */
void rgrbm__conv_hidden_means(const rgrbm_conv *c, const rgrbm__conv_geometry *g,
                              const float *v, const float *bias_row, float *out);
void rgrbm__conv_visible_means(const rgrbm_conv *c, const rgrbm__conv_geometry *g,
                               const float *h, const float *bias_row, float *out);

/* Adds to grad (f * f + 2 doubles, the layout of params) one
 * configuration's sufficient statistics times scale: sum_J h_J v_(window
 * site) per weight, sum_i v_i (visible bias) and sum_J h_J (hidden bias). */
void rgrbm__conv_statistics(const rgrbm__conv_geometry *g, const float *v, const float *h,
                            double scale, double *grad);

#endif
