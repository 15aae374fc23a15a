"""numerics.flow_matching and the shared kernel on the path itself at the largest time: a query at
x = t y + (1 - t) z with (1 - t)^2 = 1e-18 makes logits that are differences of terms ~1e19, whose
rounding can exceed the kernel's upper bound h by more than exp can hold (it overflowed to inf and
gave NaN velocities in 125 of 200 such draws before the kernel caught it)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from numerics import flow_matching as fm
from numerics import kernels

SEEDS = st.integers(0, 2**32 - 1)


@given(seed=SEEDS, n=st.integers(1, 7), d=st.sampled_from([1, 2, 3, 8]))
def test_velocity_and_density_are_finite_on_the_path_at_t_max(seed, n, d):
    rng = np.random.default_rng(seed)
    data = rng.normal(0, 2, (n, d))
    tt = fm.T_MAX
    j = rng.integers(n, size=5)
    x = tt * data[j] + (1 - tt) * rng.normal(size=(5, d))
    v = fm.marginal_velocity(x, tt, data)
    assert np.all(np.isfinite(v))
    assert np.all(np.isfinite(kernels.log_mixture_density(x, tt, (1 - tt) ** 2, data)))
    # the posterior mean x + (1 - t) v lies in the data's bounding box (a convex combination)
    mean = kernels.posterior_mean(x, tt, (1 - tt) ** 2, data)
    assert np.all(mean >= data.min(axis=0) - 1e-9) and np.all(mean <= data.max(axis=0) + 1e-9)
