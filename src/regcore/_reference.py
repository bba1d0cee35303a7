"""Pure-NumPy versions of regcore's kernels.

Slow on purpose and clear always: each function is the textbook formula the
compiled kernel implements. They are the baseline of the benchmarks and the
oracle of the tests, so keep them simple enough to check by eye.
"""

import numpy as np


# --- proximal operators -----------------------------------------------------

def soft_threshold(x, t):
    """sign(x) * max(|x| - t, 0), the proximal operator of t * ||.||_1, in x's dtype."""
    x = np.asarray(x)
    return np.sign(x) * np.maximum(np.abs(x) - t, np.zeros((), x.dtype))


# --- dropout -----------------------------------------------------------------

# Philox4x32-10 (Salmon et al., SC'11), as in regcore's compiled kernels.
PHILOX_M = (0xD2511F53, 0xCD9E8D57)   # round multipliers
PHILOX_W = (0x9E3779B9, 0xBB67AE85)   # key increments (Weyl sequence)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def philox4x32_10(counter, key):
    """Ten Philox rounds on 4 uint32 counter words (arrays) under a 2-word key."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in counter)
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    low = np.uint64(0xFFFFFFFF)
    for _ in range(10):
        p0 = np.uint64(PHILOX_M[0]) * c0   # 32 x 32 -> 64 bits: never overflows
        p1 = np.uint64(PHILOX_M[1]) * c2
        c0, c1, c2, c3 = (p1 >> np.uint64(32)) ^ c1 ^ k0, p1 & low, (p0 >> np.uint64(32)) ^ c3 ^ k1, p0 & low
        k0 = (k0 + np.uint64(PHILOX_W[0])) & low
        k1 = (k1 + np.uint64(PHILOX_W[1])) & low
    return tuple(c.astype(np.uint32) for c in (c0, c1, c2, c3))


def dropout_words(n, seed, stream=0, start=0):
    """The uint32 random word of elements start, ..., start + n - 1 (start % 64 == 0).

    Element i is in group g = i // 64; inside the group, element 16 * w + l
    takes word w of the Philox output for counter index 16 * g + l.
    Counter = (index low, index high, stream low, stream high); key = seed.
    """
    n_groups = -(-n // 64)
    index = np.arange(16 * n_groups, dtype=np.uint64) + np.uint64(start // 4)
    counter = (index & 0xFFFFFFFF, index >> np.uint64(32),
               np.full_like(index, stream & 0xFFFFFFFF), np.full_like(index, stream >> 32))
    words = np.stack(philox4x32_10(counter, (seed & 0xFFFFFFFF, seed >> 32)))  # (4, 16 * G)
    return words.reshape(4, n_groups, 16).transpose(1, 0, 2).reshape(-1)[:n]


def dropout_threshold(p):
    """Integer threshold: keep iff word >= round(p * 2**32), capped at 2**32 - 1."""
    return min(round(p * 2**32), 2**32 - 1)


def dropout_mask(shape, p, seed, stream=0):
    """Boolean keep mask of the given shape (C order), True = kept."""
    n = int(np.prod(shape, dtype=np.int64))
    return (dropout_words(n, seed, stream) >= dropout_threshold(p)).reshape(shape)


def dropout(x, p, seed, stream=0, noise_shape=None):
    """Inverted dropout: x * scale where kept, 0 where dropped; scale = 1/(1-p) in x's dtype."""
    mask = dropout_mask(x.shape if noise_shape is None else noise_shape, p, seed, stream)
    return dropout_backward(x, mask, p)


def dropout_backward(grad, mask, p):
    """grad * mask * scale, with the same rounding as the forward pass."""
    scale = grad.dtype.type(1.0 / (1.0 - p))
    return np.where(mask, grad * scale, 0).astype(grad.dtype)


def alpha_dropout_coefficients(p):
    """(a, b, a') of alpha dropout (Klambauer et al. 2017) for drop probability p."""
    a_prime = -SELU_LAMBDA * SELU_ALPHA
    q = 1.0 - p
    a = (q + a_prime**2 * q * (1.0 - q)) ** -0.5
    b = -a * (1.0 - q) * a_prime
    return a, b, a_prime


def alpha_dropout(x, p, seed, stream=0):
    """a * (x * mask + a' * (1 - mask)) + b: keeps SELU's mean 0 and variance 1."""
    a, b, a_prime = alpha_dropout_coefficients(p)
    mask = dropout_mask(x.shape, p, seed, stream)
    dtype = x.dtype.type
    kept = x * dtype(a) + dtype(b)
    dropped = dtype(a * a_prime + b)
    return np.where(mask, kept, dropped).astype(x.dtype)



# --- optimizers and weight constraints ----------------------------------------

def sgd_step(param, grad, momentum_buffer=None, *, lr, momentum=0.0, dampening=0.0,
             nesterov=False, weight_decay=0.0, l1=0.0):
    """One step of PyTorch's SGD, then soft-thresholding by lr * l1.

    ``momentum_buffer`` is None on the first step (the buffer starts as the
    gradient). Returns ``(new_param, new_momentum_buffer)``.
    """
    d = grad
    if weight_decay != 0:
        d = d + weight_decay * param
    buf = None
    if momentum != 0:
        if momentum_buffer is None:
            buf = d.copy()
        else:
            buf = momentum * momentum_buffer + (1 - dampening) * d
        d = d + momentum * buf if nesterov else buf
    new_param = param - lr * d
    if l1 != 0:
        new_param = soft_threshold(new_param, lr * l1)
    return new_param, buf


def adamw_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, step, lr=1e-3,
               betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, l1=0.0):
    """One step of PyTorch's AdamW (``step`` counts from 1), then soft-thresholding by lr * l1.

    Returns ``(new_param, exp_avg, exp_avg_sq, max_exp_avg_sq)``.
    """
    beta1, beta2 = betas
    param = param * (1 - lr * weight_decay)
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    second = exp_avg_sq
    if amsgrad:
        max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
        second = max_exp_avg_sq
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    denom = np.sqrt(second) / bias_correction2 ** 0.5 + eps
    param = param - (lr / bias_correction1) * (exp_avg / denom)
    if l1 != 0:
        param = soft_threshold(param, lr * l1)
    return param, exp_avg, exp_avg_sq, max_exp_avg_sq


def prox_l1(param, grad, *, lr, l1):
    """Proximal gradient step for l1 * ||p||_1: soft_threshold(p - lr * g, lr * l1)."""
    if grad is not None:
        param = param - lr * grad
    return soft_threshold(param, lr * l1)


def max_norm(weight, max_norm, axis=None):
    """Rescale every vector along ``axis`` whose Euclidean norm exceeds ``max_norm``.

    ``axis=None`` means all axes but the first (the rows of a 2-D weight); a
    1-D weight is one vector.
    """
    if axis is None:
        axis = tuple(range(1, weight.ndim)) if weight.ndim > 1 else (0,)
    norms = np.sqrt(np.sum(weight.astype(np.float64) ** 2, axis=axis, keepdims=True))
    with np.errstate(divide="ignore"):
        factor = np.where(norms > max_norm, max_norm / norms, 1.0)
    return (weight * factor.astype(weight.dtype)).astype(weight.dtype)


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    """torch.nn.utils.clip_grad_norm_: scale all grads by min(1, max_norm / (total + 1e-6)).

    Returns ``(clipped_grads, total_norm)``.
    """
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads])
    if norm_type == np.inf:
        total = np.max(np.abs(flat))
    else:
        total = np.sum(np.abs(flat) ** norm_type) ** (1.0 / norm_type)
    coef = min(max_norm / (float(total) + 1e-6), 1.0)
    return [(g * coef).astype(g.dtype) for g in grads], float(total)


# --- initializers ----------------------------------------------------------------

def fans(shape):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    receptive_field = int(np.prod(shape[2:]))
    return shape[1] * receptive_field, shape[0] * receptive_field


def calculate_gain(nonlinearity, param=None):
    """PyTorch's recommended gain for a nonlinearity."""
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return 2.0 ** 0.5
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return (2.0 / (1.0 + slope ** 2)) ** 0.5
    if nonlinearity == "selu":
        return 3.0 / 4.0
    return 1.0


def xavier_std(shape, gain=1.0):
    """Glorot & Bengio (2010): std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return gain * (2.0 / (fan_in + fan_out)) ** 0.5


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. (2015): std = gain / sqrt(fan)."""
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / fan ** 0.5


def uniform_bound(std):
    """Half-width of the uniform distribution with standard deviation ``std``."""
    return 3.0 ** 0.5 * std


# --- least squares: coordinate descent, ridge ------------------------------------


def enet_objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None,
                   penalty_factor=None):
    """1/(2n) sum w_i r_i^2 + alpha sum pf_j (l1_ratio |c_j| + (1 - l1_ratio)/2 c_j^2).

    ``sample_weight`` is rescaled to sum to n; ``X`` may be scipy.sparse.
    """
    n = X.shape[0]
    w = np.ones(n) if sample_weight is None else sample_weight * (n / np.sum(sample_weight))
    pf = np.ones(X.shape[1]) if penalty_factor is None else penalty_factor
    r = y - X @ coef - intercept
    penalty = pf * (l1_ratio * np.abs(coef) + (1 - l1_ratio) / 2 * coef**2)
    return float(np.sum(w * r * r) / (2 * n) + alpha * np.sum(penalty))


def enet_duality_gap(X, y, coef, alpha, l1_ratio):
    """Relative duality gap of a centred, unweighted, fully penalized elastic net.

    Dual point theta = s R with R = y - X coef and s <= 1 the largest scale
    keeping |X^T theta| <= n alpha l1_ratio (lasso; for l1_ratio < 1, s = 1
    and the l2 part enters through its convex conjugate). Relative to
    ||y||^2 / (2 n).
    """
    R = y - X @ coef
    return _gap_at_residual(R, X.T @ R, y, coef, alpha, l1_ratio)


def _gap_at_residual(R, xt, y, coef, alpha, l1_ratio):
    """enet_duality_gap given the residual R and the correlations xt = X^T R."""
    n = R.shape[0]
    lam1, lam2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    s = 1.0
    if lam2 == 0 and np.max(np.abs(xt)) > lam1:
        s = lam1 / np.max(np.abs(xt))
    theta, xt = s * R, s * xt
    primal = 0.5 * R @ R + lam1 * np.abs(coef).sum() + 0.5 * lam2 * coef @ coef
    conj = 0.0 if lam2 == 0 else np.sum(np.maximum(np.abs(xt) - lam1, 0) ** 2) / (2 * lam2)
    dual = y @ theta - 0.5 * theta @ theta - conj
    return (primal - dual) / (0.5 * y @ y)


def enet_coordinate_descent(X, y, alpha, l1_ratio=1.0, *, tol=1e-4, max_iter=1000,
                            fit_intercept=True, coef_init=None):
    """Cyclic coordinate descent for the elastic net (dense X, no weights).

    Centres X and y, then sweeps the coordinates in order with the exact
    soft-thresholding update, keeping the residual R = y - X coef up to date,
    and stops when the relative duality gap (see :func:`enet_duality_gap`)
    is at most ``tol``. Returns (coef, intercept, gap, n_iter).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(p)
    y_mean = y.mean() if fit_intercept else 0.0
    X = X - x_mean
    y = y - y_mean
    lam1, lam2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    norm2 = np.sum(X * X, axis=0)
    coef = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=np.float64)
    R = y - X @ coef
    gap = np.inf
    for n_iter in range(1, max_iter + 1):
        for j in range(p):
            if norm2[j] == 0:
                continue
            z = norm2[j] * coef[j] + X[:, j] @ R
            new = np.sign(z) * max(abs(z) - lam1, 0.0) / (norm2[j] + lam2)
            if new != coef[j]:
                R -= (new - coef[j]) * X[:, j]
                coef[j] = new
        gap = enet_duality_gap(X, y, coef, alpha, l1_ratio)
        if gap <= tol:
            break
    return coef, y_mean - x_mean @ coef, gap, n_iter


def enet_coordinate_descent_csc(X, y, alpha, l1_ratio=1.0, *, tol=1e-4, max_iter=1000,
                                fit_intercept=True, coef_init=None):
    """:func:`enet_coordinate_descent` on a scipy.sparse design, never densified.

    The centred column is x_j - mean_j. The residual R = y_c - X_c coef stays
    centred (sum(R) = 0), so its correlation with a centred column is just
    x_j . R over the column's stored entries; an update moves R by
    -delta (x_j - mean_j), a sparse and a dense part.
    """
    X = X.tocsc().astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    x_mean = np.asarray(X.mean(axis=0)).ravel() if fit_intercept else np.zeros(p)
    y_mean = y.mean() if fit_intercept else 0.0
    y = y - y_mean
    lam1, lam2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    norm2 = np.asarray(X.multiply(X).sum(axis=0)).ravel() - n * x_mean**2
    coef = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=np.float64)
    R = y - (X @ coef - x_mean @ coef)
    gap = np.inf
    for n_iter in range(1, max_iter + 1):
        for j in range(p):
            if norm2[j] <= 1e-10 * n:
                continue
            rows = X.indices[X.indptr[j]:X.indptr[j + 1]]
            vals = X.data[X.indptr[j]:X.indptr[j + 1]]
            z = norm2[j] * coef[j] + vals @ R[rows]
            new = np.sign(z) * max(abs(z) - lam1, 0.0) / (norm2[j] + lam2)
            if new != coef[j]:
                delta = new - coef[j]
                R[rows] -= delta * vals
                R += delta * x_mean[j]
                coef[j] = new
        R = y - (X @ coef - x_mean @ coef)  # exact residual for the certificate
        gap = _gap_at_residual(R, X.T @ R - x_mean * R.sum(), y, coef, alpha, l1_ratio)
        if gap <= tol:
            break
    return coef, y_mean - x_mean @ coef, gap, n_iter


# ridge (owner: lsq-estimators; keep this sub-block below the CD reference)

def _ridge_center(X, y, sample_weight, fit_intercept):
    """sqrt(w)-scaled centered design and response, weighted means, sqrt(w)."""
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    x_mean = w @ X / w.sum() if fit_intercept else np.zeros(X.shape[1])
    y_mean = w @ y / w.sum() if fit_intercept else 0.0
    sw = np.sqrt(w)
    return sw[:, None] * (X - x_mean), sw * (y - y_mean), x_mean, y_mean, sw


def ridge_path(X, y, alphas, fit_intercept=True, sample_weight=None):
    """min sum w (y - Xb - c)^2 + alpha ||b||^2 for each alpha, from one thin SVD.

    Returns (coefs (n_features, n_alphas), intercepts (n_alphas,)).
    """
    A, z, x_mean, y_mean, _ = _ridge_center(X, y, sample_weight, fit_intercept)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    alphas = np.atleast_1d(alphas)
    coefs = Vt.T @ ((s * (U.T @ z))[:, None] / (s[:, None] ** 2 + alphas))
    return coefs, y_mean - x_mean @ coefs


def ridge_loo_errors(X, y, alphas, fit_intercept=True, sample_weight=None):
    """Squared leave-one-out errors w_i (y_i - yhat_-i)^2, shape (n_samples, n_alphas).

    Closed form r_i / (1 - h_ii) with the hat matrix H from the SVD; the
    intercept column sqrt(w) adds w_i / sum(w) to h_ii.
    """
    A, z, _, _, sw = _ridge_center(X, y, sample_weight, fit_intercept)
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    errors = []
    for alpha in np.atleast_1d(alphas):
        H = U @ np.diag(s ** 2 / (s ** 2 + alpha)) @ U.T
        if fit_intercept:
            H += np.outer(sw, sw) / (sw @ sw)
        r = z - H @ z  # z is weighted-centered, so the intercept column fits 0 of it
        errors.append((r / (1 - np.diag(H))) ** 2)
    return np.array(errors).T


def ridge_gcv(X, y, alphas, fit_intercept=True, sample_weight=None):
    """Generalized cross-validation mean(r^2) / (1 - trace(H)/n)^2 per alpha."""
    A, z, _, _, _ = _ridge_center(X, y, sample_weight, fit_intercept)
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    n = len(z)
    out = []
    for alpha in np.atleast_1d(alphas):
        shrink = s ** 2 / (s ** 2 + alpha)
        r = z - U @ (shrink * (U.T @ z))
        out.append(np.mean(r ** 2) / (1 - (shrink.sum() + fit_intercept) / n) ** 2)
    return np.array(out)


# --- logistic regression ----------------------------------------------------------

def logistic_loss_terms(margins):
    """log(1 + exp(-m)) elementwise, without overflow."""
    return np.logaddexp(0.0, -margins)


def logistic_objective(X, y, coef, intercept, *, C, l1_ratio=1.0, sample_weight=None,
                       penalty_factor=None):
    """C * sum_i sw_i log(1 + exp(-y_i (x_i.coef + b))) + sum_j pf_j (l1_ratio |coef_j|
    + (1 - l1_ratio) / 2 coef_j^2), labels y in {-1, +1}."""
    sw = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    pf = np.ones(X.shape[1]) if penalty_factor is None else np.asarray(penalty_factor, float)
    coef = np.asarray(coef, dtype=float)
    margins = y * (X @ coef + intercept)
    penalty = pf @ (l1_ratio * np.abs(coef) + (1 - l1_ratio) / 2 * coef**2)
    return C * sw @ logistic_loss_terms(margins) + penalty


def logistic_duality_gap(X, y, coef, intercept, *, C, l1_ratio=1.0, sample_weight=None,
                         penalty_factor=None, fit_intercept=True):
    """Primal minus dual objective at the dual point built from the loss gradient.

    theta_i = C sw_i y_i a_i with a_i = sigmoid(-y_i z_i); with an intercept each
    class's a is shrunk so that sum(theta) = 0; for a pure L1 penalty theta is
    scaled so that |X.T theta|_j <= pf_j. Dual objective:
    sum_i C sw_i H(a_i) - sum_j (max(|X.T theta|_j - pf_j l1_ratio, 0))^2 / (2 pf_j (1 - l1_ratio)),
    H the binary entropy. All penalty factors must be positive.
    """
    sw = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    pf = np.ones(X.shape[1]) if penalty_factor is None else np.asarray(penalty_factor, float)
    z = X @ np.asarray(coef, dtype=float) + intercept
    a = 1.0 / (1.0 + np.exp(y * z))
    if fit_intercept:
        mass_pos, mass_neg = (C * sw * a)[y > 0].sum(), (C * sw * a)[y < 0].sum()
        shrink = np.where(y > 0, min(1.0, mass_neg / mass_pos), min(1.0, mass_pos / mass_neg))
        a = a * shrink
    theta = C * sw * y * a
    corr = X.T @ theta
    if l1_ratio == 1.0:
        scale = min(1.0, np.min(pf / np.maximum(np.abs(corr), 1e-300)))
        a, corr = a * scale, corr * scale
        conjugate = 0.0
    else:
        excess = np.maximum(np.abs(corr) - pf * l1_ratio, 0.0)
        conjugate = np.sum(excess**2 / (2 * pf * (1 - l1_ratio)))
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nan_to_num(a * np.log(a)) - np.nan_to_num((1 - a) * np.log1p(-a))
    dual = C * sw @ entropy - conjugate
    primal = logistic_objective(X, y, coef, intercept, C=C, l1_ratio=l1_ratio,
                                sample_weight=sample_weight, penalty_factor=penalty_factor)
    return primal - dual


def logistic_regression(X, y, *, C, l1_ratio=1.0, fit_intercept=True, sample_weight=None,
                        penalty_factor=None, tol=1e-8, max_iter=100000, coef_init=None,
                        intercept_init=0.0):
    """Minimize logistic_objective by FISTA (accelerated proximal gradient).

    Backtracking on the step size, restart when the objective goes up, and
    stop when logistic_duality_gap <= tol * C * sum(sw) * log(2) (checked
    every 10 steps, so at most max_iter - 1 steps are taken). Labels y in {-1, +1}. Returns (coef, intercept, n_iter).
    """
    sw = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    pf = np.ones(X.shape[1]) if penalty_factor is None else np.asarray(penalty_factor, float)
    options = dict(C=C, l1_ratio=l1_ratio, sample_weight=sw, penalty_factor=pf)

    def loss_and_gradient(coef, b):
        z = X @ coef + b
        residual = -C * sw * y / (1.0 + np.exp(y * z))  # d loss / d z
        value = C * sw @ logistic_loss_terms(y * z)
        return value, X.T @ residual, residual.sum() if fit_intercept else 0.0

    def prox(v, step):
        return soft_threshold(v, step * pf * l1_ratio) / (1 + step * pf * (1 - l1_ratio))

    coef = np.zeros(X.shape[1]) if coef_init is None else np.array(coef_init, dtype=float)
    b = float(intercept_init) if fit_intercept else 0.0
    point, point_b, momentum, lipschitz = coef, b, 1.0, 1.0
    objective = logistic_objective(X, y, coef, b, **options)
    for n_iter in range(1, max_iter + 1):
        if n_iter % 10 == 0:
            gap = logistic_duality_gap(X, y, coef, b, fit_intercept=fit_intercept, **options)
            if gap <= tol * C * sw.sum() * np.log(2):
                break
        value, grad, grad_b = loss_and_gradient(point, point_b)
        while True:
            new = prox(point - grad / lipschitz, 1 / lipschitz)
            new_b = point_b - grad_b / lipschitz
            step, step_b = new - point, new_b - point_b
            model = value + grad @ step + grad_b * step_b + lipschitz / 2 * (step @ step + step_b**2)
            if C * sw @ logistic_loss_terms(y * (X @ new + new_b)) <= model * (1 + 1e-15):
                break
            lipschitz *= 2
        new_objective = logistic_objective(X, y, new, new_b, **options)
        if new_objective > objective:  # restart the momentum from the last iterate
            point, point_b, momentum = coef, b, 1.0
            continue
        next_momentum = (1 + np.sqrt(1 + 4 * momentum**2)) / 2
        point = new + (momentum - 1) / next_momentum * (new - coef)
        point_b = new_b + (momentum - 1) / next_momentum * (new_b - b)
        coef, b, objective, momentum = new, new_b, new_objective, next_momentum
        lipschitz /= 1.5
    return coef, b, n_iter
