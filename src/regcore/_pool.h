/* Work sharing for the dense passes of coordinate descent, without waiting
 * for threads that have not started.
 *
 * An OpenMP parallel region ends at a barrier that waits for every thread of
 * the team. On a machine whose other cores are busy (BLAS threads that spin
 * after a call, another library's OpenMP team), a thread that has not been
 * scheduled yet holds that barrier for a whole time slice: a 0.6 ms pass took
 * 5 to 17 ms inside bench_linear. Here the calling thread claims chunks of
 * the work from a shared counter and helper threads join in when they wake;
 * the caller never waits for a helper to start, only for chunks a helper has
 * already claimed. A helper that is late finds no chunks left and goes back
 * to sleep. A pass is as slow as the serial loop plus the wake-up at worst,
 * unless a helper is preempted in the middle of a chunk it claimed: the
 * caller then waits for it (at most a time slice; chunks last about 10 us).
 *
 * The chunks split the work by index ranges fixed in advance, so results do
 * not depend on which thread ran which chunk. One job at a time: a caller
 * that finds the pool busy (threads of a cross-validation running folds) runs
 * its loop serially. After fork() the child has no helpers and starts new
 * ones when it needs them.
 *
 * POSIX threads and GCC/Clang atomics; elsewhere (MSVC) every job is serial.
 */
#ifndef REGCORE_POOL_H
#define REGCORE_POOL_H

#include <stddef.h>
#include <stdint.h>

/* one chunk of a job: the items [lo, hi) */
typedef void (*regcore_task)(void *ctx, ptrdiff_t lo, ptrdiff_t hi);

#if (defined(__GNUC__) || defined(__clang__)) && !defined(_WIN32)
#define REGCORE_HAVE_POOL 1
#include <pthread.h>
#include <sched.h>

#define REGCORE_POOL_MAX_HELPERS 63
static struct {
    pthread_mutex_t owner;      /* held by the caller running a job */
    pthread_mutex_t lock;       /* with `wake`: sleeping helpers */
    pthread_cond_t wake;
    int n_helpers;              /* started (guarded by owner) */
    int atfork_set;
    uint64_t state;             /* (job << 32) | next chunk, atomic */
    regcore_task fn;            /* the job (atomic, written before state) */
    void *ctx;
    ptrdiff_t n_items, n_chunks;
    int n_wanted;               /* helpers with a smaller index take part */
    int64_t helper_done;        /* chunks the helpers finished in this job (atomic) */
    int64_t helper_total;       /* and since the start, for tests (atomic) */
} regcore_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                  PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, 0};

#define REGCORE_LOAD(p) __atomic_load_n(p, __ATOMIC_SEQ_CST)
#define REGCORE_STORE(p, v) __atomic_store_n(p, v, __ATOMIC_SEQ_CST)

static inline void regcore_pool_chunk(regcore_task fn, void *ctx, ptrdiff_t n_items,
                                      ptrdiff_t n_chunks, uint64_t c)
{
    ptrdiff_t i = (ptrdiff_t) c;
    fn(ctx, i * n_items / n_chunks, (i + 1) * n_items / n_chunks);
}

static inline void regcore_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* one round k of a wait: spin (pause) for the first rounds, then give the
 * core away (the thread waited for may be preempted on a busy machine) */
#define REGCORE_SPIN_ROUNDS 1000
static inline void regcore_wait_round(int k)
{
    if (k < REGCORE_SPIN_ROUNDS)
        regcore_pause();
    else
        sched_yield();
}

/* *p = desired if *p == *expected (then true), else *expected = *p */
#define REGCORE_CAS(p, expected, desired)                                     \
    __atomic_compare_exchange_n(p, expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)

/* Claims and runs chunks of the current job as long as it is job `job`.
 * The job's fields are read before the claim; a claim that succeeds proves
 * the job still had unclaimed chunks then (a finished job is closed, its
 * chunk index set beyond any count, before the next job's fields are
 * written: see the end of regcore_pool_run), so the caller had not moved on
 * to another job and the fields read were this job's. */
static void regcore_pool_help(uint32_t job, int index)
{
    regcore_task fn;
    void *ctx;
    ptrdiff_t n_items, n_chunks;
    uint64_t s;
    if (index >= REGCORE_LOAD(&regcore_pool.n_wanted))
        return;
    fn = REGCORE_LOAD(&regcore_pool.fn);
    ctx = REGCORE_LOAD(&regcore_pool.ctx);
    n_items = REGCORE_LOAD(&regcore_pool.n_items);
    n_chunks = REGCORE_LOAD(&regcore_pool.n_chunks);
    s = REGCORE_LOAD(&regcore_pool.state);
    while ((uint32_t) (s >> 32) == job && (ptrdiff_t) (uint32_t) s < n_chunks) {
        if (__atomic_compare_exchange_n(&regcore_pool.state, &s, s + 1, 0,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            regcore_pool_chunk(fn, ctx, n_items, n_chunks, (uint32_t) s);
            __atomic_fetch_add(&regcore_pool.helper_total, 1, __ATOMIC_SEQ_CST);
            __atomic_fetch_add(&regcore_pool.helper_done, 1, __ATOMIC_SEQ_CST);
            s = REGCORE_LOAD(&regcore_pool.state);
        }
    }
}

static void *regcore_pool_helper(void *arg)
{
    int index = (int) (intptr_t) arg;
    uint32_t seen = (uint32_t) (REGCORE_LOAD(&regcore_pool.state) >> 32);
    for (;;) {
        /* no spinning between jobs: on a busy core a helper that spun used
         * up its time slice and was preempted in the middle of its next
         * chunk, which the caller then waited for; a helper woken from sleep
         * runs at once with a fresh slice */
        uint32_t job = (uint32_t) (REGCORE_LOAD(&regcore_pool.state) >> 32);
        if (job == seen) {
            pthread_mutex_lock(&regcore_pool.lock);
            while ((uint32_t) (REGCORE_LOAD(&regcore_pool.state) >> 32) == seen)
                pthread_cond_wait(&regcore_pool.wake, &regcore_pool.lock);
            pthread_mutex_unlock(&regcore_pool.lock);
            continue;
        }
        seen = job;
        regcore_pool_help(job, index);
    }
    return NULL;
}

/* the child of a fork has none of the parent's helpers */
static void regcore_pool_after_fork(void)
{
    pthread_mutex_t fresh_mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t fresh_cond = PTHREAD_COND_INITIALIZER;
    regcore_pool.owner = fresh_mutex;
    regcore_pool.lock = fresh_mutex;
    regcore_pool.wake = fresh_cond;
    regcore_pool.n_helpers = 0;
}

/* start helpers until there are `want` (caller holds owner); returns how many run */
static int regcore_pool_start(int want)
{
    if (!regcore_pool.atfork_set) {
        if (pthread_atfork(NULL, NULL, regcore_pool_after_fork) != 0)
            return regcore_pool.n_helpers;
        regcore_pool.atfork_set = 1;
    }
    if (want > REGCORE_POOL_MAX_HELPERS)
        want = REGCORE_POOL_MAX_HELPERS;
    while (regcore_pool.n_helpers < want) {
        pthread_t thread;
        pthread_attr_t attr;
        int failed;
        if (pthread_attr_init(&attr) != 0)
            break;
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        failed = pthread_create(&thread, &attr, regcore_pool_helper,
                                (void *) (intptr_t) regcore_pool.n_helpers);
        pthread_attr_destroy(&attr);
        if (failed)
            break;
        regcore_pool.n_helpers++;
    }
    return regcore_pool.n_helpers;
}

/* Runs fn over [0, n_items) split into n_chunks fixed chunks, with up to
 * n_threads - 1 helpers; serially when n_threads < 2, when there is one
 * chunk, or when another caller holds the pool. */
static void regcore_pool_run(regcore_task fn, void *ctx, ptrdiff_t n_items,
                             ptrdiff_t n_chunks, int n_threads)
{
    uint64_t s, job;
    int64_t mine = 0;
    if (n_threads < 2 || n_chunks < 2 || n_chunks > INT32_MAX
        || pthread_mutex_trylock(&regcore_pool.owner) != 0) {
        fn(ctx, 0, n_items);
        return;
    }
    if (regcore_pool_start(n_threads - 1) == 0) {  /* no thread could start */
        pthread_mutex_unlock(&regcore_pool.owner);
        fn(ctx, 0, n_items);
        return;
    }
    REGCORE_STORE(&regcore_pool.fn, fn);
    REGCORE_STORE(&regcore_pool.ctx, ctx);
    REGCORE_STORE(&regcore_pool.n_items, n_items);
    REGCORE_STORE(&regcore_pool.n_chunks, n_chunks);
    REGCORE_STORE(&regcore_pool.n_wanted, n_threads - 1);
    REGCORE_STORE(&regcore_pool.helper_done, 0);
    job = (REGCORE_LOAD(&regcore_pool.state) >> 32) + 1;
    REGCORE_STORE(&regcore_pool.state, (uint64_t) (uint32_t) job << 32);
    /* a helper holding the lock is awake and sees the new job (or sleeps
     * through it, and the caller does the work) */
    if (pthread_mutex_trylock(&regcore_pool.lock) == 0) {
        pthread_cond_broadcast(&regcore_pool.wake);
        pthread_mutex_unlock(&regcore_pool.lock);
    }
    for (;;) {
        s = __atomic_fetch_add(&regcore_pool.state, 1, __ATOMIC_SEQ_CST);
        if ((ptrdiff_t) (uint32_t) s >= n_chunks)
            break;
        regcore_pool_chunk(fn, ctx, n_items, n_chunks, (uint32_t) s);
        mine++;
    }
    /* only the chunks a helper has claimed are waited for */
    for (int k = 0; REGCORE_LOAD(&regcore_pool.helper_done) != n_chunks - mine; k++)
        regcore_wait_round(k);
    /* Close the job before the next caller rewrites fn, ctx, n_items and
     * n_chunks: a helper that read `job` from state before the end of this
     * job but reads those fields while the next job is being published
     * would otherwise see this job's state (index n_chunks + 1 or so) below
     * the next job's n_chunks and claim a chunk with fields of either job
     * (the chunk runs twice, or with a mismatched fn/ctx, and helper_done
     * counts it in the next job, whose caller then waits forever). With
     * the index at UINT32_MAX no claim on this job can succeed; the job
     * number stays, so helpers that saw it go back to sleep. */
    REGCORE_STORE(&regcore_pool.state, ((uint64_t) (uint32_t) job << 32) | UINT32_MAX);
    pthread_mutex_unlock(&regcore_pool.owner);
}

/* chunks run by helper threads since the start (0 when there are none) */
static int64_t regcore_pool_helper_chunks(void)
{
    return REGCORE_LOAD(&regcore_pool.helper_total);
}

#else
#define REGCORE_HAVE_POOL 0
/* one thread: plain loads, stores and compare-and-set */
#define REGCORE_LOAD(p) (*(p))
#define REGCORE_STORE(p, v) (*(p) = (v))
#define REGCORE_CAS(p, expected, desired)                                     \
    (*(p) == *(expected) ? (*(p) = (desired), 1) : (*(expected) = *(p), 0))
#define REGCORE_SPIN_ROUNDS 1000
static inline void regcore_wait_round(int k) { (void) k; }
static int64_t regcore_pool_helper_chunks(void) { return 0; }
static void regcore_pool_run(regcore_task fn, void *ctx, ptrdiff_t n_items,
                             ptrdiff_t n_chunks, int n_threads)
{
    (void) n_chunks;
    (void) n_threads;
    fn(ctx, 0, n_items);
}
#endif

#endif
