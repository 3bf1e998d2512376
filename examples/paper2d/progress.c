#include "progress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { BAR_WIDTH = 30, PLAIN_STEPS = 10 };

double paper2d_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void paper2d_progress_init(paper2d_progress *p) {
  memset(p, 0, sizeof *p);
  p->tty = isatty(STDOUT_FILENO);
}

void paper2d_progress_begin(paper2d_progress *p, const char *phase) {
  snprintf(p->phase, sizeof p->phase, "%s", phase);
  p->started = paper2d_now();
  p->last_reported = -1;
}

static void draw_bar(const paper2d_progress *p, long done, long total, const char *detail) {
  double frac = total > 0 ? (double)done / (double)total : 1.0;
  double elapsed = paper2d_now() - p->started;
  double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
  char bar[BAR_WIDTH + 1];
  int filled = (int)(frac * BAR_WIDTH + 0.5);
  for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
  bar[BAR_WIDTH] = '\0';
  /* \r plus clear-to-end keeps one line however long the previous one was */
  printf("\r\033[K%-10s [%s] %3.0f%% %s  %.0fs, ETA %.0fs", p->phase, bar, 100 * frac, detail,
         elapsed, eta);
  fflush(stdout);
}

void paper2d_progress_update(paper2d_progress *p, long done, long total, const char *detail) {
  if (p->tty) {
    draw_bar(p, done, total, detail);
    return;
  }
  int step = total > 0 ? (int)(PLAIN_STEPS * done / total) : PLAIN_STEPS;
  if (step == p->last_reported) return;
  p->last_reported = step;
  printf("%s: %ld/%ld %s (%.1f s)\n", p->phase, done, total, detail, paper2d_now() - p->started);
  fflush(stdout);
}

void paper2d_progress_end(paper2d_progress *p, const char *summary) {
  if (p->tty) printf("\r\033[K");
  printf("%s: %s (%.1f s)\n", p->phase, summary, paper2d_now() - p->started);
  fflush(stdout);
}

int paper2d_file_error(const char *what, const char *path) {
  fprintf(stderr, "paper2d: cannot %s %s: %s\n", what, path, strerror(errno));
  return PAPER2D_FILE_ERROR;
}
