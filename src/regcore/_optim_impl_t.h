/* Template body of _optim_impl.h: included once with RC_T = float and once
 * with RC_T = double. RC_FN(name) gives the dtype-suffixed function name. */

/* sign(x) * max(|x| - t, 0); NaN propagates, zeros are +0 */
RC_OPTIM_INLINE RC_T RC_FN(soft)(RC_T x, RC_T t)
{
    RC_T shrunk = RC_FABS(x) - t;
    return shrunk <= 0 ? (RC_T)0 : RC_COPYSIGN(shrunk, x);
}

/* PyTorch's SGD update of one block; `flags` are the RC_SGD_* bits:
 * d = g + wd * p;  buf = mom * buf + keep * d (first step: buf = d);
 * d = nesterov ? d + mom * buf : buf;  p = soft(p - lr * d, thr) */
RC_OPTIM_INLINE void RC_FN(sgd_body)(RC_T *RC_RESTRICT p, const RC_T *RC_RESTRICT g,
                                     RC_T *RC_RESTRICT buf, ptrdiff_t n, RC_T lr, RC_T wd,
                                     RC_T mom, RC_T keep, RC_T thr, const int flags)
{
    for (ptrdiff_t i = 0; i < n; i++) {
        RC_T d = g[i];
        if (flags & RC_SGD_WEIGHT_DECAY)
            d = d + wd * p[i];
        if (flags & RC_SGD_MOMENTUM) {
            RC_T b = (flags & RC_SGD_FIRST) ? d : mom * buf[i] + keep * d;
            buf[i] = b;
            d = (flags & RC_SGD_NESTEROV) ? d + mom * b : b;
        }
        RC_T q = p[i] - lr * d;
        if (flags & RC_SGD_L1)
            q = RC_FN(soft)(q, thr);
        p[i] = q;
    }
}

RC_OPTIM_KERNEL void RC_FN(sgd)(RC_T *RC_RESTRICT p, const RC_T *RC_RESTRICT g,
                                RC_T *RC_RESTRICT buf, ptrdiff_t n, RC_T lr, RC_T wd, RC_T mom,
                                RC_T keep, RC_T thr, int flags)
{
    switch (flags) {
        RC_CONST_CASE(RC_FN(sgd_body), 0, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 1, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 2, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 3, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 10, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 11, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 16, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 17, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 18, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 19, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 26, p, g, buf, n, lr, wd, mom, keep, thr)
        RC_CONST_CASE(RC_FN(sgd_body), 27, p, g, buf, n, lr, wd, mom, keep, thr)
    default: /* first momentum step: once per run, a generic loop is fine */
        RC_FN(sgd_body)(p, g, buf, n, lr, wd, mom, keep, thr, flags);
    }
}

/* PyTorch's AdamW update of one block (decay = 1 - lr * weight_decay):
 * m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g * g;
 * vmax = maximum(vmax, v) (amsgrad, NaN propagates);
 * p = soft(p * decay - step_size * m / (sqrt(v or vmax) / bc2_sqrt + eps), thr)
 * One loop: with -fno-math-errno (setup.py) sqrt vectorizes in every clone. */
RC_OPTIM_INLINE void RC_FN(adamw_body)(RC_T *RC_RESTRICT p, const RC_T *RC_RESTRICT g,
                                       RC_T *RC_RESTRICT m, RC_T *RC_RESTRICT v,
                                       RC_T *RC_RESTRICT vmax, ptrdiff_t n, const RC_T *h,
                                       const int flags)
{
    const RC_T decay = h[0], b1 = h[1], keep1 = h[2], b2 = h[3], keep2 = h[4];
    const RC_T step_size = h[5], bc2_sqrt = h[6], eps = h[7], thr = h[8];
    for (ptrdiff_t i = 0; i < n; i++) {
        RC_T gi = g[i];
        RC_T mi = b1 * m[i] + keep1 * gi;
        RC_T vi = b2 * v[i] + keep2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        if (flags & 1) {
            RC_T w = vmax[i];
            w = (vi > w || vi != vi) ? vi : w;
            vmax[i] = w;
            vi = w;
        }
        RC_T denom = RC_SQRT(vi) / bc2_sqrt + eps;
        RC_T q = p[i] * decay - step_size * (mi / denom);
        if (flags & 2)
            q = RC_FN(soft)(q, thr);
        p[i] = q;
    }
}

/* h = {decay, b1, 1 - b1, b2, 1 - b2, step_size, bc2_sqrt, eps, l1 threshold};
 * flags: 1 = amsgrad (vmax used), 2 = soft-threshold after the step */
RC_OPTIM_KERNEL void RC_FN(adamw)(RC_T *RC_RESTRICT p, const RC_T *RC_RESTRICT g,
                                  RC_T *RC_RESTRICT m, RC_T *RC_RESTRICT v,
                                  RC_T *RC_RESTRICT vmax, ptrdiff_t n, const RC_T *h, int flags)
{
    switch (flags) {
        RC_CONST_CASE(RC_FN(adamw_body), 0, p, g, m, v, vmax, n, h)
        RC_CONST_CASE(RC_FN(adamw_body), 1, p, g, m, v, vmax, n, h)
        RC_CONST_CASE(RC_FN(adamw_body), 2, p, g, m, v, vmax, n, h)
    default:
        RC_FN(adamw_body)(p, g, m, v, vmax, n, h, 3);
    }
}

/* p = soft(p - lr * g, thr); g may be NULL: p = soft(p, thr) */
RC_OPTIM_KERNEL void RC_FN(prox_l1)(RC_T *RC_RESTRICT p, const RC_T *RC_RESTRICT g, ptrdiff_t n,
                                    RC_T lr, RC_T thr)
{
    if (g) {
        for (ptrdiff_t i = 0; i < n; i++)
            p[i] = RC_FN(soft)(p[i] - lr * g[i], thr);
    } else {
        for (ptrdiff_t i = 0; i < n; i++)
            p[i] = RC_FN(soft)(p[i], thr);
    }
}

/* Reductions keep 8 independent double accumulators (a fixed summation order,
 * which the compiler can vectorize without reassociating). */

/* np.sum(x.astype(float64) ** 2) */
RC_OPTIM_KERNEL double RC_FN(sum_squares)(const RC_T *RC_RESTRICT x, ptrdiff_t n)
{
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, tail = 0;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) {
            double xk = x[i + k];
            acc[k] += xk * xk;
        }
    for (; i < n; i++)
        tail += (double)x[i] * (double)x[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

/* np.sum(np.abs(x.astype(float64))) */
RC_OPTIM_KERNEL double RC_FN(sum_abs)(const RC_T *RC_RESTRICT x, ptrdiff_t n)
{
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, tail = 0;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            acc[k] += fabs((double)x[i + k]);
    for (; i < n; i++)
        tail += fabs((double)x[i]);
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

/* np.max(np.abs(x)) with NaN propagated (0 for n == 0) */
RC_OPTIM_KERNEL double RC_FN(max_abs)(const RC_T *RC_RESTRICT x, ptrdiff_t n)
{
    RC_T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) {
            RC_T a = RC_FABS(x[i + k]);
            acc[k] = (a > acc[k] || a != a) ? a : acc[k];
        }
    for (; i < n; i++) {
        RC_T a = RC_FABS(x[i]);
        acc[0] = (a > acc[0] || a != a) ? a : acc[0];
    }
    double best = 0;
    for (int k = 0; k < 8; k++)
        best = (acc[k] > best || acc[k] != acc[k]) ? acc[k] : best;
    return best;
}

/* x *= c */
RC_OPTIM_KERNEL void RC_FN(scale)(RC_T *RC_RESTRICT x, ptrdiff_t n, RC_T c)
{
    for (ptrdiff_t i = 0; i < n; i++)
        x[i] *= c;
}

/* acc += x.astype(float64) ** 2 (elementwise, acc has n entries) */
RC_OPTIM_KERNEL void RC_FN(add_squares)(double *RC_RESTRICT acc, const RC_T *RC_RESTRICT x,
                                        ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i++)
        acc[i] += (double)x[i] * (double)x[i];
}

/* x *= f (elementwise) */
RC_OPTIM_KERNEL void RC_FN(scale_each)(RC_T *RC_RESTRICT x, const RC_T *RC_RESTRICT f, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i++)
        x[i] *= f[i];
}
