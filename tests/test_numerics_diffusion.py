"""numerics.diffusion against its own definitions: the posterior mean is the posterior-weighted
average of the data (the same numbers as ``posterior_x0(...) @ data``, to rounding), the noise
predictor inverts the forward map, and the samplers follow their closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from numerics import diffusion as nd

SEEDS = st.integers(0, 2**32 - 1)
ALPHA_BARS = st.sampled_from([1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-4])


def logit_scale(x, a, data):
    """Size of the terms that make the posterior logits, (|x| + sqrt(a) |y|)^2 / (1 - a): their
    rounding (a few eps of it) is the resolution of the posterior."""
    return (np.abs(x).max() + math.sqrt(a) * np.abs(data).max()) ** 2 * x.shape[1] / (1 - a)


@given(seed=SEEDS, a=ALPHA_BARS, n=st.integers(1, 30), d=st.integers(1, 4), weighted=st.booleans())
def test_posterior_mean_is_the_posterior_average_of_the_data(seed, a, n, d, weighted):
    rng = np.random.default_rng(seed)
    data = rng.normal(0.0, 2.0, size=(n, d))
    x = math.sqrt(a) * data[rng.integers(n, size=8)] + math.sqrt(1 - a) * rng.normal(size=(8, d))
    w = rng.uniform(0.0, 1.0, size=n) * (rng.uniform(size=n) < 0.8) if weighted else None
    if w is not None and w.sum() == 0:
        w[0] = 1.0
    mean = nd.posterior_mean_x0(x, a, data, w)
    post = nd.posterior_x0(x, a, data, w)
    # logits agree to ~64 eps of their terms, so the weights to that relative error: the means agree
    # to that times the spread of the data (plus the rounding of the averages themselves)
    spread = np.abs(data).max()
    tol = 64 * np.finfo(float).eps * (logit_scale(x, a, data) + n) * spread
    np.testing.assert_allclose(mean, post @ data, rtol=0, atol=tol)
    if w is not None:
        assert np.all(post[:, w == 0] == 0)  # a point of weight 0 has posterior 0


def test_posterior_mean_uses_the_variance_one_minus_alpha_bar():
    # two data points, x between them but nearer the first: with variance 1 - a = 0.5 the weight of
    # the first is sigmoid(sqrt(a) (x . (y1 - y2)) / (1 - a)); variance 1 + a would give another number
    data = np.array([[1.0], [-1.0]])
    a, x = 0.5, np.array([[0.3]])
    w1 = 1 / (1 + math.exp(-2 * math.sqrt(a) * 0.3 / (1 - a)))
    np.testing.assert_allclose(nd.posterior_mean_x0(x, a, data), [[2 * w1 - 1]], rtol=1e-14)
    np.testing.assert_allclose(nd.posterior_x0(x, a, data), [[w1, 1 - w1]], rtol=1e-14)
    np.testing.assert_allclose(nd.optimal_epsilon(x, a, data),
                               (x - math.sqrt(a) * (2 * w1 - 1)) / math.sqrt(1 - a), rtol=1e-14)


@given(seed=SEEDS, a=ALPHA_BARS, d=st.integers(1, 3))
def test_log_posterior_is_log_of_the_posterior_and_normalised(seed, a, d):
    rng = np.random.default_rng(seed)
    data, x = rng.normal(size=(5, d)), rng.normal(size=(4, d))
    lp = nd.log_posterior_x0(x, a, data)
    np.testing.assert_allclose(np.exp(lp), nd.posterior_x0(x, a, data), rtol=1e-15)
    np.testing.assert_allclose(np.exp(lp).sum(axis=1), 1.0, rtol=1e-12)
    ref = stats.multivariate_normal  # Bayes' rule with SciPy's densities
    lj = np.array([[ref.logpdf(xi, math.sqrt(a) * y, (1 - a) * np.eye(d)) for y in data] for xi in x])
    np.testing.assert_allclose(lp, lj - np.log(np.exp(lj - lj.max(1, keepdims=True)).sum(1, keepdims=True))
                               - lj.max(1, keepdims=True), atol=1e-9)


@given(betas=st.lists(st.floats(1e-4, 0.5), min_size=1, max_size=30))
def test_alpha_bars_are_products_of_one_minus_beta(betas):
    np.testing.assert_allclose(nd.alpha_bars(betas), np.cumprod(1 - np.array(betas)), rtol=1e-13)


def test_linear_schedule_is_evenly_spaced_between_its_ends():
    b = nd.linear_schedule(5, 0.1, 0.5)
    np.testing.assert_allclose(b, [0.1, 0.2, 0.3, 0.4, 0.5], rtol=1e-15)
    assert nd.linear_schedule().shape == (1000,)
    assert nd.linear_schedule()[0] == 1e-4 and nd.linear_schedule()[-1] == 0.02
    assert nd.linear_schedule(1, 0.3, 0.3).tolist() == [0.3]


@pytest.mark.parametrize("call, message", [
    (lambda: nd.linear_schedule(0), "T must be a positive integer, got 0"),
    (lambda: nd.linear_schedule(2.5), "T must be a positive integer"),
    (lambda: nd.alpha_bars([]), "non-empty 1-D"),
    (lambda: nd.alpha_bars([[0.1]]), "non-empty 1-D"),
    (lambda: nd.alpha_bars([0.1, 1.0]), r"betas\[1\] = 1.0"),
    (lambda: nd.alpha_bars([0.0]), r"betas\[0\] = 0.0"),
    (lambda: nd.alpha_bars([float("nan")]), r"betas\[0\] = nan"),
    (lambda: nd.posterior_x0([[0.0]], [0.5], [[1.0]]), "alpha_bar must be a scalar"),
    (lambda: nd.sample_joint(0, 0.5, [[1.0]], rng=0), "n must be a positive integer, got 0"),
    (lambda: nd.sample_joint(2.5, 0.5, [[1.0]], rng=0), "n must be a positive integer"),
    (lambda: nd.forward_process(np.zeros((0, 2)), [0.1], rng=0), "x0 must be a finite array"),
    (lambda: nd.forward_process(np.zeros((1, 1, 2)), [0.1], rng=0), "x0 must be a finite array"),
    (lambda: nd.forward_process([[np.nan]], [0.1], rng=0), "x0 must be a finite array"),
])
def test_invalid_inputs_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_forward_process_path_starts_at_x0_and_has_every_step():
    x0 = np.array([[1.0, -2.0]])
    path = nd.forward_process(x0, [0.1, 0.2, 0.3], rng=4, return_path=True)
    assert path.shape == (4, 1, 2) and np.array_equal(path[0], x0)
    assert np.array_equal(path[-1], nd.forward_process(x0, [0.1, 0.2, 0.3], rng=4))
    # one step by hand with the same generator: shrink, then add noise of variance beta
    noise = np.random.default_rng(4).standard_normal((1, 2))
    np.testing.assert_allclose(path[1], math.sqrt(0.9) * x0 + math.sqrt(0.1) * noise, rtol=1e-15)


def test_sample_joint_follows_its_closed_form_and_weights():
    data = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    labels, eps, xt = nd.sample_joint(2000, 0.3, data, rng=7, weights=[1.0, 3.0, 0.0])
    np.testing.assert_allclose(xt, math.sqrt(0.3) * data[labels] + math.sqrt(0.7) * eps, rtol=1e-15)
    assert set(np.unique(labels)) == {0, 1}  # weight 0: never drawn
    # label 1 has probability 3/4: P(|count - 1500| > 5.33 sd) = 1e-7 (a false alarm at that rate)
    assert abs((labels == 1).sum() - 1500) <= 5.33 * math.sqrt(2000 * 0.75 * 0.25)
