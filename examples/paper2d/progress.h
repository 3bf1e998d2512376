/* Progress of long phases: a redrawn bar on a terminal, a few plain lines
 * when stdout is a file or a pipe (logs should not fill with bars). */
#ifndef PAPER2D_PROGRESS_H
#define PAPER2D_PROGRESS_H

typedef struct paper2d_progress {
  int tty;
  double started;     /* monotonic seconds when the phase began */
  int last_reported;  /* plain mode: last tenth printed */
  char phase[64];
} paper2d_progress;

/* Monotonic wall-clock seconds. */
double paper2d_now(void);

void paper2d_progress_init(paper2d_progress *p);

/* Start a phase (resets the clock used for the ETA). */
void paper2d_progress_begin(paper2d_progress *p, const char *phase);

/* done of total units of work; detail is shown after the counter. */
void paper2d_progress_update(paper2d_progress *p, long done, long total, const char *detail);

/* End the phase with a summary line. */
void paper2d_progress_end(paper2d_progress *p, const char *summary);

/* Report a failed file operation of the example itself (not the library's,
 * whose message main prints from rgrbm_last_error()); returns
 * PAPER2D_FILE_ERROR. */
enum { PAPER2D_FILE_ERROR = 1 };
int paper2d_file_error(const char *what, const char *path);

#endif
