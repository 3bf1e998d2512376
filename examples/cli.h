/* Command-line helpers shared by the example programs (not part of the
 * library): numbers parsed with full checks (the whole argument, its range,
 * finiteness) and one convention for usage errors: a line saying what is
 * wrong, a line pointing at --help, exit status 2. `--help` and `-h` print
 * the usage to stdout and exit 0 before anything is computed. */
#ifndef EXAMPLES_CLI_H
#define EXAMPLES_CLI_H

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a parse asks main() to do next. */
enum { CLI_RUN = 0, CLI_HELP = 1, CLI_USAGE = 2 /* also the exit status */ };

/* x as a JSON number, the shortest of %.15g..%.17g that reads back as the
 * same double; null when x is not finite (JSON has no NaN or infinity). */
static inline void cli_json_number(FILE *f, double x) {
  if (!isfinite(x)) {
    fputs("null", f);
    return;
  }
  char buf[32];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (strtod(buf, NULL) == x) break;
  }
  fputs(buf, f);
}

/* Whether arg is option `name`, alone or as "name=V". */
static inline int cli_is_option(const char *arg, const char *name) {
  size_t n = strlen(name);
  return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The value of option `name` at argv[*i] ("--name=V", or "--name V", which
 * advances *i), or NULL when argv[*i] is not that option or V is missing. */
static inline const char *cli_option_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] == '\0' && *i + 1 < argc) return argv[++*i];
  return NULL;
}

/* "prog: <reason>" and "Try 'prog --help' for more information." on
 * stderr; returns CLI_USAGE. */
static inline int cli_usage_error(const char *prog, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", prog);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
  va_end(ap);
  return CLI_USAGE;
}

/* A finite decimal number, the whole argument (no leading blanks, which
 * strtod would skip): 0 and *out, or -1 leaving *out unchanged. */
static inline int cli_double(const char *arg, double *out) {
  char *end;
  if (*arg == '\0' || isspace((unsigned char)*arg)) return -1;
  double v = strtod(arg, &end);
  if (*end != '\0' || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

/* An unsigned decimal integer in [min, max]: digits only (strtoull would
 * accept a sign and wrap "-1" to 2^64 - 1), no overflow. */
static inline int cli_u64(const char *arg, uint64_t min, uint64_t max, uint64_t *out) {
  char *end;
  if (!isdigit((unsigned char)*arg)) return -1;
  errno = 0;
  unsigned long long v = strtoull(arg, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return -1;
  *out = (uint64_t)v;
  return 0;
}

/* A decimal integer in [min, max] (min may be negative). */
static inline int cli_int(const char *arg, int min, int max, int *out) {
  char *end;
  if (*arg == '\0' || isspace((unsigned char)*arg)) return -1;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return -1;
  *out = (int)v;
  return 0;
}

/* A count in [min, SIZE_MAX]. */
static inline int cli_size(const char *arg, size_t min, size_t *out) {
  uint64_t v;
  if (cli_u64(arg, min, SIZE_MAX < UINT64_MAX ? SIZE_MAX : UINT64_MAX, &v) != 0) return -1;
  *out = (size_t)v;
  return 0;
}

/* True when arg starts like a number ("-0.3", ".5"): an argument, not an
 * option, for the examples whose arguments are numbers. */
static inline int cli_is_number(const char *arg) {
  const char *p = arg + (*arg == '-' || *arg == '+');
  return isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]));
}

/* The options of the small examples: -h/--help and, when seed is not NULL,
 * --seed N or --seed=N (0..2^64-1). "--" ends the options; numbers,
 * negative ones included, are positional arguments, collected in order in
 * pos[0..*npos) (at most max_pos). Returns CLI_RUN, CLI_HELP (the caller
 * prints its usage) or CLI_USAGE (already reported). */
static inline int cli_parse_small(int argc, char **argv, uint64_t *seed, const char **pos,
                                  int max_pos, int *npos) {
  const char *prog = argv[0];
  int options_done = 0;
  *npos = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (options_done || arg[0] != '-' || arg[1] == '\0' || cli_is_number(arg)) {
      if (*npos == max_pos) return cli_usage_error(prog, "too many arguments: %s", arg);
      pos[(*npos)++] = arg;
    } else if (strcmp(arg, "--") == 0) {
      options_done = 1;
    } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      return CLI_HELP;
    } else if (seed != NULL && (strcmp(arg, "--seed") == 0 || strncmp(arg, "--seed=", 7) == 0)) {
      const char *value = arg[6] == '=' ? arg + 7 : (i + 1 < argc ? argv[++i] : NULL);
      if (value == NULL) return cli_usage_error(prog, "option --seed needs a value");
      if (cli_u64(value, 0, UINT64_MAX, seed) != 0)
        return cli_usage_error(prog, "--seed: not an integer in 0..2^64-1: '%s'", value);
    } else {
      return cli_usage_error(prog, "unknown option '%s'", arg);
    }
  }
  return CLI_RUN;
}

#endif
