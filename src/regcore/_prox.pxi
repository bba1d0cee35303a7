# Proximal operators of separable penalties (included by _kernels.pyx).

cdef extern from "_prox_impl.h":
    int rc_prox_init(int max_level) noexcept nogil
    void rc_soft_threshold_f32(const float *x, float *out, Py_ssize_t n, float t) noexcept nogil
    void rc_soft_threshold_f64(const double *x, double *out, Py_ssize_t n, double t) noexcept nogil

# Highest SIMD level of the CPU the proximal loops run at (as dropout's).
PROX_SIMD_MAX = rc_prox_init(2)
cdef int _prox_simd_level = PROX_SIMD_MAX


def prox_simd_level(max_level=None):
    """Return the SIMD level of the proximal loops; ``max_level`` caps it first.

    0 = baseline C, 1 = AVX2, 2 = AVX-512 (never above what the CPU offers);
    every level gives the same bits (tests check it). Not thread-safe: call
    it while no proximal kernel runs.
    """
    global _prox_simd_level
    if max_level is not None:
        if max_level not in (0, 1, 2):
            raise ValueError(f"max_level must be 0, 1 or 2, got {max_level!r}")
        _prox_simd_level = rc_prox_init(int(max_level))
    return _prox_simd_level

# Elements per block handed to one call of a block kernel: fixed, so the work
# split (and any result) never depends on the number of threads.
cdef Py_ssize_t _PROX_BLOCK = 1 << 14


cdef inline void _soft_threshold_block(const floating *x, floating *out, Py_ssize_t n,
                                       floating t) noexcept nogil:
    # out[:n] = soft_threshold(x[:n], t)
    if floating is float:
        rc_soft_threshold_f32(x, out, n, t)
    else:
        rc_soft_threshold_f64(x, out, n, t)


def soft_threshold_contiguous(const floating[::1] x, floating t, floating[::1] out):
    """out[i] = sign(x[i]) * max(|x[i]| - t, 0) over flat contiguous arrays.

    ``out`` may alias ``x`` (in-place use). Changes ``out`` only.
    """
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t n_blocks = (n + _PROX_BLOCK - 1) // _PROX_BLOCK
    cdef Py_ssize_t b, start
    cdef int n_threads = _threads_for(n)
    _check_length(out.shape[0], n, "out")
    if n == 0:
        return
    with nogil:
        if n_threads == 1:
            _soft_threshold_block(&x[0], &out[0], n, t)
        else:
            for b in prange(n_blocks, num_threads=n_threads, schedule="static"):
                start = b * _PROX_BLOCK
                _soft_threshold_block(&x[start], &out[start], min(_PROX_BLOCK, n - start), t)
