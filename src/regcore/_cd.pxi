# Least-squares elastic net by coordinate descent (included by _kernels.pyx).
#
# Problem, scaled by n (the Python layer converts alpha and the gap):
#
#     min_b  1/2 ||y - Xc b||^2 + sum_j lam1_j |b_j| + lam2_j / 2 b_j^2
#
# where Xc is the centred (and sqrt(weight)-scaled) design. The centring is
# implicit: the kernel reads the raw (row-scaled) design Xs, the column means
# mu and keeps r = y - Xs b plus the scalar c = mu . b. The true residual is
# R = r + c v (v = sqrt(w), v.v = n, v.y = 0), so that
#     Xc_j . R = Xs_j . r + n c mu_j   and   ||R||^2 = ||r||^2 - n c^2.
#
# Two state representations share one solver:
#   * design mode: the residual r (dense Fortran-ordered or CSC design);
#   * covariance mode: the gradient q = Xc^T R, updated with Gram columns
#     G[:, j] = Xc^T Xc_j (glmnet's "covariance updates"); columns are either
#     precomputed or computed lazily the first time feature j moves.
#
# Levers: working sets ranked by dual distance (grown to 2x the support),
# inner solves stopped at a fraction of the outer duality gap, Gap Safe
# screening, Anderson extrapolation of the inner CD iterates, warm starts.
# Along a path the screening is sequential: a screened feature's correlation
# with the residual is bounded through a reference residual R_ref (the last
# one computed on every feature), |Xc_j . R| <= |Xc_j . R_ref| +
# ||Xc_j|| ||R - R_ref||, and only computed when that bound no longer proves
# it inactive, so an alpha with a small support costs no full pass.
# The certificate is the duality gap at the dual point obtained by projecting
# R orthogonally to the unpenalized columns and, for the pure l1 case,
# rescaling it into the dual feasible set.

from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int32_t
from libc.string cimport memcpy, memset
from libc.stdlib cimport free, malloc
from libc.math cimport INFINITY
from libc.float cimport DBL_EPSILON, FLT_EPSILON

import numpy as np

cdef extern from "_cd_ops.h":
    double regcore_ddot(ptrdiff_t n, const double* x, const double* y) noexcept nogil
    float regcore_sdot(ptrdiff_t n, const float* x, const float* y) noexcept nogil
    void regcore_daxpy(ptrdiff_t n, double a, const double* x, double* y) noexcept nogil
    void regcore_saxpy(ptrdiff_t n, float a, const float* x, float* y) noexcept nogil
    double regcore_dsdot_sp(ptrdiff_t nnz, const double* d, const int32_t* idx,
                            const double* y) noexcept nogil
    float regcore_ssdot_sp(ptrdiff_t nnz, const float* d, const int32_t* idx,
                           const float* y) noexcept nogil
    void regcore_dsgrad_sp_pooled(ptrdiff_t nF, const int32_t* F, ptrdiff_t nnz,
                                  const int32_t* ptr, const int32_t* idx, const double* data,
                                  const double* y, double shift, const double* mu,
                                  double* out, int n_threads) noexcept nogil
    void regcore_ssgrad_sp_pooled(ptrdiff_t nF, const int32_t* F, ptrdiff_t nnz,
                                  const int32_t* ptr, const int32_t* idx, const float* data,
                                  const float* y, double shift, const float* mu,
                                  float* out, int n_threads) noexcept nogil
    void regcore_daxpy_sp(ptrdiff_t nnz, double a, const double* d, const int32_t* idx,
                          double* y) noexcept nogil
    void regcore_saxpy_sp(ptrdiff_t nnz, float a, const float* d, const int32_t* idx,
                          float* y) noexcept nogil
    double regcore_daxpy_dot(ptrdiff_t n, double a, const double* xp, const double* xj,
                             double* r) noexcept nogil
    float regcore_saxpy_dot(ptrdiff_t n, float a, const float* xp, const float* xj,
                            float* r) noexcept nogil
    void regcore_dgrad_dense(ptrdiff_t nF, const int32_t* F, ptrdiff_t n, const double* X,
                             const double* r, double shift, const double* mu, double* out,
                             int n_threads) noexcept nogil
    void regcore_sgrad_dense(ptrdiff_t nF, const int32_t* F, ptrdiff_t n, const float* X,
                             const float* r, double shift, const float* mu, float* out,
                             int n_threads) noexcept nogil
    void regcore_dcolstats_dense(ptrdiff_t n, ptrdiff_t p, const double* X, const double* w,
                                 const double* v, double* out, int n_threads) noexcept nogil
    void regcore_scolstats_dense(ptrdiff_t n, ptrdiff_t p, const float* X, const double* w,
                                 const float* v, double* out, int n_threads) noexcept nogil
    enum: REGCORE_BLOCK4_MIN_ROWS
    void regcore_dblock4(ptrdiff_t n, const double* const* P, const double* d,
                         const double* const* C, double* r, double* out) noexcept nogil
    void regcore_sblock4(ptrdiff_t n, const float* const* P, const float* d,
                         const float* const* C, float* r, float* out) noexcept nogil
    ctypedef struct regcore_dblock4_split_duo:
        ptrdiff_t split           # 0: columns too short to be cut
        int stalled
    ctypedef struct regcore_sblock4_split_duo:
        ptrdiff_t split
        int stalled
    void regcore_dblock4_split_init(regcore_dblock4_split_duo* u, ptrdiff_t n) noexcept nogil
    void regcore_sblock4_split_init(regcore_sblock4_split_duo* u, ptrdiff_t n) noexcept nogil
    void regcore_dblock4_split(regcore_dblock4_split_duo* u, const double* const* P,
                               const double* d, const double* const* C, double* r,
                               double* out) noexcept nogil
    void regcore_sblock4_split(regcore_sblock4_split_duo* u, const float* const* P,
                               const float* d, const float* const* C, float* r,
                               float* out) noexcept nogil
    void regcore_dblock4_split_assist(regcore_dblock4_split_duo* u) noexcept nogil
    void regcore_sblock4_split_assist(regcore_sblock4_split_duo* u) noexcept nogil
    void regcore_dblock4_split_stop(regcore_dblock4_split_duo* u) noexcept nogil
    void regcore_sblock4_split_stop(regcore_sblock4_split_duo* u) noexcept nogil
    ctypedef void (*regcore_task)(void* ctx, ptrdiff_t lo, ptrdiff_t hi) noexcept nogil
    void regcore_pool_run(regcore_task fn, void* ctx, ptrdiff_t n_items, ptrdiff_t n_chunks,
                          int n_threads) noexcept nogil
    double regcore_kth_largest(double* v, ptrdiff_t n, ptrdiff_t k) noexcept nogil

include "_cd_solver.pxi"
