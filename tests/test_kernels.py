"""The shared posterior kernel equals the brute-force Bayes computation, at any chunk size."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from numerics import kernels as K


def brute_log_joint(x, s, v, y, w):
    d = x.shape[1]
    return np.log(w / w.sum())[None, :] + np.array(
        [[multivariate_normal.logpdf(xi, s * yj, v * np.eye(d)) for yj in y] for xi in x])


@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 4), s=st.floats(-2, 2), v=st.floats(1e-3, 10),
       max_bytes=st.sampled_from([8, 200, 10**6]))
def test_kernel_matches_brute_force_bayes_rule(seed, d, s, v, max_bytes):
    rng = np.random.default_rng(seed)
    y, x, w = rng.normal(size=(7, d)), 2 * rng.normal(size=(5, d)), rng.uniform(0.1, 1, size=7)
    lj = brute_log_joint(x, s, v, y, w)
    lp = lj - logsumexp(lj, axis=1, keepdims=True)
    np.testing.assert_allclose(K.log_mixture_density(x, s, v, y, w, max_bytes=max_bytes),
                               logsumexp(lj, axis=1), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(K.log_posterior(x, s, v, y, w), lp, atol=1e-9)
    np.testing.assert_allclose(K.posterior_mean(x, s, v, y, w, max_bytes=max_bytes), np.exp(lp) @ y, atol=1e-9)


@pytest.mark.parametrize("s, v", [(1 - 1e-12, 1e-12), (1e-6, 1 - 1e-12)])
def test_kernel_is_finite_far_away_and_at_extreme_variances(s, v):
    y = np.eye(3)
    x = np.array([[1e6, -1e6, 3.0], [0.0, 0.0, 0.0]])
    assert np.all(np.isfinite(K.posterior_mean(x, s, v, y)))
    assert np.all(np.isfinite(K.log_mixture_density(x, s, v, y)))
    assert np.all(np.isfinite(K.log_posterior(x, s, v, y)))


@pytest.mark.parametrize("call, message", [
    (lambda: K.posterior_mean(np.zeros((2, 3)), 1.0, 1.0, np.zeros((4, 2))), "dimension"),
    (lambda: K.posterior_mean(np.zeros((2, 2)), 1.0, 0.0, np.zeros((4, 2))), "variance"),
    (lambda: K.posterior_mean(np.full((2, 2), np.nan), 1.0, 1.0, np.zeros((4, 2))), "NaN"),
    (lambda: K.posterior_mean(np.zeros((2, 2)), 1.0, 1.0, np.zeros((4, 2)), [1, -1, 1, 1]), "weights"),
    (lambda: K.posterior_mean(np.zeros((2, 2, 2)), 1.0, 1.0, np.zeros((4, 2))), "shape"),
])
def test_invalid_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_rows_far_from_the_data_take_the_exact_maximum_and_agree_with_bayes_rule(monkeypatch):
    """A query far from every data point (relative to sqrt(v)) underflows the fast shift h(x);
    it is redone with the exact row maximum, in the same call as ordinary rows."""
    slow_rows = []
    original = K._Problem.weights
    monkeypatch.setattr(K._Problem, "weights", lambda self, rows: slow_rows.append(len(rows)) or original(self, rows))
    rng = np.random.default_rng(3)
    y, w = rng.normal(size=(9, 2)), rng.uniform(0.1, 1, size=9)
    x = np.vstack([y[:3] + 0.01, [[40.0, -25.0]]])  # three near points, one far (gap ~ 1e5)
    s, v = 0.9, 0.01
    lj = brute_log_joint(x, s, v, y, w)
    lp = lj - logsumexp(lj, axis=1, keepdims=True)
    np.testing.assert_allclose(K.posterior_mean(x, s, v, y, w), np.exp(lp) @ y, atol=1e-9)
    np.testing.assert_allclose(K.log_mixture_density(x, s, v, y, w), logsumexp(lj, axis=1), rtol=1e-10)
    assert slow_rows == [1, 1]  # only the far row, once per call


@given(n=st.integers(1, 40), m=st.integers(1, 9), max_bytes=st.integers(8, 4000))
def test_tiling_does_not_change_the_result(n, m, max_bytes):
    rng = np.random.default_rng(n * 100 + m)
    y, x = rng.normal(size=(n, 3)), rng.normal(size=(m, 3))
    whole = K.posterior_mean(x, 0.7, 0.5, y, max_bytes=10**7)
    np.testing.assert_allclose(K.posterior_mean(x, 0.7, 0.5, y, max_bytes=max_bytes), whole, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(K.log_mixture_density(x, 0.7, 0.5, y, max_bytes=max_bytes),
                               K.log_mixture_density(x, 0.7, 0.5, y, max_bytes=10**7), rtol=1e-12)
