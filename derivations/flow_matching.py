"""Answers of Question 9 (flow matching): Gaussian probability paths, the continuity equation,
conditional flow matching trained in NumPy, and sampling by integrating the learned ODE.

Notation. A path runs from :math:`x_0 \\sim \\mathcal{N}(0, I)` to an end point :math:`x_1` along
:math:`x_t = (1-t)x_0 + t x_1`; we write :math:`\\sigma_t = 1 - t`. The data points
:math:`x^{(i)}` are the indexed symbols ``X[i]`` (:math:`X_i`), ``i = 1..n`` with ``n`` a symbol.
One-dimensional chains stand for one coordinate; a vector of the homework (x, x_1, x^(i)) is one
symbol, and coordinates of ``x`` and ``x_1`` in d dimensions are ``xi[k]`` and ``eta[k]``.

Every derivation is a chain of SymPy steps; the simplifications are targeted (the Gaussian's
derivative divided by the Gaussian is a polynomial, so continuity residuals are checked after
dividing by the density), never a blind ``simplify`` on a large expression. Numeric checks use
:mod:`numerics.flow_matching` and :mod:`numerics.cfm`.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import stats
from scipy.special import logsumexp
from sympy import stats as sps
from sympy.simplify.simplify import factor_sum, sum_simplify

from derivations.chain import Step, derive
from derivations.symbolic import Gaussian, mixture, point_masses
from derivations.answer import Answer, Check, Figure, Quantity
from derivations.hw7 import REGISTRY
from numerics import cfm
from numerics import flow_matching as fm
from numerics.stattests import (
    DEFAULT_ALPHA,
    chi_square_test,
    close_test,
    ks_test,
    mean_test,
    moments_test,
    predicate,
)

# --------------------------------------------------------------------------- symbols

t = sp.Symbol("t", positive=True)
x = sp.Symbol("x", real=True)
x_1 = sp.Symbol("x_1", real=True)
x_0 = sp.Symbol("x_0", real=True)
a = sp.Symbol("a", real=True)
y = sp.Symbol("y", real=True)
delta = sp.Symbol("delta", positive=True)
sigma = sp.Symbol("sigma", positive=True)
r = sp.Symbol("r", nonnegative=True)
v_theta = sp.Symbol("v_theta", real=True)
v_star = sp.Symbol("v_t", real=True)  # the marginal velocity v_t(x_t), the minimiser
d = sp.Symbol("d", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
X = sp.IndexedBase("X", real=True)  # the data points x^(i) = X_i
xi = sp.IndexedBase("xi", real=True)  # coordinates of x
eta = sp.IndexedBase("eta", real=True)  # coordinates of x_1
Z0 = sps.Normal("x_0", 0, 1)  # one coordinate of x_0 ~ N(0, I)
Z1, Z2 = sps.Normal("z_1", 0, 1), sps.Normal("z_2", 0, 1)
UNIT = sp.Interval.open(0, 1)
S = 1 - t  # sigma_t
X_T = (1 - t) * x_0 + t * x_1  # the point at time t on the straight path from x_0 to x_1


class NormalPDF(sp.Function):
    """The 1-D normal density :math:`\\mathcal{N}(z; m, s^2)`, arguments ``(z, m, s)``.

    Kept unevaluated so that the chains read like the mathematics; ``doit`` writes it out:

    .. math:: \\mathcal{N}(z; m, s^2) = \\frac{1}{\\sqrt{2\\pi}\\, s} e^{-(z - m)^2 / 2 s^2}

    >>> NormalPDF(x, t * x_1, 1 - t)
    N(x; t*x_1, (1 - t)**2)
    >>> NormalPDF(sp.S(0), sp.S(0), sp.S(1)).doit()
    sqrt(2)/(2*sqrt(pi))
    """

    nargs = 3
    is_positive = True  # a density with a positive standard deviation (stated, so that
    is_finite = True  # assumption queries on unevaluated chains stay cheap)

    @classmethod
    def eval(cls, z, mean, sd):
        return None  # never evaluate on construction

    def doit(self, **hints):
        z, mean, sd = (arg.doit(**hints) for arg in self.args) if hints.get("deep", True) else self.args
        return sp.exp(-(z - mean) ** 2 / (2 * sd**2)) / (sp.sqrt(2 * sp.pi) * sd)

    def _latex(self, printer):
        z, mean, sd = self.args
        return rf"\mathcal{{N}}\left({printer._print(z)};\ {printer._print(mean)},\ {printer._print(sd**2)}\right)"

    def _pretty(self, printer):
        z, mean, sd = self.args
        return printer._print_Function(sp.Function("𝒩")(z, mean, sd**2))

    def _sympystr(self, printer):
        z, mean, sd = self.args
        return f"N({printer._print(z)}; {printer._print(mean)}, {printer._print(sd**2)})"


gauss = NormalPDF


def _explicit(e):
    """Write out every :class:`NormalPDF` (the first move of every hint below)."""
    return e.replace(lambda q: isinstance(q, NormalPDF), lambda q: q.doit())


# --------------------------------------------------------------------------- targeted simplifications


def _eval_derivatives(e):
    """Write out the densities and evaluate every ``Derivative`` without ``doit`` (which would try
    to sum symbolic-n sums)."""
    e = _explicit(e)
    return e.replace(lambda q: isinstance(q, sp.Derivative), lambda q: q.expr.diff(*q.variable_count))


def _rational(e):
    """Evaluate derivatives and cancel: exp(E) exp(-E) combine on sight, so the Gaussian factors
    divide out; if that is not enough, combine the exponentials and expand first."""
    e = _eval_derivatives(e)
    out = sp.cancel(e)
    return out if out == 0 else sp.cancel(sp.expand(sp.powsimp(e)))


def _termwise(density):
    """Hint: inside every Sum write the summand as ``density * (summand / density)``, cancelled.

    Equality-preserving (it multiplies and divides by the positive density), and it reduces a
    sum of conditional continuity residuals to a sum of zeros.
    """
    def hint(e):
        e = _eval_derivatives(e)
        return sp.expand(e.replace(lambda q: isinstance(q, sp.Sum),
                                   lambda s: sp.Sum(density * _rational(s.function / density), *s.limits)))
    return hint


def _factor_sums(e):
    """Move factors that do not depend on the summation index out of every Sum."""
    return e.replace(lambda q: isinstance(q, sp.Sum), lambda s: factor_sum(s))


def _pull_out_of_sums(e):
    """Pull index-free factors out of the sums (a common factor then cancels as written);
    otherwise evaluate the derivatives and cancel."""
    e = _factor_sums(_explicit(e))
    if e == 0:
        return e
    return sp.cancel(sp.together(_factor_sums(_eval_derivatives(e))))


def _derivatives_into_sums(e):
    """Linearity: move each derivative of ``c * Sum(f)`` inside the sum (unevaluated), then merge
    sums with equal limits; two sides that differentiate the same terms then cancel as written."""
    def move(dv):
        factors = sp.Mul.make_args(dv.expr)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        const = sp.Mul(*[f for f in factors if not isinstance(f, sp.Sum)])
        if len(sums) != 1 or any(const.has(v) for v, _ in dv.variable_count):
            return dv
        return const * sp.Sum(sp.Derivative(sums[0].function, *dv.variable_count), *sums[0].limits)
    return sum_simplify(sp.expand(e.replace(lambda q: isinstance(q, sp.Derivative), move)))


def _split_sums(e):
    """Split every Sum term by term, pull constants out, and sum the constant terms (d * c)."""
    def split(s):
        terms = sp.Add.make_args(sp.expand(sp.expand_log(s.function, force=True)))
        out = [factor_sum(sp.Sum(term, *s.limits)) for term in terms]
        return sp.Add(*[o.doit() if not o.has(sp.Indexed) else o for o in out])
    e = sp.expand_log(_explicit(e), force=True).replace(lambda q: isinstance(q, sp.Sum), split)
    return sp.cancel(sp.expand(sp.expand_log(e, force=True)))


_J = sp.Dummy("J")


def _under_integral(simplify):
    """Hint for a difference that is linear in integrals over one variable: compare integrands.

    Every ``Integral(f, ...)`` becomes ``J * f`` for a fresh symbol ``J``; if the result is
    linear in ``J`` with no ``J``-free part, and nothing outside the integrals depends on an
    integration variable, the difference of the integrals is the integral of the coefficient of
    ``J``, which ``simplify`` must reduce to zero.
    """
    def hint(e):
        e = _explicit(e)
        integrals = e.atoms(sp.Integral)
        bound = {lim[0] for q in integrals for lim in q.limits}
        outside = e.replace(lambda q: isinstance(q, sp.Integral), lambda q: _J)
        if not integrals or outside.free_symbols & bound:
            return e
        e2 = e.replace(lambda q: isinstance(q, sp.Integral), lambda q: _J * q.function)
        if sp.diff(e2, _J, 2) != 0 or e2.subs(_J, 0).doit() != 0:
            return e
        return simplify(sp.diff(e2, _J))
    return hint


def _log_ratio(e):
    """Zero if ``e = A - B`` with A, B positive and log A - log B cancels to 0."""
    if isinstance(e, sp.Add) and len(e.args) == 2:
        neg = [arg.could_extract_minus_sign() for arg in e.args]
        if neg.count(True) == 1:
            A, B = (e.args[1], -e.args[0]) if neg[0] else (e.args[0], -e.args[1])
            if sp.cancel(sp.expand_log(sp.log(A) - sp.log(B), force=True)) == 0:
                return sp.S(0)
    return e


def _on_unit_interval(e):
    """Write t = 1 - sigma with sigma > 0 (valid on 0 < t < 1), then evaluate."""
    return sp.cancel(_explicit(e).subs(t, 1 - sigma).doit())


# --------------------------------------------------------------------------- random set-ups for checks


def _choose(value, draw):
    return draw() if value is None else value


def _dataset(rng, n_points=None, dim=None):
    n_points = int(_choose(n_points, lambda: rng.integers(2, 7)))
    dim = int(_choose(dim, lambda: rng.integers(1, 4)))
    return cfm.handful(n_points, dim, rng=rng, spread=1.5, min_separation=0.5)


def _mixture_moments(data, tt):
    """Mean and covariance of p_t = (1/n) sum N(t y_i, (1-t)^2 I)."""
    mean = tt * data.mean(axis=0)
    centred = data - data.mean(axis=0)
    cov = (1 - tt) ** 2 * np.eye(data.shape[1]) + tt**2 * centred.T @ centred / len(data)
    return mean, cov


def _projection_cdf(data, tt, direction):
    """CDF of direction . x under p_t: a mixture of 1-D normals."""
    centres = tt * data @ direction
    return lambda z: stats.norm.cdf((np.asarray(z)[..., None] - centres) / (1 - tt)).mean(axis=-1)


def _unit_vector(rng, dim):
    u = rng.standard_normal(dim)
    return u / np.linalg.norm(u)


# =========================================================================== 9a


def check_conditional_path(rng, *, dim=None, tt=None, end=None, mean=None, var=None, m=40_000):
    """Simulated straight lines with a fixed end point have the claimed mean and covariance."""
    dim = int(_choose(dim, lambda: rng.integers(1, 4))) if end is None else len(end)
    tt = float(_choose(tt, lambda: rng.uniform(0.05, 0.95)))
    end = np.asarray(_choose(end, lambda: rng.normal(0, 2, dim)), dtype=float)
    mu = tt * end if mean is None else np.asarray(mean(tt, end), dtype=float)
    s2 = (1 - tt) ** 2 if var is None else float(var(tt))
    xs = fm.sample_conditional_path(end, tt, m, rng=rng)
    radius = ((xs - mu) ** 2).sum(axis=1) / s2
    q = xs[:50]
    return [
        moments_test(f"$x_t \\mid x_1$ has mean $t x_1$ and covariance $(1-t)^2 I$ ($t = {tt:.3f}$, $d = {dim}$)", xs, mu,
                     s2 * np.eye(dim)),
        ks_test("$\\|x_t - t x_1\\|^2 / (1-t)^2$ is chi-square with $d$ degrees of freedom", radius, "chi2", args=(dim,)),
        close_test("numeric conditional log-density equals the $\\mathcal{N}(t x_1, (1-t)^2 I)$ log-pdf",
                   fm.conditional_log_density(q, tt, end),
                   stats.multivariate_normal.logpdf(q, mu, s2 * np.eye(dim)).reshape(-1), rtol=1e-10, atol=1e-10),
    ]


@REGISTRY.register("9a", status="proved")
def conditional_path() -> Answer:
    xt = (1 - t) * Z0 + t * x_1
    mean = derive(
        "mean of one coordinate of x_t",
        sps.Expectation(xt),
        ((1 - t) * sps.Expectation(Z0) + t * x_1, "linearity; $x_1$ is fixed"),
        (t * x_1, "$E[x_0] = 0$"),
        domains={t: UNIT})
    variance = derive(
        "variance of one coordinate of x_t",
        sps.Expectation((xt - sps.Expectation(xt)) ** 2),
        ((1 - t) ** 2 * sps.Expectation(Z0**2), "subtract the mean $t x_1$"),
        ((1 - t) ** 2, "$E[x_0^2] = 1$"),
        domains={t: UNIT})
    covariance = derive(
        "two different coordinates are uncorrelated",
        sps.Expectation(((1 - t) * Z1) * ((1 - t) * Z2)),
        ((1 - t) ** 2 * sps.Expectation(Z1) * sps.Expectation(Z2), "independent coordinates of $x_0$"),
        (sp.S(0), "both have mean 0"),
        domains={t: UNIT})
    jacobian = derive(
        "density by change of variables in d dimensions (r = |x - t x_1|)",
        (1 - t) ** (-d) * (2 * sp.pi) ** (-d / 2) * sp.exp(-(r / (1 - t)) ** 2 / 2),
        Step((2 * sp.pi * (1 - t) ** 2) ** (-d / 2) * sp.exp(-r**2 / (2 * (1 - t) ** 2)),
             "collect the powers of $1-t$", simplify=lambda e: sp.expand(sp.powsimp(_on_unit_interval(e), force=True))),
        domains={t: UNIT})
    return Answer(
        summary=r"$p_t(x \mid x_1) = \mathcal{N}\big(x;\ t\,x_1,\ (1-t)^2 I\big)$ for $0 \le t < 1$.",
        explanation=(
            r"With $x_1$ held fixed, $x_t = (1-t)x_0 + t x_1$ is an affine function of the Gaussian "
            r"$x_0 \sim \mathcal{N}(0, I)$, so it is Gaussian and fixed by its mean and covariance: "
            r"the mean is $t x_1$ because $x_0$ has mean zero, and the covariance is "
            r"$(1-t)^2 I$ because each coordinate is scaled by $1-t$ and distinct coordinates stay "
            r"independent. The density follows from the change of variables $x_0 = (x - t x_1)/(1-t)$, "
            r"whose Jacobian contributes $(1-t)^{-d}$. The chains work one coordinate at a time for "
            r"the moments and in $d$ dimensions for the density; the checks simulate the lines."),
        chains=(mean, variance, covariance, jacobian),
        checks=(Check("simulated conditional path",
                      r"$x_t = (1-t)x_0 + t x_1$ with a fixed $x_1$ has the law $\mathcal{N}(t x_1, (1-t)^2 I)$",
                      check_conditional_path),),
        quantities=(Quantity("conditional path", Gaussian(t * x_1, (1 - t) ** 2),
                             symbols=(t, x_1), domains={t: UNIT},
                             description="N(t x_1, (1-t)^2 I): the covariance is stored as the scalar (1-t)^2"),),
    )


# =========================================================================== 9b


def check_concentration(rng, *, dim=None, end=None, times=(0.9, 0.99, 0.999), m=20_000):
    """As t -> 1 the spread around x_1 and the gap E g(x_t) - g(x_1) vanish at the claimed rates."""
    dim = int(_choose(dim, lambda: rng.integers(1, 4))) if end is None else len(end)
    end = np.asarray(_choose(end, lambda: rng.normal(0, 2, dim)), dtype=float)
    freq = rng.normal(0, 1, dim)
    sq, cosines, sq_expected, cos_expected = [], [], [], []
    for tt in times:
        xs = fm.sample_conditional_path(end, tt, m, rng=rng)
        sq.append(((xs - end) ** 2).sum(axis=1))
        sq_expected.append((1 - tt) ** 2 * (dim + end @ end))
        cosines.append(np.cos(xs @ freq))
        cos_expected.append(math.cos(tt * freq @ end) * math.exp(-((1 - tt) ** 2) * (freq @ freq) / 2))
    gaps = [abs(c - math.cos(freq @ end)) for c in cos_expected]
    # |E g(x_t) - g(x_1)| <= Lip(g) E|x_t - x_1| <= |a| sqrt(E|x_t - x_1|^2), and that bound -> 0
    bounds = [math.sqrt(freq @ freq * s2) for s2 in sq_expected]
    return [
        mean_test("$E\\|x_t - x_1\\|^2 = (1-t)^2 (d + \\|x_1\\|^2)$ at $t = 0.9, 0.99, 0.999$",
                  np.column_stack(sq), sq_expected),
        mean_test("$E \\cos(a \\cdot x_t) = \\cos(t\\, a \\cdot x_1)\\, e^{-(1-t)^2 \\|a\\|^2 / 2}$ at the same times",
                  np.column_stack(cosines), cos_expected),
        predicate("$|E g(x_t) - g(x_1)| \\le \\|a\\| (E\\|x_t - x_1\\|^2)^{1/2}$, a bound falling tenfold per step",
                  all(g <= b + 1e-12 for g, b in zip(gaps, bounds)) and all(np.diff(bounds) < 0),
                  mean_square_distance=sq_expected, gap_to_g_of_x1=gaps, lipschitz_bound=bounds),
    ]


@REGISTRY.register("9b", status="proved")
def conditional_limit() -> Answer:
    var_limit = derive("the variance vanishes", sp.Limit((1 - t) ** 2, t, 1, dir="-"),
                       (sp.S(0), "polynomial, continuous at $t = 1$"))
    mean_limit = derive("the mean tends to x_1", sp.Limit(t * x_1, t, 1, dir="-"),
                        (x_1, "continuous at $t = 1$"))
    mgf = derive(
        "moment generating function of p_t(x | x_1)",
        sp.Integral(sp.exp(a * x) * gauss(x, t * x_1, S), (x, -sp.oo, sp.oo)),
        Step(sp.exp(a * t * x_1 + a**2 * S**2 / 2) * sp.Integral(gauss(x, t * x_1 + a * S**2, S), (x, -sp.oo, sp.oo)),
             "complete the square in the exponent", simplify=_under_integral(_log_ratio)),
        Step(sp.exp(a * t * x_1 + a**2 * S**2 / 2), "a density integrates to 1", simplify=_on_unit_interval),
        domains={t: UNIT})
    mgf_limit = derive(
        "the generating function tends to that of a point mass",
        sp.Limit(sp.exp(a * t * x_1 + a**2 * S**2 / 2), t, 1, dir="-"),
        (sp.exp(a * x_1), "continuity; $E[e^{a x}]$ under $\\delta_{x_1}$"))
    away_right = derive(
        "the density vanishes at any x = x_1 + delta, delta > 0",
        sp.Limit(gauss(x_1 + delta, t * x_1, S), t, 1, dir="-"),
        (sp.S(0), "Gaussian decay beats the $1/(1-t)$ factor"))
    away_left = derive(
        "the density vanishes at any x = x_1 - delta, delta > 0",
        sp.Limit(gauss(x_1 - delta, t * x_1, S), t, 1, dir="-"),
        (sp.S(0), "Gaussian decay beats the $1/(1-t)$ factor"))
    return Answer(
        summary=(r"As $t \to 1$, $p_t(x \mid x_1) \to \delta(x - x_1)$: the Gaussian $\mathcal{N}(t x_1, (1-t)^2 I)$ "
                 r"collapses to a point mass at $x_1$ (a Gaussian with mean $x_1$ and zero covariance)."),
        explanation=(
            r"The mean $t x_1$ tends to $x_1$ and the covariance $(1-t)^2 I$ to $0$. In the limit there is "
            r"no density any more: away from $x_1$ the density tends to $0$, while it still integrates to "
            r"one, so all mass piles up at $x_1$. Convergence in distribution follows from the moment "
            r"generating function $E[e^{a x_t}] = e^{a t x_1 + a^2 (1-t)^2/2} \to e^{a x_1}$ for every $a$, "
            r"which is the generating function of $\delta_{x_1}$ (per coordinate; the coordinates are "
            r"independent). Equivalently $E[g(x_t)] \to g(x_1)$ for every bounded continuous $g$."),
        chains=(var_limit, mean_limit, mgf, mgf_limit, away_right, away_left),
        checks=(Check("concentration on x_1", r"$E\|x_t - x_1\|^2$ and $E\, g(x_t)$ follow their closed forms, "
                      r"which converge to those of the point mass at $x_1$", check_concentration),),
        quantities=(Quantity("limit of the conditional path", point_masses((sp.S(1),), (x_1,)),
                             symbols=(x_1,),
                             description="a point mass at x_1 (equivalently a Gaussian with mean x_1, covariance 0)"),),
    )


# =========================================================================== 9c


def check_marginal_path(rng, *, data=None, tt=None, mean=None, m=40_000):
    """Simulated paths with x_1 drawn from the data have the moments and law of the mixture."""
    data = _choose(data, lambda: _dataset(rng))
    tt = float(_choose(tt, lambda: rng.uniform(0.05, 0.95)))
    mu, cov = _mixture_moments(data, tt)
    if mean is not None:
        mu = np.asarray(mean(tt, data), dtype=float)
    xs, _, _ = fm.sample_marginal_path(data, tt, m, rng=rng)
    direction = _unit_vector(rng, data.shape[1])
    return [
        moments_test(f"$x_t$ has the mean and covariance of the mixture ($t = {tt:.3f}$, $n = {len(data)}$)", xs, mu, cov),
        ks_test("a random projection of x_t follows the projected mixture (its CDF)", xs @ direction,
                _projection_cdf(data, tt, direction)),
    ]


def _wide_mixture_log_density(xq, tt, data):
    """:math:`\\log \\frac1n \\sum_i \\mathcal{N}(x; t x^{(i)}, 2(1-t)^2 I)`, with scipy's Gaussian log-pdf."""
    cov = 2.0 * (1 - tt) ** 2 * np.eye(data.shape[1])
    return logsumexp([stats.multivariate_normal.logpdf(xq, tt * yj, cov).reshape(-1) for yj in data],
                     axis=0) - math.log(len(data))


def check_marginal_density(rng, *, data=None, tt=None, log_density=fm.marginal_log_density, m=40_000):
    """The numeric log-density is the mixture's, stays exact as t -> 1, and integrates to one."""
    data = _choose(data, lambda: _dataset(rng))
    tt = float(_choose(tt, lambda: rng.uniform(0.05, 0.95)))
    dim = data.shape[1]
    q = np.vstack([rng.normal(0, 3, (40, dim)), [np.full(dim, 60.0)]])  # includes a far-away point
    brute = logsumexp([stats.multivariate_normal.logpdf(q, tt * yj, (1 - tt) ** 2 * np.eye(dim)).reshape(-1)
                       for yj in data], axis=0) - math.log(len(data))
    near = 1 - 1e-7  # x = y_j + (1-t) z: every other component is negligible
    z = rng.standard_normal((20, dim))
    jdx = rng.integers(len(data), size=20)
    xq = near * data[jdx] + (1 - near) * z
    exact = -math.log(len(data)) + stats.norm.logpdf(z).sum(axis=1) - dim * math.log(1 - near)
    # importance sampling: E_g[p_t(x) / g(x)] = 1 for the defensive mixture g = (1/n) sum_i
    # N(t x_i, 2 (1-t)^2 I): each component of p_t over its twin of twice the variance is
    # 2^{d/2} exp(-|x - t x_i|^2 / (4 (1-t)^2)) <= 2^{d/2}, so p_t / g <= 2^{d/2}. Bounded weights have
    # finite variance and the z-test's CLT holds (a single wide Gaussian gives heavy-tailed weights).
    pick = rng.integers(len(data), size=m)
    g = tt * data[pick] + math.sqrt(2.0) * (1 - tt) * rng.standard_normal((m, dim))
    ratio = np.exp(log_density(g, tt, data) - _wide_mixture_log_density(g, tt, data))
    return [
        close_test("$\\log p_t$ equals $\\log \\frac1n \\sum_i \\mathcal{N}(x; t x^{(i)}, (1-t)^2 I)$ (brute force, with a far point)",
                   log_density(q, tt, data), brute, rtol=1e-9, atol=1e-9),
        close_test("$\\log p_t$ stays exact at $t = 1 - 10^{-7}$ near the data points", log_density(xq, near, data), exact,
                   rtol=1e-9, atol=1e-6),
        mean_test("p_t integrates to one (importance sampling from the mixture of components with twice "
                  "the variance, weights bounded by $2^{d/2}$)", ratio, [1.0]),
    ]


@REGISTRY.register("9c", status="proved")
def marginal_path() -> Answer:
    data_law = sp.Sum(sp.DiracDelta(y - X[i]), (i, 1, n)) / n
    marginal = derive(
        "marginalise the end point over the empirical data distribution",
        sp.Integral(gauss(x, t * y, S) * data_law, (y, -sp.oo, sp.oo)),
        Step(sp.Sum(sp.Integral(gauss(x, t * y, S) * sp.DiracDelta(y - X[i]), (y, -sp.oo, sp.oo)), (i, 1, n)) / n,
             "linearity of the integral", simplify=_under_integral(_pull_out_of_sums)),
        (sp.Sum(gauss(x, t * X[i], S), (i, 1, n)) / n, "sifting property of $\\delta$"),
        domains={t: UNIT})
    density = sp.Sum(gauss(x, t * X[i], S), (i, 1, n)) / n
    normalised = derive(
        "the marginal integrates to one",
        sp.Integral(density, (x, -sp.oo, sp.oo)),
        Step(sp.Sum(sp.Integral(gauss(x, t * X[i], S), (x, -sp.oo, sp.oo)), (i, 1, n)) / n,
             "linearity of the integral", simplify=_under_integral(_pull_out_of_sums)),
        Step(sp.Sum(1, (i, 1, n)) / n, "each component is a density", simplify=_on_unit_interval),
        (sp.S(1), "$n$ terms"),
        domains={t: UNIT})
    xs3 = sp.symbols("x^(1) x^(2) x^(3)", real=True)
    example = mixture(tuple(sp.Rational(1, 3) for _ in xs3), tuple(Gaussian(t * s_, (1 - t) ** 2) for s_ in xs3))
    return Answer(
        summary=(r"$p_t(x) = \frac{1}{n}\sum_{i=1}^{n} \mathcal{N}\big(x;\ t\,x^{(i)},\ (1-t)^2 I\big)$: "
                 r"an equal-weight mixture of the conditional paths, one per data point."),
        explanation=(
            r"Average the conditional path of 9a over the end point: $p_t(x) = \int p_t(x \mid x_1)\, q(x_1)\, dx_1$. "
            r"The empirical distribution $q = \frac{1}{n}\sum_i \delta_{x^{(i)}}$ turns the integral into a sum "
            r"(in the chains $X_i$ stands for $x^{(i)}$ and one coordinate stands for the vector; in $d$ "
            r"dimensions the $\delta$ and the Gaussian factorise over coordinates). At $t=0$ every component "
            r"is $\mathcal{N}(0, I)$; as $t \to 1$ the components shrink onto the data points, so $p_1 = q$."),
        chains=(marginal, normalised),
        checks=(Check("simulated marginal path", r"$x_t$ with $x_1$ drawn uniformly from the data has the law of the mixture",
                      check_marginal_path),
                Check("numeric marginal density", r"\texttt{marginal\_log\_density} is the mixture's log-density, exact "
                      r"near $t = 1$, and integrates to one (importance sampling from the mixture of components "
                      r"with twice the variance, weights bounded by $2^{d/2}$)", check_marginal_density)),
        quantities=(
            Quantity("marginal path density", _explicit(density), symbols=(x, t, n, X),
                     domains={t: UNIT},
                     description="(1/n) Sum_i N(x; t X_i, (1-t)^2) in one coordinate; X is an IndexedBase of the "
                                 "data points and n a positive integer symbol"),
            Quantity("marginal path, n = 3 example", example, symbols=(t,) + xs3,
                     domains={t: UNIT},
                     description="the same mixture written out for three data points x^(1), x^(2), x^(3)"),
        ),
    )


# =========================================================================== 9d


def check_velocity_is_conditional_mean(rng, *, data=None, times=None, velocity=fm.marginal_velocity, m=20_000):
    """Residual orthogonality: E[(x_1 - x_0 - v_t(x_t)) f(x_t)] = 0 for test functions f."""
    data = _choose(data, lambda: _dataset(rng))
    times = _choose(times, lambda: rng.uniform(0.0, 0.8, size=3))
    out = []
    for tt in times:
        xs, x0, idx = fm.sample_marginal_path(data, float(tt), m, rng=rng)
        line, v = data[idx] - x0, velocity(xs, float(tt), data)
        feats = np.hstack([np.ones((m, 1)), xs, np.tanh(xs)])
        prods = ((line - v)[:, :, None] * feats[:, None, :]).reshape(m, -1)
        # where v_t is exact up to rounding (one data point dominates) the products are rounding of
        # operands of this size: it sets mean_test's rounding floor
        operands = (np.abs(line).max() + np.abs(v).max()) * np.tile(np.abs(feats).max(axis=0), data.shape[1])
        out.append(mean_test(f"$x_1 - x_0 - v_t(x_t)$ is orthogonal to $1, x_t, \\tanh(x_t)$ at $t = {tt:.3f}$",
                             prods, np.zeros(prods.shape[1]), alpha=DEFAULT_ALPHA / len(times), scale=operands))
    return out


def check_line_velocity(rng, *, m=1000):
    """On every straight line the velocity (x_1 - x_t)/(1 - t) equals x_1 - x_0, at every time."""
    data = _dataset(rng)
    tt = rng.uniform(0.0, 0.999, size=m)
    xs, x0, idx = fm.sample_marginal_path(data, tt, m, rng=rng)
    return close_test("$(x_1 - x_t)/(1-t) = x_1 - x_0$ along simulated lines (numeric conditional velocity)",
                      fm.conditional_velocity(xs, tt, data[idx]), data[idx] - x0, rtol=1e-6, atol=1e-6)


@REGISTRY.register("9d", status="explained")
def why_posterior_velocity() -> Answer:
    line = derive(
        "the velocity of one straight line, read off at x = x_t",
        (X[i] - ((1 - t) * x_0 + t * X[i])) / (1 - t),
        (X[i] - x_0, "the factor $1-t$ cancels: constant speed"),
        domains={t: UNIT})
    return Answer(
        summary=(r"$v_t(x)$ is the average velocity of the particles that are at $x$ at time $t$: every straight "
                 r"line through $x$ at time $t$ heading to $x_1$ moves with the constant velocity "
                 r"$(x_1 - x)/(1-t) = x_1 - x_0$, and $v_t$ averages these velocities with the probability "
                 r"$p(x_1 \mid x, t)$ that the line through $x$ is heading to $x_1$: "
                 r"$v_t(x) = E[x_1 - x_0 \mid x_t = x]$."),
        explanation=(
            r"Picture all the random lines $x_t = (1-t)x_0 + t x_1$ as particles. Particles that end at a "
            r"given $x_1$ and pass through $x$ at time $t$ still have to cover $x_1 - x$ in the remaining "
            r"time $1-t$, so their velocity is $(x_1 - x)/(1-t)$. Many lines, aimed at different end "
            r"points, cross the same $x$ at time $t$; a single deterministic field can only carry one "
            r"velocity per point, and the natural choice is their average, weighted by how much of the "
            r"probability mass at $x$ belongs to each end point, i.e. the posterior $p(x_1 \mid x, t)$ of 9e. "
            r"That is the velocity a fluid has at $x$: total momentum over total mass. Because the mass "
            r"flux $p_t v_t$ is then the sum of the fluxes of the conditional flows, and each conditional "
            r"flow satisfies the continuity equation, so does the mixture (proved in 9f); the field moves "
            r"$p_0 = \mathcal{N}(0, I)$ through exactly the path $p_t$ and ends at the data. It is also the "
            r"least-squares regression of $x_1 - x_0$ on $(x_t, t)$, which is why 9g can learn it. "
            r"The demonstration checks that the residual $x_1 - x_0 - v_t(x_t)$ is uncorrelated with "
            r"functions of $x_t$ (so $v_t$ is that conditional mean) and that each line has constant velocity."),
        chains=(line,),
        checks=(Check("velocity is the conditional mean of x_1 - x_0",
                      r"$E[(x_1 - x_0 - v_t(x_t))\, f(x_t)] = 0$ for $f = 1, x, \tanh x$, "
                      r"so $v_t(x) = E[x_1 - x_0 \mid x_t = x]$",
                      check_velocity_is_conditional_mean),
                Check("straight lines have constant velocity",
                      r"$(x_1 - x_t)/(1 - t) = x_1 - x_0$ along every simulated line", check_line_velocity)),
    )


# =========================================================================== 9e


def _brute_posterior(xq, tt, data):
    dim = data.shape[1]
    lj = np.array([stats.multivariate_normal.logpdf(xq, tt * yj, (1 - tt) ** 2 * np.eye(dim)).reshape(-1)
                   for yj in data]).T
    return np.exp(lj - logsumexp(lj, axis=1, keepdims=True))


def check_posterior(rng, *, data=None, tt=None, posterior=fm.posterior_x1, m=20_000):
    """The softmax posterior equals brute-force Bayes and is calibrated on simulated paths."""
    data = _choose(data, lambda: _dataset(rng))
    tt = float(_choose(tt, lambda: rng.uniform(0.05, 0.8)))
    q = rng.normal(0, 3, (40, data.shape[1]))
    xs, _, idx = fm.sample_marginal_path(data, tt, m, rng=rng)
    onehot = np.eye(len(data))[idx]
    resid = onehot - posterior(xs, tt, data)
    feats = np.hstack([np.ones((m, 1)), xs])
    prods = (resid[:, :, None] * feats[:, None, :]).reshape(m, -1)
    name = (f"calibration: $E[(1\\{{x_1 = x^{{(i)}}\\}} - p(x^{{(i)}} \\mid x_t))\\, f(x_t)] = 0$ "
            f"for $f = 1, x$ ($t = {tt:.3f}$)")
    return [
        close_test("numeric posterior equals Bayes' rule with scipy's Gaussian log-pdf", posterior(q, tt, data),
                   _brute_posterior(q, tt, data), rtol=1e-8, atol=1e-10),
        # indicator and posterior lie in [0, 1]: the features' size sets the rounding floor
        mean_test(name, prods, np.zeros(prods.shape[1]), scale=np.tile(np.abs(feats).max(axis=0), len(data))),
    ]


@REGISTRY.register("9e", status="proved")
def posterior_endpoint() -> Answer:
    ell_i = -(x - t * X[i]) ** 2 / (2 * S**2)
    lam_i = (t * x * X[i] - t**2 * X[i] ** 2 / 2) / S**2
    bayes = derive(
        "Bayes' rule over the n data points",
        (gauss(x, t * X[i], S) / n) / (sp.Sum(gauss(x, t * X[j], S), (j, 1, n)) / n),
        (gauss(x, t * X[i], S) / sp.Sum(gauss(x, t * X[j], S), (j, 1, n)), "the prior $1/n$ cancels"),
        Step(sp.exp(ell_i) / sp.Sum(sp.exp(ell_i.subs(i, j)), (j, 1, n)), "the normalising constant cancels",
             simplify=lambda e: _pull_out_of_sums(sp.expand(e))),
        Step(sp.exp(lam_i) / sp.Sum(sp.exp(lam_i.subs(i, j)), (j, 1, n)), "the $x^2$ term is common and cancels",
             simplify=lambda e: _pull_out_of_sums(sp.expand(e))),
        domains={t: UNIT})
    softmax = sp.exp(ell_i) / sp.Sum(sp.exp(ell_i.subs(i, j)), (j, 1, n))
    return Answer(
        summary=(r"$p(x_1 = x^{(i)} \mid x, t) = \dfrac{\exp\!\big(-\|x - t x^{(i)}\|^2 / 2(1-t)^2\big)}"
                 r"{\sum_{j=1}^{n} \exp\!\big(-\|x - t x^{(j)}\|^2 / 2(1-t)^2\big)}$, a softmax over the data "
                 r"points, and $0$ for any $x_1$ not in the data set."),
        explanation=(
            r"The prior on the end point is uniform on the data, $q(x^{(i)}) = 1/n$, and the likelihood of "
            r"$x_t = x$ is the conditional path $\mathcal{N}(x; t x^{(i)}, (1-t)^2 I)$ of 9a; Bayes' rule "
            r"divides their product by the marginal $p_t(x)$ of 9c. The prior and the Gaussian's "
            r"normalising constant are the same for every $i$ and cancel, leaving a softmax of the "
            r"log-likelihoods. The $\|x\|^2$ part of the exponent is also common, so the logits can be "
            r"taken as $(t\, x \cdot x^{(i)} - t^2 \|x^{(i)}\|^2/2)/(1-t)^2$, which is how the numeric "
            r"kernel evaluates it stably for far-away $x$. At $t = 0$ the posterior is the uniform prior; "
            r"as $t \to 1$ it puts all its weight on the data point nearest to $x/t$."),
        chains=(bayes,),
        checks=(Check("posterior over the end point", r"the numeric posterior is Bayes' rule and is calibrated: "
                      r"$E[1\{x_1 = x^{(i)}\} - p(x^{(i)} \mid x_t) \mid x_t] = 0$", check_posterior),),
        quantities=(Quantity("posterior over the end point", softmax, symbols=(x, t, n, i, X),
                             domains={t: UNIT},
                             description="softmax over j = 1..n of -(x - t X_j)^2 / (2 (1-t)^2), evaluated at the "
                                         "index i; X is an IndexedBase of the data points"),),
    )


# =========================================================================== 9f


def _fd(f, z, h):
    """Fourth-order central difference of f at z with step h (error O(h^4))."""
    return (-f(z + 2 * h) + 8 * f(z + h) - 8 * f(z - h) + f(z - 2 * h)) / (12 * h)


def continuity_residual(data, tt, xq, *, velocity=fm.marginal_velocity, log_density=fm.marginal_log_density):
    """Terms of :math:`(\\partial_t p + \\nabla\\cdot(p v))/p = \\partial_t \\log p + v\\cdot\\nabla \\log p
    + \\nabla \\cdot v` by finite differences, per row of ``xq``: (dt_log_p, v_dot_grad, div_v)."""
    dim = xq.shape[1]
    sig = 1 - tt
    ht, hx = 1e-3 * sig, 1e-3 * sig**2  # steps scaled to the path's time and length scales
    dt = _fd(lambda s: log_density(xq, s, data), tt, ht)
    v = velocity(xq, tt, data)
    grad = np.zeros_like(xq)
    div = np.zeros(len(xq))
    for c in range(dim):
        e = np.zeros(dim)
        e[c] = 1.0
        grad[:, c] = _fd(lambda s, e=e: log_density(xq + s * e, tt, data), 0.0, hx)
        div += _fd(lambda s, e=e, c=c: velocity(xq + s * e, tt, data)[:, c], 0.0, hx)
    return dt, (v * grad).sum(axis=1), div


#: Relative tolerance of the finite-difference continuity check (measured residuals are < 1e-8).
CONTINUITY_RTOL = 1e-6


def check_continuity_fd(rng, *, data=None, times=None, velocity=fm.marginal_velocity,
                        log_density=fm.marginal_log_density, m=30):
    """d/dt log p_t + v.grad log p_t + div v = 0 at drawn points, by finite differences."""
    data = _choose(data, lambda: _dataset(rng))
    times = _choose(times, lambda: rng.uniform(0.0, 0.9, size=2))
    out = []
    for tt in times:
        tt = float(tt)
        mu, cov = _mixture_moments(data, tt)
        xq = mu + rng.standard_normal((m, data.shape[1])) @ np.linalg.cholesky(cov).T
        dt, transport, div = continuity_residual(data, tt, xq, velocity=velocity, log_density=log_density)
        scale = np.abs(dt) + np.abs(transport) + np.abs(div) + 1.0
        out.append(close_test(f"continuity equation (divided by $p_t$) holds at {m} points drawn from $p_t$, $t = {tt:.3f}$",
                              (dt + transport + div) / scale, np.zeros(m), rtol=0.0, atol=CONTINUITY_RTOL))
    return out


def check_transport(rng, *, data=None, tau=None, velocity=fm.marginal_velocity, m=20_000, n_steps=40):
    """Pushing N(0, I) along v_t for time tau (RK4) gives the path p_tau of 9c."""
    data = _choose(data, lambda: _dataset(rng))
    tau = float(_choose(tau, lambda: rng.uniform(0.3, 0.85)))
    x0 = rng.standard_normal((m, data.shape[1]))
    xs = fm.integrate(lambda z, s: velocity(z, s, data), x0, n_steps=n_steps, method="rk4", t_end=tau)
    mu, cov = _mixture_moments(data, tau)
    direction = _unit_vector(rng, data.shape[1])
    return [
        moments_test(f"ODE samples at $t = {tau:.3f}$ have the mean and covariance of $p_t$", xs, mu, cov),
        ks_test("a random projection of the ODE samples follows the projected p_t", xs @ direction,
                _projection_cdf(data, tau, direction)),
    ]


@REGISTRY.register("9f", status="proved")
def continuity_equation() -> Answer:
    # (1) the conditional path in one dimension, divided by the (positive) density
    p = gauss(x, t * x_1, S)
    v = (x_1 - x) / S
    u = x - t * x_1
    cond = derive(
        "(1) conditional path, 1-D: (d/dt p + d/dx (p v)) / p",
        (sp.Derivative(p, t) + sp.Derivative(p * v, x)) / p,
        Step(sp.Derivative(sp.log(p), t) + v * sp.Derivative(sp.log(p), x) + sp.Derivative(v, x),
             "product rule; $p'/p = (\\log p)'$", simplify=_rational),
        Step((x_1 * u / S**2 - u**2 / S**3 + 1 / S) + v * (-u / S**2) - 1 / S,
             "differentiate the Gaussian's log and $v$", simplify=_rational),
        Step(sp.S(0), "terms cancel", simplify=_rational),
        domains={t: UNIT})
    # (2) the marginal over n data points, n a symbol, with v_t the posterior average of 9e
    p_i = gauss(x, t * X[i], S)
    v_i = (X[i] - x) / S
    P = sp.Sum(p_i, (i, 1, n)) / n
    V = sp.Sum(p_i / sp.Sum(p_i, (i, 1, n)) * v_i, (i, 1, n))
    flux = sp.Sum(p_i * v_i, (i, 1, n)) / n
    marg = derive(
        "(2) marginal path over n points: linearity",
        sp.Derivative(P, t) + sp.Derivative(P * V, x),
        Step(sp.Derivative(P, t) + sp.Derivative(flux, x), "posterior weights: $p_t$ cancels in $p_t v_t$",
             simplify=_pull_out_of_sums),
        Step(sp.Sum(sp.Derivative(p_i, t) + sp.Derivative(p_i * v_i, x), (i, 1, n)) / n,
             "differentiate term by term", simplify=_derivatives_into_sums),
        Step(sp.Sum(0, (i, 1, n)) / n, "each term is case (1) with $x_1 = x^{(i)}$", simplify=_termwise(p_i)),
        (sp.S(0), "a sum of zeros"),
        domains={t: UNIT})
    # (3) d = 2 and d = 3 written out, then any d
    chains_d = tuple(_conditional_in_dim(dim) for dim in (2, 3))
    p_k = gauss(xi[k], t * eta[k], S)
    v_k = (eta[k] - xi[k]) / S
    general = derive(
        "(3) any d: the d-dim residual / p is a sum of 1-D residuals",
        sp.Sum(sp.Derivative(sp.log(p_k), t) + v_k * sp.Derivative(sp.log(p_k), xi[k]) + sp.Derivative(v_k, xi[k]),
               (k, 1, d)),
        Step(sp.Sum(0, (k, 1, d)), "each coordinate is case (1)", simplify=_termwise(sp.S(1))),
        (sp.S(0), "a sum of zeros"),
        domains={t: UNIT})
    log_factor = derive(
        "(3) the d-dim log-density is a sum over coordinates",
        sp.log((2 * sp.pi * S**2) ** (-d / 2) * sp.exp(-sp.Sum((xi[k] - t * eta[k]) ** 2, (k, 1, d)) / (2 * S**2))),
        Step(sp.Sum(sp.log(p_k), (k, 1, d)), "$\\mathcal{N}(t x_1, (1-t)^2 I)$ is a product", simplify=_split_sums),
        domains={t: UNIT})
    marg2 = _marginal_in_two_dims()
    return Answer(
        summary=(r"$\partial_t p_t(x) + \nabla_x \cdot \big(p_t(x)\, v_t(x)\big) = 0$ for "
                 r"$p_t = \frac1n \sum_i \mathcal{N}(t x^{(i)}, (1-t)^2 I)$ and "
                 r"$v_t(x) = \sum_i p(x^{(i)} \mid x, t)\, \frac{x^{(i)} - x}{1-t}$: proved for the conditional "
                 r"path in 1-D, for the marginal over $n$ points ($n$ symbolic), for $d = 2$ and $3$ written out, "
                 r"and for every $d$ by factorisation."),
        explanation=(
            r"\emph{Conditional path.} Dividing by $p > 0$, the residual becomes "
            r"$\partial_t \log p + v\, \partial_x \log p + \partial_x v$; the Gaussian's log-derivatives are "
            r"polynomials in $u = x - t x_1$ and $1/(1-t)$, and they cancel exactly (chain 1). "
            r"\emph{Marginal.} With the posterior weights of 9e, $p_t v_t = \frac1n \sum_i p_t(x \mid x^{(i)})\, "
            r"v_t(x \mid x^{(i)})$: the marginal's flux is the average of the conditional fluxes, and both "
            r"$\partial_t$ and $\nabla\cdot$ are linear, so the marginal residual is the average of "
            r"conditional residuals, each zero (chain 2, with $n$ a symbol; and again in two dimensions). "
            r"\emph{Any dimension.} $\mathcal{N}(t x_1, (1-t)^2 I)$ is a product of 1-D densities "
            r"$p_k(\xi_k)$ and $v_k = (\eta_k - \xi_k)/(1-t)$ depends on $\xi_k$ only, so "
            r"$\log p = \sum_k \log p_k$, $\partial_{\xi_k} \log p = \partial_{\xi_k} \log p_k$ and "
            r"$(\partial_t p + \nabla\cdot(p v))/p = \sum_k \big(\partial_t \log p_k + v_k \partial_{\xi_k} "
            r"\log p_k + \partial_{\xi_k} v_k\big)$, a sum of $d$ copies of the 1-D case; chains for "
            r"$d = 2, 3$ check this identity written out in full. The linearity step then carries it to the "
            r"marginal in any $d$. Numerically, the residual of the numeric $p_t$ and $v_t$ vanishes by "
            r"finite differences, and integrating the ODE from $\mathcal{N}(0, I)$ reproduces $p_t$."),
        chains=(cond, marg) + chains_d + (log_factor, general, marg2),
        checks=(Check("continuity equation by finite differences",
                      r"$|\partial_t \log p_t + v_t \cdot \nabla \log p_t + \nabla \cdot v_t|$ is at most "
                      rf"$10^{{{round(math.log10(CONTINUITY_RTOL))}}}$ times (the sum of the three terms' sizes "
                      r"$+ 1$) for the numeric "
                      r"$p_t$ and $v_t$ (fourth-order central differences)", check_continuity_fd),
                Check("the flow of v_t transports p_0 to p_t",
                      r"RK4 solutions of $dx/dt = v_t(x)$ from $x_0 \sim \mathcal{N}(0, I)$ have the law $p_\tau$",
                      check_transport)),
    )


def _conditional_in_dim(dim: int):
    """Chain: the conditional continuity residual / p in ``dim`` dimensions, coordinates written out."""
    xs = sp.symbols(f"xi_1:{dim + 1}", real=True)
    es = sp.symbols(f"eta_1:{dim + 1}", real=True)
    p = S ** (-dim) * (2 * sp.pi) ** sp.Rational(-dim, 2) * sp.exp(-sum((xc - t * ec) ** 2 for xc, ec in zip(xs, es)) / (2 * S**2))
    vs = [(ec - xc) / S for xc, ec in zip(xs, es)]
    per_coordinate = sum((ec * (xc - t * ec) / S**2 - (xc - t * ec) ** 2 / S**3 + 1 / S)
                         + vc * (-(xc - t * ec) / S**2) - 1 / S for xc, ec, vc in zip(xs, es, vs))
    return derive(
        f"(3) conditional path, d = {dim}, coordinates written out",
        (sp.Derivative(p, t) + sum(sp.Derivative(p * vc, xc) for xc, vc in zip(xs, vs))) / p,
        Step(per_coordinate, "the density factorises over coordinates", simplify=_rational),
        Step(sp.S(0), "each coordinate cancels as in 1-D", simplify=_rational),
        domains={t: UNIT})


def _marginal_in_two_dims():
    """Chain: the marginal continuity equation in two dimensions over n (symbolic) data points."""
    X2 = sp.IndexedBase("X", real=True)
    x1c, x2c = sp.symbols("xi_1 xi_2", real=True)
    p_i = gauss(x1c, t * X2[i, 1], S) * gauss(x2c, t * X2[i, 2], S)
    v1, v2 = (X2[i, 1] - x1c) / S, (X2[i, 2] - x2c) / S
    P = sp.Sum(p_i, (i, 1, n)) / n
    Z = sp.Sum(p_i, (i, 1, n))
    V1, V2 = sp.Sum(p_i / Z * v1, (i, 1, n)), sp.Sum(p_i / Z * v2, (i, 1, n))
    flux1, flux2 = sp.Sum(p_i * v1, (i, 1, n)) / n, sp.Sum(p_i * v2, (i, 1, n)) / n
    return derive(
        "(3) marginal path in d = 2 over n points",
        sp.Derivative(P, t) + sp.Derivative(P * V1, x1c) + sp.Derivative(P * V2, x2c),
        Step(sp.Derivative(P, t) + sp.Derivative(flux1, x1c) + sp.Derivative(flux2, x2c),
             "posterior weights: $p_t$ cancels in $p_t v_t$", simplify=_pull_out_of_sums),
        Step(sp.Sum(sp.Derivative(p_i, t) + sp.Derivative(p_i * v1, x1c) + sp.Derivative(p_i * v2, x2c), (i, 1, n)) / n,
             "differentiate term by term", simplify=_derivatives_into_sums),
        Step(sp.Sum(0, (i, 1, n)) / n, "each term is the conditional case", simplify=_termwise(p_i)),
        (sp.S(0), "a sum of zeros"),
        domains={t: UNIT})


# =========================================================================== 9g


#: Stated thresholds of the training checks.
MAX_REL_ERROR = {"handful": 0.15, "ring": 0.05}
MAX_ED_RATIO = 0.2


#: Times at which the learned field is compared with the closed form (t <= 0.9: away from t = 1,
#: where the exact field of a finite data set becomes singular).
COMPARISON_TIMES = tuple(np.linspace(0.0, 0.9, 10))


def relative_field_error(velocity, data, rng, *, times=COMPARISON_TIMES, m=2000):
    """:math:`E|v_\\theta - v^*|^2 / E|v^*|^2` over x ~ p_t on a grid of t, with the exact v* of ``data``."""
    num = den = 0.0
    for tt in times:
        xs, _, _ = fm.sample_marginal_path(data, float(tt), m, rng=rng)
        exact = fm.marginal_velocity(xs, float(tt), data)
        num += ((velocity(xs, float(tt)) - exact) ** 2).sum(axis=1).mean()
        den += (exact**2).sum(axis=1).mean()
    return num / den


def check_gradients(rng, *, grad_fn=cfm.cfm_loss_and_grad, n_entries=40):
    """The hand-written backprop agrees with central finite differences of the CFM loss."""
    data = cfm.handful(4, 2, rng=rng)
    params = cfm.init_mlp(2, hidden=16, rng=rng)
    params = {k_: v_ + 0.1 * rng.standard_normal(v_.shape) for k_, v_ in params.items()}  # away from b = 0
    xb, tb, ub = cfm.cfm_batch(data, 64, rng=rng)
    _, grads = grad_fn(params, xb, tb, ub)
    numeric, analytic = [], []
    for _ in range(n_entries):
        name = cfm.LAYERS[rng.integers(len(cfm.LAYERS))]
        idx = tuple(rng.integers(s_) for s_ in params[name].shape)
        h = 1e-6
        old = params[name][idx]
        params[name][idx] = old + h
        up = cfm.cfm_loss_and_grad(params, xb, tb, ub)[0]
        params[name][idx] = old - h
        down = cfm.cfm_loss_and_grad(params, xb, tb, ub)[0]
        params[name][idx] = old
        numeric.append((up - down) / (2 * h))
        analytic.append(grads[name][idx])
    return close_test(f"backprop gradient = central finite difference at {n_entries} random parameters",
                      analytic, numeric, rtol=1e-5, atol=1e-7)


def check_training(rng, *, kinds=("handful", "ring"), m=20_000, train=cfm.train_example):
    """A short Adam run lowers the CFM loss to near its minimum and learns the closed-form field."""
    out = []
    for kind in kinds:
        data, res = train(kind, rng=rng)
        v = res.velocity
        with cfm.threadpool_limits(1):
            err = relative_field_error(v, data, rng)
            cross, floor = [], []
            for tt, xs, ub, exact in cfm.exact_regression_samples(data, m, rng=rng):
                cross.append(2 * ((v(xs, tt) - exact) * (exact - ub)).sum(axis=1))
                floor.append(((exact - ub) ** 2).sum(axis=1))
        cross, floor = np.concatenate(cross), float(np.concatenate(floor).mean())
        early, late = res.losses[:100], res.losses[-100:]
        out += [
            predicate(f"{kind}: the training loss falls (last 100 batch losses below the first 100 on average)",
                      late.mean() < early.mean(), first_100=early.mean(), last_100=late.mean(),
                      standard_errors=[early.std() / 10, late.std() / 10], irreducible_minimum=floor,
                      steps=len(res.losses)),
            predicate(f"{kind}: the learned field is close to the closed-form $v_t$ "
                      f"($E\\|v_\\theta - v_t\\|^2 / E\\|v_t\\|^2 \\le {MAX_REL_ERROR[kind]}$)",
                      err <= MAX_REL_ERROR[kind], relative_error=err, threshold=MAX_REL_ERROR[kind],
                      data_points=len(data)),
            mean_test(f"{kind}: CFM loss $=$ distance to $v_t$ $+$ constant: the cross term has mean 0", cross, [0.0]),
        ]
    return out


def _draw_training(path, rng):
    """Figure of 9g; matplotlib is imported only when a figure is drawn."""
    from derivations.figures_flow_matching import draw_training

    draw_training(path, rng)


def _draw_samples(path, rng):
    """Figure of 9h; matplotlib is imported only when a figure is drawn."""
    from derivations.figures_flow_matching import draw_samples

    draw_samples(path, rng)


@REGISTRY.register("9g", status="checked")
def training_procedure() -> Answer:
    identity = derive(
        "the regression target along a line",
        (x_1 - ((1 - t) * x_0 + t * x_1)) / (1 - t),
        (x_1 - x_0, "$x_t = (1-t)x_0 + t x_1$: the factor $1-t$ cancels"),
        domains={t: UNIT})
    split = derive(
        "squared error splits around the conditional mean v_t",
        (v_theta - (x_1 - x_0)) ** 2,
        ((v_theta - v_star) ** 2 + 2 * (v_theta - v_star) * (v_star - (x_1 - x_0)) + (v_star - (x_1 - x_0)) ** 2,
         "add and subtract $v_t$"))
    return Answer(
        summary=(
            r"Conditional flow matching. Repeat: draw a minibatch of data points $x_1$ from $\mathcal{D}$, "
            r"noise $x_0 \sim \mathcal{N}(0, I)$ and times $t \sim U[0,1)$; form $x_t = (1-t)x_0 + t x_1$; "
            r"take a gradient step on $\frac1m \sum \|v_\theta(x_t, t) - (x_1 - x_0)\|^2$. "
            r"The target $x_1 - x_0 = (x_1 - x_t)/(1-t)$ is the velocity of the sampled line."),
        explanation=(
            r"9d--9f showed that $v_t(x) = E[x_1 - x_0 \mid x_t = x]$ generates the right probability path. "
            r"A conditional expectation is the minimiser of the mean squared error, so we can regress on the "
            r"per-line velocity without ever computing the posterior: expanding the square around $v_t$, "
            r"$E\|v_\theta - (x_1 - x_0)\|^2 = E\|v_\theta - v_t\|^2 + E\|v_t - (x_1 - x_0)\|^2$, because "
            r"the cross term has conditional mean zero given $x_t$. The second term does not depend on "
            r"$\theta$, so the CFM loss has the gradients of the intractable flow-matching loss and its "
            r"minimiser is $v_t$; an unbiased minibatch estimate of it gives stochastic gradients. "
            r"The implementation (numerics/cfm.py) is a two-hidden-layer SiLU network of $(x, t)$ with "
            r"Fourier time features, hand-written backpropagation (checked against finite differences), "
            r"Adam with a cosine learning-rate decay and an exponential moving average of the weights. "
            r"Trained for 1000 steps on a handful of 2-D points and on 4000 points of a noisy ring, the loss "
            r"falls to near its irreducible minimum and the learned field approaches the closed-form "
            r"$v_t$ of the empirical data."),
        chains=(identity, split),
        checks=(Check("backprop gradients", "hand-written gradients match central finite differences", check_gradients),
                Check("training run", r"the loss falls, the learned field approaches the closed-form $v_t$, and "
                      r"the CFM loss differs from the distance to $v_t$ by a constant", check_training)),
        figures=(Figure("fig-9g-training.pdf", "CFM training: batch loss and the irreducible minimum; learned "
                        "and exact fields at t = 0.5", _draw_training),),
        quantities=(Quantity("regression target", x_1 - x_0, symbols=(x_0, x_1, t), defined={"x_t": X_T},
                             description="the CFM target x_1 - x_0 (equal to (x_1 - x_t)/(1-t) on the line)"),
                    Quantity("CFM loss (per sample)",
                             (sp.Function("v_theta")((1 - t) * x_0 + t * x_1, t) - (x_1 - x_0)) ** 2,
                             symbols=(x_0, x_1, t), domains={t: UNIT}, defined={"x_t": X_T},
                             description="squared error of v_theta(x_t, t) against x_1 - x_0, with x_t = "
                                         "(1-t) x_0 + t x_1; averaged over t ~ U[0,1), x_0 ~ N(0, I), x_1 ~ data")),
    )


# =========================================================================== 9h


def check_exact_sampler(rng, *, data=None, m=4000, n_steps=40, method="rk4", velocity=fm.marginal_velocity):
    """With the exact field, samples land on the data points, each with probability 1/n."""
    data = _choose(data, lambda: cfm.handful(int(rng.integers(3, 7)), 2, rng=rng))
    x0 = rng.standard_normal((m, data.shape[1]))
    path = fm.integrate(lambda z, s: velocity(z, s, data), x0, n_steps=n_steps, method=method, return_path=True)
    end, before = path[-1], path[-2]
    dist = fm.nearest_distance(end, data)
    scale = 1.0 + np.abs(data).max()
    counts = np.bincount(np.argmin(((end[:, None, :] - data[None]) ** 2).sum(axis=2), axis=1), minlength=len(data))
    return [
        predicate(f"{method}: every sample lands on a data point (largest distance $\\le 10^{{-6}}(1 + \\max_i \\|x^{{(i)}}\\|_\\infty)$)",
                  dist.max() <= 1e-6 * scale, max_distance=float(dist.max()), threshold=1e-6 * scale,
                  median_distance_one_step_earlier=float(np.median(fm.nearest_distance(before, data))),
                  samples=m, steps=n_steps),
        chi_square_test(f"{method}: each of the {len(data)} data points receives $1/n$ of the samples", counts,
                        np.full(len(data), 1.0 / len(data))),
    ]


def check_trained_sampler(rng, *, m=4000, n_steps=10, train=cfm.train_example):
    """Samples of the trained ring model match held-out ring data (energy distance threshold)."""
    data, res = train("ring", rng=rng)
    held = cfm.ring(m, rng=rng)
    with cfm.threadpool_limits(1):
        samples = fm.integrate(res.velocity, rng.standard_normal((m, 2)), n_steps=n_steps, method="rk4")
    gaussian = rng.multivariate_normal(held.mean(axis=0), np.cov(held.T), size=m)
    ed_model = cfm.energy_distance(samples, held)
    ed_gauss = cfm.energy_distance(gaussian, held)
    return predicate(f"ring: energy distance of model samples to held-out data $\\le {MAX_ED_RATIO}\\times$ "
                     "that of the moment-matched Gaussian", ed_model <= MAX_ED_RATIO * ed_gauss,
                     energy_distance_model=ed_model, energy_distance_gaussian=ed_gauss,
                     ratio=ed_model / ed_gauss, threshold_ratio=MAX_ED_RATIO, samples=m, held_out=m,
                     training_points=len(data), steps=n_steps)


@REGISTRY.register("9h", status="checked")
def sampling() -> Answer:
    last = derive(
        "the last Euler step of the exact field lands on the posterior mean",
        x + (1 - t) * (y - x) / (1 - t),
        (y, "$v = (E[x_1 \\mid x, t] - x)/(1-t)$ with $y = E[x_1 \\mid x, t]$"),
        domains={t: UNIT})
    return Answer(
        summary=(r"Draw $x_0 \sim \mathcal{N}(0, I)$ and solve $dx/dt = v_\theta(x, t)$ from $t = 0$ to $1$ "
                 r"(Euler or RK4 on a uniform grid); $x(1)$ is a sample of the model. The field is never "
                 r"evaluated at the singular $t = 1$: the last step is an Euler step from $1 - h$."),
        explanation=(
            r"By 9f the flow of $v_t$ carries $p_0$ to $p_t$ for every $t$, so its time-1 map pushes "
            r"$\mathcal{N}(0, I)$ onto $p_1$; replacing $v_t$ by the learned $v_\theta$ gives the model. "
            r"\texttt{integrate} uses RK4 for all steps but the last, whose right-hand stage would sit at "
            r"$t = 1$; that step is an Euler step from $1 - h$, which for the exact field "
            r"$v = (E[x_1 \mid x, t] - x)/(1-t)$ lands exactly on the posterior mean (chain below). "
            r"With the exact marginal velocity of a handful of points every sample lands on a data point "
            r"(distance below $10^{-6}$), and the data points are hit equally often (chi-square test). "
            r"With the field trained on 4000 ring points the samples match held-out ring data: their energy "
            r"distance is at most a fifth of that between the data and the best Gaussian fit."),
        chains=(last,),
        checks=(Check("exact field: samples land on the data", r"integrating the exact $v_t$ sends every sample "
                      r"to a data point, each point with probability $1/n$", check_exact_sampler),
                Check("trained field: samples match the data", r"the energy distance of model samples to held-out "
                      rf"data is at most ${MAX_ED_RATIO}$ times that of the best Gaussian fit",
                      check_trained_sampler)),
        figures=(Figure("fig-9h-samples.pdf", "Samples and trajectories of dx/dt = v(x, t) from N(0, I): exact and "
                        "learned fields for a handful of points, and the learned field for a ring",
                        _draw_samples),),
    )


if __name__ == "__main__":
    from derivations.cli import show_section

    raise SystemExit(show_section("flow_matching"))
