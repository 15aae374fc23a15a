"""numerics.flows: layers are immutable once validated, and invalid layers are refused."""

import dataclasses

import numpy as np
import pytest

from numerics import flows


def test_layers_and_flows_cannot_be_changed_after_validation():
    layer = flows.ElementwiseSinh([0.5, 0.5], [0.0, 0.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        layer.a = np.array([-1.0, 1.0])  # would bypass the check a > 0
    flow = flows.Flow.random(2, rng=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        flow.layers = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        flow.layers[0].mask = np.array([False, False])


def test_a_flow_without_layers_is_refused_for_that_reason():
    with pytest.raises(ValueError, match="a flow needs at least one layer"):
        flows.Flow(())


def test_random_couplings_alternate_their_masks_for_any_number_of_couplings():
    flow = flows.Flow.random(5, rng=1, n_couplings=4)
    masks = [layer.mask for layer in flow.layers[:-1]]
    assert [m.tolist() for m in masks] == [[True, False, True, False, True], [False, True, False, True, False]] * 2
    assert isinstance(flow.layers[-1], flows.ElementwiseSinh)
    assert len(flows.Flow.random(1, rng=1).layers) == 1  # d = 1: nothing to couple, only the sinh


def test_random_parameters_have_the_documented_spreads():
    # 400 x 400 coupling weights and 200-400 biases: a sample sd is off by a factor outside
    # [0.8, 1.25] with probability < 1e-8 (relative sd of a sample sd: 1/sqrt(2N) <= 0.05)
    d, hidden, scale = 800, 400, 0.6
    flow = flows.Flow.random(d, rng=2, n_couplings=1, hidden=hidden, scale=scale)
    c, sinh = flow.layers
    for name, value, sd in (("W1", c.W1, 1 / np.sqrt(400)), ("c1", c.c1, 0.5), ("Ws", c.Ws, scale / np.sqrt(hidden)),
                            ("Wt", c.Wt, 2 * scale / np.sqrt(hidden)), ("ct", c.ct, 0.5)):
        assert 0.8 < value.std() / sd < 1.25, (name, value.std() / sd)
    assert 0.4 <= sinh.a.min() and sinh.a.max() <= 0.8 and -0.5 <= sinh.b.min() and sinh.b.max() <= 0.5
    assert sinh.a.max() - sinh.a.min() > 0.35 and sinh.b.max() - sinh.b.min() > 0.9  # the whole ranges
