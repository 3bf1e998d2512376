/* Internal: reading and checking rgrbm_cd_options, shared by rgrbm_cd_train
 * and rgrbm_cd_train_stack (which checks every layer before training any).
 * Never installed. */
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

/* Every check of rgrbm_cd_train(s, layer, data, o) that can refuse the call
 * with RGRBM_EINVAL or RGRBM_EUNSUPPORTED (the arguments, the options read
 * by rgrbm__cd_options_read, their fit with the data, the stack's epoch
 * count, whether tables can run), in that function's name. */
int rgrbm__cd_check_call(const rgrbm_stack *s, int layer, const rgrbm_dataset *data,
                         const rgrbm_cd_options *o, const char *func);

#endif
