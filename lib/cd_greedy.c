/* Greedy layer-wise training (Hinton, Osindero & Teh 2006): layer 0 on the
 * data, then each layer on the data fed up through the layers already
 * trained, each with its own options. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "rbm.h"
#include "rgrbm/cd.h"
#include "stack.h"

/* A copy of the parameters and metadata of layers [0, layers), so that a call
 * rejected for a bad argument in a later layer can undo the earlier ones. */
typedef struct snapshot {
  int layers;
  float **params; /* per layer: weights, then visible, then hidden biases */
  int *epochs;
  rgrbm_cd_options *options;
} snapshot;

static void snapshot_free(snapshot *snap) {
  for (int l = 0; snap->params && l < snap->layers; l++) rgrbm__free(snap->params[l]);
  rgrbm__free(snap->params);
  rgrbm__free(snap->epochs);
  rgrbm__free(snap->options);
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

int rgrbm_cd_train_stack(rgrbm_stack *s, const rgrbm_dataset *data,
                      const rgrbm_cd_options *per_layer) {
  RGRBM_REQUIRE_NONNULL(s);
  RGRBM_REQUIRE_NONNULL(data);
  RGRBM_REQUIRE_NONNULL(per_layer);
  snapshot snap;
  int rc = snapshot_take(&snap, s, __func__);
  if (rc != RGRBM_OK) return rc;
  for (int l = 0; rc == RGRBM_OK && l < s->depth; l++) {
    rc = rgrbm_cd_train(s, l, data, &per_layer[l]);
    /* Only a stop or a numerical failure keeps the progress made; a bad
     * argument or a lack of memory leaves the stack as it was. */
    if (rc != RGRBM_OK && rc != RGRBM_ECANCELED && rc != RGRBM_ENUMERIC)
      snapshot_restore(&snap, s);
    if (rc != RGRBM_OK) rc = fail_in_layer(rc, l, __func__);
  }
  snapshot_free(&snap);
  return rc;
}
