/* Status names, the thread-local error message and the version queries. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "rgrbm/version.h"

#define RGRBM_STR2(x) #x
#define RGRBM_STR(x) RGRBM_STR2(x)

static _Thread_local char last_error[RGRBM__ERROR_CAPACITY];

int rgrbm__fail(int status, const char *func, const char *fmt, ...) {
  int used = snprintf(last_error, sizeof last_error, "%s: ", func);
  if (used < 0 || (size_t)used >= sizeof last_error) return status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error + used, sizeof last_error - (size_t)used, fmt, ap);
  va_end(ap);
  return status;
}

int rgrbm__fail_message(int status, const char *func, const char *message) {
  return rgrbm__fail(status, func, "%s", message);
}

int rgrbm__fail_within(int status, const char *func) {
  char inner[RGRBM__ERROR_CAPACITY];
  memcpy(inner, last_error, sizeof inner);
  return rgrbm__fail(status, func, "%s", inner);
}

const char *rgrbm_last_error(void) { return last_error; }

void rgrbm_clear_error(void) { last_error[0] = '\0'; }

const char *rgrbm_strerror(int status) {
  switch (status) {
    case RGRBM_OK: return "RGRBM_OK: success";
    case RGRBM_EINVAL: return "RGRBM_EINVAL: invalid argument";
    case RGRBM_ENOMEM: return "RGRBM_ENOMEM: out of memory";
    case RGRBM_EIO: return "RGRBM_EIO: input/output error";
    case RGRBM_EFORMAT: return "RGRBM_EFORMAT: malformed or unsupported file";
    case RGRBM_ENUMERIC: return "RGRBM_ENUMERIC: numerical failure";
    case RGRBM_ECANCELED: return "RGRBM_ECANCELED: canceled by callback";
    case RGRBM_EUNSUPPORTED: return "RGRBM_EUNSUPPORTED: not supported";
    default: return "unknown status";
  }
}

unsigned rgrbm_version(void) { return RGRBM_VERSION_NUMBER; }

const char *rgrbm_version_string(void) {
  return RGRBM_STR(RGRBM_VERSION_MAJOR) "." RGRBM_STR(RGRBM_VERSION_MINOR) "." RGRBM_STR(
      RGRBM_VERSION_PATCH);
}
