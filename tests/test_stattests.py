"""Statistical checks hold their stated false-alarm rate and reject planted errors."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from numerics import stattests as T


def _rejections(test, n_runs, rng):
    return sum(not test(np.random.default_rng(rng.integers(2**32))).passed for _ in range(n_runs))


def test_mean_test_false_alarm_rate_matches_alpha():
    # 400 runs at alpha = 0.05: the rejection count is Binomial(400, 0.05); accept it unless
    # it is outside that binomial's central 1 - 1e-6 range.
    rng = np.random.default_rng(1)
    count = _rejections(lambda r: T.mean_test("null", r.exponential(2.0, size=(2000, 2)), [2.0, 2.0],
                                              alpha=0.05), 400, rng)
    lo, hi = stats.binom.interval(1 - 1e-6, 400, 0.05)
    assert lo <= count <= hi


@given(seed=st.integers(0, 2**32 - 1), shift=st.floats(0.2, 1.0))
def test_mean_test_rejects_a_planted_shift(seed, shift):
    rng = np.random.default_rng(seed)
    n = T.required_sample_size(shift, 1.0, power=0.999999)
    x = rng.normal(shift, 1.0, size=n)
    assert not T.mean_test("shifted", x, 0.0).passed


@given(seed=st.integers(0, 2**32 - 1))
def test_moments_test_accepts_true_and_rejects_wrong_covariance(seed):
    rng = np.random.default_rng(seed)
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    x = rng.multivariate_normal([1.0, -1.0], cov, size=40_000)
    assert T.moments_test("true", x, [1.0, -1.0], cov).passed
    assert not T.moments_test("variance instead of sd", x, [1.0, -1.0], np.sqrt(cov.clip(0))).passed


def test_ks_chi_square_and_binomial_tests():
    rng = np.random.default_rng(0)
    u = rng.uniform(size=5000)
    assert T.ks_test("uniform", u, "uniform").passed
    assert not T.ks_test("not normal", u, "norm").passed
    counts = np.bincount(rng.integers(0, 4, size=8000), minlength=4)
    assert T.chi_square_test("fair die", counts, [1, 1, 1, 1]).passed
    assert not T.chi_square_test("loaded die", counts, [2, 1, 1, 1]).passed
    assert T.binomial_test("coin", 5010, 10_000, 0.5).passed
    assert not T.binomial_test("coin", 5600, 10_000, 0.5).passed


def test_close_test_reports_its_tolerance():
    r = T.close_test("fd", [1.0, 2.0], [1.0, 2.0 + 1e-9], rtol=1e-6)
    assert r.passed and r.evidence["rtol"] == 1e-6
    assert not T.close_test("fd", [1.0], [1.1], rtol=1e-6).passed
    assert not T.close_test("nan", [np.nan], [1.0]).passed


def test_required_sample_size_gives_the_stated_power():
    rng = np.random.default_rng(5)
    n = T.required_sample_size(0.1, 1.0, alpha=0.01, power=0.9)
    hits = sum(not T.mean_test("s", rng.normal(0.1, 1, n), 0.0, alpha=0.01).passed for _ in range(300))
    assert stats.binom.cdf(hits, 300, 0.9) > 1e-6  # not significantly below the stated power


def test_evidence_is_json_ready():
    import json
    r = T.mean_test("x", np.arange(10.0), 4.5)
    doc = json.loads(json.dumps(r.to_json(), allow_nan=False))  # strict JSON: no NaN, no Infinity
    assert doc["name"] == "x" and doc["passed"] is True
    ev = doc["evidence"]
    assert ev["n"] == 10 and ev["estimate"] == [4.5] and ev["expected"] == [4.5] and ev["max_abs_z"] == 0.0
    assert ev["critical_z"] == T.z_critical(1e-6) and ev["p_value"] == 1.0



# --------------------------------------------------------------------------- rounding floor of mean_test


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 10**6), value=st.floats(-1e6, 1e6, allow_subnormal=False))
def test_mean_test_does_not_judge_the_rounding_of_a_constant_column(seed, n, value):
    # every value is the same float: the sample spread is 0 or a few ulps, and the mean is off by
    # summation rounding that does not shrink with n (without the floor, z ~ 1000 at n = 10^6)
    col = np.full(n, value)
    assert T.mean_test("constant", col, value).passed
    # the same column computed by a cancellation of large operands: their magnitude is the scale
    big = np.random.default_rng(seed).normal(0.0, 1e4, n)
    cancelled = (value + big) - big
    assert T.mean_test("constant plus rounding", cancelled, value, scale=1e4 + abs(value) + np.abs(big).max()).passed


def test_mean_test_rounding_floor_is_needed_for_the_measured_cases():
    # without the floor these columns give z far beyond z* = 4.9 (measured: 31 and 1000)
    for n in (1000, 10**6):
        r = T.mean_test("0.1 repeated", np.full(n, 0.1), 0.1)
        assert r.passed and r.evidence["columns_at_rounding_floor"] == 1


@given(seed=st.integers(0, 2**32 - 1), shift=st.floats(1e-12, 1e-9), spread=st.floats(0.0, 1e-15))
def test_mean_test_still_rejects_a_shifted_column_with_tiny_spread(seed, shift, spread):
    rng = np.random.default_rng(seed)
    col = 1.0 + shift + spread * rng.standard_normal(1000)
    assert not T.mean_test("shifted by >= 1e-12", col, 1.0).passed
    # a residual that should be zero, off by the shift, with operands of size 1
    assert not T.mean_test("residual off by the shift", col - 1.0, 0.0, scale=1.0).passed


@given(seed=st.integers(0, 2**32 - 1))
def test_mean_test_rounding_floor_is_inactive_for_ordinary_samples(seed):
    x = np.random.default_rng(seed).normal(3.0, 1e-3, size=(5000, 3))
    r = T.mean_test("ordinary", x, [3.0, 3.0, 3.0])
    assert r.evidence["columns_at_rounding_floor"] == 0
    assert all(f < 1e-6 * s for f, s in zip(r.evidence["rounding_floor"], r.evidence["standard_error"]))
