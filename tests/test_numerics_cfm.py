"""numerics.cfm: the toy data sets have the laws their docstrings state, and the network starts
from the stated initialisation (a small initial field)."""

import math

import numpy as np

from numerics import cfm
from numerics.stattests import ks_test

ALPHA = 1e-6  # each KS test below fails a correct sampler with probability 1e-6


def test_ring_has_uniform_angles_and_normal_radii_from_an_integer_seed():
    pts = cfm.ring(4000, rng=3, radius=2.0, width=0.1)
    assert np.array_equal(pts, cfm.ring(4000, rng=3, radius=2.0, width=0.1))  # an int seed reproduces
    angle = np.mod(np.arctan2(pts[:, 1], pts[:, 0]), 2 * np.pi) / (2 * np.pi)
    assert ks_test("angle uniform on the circle", angle, "uniform", alpha=ALPHA).passed
    r = np.hypot(pts[:, 0], pts[:, 1])
    assert ks_test("radius N(2, 0.1^2)", r, "norm", args=(2.0, 0.1), alpha=ALPHA).passed


def test_a_ring_with_angles_over_one_and_a_half_turns_is_caught():
    # the power of the angle test: angles on [0, 3 pi) put twice the mass on half the circle
    a = np.random.default_rng(0).uniform(0, 3 * np.pi, size=4000)
    assert not ks_test("1.5 turns", np.mod(a, 2 * np.pi) / (2 * np.pi), "uniform", alpha=ALPHA).passed


def test_initial_network_has_fan_in_scaled_weights_and_a_small_output_layer():
    hidden, d, n_freq = 64, 2, 3
    p = cfm.init_mlp(d, hidden=hidden, n_freq=n_freq, rng=5)
    d_in = d + 1 + 2 * n_freq
    assert p["W1"].shape == (d_in, hidden) and p["W2"].shape == (hidden, hidden) and p["W3"].shape == (hidden, d)
    assert all(np.all(p[b] == 0) for b in ("b1", "b2", "b3"))
    # sample sd of N(0, s^2) entries: relative error ~ 1/sqrt(2N), N >= 128 entries, so a factor
    # outside [0.7, 1.4] is a > 4.8-sd event (false alarm < 1e-6 per matrix)
    for name, sd in (("W1", 1 / math.sqrt(d_in)), ("W2", 1 / math.sqrt(hidden)), ("W3", 0.1 / math.sqrt(hidden))):
        ratio = p[name].std() / sd
        assert 0.7 < ratio < 1.4, (name, ratio)
    # the initial field is small: |v| well below the data's unit scale at ordinary inputs
    v = cfm.forward(p, np.random.default_rng(1).normal(size=(500, d)), 0.5)[0]
    assert np.sqrt((v ** 2).mean()) < 0.2
