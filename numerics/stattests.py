"""Numeric checks as statistical tests with a stated false-alarm probability.

Every Monte Carlo claim "this estimate should equal that value" becomes a test of a null
hypothesis at level ``alpha`` (default :data:`DEFAULT_ALPHA`): the check fails only if the data
would be that extreme with probability below ``alpha`` were the claim true. Deterministic checks
(finite differences, quadrature) report their tolerance instead of a p-value.

All functions are NumPy/SciPy only and return a :class:`CheckResult` whose ``evidence`` is a plain
dictionary (JSON-ready: sample size, statistic, p-value, alpha or tolerance).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(1.0, 2.0, size=(20_000, 1))
>>> mean_test("mean of N(1, 4)", x, [1.0]).passed
True
>>> mean_test("wrong mean", x, [1.2]).passed
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


def _stats():
    """:mod:`scipy.stats`, imported when a test first needs it (it takes most of a cold start)."""
    from scipy import stats

    return stats


#: Default false-alarm probability of one check (two-sided, family-wise over its components).
DEFAULT_ALPHA = 1e-6


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one numeric check: its name, whether it passed, and the evidence.

    A check cannot pass on NaN: a NaN anywhere in the numbers of ``evidence`` means a computation
    went wrong (a critical value of an impossible level, the spread of one value), so a
    ``passed=True`` result with a NaN in its evidence raises a ValueError naming the field, both
    when it is made and in :meth:`to_json`. Infinities are legitimate evidence of a failure (the
    z of a nonzero difference against a zero standard error).

    >>> CheckResult("broken", True, {"critical_z": float("nan")})
    Traceback (most recent call last):
    ...
    ValueError: check 'broken' passed with NaN evidence (critical_z); a check cannot pass on NaN
    """

    name: str
    passed: bool
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._refuse_nan_pass()

    def _refuse_nan_pass(self) -> None:
        if self.passed:
            bad = [path for path, v in non_finite(self.evidence) if math.isnan(v)]
            if bad:
                raise ValueError(f"check {self.name!r} passed with NaN evidence ({', '.join(bad)}); "
                                 "a check cannot pass on NaN")

    def to_json(self) -> dict:
        """Plain JSON (``json.dumps(..., allow_nan=False)`` accepts it).

        Every non-finite number of the evidence becomes ``null``, and the evidence gains a key
        ``non_finite`` mapping each such field's path to ``"nan"``, ``"inf"`` or ``"-inf"``, so
        the value is not lost and no string stands where a number is expected.

        >>> CheckResult("z", False, {"max_abs_z": float("inf"), "n": 3}).to_json()
        {'name': 'z', 'passed': False, 'evidence': {'max_abs_z': None, 'n': 3, 'non_finite': {'max_abs_z': 'inf'}}}
        """
        self._refuse_nan_pass()
        evidence = _jsonable(self.evidence)
        bad = dict((path, str(v)) for path, v in non_finite(self.evidence))
        if bad:
            evidence["non_finite"] = bad
        return {"name": self.name, "passed": bool(self.passed), "evidence": evidence}


def non_finite(value: Any, path: str = "") -> list[tuple[str, float]]:
    """``(path, value)`` of every NaN or infinite number inside ``value`` (dicts, lists, arrays).

    >>> non_finite({"a": 1.0, "b": [0.0, float("nan")], "c": {"d": np.array([np.inf])}})
    [('b[1]', nan), ('c.d[0]', inf)]
    """
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in non_finite(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [hit for i, v in enumerate(value) for hit in non_finite(v, f"{path}[{i}]")]
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return [(path, float(value))]
    return []


def _jsonable(value: Any) -> Any:
    """Convert NumPy scalars and arrays inside ``value`` to plain Python for JSON; NaN and
    infinities become None (JSON null)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    return value


def z_critical(alpha: float, k: int = 1) -> float:
    """Two-sided critical value of a z-test at level ``alpha`` shared by ``k`` components.

    .. math:: z^* = \\Phi^{-1}(1 - \\alpha / (2k))

    >>> round(z_critical(0.05), 3)
    1.96
    """
    return float(_stats().norm.isf(alpha / (2 * k)))


def required_sample_size(effect: float, sd: float, *, alpha: float = DEFAULT_ALPHA,
                         power: float = 0.99, k: int = 1) -> int:
    """Samples needed for a two-sided z-test to detect a mean shift of ``effect``.

    .. math:: n = \\left(\\frac{(z_{1-\\alpha/2k} + z_{\\text{power}})\\,\\sigma}{\\delta}\\right)^2

    >>> required_sample_size(0.1, 1.0, alpha=0.05, power=0.8)
    785
    """
    z = z_critical(alpha, k) + float(_stats().norm.ppf(power))
    return int(math.ceil((z * sd / effect) ** 2))


def _draws(values: Any, who: str) -> np.ndarray:
    """``values`` as an (n, k) float array of n >= 2 draws of k >= 1 components, or a ValueError
    saying what was received and what is expected (a standard error needs two draws).

    >>> _draws([[1.0, 2.0]], "mean_test")
    Traceback (most recent call last):
    ...
    ValueError: mean_test needs at least 2 draws to estimate a standard error, got 1 (values of shape (1, 2); expected shape (n,) or (n, k) with n >= 2)
    """
    v = np.asarray(values, dtype=float)
    shape = v.shape
    if v.ndim == 0:
        raise ValueError(f"{who} takes values of shape (n,) or (n, k), got a scalar")
    if shape[0] >= 2:  # (reshape(0, -1) is ambiguous: NumPy refuses it)
        v = v.reshape(shape[0], -1)
    if shape[0] < 2:
        raise ValueError(f"{who} needs at least 2 draws to estimate a standard error, got {v.shape[0]} "
                         f"(values of shape {shape}; expected shape (n,) or (n, k) with n >= 2)")
    if v.shape[1] == 0:
        raise ValueError(f"{who} got values of shape {shape} with no components; expected (n, k) with k >= 1")
    return v


#: Rounding floor of :func:`mean_test`'s standard error, in units of ``eps * scale``.
ROUNDING_ULPS = 8.0


def mean_test(name: str, values: Any, expected: Any, *, alpha: float = DEFAULT_ALPHA,
              scale: Any = None) -> CheckResult:
    """z-test that each column of ``values`` has mean ``expected`` (CLT, Bonferroni over columns).

    ``values`` has shape (n,) or (n, k): n independent draws of a k-vector whose expectation
    is claimed to be ``expected`` (shape (k,)). The family-wise false-alarm rate is ``alpha``.

    The standard error has a floor at the resolution of float64 arithmetic,

    .. math:: \\mathrm{se}_j = \\max\\big(s_j / \\sqrt{n},\\ c\\,\\varepsilon\\, m_j\\big), \\qquad
              m_j = \\max\\big(\\max_i |v_{ij}|,\\ |\\mu_j|,\\ \\text{scale}_j\\big),

    with :math:`\\varepsilon` the machine epsilon and :math:`c` = :data:`ROUNDING_ULPS` = 8. A
    column that holds exactly up to rounding (a constant, or a difference of two equal
    computations) has a sample spread of a few ulps, and its mean differs from ``expected`` by
    rounding that does NOT average out: rounding errors are deterministic functions of the inputs,
    so they share a sign (``np.full(10**6, 0.1).mean()`` is off by 2.8e-17 with a sample standard
    error of 2.8e-20, z = 1000), and pairwise summation adds up to about
    :math:`\\log_2 n\\,\\varepsilon\\, m_j`. Hence the floor is not divided by :math:`\\sqrt n`: with it
    a difference passes when it is below :math:`z^* c\\,\\varepsilon\\, m_j` (about
    :math:`40\\,\\varepsilon\\, m_j` at alpha = 1e-6, above that summation error for n up to
    :math:`10^{6}` plus a few :math:`\\varepsilon\\, m_j` of rounding in each value),
    far below any effect a Monte Carlo check is sized to detect. When the values are small
    differences of large operands (a residual that is zero up to rounding), pass the operands'
    magnitude as ``scale`` (a scalar or one per column): their rounding, not the values', sets
    the resolution.

    >>> mean_test("constant column", np.full(10**6, 0.1), 0.1).passed
    True
    >>> mean_test("shifted column with tiny spread", 1e-12 + np.full(1000, 1.0), 1.0).passed
    False
    """
    v = _draws(values, "mean_test")
    n, k = v.shape
    mu = np.asarray(expected, dtype=float).ravel()
    if mu.size not in (1, k):
        raise ValueError(f"mean_test: expected has {mu.size} entries but the values have {k} columns; "
                         f"expected one value per column (or one for all)")
    mu = np.broadcast_to(mu, (k,))
    magnitude = np.maximum(np.abs(v).max(axis=0), np.abs(mu))
    if scale is not None:
        magnitude = np.maximum(magnitude, np.abs(np.broadcast_to(np.asarray(scale, dtype=float).ravel(), (k,))))
    floor = ROUNDING_ULPS * np.finfo(float).eps * magnitude
    sample_se = v.std(axis=0, ddof=1) / math.sqrt(n)
    se = np.maximum(sample_se, floor)
    diff = v.mean(axis=0) - mu
    z = np.where(se > 0, np.abs(diff) / np.where(se > 0, se, 1.0), np.where(diff == 0, 0.0, np.inf))
    p = float(min(1.0, k * 2 * _stats().norm.sf(z.max())))
    evidence = {
        "test": "two-sided z-test on the sample mean (CLT), Bonferroni over components",
        "n": n, "components": k, "max_abs_z": float(z.max()), "critical_z": z_critical(alpha, k),
        "p_value": p, "alpha": alpha, "estimate": v.mean(axis=0), "expected": mu,
        "standard_error": se, "rounding_floor": floor,
        "columns_at_rounding_floor": int((sample_se < floor).sum()),
    }
    return CheckResult(name, bool(p >= alpha), evidence)


def moments_test(name: str, samples: Any, mean: Any, cov: Any, *, alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """Test that samples of shape (n, d) have the given mean (d,) and covariance (d, d).

    Uses :func:`mean_test` on the vector ``[x, vech((x - mean)(x - mean)^T)]``: unbiased under the
    null, and the CLT applies to both the first and the second moments jointly.
    """
    x = _draws(samples, "moments_test")
    mu = np.asarray(mean, dtype=float).ravel()
    sigma = np.broadcast_to(np.asarray(cov, dtype=float), (x.shape[1], x.shape[1]))
    c = x - mu
    iu = np.triu_indices(x.shape[1])
    second = (c[:, :, None] * c[:, None, :])[:, iu[0], iu[1]]
    result = mean_test(name, np.hstack([x, second]), np.concatenate([mu, sigma[iu]]), alpha=alpha)
    evidence = dict(result.evidence, test="z-tests on first and second central moments (CLT), Bonferroni")
    return CheckResult(name, result.passed, evidence)


def ks_test(name: str, samples: Any, cdf: Callable | str, *, args: tuple = (),
            alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """One-sample Kolmogorov-Smirnov test of ``samples`` against a continuous ``cdf``."""
    x = np.asarray(samples, dtype=float).ravel()
    res = _stats().kstest(x, cdf, args=args)
    evidence = {"test": "one-sample Kolmogorov-Smirnov", "n": x.size, "statistic": float(res.statistic),
                "p_value": float(res.pvalue), "alpha": alpha}
    return CheckResult(name, bool(res.pvalue >= alpha), evidence)


def chi_square_test(name: str, counts: Any, probabilities: Any, *, alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """Pearson chi-square goodness-of-fit of observed ``counts`` to cell ``probabilities``.

    .. math:: X^2 = \\sum_c \\frac{(O_c - E_c)^2}{E_c}, \\quad E_c = n\\, p_c / \\textstyle\\sum p,
              \\qquad p = P(\\chi^2_{C-1} \\ge X^2)

    over the C cells of positive probability (the statistic and p-value of
    :func:`scipy.stats.chisquare`, whatever the expected counts; the evidence records the smallest,
    since below about 5 the chi-square law is only an approximation). A count in a cell of
    probability 0 is impossible under the null, so it rejects exactly (p-value 0).

    >>> chi_square_test("impossible cell", [5, 5, 1], [0.5, 0.5, 0.0]).evidence["p_value"]
    0.0
    """
    counts = np.asarray(counts, dtype=float).ravel()
    p = np.asarray(probabilities, dtype=float).ravel()
    if p.shape != counts.shape or not (np.all(np.isfinite(p)) and np.all(p >= 0) and p.sum() > 0):
        raise ValueError(f"chi_square_test: probabilities must be {counts.size} finite numbers >= 0 with a "
                         f"positive sum (one per count), got {p.size} with sum {p.sum()!r}")
    if not (np.all(np.isfinite(counts)) and np.all(counts >= 0)):
        raise ValueError("chi_square_test: counts must be finite and >= 0")
    expected = counts.sum() * p / p.sum()
    possible = expected > 0
    stat = float(((counts[possible] - expected[possible]) ** 2 / expected[possible]).sum())
    dof = int(possible.sum() - 1)
    impossible = int((counts[~possible] > 0).sum())  # cells of probability 0 that were hit
    if impossible:
        pval = 0.0
    else:
        pval = float(_stats().chi2.sf(stat, dof)) if dof > 0 else 1.0
    evidence = {"test": "Pearson chi-square goodness of fit", "n": int(counts.sum()), "cells": counts.size,
                "statistic": stat, "dof": dof, "p_value": pval, "alpha": alpha,
                "min_expected_count": float(expected[possible].min()) if possible.any() else 0.0,
                "hits_in_cells_of_probability_0": impossible}
    return CheckResult(name, bool(pval >= alpha), evidence)


def binomial_test(name: str, successes: int, trials: int, p: float, *, alpha: float = DEFAULT_ALPHA,
                  alternative: str = "two-sided") -> CheckResult:
    """Exact binomial test of the null "success probability is ``p``".

    ``alternative`` is ``two-sided``, ``less`` or ``greater`` (as in :func:`scipy.stats.binomtest`).
    """
    res = _stats().binomtest(int(successes), int(trials), float(p), alternative=alternative)
    evidence = {"test": f"exact binomial ({alternative})", "n": int(trials), "successes": int(successes),
                "expected_p": float(p), "p_value": float(res.pvalue), "alpha": alpha}
    return CheckResult(name, bool(res.pvalue >= alpha), evidence)


def two_sample_ks_test(name: str, a: Any, b: Any, *, alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """Two-sample Kolmogorov-Smirnov test that ``a`` and ``b`` come from one distribution."""
    res = _stats().ks_2samp(np.ravel(a), np.ravel(b))
    evidence = {"test": "two-sample Kolmogorov-Smirnov", "n": [np.size(a), np.size(b)],
                "statistic": float(res.statistic), "p_value": float(res.pvalue), "alpha": alpha}
    return CheckResult(name, bool(res.pvalue >= alpha), evidence)


def close_test(name: str, actual: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 1e-10) -> CheckResult:
    """Deterministic agreement ``|actual - expected| <= atol + rtol |expected|`` elementwise.

    For quadrature, finite differences and closed forms: no randomness, so no p-value; the
    evidence records the tolerance and the worst error.
    """
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    err = np.abs(a - e)
    bound = atol + rtol * np.abs(e)
    ok = bool(np.all(np.isfinite(a)) and np.all(np.isfinite(e)) and np.all(err <= bound))
    worst = float(np.max(err - bound)) if err.size else 0.0
    evidence = {"test": "deterministic tolerance", "rtol": rtol, "atol": atol,
                "max_abs_error": float(err.max()) if err.size else 0.0,
                "max_excess_over_bound": worst, "size": int(a.size)}
    return CheckResult(name, ok, evidence)


def mean_bound_test(name: str, values: Any, bound: float, *, below: bool,
                    alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """One-sided z-test that the mean of ``values`` lies below (or above) ``bound``.

    The null hypothesis is the opposite (mean >= bound, resp. <= bound); the check passes when
    the data reject it at level ``alpha``, i.e. when the one-sided confidence bound excludes it.

    .. math:: z = \\frac{\\text{bound} - \\bar v}{s / \\sqrt n} \\ (\\text{below}), \\qquad
              p = 1 - \\Phi(z), \\qquad \\text{pass} \\iff p < \\alpha

    A constant sample (every value the same, so the standard error is 0) is decided exactly: the
    mean is that value, and the check passes when it lies strictly on the claimed side of the
    bound (p-value 0, else 1). At least two values are needed; the values must be finite.

    >>> mean_bound_test("constant", [0.5, 0.5, 0.5], 1.0, below=True).evidence["test"]
    'exact comparison: the sample is constant, so its mean is known without error'
    >>> mean_bound_test("on the bound", [1.0, 1.0], 1.0, below=True).passed
    False
    """
    vals = _draws(np.ravel(values), "mean_bound_test")[:, 0]
    if not np.all(np.isfinite(vals)):
        raise ValueError(f"mean_bound_test: the values contain NaN or infinite entries "
                         f"(first at index {int(np.flatnonzero(~np.isfinite(vals))[0])}); expected finite numbers")
    size = vals.size
    side = f"H0 mean {'>=' if below else '<='} bound"
    if np.all(vals == vals[0]):  # constant: the mean is vals[0] exactly (no summation rounding)
        mean = float(vals[0])
        holds = mean < bound if below else mean > bound
        evidence = {"test": "exact comparison: the sample is constant, so its mean is known without error",
                    "null_hypothesis": side, "n": size, "estimate": mean, "bound": bound,
                    "standard_error": 0.0, "p_value": 0.0 if holds else 1.0, "alpha": alpha}
        return CheckResult(name, bool(holds), evidence)
    mean = float(vals.mean())
    se = float(vals.std(ddof=1) / math.sqrt(size))
    with np.errstate(divide="ignore"):  # se == 0 only if the spread underflows: z = +-inf decides
        zstat = float(np.float64(bound - mean if below else mean - bound) / se)
    p = float(_stats().norm.sf(zstat))
    evidence = {"test": f"one-sided z-test (CLT): {side}", "n": size, "estimate": mean, "bound": bound,
                "standard_error": se, "z": zstat, "p_value": p, "alpha": alpha}
    return CheckResult(name, bool(p < alpha), evidence)


def ks_rejects(name: str, samples: Any, cdf, *, alpha: float = DEFAULT_ALPHA) -> CheckResult:
    """Kolmogorov-Smirnov test expected to REJECT: passes when p < alpha (a wrong answer caught)."""
    r = ks_test(name, samples, cdf, alpha=alpha)
    evidence = dict(r.evidence, expectation="rejected (a wrong option must be caught)")
    return CheckResult(name, not r.passed, evidence)


def predicate(name: str, ok: bool, **evidence: Any) -> CheckResult:
    """A check decided by a stated condition (e.g. a measured distance below a threshold)."""
    return CheckResult(name, bool(ok), {"test": "stated condition", **evidence})
