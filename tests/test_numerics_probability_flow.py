"""numerics.probability_flow: the noise schedule and the exact marginals in closed form, RK4's
order in either direction of time, and the sampler starting from an exact draw of p_1."""

import math

import numpy as np
import pytest

from numerics import mixtures
from numerics import probability_flow as pf


def model():
    return pf.MixtureDiffusion([0.3, 0.7], [[-1.5, 0.5], [1.0, -0.5]], 0.2)


def test_schedule_is_linear_in_t_and_alpha_bar_is_exp_of_minus_its_integral():
    assert pf.beta(0.0) == pf.BETA_MIN and pf.beta(1.0) == pf.BETA_MAX
    assert pf.beta(0.25) == pytest.approx(0.1 + 0.25 * 19.9, rel=1e-15)
    for t in (0.0, 0.3, 1.0):
        integral = pf.BETA_MIN * t + 0.5 * (pf.BETA_MAX - pf.BETA_MIN) * t * t
        assert pf.alpha_bar(t) == pytest.approx(math.exp(-integral), rel=1e-14)
    h = 1e-6  # d log alpha_bar / dt = -beta(t)
    assert (math.log(pf.alpha_bar(0.5 + h)) - math.log(pf.alpha_bar(0.5 - h))) / (2 * h) == pytest.approx(
        -pf.beta(0.5), rel=1e-7)


def test_marginals_shrink_the_means_and_fill_the_variance_up_to_one():
    m = model()
    for t in (0.0, 0.4, 1.0):
        ab = pf.alpha_bar(t)
        w, means, var = m.marginal(t)
        np.testing.assert_allclose(means, math.sqrt(ab) * m.means, rtol=1e-15)
        np.testing.assert_allclose(var, 0.2 * ab + 1 - ab, rtol=1e-14)  # s^2 abar + (1 - abar)
        np.testing.assert_allclose(m.log_marginal(means[:1], t), mixtures.log_density(means[:1], w, means, var),
                                   rtol=1e-12)


@pytest.mark.parametrize("variance", [1.0, 1.5, -0.2])
def test_data_variance_must_be_below_the_stationary_one(variance):
    with pytest.raises(ValueError, match="variance"):
        pf.MixtureDiffusion([1.0], [[0.0]], variance)


@pytest.mark.parametrize("backwards", [False, True])
def test_rk4_has_fourth_order_in_either_direction_of_time(backwards):
    # dx/dt = -x: x(1) = e^-1 x(0); the error falls 16-fold when the step halves
    errors = []
    for n in (10, 20):
        grid = np.linspace(0.0, 1.0, n + 1)
        start, exact = (math.e, 1.0) if backwards else (1.0, math.exp(-1))
        (x,) = pf.rk4(lambda s, t: (-s[0],), (np.array([start]),), grid[::-1] if backwards else grid)
        if backwards:
            exact = math.e * math.e  # integrating dx/dt = -x from t = 1 down to 0 multiplies by e
        errors.append(abs(x[0] - exact))
    assert errors[0] / errors[1] == pytest.approx(16, rel=0.05)


def test_time_grid_is_uniform_in_the_square_root_of_t():
    np.testing.assert_allclose(pf.time_grid(4), [0.0, 1 / 16, 1 / 4, 9 / 16, 1.0], rtol=1e-15)
    with pytest.raises(ValueError, match="n_steps must be a positive integer"):
        pf.time_grid(0)


def test_the_sampler_starts_from_an_exact_draw_of_p1_and_integrates_the_ode_back():
    # integrating the ODE forward from the sampler's output returns to the draw of p_1 that the
    # same generator makes (RK4 there and back: agreement to 1e-6, while p_1 at t = 2 instead of
    # t = 1 would move the draw by sqrt(alpha_bar(1)) |mu| ~ 1e-2)
    m = model()
    x0 = m.sample_ode(50, rng=3, n_steps=400)
    x1, _ = mixtures.sample(50, *m.marginal(1.0), rng=3)
    (back,) = pf.rk4(lambda s, t: (m.drift(s[0], t),), (x0,), pf.time_grid(400))
    np.testing.assert_allclose(back, x1, atol=1e-6)
