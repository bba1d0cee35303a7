# logistic regression solver (included by _kernels.pyx).
#
# Problem solved (the "C form"; the Python layer maps other scalings onto it):
#
#     min_{w, b}  sum_i s_i log(1 + exp(-y_i (x_i.w + b)))
#                 + sum_j pf_j (lam1 |w_j| + lam2 / 2 w_j^2)
#
# with y_i in {-1, +1}, per-sample weights s_i = C * sample_weight_i >= 0,
# penalty factors pf_j >= 0 and an unpenalized intercept b.
#
# Method: proximal Newton. Each outer step builds the quadratic model of the
# loss at the current point (Hessian weights h_i = s_i p_i (1 - p_i)), solves
# it by coordinate descent restricted to a working set (the support plus the
# features that violate the optimality conditions most, about twice the
# support), then backtracks along the Newton direction. Stopping rests on a
# duality gap: the dual point is minus the gradient of the loss, rescaled per
# class so that it sums to zero (intercept) and, for a pure L1 penalty, by a
# scalar so that |x_j.theta| <= pf_j lam1; the dual objective is the
# entropy sum_i s_i H(a_i) minus the penalty's conjugate. The same gap drives
# Gap Safe screening (the dual is (4 / max s)-strongly concave), which takes
# features proven zero out of the passes over X.

from libc.math cimport exp, log, log1p, sqrt, INFINITY
from libc.stdlib cimport free, malloc
from libc.float cimport DBL_EPSILON, FLT_EPSILON

import numpy as np

cdef extern from "_logistic_blas.h":
    double rc_logi_dot_d(Py_ssize_t n, const double *x, const double *v) noexcept nogil
    float rc_logi_dot_s(Py_ssize_t n, const float *x, const float *v) noexcept nogil
    void rc_logi_dot2_d(Py_ssize_t n, const double *x, const double *u, const double *v,
                        double *out_u, double *out_v) noexcept nogil
    void rc_logi_dot2_s(Py_ssize_t n, const float *x, const float *u, const float *v,
                        float *out_u, float *out_v) noexcept nogil
    double rc_logi_dot3_d(Py_ssize_t n, const double *x, const double *h,
                          const double *v) noexcept nogil
    float rc_logi_dot3_s(Py_ssize_t n, const float *x, const float *h,
                         const float *v) noexcept nogil
    void rc_logi_axpy_d(Py_ssize_t n, double alpha, const double *x, double *v) noexcept nogil
    void rc_logi_axpy_s(Py_ssize_t n, float alpha, const float *x, float *v) noexcept nogil
    double rc_logi_gather_dot_d(Py_ssize_t nnz, const double *x, const int *idx,
                                const double *v) noexcept nogil
    float rc_logi_gather_dot_s(Py_ssize_t nnz, const float *x, const int *idx,
                               const float *v) noexcept nogil
    void rc_logi_gather_dot2_d(Py_ssize_t nnz, const double *x, const int *idx,
                               const double *u, const double *v, double *out_u,
                               double *out_v) noexcept nogil
    void rc_logi_gather_dot2_s(Py_ssize_t nnz, const float *x, const int *idx,
                               const float *u, const float *v, float *out_u,
                               float *out_v) noexcept nogil


# Smallest working set (support and unpenalized features plus the worst violators).
cdef int _LOGI_WS_MIN = 10
# Inner coordinate descent stops when its largest scaled step falls below this
# fraction of the outer optimality violation (as celer/skglm do).
# (0.3, 0.1, 0.03 and 0.01 measured on the three benchmark designs: 0.1 was
# best or within the measurement noise on every row.)
cdef double _LOGI_INNER_FRACTION = 0.1
# Halvings before a step is given up: enough for t to reach the smallest double.
# A start far out on the flat side of the loss (margins of -30 and beyond) has
# almost no curvature, so its Newton step is 1e12 times too long or more; the
# 30 halvings allowed before then ended with the step taken anyway and diverged.
cdef int _LOGI_MAX_BACKTRACK = 1100
# When coordinate descent on the raw columns has not solved the Newton model in
# max_inner epochs and the working set has at most this many features, the
# model is finished on its Gram matrix (epochs cost k^2 instead of n k).
cdef Py_ssize_t _LOGI_GRAM_MAX_WS = 128
cdef int _LOGI_GRAM_MAX_EPOCHS = 1000
# Floor of the Hessian weight p (1 - p) of a sample. Beyond margins of about
# 745 it underflows to 0: when every sample is that far out (a warm start from
# another problem, say) the Newton model had no curvature at all and the
# solver stalled there. At 1e-18 (margins beyond 41) the step stays finite and
# the line search shortens it; samples that confident add nothing else. After
# a step the line search had to reject, the next model gets this factor more
# (float32 with one unsaturated sample: the centred curvatures were rounding
# and the step overflowed to NaN); a floor of 1e-6 from the start slowed
# float32 fits of separable data at large C 5-50 fold.
cdef double _LOGI_MIN_CURVATURE = 1e-18
cdef double _LOGI_CURVATURE_BOOST = 1e4
# The full gradient pass runs on several threads only above this many
# multiply-adds: a thread team costs more than a small pass, and far more when
# the other cores are busy.
cdef Py_ssize_t _LOGI_PARALLEL_MIN_WORK = 1 << 23


ctypedef struct _LogiDesign:
    # X in Fortran order (sparse == 0) or CSC (sparse == 1); the typed data
    # pointer is passed alongside because a struct cannot hold a fused type.
    bint sparse
    Py_ssize_t n
    Py_ssize_t p
    const int *indices
    const int *indptr


# ---- column operations: dense Fortran or CSC --------------------------------

cdef inline floating _logi_col_dot(const floating *X, _LogiDesign *d, Py_ssize_t j,
                                   const floating *v) noexcept nogil:
    # X[:, j] @ v
    cdef int start
    if d.sparse:
        start = d.indptr[j]
        if floating is float:
            return rc_logi_gather_dot_s(d.indptr[j + 1] - start, X + start,
                                        d.indices + start, v)
        else:
            return rc_logi_gather_dot_d(d.indptr[j + 1] - start, X + start,
                                        d.indices + start, v)
    if floating is float:
        return rc_logi_dot_s(d.n, X + j * d.n, v)
    else:
        return rc_logi_dot_d(d.n, X + j * d.n, v)


cdef inline void _logi_col_dot2(const floating *X, _LogiDesign *d, Py_ssize_t j,
                                const floating *u, const floating *v,
                                floating *out_u, floating *out_v) noexcept nogil:
    # (X[:, j] @ u, X[:, j] @ v)
    cdef int start
    if d.sparse:
        start = d.indptr[j]
        if floating is float:
            rc_logi_gather_dot2_s(d.indptr[j + 1] - start, X + start, d.indices + start,
                                  u, v, out_u, out_v)
        else:
            rc_logi_gather_dot2_d(d.indptr[j + 1] - start, X + start, d.indices + start,
                                  u, v, out_u, out_v)
    elif floating is float:
        rc_logi_dot2_s(d.n, X + j * d.n, u, v, out_u, out_v)
    else:
        rc_logi_dot2_d(d.n, X + j * d.n, u, v, out_u, out_v)


cdef inline floating _logi_col_dot3(const floating *X, _LogiDesign *d, Py_ssize_t j,
                                    const floating *h, const floating *v) noexcept nogil:
    # X[:, j] @ (h * v)
    cdef int k, i
    cdef floating acc = 0
    if d.sparse:
        for k in range(d.indptr[j], d.indptr[j + 1]):
            i = d.indices[k]
            acc += X[k] * h[i] * v[i]
        return acc
    if floating is float:
        return rc_logi_dot3_s(d.n, X + j * d.n, h, v)
    else:
        return rc_logi_dot3_d(d.n, X + j * d.n, h, v)


cdef inline floating _logi_col_sqnorm(const floating *X, _LogiDesign *d, Py_ssize_t j,
                                      const floating *h) noexcept nogil:
    # h @ X[:, j] ** 2
    cdef int k
    cdef floating acc = 0
    if d.sparse:
        for k in range(d.indptr[j], d.indptr[j + 1]):
            acc += X[k] * X[k] * h[d.indices[k]]
        return acc
    if floating is float:
        return rc_logi_dot3_s(d.n, X + j * d.n, h, X + j * d.n)
    else:
        return rc_logi_dot3_d(d.n, X + j * d.n, h, X + j * d.n)


cdef inline void _logi_col_axpy(const floating *X, _LogiDesign *d, Py_ssize_t j,
                                floating alpha, floating *v) noexcept nogil:
    # v += alpha * X[:, j]
    cdef int k
    if d.sparse:
        for k in range(d.indptr[j], d.indptr[j + 1]):
            v[d.indices[k]] += alpha * X[k]
    elif floating is float:
        rc_logi_axpy_s(d.n, alpha, X + j * d.n, v)
    else:
        rc_logi_axpy_d(d.n, alpha, X + j * d.n, v)


# ---- scalar pieces of the loss and the penalty ------------------------------

cdef inline double _logi_loss_and_prob(double margin, double *p_wrong,
                                       double *p_right) noexcept nogil:
    # log1p(exp(-m)), with p_wrong = sigmoid(-m) and p_right = sigmoid(m)
    cdef double e
    if margin >= 0:
        e = exp(-margin)
        p_wrong[0] = e / (1.0 + e)
        p_right[0] = 1.0 / (1.0 + e)
        return log1p(e)
    e = exp(margin)
    p_wrong[0] = 1.0 / (1.0 + e)
    p_right[0] = e / (1.0 + e)
    return -margin + log1p(e)


cdef inline double _logi_scaled_entropy(double k, double margin, double loss, double a,
                                        double one_minus_a) noexcept nogil:
    # entropy of k a for a = sigmoid(-margin), loss = log1p(exp(-margin)), 0 < k <= 1;
    # log a = -(loss + margin), so k = 1 needs no logarithm: loss + a margin
    cdef double ka, rest
    if k == 1.0:
        return loss + a * margin
    ka = k * a
    rest = one_minus_a + (1.0 - k) * a  # 1 - k a without cancellation
    return (ka * (loss + margin - log(k)) if ka > 0 else 0.0) - (
        rest * log(rest) if rest > 0 else 0.0)


cdef inline double _logi_penalty(double wj, double pfj, double lam1,
                                 double lam2) noexcept nogil:
    # pf * (lam1 |w| + lam2 / 2 w^2)
    return pfj * (lam1 * fabs(wj) + 0.5 * lam2 * wj * wj)


cdef inline double _logi_prox_update(double lip, double old, double deriv, double pfj,
                                     double lam1, double lam2) noexcept nogil:
    # argmin_u lip/2 (u - old + deriv/lip)^2 + pf (lam1 |u| + lam2/2 u^2)
    cdef double u = lip * old - deriv
    cdef double t = pfj * lam1
    cdef double denom = lip + pfj * lam2
    if denom <= 0:
        return 0.0
    if u > t:
        return (u - t) / denom
    if u < -t:
        return (u + t) / denom
    return 0.0


cdef inline double _logi_violation(double wj, double gj, double pfj, double lam1,
                                   double lam2) noexcept nogil:
    # distance of -grad_j to the subdifferential of the penalty at w_j
    if wj != 0:
        return fabs(gj + pfj * (lam1 * (1.0 if wj > 0 else -1.0) + lam2 * wj))
    return _logi_fmax(fabs(gj) - pfj * lam1, 0.0)


cdef inline double _logi_fmax(double a, double b) noexcept nogil:
    # max(a, b)
    return a if a >= b else b


# ---- solver state -----------------------------------------------------------

cdef struct _LogiWork:
    double *prob_wrong    # (n,) sigmoid(-y z): the dual variable a_i
    double *prob_right    # (n,) 1 - prob_wrong, kept separately for accuracy
    double *loss_i        # (n,) log1p(exp(-y z)) per sample
    bint cached           # the three (n,) arrays above already match z
    double *grad          # (p,) X.T @ g
    double *grad_pos      # (p,) X.T @ (g * [y > 0])
    double *score         # (p,) optimality violation per feature
    double *scratch       # (p,) copy of scores for the selection
    double *lip           # (p,) h @ X[:, j]**2 on the working set
    double *w_old         # (p,) w at the start of the Newton step
    double *h_col         # (p,) h @ X[:, j] on the working set
    int *ws               # (p,) working-set feature indices
    unsigned char *screened  # (p,) 1 = proven zero at the optimum (Gap Safe rule)
    bint screen              # Gap Safe screening on
    double *col_norm         # (p + 1,) ||X[:, j]||; col_norm[p] < 0: not yet computed
    double max_s             # max(s): the dual is (4 / max_s)-strongly concave
    double last_primal       # primal objective at the last gap
    double theta_scale       # the dual point of the last gap: scale * (c_pos, c_neg)
    double c_pos
    double c_neg
    long n_epochs         # inner coordinate-descent epochs, summed over steps
    bint inner_stalled    # a Newton step's coordinate descent used all max_inner epochs
    long n_halvings       # line-search halvings, summed over steps


cdef void _logi_probabilities(const floating *z, const floating *y, Py_ssize_t n,
                              _LogiWork *work) noexcept nogil:
    # loss_i = log1p(exp(-y z)), prob_wrong = sigmoid(-y z), prob_right = sigmoid(y z)
    cdef Py_ssize_t i
    for i in range(n):
        work.loss_i[i] = _logi_loss_and_prob(y[i] * z[i], &work.prob_wrong[i],
                                             &work.prob_right[i])


cdef double _logi_derivatives(const floating *y, const floating *s, Py_ssize_t n,
                              floating *g, floating *g_pos, floating *h, double floor,
                              _LogiWork *work) noexcept nogil:
    # g = -s y prob_wrong; h = s max(prob_wrong prob_right, floor); returns the
    # loss s @ loss_i
    cdef Py_ssize_t i
    cdef double loss = 0
    for i in range(n):
        loss += s[i] * work.loss_i[i]
        g[i] = <floating>(-s[i] * y[i] * work.prob_wrong[i])
        g_pos[i] = g[i] if y[i] > 0 else 0
        h[i] = <floating>(s[i] * _logi_fmax(work.prob_wrong[i] * work.prob_right[i],
                                            floor))
    return loss


cdef void _logi_full_gradient(const floating *X, _LogiDesign *d, const floating *g,
                              const floating *g_pos, bint split,
                              _LogiWork *work) noexcept nogil:
    # grad = X.T @ g (and grad_pos = X.T @ g_pos when split), columns in parallel
    cdef Py_ssize_t j
    cdef Py_ssize_t work_size = d.indptr[d.p] if d.sparse else d.n * d.p
    cdef int n_threads = 1 if work_size < _LOGI_PARALLEL_MIN_WORK else _n_threads
    if n_threads == 1:
        for j in range(d.p):
            if not work.screened[j]:
                _logi_gradient_column(X, d, j, g, g_pos, split, work)
    else:
        for j in prange(d.p, num_threads=n_threads, schedule="static"):
            if not work.screened[j]:
                _logi_gradient_column(X, d, j, g, g_pos, split, work)


cdef inline void _logi_gradient_column(const floating *X, _LogiDesign *d, Py_ssize_t j,
                                       const floating *g, const floating *g_pos,
                                       bint split, _LogiWork *work) noexcept nogil:
    # grad[j] = X[:, j] @ g (and grad_pos[j] = X[:, j] @ g_pos)
    cdef floating gj, gpj
    if split:
        _logi_col_dot2(X, d, j, g, g_pos, &gj, &gpj)
        work.grad_pos[j] = gpj
    else:
        gj = _logi_col_dot(X, d, j, g)
    work.grad[j] = gj


cdef double _logi_duality_gap(const floating *y, const floating *z, const floating *s,
                              const floating *w,
                              const floating *pf, Py_ssize_t n, Py_ssize_t p,
                              double lam1, double lam2, double loss, bint fit_intercept,
                              _LogiWork *work, double *primal_out) noexcept nogil:
    # primal - dual at theta = scale_class * scale_l1 * s * y * sigmoid(-y z)
    cdef Py_ssize_t i, j
    cdef double mass_pos = 0, mass_neg = 0, c_pos = 1, c_neg = 1, c
    cdef double v, excess, primal = loss, dual = 0, residual = 0, scale = 1, bound
    for i in range(n):
        if y[i] > 0:
            mass_pos += s[i] * work.prob_wrong[i]
        else:
            mass_neg += s[i] * work.prob_wrong[i]
    if fit_intercept:
        # sum(theta) = 0: shrink the heavier class (keeps a_i in [0, 1])
        if mass_pos > mass_neg:
            c_pos = mass_neg / mass_pos
        elif mass_neg > mass_pos:
            c_neg = mass_pos / mass_neg
    for j in range(p):
        primal += _logi_penalty(w[j], pf[j], lam1, lam2)
    if lam2 == 0:
        # pure L1: theta must satisfy |X.T theta|_j <= pf_j lam1
        for j in range(p):
            if pf[j] > 0 and not work.screened[j]:
                v = fabs(_logi_theta_corr(j, c_pos, c_neg, fit_intercept, work))
                bound = pf[j] * lam1
                if v * scale > bound:
                    scale = bound / v
    for j in range(p):
        if work.screened[j] or (lam2 == 0 and pf[j] > 0):
            # screened: w_j = 0 here and at the optimum, out of the reduced problem;
            # pure L1 with pf_j > 0: theta is feasible, the conjugate is 0
            continue
        v = scale * _logi_theta_corr(j, c_pos, c_neg, fit_intercept, work)
        if pf[j] > 0:
            if lam2 > 0:
                excess = _logi_fmax(fabs(v) - pf[j] * lam1, 0.0)
                dual -= excess * excess / (2.0 * pf[j] * lam2)
        else:
            # unpenalized feature: Fenchel-Young residual made non-negative
            residual += fabs(w[j] * v) + w[j] * v
    for i in range(n):
        c = c_pos if y[i] > 0 else c_neg
        dual += s[i] * _logi_scaled_entropy(c * scale, y[i] * z[i], work.loss_i[i],
                                            work.prob_wrong[i], work.prob_right[i])
    primal_out[0] = primal
    work.last_primal = primal
    work.theta_scale = scale
    work.c_pos = c_pos
    work.c_neg = c_neg
    return primal - dual + residual


cdef inline double _logi_theta_corr(Py_ssize_t j, double c_pos, double c_neg,
                                    bint fit_intercept, _LogiWork *work) noexcept nogil:
    # X[:, j] @ theta for theta = -(c_pos g_pos + c_neg g_neg)
    if not fit_intercept:
        return -work.grad[j]
    return -(c_pos * work.grad_pos[j] + c_neg * (work.grad[j] - work.grad_pos[j]))


cdef void _logi_column_norms(const floating *X, _LogiDesign *d, double *norms) noexcept nogil:
    # norms[:p] = np.linalg.norm(X, axis=0); norms[p] = 1 (computed)
    cdef Py_ssize_t j, i
    cdef int k
    cdef double acc
    for j in range(d.p):
        acc = 0
        if d.sparse:
            for k in range(d.indptr[j], d.indptr[j + 1]):
                acc += <double>X[k] * X[k]
        else:
            for i in range(d.n):
                acc += <double>X[j * d.n + i] * X[j * d.n + i]
        norms[j] = sqrt(acc)
    norms[d.p] = 1


cdef void _logi_screen(const floating *X, _LogiDesign *d, const floating *w,
                       const floating *pf, Py_ssize_t p, double lam1, double gap,
                       bint fit_intercept, _LogiWork *work) noexcept nogil:
    # Gap Safe rule: |x_j.theta| + r ||x_j|| < pf_j lam1 with r = sqrt(2 gap / mu)
    # proves w_j = 0 at the optimum (theta* lies within r of theta); only
    # features already at zero are dropped, so z stays valid
    cdef Py_ssize_t j
    cdef double radius, v
    if not work.screen or lam1 <= 0 or gap <= 0:
        return
    if work.col_norm[p] < 0:  # first use of this workspace: ||X[:, j]|| once
        _logi_column_norms(X, d, work.col_norm)
    # the gap is inflated by its own rounding level so the radius stays safe
    gap += (1e-6 if floating is float else 1e-13) * work.last_primal
    radius = sqrt(2.0 * gap * work.max_s / 4.0)
    for j in range(p):
        if work.screened[j] or w[j] != 0 or pf[j] <= 0:
            continue
        v = fabs(work.theta_scale * _logi_theta_corr(j, work.c_pos, work.c_neg,
                                                     fit_intercept, work))
        if v + radius * work.col_norm[j] < pf[j] * lam1 * (1 - 1e-9):
            work.screened[j] = 1


cdef Py_ssize_t _logi_working_set(const floating *w, const floating *pf, Py_ssize_t p,
                                  double lam1, double lam2,
                                  _LogiWork *work, double *max_violation) noexcept nogil:
    # ws = support, unpenalized features, then the largest violations; ~2x support
    cdef Py_ssize_t j, n_support = 0, n_candidates = 0, size, count = 0
    cdef double threshold, worst = 0
    for j in range(p):
        if work.screened[j]:
            work.score[j] = 0
            continue
        work.score[j] = _logi_violation(w[j], work.grad[j], pf[j], lam1, lam2)
        if work.score[j] > worst:
            worst = work.score[j]
        if w[j] != 0 or pf[j] == 0:
            n_support += 1
            work.score[j] = INFINITY
        elif work.score[j] > 0:
            work.scratch[n_candidates] = work.score[j]
            n_candidates += 1
    max_violation[0] = worst
    size = max(_LOGI_WS_MIN, 2 * n_support)
    size = min(size, p)
    if n_support + n_candidates <= size:
        threshold = 0
    else:
        threshold = _logi_kth_largest(work.scratch, n_candidates, size - n_support)
    for j in range(p):
        if count >= size:
            break
        if work.score[j] > 0 and work.score[j] >= threshold:
            work.ws[count] = j
            count += 1
    return count


cdef double _logi_kth_largest(double *values, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    # np.sort(values)[::-1][k - 1] by quickselect (values are reordered), 1 <= k <= n
    cdef Py_ssize_t lo = 0, hi = n - 1, i, j, target = k - 1
    cdef double pivot, tmp
    while lo < hi:
        pivot = values[(lo + hi) // 2]
        i = lo
        j = hi
        while i <= j:
            while values[i] > pivot:
                i += 1
            while values[j] < pivot:
                j -= 1
            if i <= j:
                tmp = values[i]
                values[i] = values[j]
                values[j] = tmp
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            break
    return values[target]


cdef struct _LogiBlock:
    # the unpenalized features of the working set, minimised over as one block
    Py_ssize_t k
    int *feature          # (k,) feature indices
    double *chol          # (k, k) Cholesky factor of their model Hessian
    double *rhs           # (k,) derivatives, then the step


cdef bint _logi_cholesky(double *A, Py_ssize_t k) noexcept nogil:
    # A = L L^T in place (lower triangle, row-major); False if not positive definite
    cdef Py_ssize_t i, j, t
    cdef double acc
    for j in range(k):
        acc = A[j * k + j]
        for t in range(j):
            acc -= A[j * k + t] * A[j * k + t]
        if not acc > 0:
            return False
        A[j * k + j] = sqrt(acc)
        for i in range(j + 1, k):
            acc = A[i * k + j]
            for t in range(j):
                acc -= A[i * k + t] * A[j * k + t]
            A[i * k + j] = acc / A[j * k + j]
    return True


cdef void _logi_cholesky_solve(const double *L, double *b, Py_ssize_t k) noexcept nogil:
    # b = (L L^T)^{-1} b
    cdef Py_ssize_t i, t
    for i in range(k):
        for t in range(i):
            b[i] -= L[i * k + t] * b[t]
        b[i] /= L[i * k + i]
    for i in range(k - 1, -1, -1):
        for t in range(i + 1, k):
            b[i] -= L[t * k + i] * b[t]
        b[i] /= L[i * k + i]


cdef double _logi_col_dot3_double(const floating *X, _LogiDesign *d, Py_ssize_t j,
                                  const floating *h, const floating *v) noexcept nogil:
    # X[:, j] @ (h * v) accumulated in double: a float32 sum rounds the block's
    # Hessian by more than its smallest eigenvalue once the block is ill
    # conditioned, and the "exact" step then overshoots (a float32 fit went
    # from a gap of 7e-4 to 0.1)
    cdef Py_ssize_t i
    cdef int t
    cdef double acc = 0
    if d.sparse:
        for t in range(d.indptr[j], d.indptr[j + 1]):
            i = d.indices[t]
            acc += <double> X[t] * h[i] * v[i]
        return acc
    for i in range(d.n):
        acc += <double> X[i + j * d.n] * h[i] * v[i]
    return acc


cdef bint _logi_block_setup(const floating *X, _LogiDesign *d, const floating *pf,
                            const floating *h, floating *scratch, double h_sum,
                            bint fit_intercept, Py_ssize_t ws_size, int max_inner,
                            _LogiWork *work, _LogiBlock *blk) noexcept nogil:
    # Coordinate steps on unpenalized features converge at the rate of their
    # block's conditioning (8 nearly collinear ones, condition 3000: a gap of
    # 1.7e-5 after 20000 Newton steps); an exact step over the block after
    # each epoch removes it. Needs two or more of them; a large block (its
    # k (k + 1) / 2 column products above max_inner epochs of ws_size ones)
    # only once a Newton step's descent has stalled without it (300
    # well-conditioned unpenalized features of 400 made a 5000 x 400 fit 5x
    # slower; 40-80 nearly collinear ones never converged without it).
    # False: no block.
    cdef Py_ssize_t a, c, i, ja, jc, k = 0
    cdef int t
    cdef double top = 0
    cdef const floating *column
    blk.k = 0
    blk.feature = NULL
    blk.chol = NULL
    blk.rhs = NULL
    for a in range(ws_size):
        if pf[work.ws[a]] == 0:
            k += 1
    if k < 2 or (k * (k + 1) > 2 * max_inner * ws_size and not work.inner_stalled):
        return False
    blk.feature = <int *> malloc(k * sizeof(int))
    blk.chol = <double *> malloc(k * k * sizeof(double))
    blk.rhs = <double *> malloc(k * sizeof(double))
    if blk.feature == NULL or blk.chol == NULL or blk.rhs == NULL:
        _logi_block_free(blk)
        return False
    k = 0
    for a in range(ws_size):
        if pf[work.ws[a]] == 0:
            blk.feature[k] = work.ws[a]
            k += 1
    for c in range(k):
        jc = blk.feature[c]
        if d.sparse:
            for i in range(d.n):
                scratch[i] = 0
            for t in range(d.indptr[jc], d.indptr[jc + 1]):
                scratch[d.indices[t]] = X[t]
            column = scratch
        else:
            column = X + jc * d.n
        for a in range(c, k):
            ja = blk.feature[a]
            blk.chol[a * k + c] = _logi_col_dot3_double(X, d, ja, h, column)
            if fit_intercept:
                blk.chol[a * k + c] -= work.h_col[ja] * work.h_col[jc] / h_sum
        top = _logi_fmax(top, blk.chol[c * k + c])
    for c in range(k):  # a relative ridge keeps a rank-deficient block solvable
        blk.chol[c * k + c] += 1e-10 * top
    if not (top > 0 and _logi_cholesky(blk.chol, k)):
        _logi_block_free(blk)
        return False
    blk.k = k
    return True


cdef void _logi_block_free(_LogiBlock *blk) noexcept nogil:
    free(blk.feature)
    free(blk.chol)
    free(blk.rhs)
    blk.feature = NULL
    blk.chol = NULL
    blk.rhs = NULL
    blk.k = 0


cdef double _logi_block_step(const floating *X, _LogiDesign *d, floating *w,
                             const floating *h, floating *xd, double *offset,
                             double h_sum, bint fit_intercept, _LogiWork *work,
                             _LogiBlock *blk) noexcept nogil:
    # the model's exact minimiser over the block (h-centred columns, as the
    # coordinate steps of _logi_newton_direction); returns its largest
    # |step| * curvature (the Cholesky pivot, at most the diagonal entry)
    cdef Py_ssize_t a, j
    cdef double xbar, step, worst = 0
    for a in range(blk.k):
        j = blk.feature[a]
        blk.rhs[a] = -(work.grad[j] + _logi_col_dot3(X, d, j, h, xd)
                       + offset[0] * work.h_col[j])
    _logi_cholesky_solve(blk.chol, blk.rhs, blk.k)
    for a in range(blk.k):
        j = blk.feature[a]
        step = <double> (<floating> (w[j] + blk.rhs[a])) - w[j]
        if step != 0:
            xbar = work.h_col[j] / h_sum if fit_intercept else 0.0
            _logi_col_axpy(X, d, j, <floating> step, xd)
            offset[0] -= step * xbar
            w[j] = <floating> (w[j] + step)
            worst = _logi_fmax(worst, fabs(step) * blk.chol[a * blk.k + a] ** 2)
    return worst


cdef int _logi_newton_direction(const floating *X, _LogiDesign *d, floating *w,
                                const floating *pf, double lam1, double lam2,
                                const floating *g, const floating *h, floating *xd,
                                floating *scratch, double grad_b, double *delta_b,
                                bint fit_intercept, Py_ssize_t ws_size, double inner_tol,
                                int max_inner, _LogiWork *work) noexcept nogil:
    # coordinate descent on the quadratic model over ws; w holds w + delta on exit,
    # xd = X @ delta + delta_b; returns the number of epochs run.
    # With an intercept each coordinate moves along the h-centred column
    # x_j - xbar_j (xbar_j = h @ x_j / sum(h)), the intercept absorbing the mean:
    # this decouples the two in the model, so columns far from zero mean (positive
    # text features, data offset from the origin) do not stall the descent. The
    # constant part of xd is kept in the scalar `offset` (sparse-friendly).
    cdef Py_ssize_t i, k, j, n = d.n
    cdef int epoch
    cdef double deriv, new, step, worst, h_sum = 0, db, xbar, curv
    cdef double offset = 0, deriv_b = grad_b
    cdef _LogiBlock blk
    for i in range(n):
        xd[i] = 0
    if fit_intercept:
        for i in range(n):
            h_sum += h[i]
        fit_intercept = h_sum > 0
    for k in range(ws_size):
        j = work.ws[k]
        work.w_old[j] = w[j]
        work.lip[j] = _logi_col_sqnorm(X, d, j, h)
        work.h_col[j] = _logi_col_dot(X, d, j, h) if fit_intercept else 0.0
    _logi_block_setup(X, d, pf, h, scratch, h_sum, fit_intercept, ws_size, max_inner, work,
                      &blk)
    for epoch in range(max_inner):
        worst = 0
        if fit_intercept and deriv_b != 0:
            # exact minimization over the intercept; deriv_b = grad_b + h @ xd
            db = -deriv_b / h_sum
            offset += db
            worst = fabs(deriv_b)
            deriv_b = 0
        for k in range(ws_size):
            j = work.ws[k]
            deriv = (work.grad[j] + _logi_col_dot3(X, d, j, h, xd)
                     + offset * work.h_col[j])
            curv = work.lip[j]
            xbar = 0
            if fit_intercept:
                xbar = work.h_col[j] / h_sum
                deriv -= xbar * deriv_b
                curv = _logi_fmax(curv - xbar * work.h_col[j], 1e-12 * curv)
            new = _logi_prox_update(curv, w[j], deriv, pf[j], lam1, lam2)
            step = new - w[j]
            if step != 0:
                _logi_col_axpy(X, d, j, <floating>step, xd)
                offset -= step * xbar
                w[j] = <floating>new
                worst = _logi_fmax(worst, fabs(step) * curv)
        if blk.k:
            worst = _logi_fmax(worst, _logi_block_step(X, d, w, h, xd, &offset, h_sum,
                                                       fit_intercept, work, &blk))
        if worst <= inner_tol:
            break
    _logi_block_free(&blk)
    if worst > inner_tol:
        work.inner_stalled = True  # a large block is formed from the next step on
        if ws_size <= _LOGI_GRAM_MAX_WS:
            # ill-conditioned model (e.g. separable classes): finish on the Gram matrix
            return epoch + 1 + _logi_gram_refine(X, d, w, pf, lam1, lam2, h, xd, scratch,
                                                 grad_b, h_sum, delta_b, fit_intercept,
                                                 ws_size, inner_tol, work)
    if offset != 0:
        for i in range(n):
            xd[i] += <floating>offset
    delta_b[0] = offset
    return epoch + 1


cdef int _logi_gram_refine(const floating *X, _LogiDesign *d, floating *w,
                           const floating *pf, double lam1, double lam2, const floating *h,
                           floating *xd, floating *scratch, double grad_b, double h_sum,
                           double *delta_b, bint fit_intercept, Py_ssize_t ws_size,
                           double inner_tol, _LogiWork *work) noexcept nogil:
    # coordinate descent on the quadratic model through its k x k (h-centred) Gram
    # matrix, the intercept profiled out; epochs cost k^2 instead of n k. Then
    # xd = X @ delta + delta_b with delta_b = -(grad_b + h_col @ delta) / sum(h).
    cdef Py_ssize_t k = ws_size, a, c, j, i
    cdef int epoch
    cdef double *gram = <double *> malloc(k * k * sizeof(double))
    cdef double *slope = <double *> malloc(k * sizeof(double))
    cdef double new, step, worst, db
    if gram == NULL or slope == NULL:
        free(gram)
        free(slope)
        return 0
    _logi_weighted_gram(X, d, h, scratch, h_sum, fit_intercept, k, work, gram)
    for a in range(k):
        j = work.ws[a]
        slope[a] = work.grad[j]
        if fit_intercept:
            slope[a] -= work.h_col[j] / h_sum * grad_b
        for c in range(k):
            slope[a] += gram[a * k + c] * (w[work.ws[c]] - work.w_old[work.ws[c]])
    for epoch in range(_LOGI_GRAM_MAX_EPOCHS):
        worst = 0
        for a in range(k):
            j = work.ws[a]
            new = _logi_prox_update(gram[a * k + a], w[j], slope[a], pf[j], lam1, lam2)
            step = new - w[j]
            if step != 0:
                for c in range(k):
                    slope[c] += step * gram[c * k + a]
                w[j] = <floating>new
                worst = _logi_fmax(worst, fabs(step) * gram[a * k + a])
        if worst <= inner_tol:
            break
    free(gram)
    free(slope)
    db = 0
    for i in range(d.n):
        xd[i] = 0
    for a in range(k):
        j = work.ws[a]
        step = w[j] - work.w_old[j]
        if step != 0:
            _logi_col_axpy(X, d, j, <floating>step, xd)
            db -= work.h_col[j] * step
    if fit_intercept:
        db = (db - grad_b) / h_sum
        for i in range(d.n):
            xd[i] += <floating>db
    else:
        db = 0
    delta_b[0] = db
    return epoch + 1


cdef void _logi_weighted_gram(const floating *X, _LogiDesign *d, const floating *h,
                              floating *scratch, double h_sum, bint fit_intercept,
                              Py_ssize_t k, _LogiWork *work, double *gram) noexcept nogil:
    # G = Xw.T @ diag(h) @ Xw - outer(h_col, h_col) / sum(h) over the working set
    cdef Py_ssize_t a, c, i, ja, jc
    cdef int t
    cdef const floating *column
    for c in range(k):
        jc = work.ws[c]
        if d.sparse:
            for i in range(d.n):
                scratch[i] = 0
            for t in range(d.indptr[jc], d.indptr[jc + 1]):
                scratch[d.indices[t]] = X[t]
            column = scratch
        else:
            column = X + jc * d.n
        for a in range(c, k):
            ja = work.ws[a]
            gram[a * k + c] = _logi_col_dot3(X, d, ja, h, column)
            if fit_intercept:
                gram[a * k + c] -= work.h_col[ja] * work.h_col[jc] / h_sum
            gram[c * k + a] = gram[a * k + c]
        gram[c * k + c] = _logi_fmax(gram[c * k + c], 1e-12 * work.lip[jc])


cdef double _logi_line_search(floating *w, const floating *pf, double lam1, double lam2,
                              const floating *z, const floating *xd, const floating *y,
                              const floating *s, Py_ssize_t n, Py_ssize_t ws_size,
                              double objective, _LogiWork *work) noexcept nogil:
    # largest t in {1, 1/2, ...} where F(w + t delta) <= F(w) or its convex majorant
    # still decreases; w is left at w_old + t * delta
    cdef Py_ssize_t i, k, j
    cdef double t = 1.0, slope, value, pen_old = 0, pen_new = 0, pen_t, m, loss
    cdef double delta
    cdef double rounding = (4 * FLT_EPSILON) if floating is float else (64 * DBL_EPSILON)
    cdef int attempt
    for k in range(ws_size):
        j = work.ws[k]
        pen_old += _logi_penalty(work.w_old[j], pf[j], lam1, lam2)
        pen_new += _logi_penalty(w[j], pf[j], lam1, lam2)
    work.cached = False
    for attempt in range(_LOGI_MAX_BACKTRACK):
        slope = pen_new - pen_old
        loss = 0
        for i in range(n):
            # the probabilities at the accepted step are the next step's statistics
            m = y[i] * (z[i] + t * xd[i])
            work.loss_i[i] = _logi_loss_and_prob(m, &work.prob_wrong[i],
                                                 &work.prob_right[i])
            loss += s[i] * work.loss_i[i]
            slope -= xd[i] * s[i] * y[i] * work.prob_wrong[i]
        pen_t = 0
        for k in range(ws_size):
            j = work.ws[k]
            pen_t += _logi_penalty(work.w_old[j] + t * (w[j] - work.w_old[j]), pf[j],
                                   lam1, lam2)
        # objective uses the penalty on ws only: other coordinates do not move;
        # a change below rounding still counts as no increase (the step then
        # sharpens the gradient, which the objective can no longer see)
        value = loss + pen_t - pen_old
        if slope <= 0 or value <= objective + rounding * (objective + pen_old):
            work.cached = True
            break
        if value != value:  # the step holds NaN: no shorter one helps
            break
        t *= 0.5
    work.n_halvings += attempt
    if not work.cached:  # no decrease anywhere along the step: w stays where it was
        for k in range(ws_size):
            w[work.ws[k]] = <floating>work.w_old[work.ws[k]]
        return 0.0
    if t != 1.0:
        for k in range(ws_size):
            j = work.ws[k]
            delta = w[j] - work.w_old[j]
            w[j] = <floating>(work.w_old[j] + t * delta)
    return t


cdef void _logi_compute_z(const floating *X, _LogiDesign *d, const floating *w, double b,
                          floating *z) noexcept nogil:
    # z = X @ w + b
    cdef Py_ssize_t i, j
    for i in range(d.n):
        z[i] = <floating>b
    for j in range(d.p):
        if w[j] != 0:
            _logi_col_axpy(X, d, j, w[j], z)


cdef double _logi_unpenalized_decrements(const floating *X, _LogiDesign *d,
                                         const floating *pf, const floating *g,
                                         const floating *h, bint fit_intercept,
                                         _LogiWork *work) noexcept nogil:
    # sum over unpenalized features j of the Newton decrement g_j^2 / (2 H_jj),
    # with the intercept re-optimized (the Schur complement of the intercept):
    # the decrease a Newton step on w_j would bring. The dual point cannot
    # make X_j . theta = 0 for such features, and the Fenchel-Young residual
    # of _logi_duality_gap vanishes at w_j = 0 whatever the gradient: this
    # term keeps the gap from certifying a point where their gradient is not 0
    cdef Py_ssize_t i, j
    cdef double h_sum = 0, g_sum = 0, total = 0, hx, hxx, gj, curv
    for j in range(d.p):  # the usual case, every feature penalized: no pass over n
        if pf[j] == 0 and not work.screened[j]:
            break
    else:
        return 0.0
    if fit_intercept:
        for i in range(d.n):
            h_sum += h[i]
            g_sum += g[i]
    for j in range(d.p):
        if pf[j] > 0 or work.screened[j]:
            continue
        hxx = _logi_col_sqnorm(X, d, j, h)
        gj = work.grad[j]
        curv = hxx
        if fit_intercept and h_sum > 0:
            hx = _logi_col_dot(X, d, j, h)
            gj -= hx / h_sum * g_sum
            curv -= hx * hx / h_sum
        if curv > 1e-12 * hxx:  # else X_j is (numerically) the intercept's column
            total += gj * gj / (2.0 * curv)
    return total


cdef int _logi_solve(const floating *X, _LogiDesign *d, const floating *y,
                     const floating *s, const floating *pf, double lam1, double lam2,
                     floating *w, double *b, bint fit_intercept, double tol, int max_iter,
                     int max_inner, floating *z, floating *g, floating *g_pos, floating *h,
                     floating *xd, _LogiWork *work, double resume_scale, double *gap_out,
                     double *primal_out) noexcept nogil:
    # the prox-Newton outer loop; returns the number of Newton steps taken.
    # resume_scale > 0: z, the probabilities and the gradients in the workspace
    # belong to the current (w, b) solved at another C; the gradients scale with C.
    cdef int it = 0
    cdef Py_ssize_t i, j, ws_size = 0
    cdef double loss, gap, primal, grad_b, delta_b, worst, t
    cdef double floor = _LOGI_MIN_CURVATURE
    work.max_s = 0
    for i in range(d.n):
        if s[i] > work.max_s:
            work.max_s = s[i]
    if resume_scale > 0:
        work.cached = True
    else:
        _logi_compute_z(X, d, w, b[0], z)
        work.cached = False
        for j in range(d.p):
            work.screened[j] = 0
    while True:
        if not work.cached:
            _logi_probabilities(z, y, d.n, work)
        loss = _logi_derivatives(y, s, d.n, g, g_pos, h, floor, work)
        if it == 0 and resume_scale > 0:
            # screening is per C: features screened at the previous C get fresh columns
            for j in range(d.p):
                if work.screened[j]:
                    _logi_gradient_column(X, d, j, g, g_pos, fit_intercept, work)
                    work.screened[j] = 0
                else:
                    work.grad[j] *= resume_scale
                    work.grad_pos[j] *= resume_scale
        else:
            _logi_full_gradient(X, d, g, g_pos, fit_intercept, work)
        gap = _logi_duality_gap(y, z, s, w, pf, d.n, d.p, lam1, lam2, loss, fit_intercept,
                                work, &primal)
        gap += _logi_unpenalized_decrements(X, d, pf, g, h, fit_intercept, work)
        if gap <= tol or it >= max_iter:
            break
        if it > 0 or resume_scale > 0:  # from a cold start the first gap is too wide
            _logi_screen(X, d, w, pf, d.p, lam1, gap, fit_intercept, work)
        ws_size = _logi_working_set(w, pf, d.p, lam1, lam2, work, &worst)
        grad_b = 0
        if fit_intercept:
            for i in range(d.n):
                grad_b += g[i]
            worst = _logi_fmax(worst, fabs(grad_b))
        work.n_epochs += _logi_newton_direction(
            X, d, w, pf, lam1, lam2, g, h, xd, g_pos, grad_b, &delta_b, fit_intercept, ws_size,
            _LOGI_INNER_FRACTION * worst, max_inner, work)
        t = _logi_line_search(w, pf, lam1, lam2, z, xd, y, s, d.n, ws_size, loss, work)
        it += 1
        if t == 0:  # step rejected, nothing moved: retry on a more curved model
            floor = min(floor * _LOGI_CURVATURE_BOOST, 0.25)
            continue
        floor = _LOGI_MIN_CURVATURE
        b[0] += t * delta_b
        if floating is float:
            # float32 would accumulate rounding in z step after step: recompute it
            _logi_compute_z(X, d, w, b[0], z)
            work.cached = False
        else:
            for i in range(d.n):
                z[i] += <floating>(t * xd[i])
    gap_out[0] = gap
    primal_out[0] = primal
    return it


def logistic_workspace(Py_ssize_t n_samples, Py_ssize_t n_features, dtype):
    """Scratch arrays for the logistic solver, reusable across calls of one shape.

    Passing the same workspace to every call along a path saves allocating
    (and faulting in) ``3 n + 7 p`` doubles per call.
    """
    return (np.empty(5 * n_samples, dtype=dtype),
            np.empty(3 * n_samples + 7 * n_features, dtype=np.float64),
            np.empty(n_features, dtype=np.intc),
            np.zeros(n_features, dtype=np.uint8),
            np.full(n_features + 1, -1.0))


cdef object _logi_run(const floating *X, _LogiDesign *d, const floating[::1] y,
                      const floating[::1] s, const floating[::1] pf, double lam1,
                      double lam2, floating[::1] w, double b, bint fit_intercept,
                      double tol, int max_iter, int max_inner, workspace,
                      double resume_scale, bint screen):
    # bind the work arrays, release the GIL, solve
    cdef Py_ssize_t n = d.n, p = d.p
    if workspace is None:
        workspace = logistic_workspace(n, p, np.float32 if floating is float else np.float64)
    cdef floating[::1] f_buf = workspace[0]
    cdef double[::1] d_buf = workspace[1]
    cdef int[::1] ws = workspace[2]
    cdef unsigned char[::1] screened = workspace[3]
    cdef double[::1] norms = workspace[4]
    if (f_buf.shape[0] < 5 * n or d_buf.shape[0] < 3 * n + 7 * p or ws.shape[0] < p
            or screened.shape[0] < p or norms.shape[0] != p + 1):
        raise ValueError("workspace is too small for this problem; see logistic_workspace")
    cdef _LogiWork work
    cdef double gap = 0, primal = 0
    cdef int n_iter
    work.prob_wrong = &d_buf[0]
    work.prob_right = &d_buf[n]
    work.loss_i = &d_buf[2 * n]
    work.grad = &d_buf[3 * n]
    work.grad_pos = &d_buf[3 * n + p]
    work.score = &d_buf[3 * n + 2 * p]
    work.scratch = &d_buf[3 * n + 3 * p]
    work.lip = &d_buf[3 * n + 4 * p]
    work.w_old = &d_buf[3 * n + 5 * p]
    work.h_col = &d_buf[3 * n + 6 * p]
    work.ws = &ws[0]
    work.screened = &screened[0]
    work.screen = screen
    work.col_norm = &norms[0]
    work.n_epochs = 0
    work.n_halvings = 0
    work.inner_stalled = False
    with nogil:
        n_iter = _logi_solve(X, d, &y[0], &s[0], &pf[0], lam1, lam2, &w[0], &b,
                             fit_intercept, tol, max_iter, max_inner, &f_buf[0], &f_buf[n],
                             &f_buf[2 * n], &f_buf[3 * n], &f_buf[4 * n], &work,
                             resume_scale, &gap, &primal)
    return b, gap, primal, n_iter, work.n_epochs, work.n_halvings


def logistic_solve_dense(const floating[::1, :] X, const floating[::1] y,
                         const floating[::1] s, const floating[::1] pf, double lam1,
                         double lam2, floating[::1] w, double b, bint fit_intercept,
                         double tol, int max_iter, int max_inner=20, workspace=None,
                         double resume_scale=0.0, bint screen=True):
    """Penalized logistic regression on a dense Fortran-ordered X (see module notes).

    ``y`` holds -1/+1, ``s`` the per-sample loss weights (C included), ``pf``
    the penalty factors; ``tol`` is an absolute duality-gap tolerance;
    ``workspace`` (optional) comes from :func:`logistic_workspace`. Along a
    path, ``resume_scale = C_new / C_old`` (with the same workspace and the
    ``w``, ``b`` returned by the previous call, unchanged) reuses that call's
    final statistics instead of recomputing them: one pass over X saved.
    ``screen`` turns on Gap Safe screening: features proven zero at the
    optimum leave the passes over X (the column norms it needs are computed
    once per workspace).
    Updates ``w`` in place (warm start in, solution out) and returns
    ``(intercept, duality_gap, primal_objective, n_newton_steps, n_inner_epochs,
    n_line_search_halvings)``.
    """
    cdef _LogiDesign d
    d.sparse = False
    d.n = X.shape[0]
    d.p = X.shape[1]
    d.indices = NULL
    d.indptr = NULL
    return _logi_run(&X[0, 0], &d, y, s, pf, lam1, lam2, w, b, fit_intercept, tol,
                     max_iter, max_inner, workspace, resume_scale, screen)


def logistic_solve_sparse(const floating[::1] data, const int[::1] indices,
                          const int[::1] indptr, Py_ssize_t n_samples,
                          const floating[::1] y, const floating[::1] s,
                          const floating[::1] pf, double lam1, double lam2,
                          floating[::1] w, double b, bint fit_intercept, double tol,
                          int max_iter, int max_inner=20, workspace=None,
                          double resume_scale=0.0, bint screen=True):
    """Same as :func:`logistic_solve_dense` for X in CSC form (data, indices, indptr)."""
    cdef _LogiDesign d
    cdef floating dummy = 0
    d.sparse = True
    d.n = n_samples
    d.p = indptr.shape[0] - 1
    d.indices = &indices[0] if indices.shape[0] > 0 else NULL
    d.indptr = &indptr[0]
    return _logi_run(&data[0] if data.shape[0] > 0 else &dummy, &d, y, s, pf, lam1, lam2,
                     w, b, fit_intercept, tol, max_iter, max_inner, workspace,
                     resume_scale, screen)
