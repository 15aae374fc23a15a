"""numerics.kde takes array_like inputs (lists, one point as a 1-D array) and refuses a sample size
that is not a non-negative integer."""

import numpy as np
import pytest
from scipy.stats import gaussian_kde

from numerics import kde

DATA = [[0.0, 1.0], [1.0, -0.5], [2.5, 0.3], [-1.0, 0.2]]


def test_log_density_of_one_point_given_as_a_list():
    ref = gaussian_kde(np.array(DATA).T).logpdf(np.array([[0.4], [0.1]]))
    np.testing.assert_allclose(kde.log_density([0.4, 0.1], DATA), ref, rtol=1e-12)
    np.testing.assert_allclose(kde.log_density(np.array([0.4, 0.1]), np.array(DATA)), ref, rtol=1e-12)


def test_sample_from_list_data_lands_near_the_data():
    x = kde.sample(5, DATA, np.eye(2) * 1e-12, rng=0)
    assert x.shape == (5, 2)
    assert np.min(np.abs(x[:, None, :] - np.array(DATA)[None]).sum(axis=-1), axis=1).max() < 1e-4
    assert kde.sample(0, DATA, rng=0).shape == (0, 2)


@pytest.mark.parametrize("n", [-1, 2.5, -0.5])
def test_sample_refuses_a_size_that_is_not_a_non_negative_integer(n):
    with pytest.raises(ValueError, match=f"n must be a non-negative integer, got {n}"):
        kde.sample(n, DATA, rng=0)


def test_a_scalar_is_not_taken_for_a_point_of_every_dimension():
    with pytest.raises(ValueError, match=r"x must have shape \(m, d\) or \(d,\), got shape \(\)"):
        kde.log_density(0.5, DATA)
