/* Internal: the one idiom for structs that carry `unsigned version` as their
 * first field (docs/conventions.md, "Versioned structs"). Never installed.
 *
 * A layout lists the byte size of every version of a struct, version 1 first
 * (for a struct that grew, the size of version v is the offset of the first
 * field version v + 1 added). The library always works on a struct of the
 * current layout:
 *  - options: start from the defaults (the RGRBM_X_OPTIONS_INIT value) and
 *    copy in only the bytes of the caller's version, so the fields an older
 *    caller does not know keep their defaults;
 *  - results: check the caller's version before any work (so a refused call
 *    changes nothing), fill a current-layout struct, and copy back only the
 *    bytes of the caller's version, never past the caller's struct. */
#ifndef RGRBM_LIB_VERSIONED_H
#define RGRBM_LIB_VERSIONED_H

#include <stddef.h>
#include <string.h>

#include "fail.h"

typedef struct rgrbm__layout {
  const char *name;    /* the struct's public name, for messages */
  unsigned current;    /* the newest version this library knows */
  const size_t *bytes; /* bytes[v - 1]: size of version v, v = 1..current */
} rgrbm__layout;

/* The version field of a caller's struct (the first member of every
 * versioned struct). */
static inline unsigned rgrbm__version_of(const void *s) {
  unsigned v;
  memcpy(&v, s, sizeof v);
  return v;
}

/* RGRBM_EINVAL naming func, the argument, the struct, the version and the
 * supported range, unless 1 <= version <= current. */
static inline int rgrbm__version_check(const rgrbm__layout *layout, unsigned version,
                                       const char *func, const char *arg) {
  if (version >= 1 && version <= layout->current) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EINVAL, func,
                     "%s->version = %u: this library knows %s versions 1 to %u (set it with "
                     "the struct's _INIT macro or _VERSION)",
                     arg, version, layout->name, layout->current);
}

/* Options: `current` holds the defaults (a current-layout struct); overlay
 * the caller's version's bytes from `given`. A NULL `given` keeps the
 * defaults. */
static inline int rgrbm__versioned_read(const rgrbm__layout *layout, void *current,
                                        const void *given, const char *func, const char *arg) {
  if (given == NULL) return RGRBM_OK;
  unsigned version = rgrbm__version_of(given);
  int rc = rgrbm__version_check(layout, version, func, arg);
  if (rc != RGRBM_OK) return rc;
  memcpy(current, given, layout->bytes[version - 1]);
  return RGRBM_OK;
}

/* Results: copy back the caller's version's bytes of the current-layout
 * struct `filled` into `out` (whose version was checked on entry), the
 * version field keeping the caller's. The bytes include padding, so fill a
 * struct that was zeroed with memset (an initializer need not zero padding):
 * a result is then a function of the inputs, byte for byte. */
static inline void rgrbm__versioned_write(const rgrbm__layout *layout, void *out,
                                          void *filled) {
  unsigned version = rgrbm__version_of(out);
  memcpy(filled, &version, sizeof version);
  memcpy(out, filled, layout->bytes[version - 1]);
}

/* Writes the defaults of `version`'s layout into o (nothing past it) for
 * rgrbm_x_options_init: RGRBM_EINVAL for NULL or an unknown version. */
static inline int rgrbm__versioned_init(const rgrbm__layout *layout, void *o,
                                        const void *defaults, unsigned version,
                                        const char *func) {
  if (o == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "o is NULL");
  if (version < 1 || version > layout->current)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "version = %u: this library knows %s versions 1 to %u", version,
                       layout->name, layout->current);
  memcpy(o, defaults, layout->bytes[version - 1]);
  memcpy(o, &version, sizeof version);
  return RGRBM_OK;
}

#endif
