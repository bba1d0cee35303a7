/* Small vector helpers for coordinate descent (included through _cd.pxi).
 *
 * Dense dot/axpy run with several independent accumulators so the compiler
 * can vectorize without -ffast-math, and are compiled twice on x86-64 (an
 * AVX2+FMA version and the baseline); the CPU is checked once at run time.
 * Results are deterministic on a given machine.
 */
#ifndef REGCORE_CD_OPS_H
#define REGCORE_CD_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "_pool.h"

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define REGCORE_X86_DISPATCH 1
#define REGCORE_AVX2 __attribute__((target("avx2,fma")))
/* 1 when the CPU has AVX2 and FMA; checked once (idempotent, race-free in effect). */
static int regcore_has_avx2(void)
{
    static int level = -1;
    if (level < 0)
        level = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return level;
}
#endif

/* sum(x[:n] * y[:n]) */
#define REGCORE_DOT_BODY(T)                                                   \
    {                                                                         \
        T a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;     \
        ptrdiff_t i = 0;                                                      \
        for (; i + 8 <= n; i += 8) {                                          \
            a0 += x[i] * y[i];         a1 += x[i + 1] * y[i + 1];             \
            a2 += x[i + 2] * y[i + 2]; a3 += x[i + 3] * y[i + 3];             \
            a4 += x[i + 4] * y[i + 4]; a5 += x[i + 5] * y[i + 5];             \
            a6 += x[i + 6] * y[i + 6]; a7 += x[i + 7] * y[i + 7];             \
        }                                                                     \
        for (; i < n; i++) a0 += x[i] * y[i];                                 \
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));             \
    }

/* y[:n] += a * x[:n] */
#define REGCORE_AXPY_BODY(T)                                                  \
    {                                                                         \
        for (ptrdiff_t i = 0; i < n; i++) y[i] += a * x[i];                   \
    }

/* RET NAME PARAMS with body BODY, compiled twice on x86-64 (AVX2+FMA and
 * baseline, picked at run time) and once elsewhere. RETURN is `return` for
 * a non-void RET and empty otherwise (C forbids returning a void call). */
#ifdef REGCORE_X86_DISPATCH
#define REGCORE_DISPATCHED(RET, NAME, PARAMS, ARGS, RETURN, BODY)             \
    static RET NAME##_base PARAMS BODY                                        \
    REGCORE_AVX2 static RET NAME##_avx2 PARAMS BODY                           \
    static inline RET NAME PARAMS                                             \
    {                                                                         \
        RETURN (regcore_has_avx2() ? NAME##_avx2 : NAME##_base) ARGS;         \
    }
#else
#define REGCORE_DISPATCHED(RET, NAME, PARAMS, ARGS, RETURN, BODY)             \
    static inline RET NAME PARAMS BODY
#endif

#define REGCORE_DEF_DOT(NAME, T)                                              \
    REGCORE_DISPATCHED(T, NAME, (ptrdiff_t n, const T *x, const T *y), (n, x, y), \
                       return, REGCORE_DOT_BODY(T))
#define REGCORE_DEF_AXPY(NAME, T)                                             \
    REGCORE_DISPATCHED(void, NAME, (ptrdiff_t n, T a, const T *x, T *y), (n, a, x, y), \
                       , REGCORE_AXPY_BODY(T))

/* r[:n] += a * xp[:n], then return sum(xj[:n] * r[:n]): the residual update
 * of one coordinate fused with the gradient of the next, one pass over r
 * (measured here, 5000 x 400 float64: 1.40 us per coordinate vs 1.65 us
 * for the dot and axpy as two passes) */
#if defined(__GNUC__) || defined(__clang__)
typedef double regcore_v4d __attribute__((vector_size(32), aligned(8)));
typedef float regcore_v4f __attribute__((vector_size(16), aligned(4)));
typedef float regcore_v8f __attribute__((vector_size(32), aligned(4)));
/* the first multiple of 2 W elements, W lanes per vector of type VT */
#define REGCORE_AXPY_DOT_VECTOR(VT, W)                                        \
    VT s0 = {0}, s1 = {0};                                                    \
    for (; i + 2 * W <= n; i += 2 * W) {                                      \
        VT r0 = *(VT *) (r + i) + a * *(const VT *) (xp + i);                 \
        VT r1 = *(VT *) (r + i + W) + a * *(const VT *) (xp + i + W);         \
        *(VT *) (r + i) = r0;                                                 \
        *(VT *) (r + i + W) = r1;                                             \
        s0 += *(const VT *) (xj + i) * r0;                                    \
        s1 += *(const VT *) (xj + i + W) * r1;                                \
    }                                                                         \
    s0 += s1;                                                                 \
    for (int l = 0; l < W; l++) acc += s0[l];
#else
#define REGCORE_AXPY_DOT_VECTOR(VT, W)
#endif
#define REGCORE_AXPY_DOT_BODY(T, VT, W)                                       \
    {                                                                         \
        T acc = 0;                                                            \
        ptrdiff_t i = 0;                                                      \
        REGCORE_AXPY_DOT_VECTOR(VT, W)                                        \
        for (; i < n; i++) {                                                  \
            r[i] += a * xp[i];                                                \
            acc += xj[i] * r[i];                                              \
        }                                                                     \
        return acc;                                                           \
    }
#define REGCORE_DEF_AXPY_DOT(NAME, T, VT, W)                                  \
    REGCORE_DISPATCHED(T, NAME, (ptrdiff_t n, T a, const T *xp, const T *xj, T *r), \
                       (n, a, xp, xj, r), return, REGCORE_AXPY_DOT_BODY(T, VT, W))

/* out[k] = sum(xk[:n] * r[:n]) for the four columns x0..x3, r read once for
 * the four: a pass over 5000 x 500 took 0.58 instead of 0.90 ms on one
 * thread, 0.31 instead of 0.38 ms on two; on 500-row columns it was slower
 * than a column at a time (REGCORE_DOT4_MIN_ROWS) */
#define REGCORE_DOT4_MIN_ROWS 2048
#if defined(__GNUC__) || defined(__clang__)
#define REGCORE_DOT4_VECTOR(VT, W)                                            \
    VT s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};                                \
    for (; i + W <= n; i += W) {                                              \
        VT v = *(const VT *) (r + i);                                         \
        s0 += *(const VT *) (x0 + i) * v;                                     \
        s1 += *(const VT *) (x1 + i) * v;                                     \
        s2 += *(const VT *) (x2 + i) * v;                                     \
        s3 += *(const VT *) (x3 + i) * v;                                     \
    }                                                                         \
    for (int l = 0; l < W; l++) {                                             \
        a0 += s0[l];                                                          \
        a1 += s1[l];                                                          \
        a2 += s2[l];                                                          \
        a3 += s3[l];                                                          \
    }
#else
#define REGCORE_DOT4_VECTOR(VT, W)
#endif
#define REGCORE_DOT4_BODY(T, VT, W)                                           \
    {                                                                         \
        T a0 = 0, a1 = 0, a2 = 0, a3 = 0;                                     \
        ptrdiff_t i = 0;                                                      \
        REGCORE_DOT4_VECTOR(VT, W)                                            \
        for (; i < n; i++) {                                                  \
            a0 += x0[i] * r[i];                                               \
            a1 += x1[i] * r[i];                                               \
            a2 += x2[i] * r[i];                                               \
            a3 += x3[i] * r[i];                                               \
        }                                                                     \
        out[0] = a0;                                                          \
        out[1] = a1;                                                          \
        out[2] = a2;                                                          \
        out[3] = a3;                                                          \
    }
#define REGCORE_DEF_DOT4(NAME, T, VT, W)                                      \
    REGCORE_DISPATCHED(void, NAME, (ptrdiff_t n, const T *x0, const T *x1, const T *x2, \
                                    const T *x3, const T *r, T *out),         \
                       (n, x0, x1, x2, x3, r, out), , REGCORE_DOT4_BODY(T, VT, W))

/* Four coordinate updates in one pass: r[:n] += sum_k d[k] P[k][:n], then
 * out[k] = C[k] . r (k < 4) and out[4:10] = the products C[0].C[1], C[0].C[2],
 * C[0].C[3], C[1].C[2], C[1].C[3], C[2].C[3], from which the solver corrects
 * the gradients of a block of four coordinates for the moves made before
 * them in the block. r and the eight columns are read once, where a column
 * at a time reads r four times (C microbenchmark, 5000-row columns in L3:
 * 0.93-0.95 instead of 1.22 us per coordinate; on columns that fit in L2
 * the extra products make it slower, hence REGCORE_BLOCK4_MIN_ROWS). */
#define REGCORE_BLOCK4_MIN_ROWS 2048
#define REGCORE_BLOCK4_PAIRS(ACC, X, R)                                       \
    ACC[0] += X##0 * R;  ACC[1] += X##1 * R;                                  \
    ACC[2] += X##2 * R;  ACC[3] += X##3 * R;                                  \
    ACC[4] += X##0 * X##1;  ACC[5] += X##0 * X##2;  ACC[6] += X##0 * X##3;    \
    ACC[7] += X##1 * X##2;  ACC[8] += X##1 * X##3;  ACC[9] += X##2 * X##3;
#if defined(__GNUC__) || defined(__clang__)
#define REGCORE_BLOCK4_VECTOR(VT, W)                                          \
    VT s[10] = {{0}};                                                         \
    for (; i + W <= n; i += W) {                                              \
        VT v = *(VT *) (r + i) + d0 * *(const VT *) (p0 + i)                  \
               + d1 * *(const VT *) (p1 + i) + d2 * *(const VT *) (p2 + i)    \
               + d3 * *(const VT *) (p3 + i);                                 \
        VT x0 = *(const VT *) (c0 + i), x1 = *(const VT *) (c1 + i);          \
        VT x2 = *(const VT *) (c2 + i), x3 = *(const VT *) (c3 + i);          \
        *(VT *) (r + i) = v;                                                  \
        REGCORE_BLOCK4_PAIRS(s, x, v)                                         \
    }                                                                         \
    for (int k = 0; k < 10; k++)                                              \
        for (int l = 0; l < W; l++) acc[k] += s[k][l];
#else
#define REGCORE_BLOCK4_VECTOR(VT, W)
#endif
#define REGCORE_BLOCK4_BODY(T, VT, W)                                         \
    {                                                                         \
        const T *p0 = P[0], *p1 = P[1], *p2 = P[2], *p3 = P[3];               \
        const T *c0 = C[0], *c1 = C[1], *c2 = C[2], *c3 = C[3];               \
        T d0 = d[0], d1 = d[1], d2 = d[2], d3 = d[3];                         \
        T acc[10] = {0};                                                      \
        ptrdiff_t i = 0;                                                      \
        REGCORE_BLOCK4_VECTOR(VT, W)                                          \
        for (; i < n; i++) {                                                  \
            T v = r[i] + d0 * p0[i] + d1 * p1[i] + d2 * p2[i] + d3 * p3[i];   \
            T x0 = c0[i], x1 = c1[i], x2 = c2[i], x3 = c3[i];                 \
            r[i] = v;                                                         \
            REGCORE_BLOCK4_PAIRS(acc, x, v)                                   \
        }                                                                     \
        for (int k = 0; k < 10; k++) out[k] = acc[k];                         \
    }
#define REGCORE_DEF_BLOCK4(NAME, T, VT, W)                                    \
    REGCORE_DISPATCHED(void, NAME, (ptrdiff_t n, const T *const *P, const T *d, \
                                    const T *const *C, T *r, T *out),         \
                       (n, P, d, C, r, out), , REGCORE_BLOCK4_BODY(T, VT, W))

/* BLOCK4 on two threads. Long columns are cut at row `split` (fixed by n
 * alone, so the sums, out = first half + second half, do not depend on the
 * threads): the sweeping thread (the driver) publishes each block, runs its
 * first half and then the second, unless the other thread of the sweep (the
 * assistant, spinning between blocks for the length of one sweep) has
 * claimed it first, in which case the driver waits for its result. As with
 * the pool, the driver never waits for a thread that has not claimed the
 * work. The block's fields are written before `seq` is published and stay
 * until the block's second half is claimed and done, so a claim that
 * succeeds reads the current block. A wait long enough to yield the core
 * (the assistant was preempted, typically by another library's threads
 * spinning on the other core) ends the sharing for the rest of the sweep:
 * `stalled` is set and the driver runs both halves from then on. */
#define REGCORE_BLOCK4_SPLIT_ROWS 4096
#define REGCORE_DEF_BLOCK4_DUO(NAME, T, BLOCK4)                               \
    typedef struct {                                                          \
        const T *P[4], *C[4];                                                 \
        T d[4], out2[10];                                                     \
        T *r;                                                                 \
        ptrdiff_t n, split;                                                   \
        uint64_t seq, claimed, finished;                                      \
        int stop, stalled;                                                    \
    } NAME##_duo;                                                             \
    static void NAME##_init(NAME##_duo *u, ptrdiff_t n)                       \
    {                                                                         \
        u->n = n;                                                             \
        /* a multiple of 16 elements: the halves of r share no cache line */  \
        u->split = n >= REGCORE_BLOCK4_SPLIT_ROWS ? (n / 2) & ~(ptrdiff_t) 15 : 0; \
        u->seq = u->claimed = u->finished = 0;                                \
        u->stop = u->stalled = 0;                                             \
    }                                                                         \
    static void NAME##_second_half(NAME##_duo *u, T *out)                     \
    {                                                                         \
        const T *P[4], *C[4];                                                 \
        for (int k = 0; k < 4; k++) {                                         \
            P[k] = u->P[k] + u->split;                                        \
            C[k] = u->C[k] + u->split;                                        \
        }                                                                     \
        BLOCK4(u->n - u->split, P, u->d, C, u->r + u->split, out);            \
    }                                                                         \
    static void NAME(NAME##_duo *u, const T *const *P, const T *d, const T *const *C, \
                     T *r, T *out)                                            \
    {                                                                         \
        T first[10], second[10];                                              \
        uint64_t block = u->seq + 1, expected = block - 1;                    \
        if (u->split == 0) {                                                  \
            BLOCK4(u->n, P, d, C, r, out);                                    \
            return;                                                           \
        }                                                                     \
        for (int k = 0; k < 4; k++) {                                         \
            u->P[k] = P[k];                                                   \
            u->C[k] = C[k];                                                   \
            u->d[k] = d[k];                                                   \
        }                                                                     \
        u->r = r;                                                             \
        if (!u->stalled)                                                      \
            REGCORE_STORE(&u->seq, block);                                    \
        BLOCK4(u->split, P, d, C, r, first);                                  \
        if (u->stalled || REGCORE_CAS(&u->claimed, &expected, block)) {       \
            NAME##_second_half(u, second);                                    \
        } else {                                                              \
            for (int k = 0; REGCORE_LOAD(&u->finished) != block; k++) {       \
                u->stalled |= k >= REGCORE_SPIN_ROUNDS;                       \
                regcore_wait_round(k);                                        \
            }                                                                 \
            for (int k = 0; k < 10; k++) second[k] = u->out2[k];              \
            if (u->stalled)                                                   \
                REGCORE_STORE(&u->stop, 1);                                   \
        }                                                                     \
        for (int k = 0; k < 10; k++) out[k] = first[k] + second[k];           \
    }                                                                         \
    /* the assistant: second halves until the driver stops the sweep */       \
    static void NAME##_assist(NAME##_duo *u)                                  \
    {                                                                         \
        uint64_t seen = 0, block, expected;                                   \
        for (int k = 0; !REGCORE_LOAD(&u->stop); k++) {                       \
            block = REGCORE_LOAD(&u->seq);                                    \
            if (block != seen) {                                              \
                seen = block;                                                 \
                expected = block - 1;                                         \
                if (REGCORE_CAS(&u->claimed, &expected, block)) {             \
                    NAME##_second_half(u, u->out2);                           \
                    REGCORE_STORE(&u->finished, block);                       \
                }                                                             \
                k = 0;                                                        \
            } else {                                                          \
                regcore_wait_round(k);                                        \
            }                                                                 \
        }                                                                     \
    }                                                                         \
    static void NAME##_stop(NAME##_duo *u) { REGCORE_STORE(&u->stop, 1); }

/* out = (sum(w * x) (sum(x) when w is NULL), sum(x * x), sum(x * v)) over
 * x[:n], in one pass and in float64 (x and v float64 or float32, w float64):
 * the column statistics of a dense design. Written with vector types: left
 * to the auto-vectorizer, three reductions in one loop came out as shuffles
 * and in-order scalar adds. */
#if defined(__GNUC__) || defined(__clang__)
#define REGCORE_LOAD_D(p) (*(const regcore_v4d *) (p))
#define REGCORE_LOAD_S(p) __builtin_convertvector(*(const regcore_v4f *) (p), regcore_v4d)
#define REGCORE_COLSTATS_LOOP(LD, SUM_A, SUM_B)                               \
    for (; i + 8 <= n; i += 8) {                                              \
        regcore_v4d xa = LD(x + i), xb = LD(x + i + 4);                       \
        s0 += SUM_A;                                                          \
        s1 += SUM_B;                                                          \
        q0 += xa * xa;                                                        \
        q1 += xb * xb;                                                        \
        d0 += xa * LD(v + i);                                                 \
        d1 += xb * LD(v + i + 4);                                             \
    }
/* the first multiple of 8 elements, loaded as float64 vectors by LD */
#define REGCORE_COLSTATS_VECTOR(LD)                                           \
    regcore_v4d s0 = {0}, s1 = {0}, q0 = {0}, q1 = {0}, d0 = {0}, d1 = {0};   \
    if (w) {                                                                  \
        REGCORE_COLSTATS_LOOP(LD, REGCORE_LOAD_D(w + i) * xa,                 \
                              REGCORE_LOAD_D(w + i + 4) * xb)                 \
    } else {                                                                  \
        REGCORE_COLSTATS_LOOP(LD, xa, xb)                                     \
    }                                                                         \
    s0 += s1;                                                                 \
    q0 += q1;                                                                 \
    d0 += d1;                                                                 \
    st = (s0[0] + s0[1]) + (s0[2] + s0[3]);                                   \
    qt = (q0[0] + q0[1]) + (q0[2] + q0[3]);                                   \
    dt = (d0[0] + d0[1]) + (d0[2] + d0[3]);
#else
#define REGCORE_COLSTATS_VECTOR(LD)
#endif
#define REGCORE_COLSTATS_BODY(LD)                                             \
    {                                                                         \
        double st = 0, qt = 0, dt = 0;                                        \
        ptrdiff_t i = 0;                                                      \
        REGCORE_COLSTATS_VECTOR(LD)                                           \
        for (; i < n; i++) {                                                  \
            double xi = x[i];                                                 \
            st += w ? w[i] * xi : xi;                                         \
            qt += xi * xi;                                                    \
            dt += xi * (double) v[i];                                         \
        }                                                                     \
        out[0] = st;                                                          \
        out[1] = qt;                                                          \
        out[2] = dt;                                                          \
    }
#define REGCORE_DEF_COLSTATS(NAME, T, LD)                                     \
    REGCORE_DISPATCHED(void, NAME,                                            \
                       (ptrdiff_t n, const T *x, const double *w, const T *v, double *out), \
                       (n, x, w, v, out), , REGCORE_COLSTATS_BODY(LD))

/* COLSTATS of the four columns x0..x3 (out[3 k : 3 k + 3] for column k),
 * v and w read once for the four: on 5000 x 500 float64, 0.50 instead of
 * 1.03 ms on one thread (a column at a time re-reads v from L2 for every
 * column and runs only three dependency chains). Slower than a column at a
 * time on short columns, like DOT4 (REGCORE_DOT4_MIN_ROWS). */
#if defined(__GNUC__) || defined(__clang__)
#define REGCORE_COLSTATS4_LOOP(LD, WA, WB, WC, WD)                            \
    for (; i + 4 <= n; i += 4) {                                              \
        regcore_v4d a = LD(x0 + i), b = LD(x1 + i), c = LD(x2 + i), d = LD(x3 + i); \
        regcore_v4d u = LD(v + i);                                            \
        s[0] += WA; s[1] += WB; s[2] += WC; s[3] += WD;                       \
        q[0] += a * a; q[1] += b * b; q[2] += c * c; q[3] += d * d;           \
        e[0] += a * u; e[1] += b * u; e[2] += c * u; e[3] += d * u;           \
    }
#define REGCORE_COLSTATS4_VECTOR(LD)                                          \
    regcore_v4d s[4] = {{0}}, q[4] = {{0}}, e[4] = {{0}};                     \
    if (w) {                                                                  \
        REGCORE_COLSTATS4_LOOP(LD, REGCORE_LOAD_D(w + i) * a, REGCORE_LOAD_D(w + i) * b, \
                               REGCORE_LOAD_D(w + i) * c, REGCORE_LOAD_D(w + i) * d) \
    } else {                                                                  \
        REGCORE_COLSTATS4_LOOP(LD, a, b, c, d)                                \
    }                                                                         \
    for (int k = 0; k < 4; k++) {                                             \
        out[3 * k] = (s[k][0] + s[k][1]) + (s[k][2] + s[k][3]);               \
        out[3 * k + 1] = (q[k][0] + q[k][1]) + (q[k][2] + q[k][3]);           \
        out[3 * k + 2] = (e[k][0] + e[k][1]) + (e[k][2] + e[k][3]);           \
    }
#else
#define REGCORE_COLSTATS4_VECTOR(LD)                                          \
    for (int k = 0; k < 12; k++) out[k] = 0;
#endif
#define REGCORE_COLSTATS4_BODY(T, LD)                                          \
    {                                                                         \
        const T *cols[4] = {x0, x1, x2, x3};                                  \
        ptrdiff_t i = 0;                                                      \
        REGCORE_COLSTATS4_VECTOR(LD)                                          \
        for (int k = 0; k < 4; k++)                                           \
            for (ptrdiff_t t = i; t < n; t++) {                               \
                double xi = cols[k][t];                                       \
                out[3 * k] += w ? w[t] * xi : xi;                             \
                out[3 * k + 1] += xi * xi;                                    \
                out[3 * k + 2] += xi * (double) v[t];                         \
            }                                                                 \
    }
#define REGCORE_DEF_COLSTATS4(NAME, T, LD)                                    \
    REGCORE_DISPATCHED(void, NAME,                                            \
                       (ptrdiff_t n, const T *x0, const T *x1, const T *x2, const T *x3, \
                        const double *w, const T *v, double *out),            \
                       (n, x0, x1, x2, x3, w, v, out), , REGCORE_COLSTATS4_BODY(T, LD))

/* sum(data[:nnz] * y[idx[:nnz]]) */
#define REGCORE_DEF_SDOT(NAME, T)                                             \
    static T NAME(ptrdiff_t nnz, const T *data, const int32_t *idx, const T *y) \
    {                                                                         \
        T a0 = 0, a1 = 0, a2 = 0, a3 = 0;                                     \
        ptrdiff_t k = 0;                                                      \
        for (; k + 4 <= nnz; k += 4) {                                        \
            a0 += data[k] * y[idx[k]];         a1 += data[k + 1] * y[idx[k + 1]]; \
            a2 += data[k + 2] * y[idx[k + 2]]; a3 += data[k + 3] * y[idx[k + 3]]; \
        }                                                                     \
        for (; k < nnz; k++) a0 += data[k] * y[idx[k]];                       \
        return (a0 + a1) + (a2 + a3);                                         \
    }

/* out[j] = sum_t data[t] * y[idx[t]] over the CSC column j, plus shift * mu[j],
 * for j in F[:nF]: one call for a whole gradient pass (most text columns hold
 * a handful of entries, where a call per column costs as much as the sum) */
#define REGCORE_DEF_SGRAD(NAME, T)                                            \
    static void NAME(ptrdiff_t nF, const int32_t *F, const int32_t *ptr,      \
                     const int32_t *idx, const T *data, const T *y,           \
                     double shift, const T *mu, T *out)                       \
    {                                                                         \
        for (ptrdiff_t i = 0; i < nF; i++) {                                  \
            int32_t j = F[i];                                                 \
            ptrdiff_t k = ptr[j], hi = ptr[j + 1];                            \
            T a0 = 0, a1 = 0;                                                 \
            for (; k + 2 <= hi; k += 2) {                                     \
                a0 += data[k] * y[idx[k]];                                    \
                a1 += data[k + 1] * y[idx[k + 1]];                            \
            }                                                                 \
            if (k < hi) a0 += data[k] * y[idx[k]];                            \
            out[j] = (a0 + a1) + (T) (shift * mu[j]);                         \
        }                                                                     \
    }

/* SGRAD over F[:nF] on the work-sharing pool, in chunks of F (each column
 * summed by one thread); nnz counts the stored entries of those columns, a
 * gathered entry weighing as much as four streamed ones in the size test */
#define REGCORE_DEF_SGRAD_POOLED(NAME, T, SGRAD)                              \
    typedef struct {                                                          \
        const int32_t *F, *ptr, *idx;                                         \
        const T *data, *y, *mu;                                               \
        double shift;                                                         \
        T *out;                                                               \
    } NAME##_job;                                                             \
    static void NAME##_task(void *ctx, ptrdiff_t lo, ptrdiff_t hi)            \
    {                                                                         \
        const NAME##_job *a = (const NAME##_job *) ctx;                       \
        SGRAD(hi - lo, a->F + lo, a->ptr, a->idx, a->data, a->y, a->shift, a->mu, a->out); \
    }                                                                         \
    static void NAME(ptrdiff_t nF, const int32_t *F, ptrdiff_t nnz, const int32_t *ptr, \
                     const int32_t *idx, const T *data, const T *y, double shift, \
                     const T *mu, T *out, int n_threads)                      \
    {                                                                         \
        NAME##_job job = {F, ptr, idx, data, y, mu, shift, out};              \
        regcore_pool_run(NAME##_task, &job, nF,                               \
                         regcore_pass_chunks(nF, 4 * nnz, n_threads), n_threads); \
    }

/* y[idx[:nnz]] += a * data[:nnz] */
#define REGCORE_DEF_SAXPY(NAME, T)                                            \
    static void NAME(ptrdiff_t nnz, T a, const T *data, const int32_t *idx, T *y) \
    {                                                                         \
        for (ptrdiff_t k = 0; k < nnz; k++) y[idx[k]] += a * data[k];         \
    }

/* Passes over the columns of a design run on the work-sharing pool
 * (_pool.h) when they are large enough; each column's result is computed by
 * one thread, with a kernel that does not depend on the split. */
#define REGCORE_PASS_CHUNK (1 << 15)   /* elements per chunk: about 10 us */
/* Smaller passes stay on the caller: waking a sleeping helper costs tens of
 * microseconds on a VM, and the 72 x 7129 passes (0.5M elements, 70 us)
 * made leukemia fits 6-8% slower on the pool. */
#define REGCORE_PASS_MIN (1 << 20)
/* chunks for n_items items (columns or groups of columns) holding `size`
 * elements in all */
static ptrdiff_t regcore_pass_chunks(ptrdiff_t n_items, ptrdiff_t size, int n_threads)
{
    ptrdiff_t chunks;
    if (n_threads < 2 || size < REGCORE_PASS_MIN)
        return 1;
    chunks = size / REGCORE_PASS_CHUNK;
    if (chunks > 64 * (ptrdiff_t) n_threads)
        chunks = 64 * (ptrdiff_t) n_threads;
    return chunks < n_items ? chunks : n_items;
}

/* out[j] = X[:, j] . r + (T) (shift * mu[j]) for j in F[:nF] (X Fortran, n
 * rows), by groups of four columns: item g is F[4 g : 4 g + 4] (the last
 * one may be short). Long columns take a group in one DOT4 call, short ones
 * a column at a time; the groups are fixed by F, not by the chunks, so the
 * values do not depend on the thread count. */
#define REGCORE_DEF_DENSE_GRAD(NAME, T, DOT, DOT4)                            \
    typedef struct {                                                          \
        ptrdiff_t n, nF;                                                      \
        const T *X, *r, *mu;                                                  \
        const int32_t *F;                                                     \
        double shift;                                                         \
        T *out;                                                               \
    } NAME##_job;                                                             \
    static void NAME##_task(void *ctx, ptrdiff_t lo, ptrdiff_t hi)            \
    {                                                                         \
        const NAME##_job *a = (const NAME##_job *) ctx;                       \
        const T *X = a->X;                                                    \
        ptrdiff_t n = a->n, i = 4 * lo, end = 4 * hi < a->nF ? 4 * hi : a->nF; \
        T dots[4];                                                            \
        for (; i < end; i += 4) {                                             \
            const int32_t *F = a->F + i;                                      \
            int width = end - i < 4 ? (int) (end - i) : 4;                    \
            if (width == 4 && n >= REGCORE_DOT4_MIN_ROWS)                     \
                DOT4(n, X + F[0] * n, X + F[1] * n, X + F[2] * n, X + F[3] * n, a->r, dots); \
            else                                                              \
                for (int k = 0; k < width; k++)                               \
                    dots[k] = DOT(n, X + F[k] * n, a->r);                     \
            for (int k = 0; k < width; k++)                                   \
                a->out[F[k]] = dots[k] + (T) (a->shift * a->mu[F[k]]);        \
        }                                                                     \
    }                                                                         \
    static void NAME(ptrdiff_t nF, const int32_t *F, ptrdiff_t n, const T *X, \
                     const T *r, double shift, const T *mu, T *out, int n_threads) \
    {                                                                         \
        NAME##_job job = {n, nF, X, r, mu, F, shift, out};                    \
        ptrdiff_t groups = (nF + 3) / 4;                                      \
        regcore_pool_run(NAME##_task, &job, groups,                           \
                         regcore_pass_chunks(groups, nF * n, n_threads), n_threads); \
    }

/* out[3 j : 3 j + 3] = COLSTATS of X[:, j] for every column j < p, by
 * groups of four columns (item g is columns 4 g to 4 g + 3; COLSTATS4 on
 * long columns), fixed in advance so results do not depend on the threads */
#define REGCORE_DEF_DENSE_COLSTATS(NAME, T, COLSTATS, COLSTATS4)              \
    typedef struct {                                                          \
        ptrdiff_t n, p;                                                       \
        const T *X, *v;                                                       \
        const double *w;                                                      \
        double *out;                                                          \
    } NAME##_job;                                                             \
    static void NAME##_task(void *ctx, ptrdiff_t lo, ptrdiff_t hi)            \
    {                                                                         \
        const NAME##_job *a = (const NAME##_job *) ctx;                       \
        ptrdiff_t n = a->n, j = 4 * lo, end = 4 * hi < a->p ? 4 * hi : a->p;  \
        const T *X = a->X;                                                    \
        if (n >= REGCORE_DOT4_MIN_ROWS)                                       \
            for (; j + 4 <= end; j += 4)                                      \
                COLSTATS4(n, X + j * n, X + (j + 1) * n, X + (j + 2) * n, X + (j + 3) * n, \
                          a->w, a->v, a->out + 3 * j);                        \
        for (; j < end; j++)                                                  \
            COLSTATS(n, X + j * n, a->w, a->v, a->out + 3 * j);               \
    }                                                                         \
    static void NAME(ptrdiff_t n, ptrdiff_t p, const T *X, const double *w,   \
                     const T *v, double *out, int n_threads)                  \
    {                                                                         \
        NAME##_job job = {n, p, X, v, w, out};                                \
        ptrdiff_t groups = (p + 3) / 4;                                       \
        regcore_pool_run(NAME##_task, &job, groups,                           \
                         regcore_pass_chunks(groups, p * n, n_threads), n_threads); \
    }

REGCORE_DEF_DOT(regcore_ddot, double)
REGCORE_DEF_DOT(regcore_sdot, float)
REGCORE_DEF_AXPY(regcore_daxpy, double)
REGCORE_DEF_AXPY(regcore_saxpy, float)
REGCORE_DEF_AXPY_DOT(regcore_daxpy_dot, double, regcore_v4d, 4)
REGCORE_DEF_AXPY_DOT(regcore_saxpy_dot, float, regcore_v8f, 8)
REGCORE_DEF_COLSTATS(regcore_dcolstats, double, REGCORE_LOAD_D)
REGCORE_DEF_COLSTATS(regcore_scolstats, float, REGCORE_LOAD_S)
REGCORE_DEF_DOT4(regcore_ddot4, double, regcore_v4d, 4)
REGCORE_DEF_DOT4(regcore_sdot4, float, regcore_v8f, 8)
REGCORE_DEF_BLOCK4(regcore_dblock4, double, regcore_v4d, 4)
REGCORE_DEF_BLOCK4(regcore_sblock4, float, regcore_v8f, 8)
REGCORE_DEF_BLOCK4_DUO(regcore_dblock4_split, double, regcore_dblock4)
REGCORE_DEF_BLOCK4_DUO(regcore_sblock4_split, float, regcore_sblock4)
REGCORE_DEF_DENSE_GRAD(regcore_dgrad_dense, double, regcore_ddot, regcore_ddot4)
REGCORE_DEF_DENSE_GRAD(regcore_sgrad_dense, float, regcore_sdot, regcore_sdot4)
REGCORE_DEF_COLSTATS4(regcore_dcolstats4, double, REGCORE_LOAD_D)
REGCORE_DEF_COLSTATS4(regcore_scolstats4, float, REGCORE_LOAD_S)
REGCORE_DEF_DENSE_COLSTATS(regcore_dcolstats_dense, double, regcore_dcolstats, regcore_dcolstats4)
REGCORE_DEF_DENSE_COLSTATS(regcore_scolstats_dense, float, regcore_scolstats, regcore_scolstats4)
REGCORE_DEF_SDOT(regcore_dsdot_sp, double)
REGCORE_DEF_SDOT(regcore_ssdot_sp, float)
REGCORE_DEF_SGRAD(regcore_dsgrad_sp, double)
REGCORE_DEF_SGRAD(regcore_ssgrad_sp, float)
REGCORE_DEF_SGRAD_POOLED(regcore_dsgrad_sp_pooled, double, regcore_dsgrad_sp)
REGCORE_DEF_SGRAD_POOLED(regcore_ssgrad_sp_pooled, float, regcore_ssgrad_sp)
REGCORE_DEF_SAXPY(regcore_daxpy_sp, double)
REGCORE_DEF_SAXPY(regcore_saxpy_sp, float)

/* k-th largest value of v[:n] (0-based k < n); v is reordered (quickselect). */
static double regcore_kth_largest(double *v, ptrdiff_t n, ptrdiff_t k)
{
    ptrdiff_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot) i++;
            while (v[j] < pivot) j--;
            if (i <= j) {
                double t = v[i]; v[i] = v[j]; v[j] = t;
                i++; j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return v[k];
    }
    return v[k];
}

#endif
