# Working-set coordinate descent for the elastic net (included by _cd.pxi).


cdef enum:
    _LAYOUT_DENSE = 0
    _LAYOUT_SPARSE = 1
    _ANDERSON_K = 5       # extrapolate from the last K + 1 epochs (skglm uses 5)
    _CHECK_EVERY = 5      # inner duality-gap check frequency, in epochs
    _WS_MIN = 10          # smallest working set
    _RESET_EVERY = 8      # float64 state recomputed from scratch every this many outer gaps
    _INNER_RESET_EVERY = 50  # state recomputed every this many epochs of an inner solve
    _STALL_EPOCHS = 50    # an inner gap not halved over this many epochs tries _drop_along_null
    _COMBINED_MAX = 64    # the outer gap recomputes a state combined beyond this (in eps)

# The inner problem is solved to this fraction of the outer duality gap.
cdef double _INNER_FRACTION = 0.3
# Sweeps over long dense columns are shared with a helper thread from this many
# elements read (13 columns of 5000 rows): 0.97x the fit time on 5000 x 500 at
# alpha_max / 10, where the working sets hold 64 and 20 features; from 2^18
# 0.99x, from 2^20 (the threshold of the full passes) 1.00x.
cdef Py_ssize_t _SWEEP_SHARE_MIN = 1 << 16
# out[_PAIR[l][k]] = C[l] . C[k] (l < k) in the output of the block kernel
cdef int[4][4] _PAIR = [[-1, 4, 5, 6], [4, -1, 7, 8], [5, 7, -1, 9], [6, 8, 9, -1]]
# Largest Gram (multiply-adds) a stalled inner solve builds to look for a null direction.
cdef double _NULL_MAX_WORK = 1e8
# Working-set size: at least this multiple of the nonzero/unpenalized count.
cdef double _WS_GROWTH = 2.0


cdef struct _Design:
    int layout
    Py_ssize_t n
    const void* data          # dense: Fortran-ordered Xs; sparse: CSC data
    const int32_t* ind        # CSC row indices
    const int32_t* ptr        # CSC column pointers


cdef struct _Solver:
    _Design D
    Py_ssize_t n, p, k
    bint cov, positive
    double nd                 # n as a double
    const void* y             # floating[n], centred and scaled target (design mode)
    const void* mu            # floating[p], column means used for implicit centring
    const void* v             # floating[n], sqrt(w) (NULL: unweighted, v = 1)
    bint centred              # an intercept is fitted (R is orthogonal to v)
    const void* norm2         # floating[p], ||Xc_j||^2
    const double* colnorm     # [p], ||Xc_j||
    const double* lam1        # [p] n * alpha * l1_ratio * pf
    const double* lam2        # [p] n * alpha * (1 - l1_ratio) * pf
    const void* Xty           # floating[p], Xc^T y (covariance mode)
    double yy                 # ||y||^2
    void* G                   # floating[p * p] Gram columns (covariance mode)
    uint8_t* cached           # [p] 1 when G[:, j] is filled
    const int32_t* U          # [k] unpenalized features
    const void* GU            # floating[p * k], Xc^T Xc[:, U]
    const double* Ginv        # [k * k], pinv(Xc[:, U]^T Xc[:, U])
    const double* XtyU        # [k], Xc[:, U]^T y
    void* r                   # floating[n], y - Xs b (design mode)
    double c                  # mu . b (design mode)
    void* q                   # floating[p], Xc^T R (covariance mode)
    void* grad                # floating[p], gradient buffer Xc^T R
    void* col                 # floating[n], scratch column
    double* xt                # [p], Xc^T theta at the last dual point
    double* a                 # [k], projection coefficients
    double* ublock            # [2 k], scratch of _fit_unpenalized
    bint any_l2               # some lam2_j > 0
    # dual extrapolation (design mode): the last K + 1 residuals of the inner CD
    void* ring                # floating[(K + 1) * n]
    double ring_c[6]          # their c = mu . b (K + 1 = 6 entries)
    int ring_len, ring_head
    void* diffs               # floating[K * n], scratch for residual differences
    void* racc                # floating[n], extrapolated residual
    void* grad2               # floating[p], Xc^T racc
    double* xt2               # [p]
    int32_t* active           # [p], nonzero features of the working set
    uint8_t* mark             # [p] scratch flags, left zero
    int32_t* rest             # [p] scratch feature list
    # screening state, kept along a path (design mode: see _outer_gap)
    uint8_t* screened         # [p] 1: Gap Safe screened at this alpha (coef 0)
    uint8_t* exact            # [p] 1: Xc_j . R computed at every outer gap
    double* gref              # [p] Xc^T R_ref at the reference residual
    void* rref                # floating[n], reference residual r_ref
    double c_ref              # mu . b at the reference
    bint have_ref
    double scale              # dual scale of the last outer gap
    int32_t* extra            # [p] features made exact during the last outer gap
    Py_ssize_t n_extra
    double slack              # every bounded feature passes while ||R - R_ref|| < slack
    double dR                 # ||R - R_ref|| at the last outer gap (-1: none)
    int since_reset           # outer gaps since the state was recomputed from scratch
    double combined           # sum of the absolute weights of the Anderson combinations
                              # the state went through since then (see _extrapolate)
    bint share_sweeps         # dense sweeps may be shared with a helper (_sweep_dense_long)


cdef inline floating _dot(Py_ssize_t n, const floating* x, const floating* y) noexcept nogil:
    # np.dot(x[:n], y[:n])
    if floating is float:
        return regcore_sdot(n, x, y)
    else:
        return regcore_ddot(n, x, y)


cdef inline void _axpy(Py_ssize_t n, floating a, const floating* x, floating* y) noexcept nogil:
    # y[:n] += a * x[:n]
    if floating is float:
        regcore_saxpy(n, a, x, y)
    else:
        regcore_daxpy(n, a, x, y)


cdef inline floating _col_dot(_Design* D, Py_ssize_t j, const floating* r) noexcept nogil:
    # Xs[:, j] @ r
    cdef const floating* X = <const floating*> D.data
    cdef Py_ssize_t start
    if D.layout == _LAYOUT_DENSE:
        return _dot(D.n, X + j * D.n, r)
    start = D.ptr[j]
    if floating is float:
        return regcore_ssdot_sp(D.ptr[j + 1] - start, X + start, D.ind + start, r)
    else:
        return regcore_dsdot_sp(D.ptr[j + 1] - start, X + start, D.ind + start, r)


cdef inline void _col_axpy(_Design* D, Py_ssize_t j, floating a, floating* r) noexcept nogil:
    # r += a * Xs[:, j]
    cdef const floating* X = <const floating*> D.data
    cdef Py_ssize_t start
    if D.layout == _LAYOUT_DENSE:
        _axpy(D.n, a, X + j * D.n, r)
        return
    start = D.ptr[j]
    if floating is float:
        regcore_saxpy_sp(D.ptr[j + 1] - start, a, X + start, D.ind + start, r)
    else:
        regcore_daxpy_sp(D.ptr[j + 1] - start, a, X + start, D.ind + start, r)


cdef void _ensure_column(_Solver* S, Py_ssize_t j, floating* beta) noexcept nogil:
    # G[:, j] = Xc.T @ Xc[:, j], computed the first time it is needed, from
    # the centred column xc = Xs_j - v mu_j as Xc_i . xc = Xs_i . xc - mu_i (v . xc)
    # (Xs_i . Xs_j - n mu_i mu_j would cancel when the means are large)
    cdef floating* G = <floating*> S.G + j * S.p
    cdef const floating* mu = <const floating*> S.mu
    cdef const floating* v = <const floating*> S.v
    cdef const floating* X = <const floating*> S.D.data
    cdef floating* xc = <floating*> S.col
    cdef double vx = 0
    cdef Py_ssize_t i, t
    if S.cached[j]:
        return
    if S.D.layout == _LAYOUT_DENSE:
        for i in range(S.n):
            xc[i] = X[i + j * S.n]
    else:
        memset(xc, 0, S.n * sizeof(floating))
        for t in range(S.D.ptr[j], S.D.ptr[j + 1]):
            xc[S.D.ind[t]] = X[t]
    if mu[j] != 0:
        for i in range(S.n):
            xc[i] -= mu[j] if v == NULL else mu[j] * v[i]
            vx += xc[i] if v == NULL else v[i] * xc[i]
    for i in range(S.p):
        if S.cached[i]:
            G[i] = (<floating*> S.G)[j + i * S.p]
        else:
            G[i] = _col_dot(&S.D, i, xc) - <floating> (mu[i] * vx)
    S.cached[j] = 1


cdef inline floating _grad_j(_Solver* S, Py_ssize_t j, floating* beta) noexcept nogil:
    # Xc[:, j] @ R
    if S.cov:
        return (<floating*> S.q)[j]
    return (_col_dot(&S.D, j, <const floating*> S.r)
            + <floating> (S.nd * S.c * (<const floating*> S.mu)[j]))


cdef inline void _shift_state(_Solver* S, Py_ssize_t j, double delta, floating* state,
                              double* c, floating* beta) noexcept nogil:
    # ``state`` (r with c = mu . b, or q) after coefficient j moves by delta
    if S.cov:
        _ensure_column(S, j, beta)
        _axpy(S.p, <floating> -delta, <floating*> S.G + j * S.p, state)
    else:
        _col_axpy(&S.D, j, <floating> -delta, state)
        c[0] += delta * (<const floating*> S.mu)[j]


cdef inline void _move(_Solver* S, Py_ssize_t j, floating delta, floating* beta) noexcept nogil:
    # beta[j] += delta, keeping the residual (or the gradient) in sync
    beta[j] += delta
    _shift_state(S, j, delta, <floating*> (S.q if S.cov else S.r), &S.c, beta)


cdef void _reset_state(_Solver* S, floating* beta, const int32_t* F, Py_ssize_t nF) noexcept nogil:
    # r = y - Xs @ beta, c = mu @ beta  (or q = Xty - G @ beta), from scratch;
    # beta is zero outside F
    cdef Py_ssize_t j, idx
    cdef floating* q = <floating*> S.q
    cdef floating* r = <floating*> S.r
    S.combined = 0
    if S.cov:
        memcpy(q, S.Xty, S.p * sizeof(floating))
        for idx in range(nF):
            j = F[idx]
            if beta[j] != 0:
                _ensure_column(S, j, beta)
                _axpy(S.p, -beta[j], <floating*> S.G + j * S.p, q)
    else:
        memcpy(r, S.y, S.n * sizeof(floating))
        S.c = 0
        for idx in range(nF):
            j = F[idx]
            if beta[j] != 0:
                _col_axpy(&S.D, j, -beta[j], r)
                S.c += beta[j] * (<const floating*> S.mu)[j]


cdef void _residual_stats(_Solver* S, floating* beta, const int32_t* F, Py_ssize_t nF,
                          double* rr, double* yr) noexcept nogil:
    # rr = ||R||^2, yr = y @ R  (beta is zero outside F)
    cdef Py_ssize_t j, idx
    cdef double bty = 0, btq = 0
    cdef const floating* Xty = <const floating*> S.Xty
    cdef const floating* q = <const floating*> S.q
    if S.cov:
        for idx in range(nF):
            j = F[idx]
            if beta[j] != 0:
                bty += beta[j] * Xty[j]
                btq += beta[j] * q[j]
        rr[0] = S.yy - bty - btq
        yr[0] = S.yy - bty
    else:
        rr[0] = _dot(S.n, <const floating*> S.r, <const floating*> S.r) - S.nd * S.c * S.c
        yr[0] = _dot(S.n, <const floating*> S.y, <const floating*> S.r)


cdef inline double _penalty_j(_Solver* S, Py_ssize_t j, double b) noexcept nogil:
    # lam1 |b| + lam2 / 2 b^2
    return S.lam1[j] * fabs(b) + 0.5 * S.lam2[j] * b * b


cdef double _penalty_on(_Solver* S, floating* beta, const int32_t* F,
                        Py_ssize_t nF) noexcept nogil:
    # penalty restricted to F (beta is zero elsewhere)
    cdef Py_ssize_t idx
    cdef double pen = 0
    for idx in range(nF):
        pen += _penalty_j(S, F[idx], beta[F[idx]])
    return pen


cdef inline double _projected_grad(_Solver* S, floating* beta, Py_ssize_t j,
                                   double g) noexcept nogil:
    # Xc_j . (R - Xc_U a) given g = Xc_j . R and the projection coefficients S.a
    cdef const floating* GU = <const floating*> S.GU
    cdef Py_ssize_t t
    for t in range(S.k):
        g -= GU[j + t * S.p] * S.a[t]
    return g


cdef inline double _constrain_scale(_Solver* S, Py_ssize_t j, double u,
                                    double scale) noexcept nogil:
    # the largest scale <= ``scale`` with s |u| <= lam1_j for a pure-l1 feature
    cdef double v
    if S.lam2[j] == 0 and S.lam1[j] > 0:
        v = u if S.positive else fabs(u)
        if v * scale > S.lam1[j]:
            return S.lam1[j] / v
    return scale


cdef double _conjugate(_Solver* S, const int32_t* F, Py_ssize_t nF,
                       double scale) noexcept nogil:
    # sum over F of the l2 conjugate terms at theta = scale * (R - Xc_U a)
    cdef double conj = 0, v
    cdef Py_ssize_t idx, j
    for idx in range(nF):
        j = F[idx]
        if S.lam2[j] > 0:
            v = scale * (S.xt[j] if S.positive else fabs(S.xt[j])) - S.lam1[j]
            if v > 0:
                conj += v * v / (2 * S.lam2[j])
    return conj


cdef void _bound_inexact(_Solver* S, floating* beta, double dR) noexcept nogil:
    """Bound Xc_j . (R - Xc_U a) on the features not flagged exact, given
    ||R - R_ref|| <= dR (see _duality_gap): S.xt[j] = the bound where it is
    below lam1_j, else feature j is flagged exact and listed in S.extra.
    Sets S.slack, the smallest dR at which some bound would fail (without
    unpenalized features, whose projection moves u)."""
    # one pass over p features: the arrays are read through locals (no
    # reloads from S after each store) and the slack is kept in a register
    cdef uint8_t* exact = S.exact
    cdef const double* gref = S.gref
    cdef const double* lam1 = S.lam1
    cdef const double* colnorm = S.colnorm
    cdef double* xt = S.xt
    cdef int32_t* extra = S.extra
    cdef Py_ssize_t j, n_extra = 0
    cdef double slack = INFINITY, u, v, room
    cdef bint projected = S.k > 0
    for j in range(S.p):
        if exact[j]:
            continue
        u = fabs(_projected_grad(S, beta, j, gref[j]) if projected else gref[j])
        v = u + colnorm[j] * dR
        if v < lam1[j]:
            xt[j] = v
            room = lam1[j] - u
            if room < slack * colnorm[j]:  # a division only when the slack shrinks
                slack = room / colnorm[j]
            continue
        extra[n_extra] = <int32_t> j
        n_extra += 1
    for j in range(n_extra):
        exact[extra[j]] = 1
    S.n_extra = n_extra
    S.slack = -1 if projected else slack


cdef double _duality_gap(_Solver* S, floating* beta, const int32_t* F, Py_ssize_t nF,
                         double primal, double rr, double yr, double dR) noexcept nogil:
    """Primal value minus the dual value at theta built from a residual R
    with ||R||^2 = rr, y.R = yr and S.grad = Xc^T R filled on F.

    theta = s * (R - Xc_U a) with a = pinv(G_UU) grad_U (orthogonal to the
    unpenalized columns) and s <= 1 the largest scale keeping the pure-l1
    constraints |Xc_j . theta| <= lam1_j. Sets S.scale = s and fills
    S.xt[j] = Xc_j . theta / s on F (consumers scale it: one loop less).

    With ``dR >= 0`` the problem is the whole one and the features outside F
    (S.exact == 0) are bounded instead of computed: ||R - R_ref|| <= dR gives
    |Xc_j . (R - Xc_U a)| <= |gref_j - G_jU a| + ||Xc_j|| dR. A bound below
    lam1_j proves the constraint (and a zero conjugate term) for any s <= 1,
    so theta and the gap are exactly those of the full computation; a
    feature whose bound is not below lam1_j is computed now and made exact
    (listed in S.extra). Bounded features get S.xt[j] = the unscaled bound.
    S.slack skips the loop while no bounded feature can fail (kept by
    _bound_inexact, _screen and _discard; -1 at the start of a solve, as
    lam1 changed).
    """
    cdef const floating* grad = <const floating*> S.grad
    cdef double* xt = S.xt
    cdef double* a = S.a
    cdef double tt = rr, yt = yr, scale = 1.0, conj = 0.0, u, v
    cdef Py_ssize_t idx, j, t, s
    for t in range(S.k):
        a[t] = 0
        for s in range(S.k):
            a[t] += S.Ginv[t + s * S.k] * grad[S.U[s]]
    for t in range(S.k):
        tt -= a[t] * grad[S.U[t]]
        yt -= a[t] * S.XtyU[t]
    for idx in range(nF):
        j = F[idx]
        xt[j] = _projected_grad(S, beta, j, grad[j])
        scale = _constrain_scale(S, j, xt[j], scale)
    S.n_extra = 0
    if dR >= 0 and dR >= S.slack:
        _bound_inexact(S, beta, dR)
        _fill_grad(S, beta, S.extra, S.n_extra)  # the bounds that failed, in one pass
        for idx in range(S.n_extra):
            j = S.extra[idx]
            xt[j] = _projected_grad(S, beta, j, grad[j])
            scale = _constrain_scale(S, j, xt[j], scale)
    if S.any_l2:
        conj = _conjugate(S, F, nF, scale) + _conjugate(S, S.extra, S.n_extra, scale)
    S.scale = scale
    # P - D with D = s y.theta - s^2/2 ||theta||^2 - sum conj
    return primal - (scale * yt - 0.5 * scale * scale * tt - conj)


cdef inline floating _cd_update(_Solver* S, Py_ssize_t j, floating bj, floating g) noexcept nogil:
    # exact minimiser along coordinate j given the gradient g = Xc_j . R
    cdef double L = (<const floating*> S.norm2)[j]
    cdef double z = L * bj + g
    if S.lam1[j] == 0 and S.lam2[j] == 0:  # unpenalized: never sign-constrained
        return <floating> (z / L)
    if S.positive:
        if z <= S.lam1[j]:
            return 0
        return <floating> ((z - S.lam1[j]) / (L + S.lam2[j]))
    if fabs(z) <= S.lam1[j]:
        return 0
    return <floating> (copysign(fabs(z) - S.lam1[j], z) / (L + S.lam2[j]))


cdef inline floating _axpy_dot(Py_ssize_t n, floating a, const floating* xp,
                               const floating* xj, floating* r) noexcept nogil:
    # r += a * xp; return xj @ r
    if floating is float:
        return regcore_saxpy_dot(n, a, xp, xj, r)
    else:
        return regcore_daxpy_dot(n, a, xp, xj, r)


cdef struct _SweepJob:
    # a sweep over long dense columns shared by two threads (_sweep_dense_long)
    _Solver* S
    void* beta
    const int32_t* ws
    Py_ssize_t m
    void* duo


cdef inline void _block4(void* duo, const floating** P, const floating* d,
                         const floating** C, floating* r, floating* out) noexcept nogil:
    if floating is float:
        regcore_sblock4_split(<regcore_sblock4_split_duo*> duo, P, d, C, r, out)
    else:
        regcore_dblock4_split(<regcore_dblock4_split_duo*> duo, P, d, C, r, out)


cdef void _sweep_dense_blocks(_Solver* S, floating* beta, const int32_t* ws,
                              Py_ssize_t m, void* duo) noexcept nogil:
    # _sweep_dense on long columns, four coordinates at a time: one pass
    # applies the residual updates of the last block's moves (P, d) and returns
    # the gradients of the next four columns C at that residual with their
    # pairwise products, so the gradient of each coordinate after the moves
    # before it in its block is xr_k - sum_l delta_l C_l . C_k: the iterates of
    # the cyclic sweep, up to rounding. The passes may be shared with a second
    # thread (``duo``, see REGCORE_DEF_BLOCK4_DUO).
    cdef const floating* X = <const floating*> S.D.data
    cdef const floating* norm2 = <const floating*> S.norm2
    cdef const floating* mu = <const floating*> S.mu
    cdef floating* r = <floating*> S.r
    cdef const floating* P[4]
    cdef const floating* C[4]
    cdef floating d[4]
    cdef floating out[10]
    cdef floating delta[4]
    cdef Py_ssize_t cols[4]
    cdef Py_ssize_t idx = 0, n = S.n
    cdef int nb, n_pending = 0, k, l
    cdef floating old, new, xr
    while True:
        nb = 0
        while idx < m and nb < 4:
            if norm2[ws[idx]] > 0:
                cols[nb] = ws[idx]
                nb += 1
            idx += 1
        if nb == 0:
            break
        for k in range(4):  # a short block repeats its first column
            C[k] = X + cols[k if k < nb else 0] * n
        for k in range(n_pending, 4):  # no move: a zero step along a column read anyway
            P[k] = C[0]
            d[k] = 0
        _block4(duo, P, d, C, r, out)
        n_pending = 0
        for k in range(nb):
            xr = out[k]
            for l in range(k):
                xr -= delta[l] * out[_PAIR[l][k]]
            old = beta[cols[k]]
            new = _cd_update(S, cols[k], old, xr + <floating> (S.nd * S.c * mu[cols[k]]))
            delta[k] = new - old
            if new != old:
                beta[cols[k]] = new
                S.c += delta[k] * mu[cols[k]]
                P[n_pending] = X + cols[k] * n
                d[n_pending] = -delta[k]
                n_pending += 1
    for k in range(n_pending):
        _axpy(n, d[k], P[k], r)


cdef void _sweep_task_d(void* ctx, ptrdiff_t lo, ptrdiff_t hi) noexcept nogil:
    # item 0: the sweep (the driver); item 1: the second halves (the assistant)
    cdef _SweepJob* job = <_SweepJob*> ctx
    if lo == 0:
        _sweep_dense_blocks(job.S, <double*> job.beta, job.ws, job.m, job.duo)
        regcore_dblock4_split_stop(<regcore_dblock4_split_duo*> job.duo)
    if hi == 2:
        regcore_dblock4_split_assist(<regcore_dblock4_split_duo*> job.duo)


cdef void _sweep_task_s(void* ctx, ptrdiff_t lo, ptrdiff_t hi) noexcept nogil:
    cdef _SweepJob* job = <_SweepJob*> ctx
    if lo == 0:
        _sweep_dense_blocks(job.S, <float*> job.beta, job.ws, job.m, job.duo)
        regcore_sblock4_split_stop(<regcore_sblock4_split_duo*> job.duo)
    if hi == 2:
        regcore_sblock4_split_assist(<regcore_sblock4_split_duo*> job.duo)


cdef void _sweep_dense_long(_Solver* S, floating* beta, const int32_t* ws,
                            Py_ssize_t m) noexcept nogil:
    # _sweep_dense_blocks, on two threads when the sweep reads at least
    # _SWEEP_SHARE_MIN elements of the design, until a sweep of this fit
    # stalls waiting for its helper (REGCORE_DEF_BLOCK4_DUO): then the core
    # is wanted elsewhere, and the fit's other sweeps stay on one thread
    cdef regcore_dblock4_split_duo dduo
    cdef regcore_sblock4_split_duo sduo
    cdef _SweepJob job
    cdef Py_ssize_t split
    job.S, job.beta, job.ws, job.m = S, beta, ws, m
    if floating is float:
        regcore_sblock4_split_init(&sduo, S.n)
        job.duo, split = &sduo, sduo.split
    else:
        regcore_dblock4_split_init(&dduo, S.n)
        job.duo, split = &dduo, dduo.split
    if not S.share_sweeps or _n_threads < 2 or split == 0 or m * S.n < _SWEEP_SHARE_MIN:
        _sweep_dense_blocks(S, beta, ws, m, job.duo)
    elif floating is float:
        regcore_pool_run(_sweep_task_s, &job, 2, 2, 2)
        S.share_sweeps = not sduo.stalled
    else:
        regcore_pool_run(_sweep_task_d, &job, 2, 2, 2)
        S.share_sweeps = not dduo.stalled


cdef void _sweep_dense(_Solver* S, floating* beta, const int32_t* ws,
                       Py_ssize_t m) noexcept nogil:
    # _sweep on a dense design in design mode: each coordinate's residual
    # update is deferred into the gradient pass of the next one
    cdef const floating* X = <const floating*> S.D.data
    cdef const floating* norm2 = <const floating*> S.norm2
    cdef const floating* mu = <const floating*> S.mu
    cdef floating* r = <floating*> S.r
    cdef Py_ssize_t idx, j, n = S.n, pending = -1
    cdef floating old, new, xr, delta = 0
    if n >= REGCORE_BLOCK4_MIN_ROWS:
        _sweep_dense_long(S, beta, ws, m)
        return
    for idx in range(m):
        j = ws[idx]
        if norm2[j] <= 0:
            continue
        if pending >= 0:
            xr = _axpy_dot(n, -delta, X + pending * n, X + j * n, r)
            pending = -1
        else:
            xr = _dot(n, X + j * n, r)
        old = beta[j]
        new = _cd_update(S, j, old, xr + <floating> (S.nd * S.c * mu[j]))
        if new != old:
            delta = new - old
            beta[j] = new
            S.c += delta * mu[j]
            pending = j
    if pending >= 0:
        _axpy(n, -delta, X + pending * n, r)


cdef void _sweep(_Solver* S, floating* beta, const int32_t* ws, Py_ssize_t m) noexcept nogil:
    # one cyclic pass of exact coordinate minimisation over ws
    cdef Py_ssize_t idx, j
    cdef floating old, new
    cdef const floating* norm2 = <const floating*> S.norm2
    if not S.cov and S.D.layout == _LAYOUT_DENSE:
        _sweep_dense(S, beta, ws, m)
        return
    for idx in range(m):
        j = ws[idx]
        if norm2[j] <= 0:
            continue
        old = beta[j]
        new = _cd_update(S, j, old, _grad_j(S, j, beta))
        if new != old:
            _move(S, j, new - old, beta)


cdef void _fit_unpenalized(_Solver* S, floating* beta) noexcept nogil:
    # Exact minimisation over the unpenalized block given the other
    # coefficients: beta_U += pinv(G_UU) Xc_U^T R. Coordinate steps alone
    # converge at the rate of G_UU's conditioning: 9 unpenalized columns of
    # condition number 240 left a gap of 5e-6 after 100000 epochs.
    cdef double* g = S.ublock
    cdef double* delta = S.ublock + S.k
    cdef Py_ssize_t t, s
    for t in range(S.k):
        g[t] = _grad_j(S, S.U[t], beta)
    for t in range(S.k):
        delta[t] = 0
        for s in range(S.k):
            delta[t] += S.Ginv[t + s * S.k] * g[s]
    for t in range(S.k):
        if <floating> delta[t] != 0:
            _move(S, S.U[t], <floating> delta[t], beta)


cdef void _centred_columns(_Solver* S, const floating* X, const int32_t* A, Py_ssize_t a,
                           double* out) noexcept nogil:
    # out[:, t] = Xc[:, A[t]] (n x a, column-major, float64), X = S.D.data
    cdef const floating* mu = <const floating*> S.mu
    cdef const floating* v = <const floating*> S.v
    cdef double* col
    cdef Py_ssize_t t, i, j, k
    for t in range(a):
        j = A[t]
        col = out + t * S.n
        if S.D.layout == _LAYOUT_DENSE:
            for i in range(S.n):
                col[i] = X[i + j * S.n]
        else:
            memset(col, 0, S.n * sizeof(double))
            for k in range(S.D.ptr[j], S.D.ptr[j + 1]):
                col[S.D.ind[k]] = X[k]
        for i in range(S.n):
            col[i] -= mu[j] if v == NULL else mu[j] * v[i]


cdef Py_ssize_t _null_direction(const double* C, Py_ssize_t n, Py_ssize_t a, Py_ssize_t nfree,
                                double* G, int32_t* piv, double* d) noexcept nogil:
    """A unit-free null vector d of the n x a matrix C (column-major), by a
    Cholesky factorisation of G = C^T C with diagonal pivoting that stops at
    the first pivot below 1e-10 of the largest diagonal entry: d is 1 on that
    column and minus the least-squares combination of the pivoted ones.
    The first nfree columns (the unpenalized ones) are pivoted first and those
    dependent on earlier ones are left out: a null vector among them alone
    moves no penalized coefficient, and rounding gave it ~1e-16 entries on
    penalized ones, which sent a step along it to coefficients of 1e15.
    Returns the number of pivoted columns (the rank), a when there is no
    null vector with a penalized column."""
    cdef Py_ssize_t r, t, u, best, k, live = a, free_end = nfree
    cdef double top = 0, acc
    for t in range(a):
        piv[t] = <int32_t> t
        for u in range(t + 1):
            G[t * a + u] = _dot(n, C + t * n, C + u * n)
            G[u * a + t] = G[t * a + u]
        top = max(top, G[t * a + t])
    if top <= 0:
        return 0
    r = 0
    while r < live:
        # candidates are piv[r:live], the unpenalized ones piv[r:free_end] first
        best = r
        for t in range(r + 1, free_end if r < free_end else live):
            if G[piv[t] * a + piv[t]] > G[piv[best] * a + piv[best]]:
                best = t
        piv[r], piv[best] = piv[best], piv[r]
        if G[piv[r] * a + piv[r]] <= 1e-10 * top:
            if r >= free_end:
                break
            # the unpenalized candidates left all depend on the pivoted ones:
            # move them past the live ones
            for t in range(free_end - 1, r - 1, -1):
                live -= 1
                piv[t], piv[live] = piv[live], piv[t]
            free_end = r
            continue
        # eliminate: G (in pivoted coordinates) becomes L below, Schur complement on the rest
        G[piv[r] * a + piv[r]] = sqrt(G[piv[r] * a + piv[r]])
        for t in range(r + 1, live):
            G[piv[t] * a + piv[r]] /= G[piv[r] * a + piv[r]]
        for t in range(r + 1, live):
            for u in range(r + 1, t + 1):
                G[piv[t] * a + piv[u]] -= G[piv[t] * a + piv[r]] * G[piv[u] * a + piv[r]]
                G[piv[u] * a + piv[t]] = G[piv[t] * a + piv[u]]
        r += 1
    if r >= live:
        return a
    # column piv[r] depends on piv[0..r-1]: solve L L^T x = G_{P, piv[r]} through
    # the stored multipliers (L21 row of piv[r] holds L^{-1} G_{P, piv[r]})
    for t in range(a):
        d[t] = 0
    d[piv[r]] = 1
    for t in range(r - 1, -1, -1):
        acc = G[piv[r] * a + piv[t]]
        for k in range(t + 1, r):
            acc += G[piv[k] * a + piv[t]] * d[piv[k]]
        d[piv[t]] = -acc / G[piv[t] * a + piv[t]]
    return r


cdef inline bint _drop_candidate(_Solver* S, floating* beta, Py_ssize_t j) noexcept nogil:
    # a nonzero coefficient without an l2 part: the features a drop step moves
    return beta[j] != 0 and S.lam2[j] == 0


cdef bint _drop_along_null(_Solver* S, floating* beta, const int32_t* ws,
                           Py_ssize_t m, uint64_t* tested) noexcept nogil:
    """LARS-style drop step for a stalled inner solve: when the nonzero
    coefficients of ws without an l2 part have linearly dependent centred
    columns (more of them than the residual's degrees of freedom, as when
    unpenalized features fill the rank of a wide design), the residual is
    flat along a null direction d of those columns and the l1 penalty linear
    along it; moving along d until a penalized coefficient reaches zero lowers
    the objective (or keeps it) and removes the dependence. Coordinate steps
    cannot follow d: a 16 x 30 path with 7 unpenalized features stalled at a
    gap of 1.6e-7 for 100000 epochs, and paths on rank-deficient tall designs
    (nonzeros beyond the rank) at 5e-6. Needs the design (in covariance mode
    too: the null test is on the columns, where d^T G d would round far
    above it); at most _NULL_MAX_WORK multiply-adds. ``tested`` holds a
    hash of the last support found independent (0: none), which is not
    tested again. Returns whether beta moved."""
    cdef Py_ssize_t a = 0, idx, t, hit = -1, rank, i, nfree = 0, npen = 0
    cdef int32_t* A = NULL
    cdef int32_t* piv = NULL
    cdef double* C = NULL
    cdef double* G = NULL
    cdef double* d = NULL
    cdef double* e = NULL
    cdef double slope = 0, direction, step, tmax = INFINITY, dnorm = 0, enorm = 0, top = 0
    cdef bint moved = False
    cdef uint64_t signature = 1
    if S.D.data == NULL:  # an empty design
        return False
    for idx in range(m):
        if _drop_candidate(S, beta, ws[idx]):
            a += 1
            signature = signature * 1000003 + <uint64_t> ws[idx]
    # columns in general position are independent below n - 1 of them, so a
    # larger set is always worth testing; a smaller one (dependent only on a
    # rank-deficient design) only while its Gram, a^2 n / 2 multiply-adds,
    # costs at most half the _STALL_EPOCHS epochs (a n each, a p with
    # covariance updates) that found the stall (at twice that, the leukemia
    # path of bench_linear tested 93 supports of 60-69 features, all
    # independent: 4% of its time)
    if (a < 2 or signature == tested[0]
            or (a < S.n - 1 and a * S.n > _STALL_EPOCHS * (S.p if S.cov else S.n))
            or <double> a * a * S.n > _NULL_MAX_WORK):
        return False
    A = <int32_t*> malloc(a * sizeof(int32_t))
    piv = <int32_t*> malloc(a * sizeof(int32_t))
    C = <double*> malloc(S.n * a * sizeof(double))
    G = <double*> malloc(a * a * sizeof(double))
    d = <double*> malloc(a * sizeof(double))
    e = <double*> malloc(S.n * sizeof(double))
    if A == NULL or piv == NULL or C == NULL or G == NULL or d == NULL or e == NULL:
        moved = False
    else:
        for idx in range(m):  # the unpenalized ones first, the penalized from the end
            if _drop_candidate(S, beta, ws[idx]):
                if S.lam1[ws[idx]] == 0:
                    A[nfree] = ws[idx]
                    nfree += 1
                else:
                    npen += 1
                    A[a - npen] = ws[idx]
        _centred_columns(S, <const floating*> S.D.data, A, a, C)
        rank = _null_direction(C, S.n, a, nfree, G, piv, d)
        if rank == a:
            tested[0] = signature
        if 0 < rank < a:
            # the direction must be null to rounding: ||C d|| <= 1e-10 ||d|| max ||C_t||
            memset(e, 0, S.n * sizeof(double))
            for t in range(a):
                dnorm += d[t] * d[t]
                top = max(top, S.colnorm[A[t]])
                if d[t] != 0:
                    for i in range(S.n):
                        e[i] += d[t] * C[i + t * S.n]
            for i in range(S.n):
                enorm += e[i] * e[i]
            if sqrt(enorm) <= 1e-10 * sqrt(dnorm) * top:
                for t in range(a):
                    slope += S.lam1[A[t]] * (1.0 if beta[A[t]] > 0 else -1.0) * d[t]
                direction = -1.0 if slope > 0 else 1.0
                for t in range(a):  # the first penalized coefficient to reach zero
                    if S.lam1[A[t]] > 0 and direction * d[t] * beta[A[t]] < 0:
                        step = -beta[A[t]] / (direction * d[t])
                        if step < tmax:
                            tmax, hit = step, t
                if hit >= 0:
                    for t in range(a):
                        beta[A[t]] = <floating> (beta[A[t]] + direction * tmax * d[t])
                    beta[A[hit]] = 0
                    _reset_state(S, beta, ws, m)
                    moved = True
    free(A)
    free(piv)
    free(C)
    free(G)
    free(d)
    free(e)
    return moved


cdef void _snapshot(_Solver* S, floating* beta, const int32_t* ws, Py_ssize_t m, int h,
                    double* Bs, floating* Ss, double* Cs) noexcept nogil:
    # Bs[h] = beta[ws]; Ss[h] = r (or q); Cs[h] = c
    cdef Py_ssize_t idx
    cdef Py_ssize_t ms = S.p if S.cov else S.n
    for idx in range(m):
        Bs[h * m + idx] = beta[ws[idx]]
    memcpy(Ss + h * ms, S.q if S.cov else S.r, ms * sizeof(floating))
    Cs[h] = S.c


cdef bint _solve_small(double* C, double* z, int K) noexcept nogil:
    # z = np.linalg.solve(C + 1e-10 max|C_ii| I, ones(K)) by Gaussian
    # elimination with partial pivoting; False when that is numerically
    # singular. C is overwritten. The ridge matters when fewer than K
    # coordinates move: the differences then span fewer than K dimensions,
    # C is singular, and the combination wanted (the one whose differences
    # cancel) lies in its null space, where the ridge solution points.
    cdef int i, j, l, piv
    cdef double big, f, t, scale = 0
    for i in range(K):
        z[i] = 1.0
        scale = max(scale, fabs(C[i * K + i]))
    if scale == 0:
        return False
    for i in range(K):
        C[i * K + i] += 1e-10 * scale
    for i in range(K):
        piv = i
        big = fabs(C[i * K + i])
        for l in range(i + 1, K):
            if fabs(C[l * K + i]) > big:
                big = fabs(C[l * K + i])
                piv = l
        if big <= 1e-13 * scale:
            return False
        if piv != i:
            for j in range(K):
                t = C[i * K + j]
                C[i * K + j] = C[piv * K + j]
                C[piv * K + j] = t
            t = z[i]
            z[i] = z[piv]
            z[piv] = t
        for l in range(i + 1, K):
            f = C[l * K + i] / C[i * K + i]
            for j in range(i, K):
                C[l * K + j] -= f * C[i * K + j]
            z[l] -= f * z[i]
    for i in range(K - 1, -1, -1):
        for j in range(i + 1, K):
            z[i] -= C[i * K + j] * z[j]
        z[i] /= C[i * K + i]
    return True


cdef double _ws_objective(_Solver* S, const double* b, const floating* state, double c,
                          const int32_t* ws, Py_ssize_t m) noexcept nogil:
    # 1/2 ||R||^2 + penalty for coefficients b on ws (zero elsewhere)
    cdef Py_ssize_t idx, j
    cdef double rr, pen = 0, bty = 0, btq = 0
    cdef const floating* Xty = <const floating*> S.Xty
    for idx in range(m):
        j = ws[idx]
        pen += _penalty_j(S, j, b[idx])
    if S.cov:
        for idx in range(m):
            j = ws[idx]
            bty += b[idx] * Xty[j]
            btq += b[idx] * state[j]
        rr = S.yy - bty - btq
    else:
        rr = _dot(S.n, state, state) - S.nd * c * c
    return 0.5 * rr + pen


cdef bint _anderson_weights(const double* Bs, Py_ssize_t m, double* z) noexcept nogil:
    """Weights z (summing to 1) of the last K iterates Bs[1..K] (rows of m
    coefficients) whose combined differences Bs[k+1] - Bs[k] have the least
    norm; False when they are not defined."""
    cdef double Cm[_ANDERSON_K * _ANDERSON_K]
    cdef double s, dk, dl
    cdef Py_ssize_t idx, k, l
    for k in range(_ANDERSON_K):
        for l in range(k, _ANDERSON_K):
            s = 0
            for idx in range(m):
                dk = Bs[(k + 1) * m + idx] - Bs[k * m + idx]
                dl = Bs[(l + 1) * m + idx] - Bs[l * m + idx]
                s += dk * dl
            Cm[k * _ANDERSON_K + l] = s
            Cm[l * _ANDERSON_K + k] = s
    if not _solve_small(Cm, z, _ANDERSON_K):
        return False
    s = 0
    for k in range(_ANDERSON_K):
        s += z[k]
    if s == 0 or s != s:
        return False
    for k in range(_ANDERSON_K):
        z[k] /= s
    return True


cdef void _extrapolate(_Solver* S, floating* beta, const int32_t* ws, Py_ssize_t m,
                       double* Bs, floating* Ss, double* Cs, double* bacc) noexcept nogil:
    """Anderson step: replace beta on ws by the affine combination of the last
    K + 1 iterates minimising the norm of the combined differences, when that
    lowers the objective (iterate K is the current one).

    The candidate's residual (or gradient) is the same combination of the
    stored states, which carries their rounding times the sum of the
    absolute weights; when that could exceed 1e-10 relative (always in
    float32, for weights above 1e6 in float64) it is recomputed from scratch
    instead: on a float32 problem with more unpenalized features than
    samples, steps accepted on the combined state's inexact objective made
    the coefficients diverge (to 1e17 in 30000 epochs)."""
    cdef double z[_ANDERSON_K]
    cdef double weight = 0
    cdef Py_ssize_t idx, k
    cdef Py_ssize_t ms = S.p if S.cov else S.n
    cdef floating* cur = Ss + _ANDERSON_K * ms  # the current iterate's state
    cdef floating* state = <floating*> (S.q if S.cov else S.r)
    cdef double eps = FLT_EPSILON if floating is float else DBL_EPSILON
    cdef double combined = S.combined
    cdef bint exact
    if not _anderson_weights(Bs, m, z):
        return
    for k in range(_ANDERSON_K):
        weight += fabs(z[k])
    exact = weight * eps > 1e-10
    for idx in range(m):
        bacc[idx] = 0
        for k in range(_ANDERSON_K):
            bacc[idx] += z[k] * Bs[(k + 1) * m + idx]
        if (S.positive and bacc[idx] < 0 and Bs[_ANDERSON_K * m + idx] != 0
                and (S.lam1[ws[idx]] > 0 or S.lam2[ws[idx]] > 0)):
            return  # unpenalized features are free: a negative one is no reason
    # the candidate goes in place (state included), and back out if rejected
    if not exact:
        memset(state, 0, ms * sizeof(floating))
        S.c = 0
        for k in range(_ANDERSON_K):
            _axpy(ms, <floating> z[k], Ss + (k + 1) * ms, state)
            S.c += z[k] * Cs[k + 1]
    for idx in range(m):
        # a coordinate at zero now stays zero: the combination would leave
        # ~1e-12 values where coordinate descent puts exact zeros
        if Bs[_ANDERSON_K * m + idx] == 0 and bacc[idx] != 0:
            if not exact:
                _shift_state(S, ws[idx], -bacc[idx], state, &S.c, beta)
            bacc[idx] = 0
        beta[ws[idx]] = <floating> bacc[idx]
        bacc[idx] = beta[ws[idx]]  # the objective of the rounded coefficients
    if exact:
        _reset_state(S, beta, ws, m)  # beta is zero outside ws
    else:
        # the combined state carries the rounding of the weights z, about
        # that many eps: a recomputation at the next outer gap is due once
        # they add up past _COMBINED_MAX (weights are 1-3 on the benchmark
        # designs, where a recomputation after every accepted step cost a
        # full gradient pass per outer gap)
        S.combined += weight
    if (_ws_objective(S, bacc, state, S.c, ws, m)
            >= _ws_objective(S, Bs + _ANDERSON_K * m, cur, Cs[_ANDERSON_K], ws, m)):
        for idx in range(m):  # rejected: back to the current iterate
            beta[ws[idx]] = <floating> Bs[_ANDERSON_K * m + idx]
        memcpy(state, cur, ms * sizeof(floating))
        S.c = Cs[_ANDERSON_K]
        S.combined = combined


cdef void _design_grad(_Solver* S, const int32_t* F, Py_ssize_t nF, const floating* r,
                       double c, floating* out) noexcept nogil:
    # out[F] = Xc[:, F].T @ R for the residual R = r + c v (design mode), on
    # the work-sharing pool (_pool.h), which never waits for a helper thread
    # that has not started. Features are independent, so the values do not
    # depend on the split. (CSC passes on an OpenMP region instead: text
    # amax/100 fits took 13.5-29.6 ms inside bench_linear, 14.8-16.1 ms on
    # the pool, 4 runs each; 3-6% faster when the machine is quiet.)
    cdef Py_ssize_t idx, nnz = 0
    if S.D.layout == _LAYOUT_DENSE:
        if floating is float:
            regcore_sgrad_dense(nF, F, S.n, <const float*> S.D.data, r, S.nd * c,
                                <const float*> S.mu, out, _n_threads)
        else:
            regcore_dgrad_dense(nF, F, S.n, <const double*> S.D.data, r, S.nd * c,
                                <const double*> S.mu, out, _n_threads)
        return
    for idx in range(nF):
        nnz += S.D.ptr[F[idx] + 1] - S.D.ptr[F[idx]]
    if floating is float:
        regcore_ssgrad_sp_pooled(nF, F, nnz, S.D.ptr, S.D.ind, <const float*> S.D.data, r,
                                 S.nd * c, <const float*> S.mu, out, _n_threads)
    else:
        regcore_dsgrad_sp_pooled(nF, F, nnz, S.D.ptr, S.D.ind, <const double*> S.D.data, r,
                                 S.nd * c, <const double*> S.mu, out, _n_threads)


cdef void _fill_grad(_Solver* S, floating* beta, const int32_t* F, Py_ssize_t nF) noexcept nogil:
    # grad[F] = Xc[:, F].T @ R
    cdef floating* grad = <floating*> S.grad
    cdef Py_ssize_t idx
    if S.cov:
        for idx in range(nF):
            grad[F[idx]] = _grad_j(S, F[idx], beta)
        return
    _design_grad(S, F, nF, <const floating*> S.r, S.c, grad)


cdef void _ring_push(_Solver* S, floating* beta) noexcept nogil:
    # remember the residual of the epoch just finished (oldest one dropped)
    memcpy(<floating*> S.ring + S.ring_head * S.n, S.r, S.n * sizeof(floating))
    S.ring_c[S.ring_head] = S.c
    S.ring_head = (S.ring_head + 1) % (_ANDERSON_K + 1)
    S.ring_len = min(S.ring_len + 1, _ANDERSON_K + 1)


cdef double _extrapolated_gap(_Solver* S, floating* beta, const int32_t* F, Py_ssize_t nF,
                              double primal) noexcept nogil:
    """Duality gap at the dual point built from the Anderson extrapolation of
    the last K + 1 residuals (celer's dual extrapolation); fills S.grad2 and
    S.xt2 on F. Returns inf when unavailable."""
    cdef double Cm[_ANDERSON_K * _ANDERSON_K]
    cdef double z[_ANDERSON_K]
    cdef double dc[_ANDERSON_K]
    cdef double zs = 0, cacc = 0, rr, yr, gap
    cdef int k, l, a0, a1
    cdef floating* ring = <floating*> S.ring
    cdef floating* diffs = <floating*> S.diffs
    cdef floating* racc = <floating*> S.racc
    cdef floating* grad2 = <floating*> S.grad2
    cdef void* saved_grad
    cdef double* saved_xt
    cdef double saved_scale = S.scale
    if S.cov or S.ring_len < _ANDERSON_K + 1:
        return INFINITY
    for k in range(_ANDERSON_K):  # chronological differences R_{k+1} - R_k
        a0 = (S.ring_head + k) % (_ANDERSON_K + 1)
        a1 = (S.ring_head + k + 1) % (_ANDERSON_K + 1)
        memcpy(diffs + k * S.n, ring + a1 * S.n, S.n * sizeof(floating))
        _axpy(S.n, <floating> -1, ring + a0 * S.n, diffs + k * S.n)
        dc[k] = S.ring_c[a1] - S.ring_c[a0]
    for k in range(_ANDERSON_K):  # ||R||^2 = ||r||^2 - n c^2 carries over to differences
        for l in range(k, _ANDERSON_K):
            Cm[k * _ANDERSON_K + l] = (_dot(S.n, diffs + k * S.n, diffs + l * S.n)
                                       - S.nd * dc[k] * dc[l])
            Cm[l * _ANDERSON_K + k] = Cm[k * _ANDERSON_K + l]
    if not _solve_small(Cm, z, _ANDERSON_K):
        return INFINITY
    for k in range(_ANDERSON_K):
        zs += z[k]
    if zs == 0 or zs != zs:
        return INFINITY
    memset(racc, 0, S.n * sizeof(floating))
    for k in range(_ANDERSON_K):
        a1 = (S.ring_head + k + 1) % (_ANDERSON_K + 1)
        _axpy(S.n, <floating> (z[k] / zs), ring + a1 * S.n, racc)
        cacc += z[k] / zs * S.ring_c[a1]
    _design_grad(S, F, nF, <const floating*> racc, cacc, grad2)
    rr = _dot(S.n, <const floating*> racc, <const floating*> racc) - S.nd * cacc * cacc
    yr = _dot(S.n, <const floating*> S.y, <const floating*> racc)
    saved_grad, saved_xt = S.grad, S.xt
    S.grad, S.xt = S.grad2, S.xt2
    gap = _duality_gap(S, beta, F, nF, primal, rr, yr, -1)
    S.grad, S.xt = saved_grad, saved_xt
    S.scale = saved_scale
    return gap


cdef void _set_reference(_Solver* S, floating* beta) noexcept nogil:
    # R_ref = R and gref = grad (which must hold Xc^T R on every feature)
    cdef Py_ssize_t j
    memcpy(S.rref, S.r, S.n * sizeof(floating))
    S.c_ref = S.c
    for j in range(S.p):
        S.gref[j] = (<const floating*> S.grad)[j]
    S.have_ref = True
    S.slack = INFINITY  # no feature is bounded yet


cdef double _ref_distance(_Solver* S, floating* beta) noexcept nogil:
    # ||R - R_ref|| = sqrt(||r - r_ref||^2 - n (c - c_ref)^2)  (see the top of _cd.pxi)
    cdef const floating* r = <const floating*> S.r
    cdef const floating* rref = <const floating*> S.rref
    cdef double d2 = 0, d
    cdef Py_ssize_t i
    for i in range(S.n):
        d = <double> r[i] - <double> rref[i]
        d2 += d * d
    d = S.c - S.c_ref
    return sqrt(max(d2 - S.nd * d * d, 0.0))


cdef void _fold_offset(_Solver* S, floating* beta) noexcept nogil:
    # r += c v, then c = -(v . r) / n: R = r + c v is the same residual, made
    # exactly orthogonal to v (a rounded r has a small component along v).
    # With large column means, c = mu . b is large and ||r||^2 - n c^2 and
    # Xs_j . r + n c mu_j cancel, and mu_j times that stray component spoils
    # Xs_j . r: done at every outer gap, this keeps the certificate accurate
    # (then c is tiny, and the inner solves move it little once converged).
    cdef floating* r = <floating*> S.r
    cdef const floating* v = <const floating*> S.v
    cdef double c = S.c, vr = 0
    cdef Py_ssize_t i
    if S.cov or not S.centred:
        return
    if v == NULL:
        for i in range(S.n):
            r[i] += <floating> c
            vr += r[i]
    else:
        for i in range(S.n):
            r[i] += <floating> (c * v[i])
            vr += v[i] * r[i]
    S.c = -vr / S.nd


cdef void _fill_grad_rest(_Solver* S, floating* beta, const int32_t* F, Py_ssize_t nF,
                          const int32_t* done, Py_ssize_t n_done) noexcept nogil:
    # _fill_grad on the features of F outside done[:n_done] (whose grad is current)
    cdef Py_ssize_t idx, j, n_rest = 0
    for idx in range(n_done):
        S.mark[done[idx]] = 1
    for idx in range(nF):
        j = F[idx]
        S.rest[n_rest] = <int32_t> j
        n_rest += S.mark[j] == 0
    for idx in range(n_done):
        S.mark[done[idx]] = 0
    _fill_grad(S, beta, S.rest, n_rest)


cdef double _outer_gap(_Solver* S, floating* beta, const int32_t* F, Py_ssize_t nF,
                       bint grad_valid, bint state_exact, const int32_t* ws,
                       Py_ssize_t n_fresh) noexcept nogil:
    """Certified duality gap of the whole problem at the residual dual point.

    Computes Xc_j . R exactly on F (the features flagged exact) and bounds it
    on the others through the reference residual (see _duality_gap); fills
    S.xt. With every feature exact in design mode, R becomes the reference.
    The residual (or gradient) state is recomputed from scratch first, to
    keep rounding drift out of the certificate: at every gap in float32, in
    float64 at every _RESET_EVERY-th (the drift of plain coordinate updates
    stays near machine precision and a recomputation costs half a pass over
    the design on a wide support) and once Anderson steps have combined the
    stored states with weights adding up past _COMBINED_MAX, never when
    ``state_exact`` says nothing moved since the last gap.
    Without a recomputation the gradient on ``ws[:n_fresh]`` is kept (the
    working set, when the inner solve ended on a converged check): it was
    computed at this residual (a 5000 x 500 fit at alpha_max / 100 reads
    1232 columns in its outer gaps instead of 2000).
    (The extrapolated dual point is not used here: on a rank-deficient design
    with repeated rows it gave a negative "gap" that certified a 3%-suboptimal
    fit. It only stops inner solves early, see _inner_solve.)
    """
    cdef double rr, yr, primal, dR = -1
    if S.cov:  # a gradient entry costs no pass there
        n_fresh = 0
    if not state_exact:
        if (floating is float or S.since_reset + 1 >= _RESET_EVERY
                or S.combined > _COMBINED_MAX):
            _reset_state(S, beta, F, nF)
            S.since_reset = 0
            n_fresh = 0
        else:
            S.since_reset += 1
    _fold_offset(S, beta)
    if not grad_valid:
        _fill_grad_rest(S, beta, F, nF, ws, n_fresh)
    _residual_stats(S, beta, F, nF, &rr, &yr)
    primal = 0.5 * rr + _penalty_on(S, beta, F, nF)
    if not S.cov:
        if nF == S.p:
            _set_reference(S, beta)
        else:
            dR = _ref_distance(S, beta)
    S.dR = dR
    return _duality_gap(S, beta, F, nF, primal, rr, yr, dR)


cdef Py_ssize_t _inner_solve(_Solver* S, floating* beta, const int32_t* ws, Py_ssize_t m,
                             double inner_tol, Py_ssize_t max_epochs, bint anderson,
                             double* Bs, floating* Ss, double* Cs, double* bacc,
                             bint* converged) noexcept nogil:
    # CD epochs on ws until its own duality gap <= inner_tol; returns epochs run
    # and whether the gap got there (then S.grad holds Xc^T R on ws)
    cdef Py_ssize_t epoch = 0, n_active = 0, idx, checked_at = 0
    cdef uint64_t tested = 0
    cdef int h = 0
    cdef double rr, yr, gap, primal, checked_gap = INFINITY
    converged[0] = False
    if anderson:
        _snapshot(S, beta, ws, m, 0, Bs, Ss, Cs)
    while epoch < max_epochs:
        if epoch % _CHECK_EVERY == 0 or (epoch + 1) % _CHECK_EVERY == 0:
            # full passes over ws first and just before each gap check (a
            # feature of ws that became a violator during the passes over the
            # nonzero part would otherwise spoil the dual point), glmnet-style
            # passes over the nonzero part in between
            _sweep(S, beta, ws, m)
            n_active = 0
            for idx in range(m):
                if beta[ws[idx]] != 0:
                    S.active[n_active] = ws[idx]
                    n_active += 1
        else:
            _sweep(S, beta, S.active, n_active)
        if S.k > 1:
            _fit_unpenalized(S, beta)
        epoch += 1
        if not S.cov:
            _ring_push(S, beta)
        if anderson:
            h += 1
            _snapshot(S, beta, ws, m, h, Bs, Ss, Cs)
            if h == _ANDERSON_K:
                _extrapolate(S, beta, ws, m, Bs, Ss, Cs, bacc)
                h = 0
                _snapshot(S, beta, ws, m, 0, Bs, Ss, Cs)
        if epoch % _CHECK_EVERY == 0:
            if epoch % _INNER_RESET_EVERY == 0:
                # the rounding of incremental updates and of Anderson's
                # combined states builds up over a long inner solve: float32
                # gaps grew 10x per 10x epochs below float32's reach, and a
                # float64 path whose 13 nonzeros filled the rank of a 14 x 18
                # design stalled at a gap of 3e-10 (1e-12 with the resets)
                _reset_state(S, beta, ws, m)
            _fold_offset(S, beta)  # as the outer gap does, which reuses this gradient
            _fill_grad(S, beta, ws, m)
            _residual_stats(S, beta, ws, m, &rr, &yr)
            primal = 0.5 * rr + _penalty_on(S, beta, ws, m)
            gap = _duality_gap(S, beta, ws, m, primal, rr, yr, -1)
            if gap > inner_tol:
                gap = min(gap, _extrapolated_gap(S, beta, ws, m, primal))
            if gap <= inner_tol:
                converged[0] = True
                break
            if epoch >= checked_at + _STALL_EPOCHS:
                # less than halved over the last epochs: a degenerate support?
                if gap > 0.5 * checked_gap and _drop_along_null(S, beta, ws, m, &tested):
                    if anderson:  # the history no longer leads to beta
                        h = 0
                        _snapshot(S, beta, ws, m, 0, Bs, Ss, Cs)
                checked_at, checked_gap = epoch, gap
    return epoch


cdef Py_ssize_t _choose_working_set(_Solver* S, floating* beta, const int32_t* F,
                                    Py_ssize_t nF, Py_ssize_t size, double* score,
                                    double* tmp, int32_t* ws) noexcept nogil:
    """Working set among the features of F (the unscreened ones): features that are
    nonzero or unpenalized first, then the violators of the optimality
    conditions by relative violation |Xc_j . R| / lam1_j - 1, then the others
    by dual distance (|Xc_j . theta| - lam1_j) / ||Xc_j||, in increasing
    feature order. Its size is 2x the priority count, or up to twice the
    previous ``size`` while features outside violate the optimality
    conditions (|Xc_j . R| > lam1_j): few outer passes when the support is
    still being discovered, a tight set once it is. ``score`` is indexed
    like F."""
    # S's fields read through locals: each store to score would reload them
    cdef const floating* norm2 = <const floating*> S.norm2
    cdef const floating* grad = <const floating*> S.grad
    cdef const uint8_t* screened = S.screened
    cdef const uint8_t* exact = S.exact
    cdef const double* lam1 = S.lam1
    cdef const double* xt = S.xt
    cdef const double* colnorm = S.colnorm
    cdef double scale = S.scale
    cdef bint positive = S.positive
    cdef Py_ssize_t idx, j, n_prio = 0, n_cand = 0, n_viol = 0, m = 0, n_above = 0, ties
    cdef double inf = INFINITY, v, thr
    for idx in range(nF):
        j = F[idx]
        if screened[j] or not exact[j] or norm2[j] <= 0:
            score[idx] = -inf
            continue
        n_cand += 1
        if beta[j] != 0 or lam1[j] == 0:
            score[idx] = inf
            n_prio += 1
        else:
            v = grad[j] if positive else fabs(grad[j])
            if v > lam1[j]:  # violator: ranked by relative violation (>= 0)
                score[idx] = v / lam1[j] - 1
                n_viol += 1
            else:  # dual distance to the constraint (< 0)
                v = scale * (xt[j] if positive else fabs(xt[j]))
                score[idx] = min((v - lam1[j]) / colnorm[j], -1e-300)
    size = max(max(<Py_ssize_t> _WS_MIN, <Py_ssize_t> (_WS_GROWTH * n_prio)),
               min(n_prio + n_viol, 2 * size))
    if size >= n_cand:
        for idx in range(nF):
            if score[idx] > -inf:
                ws[m] = F[idx]
                m += 1
        return m
    memcpy(tmp, score, nF * sizeof(double))
    thr = regcore_kth_largest(tmp, nF, size - 1)
    for idx in range(nF):
        if score[idx] > thr:
            n_above += 1
    ties = size - n_above
    for idx in range(nF):
        if score[idx] > thr or (score[idx] == thr and ties > 0):
            if score[idx] == thr:
                ties -= 1
            ws[m] = F[idx]
            m += 1
    return m


cdef void _list_features(_Solver* S, int32_t* F, Py_ssize_t* nF, int32_t* C,
                         Py_ssize_t* nC) noexcept nogil:
    # F = np.flatnonzero(exact), C = np.flatnonzero(~screened)  (branch-free:
    # the flags are not predictable)
    cdef const uint8_t* exact = S.exact  # locals: the stores to F and C
    cdef const uint8_t* screened = S.screened  # would reload them from S
    cdef Py_ssize_t j, a = 0, b = 0
    for j in range(S.p):
        F[a] = <int32_t> j
        a += exact[j] != 0
        C[b] = <int32_t> j
        b += screened[j] == 0
    nF[0] = a
    nC[0] = b


cdef inline bint _gap_safe(_Solver* S, Py_ssize_t j, double rho) noexcept nogil:
    # the Gap Safe test: |Xc_j . theta| + rho ||Xc_j|| < lam1_j (xt may be a bound)
    cdef double v = S.scale * (S.xt[j] if S.positive else fabs(S.xt[j]))
    return S.lam1[j] > 0 and v + rho * S.colnorm[j] < S.lam1[j]


cdef inline void _discard(_Solver* S, Py_ssize_t j, floating* beta) noexcept nogil:
    # screen feature j: coefficient to zero, bounded (not computed) once a
    # reference residual exists; its bound fails once ||R - R_ref|| reaches
    # (lam1_j - |gref_j|) / ||Xc_j||, which may lower the slack
    cdef double room
    S.screened[j] = 1
    if beta[j] != 0:
        _move(S, j, -beta[j], beta)
    if S.have_ref and not S.cov:
        S.exact[j] = 0
        room = S.lam1[j] - fabs(S.gref[j])
        if S.k > 0:
            S.slack = -1
        elif room < S.slack * S.colnorm[j]:
            S.slack = room / S.colnorm[j]


cdef void _screen(_Solver* S, floating* beta, double gap) noexcept nogil:
    """Gap Safe screening of every feature at the first gap of an alpha:
    feature j is zero at the optimum when |Xc_j . theta| + sqrt(2 gap)
    ||Xc_j|| < lam1_j (the dual optimum lies within sqrt(2 gap) of theta).
    Screened features are set to zero and, once a reference residual exists,
    only bounded from then on. The features screened at the previous alpha
    are tested again (through their bounds) and those that fail are
    unscreened but stay bounded: not computed while their bound proves them
    inactive, and kept out of working sets meanwhile (_choose_working_set).
    Within an alpha screening is final and _screen_candidates tests the rest.

    Also sets S.slack over the bounded features (their xt are fresh bounds:
    the first gap of an alpha always runs _bound_inexact), so the next gap
    needs no pass over them while ||R - R_ref|| stays below it."""
    # most features are bounded and stay so: that case reads locals only
    cdef const double* xt = S.xt
    cdef const double* lam1 = S.lam1
    cdef const double* colnorm = S.colnorm
    cdef const double* gref = S.gref
    cdef uint8_t* screened = S.screened
    cdef const uint8_t* exact = S.exact
    cdef double rho = sqrt(2 * max(gap, 0.0)), scale = S.scale, slack = INFINITY, v, room
    cdef bint positive = S.positive
    cdef Py_ssize_t j
    S.slack = -1 if S.k > 0 else INFINITY
    for j in range(S.p):
        v = scale * (xt[j] if positive else fabs(xt[j]))
        if lam1[j] > 0 and v + rho * colnorm[j] < lam1[j]:  # _gap_safe
            if exact[j]:
                _discard(S, j, beta)
                continue
            screened[j] = 1
        else:
            screened[j] = 0
            if exact[j]:
                continue
        # bounded (screened or not): part of the slack
        room = lam1[j] - fabs(gref[j])
        if room < slack * colnorm[j]:
            slack = room / colnorm[j]
    S.slack = min(S.slack, slack)


cdef void _screen_candidates(_Solver* S, floating* beta, double gap, int32_t* F,
                             Py_ssize_t* nF, int32_t* C, Py_ssize_t* nC) noexcept nogil:
    """_screen within an alpha, where only the candidates C (the unscreened
    features) can change: tests them and removes the newly screened ones
    from C and, once bounded, from F, in O(len(C) + len(F)) instead of O(p)."""
    cdef double rho = sqrt(2 * max(gap, 0.0))
    cdef Py_ssize_t idx, j, kept = 0
    for idx in range(nC[0]):
        j = C[idx]
        if not S.exact[j] and S.k == 0:  # its bound at the last gap (xt may be older)
            S.xt[j] = fabs(S.gref[j]) + S.colnorm[j] * S.dR
        if _gap_safe(S, j, rho):
            _discard(S, j, beta)
            continue
        C[kept] = <int32_t> j
        kept += 1
    nC[0] = kept
    kept = 0
    for idx in range(nF[0]):
        F[kept] = F[idx]
        kept += S.exact[F[idx]] != 0
    nF[0] = kept


cdef void _enet_solve(_Solver* S, floating* beta, double tol_abs, Py_ssize_t max_iter,
                      Py_ssize_t* ws_size, bint screen, bint anderson, bint carry,
                      int32_t* F, int32_t* C, int32_t* ws, double* score, double* tmp,
                      double* Bs, floating* Ss, double* Cs, double* bacc,
                      double* gap_out, Py_ssize_t* n_iter_out, bint grad_valid) noexcept nogil:
    """Outer loop: exact state, full gap, Gap Safe screening, working set, inner CD.

    With ``grad_valid`` S.grad already holds Xc^T R at ``beta`` on the exact
    features, which saves one pass. With ``carry`` (the next alpha of a path)
    the screening state of the previous call is kept: its screened features
    stay bounded through the reference residual unless their test fails at
    the new alpha, so an alpha whose support is small costs no full pass over
    the design (sequential Gap Safe screening).
    """
    cdef Py_ssize_t n_iter = 0, nF = 0, nC = 0, m = 0, j, epochs
    cdef bint converged = False  # the last inner solve's (its gradient on ws is current)
    cdef double gap
    cdef bint any_l1 = False, fresh = carry, refresh = False
    for j in range(S.p):
        if S.lam1[j] > 0:
            any_l1 = True
            break
    S.any_l2 = False
    for j in range(S.p):
        if S.lam2[j] > 0:
            S.any_l2 = True
            break
    if not carry:
        memset(S.screened, 0, S.p)
        memset(S.exact, 1, S.p)
        S.have_ref = False
    _list_features(S, F, &nF, C, &nC)
    while True:
        if refresh:  # most features were computed anyway: complete the pass
            memset(S.exact, 1, S.p)
            _list_features(S, F, &nF, C, &nC)
        gap = _outer_gap(S, beta, F, nF, grad_valid, fresh, ws, m if converged else 0)
        grad_valid = False
        for j in range(S.n_extra):  # bounded features the gap had to compute
            F[nF + j] = S.extra[j]
        nF += S.n_extra
        # a stale reference makes bounds loose and features exact one by one;
        # once they are a good part, the next gap refreshes the reference
        refresh = not S.cov and nF < S.p and 8 * nF > S.p
        if gap <= tol_abs or n_iter >= max_iter:
            break
        if screen and any_l1 and fresh:
            _screen(S, beta, gap)
            _list_features(S, F, &nF, C, &nC)
        elif screen and any_l1:
            _screen_candidates(S, beta, gap, F, &nF, C, &nC)
        fresh = False
        m = _choose_working_set(S, beta, C, nC, ws_size[0], score, tmp, ws)
        ws_size[0] = m
        epochs = _inner_solve(S, beta, ws, m, _INNER_FRACTION * gap, max_iter - n_iter,
                              anderson, Bs, Ss, Cs, bacc, &converged)
        n_iter += epochs
    gap_out[0] = max(gap, 0.0)
    n_iter_out[0] = n_iter


def cd_workspace(Py_ssize_t n, Py_ssize_t p, Py_ssize_t k, bint covariance, int layout,
                 dtype):
    """Work buffers of :func:`enet_cd` for these shapes and this mode.

    Allocating them once per path instead of once per alpha avoids clearing
    fresh pages for every alpha; every buffer is written before it is read
    (the path state ``ref`` is read only with ``carry``), and the scratch
    column ``col`` and flags ``mark`` are left zero after each use: a
    workspace serves any problem of the same shapes.
    """
    ms = p if covariance else n
    nd = 1 if covariance else n
    return {
        "r": np.zeros(nd, dtype=dtype), "q": np.zeros(p if covariance else 1, dtype=dtype),
        "col": np.zeros(n if covariance else 1, dtype=dtype),
        "Ss": np.zeros((_ANDERSON_K + 1) * ms, dtype=dtype),
        "xt": np.zeros(p), "xt2": np.zeros(p),
        "ring": np.zeros((_ANDERSON_K + 1) * nd, dtype=dtype),
        "diffs": np.zeros(_ANDERSON_K * nd, dtype=dtype), "racc": np.zeros(nd, dtype=dtype),
        "grad2": np.zeros(p, dtype=dtype), "a": np.zeros(max(k, 1)),
        "ublock": np.zeros(2 * max(k, 1)),
        "score": np.zeros(p), "tmp": np.zeros(p), "Bs": np.zeros((_ANDERSON_K + 1) * p),
        "Cs": np.zeros(_ANDERSON_K + 1), "bacc": np.zeros(p),
        "screened": np.zeros(p, dtype=np.uint8), "F": np.zeros(p, dtype=np.int32),
        "ws": np.zeros(p, dtype=np.int32), "active": np.zeros(p, dtype=np.int32),
        "exact": np.ones(p, dtype=np.uint8), "extra": np.zeros(p, dtype=np.int32),
        "cand": np.zeros(p, dtype=np.int32), "mark": np.zeros(p, dtype=np.uint8),
        "rest": np.zeros(p, dtype=np.int32),
        "gref": np.zeros(p), "rref": np.zeros(nd, dtype=dtype),
        "ref": np.zeros(5),  # c_ref, have_ref, c, since_reset, combined (carried along a path)
    }


def enet_cd(floating[::1] beta, int layout, const floating[::1] X_data,
            const int32_t[::1] X_indices, const int32_t[::1] X_indptr, Py_ssize_t n,
            const floating[::1] y, const floating[::1] mu, bint centred,
            const floating[::1] sqrt_w, const floating[::1] norm2, const double[::1] colnorm,
            const double[::1] lam1, const double[::1] lam2, bint positive,
            bint covariance, floating[::1, :] G, uint8_t[::1] cached,
            const floating[::1] Xty, double yy,
            const int32_t[::1] unpen, const floating[::1, :] GU, const double[::1, :] Ginv,
            const double[::1] XtyU,
            double tol_abs, Py_ssize_t max_iter, floating[::1] grad, bint grad_valid=False,
            Py_ssize_t ws_size=0, bint screen=True, bint anderson=True, workspace=None,
            bint carry=False):
    """Elastic net by working-set coordinate descent; see the top of _cd.pxi.

    Minimises 1/2 ||y - Xc b||^2 + sum_j lam1_j |b_j| + lam2_j/2 b_j^2 where
    Xc = Xs - v mu^T is the implicitly centred design (v = ``sqrt_w``, the
    square roots of the weights scaled to sum to n, or empty for v = 1);
    ``centred`` says an intercept is fitted (y and R orthogonal to v). ``layout`` 0: dense
    Fortran-ordered ``X_data`` (n * p values); 1: CSC (data, indices, indptr).
    ``covariance`` selects Gram-column updates; missing columns of ``G`` are
    computed from the design on first use and flagged in ``cached``. ``unpen`` lists features
    with lam1 = lam2 = 0 (GU = Xc^T Xc[:, unpen], Ginv = pinv of its rows
    ``unpen``, XtyU = Xc[:, unpen]^T y). ``norm2`` holds ||Xc_j||^2 and
    ``colnorm`` its square roots in float64. Warm start from ``beta``.

    ``workspace`` (from :func:`cd_workspace`, same shapes and mode) may be
    passed to reuse the work buffers between calls. ``grad`` (length p)
    receives Xc^T R at the solution on the features the kernel flags exact
    (all of them unless ``carry``); pass it back with ``grad_valid=True``
    for the next alpha of a path (same beta) to skip one gradient pass.
    ``carry=True`` (with the workspace, beta and grad the previous call left,
    and ``grad_valid``) also keeps that call's screening state: features it
    screened are only bounded, not computed, while their bound proves them
    inactive at the new alpha.

    Changes in place: ``beta`` (the solution), ``grad``, and in covariance
    mode ``G`` and ``cached`` (columns filled lazily).

    Returns (beta, gap, n_iter, ws_size): the absolute duality gap (in the
    scaled units above), the number of CD epochs, the final working-set size.
    """
    cdef Py_ssize_t p = beta.shape[0]
    cdef Py_ssize_t k = unpen.shape[0]
    cdef Py_ssize_t ms = p if covariance else n
    cdef _Solver S
    cdef double gap = 0
    cdef Py_ssize_t n_iter = 0, wss = ws_size
    if workspace is None:
        workspace = cd_workspace(n, p, k, covariance, layout, np.asarray(beta).dtype)
    cdef floating[::1] r = workspace["r"]
    cdef floating[::1] q = workspace["q"]
    cdef floating[::1] col = workspace["col"]
    cdef floating[::1] Ss = workspace["Ss"]
    cdef double[::1] xt = workspace["xt"]
    cdef double[::1] xt2 = workspace["xt2"]
    cdef floating[::1] ring = workspace["ring"]
    cdef floating[::1] diffs = workspace["diffs"]
    cdef floating[::1] racc = workspace["racc"]
    cdef floating[::1] grad2 = workspace["grad2"]
    cdef double[::1] a = workspace["a"]
    cdef double[::1] ublock = workspace["ublock"]
    cdef double[::1] score = workspace["score"]
    cdef double[::1] tmp = workspace["tmp"]
    cdef double[::1] Bs = workspace["Bs"]
    cdef double[::1] Cs = workspace["Cs"]
    cdef double[::1] bacc = workspace["bacc"]
    cdef uint8_t[::1] screened = workspace["screened"]
    cdef int32_t[::1] F = workspace["F"]
    cdef int32_t[::1] ws = workspace["ws"]
    cdef int32_t[::1] active = workspace["active"]
    cdef uint8_t[::1] exact = workspace["exact"]
    cdef int32_t[::1] extra = workspace["extra"]
    cdef int32_t[::1] cand = workspace["cand"]
    cdef uint8_t[::1] mark = workspace["mark"]
    cdef int32_t[::1] rest = workspace["rest"]
    cdef double[::1] gref = workspace["gref"]
    cdef floating[::1] rref = workspace["rref"]
    cdef double[::1] ref = workspace["ref"]

    S.D.layout = layout
    S.D.n = n
    S.D.data = &X_data[0] if X_data.shape[0] > 0 else NULL
    S.D.ind = &X_indices[0] if X_indices.shape[0] > 0 else NULL
    S.D.ptr = &X_indptr[0] if X_indptr.shape[0] > 0 else NULL
    S.n = n
    S.p = p
    S.k = k
    S.cov = covariance
    S.share_sweeps = True
    S.positive = positive
    S.nd = <double> n
    S.y = &y[0] if y.shape[0] > 0 else NULL
    S.mu = &mu[0]
    S.v = &sqrt_w[0] if sqrt_w.shape[0] > 0 else NULL
    S.centred = centred
    S.norm2 = &norm2[0]
    S.lam1 = &lam1[0]
    S.lam2 = &lam2[0]
    S.Xty = &Xty[0] if Xty.shape[0] > 0 else NULL
    S.yy = yy
    S.G = &G[0, 0] if G.shape[0] > 0 else NULL
    S.cached = &cached[0] if cached.shape[0] > 0 else NULL
    S.U = &unpen[0] if k > 0 else NULL
    S.GU = &GU[0, 0] if k > 0 else NULL
    S.Ginv = &Ginv[0, 0] if k > 0 else NULL
    S.XtyU = &XtyU[0] if k > 0 else NULL
    S.r = &r[0]
    S.c = 0
    S.q = &q[0]
    S.grad = &grad[0]
    S.col = &col[0]
    S.xt = &xt[0]
    S.a = &a[0]
    S.ublock = &ublock[0]
    S.ring = &ring[0]
    S.ring_len = 0
    S.ring_head = 0
    S.diffs = &diffs[0]
    S.racc = &racc[0]
    S.grad2 = &grad2[0]
    S.xt2 = &xt2[0]
    S.active = &active[0]
    S.mark = &mark[0]
    S.rest = &rest[0]
    S.screened = &screened[0]
    S.exact = &exact[0]
    S.extra = &extra[0]
    S.gref = &gref[0]
    S.rref = &rref[0]
    S.c_ref = ref[0]
    S.have_ref = ref[1] != 0
    S.since_reset = _RESET_EVERY  # a new solve starts from a recomputed state
    S.combined = 0
    if carry and grad_valid:
        S.c = ref[2]
        S.since_reset = <int> ref[3]
        S.combined = ref[4]
    S.scale = 1.0
    S.n_extra = 0
    S.slack = -1
    S.dR = -1
    S.colnorm = &colnorm[0]
    with nogil:
        _enet_solve(&S, &beta[0], tol_abs, max_iter, &wss, screen, anderson,
                    carry and grad_valid, &F[0], &cand[0], &ws[0], &score[0], &tmp[0],
                    &Bs[0], &Ss[0], &Cs[0], &bacc[0], &gap, &n_iter, grad_valid)
    ref[0] = S.c_ref
    ref[1] = 1.0 if S.have_ref else 0.0
    ref[2] = S.c
    ref[3] = S.since_reset
    ref[4] = S.combined
    return np.asarray(beta), gap, n_iter, wss


def column_stats(int layout, const floating[::1] X_data, const int32_t[::1] X_indices,
                 const int32_t[::1] X_indptr, Py_ssize_t n, Py_ssize_t p,
                 const double[::1] weights, const floating[::1] v):
    """Per-column weighted sums, sums of squares and products with ``v``, in
    one pass over the design, accumulated in float64.

    ``layout`` 0: Fortran-ordered dense ``X_data``; 1: CSC. ``weights`` of
    length n weights the sums (``sum_i w_i x_ij``); pass an empty array for
    unit weights. The squares are unweighted: the caller passes a design
    whose rows are already scaled by sqrt(w) when it wants weighted squares.
    Returns (sums, sumsq, X^T v), three new float64 arrays of length p.
    """
    cdef bint weighted = weights.shape[0] > 0
    cdef const double* w = &weights[0] if weighted else NULL
    cdef double[:, ::1] out = np.empty((p, 3))
    cdef Py_ssize_t j, i, t
    cdef double s, q, d, x
    if layout == _LAYOUT_DENSE:
        # on the work-sharing pool (_pool.h), not an OpenMP region: a region
        # waited for its second thread whenever BLAS or another library's
        # threads were still spinning (5000 x 500 fits: 1.7 ms quiet, 5 ms
        # after a BLAS call with numba loaded, 17 ms medians in bench_linear)
        with nogil:
            if floating is double:
                regcore_dcolstats_dense(n, p, &X_data[0], w, &v[0], &out[0, 0], _n_threads)
            else:
                regcore_scolstats_dense(n, p, &X_data[0], w, &v[0], &out[0, 0], _n_threads)
    else:
        with nogil:
            for j in range(p):
                s = 0
                q = 0
                d = 0
                for t in range(X_indptr[j], X_indptr[j + 1]):
                    x = X_data[t]
                    i = X_indices[t]
                    s += w[i] * x if weighted else x
                    q += x * x
                    d += x * v[i]
                out[j, 0] = s
                out[j, 1] = q
                out[j, 2] = d
    return (np.array(out[:, 0]), np.array(out[:, 1]), np.array(out[:, 2]))
