"""numerics.warmup's quadrature refinement and Richardson check, at their exact boundaries."""

import numpy as np
import pytest
from scipy import stats

from numerics import warmup as nw


def test_split_cuts_every_interval_into_equal_pieces():
    (cut,) = nw._split([np.array([0.0, 1.0, 3.0])], 2)
    np.testing.assert_array_equal(cut, [0.0, 0.5, 1.0, 2.0, 3.0])
    (same,) = nw._split([np.array([0.0, 1.0, 3.0])], 1)
    np.testing.assert_array_equal(same, [0.0, 1.0, 3.0])


@pytest.mark.parametrize("parts", [1, 2, 4])
def test_cell_probabilities_do_not_depend_on_how_the_cells_are_cut(parts):
    edges = [np.array([-3.0, -1.0, 0.0, 0.5, 2.5])]
    probs, err = nw.cell_probabilities(lambda x: stats.norm.logpdf(x[:, 0]), edges, parts=parts)
    exact = np.diff(stats.norm.cdf(edges[0]))
    np.testing.assert_allclose(probs, exact, rtol=1e-12, atol=1e-15)
    assert np.all(err < 1e-10)


@pytest.mark.parametrize("fine, coarse, exact, passes", [
    (1.0, 1.75, 1.5, True),    # error 0.5 = bound 2 * |1 - 1.75| / (2^2 - 1) = 0.5: on the bound passes
    (1.0, 1.75, 1.5000001, False),  # just beyond it fails
    (1.0, 1.75, 1.45, True),   # 0.45 inside
])
def test_richardson_bound_is_safety_times_the_difference_over_ratio_to_the_order_minus_one(fine, coarse, exact,
                                                                                            passes):
    r = nw.richardson_test("order 2", [fine], [coarse], [exact], order=2, ratio=2, safety=2.0, rtol=0.0)
    assert r.passed is passes
    assert r.evidence["max_error_estimate"] == 0.25  # |1 - 1.75| / 3
    assert r.evidence["max_abs_error"] == pytest.approx(abs(fine - exact), rel=1e-15)
