"""numerics.autoregressive: parameter checks that name the fault, array_like inputs, and the
enumeration of configurations."""

import numpy as np
import pytest

from numerics import autoregressive as ar


def test_parameters_may_be_nested_lists():
    b, W = ar.check_parameters([0.5, -1.0], [[0.0, 0.0], [2.0, 0.0]])
    assert isinstance(W, np.ndarray) and W.dtype == float and W.tolist() == [[0.0, 0.0], [2.0, 0.0]]
    np.testing.assert_allclose(np.exp(ar.log_density(ar.all_configurations(2), [0.5, -1.0],
                                                     [[0.0, 0.0], [2.0, 0.0]])).sum(), 1.0, rtol=1e-14)


@pytest.mark.parametrize("bias, W, message", [
    ([0.0, np.nan], [[0.0, 0.0], [1.0, 0.0]], "finite"),  # only the bias is bad
    ([0.0, 0.0], [[0.0, 0.0], [np.inf, 0.0]], "finite"),  # only W is bad
    ([0.0, 0.0], [[0.0, 1.0], [0.0, 0.0]], "strictly lower triangular"),
    ([0.0, 0.0], [[1.0, 0.0], [0.0, 0.0]], "strictly lower triangular"),  # the diagonal too
    ([0.0, 0.0], [[0.0]], r"shape \(2, 2\)"),
])
def test_invalid_parameters_are_named(bias, W, message):
    with pytest.raises(ValueError, match=message):
        ar.check_parameters(bias, W)


@pytest.mark.parametrize("d", [0, -1, ar.MAX_ENUMERATED_DIMENSION + 1])
def test_enumeration_refuses_dimensions_outside_its_range(d):
    with pytest.raises(ValueError, match=rf"d must lie in \[1, {ar.MAX_ENUMERATED_DIMENSION}\], got {d}"):
        ar.all_configurations(d)


@pytest.mark.parametrize("d", [1, 3])
def test_enumeration_lists_every_configuration_once_with_its_index(d):
    x = ar.all_configurations(d)
    assert x.shape == (2**d, d) and len({tuple(r) for r in x}) == 2**d
    assert ar.configuration_index(x).tolist() == list(range(2**d))
    assert ar.all_configurations(1).tolist() == [[0], [1]]
