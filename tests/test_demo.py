"""Building blocks of the demo: features, closed forms, summaries and the NumPy MLP."""

import numpy as np
import pytest
from scipy import stats

from regcore._demo import linear
from regcore.data import load_diabetes


def test_quadratic_diabetes_model_has_the_64_predictors_of_efron_et_al():
    X, _, names = load_diabetes()
    Xq, labels = linear.quadratic_features(X, names)
    assert Xq.shape == (442, 64) and len(labels) == 64
    assert "sex^2" not in labels and "bmi^2" in labels and "age*sex" in labels
    np.testing.assert_array_equal(Xq[:, labels.index("bmi*s5")], X[:, 2] * X[:, 8])


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train, test = rng.normal(5, 3, (50, 4)), rng.normal(5, 3, (20, 4))
    train[:, 3] = 1.0  # a constant column is left centred, not divided by zero
    a, b = linear.standardize(train, test)
    np.testing.assert_allclose(a[:, :3].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(a[:, :3].std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(b, (test - train.mean(0)) / np.where(train.std(0) > 0,
                                                                    train.std(0), 1))


def test_least_squares_interpolates_when_features_outnumber_samples(rng):
    X, y = rng.standard_normal((20, 50)), rng.standard_normal(20)
    coef, intercept = linear.least_squares(X, y)
    np.testing.assert_allclose(X @ coef + intercept, y, atol=1e-10)
    # minimum norm: the coefficients lie in the row space of the centred X
    Xc = X - X.mean(axis=0)
    projection = np.linalg.pinv(Xc) @ (Xc @ coef)
    np.testing.assert_allclose(projection, coef, atol=1e-10)


def test_support_scores_and_entry_order():
    truth = np.array([0.0, 2.0, 0.0, -1.0])
    assert linear.support_scores(np.array([0.0, 1.0, 0.5, 0.0]), truth) == (0.5, 0.5)
    precision, recall = linear.support_scores(np.zeros(4), truth)
    assert np.isnan(precision) and recall == 0
    coefs = np.array([[0, 0, 1.0], [0, 2.0, 2.0], [0, 0, 0], [3.0, 3.0, 3.0]])
    assert linear.entry_order(coefs) == [3, 1, 0]


def test_cv_path_on_diabetes_selects_a_sparser_1se_model():
    from regcore.linear_model import make_folds

    X, y, _ = load_diabetes()
    X, _ = linear.standardize(X, X[:1])
    path = linear.enet_cv("lasso", X, y, make_folds(len(y), 5, shuffle=True, rng=0),
                          l1_ratio=1.0, n_alphas=30)
    assert path.coefs.shape == (10, 30) and path.alphas[0] > path.alphas[-1]
    assert path.alpha_1se >= path.alpha_min
    assert np.count_nonzero(path.model("1se")[0]) <= np.count_nonzero(path.model("min")[0])
    assert path.mean[path.index("min")] == path.mean.min()
    # the first feature to enter is bmi, as in Efron et al. (2004)
    assert linear.entry_order(path.coefs)[0] == 2


# --- the MLP -------------------------------------------------------------------------

from regcore._demo import mlp  # noqa: E402


def test_softmax_cross_entropy_gradient_matches_finite_differences(rng):
    logits, y = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    loss, grad = mlp.softmax_cross_entropy(logits, y)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(5), y])))
    step = 1e-6
    numeric = np.zeros_like(logits)
    for idx in np.ndindex(*logits.shape):
        shifted = logits.copy()
        shifted[idx] += step
        numeric[idx] = (mlp.softmax_cross_entropy(shifted, y)[0] - loss) / step
    np.testing.assert_allclose(grad, numeric, atol=1e-5)


@pytest.mark.parametrize("p", [0.0, 0.5])
def test_mlp_gradients_match_finite_differences(p):
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 4)), np.array([0, 1, 2, 1, 0, 2])
    net = mlp.MLP([4, 5, 5, 3], dropout=p, rng=rng)
    for bias in net.biases:  # off zero: a sample whose units are all dead would sit on a kink
        bias[:] = rng.uniform(0.1, 0.3, bias.shape)

    def loss_at_fixed_masks():
        calls = [layer.calls for layer in net.dropouts]
        loss, grads = net.loss_and_grads(X, y)
        for layer, c in zip(net.dropouts, calls):
            layer.calls = c  # replay the same masks next time (Philox key = (seed, calls))
        return loss, grads

    loss, grads = loss_at_fixed_masks()
    step = 1e-6
    for param, grad in zip(net.params, grads):
        assert grad.shape == param.shape
        numeric = np.zeros_like(param)
        for idx in np.ndindex(*param.shape):
            saved = param[idx]
            param[idx] = saved + step
            numeric[idx] = (loss_at_fixed_masks()[0] - loss) / step
            param[idx] = saved
        np.testing.assert_allclose(grad, numeric, atol=1e-4, rtol=1e-3)


def test_he_initialization_scale():
    net = mlp.MLP([400, 300, 3], rng=np.random.default_rng(0))
    # kaiming_normal_ with ReLU gain: std = sqrt(2 / fan_in), fan_in = 400 (PyTorch layout)
    assert net.weights[0].shape == (300, 400)
    # sum of squares / std^2 ~ chi-square(n): a 1e-6-level two-sided bound, not a fudge
    n = net.weights[0].size
    chi2 = np.sum(net.weights[0] ** 2) / (2 / 400)
    assert stats.chi2.ppf(5e-7, n) <= chi2 <= stats.chi2.ppf(1 - 5e-7, n)
    assert np.all(net.biases[0] == 0)


def _small_problem():
    from regcore.data import make_classification

    X, y = make_classification(260, 10, 4, n_classes=3, class_sep=3.0, flip_y=0.1, rng=5)
    return dict(X_train=X[:60], y_train=y[:60], X_val=X[60:160], y_val=y[60:160],
                X_test=X[160:], y_test=y[160:])


def test_training_overfits_and_weight_decay_and_early_stopping_act():
    data = _small_problem()
    kw = dict(hidden=(32,), epochs=40, batch_size=10, lr=0.05, patience=5, seed=0)
    plain = mlp.train(mlp.RunConfig("plain"), data, **kw)
    decay = mlp.train(mlp.RunConfig("wd", weight_decay=0.05), data, **kw)
    early = mlp.train(mlp.RunConfig("es", early_stopping=True), data, **kw)
    assert len(plain.train) == 40 and plain.train[-1] < 0.5 * plain.train[0]
    assert plain.val[-1] > min(plain.val)           # the validation loss turned up: overfitting
    assert decay.train[-1] > plain.train[-1]        # decay keeps the fit away from memorizing
    assert early.stopped_epoch < 40                  # early stopping ended the run
    # restore_best: the final validation loss is the best one seen
    assert early.final["val_loss"] == pytest.approx(min(early.val), rel=1e-12)
