"""numerics.logistic takes array_like inputs and refuses labels outside {0, 1} in every entry point."""

import math

import numpy as np
import pytest

from numerics import logistic as lg

X = [[1.0, 0.5], [1.0, -1.0], [1.0, 2.0]]
Y = [1, 0, 1]


def test_the_likelihood_its_gradient_and_hessian_take_lists():
    theta = [0.2, -0.3]
    z = np.array(X) @ theta
    nll = -np.mean([math.log(lg.sigmoid(zi)) if yi else math.log(1 - lg.sigmoid(zi)) for zi, yi in zip(z, Y)])
    assert lg.mean_negative_log_likelihood(theta, X, Y) == pytest.approx(nll, rel=1e-14)
    grad = np.array(X).T @ (lg.sigmoid(z) - np.array(Y)) / 3
    np.testing.assert_allclose(lg.mean_nll_gradient(theta, X, Y), grad, rtol=1e-14)
    s = lg.sigmoid(z)
    np.testing.assert_allclose(lg.mean_nll_hessian(theta, X), (np.array(X).T * (s * (1 - s))) @ np.array(X) / 3,
                               rtol=1e-14)
    assert lg.sample(X, theta, rng=0).shape == (3,)
    assert lg.fit(X, Y).success


@pytest.mark.parametrize("call", [
    lambda: lg.mean_negative_log_likelihood([0.0, 0.0], X, [1, 0, 2]),
    lambda: lg.mean_nll_gradient([0.0, 0.0], X, [1, 0, 0.5]),
    lambda: lg.fit(X, [1, 0, -1]),
    lambda: lg.mean_negative_log_likelihood([0.0, 0.0], X, [1, 0]),
])
def test_labels_outside_zero_one_are_refused(call):
    with pytest.raises(ValueError, match=r"y must be \d labels in \{0, 1\}"):
        call()
