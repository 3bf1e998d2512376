/* Greedy layer-wise training (Hinton, Osindero & Teh 2006): layer 0 on the
 * data, then each layer on the data fed up through the layers already
 * trained, each with its own options.
 *
 * Every layer's options are read and checked (everything rgrbm_cd_train
 * refuses with RGRBM_EINVAL or RGRBM_EUNSUPPORTED) before any layer is
 * trained, so a bad argument changes nothing. Only a lack of memory can
 * still stop the call after earlier layers were trained; the promise that it
 * leaves the stack as it was is kept by a copy of the parameters, taken
 * when there is more than one layer to train (one layer: rgrbm_cd_train
 * changes nothing on RGRBM_ENOMEM). */
#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cd_distributed.h"
#include "cd_options.h"
#include "cd_trainer.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "rgrbm/cd.h"
#include "stack.h"

/* A copy of the parameters and metadata of layers [0, layers), so that a call
 * that runs out of memory in a later layer can undo the earlier ones. */
typedef struct snapshot {
  int layers;
  float **params; /* per layer: weights, then visible, then hidden biases */
  int *epochs;
  rgrbm__training_record *options;
} snapshot;

static void snapshot_free(snapshot *snap) {
  for (int l = 0; snap->params && l < snap->layers; l++) rgrbm__free(snap->params[l]);
  rgrbm__free(snap->params);
  rgrbm__free(snap->epochs);
  rgrbm__free(snap->options);
  memset(snap, 0, sizeof *snap); /* freeing again is a no-op */
}

static int snapshot_take(snapshot *snap, rgrbm_stack *s, const char *func) {
  memset(snap, 0, sizeof *snap);
  snap->layers = s->depth;
  snap->params = rgrbm__calloc((size_t)s->depth, sizeof *snap->params);
  snap->epochs = rgrbm__calloc((size_t)s->depth, sizeof *snap->epochs);
  snap->options = rgrbm__calloc((size_t)s->depth, sizeof *snap->options);
  int ok = snap->params && snap->epochs && snap->options;
  for (int l = 0; ok && l < s->depth; l++) {
    snap->params[l] = rgrbm__alloc(rgrbm__layer_floats(s, l) * sizeof(float));
    ok = snap->params[l] != NULL;
    if (ok) rgrbm__layer_copy(s, l, snap->params[l], 0);
  }
  if (!ok) {
    snapshot_free(snap);
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate a copy of the stack's parameters");
  }
  memcpy(snap->epochs, s->epochs_done, (size_t)s->depth * sizeof *snap->epochs);
  memcpy(snap->options, s->trained_with, (size_t)s->depth * sizeof *snap->options);
  return RGRBM_OK;
}

static void snapshot_restore(const snapshot *snap, rgrbm_stack *s) {
  for (int l = 0; l < snap->layers; l++) rgrbm__layer_copy(s, l, snap->params[l], 1);
  memcpy(s->epochs_done, snap->epochs, (size_t)s->depth * sizeof *snap->epochs);
  memcpy(s->trained_with, snap->options, (size_t)s->depth * sizeof *snap->options);
}

/* Re-attribute layer l's failure to this call, keeping rgrbm_cd_train's
 * message (copied first: the message buffer is also the destination). */
static int fail_in_layer(int rc, int layer, const char *func) {
  char inner[RGRBM__ERROR_CAPACITY];
  snprintf(inner, sizeof inner, "%s", rgrbm_last_error());
  return rgrbm__fail(rc, func, "per_layer[%d]: %s", layer, inner);
}

/* per_layer is an array of the caller's layout: its stride is the size of
 * per_layer[0]'s version (rounded up to the struct's alignment, as the
 * caller's compiler laid it out). */
static size_t caller_stride(const rgrbm_cd_options *per_layer) {
  const size_t align = alignof(rgrbm_cd_options);
  size_t bytes = rgrbm__cd_options_layout.bytes[rgrbm__version_of(per_layer) - 1];
  return (bytes + align - 1) / align * align;
}

/* Read every layer's options into o (depth entries) and check each call
 * `train` will make (on count rows of dimension dim), before anything is
 * trained. */
static int read_all_options(const rgrbm_stack *s, size_t dim, size_t count,
                            const rgrbm_cd_options *per_layer, rgrbm_cd_options *o,
                            const char *func, const char *train) {
  size_t stride = 0;
  if (per_layer) {
    int rc = rgrbm__version_check(&rgrbm__cd_options_layout, rgrbm__version_of(per_layer), func,
                                  "per_layer[0]");
    if (rc != RGRBM_OK) return rc;
    stride = caller_stride(per_layer);
  }
  for (int l = 0; l < s->depth; l++) {
    const rgrbm_cd_options *given =
        per_layer ? (const rgrbm_cd_options *)((const char *)per_layer + (size_t)l * stride)
                  : NULL;
    /* One array, one layout: a larger version would be read past its element. */
    if (given && rgrbm__version_of(given) != rgrbm__version_of(per_layer))
      return rgrbm__fail(RGRBM_EINVAL, func, "per_layer[%d]->version = %u differs from "
                         "per_layer[0]->version = %u: the array has one layout", l,
                         rgrbm__version_of(given), rgrbm__version_of(per_layer));
    /* Each layer's options are refused as the `train` call of that layer
     * would refuse them; fail_in_layer names the layer. */
    int rc = rgrbm__cd_options_read(given, &o[l], train, "o");
    if (rc == RGRBM_OK) rc = rgrbm__cd_check_sized(s, l, dim, count, &o[l], train);
    if (rc != RGRBM_OK) return fail_in_layer(rc, l, func);
  }
  return RGRBM_OK;
}

/* Trains one layer: rgrbm_cd_train, or its distributed counterpart. */
typedef struct layer_trainer {
  const rgrbm_dataset *data;
  const rgrbm__cd_comm *comm; /* NULL: one process */
  const char *name;           /* the one-layer function, for messages */
} layer_trainer;

static int train_layer(const layer_trainer *lt, rgrbm_stack *s, int layer,
                       const rgrbm_cd_options *o) {
  if (lt->comm == NULL) return rgrbm_cd_train(s, layer, lt->data, o);
  return rgrbm__cd_train_distributed(s, layer, lt->data, o, lt->comm, lt->name);
}

/* Layers 0, 1, ... with options o; snap (taken when depth > 1) undoes them
 * when memory runs out. */
static int train_layers(const layer_trainer *lt, rgrbm_stack *s, const rgrbm_cd_options *o,
                        const snapshot *snap, const char *func) {
  int rc = RGRBM_OK;
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++) {
    rc = train_layer(lt, s, l, &o[l]);
    /* A stop or a numerical failure keeps the progress made; a lack of
     * memory (the only other failure left, the arguments being checked)
     * leaves the stack as it was. */
    if (rc != RGRBM_OK && rc != RGRBM_ECANCELED && rc != RGRBM_ENUMERIC && snap->params)
      snapshot_restore(snap, s);
    if (rc != RGRBM_OK) rc = fail_in_layer(rc, l, func);
  }
  return rc;
}

int rgrbm_cd_train_stack(rgrbm_stack *s, const rgrbm_dataset *data,
                         const rgrbm_cd_options *per_layer) {
  RGRBM_REQUIRE_NONNULL(s);
  RGRBM_REQUIRE_NONNULL(data);
  rgrbm_cd_options *o = rgrbm__calloc((size_t)s->depth, sizeof *o);
  if (o == NULL) return RGRBM_FAIL_NOMEM("the layers' options", (size_t)s->depth * sizeof *o);
  int rc = read_all_options(s, data->dim, data->count, per_layer, o, __func__,
                            "rgrbm_cd_train");
  snapshot snap = {0};
  if (rc == RGRBM_OK && s->depth > 1) rc = snapshot_take(&snap, s, __func__);
  const layer_trainer lt = {data, NULL, "rgrbm_cd_train"};
  if (rc == RGRBM_OK) rc = train_layers(&lt, s, o, &snap, __func__);
  snapshot_free(&snap);
  rgrbm__free(o);
  return rc;
}

/* ---- distributed (cd_distributed.h) ---- */

/* Local: the arguments, then every layer's options and exchange sizes on
 * the global count (parameters that are not finite are found as
 * rgrbm_cd_train_stack finds them: when their layer's turn comes). */
static int check_stack_call(rgrbm_stack *s, const rgrbm_dataset *local, size_t count,
                            const rgrbm_cd_options *per_layer, rgrbm_cd_options *o,
                            const char *func, const char *layer_func) {
  if (local->dim != (size_t)s->sizes[0])
    return rgrbm__fail(RGRBM_EINVAL, func, "local dim = %zu != size(0) = %d", local->dim,
                       s->sizes[0]);
  if (count == 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "the shards hold 0 configurations in all");
  int rc = read_all_options(s, local->dim, count, per_layer, o, func, layer_func);
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++) {
    rc = rgrbm__cd_dist_check_counts(s, l, &o[l], count, local->words_per_row, layer_func);
    if (rc != RGRBM_OK) rc = fail_in_layer(rc, l, func);
  }
  return rc;
}

int rgrbm__cd_train_stack_distributed(rgrbm_stack *s, const rgrbm_dataset *local,
                                      const rgrbm_cd_options *per_layer,
                                      const rgrbm__cd_comm *comm, const char *func,
                                      const char *layer_func) {
  rgrbm_cd_options *o = NULL;
  int rc = RGRBM_OK;
  if (s == NULL || local == NULL)
    rc = rgrbm__fail(RGRBM_EINVAL, func, "%s is NULL", s == NULL ? "s" : "local");
  if (rc == RGRBM_OK && (o = rgrbm__calloc((size_t)s->depth, sizeof *o)) == NULL)
    rc = RGRBM_FAIL_NOMEM_IN(func, "the layers' options", (size_t)s->depth * sizeof *o);
  rc = comm->agree(comm->ctx, rc, func);
  size_t count = 0;
  if (rc == RGRBM_OK) rc = rgrbm__cd_dist_global_count(comm, local, &count, func);
  if (rc == RGRBM_OK)
    rc = comm->agree(comm->ctx,
                     check_stack_call(s, local, count, per_layer, o, func, layer_func), func);
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++)
    rc = rgrbm__cd_dist_check_same(comm, s, l, &o[l], l, func);
  snapshot snap = {0};
  if (rc == RGRBM_OK && s->depth > 1)
    rc = comm->agree(comm->ctx, snapshot_take(&snap, s, func), func);
  const layer_trainer lt = {local, comm, layer_func};
  if (rc == RGRBM_OK) rc = train_layers(&lt, s, o, &snap, func);
  snapshot_free(&snap);
  rgrbm__free(o);
  return rc;
}
