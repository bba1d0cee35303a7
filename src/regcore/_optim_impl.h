/* Block kernels of regcore's fused optimizer updates (used by _optim.pxi).
 *
 * Each function updates one contiguous block of n elements; _optim.pxi splits
 * an array into fixed-size blocks and hands them to OpenMP threads, so the
 * result of an elementwise kernel never depends on the thread count, and the
 * reductions (sum of squares, ...) add block partials in a fixed order.
 *
 * Code generation: with GCC on x86-64 glibc every kernel is compiled three
 * times (AVX-512, AVX2 and baseline x86-64) and the loader picks the clone for
 * the running CPU (target_clones, which needs glibc's ifunc: not on musl).
 * The region below is compiled without FMA contraction, so every clone rounds
 * exactly alike (additions, multiplications, divisions and square roots are
 * correctly rounded IEEE operations at any vector width, and the reductions
 * sum into 8 fixed accumulators). setup.py passes -fno-math-errno, without
 * which GCC keeps
 * sqrtf scalar (to set errno on negative input) and AdamW's loop does not
 * vectorize. No -ffast-math: NaN and infinities are kept.
 *
 * The float and double versions come from _optim_impl_t.h included twice.
 */
#ifndef REGCORE_OPTIM_IMPL_H
#define REGCORE_OPTIM_IMPL_H

#include <math.h>
#include <stddef.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define RC_OPTIM_KERNEL __attribute__((target_clones("avx512f", "avx2", "default"))) static
#else
#define RC_OPTIM_KERNEL static
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RC_OPTIM_INLINE static inline __attribute__((always_inline))
#define RC_RESTRICT __restrict__
#else
#define RC_OPTIM_INLINE static inline
#define RC_RESTRICT
#endif

/* Flags of rc_optim_sgd_*: which terms of the update are present. */
#define RC_SGD_WEIGHT_DECAY 1 /* g += weight_decay * p                        */
#define RC_SGD_MOMENTUM 2     /* buf = momentum * buf + (1 - dampening) * g    */
#define RC_SGD_FIRST 4        /* first momentum step: buf = g                  */
#define RC_SGD_NESTEROV 8     /* direction = g + momentum * buf                */
#define RC_SGD_L1 16          /* p = soft_threshold(p, l1_threshold)           */

/* One switch case calling an always-inlined body with constant flags, so each
 * common combination gets its own branch-free (vectorizable) loop. */
#define RC_CONST_CASE(body, F, ...) \
    case F:                         \
        body(__VA_ARGS__, F);       \
        break;

#define RC_T float
#define RC_FN(name) rc_optim_##name##_float
#define RC_FABS fabsf
#define RC_COPYSIGN copysignf
#define RC_SQRT sqrtf
#include "_optim_impl_t.h"
#undef RC_T
#undef RC_FN
#undef RC_FABS
#undef RC_COPYSIGN
#undef RC_SQRT

#define RC_T double
#define RC_FN(name) rc_optim_##name##_double
#define RC_FABS fabs
#define RC_COPYSIGN copysign
#define RC_SQRT sqrt
#include "_optim_impl_t.h"
#undef RC_T
#undef RC_FN
#undef RC_FABS
#undef RC_COPYSIGN
#undef RC_SQRT

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

#endif /* REGCORE_OPTIM_IMPL_H */
