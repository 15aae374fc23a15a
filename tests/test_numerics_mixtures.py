"""numerics.mixtures at its edges: responsibilities exactly 0 or 1 in the ELBO, zero draws from the
sampler, and the ELBO written out term by term against SciPy's densities."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from numerics import mixtures as mx

SEEDS = st.integers(0, 2**32 - 1)


def brute_elbo(X, resp, w, m, v):
    """sum_i sum_z Q [log p_z N(x; mu_z, v_z I) - log Q], with 0 log 0 = 0 written out."""
    total = 0.0
    for i, x in enumerate(X):
        for z in range(len(w)):
            q = resp[i, z]
            if q > 0:
                lj = math.log(w[z]) + stats.multivariate_normal.logpdf(x, m[z], v[z] * np.eye(len(x)))
                total += q * (lj - math.log(q))
    return total


def params(rng, k, d):
    return rng.dirichlet(np.ones(k)), rng.normal(0, 2, size=(k, d)), rng.uniform(0.3, 2.0, size=k)


@given(seed=SEEDS, n=st.integers(1, 30), d=st.integers(1, 3), k=st.integers(1, 4), kind=st.sampled_from(
    ["one-hot", "some zeros", "interior"]))
def test_elbo_is_the_sum_of_its_terms_with_zero_log_zero_as_zero(seed, n, d, k, kind):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 2, size=(n, d))
    w, m, v = params(rng, k, d)
    if kind == "one-hot":
        resp = np.eye(k)[rng.integers(k, size=n)]
    else:
        resp = rng.dirichlet(np.ones(k), size=n)
        if kind == "some zeros":
            resp[rng.uniform(size=(n, k)) < 0.4] = 0.0
            resp[resp.sum(axis=1) == 0, 0] = 1.0
            resp /= resp.sum(axis=1, keepdims=True)
    got = mx.elbo(X, resp, w, m, v)
    assert math.isfinite(got)
    assert got == pytest.approx(brute_elbo(X, resp, w, m, v), rel=1e-10, abs=1e-10)
    assert got <= mx.log_likelihood(X, w, m, v) + 1e-9 * (1 + abs(got))  # Gibbs: ELBO <= log-likelihood


def test_elbo_of_hard_assignments_is_the_complete_data_log_likelihood():
    X = np.array([[0.0], [2.0], [10.0]])
    resp = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    w, m, v = np.array([0.25, 0.75]), np.array([[1.0], [10.0]]), np.array([1.0, 4.0])
    expected = (2 * math.log(0.25) + stats.norm.logpdf([0.0, 2.0], 1.0, 1.0).sum()
                + math.log(0.75) + stats.norm.logpdf(10.0, 10.0, 2.0))
    assert mx.elbo(X, resp, w, m, v) == pytest.approx(expected, rel=1e-14)


def test_elbo_rejects_responsibilities_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"resp must have shape \(2, 2\), got shape \(2, 3\)"):
        mx.elbo(np.zeros((2, 1)), np.full((2, 3), 1 / 3), [0.5, 0.5], [[0.0], [1.0]], [1.0, 1.0])


def test_sample_of_zero_draws_has_the_right_empty_shapes():
    X, z = mx.sample(0, [0.5, 0.5], [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], [1.0, 2.0], rng=0)
    assert X.shape == (0, 3) and z.shape == (0,)
    assert X.dtype == float and np.issubdtype(z.dtype, np.integer)


@pytest.mark.parametrize("n", [-1, 2.5])
def test_sample_refuses_a_count_that_is_not_a_non_negative_integer(n):
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        mx.sample(n, [1.0], [[0.0]], [1.0], rng=0)


def test_sample_scales_each_component_by_its_own_standard_deviation():
    # component 1 has variance 4: its draws have sd 2. 4000 draws: the sample variance of N(0, 4)
    # has sd 4 sqrt(2/3999) ~ 0.089, so |s^2 - 4| > 0.6 is a 6.7-sd event (false alarm < 1e-10)
    X, z = mx.sample(8000, [0.5, 0.5], [[0.0], [100.0]], [1.0, 4.0], rng=12)
    assert np.all(np.abs(X[z == 0, 0]) < 10) and np.all(np.abs(X[z == 1, 0] - 100) < 20)
    assert abs(X[z == 1, 0].var() - 4.0) < 0.6 and abs(X[z == 0, 0].var() - 1.0) < 0.15


@pytest.mark.parametrize("max_iter, tol", [(-1, 1e-8), (10, -1e-3), (10, float("nan"))])
def test_em_refuses_a_negative_budget_or_tolerance(max_iter, tol):
    with pytest.raises(ValueError, match="need max_iter >= 0 and tol >= 0"):
        mx.em(np.array([[0.0], [1.0]]), [1.0], [[0.5]], [1.0], max_iter=max_iter, tol=tol)
