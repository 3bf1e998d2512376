/* The library's worker threads; see team.h.
 *
 * One job runs at a time (the thread that holds `busy` posts it). Its tasks
 * are claimed through one atomic word, generation << 32 | next task, so a
 * worker that copied an older job's description can never claim a task of
 * a newer one. The poster waits only until every task has finished. */
#include "team.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Times a waiting thread yields its core before it sleeps (some tens of
 * microseconds on an idle core): long enough to catch the next job of a
 * training batch without a wake-up, and yielding rather than spinning, so
 * that a waiting worker never takes CPU time from a thread that shares its
 * core (the caller's, or another process's): with a plain spin, a worker
 * sharing a core with the caller cost it a third of its time. */
enum { SPIN = 64, MAX_WORKERS = 256 };

typedef struct job {
  rgrbm__task_fn fn;
  void *arg;
  size_t tasks;
  uint32_t generation;
} job;

typedef struct pool {
  pthread_mutex_t busy; /* held by the thread whose job runs */
  pthread_mutex_t lock; /* guards the fields below up to `next` */
  pthread_cond_t wake;  /* workers wait for a job */
  pthread_cond_t done;  /* the poster waits for the last task */
  size_t workers, sleepers, wanted; /* started; asleep; may join the current job */
  job current;
  _Atomic uint64_t next;     /* generation << 32 | next task to claim */
  _Atomic size_t pending;    /* tasks of the current job not finished */
  _Atomic long pid;          /* the process that started the workers, 0 before */
} pool;

static pool the_pool = {.busy = PTHREAD_MUTEX_INITIALIZER, .lock = PTHREAD_MUTEX_INITIALIZER,
                        .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static inline void pause_briefly(void) { sched_yield(); }

static uint32_t generation(pool *p) { return (uint32_t)(atomic_load(&p->next) >> 32); }

/* Claims the next task of job `generation`; 0 when none is left. */
static int claim(pool *p, const job *j, size_t *task) {
  uint64_t c = atomic_load(&p->next);
  do {
    if ((uint32_t)(c >> 32) != j->generation || (c & UINT32_MAX) >= j->tasks) return 0;
  } while (!atomic_compare_exchange_weak(&p->next, &c, c + 1));
  *task = (size_t)(c & UINT32_MAX);
  return 1;
}

static void run_tasks(pool *p, const job *j) {
  size_t task;
  while (claim(p, j, &task)) {
    j->fn(j->arg, task);
    if (atomic_fetch_sub(&p->pending, 1) == 1) {
      pthread_mutex_lock(&p->lock);
      pthread_cond_signal(&p->done);
      pthread_mutex_unlock(&p->lock);
    }
  }
}

/* Blocks until a job this worker may join is posted; returns a copy. */
static job wait_for_job(pool *p, size_t me, uint32_t *seen) {
  for (int i = 0; i < SPIN && generation(p) == *seen; i++) pause_briefly();
  pthread_mutex_lock(&p->lock);
  for (;;) {
    uint32_t g = generation(p);
    if (g != *seen) {
      *seen = g;
      if (me < p->wanted) break;
      continue;
    }
    p->sleepers++;
    pthread_cond_wait(&p->wake, &p->lock);
    p->sleepers--;
  }
  job j = p->current;
  pthread_mutex_unlock(&p->lock);
  return j;
}

static void *worker_main(void *index) {
  pool *p = &the_pool;
  const size_t me = (size_t)(uintptr_t)index;
  uint32_t seen = generation(p);
  for (;;) {
    job j = wait_for_job(p, me, &seen);
    run_tasks(p, &j);
  }
  return NULL;
}

/* Starts workers up to `wanted` (with every signal blocked, so that the
 * process's signals keep going to the caller's threads). Returns how many
 * exist; 0 in a child forked from a process that had started them (they did
 * not survive the fork, and the lock may be held). */
static size_t start_workers(pool *p, size_t wanted) {
  const long me = (long)getpid(), owner = atomic_load(&p->pid);
  if (owner != 0 && owner != me) return 0;
  pthread_mutex_lock(&p->lock);
  atomic_store(&p->pid, me);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  while (p->workers < wanted && p->workers < MAX_WORKERS) {
    pthread_t thread;
    if (pthread_create(&thread, &attr, worker_main, (void *)(uintptr_t)p->workers)) break;
    p->workers++;
  }
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  size_t started = p->workers;
  pthread_mutex_unlock(&p->lock);
  return started;
}

static job post(pool *p, rgrbm__task_fn fn, void *arg, size_t tasks, size_t wanted) {
  pthread_mutex_lock(&p->lock);
  job j = {fn, arg, tasks, generation(p) + 1};
  p->current = j;
  p->wanted = wanted;
  atomic_store(&p->pending, tasks);
  atomic_store(&p->next, (uint64_t)j.generation << 32);
  if (p->sleepers) pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  return j;
}

static void wait_done(pool *p) {
  for (int i = 0; i < SPIN && atomic_load(&p->pending); i++) pause_briefly();
  if (atomic_load(&p->pending) == 0) return;
  pthread_mutex_lock(&p->lock);
  while (atomic_load(&p->pending)) pthread_cond_wait(&p->done, &p->lock);
  pthread_mutex_unlock(&p->lock);
}

size_t rgrbm__team_size(void) {
#ifdef _OPENMP
  long n = omp_get_max_threads();
#else
  long n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
  return n > 1 ? (size_t)n : 1;
}

static void run_alone(size_t tasks, rgrbm__task_fn fn, void *arg) {
  for (size_t t = 0; t < tasks; t++) fn(arg, t);
}

void rgrbm__team_run(size_t tasks, double work, rgrbm__task_fn fn, void *arg) {
  pool *p = &the_pool;
  size_t size = tasks >= 2 && work >= RGRBM__TEAM_MIN_WORK ? rgrbm__team_size() : 1;
  if (size > tasks) size = tasks;
  if (size < 2 || tasks > UINT32_MAX || pthread_mutex_trylock(&p->busy) != 0) {
    run_alone(tasks, fn, arg);
    return;
  }
  size_t workers = start_workers(p, size - 1);
  if (workers > size - 1) workers = size - 1;
  if (workers == 0) {
    run_alone(tasks, fn, arg);
  } else {
    job j = post(p, fn, arg, tasks, workers);
    run_tasks(p, &j);
    wait_done(p);
  }
  pthread_mutex_unlock(&p->busy);
}
