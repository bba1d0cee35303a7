/* Block kernels for the proximal operators (included through _prox.pxi).
 *
 * Plain C loops over a contiguous block, written so the compiler vectorizes
 * them (branch-free select, no calls): the same arithmetic written inside a
 * Cython prange body stays scalar and ran ~7x slower than a copy here.
 * `out` may be `x` itself (in-place use), so no `restrict`. On x86-64 with
 * GCC or Clang each loop is also compiled for AVX2 and AVX-512 and the
 * widest the CPU runs is picked once: the baseline build vectorizes for
 * SSE2 only, and torch's softshrink (AVX2/AVX-512) was 1.2-1.8x faster on
 * 1e5-1e6 elements. */
#ifndef REGCORE_PROX_IMPL_H
#define REGCORE_PROX_IMPL_H

#include <math.h>
#include <stddef.h>

/* out = np.sign(x) * np.maximum(np.abs(x) - t, 0); zeros are +0, NaN propagates */
#define RC_SOFT_THRESHOLD_BODY(ABS, COPYSIGN, ZERO)                           \
    {                                                                         \
        for (ptrdiff_t i = 0; i < n; i++) {                                   \
            __typeof__(t) shrunk = ABS(x[i]) - t;                             \
            out[i] = shrunk <= ZERO ? ZERO : COPYSIGN(shrunk, x[i]);          \
        }                                                                     \
    }

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
/* the level the loops run at: 2 AVX-512 (F, VL), 1 AVX2, 0 baseline */
static int rc_prox_level = 0;

/* sets the level to the CPU's highest, capped at max_level; returns it */
static int rc_prox_init(int max_level)
{
    int cpu = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") ? 2
              : __builtin_cpu_supports("avx2") ? 1 : 0;
    rc_prox_level = cpu < max_level ? cpu : max_level;
    return rc_prox_level;
}
#define RC_PROX_DEFINE(NAME, T, ABS, COPYSIGN, ZERO)                          \
    __attribute__((target("avx512f,avx512vl"))) static void NAME##_avx512(    \
        const T *x, T *out, ptrdiff_t n, T t) RC_SOFT_THRESHOLD_BODY(ABS, COPYSIGN, ZERO) \
    __attribute__((target("avx2"))) static void NAME##_avx2(                  \
        const T *x, T *out, ptrdiff_t n, T t) RC_SOFT_THRESHOLD_BODY(ABS, COPYSIGN, ZERO) \
    static void NAME##_base(const T *x, T *out, ptrdiff_t n, T t)             \
        RC_SOFT_THRESHOLD_BODY(ABS, COPYSIGN, ZERO)                           \
    static inline void NAME(const T *x, T *out, ptrdiff_t n, T t)             \
    {                                                                         \
        switch (rc_prox_level) {                                              \
        case 2: NAME##_avx512(x, out, n, t); break;                           \
        case 1: NAME##_avx2(x, out, n, t); break;                             \
        default: NAME##_base(x, out, n, t);                                   \
        }                                                                     \
    }
#else
static int rc_prox_init(int max_level) { (void) max_level; return 0; }
#define RC_PROX_DEFINE(NAME, T, ABS, COPYSIGN, ZERO)                          \
    static inline void NAME(const T *x, T *out, ptrdiff_t n, T t)             \
        RC_SOFT_THRESHOLD_BODY(ABS, COPYSIGN, ZERO)
#endif

RC_PROX_DEFINE(rc_soft_threshold_f32, float, fabsf, copysignf, 0.0f)
RC_PROX_DEFINE(rc_soft_threshold_f64, double, fabs, copysign, 0.0)

#endif
