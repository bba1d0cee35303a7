# cython: language_level=3
"""regcore's compiled core: every hot loop lives here or in an included sibling.

Conventions (see DESIGN.md): typed memoryviews over ``cython.floating`` so that
float32 stays float32; ``const`` memoryviews for read-only inputs; helpers are
``noexcept nogil``; every kernel releases the GIL. Kernels trust their caller:
the Python layer has already checked shapes, dtypes, finiteness and ranges.
Threaded loops use ``prange`` only above ``PARALLEL_MIN_SIZE`` elements (the
passes over the design in coordinate descent use the work-sharing pool of
``_pool.h`` instead) and never let the result depend on the number of threads.
"""

cimport cython
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport fabs, fabsf, copysign, copysignf, sqrt, sqrtf
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int64_t

cdef extern from "_openmp_shim.h":
    int REGCORE_HAVE_OPENMP
    int regcore_omp_max_threads() noexcept nogil

# Below this many elements an elementwise kernel runs on one thread: waking
# the OpenMP team costs more than the loop, and on a loaded machine a parallel
# region can wait a whole scheduler time slice for its second thread (measured
# here: 100k float32 elements took 12 ms on 2 threads vs 28 us on one).
PARALLEL_MIN_SIZE = 1 << 18
cdef Py_ssize_t _PARALLEL_MIN_SIZE = PARALLEL_MIN_SIZE

cdef extern from "_pool.h":
    int REGCORE_HAVE_POOL
    int64_t regcore_pool_helper_chunks() noexcept nogil

cdef int _n_threads = regcore_omp_max_threads()


def openmp_enabled():
    """Return True when the compiled core was built with OpenMP."""
    return bool(REGCORE_HAVE_OPENMP)


def pool_enabled():
    """Return True when the passes over the design in coordinate descent can
    run on the work-sharing pool of ``_pool.h`` (POSIX threads; not with MSVC)."""
    return bool(REGCORE_HAVE_POOL)


def pool_helper_chunks():
    """Number of chunks of passes the pool's helper threads have run since
    the module was loaded (tests check that the pool is used)."""
    return int(regcore_pool_helper_chunks())


def get_num_threads():
    """Return the number of threads regcore's parallel kernels use."""
    return _n_threads


def set_num_threads(int n):
    """Set the number of threads regcore's parallel kernels use (>= 1).

    Results never depend on this number; only speed does. Without OpenMP
    the OpenMP kernels are serial whatever is set here (and the default is
    1); the passes over the design in coordinate descent use this many
    threads wherever the work-sharing pool is built (see :func:`pool_enabled`).
    """
    global _n_threads
    if n < 1:
        raise ValueError(f"n_threads must be >= 1, got {n}")
    _n_threads = n


cdef int _check_length(Py_ssize_t actual, Py_ssize_t expected, str name,
                       bint or_empty=False) except -1:
    """Raise ValueError unless an array argument has length ``expected`` (or
    0 when ``or_empty``): the Python layer checks shapes, this guards the
    memory the kernel indexes. Positional arguments only (a cdef function)."""
    if actual != expected and not (or_empty and actual == 0):
        raise ValueError(f"{name} has length {actual}, expected {expected}")
    return 0


cdef int _check_bits(Py_ssize_t n_bytes, Py_ssize_t n) except -1:
    """Raise ValueError unless a packed mask of ``n_bytes`` bytes covers n elements."""
    if n > 0 and n_bytes < (n + 7) // 8:
        raise ValueError(f"bits has length {n_bytes}, expected {(n + 7) // 8} or more")
    return 0


cdef inline int _threads_for(Py_ssize_t n) noexcept nogil:
    """Number of threads for an elementwise loop over n items."""
    if n < _PARALLEL_MIN_SIZE:
        return 1
    return _n_threads


include "_prox.pxi"
include "_dropout.pxi"
include "_optim.pxi"
include "_cd.pxi"
include "_logistic.pxi"
