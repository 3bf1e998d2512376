/* Internal: reading, checking and recording rgrbm_cd_options, shared by
 * rgrbm_cd_train, rgrbm_cd_train_stack (which checks every layer before
 * training any) and rgrbm_conv_train. Never installed. */
#ifndef RGRBM_LIB_CD_OPTIONS_H
#define RGRBM_LIB_CD_OPTIONS_H

#include "rgrbm/cd.h"
#include "versioned.h"

/* The sizes of every rgrbm_cd_options version. */
extern const rgrbm__layout rgrbm__cd_options_layout;

/* *o = the defaults overlaid with the caller's version's fields of `given`
 * (NULL: the defaults). RGRBM_EINVAL naming func and arg for a version of 0
 * or newer than the library's. */
int rgrbm__cd_options_read(const rgrbm_cd_options *given, rgrbm_cd_options *o,
                           const char *func, const char *arg);

/* Checks every option of o (read by rgrbm__cd_options_read) that needs no
 * data, in the name of func: RGRBM_EINVAL for a value out of range. The
 * chain counts (o->persistent_chains, and o->batch_size as PCD's default
 * count) must be at most max_chains (SIZE_MAX: no limit). */
int rgrbm__cd_check_option_values(const rgrbm_cd_options *o, size_t max_chains,
                                  const char *func);

struct rgrbm__training_record;

/* *r = the record of a training call with options o (zeroed first, padding
 * too, since the record is saved byte for byte with the layer). */
void rgrbm__cd_record_options(struct rgrbm__training_record *r, const rgrbm_cd_options *o);

/* Every check of rgrbm_cd_train(s, layer, data, o) that can refuse the call
 * with RGRBM_EINVAL or RGRBM_EUNSUPPORTED (the arguments, the options read
 * by rgrbm__cd_options_read, their fit with the data, the stack's epoch
 * count, whether tables can run), in that function's name. */
int rgrbm__cd_check_call(const rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                         const rgrbm_cd_options *o, const char *func);

#endif
