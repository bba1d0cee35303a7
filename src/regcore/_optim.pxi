# Fused optimizer and weight-constraint kernels (included by _kernels.pyx).
#
# The arithmetic lives in _optim_impl.h (block kernels compiled with runtime
# AVX2 dispatch); here each kernel cuts its flat arrays into fixed blocks of
# _OPTIM_BLOCK elements and runs them on OpenMP threads. Elementwise kernels
# give the same result whatever the thread count; reductions add one partial
# per block in block order, so they do too.

from libc.stdlib cimport malloc, calloc, free

cdef extern from "_optim_impl.h" nogil:
    int RC_SGD_WEIGHT_DECAY, RC_SGD_MOMENTUM, RC_SGD_FIRST, RC_SGD_NESTEROV, RC_SGD_L1

    void rc_optim_sgd_float(float *p, const float *g, float *buf, Py_ssize_t n, float lr,
                            float wd, float mom, float keep, float thr, int flags)
    void rc_optim_sgd_double(double *p, const double *g, double *buf, Py_ssize_t n, double lr,
                             double wd, double mom, double keep, double thr, int flags)
    void rc_optim_adamw_float(float *p, const float *g, float *m, float *v, float *vmax,
                              Py_ssize_t n, const float *h, int flags)
    void rc_optim_adamw_double(double *p, const double *g, double *m, double *v, double *vmax,
                               Py_ssize_t n, const double *h, int flags)
    void rc_optim_prox_l1_float(float *p, const float *g, Py_ssize_t n, float lr, float thr)
    void rc_optim_prox_l1_double(double *p, const double *g, Py_ssize_t n, double lr, double thr)
    double rc_optim_sum_squares_float(const float *x, Py_ssize_t n)
    double rc_optim_sum_squares_double(const double *x, Py_ssize_t n)
    double rc_optim_sum_abs_float(const float *x, Py_ssize_t n)
    double rc_optim_sum_abs_double(const double *x, Py_ssize_t n)
    double rc_optim_max_abs_float(const float *x, Py_ssize_t n)
    double rc_optim_max_abs_double(const double *x, Py_ssize_t n)
    void rc_optim_scale_float(float *x, Py_ssize_t n, float c)
    void rc_optim_scale_double(double *x, Py_ssize_t n, double c)
    void rc_optim_add_squares_float(double *acc, const float *x, Py_ssize_t n)
    void rc_optim_add_squares_double(double *acc, const double *x, Py_ssize_t n)
    void rc_optim_scale_each_float(float *x, const float *f, Py_ssize_t n)
    void rc_optim_scale_each_double(double *x, const double *f, Py_ssize_t n)

SGD_WEIGHT_DECAY = RC_SGD_WEIGHT_DECAY
SGD_MOMENTUM = RC_SGD_MOMENTUM
SGD_FIRST = RC_SGD_FIRST
SGD_NESTEROV = RC_SGD_NESTEROV
SGD_L1 = RC_SGD_L1

# Elements per block: large enough to amortize a call, small enough to share
# work between threads; also the reduction granularity (fixed, so results do
# not depend on the thread count).
cdef Py_ssize_t _OPTIM_BLOCK = 1 << 15

cdef enum _Reduction:
    _SUM_SQUARES = 0
    _SUM_ABS = 1
    _MAX_ABS = 2


cdef inline Py_ssize_t _n_blocks(Py_ssize_t n) noexcept nogil:
    # ceil(n / _OPTIM_BLOCK)
    return (n + _OPTIM_BLOCK - 1) // _OPTIM_BLOCK


cdef inline Py_ssize_t _block_len(Py_ssize_t b, Py_ssize_t n) noexcept nogil:
    # len(range(n)[b * _OPTIM_BLOCK:(b + 1) * _OPTIM_BLOCK])
    cdef Py_ssize_t rest = n - b * _OPTIM_BLOCK
    return rest if rest < _OPTIM_BLOCK else _OPTIM_BLOCK


cdef inline floating* _ptr_or_null(floating[::1] a) noexcept nogil:
    # a.ctypes.data, or NULL for an empty (placeholder) array
    return &a[0] if a.shape[0] > 0 else NULL


cdef inline void _sgd_block(floating *p, const floating *g, floating *buf, Py_ssize_t n,
                            floating lr, floating wd, floating mom, floating keep, floating thr,
                            int flags) noexcept nogil:
    # one block of the SGD update (see rc_optim_sgd_* in _optim_impl.h)
    if floating is float:
        rc_optim_sgd_float(p, g, buf, n, lr, wd, mom, keep, thr, flags)
    else:
        rc_optim_sgd_double(p, g, buf, n, lr, wd, mom, keep, thr, flags)


def sgd_flat(floating[::1] p, const floating[::1] g, floating[::1] buf, double lr,
             double weight_decay, double momentum, double dampening, double l1_threshold,
             int flags):
    """PyTorch's SGD step on flat contiguous arrays, in place.

    ``flags`` are the SGD_* bits saying which terms are present; ``buf`` (the
    momentum buffer) may be empty when SGD_MOMENTUM is unset. Changes ``p``
    and ``buf``.
    """
    cdef Py_ssize_t n = p.shape[0], b, start
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef int n_threads = _threads_for(n)
    _check_length(g.shape[0], n, "g")
    _check_length(buf.shape[0], n, "buf", not (flags & RC_SGD_MOMENTUM))
    if n == 0:
        return
    cdef floating *pp = &p[0]
    cdef const floating *gp = &g[0]
    cdef floating *bp = _ptr_or_null(buf)
    cdef floating lr_t = <floating>lr, wd_t = <floating>weight_decay
    cdef floating mom_t = <floating>momentum, keep_t = <floating>(1.0 - dampening)
    cdef floating thr_t = <floating>l1_threshold
    with nogil:
        if n_threads == 1:
            for b in range(n_blocks):
                start = b * _OPTIM_BLOCK
                _sgd_block(pp + start, gp + start, bp + start if bp != NULL else NULL,
                           _block_len(b, n), lr_t, wd_t, mom_t, keep_t, thr_t, flags)
        else:
            for b in prange(n_blocks, num_threads=n_threads, schedule="dynamic"):
                start = b * _OPTIM_BLOCK
                _sgd_block(pp + start, gp + start, bp + start if bp != NULL else NULL,
                           _block_len(b, n), lr_t, wd_t, mom_t, keep_t, thr_t, flags)


cdef inline void _adamw_block(floating *p, const floating *g, floating *m, floating *v,
                              floating *vmax, Py_ssize_t n, const floating *h,
                              int flags) noexcept nogil:
    # one block of the AdamW update (see rc_optim_adamw_* in _optim_impl.h)
    if floating is float:
        rc_optim_adamw_float(p, g, m, v, vmax, n, h, flags)
    else:
        rc_optim_adamw_double(p, g, m, v, vmax, n, h, flags)


def adamw_flat(floating[::1] p, const floating[::1] g, floating[::1] exp_avg,
               floating[::1] exp_avg_sq, floating[::1] max_exp_avg_sq, double lr,
               double beta1, double beta2, double eps, double weight_decay, int64_t step,
               double l1_threshold, bint amsgrad, bint use_l1):
    """PyTorch's AdamW step (step count ``step`` >= 1) on flat contiguous arrays.

    ``max_exp_avg_sq`` is used only when ``amsgrad`` (may be empty otherwise).
    Changes ``p``, ``exp_avg``, ``exp_avg_sq`` and ``max_exp_avg_sq``.
    """
    cdef Py_ssize_t n = p.shape[0], b, start
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef int n_threads = _threads_for(n)
    cdef floating h[9]
    _check_length(g.shape[0], n, "g")
    _check_length(exp_avg.shape[0], n, "exp_avg")
    _check_length(exp_avg_sq.shape[0], n, "exp_avg_sq")
    _check_length(max_exp_avg_sq.shape[0], n, "max_exp_avg_sq", not amsgrad)
    if n == 0:
        return
    cdef floating *pp = &p[0]
    cdef const floating *gp = &g[0]
    cdef floating *mp = &exp_avg[0]
    cdef floating *vp = &exp_avg_sq[0]
    cdef floating *wp = _ptr_or_null(max_exp_avg_sq)
    cdef int flags = (1 if amsgrad else 0) | (2 if use_l1 else 0)
    # scalars are formed in double, as PyTorch does, then rounded once
    h[0] = <floating>(1.0 - lr * weight_decay)
    h[1] = <floating>beta1
    h[2] = <floating>(1.0 - beta1)
    h[3] = <floating>beta2
    h[4] = <floating>(1.0 - beta2)
    h[5] = <floating>(lr / (1.0 - beta1 ** step))
    h[6] = <floating>sqrt(1.0 - beta2 ** step)
    h[7] = <floating>eps
    h[8] = <floating>l1_threshold
    with nogil:
        if n_threads == 1:
            for b in range(n_blocks):
                start = b * _OPTIM_BLOCK
                _adamw_block(pp + start, gp + start, mp + start, vp + start,
                             wp + start if wp != NULL else NULL, _block_len(b, n), h, flags)
        else:
            for b in prange(n_blocks, num_threads=n_threads, schedule="dynamic"):
                start = b * _OPTIM_BLOCK
                _adamw_block(pp + start, gp + start, mp + start, vp + start,
                             wp + start if wp != NULL else NULL, _block_len(b, n), h, flags)


cdef inline void _prox_block(floating *p, const floating *g, Py_ssize_t n, floating lr,
                             floating thr) noexcept nogil:
    # p = soft_threshold(p - lr * g, thr) on one block (g may be NULL)
    if floating is float:
        rc_optim_prox_l1_float(p, g, n, lr, thr)
    else:
        rc_optim_prox_l1_double(p, g, n, lr, thr)


def prox_l1_flat(floating[::1] p, const floating[::1] g, double lr, double threshold):
    """p = soft_threshold(p - lr * g, threshold) in place on flat arrays.

    ``g`` may be empty: then p = soft_threshold(p, threshold). Changes ``p``.
    """
    cdef Py_ssize_t n = p.shape[0], b, start
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef int n_threads = _threads_for(n)
    _check_length(g.shape[0], n, "g", True)
    if n == 0:
        return
    cdef floating *pp = &p[0]
    cdef const floating *gp = &g[0] if g.shape[0] > 0 else NULL
    cdef floating lr_t = <floating>lr, thr_t = <floating>threshold
    with nogil:
        if n_threads == 1:
            for b in range(n_blocks):
                start = b * _OPTIM_BLOCK
                _prox_block(pp + start, gp + start if gp != NULL else NULL,
                            _block_len(b, n), lr_t, thr_t)
        else:
            for b in prange(n_blocks, num_threads=n_threads, schedule="dynamic"):
                start = b * _OPTIM_BLOCK
                _prox_block(pp + start, gp + start if gp != NULL else NULL,
                            _block_len(b, n), lr_t, thr_t)


cdef inline double _reduce_block(const floating *x, Py_ssize_t n, int kind) noexcept nogil:
    # np.sum(x**2), np.sum(abs(x)) or np.max(abs(x)) of one block, in double
    if floating is float:
        if kind == _SUM_SQUARES:
            return rc_optim_sum_squares_float(x, n)
        if kind == _SUM_ABS:
            return rc_optim_sum_abs_float(x, n)
        return rc_optim_max_abs_float(x, n)
    else:
        if kind == _SUM_SQUARES:
            return rc_optim_sum_squares_double(x, n)
        if kind == _SUM_ABS:
            return rc_optim_sum_abs_double(x, n)
        return rc_optim_max_abs_double(x, n)


cdef double _reduce_flat(const floating[::1] x, int kind) except? -1:
    # sum of squares / sum of |x| / max |x| over a flat array, thread-count independent
    cdef Py_ssize_t n = x.shape[0], b
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef int n_threads = _threads_for(n)
    cdef const floating *xp = &x[0]
    cdef double total = 0
    cdef double *partial = <double *>malloc(n_blocks * sizeof(double))
    if partial == NULL:
        raise MemoryError()
    with nogil:
        if n_threads == 1:
            for b in range(n_blocks):
                partial[b] = _reduce_block(xp + b * _OPTIM_BLOCK, _block_len(b, n), kind)
        else:
            for b in prange(n_blocks, num_threads=n_threads, schedule="dynamic"):
                partial[b] = _reduce_block(xp + b * _OPTIM_BLOCK, _block_len(b, n), kind)
        for b in range(n_blocks):
            if kind == _MAX_ABS:
                if partial[b] > total or partial[b] != partial[b]:
                    total = partial[b]
            else:
                total = total + partial[b]
    free(partial)
    return total


def sum_squares_flat(const floating[::1] x):
    """np.sum(x.astype(np.float64) ** 2) for a non-empty flat array."""
    return _reduce_flat(x, _SUM_SQUARES)


def sum_abs_flat(const floating[::1] x):
    """np.sum(np.abs(x.astype(np.float64))) for a non-empty flat array."""
    return _reduce_flat(x, _SUM_ABS)


def max_abs_flat(const floating[::1] x):
    """np.max(np.abs(x)) with NaN propagated, for a non-empty flat array."""
    return _reduce_flat(x, _MAX_ABS)


cdef inline void _scale_block(floating *x, Py_ssize_t n, floating c) noexcept nogil:
    # x *= c on one block
    if floating is float:
        rc_optim_scale_float(x, n, c)
    else:
        rc_optim_scale_double(x, n, c)


def scale_flat(floating[::1] x, double c):
    """x *= c in place on a flat array (c rounded to x's dtype)."""
    cdef Py_ssize_t n = x.shape[0], b
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef int n_threads = _threads_for(n)
    cdef floating *xp = &x[0]
    cdef floating c_t = <floating>c
    with nogil:
        if n_threads == 1:
            for b in range(n_blocks):
                _scale_block(xp + b * _OPTIM_BLOCK, _block_len(b, n), c_t)
        else:
            for b in prange(n_blocks, num_threads=n_threads, schedule="dynamic"):
                _scale_block(xp + b * _OPTIM_BLOCK, _block_len(b, n), c_t)


cdef inline void _project_vector(floating *x, Py_ssize_t n, double max_norm) noexcept nogil:
    # x *= max_norm / ||x|| when ||x|| > max_norm (NaN norms leave x alone)
    cdef double norm
    if floating is float:
        norm = sqrt(rc_optim_sum_squares_float(x, n))
        if norm > max_norm:
            rc_optim_scale_float(x, n, <float>(max_norm / norm))
    else:
        norm = sqrt(rc_optim_sum_squares_double(x, n))
        if norm > max_norm:
            rc_optim_scale_double(x, n, max_norm / norm)


cdef int _project_strided(floating *x, Py_ssize_t n_reduce, Py_ssize_t n_inner,
                          double max_norm) noexcept nogil:
    # x viewed as (n_reduce, n_inner): scale each column whose norm exceeds max_norm
    cdef Py_ssize_t r, j
    cdef double norm
    cdef double *acc = <double *>calloc(n_inner, sizeof(double))
    cdef floating *factor = <floating *>malloc(n_inner * sizeof(floating))
    if acc == NULL or factor == NULL:
        free(acc)
        free(factor)
        return -1
    for r in range(n_reduce):
        if floating is float:
            rc_optim_add_squares_float(acc, x + r * n_inner, n_inner)
        else:
            rc_optim_add_squares_double(acc, x + r * n_inner, n_inner)
    for j in range(n_inner):
        norm = sqrt(acc[j])
        factor[j] = <floating>(max_norm / norm) if norm > max_norm else 1
    for r in range(n_reduce):
        if floating is float:
            rc_optim_scale_each_float(x + r * n_inner, factor, n_inner)
        else:
            rc_optim_scale_each_double(x + r * n_inner, factor, n_inner)
    free(acc)
    free(factor)
    return 0


def max_norm_3d(floating[::1] x, Py_ssize_t n_outer, Py_ssize_t n_reduce, Py_ssize_t n_inner,
                double max_norm):
    """Max-norm projection of a flat C-ordered array viewed as (outer, reduce, inner).

    For every (o, i) the vector x[o, :, i] is rescaled to norm ``max_norm``
    when its Euclidean norm exceeds it. Changes ``x``.
    """
    cdef Py_ssize_t o, block = n_reduce * n_inner
    cdef int n_threads = _threads_for(x.shape[0]) if n_outer > 1 else 1
    cdef floating *xp = &x[0]
    cdef int failed = 0
    with nogil:
        if n_inner == 1:
            for o in prange(n_outer, num_threads=n_threads, schedule="dynamic"):
                _project_vector(xp + o * block, n_reduce, max_norm)
        else:
            for o in prange(n_outer, num_threads=n_threads, schedule="dynamic"):
                failed += _project_strided(xp + o * block, n_reduce, n_inner, max_norm) != 0
    if failed:
        raise MemoryError()
