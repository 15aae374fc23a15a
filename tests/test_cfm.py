"""Question 9g-9h: the NumPy CFM model's backprop is exact, training is reproducible and learns the
closed-form field, and the ODE sampler matches the data; untrained or buggy models are rejected."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations.flow_matching import checks as F
from derivations.flow_matching import figures as figs
from numerics import cfm
from numerics import flow_matching as fm

seeds = st.integers(0, 2**32 - 1)


def passed(results):
    results = [results] if not isinstance(results, list) else results
    return all(r.passed for r in results)


@settings(max_examples=10)
@given(seed=seeds)
def test_backprop_gradient_equals_finite_differences(seed):
    assert passed(F.check_gradients(np.random.default_rng(seed)))


def test_gradient_check_rejects_backprop_without_the_silu_derivative():
    def buggy(params, x, t, target):
        out, (z0, z1, g1, z2, _) = cfm.forward(params, x, t)
        r = out - target
        ones = np.ones_like(g1)
        return float((r**2).sum() / len(r)), cfm.backward(params, (z0, z1, ones, z2, ones), 2 * r / len(r))

    assert not passed(F.check_gradients(np.random.default_rng(0), grad_fn=buggy))


def test_training_is_reproducible_by_seed_and_changes_with_it():
    data = cfm.handful(3, 2, rng=0)
    a, b = cfm.train_cfm(data, steps=40, rng=5), cfm.train_cfm(data, steps=40, rng=5)
    c = cfm.train_cfm(data, steps=40, rng=6)
    assert np.array_equal(a.losses, b.losses)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in cfm.LAYERS)
    assert not np.array_equal(a.losses, c.losses)


def test_cfm_batch_target_is_the_line_velocity():
    data = cfm.handful(4, 3, rng=1)
    x, t, u = cfm.cfm_batch(data, 500, rng=2)
    ends = x + (1 - t)[:, None] * u  # x_t + (1 - t)(x_1 - x_0) = x_1
    assert np.allclose(np.min(np.abs(ends[:, None, :] - data[None]).sum(axis=2), axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_training_run_lowers_the_loss_and_learns_the_closed_form_field(seed):
    assert passed(F.check_training(np.random.default_rng(seed)))


def test_training_check_rejects_an_untrained_field():
    def untrained(kind, *, rng):
        data = cfm.example_data(kind, rng=rng)
        return data, cfm.train_cfm(data, steps=3, rng=rng)

    out = F.check_training(np.random.default_rng(0), kinds=("handful",), train=untrained)
    assert not passed(out)


def test_trained_ring_model_samples_match_held_out_data():
    assert passed(F.check_trained_sampler(np.random.default_rng(4)))


def test_sampler_check_rejects_a_briefly_trained_model():
    def brief(kind, *, rng):
        data = cfm.example_data(kind, rng=rng)
        return data, cfm.train_cfm(data, steps=30, rng=rng)

    assert not passed(F.check_trained_sampler(np.random.default_rng(4), train=brief))


@settings(max_examples=10)
@given(seed=seeds, shift=st.floats(0.3, 1.0))
def test_energy_distance_is_near_zero_in_law_and_positive_under_a_shift(seed, shift):
    rng = np.random.default_rng(seed)
    a, b = cfm.ring(800, rng=rng), cfm.ring(800, rng=rng)
    same, shifted = cfm.energy_distance(a, b), cfm.energy_distance(a, b + shift)
    assert abs(same) < 0.02 < shifted


@pytest.mark.parametrize("call, message", [
    (lambda: cfm.train_cfm(np.zeros((3, 2)), steps=0, rng=0), "steps"),
    (lambda: cfm.train_cfm(np.zeros((3, 2)), batch_size=0, rng=0), "batch_size"),
    (lambda: cfm.train_cfm(np.zeros((3, 2)), lr=-1.0, rng=0), "lr"),
    (lambda: cfm.example_data("moons", rng=0), "kind"),
    (lambda: cfm.energy_distance(np.zeros((1, 2)), np.zeros((5, 2))), "two points"),
    (lambda: cfm.handful(50, 1, rng=0, spread=0.1, min_separation=1.0), "could not place"),
    (lambda: cfm.forward(cfm.init_mlp(2, rng=0), np.zeros((3, 2)), np.zeros(2)), "one entry per row"),
])
def test_invalid_model_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_two_moons_is_centred_with_two_balanced_halves():
    pts = cfm.two_moons(4000, rng=0)
    assert pts.shape == (4000, 2) and np.all(np.abs(pts.mean(axis=0)) < 0.1)


def test_figures_of_9g_and_9h_are_drawn(tmp_path):
    for name, draw in (("g.pdf", figs.draw_training), ("h.pdf", figs.draw_samples)):
        draw(tmp_path / name, np.random.default_rng(0))
        assert (tmp_path / name).read_bytes().startswith(b"%PDF")


def test_learned_field_integrates_without_touching_t_equal_one():
    res = cfm.train_cfm(cfm.handful(3, 2, rng=0), steps=5, rng=0)
    seen = []
    fm.integrate(lambda x, t: seen.append(t) or res.velocity(x, t), np.zeros((4, 2)), n_steps=8, method="rk4")
    assert max(seen) < 1
