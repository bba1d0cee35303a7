/* Stress of regcore_pool_run (src/regcore/_pool.h, passed as POOL_H): jobs
 * alternate between 2 chunks and 64 chunks, as the coordinate sweeps (2) and
 * the passes over the design (up to 64 per thread) do; every chunk must run
 * exactly once per job and every job must end. Exits 0 when all did, 1 when
 * a chunk ran twice or never, 3 when the jobs stopped progressing (a caller
 * waiting for a chunk that never ends). Usage: pool_stress JOBS THREADS */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include POOL_H

#define BIG 64

typedef struct {
    int tag, n;
    int *runs;
} stress_job;

static volatile long jobs_done;

static void count_chunks(void *ctx, ptrdiff_t lo, ptrdiff_t hi)
{
    stress_job *job = (stress_job *) ctx;
    if (job->tag != 0x5eed) {
        fprintf(stderr, "a chunk ran with another job's context\n");
        _exit(1);
    }
    for (ptrdiff_t i = lo; i < hi; i++) {
        if (i < 0 || i >= job->n) {
            fprintf(stderr, "chunk %td out of range (n=%d)\n", i, job->n);
            _exit(1);
        }
        __atomic_fetch_add(&job->runs[i], 1, __ATOMIC_RELAXED);
        for (volatile int k = 0; k < 50; k++) {
        }
    }
}

/* a second function, so a stale claim can also mix up fn */
static void count_chunks_big(void *ctx, ptrdiff_t lo, ptrdiff_t hi) { count_chunks(ctx, lo, hi); }

static void *watchdog(void *arg)
{
    long last = -1;
    for (;;) {
        sleep(2);
        if (jobs_done == last) {
            fprintf(stderr, "no progress after %ld jobs\n", last);
            _exit(3);
        }
        last = jobs_done;
    }
    return arg;
}

int main(int argc, char **argv)
{
    long n_jobs = argc > 1 ? atol(argv[1]) : 100000;
    int n_threads = argc > 2 ? atoi(argv[2]) : 2;
    int runs[BIG];
    long bad = 0;
    pthread_t thread;
    pthread_create(&thread, NULL, watchdog, NULL);
    for (long it = 0; it < n_jobs; it++) {
        int n = (it & 1) ? BIG : 2;
        stress_job job = {0x5eed, n, runs};
        for (int i = 0; i < n; i++) runs[i] = 0;
        regcore_pool_run((it & 1) ? count_chunks_big : count_chunks, &job, n, n, n_threads);
        for (int i = 0; i < n; i++) bad += runs[i] != 1;
        job.tag = job.n = 0;  /* as the caller's stack frame would be reused */
        jobs_done = it;
    }
    printf("%ld jobs, %ld chunks run other than once, %ld by helpers\n", n_jobs, bad,
           (long) regcore_pool_helper_chunks());
    return bad != 0;
}
