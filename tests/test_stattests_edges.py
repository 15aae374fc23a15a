"""Edges of the statistical checks: the pass/fail boundary at p = alpha, one-sided bounds on either
side of a nonzero bound, constant and too-small samples, expected counts below 1, and evidence
that cannot pass on NaN and serialises to strict JSON.

Most samples here are built so that the answer is known exactly (a symmetric sample has its mean
exactly, a constant one its standard error); where a random sample is drawn, the seed is fixed and
the chance that a correct implementation fails is stated beside it.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from numerics import stattests as T

SEEDS = st.integers(0, 2**32 - 1)


def symmetric_sample(mean, spread, n=50):
    """n values mean - spread, mean + spread alternating: their mean is ``mean`` up to rounding and
    their standard error spread * sqrt(n / (n - 1)) / sqrt(n)."""
    return mean + spread * np.resize([-1.0, 1.0], n)


# --------------------------------------------------------------------------- mean_bound_test


@given(centre=st.floats(-1e3, 1e3), bound_offset=st.floats(-1e3, 1e3), side=st.booleans())
def test_mean_bound_test_decides_by_the_side_of_a_nonzero_bound(centre, bound_offset, side):
    # standard error 1e-3 * sqrt(50/49) / sqrt(50) ~ 1.4e-4: a gap of 0.01 is z ~ 70, of 1e-6 z ~ 0.007
    values = symmetric_sample(centre, 1e-3)
    bound = centre + bound_offset
    gap = bound - centre if side else centre - bound  # > 0 when the claim holds
    if abs(gap) < 0.01:
        return
    result = T.mean_bound_test("bound", values, bound, below=side)
    assert result.passed == (gap > 0), result.evidence
    assert result.evidence["bound"] == bound and result.evidence["estimate"] == pytest.approx(centre, abs=1e-9)
    z = result.evidence["z"]
    assert z == pytest.approx(gap / result.evidence["standard_error"], rel=1e-6)


def test_mean_bound_test_above_a_positive_bound_is_not_a_test_of_the_mean_plus_the_bound():
    # mean 1: above 0.5 (passes) but not above 1.5; a statistic of mean + bound would pass both
    values = symmetric_sample(1.0, 0.01)
    assert T.mean_bound_test("above 0.5", values, 0.5, below=False).passed
    assert not T.mean_bound_test("above 1.5", values, 1.5, below=False).passed
    assert T.mean_bound_test("below 1.5", values, 1.5, below=True).passed
    assert not T.mean_bound_test("below 0.5", values, 0.5, below=True).passed


@pytest.mark.parametrize("value, bound, below, passes", [
    (0.1, 0.2, True, True), (0.1, 0.2, False, False), (0.3, 0.2, False, True), (0.3, 0.2, True, False),
    (0.1, 0.1, True, False), (0.1, 0.1, False, False),  # on the bound: the strict claim does not hold
    (-5.0, -5.0 + 1e-15, True, True),  # decided exactly, however small the gap
])
def test_a_constant_sample_is_decided_exactly(value, bound, below, passes):
    result = T.mean_bound_test("constant", np.full(1000, value), bound, below=below)
    assert result.passed is passes
    ev = result.evidence
    assert ev["test"].startswith("exact comparison") and ev["standard_error"] == 0.0
    assert ev["estimate"] == value and ev["n"] == 1000  # the value itself, not a rounded sum / n
    assert ev["p_value"] == (0.0 if passes else 1.0)
    json.dumps(result.to_json(), allow_nan=False)


@pytest.mark.parametrize("values, message", [
    ([], "at least 2 draws.*got 0"),
    ([3.0], "at least 2 draws.*got 1"),
    ([1.0, float("nan"), 2.0], "NaN or infinite.*index 1"),
    ([1.0, 2.0, float("inf")], "NaN or infinite.*index 2"),
])
def test_mean_bound_test_refuses_samples_it_cannot_judge(values, message):
    with pytest.raises(ValueError, match=message):
        T.mean_bound_test("bad", values, 0.0, below=True)


# --------------------------------------------------------------------------- mean_test


@pytest.mark.parametrize("values, expected, message", [
    (np.zeros(0), 0.0, r"at least 2 draws to estimate a standard error, got 0 \(values of shape \(0,\)"),
    (np.zeros((0, 3)), [0.0, 0.0, 0.0], r"got 0 \(values of shape \(0, 3\); expected shape \(n,\) or \(n, k\)"),
    ([2.0], 2.0, "got 1"),
    ([[1.0, 2.0]], [1.0, 2.0], "got 1"),
    (np.zeros((5, 0)), [], "no components"),
    (3.0, 3.0, "got a scalar"),
    (np.zeros((5, 3)), [0.0, 0.0], "expected has 2 entries but the values have 3 columns"),
])
def test_mean_test_names_what_is_wrong_with_its_input(values, expected, message):
    with pytest.raises(ValueError, match=message):
        T.mean_test("bad", values, expected)


def test_moments_test_needs_two_draws_too():
    with pytest.raises(ValueError, match="moments_test needs at least 2 draws"):
        T.moments_test("one", np.zeros((1, 2)), [0.0, 0.0], np.eye(2))


@given(alpha=st.sampled_from([1e-6, 1e-3, 0.05]), k=st.integers(1, 6))
def test_mean_test_reports_the_critical_value_of_its_level_and_components(alpha, k):
    values = symmetric_sample(0.0, 1.0, 40)[:, None] * np.ones(k)
    ev = T.mean_test("zero", values, np.zeros(k), alpha=alpha).evidence
    assert ev["components"] == k
    assert ev["critical_z"] == pytest.approx(-stats.norm.ppf(alpha / (2 * k)), rel=1e-12)


@pytest.mark.parametrize("alpha, k, z", [(0.05, 1, 1.959964), (0.05, 2, 2.241403), (1e-6, 3, 5.103554)])
def test_z_critical_splits_alpha_over_k_two_sided_components(alpha, k, z):
    assert T.z_critical(alpha, k) == pytest.approx(z, abs=1e-6)


# --------------------------------------------------------------------------- the boundary p = alpha


def _boundary_cases():
    rng = np.random.default_rng(11)
    u = rng.uniform(size=300)
    counts = np.bincount(rng.integers(0, 5, size=500), minlength=5)
    x = rng.normal(0.1, 1.0, size=(400, 2))
    return [
        ("ks_test", lambda a: T.ks_test("ks", u, "uniform", alpha=a), stats.kstest(u, "uniform").pvalue),
        ("two_sample_ks_test", lambda a: T.two_sample_ks_test("ks2", u[:150], u[150:], alpha=a),
         stats.ks_2samp(u[:150], u[150:]).pvalue),
        ("chi_square_test", lambda a: T.chi_square_test("chi2", counts, np.ones(5), alpha=a),
         stats.chisquare(counts).pvalue),
        ("binomial_test", lambda a: T.binomial_test("binom", 55, 100, 0.5, alpha=a),
         stats.binomtest(55, 100, 0.5).pvalue),
        ("mean_test", lambda a: T.mean_test("mean", x, [0.0, 0.0], alpha=a),
         T.mean_test("mean", x, [0.0, 0.0]).evidence["p_value"]),
    ]


@pytest.mark.parametrize("which, check, p", _boundary_cases(), ids=[c[0] for c in _boundary_cases()])
def test_a_check_passes_at_alpha_equal_to_its_p_value_and_fails_just_above(which, check, p):
    # "passes" means p >= alpha: the data are not extreme at that level
    assert 1e-12 < p < 1, p
    at = check(p)
    assert at.evidence["p_value"] == pytest.approx(p, rel=1e-12)
    assert at.passed, at.evidence
    above = check(np.nextafter(at.evidence["p_value"], 1.0))
    assert not above.passed, above.evidence


def test_ks_rejects_is_the_mirror_of_ks_test_at_the_boundary():
    u = np.random.default_rng(5).uniform(size=200)
    p = T.ks_test("ks", u, "uniform").evidence["p_value"]
    assert not T.ks_rejects("at p", u, "uniform", alpha=p).passed  # not rejected at alpha = p
    assert T.ks_rejects("above p", u, "uniform", alpha=np.nextafter(p, 1.0)).passed


def test_mean_bound_test_passes_only_below_alpha():
    values = symmetric_sample(0.0, 1.0, 60)
    p = T.mean_bound_test("probe", values, 0.3, below=True).evidence["p_value"]
    assert 0 < p < 1
    assert not T.mean_bound_test("at p", values, 0.3, below=True, alpha=p).passed
    assert T.mean_bound_test("above p", values, 0.3, below=True, alpha=np.nextafter(p, 1.0)).passed


# --------------------------------------------------------------------------- chi-square


@given(seed=SEEDS, cells=st.integers(2, 12), n=st.integers(1, 60))
def test_chi_square_matches_scipy_even_with_expected_counts_below_one(seed, cells, n):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(cells, 0.3))  # small concentration: some cells get tiny probabilities
    counts = rng.multinomial(n, p)
    ours = T.chi_square_test("vs scipy", counts, p, alpha=1e-6)
    expected = n * p
    ref = stats.chisquare(counts, expected)
    assert ours.evidence["statistic"] == pytest.approx(ref.statistic, rel=1e-9)
    assert ours.evidence["p_value"] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
    assert ours.evidence["min_expected_count"] == pytest.approx(expected.min(), rel=1e-12)
    assert ours.evidence["dof"] == cells - 1


def test_chi_square_with_cells_below_one_expected_count_by_hand():
    # expected (0.5, 0.5, 9): X^2 = 0.5^2/0.5 + 1.5^2/0.5 + 1^2/9 = 5.1111, 2 dof
    r = T.chi_square_test("small cells", [0, 2, 8], [0.05, 0.05, 0.9])
    assert r.evidence["statistic"] == pytest.approx(0.5 + 4.5 + 1 / 9, rel=1e-12)
    assert r.evidence["p_value"] == pytest.approx(math.exp(-(0.5 + 4.5 + 1 / 9) / 2), rel=1e-12)
    assert r.evidence["min_expected_count"] == pytest.approx(0.5)


def test_chi_square_rejects_a_hit_in_a_cell_of_probability_zero_and_ignores_empty_ones():
    hit = T.chi_square_test("impossible", [50, 50, 1], [0.5, 0.5, 0.0])
    assert not hit.passed and hit.evidence["p_value"] == 0.0
    assert hit.evidence["hits_in_cells_of_probability_0"] == 1
    empty = T.chi_square_test("unused cell", [50, 50, 0], [0.5, 0.5, 0.0])
    assert empty.passed and empty.evidence["dof"] == 1 and empty.evidence["statistic"] == 0.0


@pytest.mark.parametrize("counts, probabilities, message", [
    ([1, 2], [0.5, 0.25, 0.25], "3 finite numbers|2 finite numbers"),
    ([1, 2], [0.0, 0.0], "positive sum"),
    ([1, 2], [0.5, float("nan")], "finite"),
    ([1, -2], [0.5, 0.5], "counts must be finite and >= 0"),
])
def test_chi_square_refuses_invalid_cells(counts, probabilities, message):
    with pytest.raises(ValueError, match=message):
        T.chi_square_test("bad", counts, probabilities)


# --------------------------------------------------------------------------- evidence


def test_a_check_cannot_pass_on_nan_evidence():
    with pytest.raises(ValueError, match=r"passed with NaN evidence \(critical_z\)"):
        T.CheckResult("swapped arguments", True, {"critical_z": float("nan"), "p_value": 0.5})
    with pytest.raises(ValueError, match=r"estimate\[1\]"):
        T.CheckResult("nested", True, {"estimate": np.array([1.0, np.nan])})
    failed = T.CheckResult("failed on NaN", False, {"statistic": float("nan")})
    assert failed.to_json()["evidence"]["non_finite"] == {"statistic": "nan"}
    late = T.CheckResult("NaN added later", True, {"z": 1.0})
    late.evidence["z"] = float("nan")  # the dict is mutable: to_json checks again
    with pytest.raises(ValueError, match="NaN evidence"):
        late.to_json()


def test_evidence_serialises_to_strict_json_with_non_finite_values_as_null():
    # a NaN output against a closed form: the error is NaN and the check fails
    r = T.close_test("nan output", [1.0, np.nan], [1.0, 2.0])
    assert not r.passed and math.isnan(r.evidence["max_abs_error"])
    doc = json.loads(json.dumps(r.to_json(), allow_nan=False))
    assert doc["evidence"]["max_abs_error"] is None and doc["evidence"]["max_excess_over_bound"] is None
    assert doc["evidence"]["non_finite"] == {"max_abs_error": "nan", "max_excess_over_bound": "nan"}
    assert doc["evidence"]["size"] == 2 and doc["passed"] is False and doc["name"] == "nan output"
    inf = T.CheckResult("z against a zero standard error", False, {"z": [-math.inf, 2.0]}).to_json()
    assert inf["evidence"] == {"z": [None, 2.0], "non_finite": {"z[0]": "-inf"}}
    ok = T.mean_test("on", np.arange(10.0), 4.5)
    assert "non_finite" not in ok.to_json()["evidence"]


@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6)))
def test_non_finite_lists_exactly_the_nan_and_infinite_numbers(value):
    found = T.non_finite({"a": [value, 1.0], "b": np.array([value])})
    bad = isinstance(value, float) and not math.isfinite(value)
    assert [path for path, _ in found] == (["a[0]", "b[0]"] if bad else [])


def test_numpy_scalars_in_evidence_become_plain_json_values():
    r = T.CheckResult("numpy", True, {"ok": np.bool_(True), "n": np.int64(3), "x": np.float32(0.5),
                                      "v": np.array([1, 2]), "t": (np.float64(1.5), "s")})
    doc = r.to_json()
    assert doc["evidence"] == {"ok": True, "n": 3, "x": 0.5, "v": [1, 2], "t": [1.5, "s"]}
    assert type(doc["evidence"]["ok"]) is bool and type(doc["evidence"]["n"]) is int
    assert json.loads(json.dumps(doc, allow_nan=False)) == doc
