# dropout kernels (included by _kernels.pyx).
#
# The block functions live in _dropout_impl.h: Philox4x32-10 fused with the
# masked scale, with portable, AVX2 and AVX-512 versions picked at run time.
# Here the OpenMP loop hands them fixed-size chunks; every element's random
# word depends only on (seed, stream, element index), so results never depend
# on the thread count or on the chunk size.

cdef extern from "_dropout_impl.h" nogil:
    ctypedef struct rc_philox_key:
        uint32_t k0
        uint32_t k1
        uint32_t s0
        uint32_t s1
    int RC_GROUP
    int rc_dropout_init(int max_level)
    void rc_philox4x32_10(uint32_t *ctr, uint32_t k0, uint32_t k1)
    void rc_dropout_f32(const float *x, float *out, int64_t start, int64_t length,
                        const rc_philox_key *key, uint32_t thr, float scale, uint8_t *bits)
    void rc_dropout_f64(const double *x, double *out, int64_t start, int64_t length,
                        const rc_philox_key *key, uint32_t thr, double scale, uint8_t *bits)
    void rc_mask_bits(int64_t start, int64_t length, const rc_philox_key *key, uint32_t thr,
                      uint8_t *bits)
    void rc_apply_bits_f32(const float *g, const uint8_t *bits, float *out, int64_t length,
                           float scale)
    void rc_apply_bits_f64(const double *g, const uint8_t *bits, double *out, int64_t length,
                           double scale)

# Elements per OpenMP work item: a multiple of RC_GROUP (64) so that chunks
# start on a group boundary and on a byte of the packed mask. Chunks are
# handed out dynamically: on a shared machine a thread that is not scheduled
# leaves its share to the others (the result is the same either way).
DROPOUT_CHUNK = 1 << 14
cdef int64_t _DROPOUT_CHUNK = DROPOUT_CHUNK

# Highest SIMD level the CPU offers (0 portable, 1 AVX2, 2 AVX-512).
DROPOUT_SIMD_MAX = rc_dropout_init(2)
cdef int _dropout_simd_level = DROPOUT_SIMD_MAX


def dropout_simd_level(max_level=None):
    """Return the SIMD level of the dropout kernels; ``max_level`` caps it first.

    0 = portable C, 1 = AVX2, 2 = AVX-512 (never above what the CPU offers).
    All levels give bit-identical results; tests use the cap to check that.
    Not thread-safe: call it while no dropout kernel runs.
    """
    global _dropout_simd_level
    if max_level is not None:
        if max_level not in (0, 1, 2):
            raise ValueError(f"max_level must be 0, 1 or 2, got {max_level!r}")
        _dropout_simd_level = rc_dropout_init(int(max_level))
    return _dropout_simd_level


def philox4x32_10(counter, key):
    """Philox4x32-10 of a 4-word counter under a 2-word key (Random123's test face)."""
    cdef uint32_t ctr[4]
    cdef int i
    for i in range(4):
        ctr[i] = counter[i]
    rc_philox4x32_10(ctr, key[0], key[1])
    return tuple(int(ctr[i]) for i in range(4))


cdef inline rc_philox_key _make_key(uint64_t seed, uint64_t stream) noexcept nogil:
    # key words = (seed & 0xFFFFFFFF, seed >> 32); counter words c2, c3 = same split of stream
    cdef rc_philox_key key
    key.k0 = <uint32_t>seed
    key.k1 = <uint32_t>(seed >> 32)
    key.s0 = <uint32_t>stream
    key.s1 = <uint32_t>(stream >> 32)
    return key


cdef inline void _dropout_chunk(const floating *x, floating *out, int64_t start, int64_t length,
                                int64_t first_index, const rc_philox_key *key, uint32_t thr,
                                floating scale, uint8_t *bits) noexcept nogil:
    # out[s:e] = np.where(u[s:e] >= thr, x[s:e] * scale, 0); bits = packbits(u >= thr)
    if floating is float:
        rc_dropout_f32(x + start, out + start, first_index + start, length, key, thr, scale,
                       NULL if bits == NULL else bits + start // 8)
    else:
        rc_dropout_f64(x + start, out + start, first_index + start, length, key, thr, scale,
                       NULL if bits == NULL else bits + start // 8)


cdef _check_first_index(int64_t first_index):
    if first_index < 0 or first_index % RC_GROUP != 0:
        raise ValueError(f"first_index must be a non-negative multiple of {RC_GROUP}, got {first_index}")


def dropout_contiguous(const floating[::1] x, floating[::1] out, uint64_t seed, uint64_t stream,
                       uint32_t thr, floating scale, uint8_t[::1] bits=None,
                       int64_t first_index=0):
    """out[i] = x[i] * scale if word(seed, stream, first_index + i) >= thr else 0, flat arrays.

    ``out`` may alias ``x``. ``bits`` (length >= ceil(n / 8)) receives the
    keep mask packed like ``np.packbits(mask, bitorder="little")`` when given.
    ``first_index`` (a multiple of 64; tests use it to reach large counters)
    is the element index of ``x[0]``. Changes ``out`` and ``bits`` only.
    """
    cdef int64_t n = x.shape[0], n_chunks, c, start
    cdef rc_philox_key key = _make_key(seed, stream)
    cdef uint8_t *bits_ptr = NULL
    cdef int n_threads = _threads_for(n)
    _check_first_index(first_index)
    _check_length(out.shape[0], n, "out")
    if bits is not None:
        _check_bits(bits.shape[0], n)
    if n == 0:
        return
    if bits is not None:
        bits_ptr = &bits[0]
    n_chunks = (n + _DROPOUT_CHUNK - 1) // _DROPOUT_CHUNK
    with nogil:
        if n_threads == 1 or n_chunks == 1:
            _dropout_chunk(&x[0], &out[0], 0, n, first_index, &key, thr, scale, bits_ptr)
        else:
            for c in prange(n_chunks, num_threads=n_threads, schedule="dynamic"):
                start = c * _DROPOUT_CHUNK
                _dropout_chunk(&x[0], &out[0], start, min(_DROPOUT_CHUNK, n - start),
                               first_index, &key, thr, scale, bits_ptr)


def dropout_mask_bits(int64_t n, uint64_t seed, uint64_t stream, uint32_t thr, uint8_t[::1] bits,
                      int64_t first_index=0):
    """bits = np.packbits(word(seed, stream, first_index + arange(n)) >= thr, bitorder="little")."""
    cdef int64_t n_chunks, c, start
    cdef rc_philox_key key = _make_key(seed, stream)
    cdef int n_threads = _threads_for(n)
    _check_first_index(first_index)
    _check_bits(bits.shape[0], n)
    if n <= 0:
        return
    n_chunks = (n + _DROPOUT_CHUNK - 1) // _DROPOUT_CHUNK
    with nogil:
        for c in prange(n_chunks, num_threads=n_threads, schedule="dynamic"):
            start = c * _DROPOUT_CHUNK
            rc_mask_bits(first_index + start, min(_DROPOUT_CHUNK, n - start), &key, thr,
                         &bits[start // 8])


def dropout_apply_bits(const floating[::1] g, const uint8_t[::1] bits, floating[::1] out,
                       floating scale):
    """out[i] = g[i] * scale if bit i of ``bits`` is set else 0 (little bit order).

    ``out`` may alias ``g``. Changes ``out`` only.
    """
    cdef int64_t n = g.shape[0], n_chunks, c, start
    cdef int n_threads = _threads_for(n)
    _check_length(out.shape[0], n, "out")
    _check_bits(bits.shape[0], n)
    if n == 0:
        return
    n_chunks = (n + _DROPOUT_CHUNK - 1) // _DROPOUT_CHUNK
    with nogil:
        for c in prange(n_chunks, num_threads=n_threads, schedule="dynamic"):
            start = c * _DROPOUT_CHUNK
            if floating is float:
                rc_apply_bits_f32(&g[start], &bits[start // 8], &out[start],
                                  min(_DROPOUT_CHUNK, n - start), scale)
            else:
                rc_apply_bits_f64(&g[start], &bits[start // 8], &out[start],
                                  min(_DROPOUT_CHUNK, n - start), scale)
