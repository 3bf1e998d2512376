/* Internal: the library's own worker threads for training's hot loops
 * (table products, activations, sampling, unpacking). Never installed.
 *
 * Why not OpenMP there: a parallel region ends at a barrier that waits for
 * every thread of the team, and libgomp's threads spin at it. Beside another
 * busy process, a thread that lost its core holds every region up for a
 * scheduler time slice, and a spinning thread keeps the core the late one
 * needs: a small training run became 3 to 10 times slower than on one
 * thread. Here a job is a list of independent tasks that threads claim one
 * at a time; the calling thread claims tasks too and waits (briefly
 * spinning, then sleeping on a condition variable) only for tasks another
 * thread has started, never for a thread that has not woken up yet. Idle
 * workers sleep.
 *
 * Results never depend on the thread count: the caller splits the work into
 * tasks that do not depend on it, and each task's result does not depend on
 * which thread runs it. */
#ifndef RGRBM_LIB_TEAM_H
#define RGRBM_LIB_TEAM_H

#include <stddef.h>

/* Task `task` (0 <= task < tasks) of a job; arg is the job's argument. */
typedef void (*rgrbm__task_fn)(void *arg, size_t task);

/* Work (in elementary operations, e.g. multiply-adds or elements) below
 * which a job runs on the calling thread alone: waking a sleeping worker
 * costs some microseconds. */
#define RGRBM__TEAM_MIN_WORK 32768.0

/* Runs fn(arg, t) for every t < tasks and returns when all have finished.
 * Runs them on the calling thread alone when work < RGRBM__TEAM_MIN_WORK,
 * tasks < 2, the team size is 1, or the team is busy (another thread's job,
 * or a call from inside a task). The team size is omp_get_max_threads()
 * when the library is built with OpenMP (so OMP_NUM_THREADS and
 * omp_set_num_threads() bound it), else the number of online CPUs; workers
 * are started on first use. */
void rgrbm__team_run(size_t tasks, double work, rgrbm__task_fn fn, void *arg);

/* Threads a job may use now (the calling thread included), at least 1. */
size_t rgrbm__team_size(void);

/* [begin, end) of part `part` when n items are cut into `parts` nearly
 * equal parts (the first n % parts get one more). */
static inline void rgrbm__team_part(size_t n, size_t parts, size_t part, size_t *begin,
                                    size_t *end) {
  *begin = n / parts * part + (part < n % parts ? part : n % parts);
  *end = *begin + n / parts + (part < n % parts);
}

#endif
