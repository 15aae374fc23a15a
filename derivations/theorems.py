"""Named theorems: the results SymPy cannot derive, which a derivation step may cite.

A step that cites a theorem is *proved modulo the theorem*: SymPy verifies that the step is an
instance of it. For an identity (Bayes' rule, the law of total probability, the change-of-variables
formula, exchanging a derivative with a finite sum or an integral) the theorem is a rewrite, applied
to both sides, after which SymPy must show the difference is zero; for an inequality (Jensen,
Gibbs) or a characterisation (a moment generating function determines a Gaussian) the theorem
checks that the step has the theorem's form and SymPy verifies the theorem's hypotheses. A step
may not cite a theorem for what SymPy verifies directly (the chain checker refuses it).

Every theorem has its statement in LaTeX, symbolic instances in the tests, and a numeric test of
its own (:func:`numeric_test`), run by the verification report.

>>> import sympy as sp
>>> x, y = sp.symbols("x y", real=True)
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> i = sp.Symbol("i", integer=True, positive=True)
>>> c = sp.IndexedBase("c")
>>> step = sum_derivative()
>>> step.verify(sp.Derivative(sp.Sum(c[i] * x**i, (i, 1, n)), x), sp.Sum(i * c[i] * x**(i - 1), (i, 1, n)), "=")
(True, 'symbolic (given hint) modulo exchanging a derivative and a finite sum')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from derivations.symbolic.distributions import Gaussian, PointMass
from derivations.symbolic.expectation import KL, Expect
from derivations.symbolic.gaussian import GaussianDensity
from derivations.symbolic.hints import explicit, merge_under
from derivations.zero import decide


@dataclass(frozen=True)
class Theorem:
    """A named result: ``key`` (stable id), ``name`` (as a reader says it), ``statement`` (LaTeX)."""

    key: str
    name: str
    statement: str


@dataclass(frozen=True)
class Citation:
    """A theorem as one step uses it: a ``rewrite`` for an identity, or an ``instance`` check
    (``(lhs, rhs, relation) -> None`` when the step is an instance, else why not)."""

    theorem: Theorem
    rewrite: Callable | None = None
    instance: Callable | None = None
    hint: Callable | None = field(default=None, compare=False)

    def verify(self, lhs, rhs, relation: str, hint=None) -> tuple[bool, str]:
        """Is ``lhs relation rhs`` proved modulo the theorem? ``(proved, how)``."""
        name = self.theorem.name
        if self.instance is not None:
            why_not = self.instance(lhs, rhs, relation)
            return (True, f"an instance of {name}") if why_not is None else (False, f"not an instance of {name}: {why_not}")
        if relation != "=":
            return False, f"{name} is an identity; the step is an inequality"
        a, b = self.rewrite(lhs), self.rewrite(rhs)
        decision = decide(_difference(a, b), hint=hint or self.hint)
        if decision.proved:
            return True, f"{decision.method} modulo {name}"
        return False, f"after applying {name}, SymPy did not reduce the difference to zero"


def _difference(a, b):
    if isinstance(a, sp.MatrixBase):
        return a - b
    return sp.sympify(a) - sp.sympify(b)


# --------------------------------------------------------------------------- the theorems

BAYES = Theorem("bayes", "Bayes' rule",
                r"p(z \mid x) = \frac{p(x, z)}{p(x)} = \frac{p(x \mid z)\, p(z)}{p(x)}")
TOTAL_PROBABILITY = Theorem("total_probability", "the law of total probability",
                            r"p(x) = \int p(x \mid z)\, p(z)\, dz \text{, or } p(x) = \sum_{z} p(x \mid z)\, p(z) "
                            r"\text{ for a discrete } z")
CHANGE_OF_VARIABLES = Theorem(
    "change_of_variables", "the change-of-variables formula",
    r"x = g(z) \text{ with } g \text{ invertible and differentiable} \Rightarrow "
    r"p_X(x) = p_Z(g^{-1}(x))\, \bigl|\det J_{g^{-1}}(x)\bigr|")
SUM_DERIVATIVE = Theorem("sum_derivative", "exchanging a derivative and a finite sum",
                         r"\frac{\partial}{\partial \theta} \sum_{i=1}^{n} f_i(\theta) = "
                         r"\sum_{i=1}^{n} \frac{\partial f_i}{\partial \theta}(\theta)")
LEIBNIZ = Theorem("leibniz", "differentiation under the integral sign",
                  r"\frac{\partial}{\partial \theta} \int f(z, \theta)\, dz = \int \frac{\partial f}{\partial \theta}(z, \theta)\, dz"
                  r" \text{ when } |\partial_\theta f| \le g \text{ integrable}")
JENSEN = Theorem("jensen", "Jensen's inequality",
                 r"f \text{ concave} \Rightarrow f\bigl(\mathbb{E}[X]\bigr) \ge \mathbb{E}\bigl[f(X)\bigr]")
GIBBS = Theorem("gibbs", "Gibbs' inequality",
                r"\mathrm{KL}(q \,\|\, p) \ge 0, \text{ with equality if and only if } q = p \text{ almost everywhere}")
MGF_UNIQUENESS = Theorem("mgf", "uniqueness of the moment generating function",
                         r"\mathbb{E}[e^{sX}] = e^{s\mu + s^2\sigma^2/2} \text{ for all } s \Rightarrow "
                         r"X \sim \mathcal{N}(\mu, \sigma^2)")
NASCENT_DELTA = Theorem(
    "nascent_delta", "the approximate identity (nascent delta function)",
    r"\phi \text{ a probability density on } \mathbb{R}^d,\ \varepsilon_t \to 0^+,\ \mu_t \to \mu "
    r"\Rightarrow \varepsilon_t^{-d}\, \phi\bigl((x - \mu_t)/\varepsilon_t\bigr) \to \delta(x - \mu) "
    r"\text{ as distributions: } \int g(x)\, \varepsilon_t^{-d} \phi\bigl((x - \mu_t)/\varepsilon_t\bigr) dx "
    r"\to g(\mu) \text{ for every bounded continuous } g")
LARGE_NUMBERS = Theorem("lln", "the strong law of large numbers",
                        r"\frac{1}{n}\sum_{i=1}^n Y_i \to \mathbb{E}[Y_1] \text{ almost surely, for i.i.d. } Y_i "
                        r"\text{ with } \mathbb{E}|Y_1| < \infty")

CATALOGUE: tuple[Theorem, ...] = (BAYES, TOTAL_PROBABILITY, CHANGE_OF_VARIABLES, SUM_DERIVATIVE, LEIBNIZ,
                                  JENSEN, GIBBS, MGF_UNIQUENESS, NASCENT_DELTA, LARGE_NUMBERS)
BY_KEY = {t.key: t for t in CATALOGUE}


def _replace_calls(f, build: Callable):
    """A rewrite replacing every application ``f(*args)`` by ``build(*args)``."""
    def rewrite(expr):
        return sp.sympify(expr).replace(lambda e: getattr(e, "func", None) == f, lambda e: build(*e.args))
    return rewrite


def bayes(posterior, joint, evidence) -> Citation:
    """Bayes' rule for the undefined densities ``posterior(z, x)``, ``joint(x, z)``, ``evidence(x)``."""
    return Citation(BAYES, rewrite=_replace_calls(posterior, lambda z, x: joint(x, z) / evidence(x)))


def total_probability(marginal, conditional, prior, variable) -> Citation:
    """:math:`p(x) = \\int p(x\\mid z) p(z) dz` for ``marginal(x)``, ``conditional(x, z)``, ``prior(z)``."""
    z = variable
    return Citation(TOTAL_PROBABILITY, rewrite=_replace_calls(
        marginal, lambda x: sp.Integral(conditional(x, z) * prior(z), (z, -sp.oo, sp.oo))))


def total_probability_over(marginal, conditional, prior, values, index, count) -> Citation:
    """:math:`p(x) = \\sum_{i=1}^{m} p(x \\mid z = v_i)\\, p(z = v_i)` for a discrete ``z`` taking the
    values ``values[i]``, ``i = 1..count``: ``marginal(x, ...)`` becomes the sum of
    ``conditional(x, v_i) * prior(v_i)``. ``conditional`` and ``prior`` may be undefined functions
    or callables returning the known densities."""
    def build(x, *rest):
        v = values[index]
        return sp.Sum(conditional(x, v) * prior(v), (index, 1, count))
    return Citation(TOTAL_PROBABILITY, rewrite=_replace_calls(marginal, build))


def change_of_variables(density_x, density_z, inverse, variable) -> Citation:
    """:math:`p_X(x) = p_Z(g^{-1}(x))\\,|\\partial_x g^{-1}(x)|` (one coordinate, g increasing)."""
    def build(x):
        ginv = inverse(x)
        return density_z(ginv) * sp.Abs(sp.diff(ginv, x) if isinstance(x, sp.Symbol) else sp.Derivative(ginv, x))
    return Citation(CHANGE_OF_VARIABLES, rewrite=_replace_calls(density_x, build))


def change_of_variables_affine(density_x, density_z, scale, shift, dim) -> Citation:
    """:math:`x = a z + b` in :math:`\\mathbb{R}^d` with a scalar :math:`a \\ne 0`:
    :math:`p_X(x) = p_Z\\bigl((x - b)/a\\bigr)\\, |a|^{-d}` (the Jacobian of :math:`z = (x - b)/a` is
    :math:`a^{-1} I_d`). ``density_x(x, ...)`` is rewritten; its first argument is the point."""
    def build(x, *rest):
        return density_z((x - shift) / scale) * sp.Abs(1 / scale) ** dim
    return Citation(CHANGE_OF_VARIABLES, rewrite=_replace_calls(density_x, build))


def _inside(kind):
    def move(e):
        inner = e.expr
        if isinstance(inner, kind) and not any(v in inner.variables for v, _ in e.variable_count):
            return kind(sp.Derivative(inner.function, *e.variable_count), *inner.limits)
        return e

    def rewrite(expr):
        return sp.sympify(expr).replace(lambda e: isinstance(e, sp.Derivative) and isinstance(e.expr, kind), move)
    return rewrite


def _evaluated_inside(e):
    """Carry out the derivatives, combine powers, and put the sums in one canonical form."""
    e = explicit(e).replace(lambda q: isinstance(q, sp.Derivative), lambda q: q.doit())
    return merge_under(e)


def sum_derivative() -> Citation:
    """Move derivatives inside finite sums (linearity of differentiation)."""
    return Citation(SUM_DERIVATIVE, rewrite=_inside(sp.Sum), hint=_evaluated_inside)


def leibniz() -> Citation:
    """Move derivatives inside integrals (dominated convergence)."""
    return Citation(LEIBNIZ, rewrite=_inside(sp.Integral), hint=_evaluated_inside)


def _concave(f: Callable, domain_symbol) -> bool:
    t = domain_symbol
    second = sp.diff(f(t), t, 2)
    return decide(-second, ">=").proved


def jensen() -> Citation:
    """:math:`f(\\mathbb{E}_q[h]) \\ge \\mathbb{E}_q[f(h)]` for a concave ``f`` (steps written with :class:`Expect`)."""
    def instance(lhs, rhs, relation):
        if relation == "<=":
            lhs, rhs = rhs, lhs
        elif relation != ">=":
            return "Jensen's inequality is an inequality"
        if not (isinstance(rhs, Expect) and len(lhs.args) == 1 and isinstance(lhs.args[0], Expect)):
            return "the larger side must be f(E_q[h]) and the smaller E_q[f(h)]"
        inner, outer = lhs.args[0], lhs.func
        if (inner.variable, inner.density) != (rhs.variable, rhs.density):
            return "the two expectations are under different measures"
        if sp.simplify(rhs.function - outer(inner.function)) != 0:
            return "the smaller side is not the expectation of f applied to the same h"
        t = sp.Symbol("t", positive=True)
        if not _concave(outer, t):
            return f"SymPy could not show that {outer} is concave"
        return None
    return Citation(JENSEN, instance=instance)


def gibbs() -> Citation:
    """:math:`\\mathrm{KL}(q\\|p) \\ge 0` (a step from a :class:`KL` to 0 or to a smaller expression
    that is a KL plus a non-negative remainder)."""
    def instance(lhs, rhs, relation):
        big, small = (lhs, rhs) if relation == ">=" else (rhs, lhs) if relation == "<=" else (None, None)
        if big is None:
            return "Gibbs' inequality is an inequality"
        kls = [a for a in sp.Add.make_args(sp.expand(big - small)) if isinstance(a, KL)]
        if not kls:
            return "the difference of the two sides holds no KL divergence"
        rest = sp.expand(big - small - sp.Add(*kls))
        if rest != 0 and not decide(rest, ">=").proved:
            return "what remains besides the KL divergences is not shown non-negative"
        return None
    return Citation(GIBBS, instance=instance)


def mgf_uniqueness(s) -> Citation:
    """From :math:`\\mathbb{E}[e^{sX}]` written as a Gaussian's MGF to the law :math:`\\mathcal{N}(\\mu, v)`."""
    def instance(lhs, rhs, relation):
        if relation != "=" or not isinstance(rhs, Gaussian):
            return "the step must conclude a Gaussian distribution"
        if isinstance(rhs.mean, sp.MatrixBase):
            return "one coordinate at a time"
        if not decide(lhs - sp.exp(s * rhs.mean + s**2 * rhs.cov / 2), hint=lambda e: sp.expand(sp.powsimp(e))).proved:
            return "the left side is not that Gaussian's moment generating function"
        return None
    return Citation(MGF_UNIQUENESS, instance=instance)


def nascent_delta(density, scale, centre, point, dim, variable, to, direction="-") -> Citation:
    """:math:`\\lim_{t \\to t_0} \\varepsilon_t^{-d}\\, \\phi((x - \\mu_t)/\\varepsilon_t) = \\delta(x - \\mu)`.

    ``density(z)`` is the probability density :math:`\\phi` (a Gaussian density of the toolkit, or
    a one-dimensional density SymPy integrates to one), ``scale`` and ``centre`` are
    :math:`\\varepsilon_t` and :math:`\\mu_t`, ``point`` is :math:`x` (a symbol or a vector of
    dimension ``dim``). The step is an instance when its left side is the limit as ``variable``
    tends to ``to`` (from ``direction``) of a density SymPy proves equal to
    :math:`\\varepsilon_t^{-d}\\phi((x - \\mu_t)/\\varepsilon_t)`, SymPy shows :math:`\\varepsilon_t > 0`
    near ``to`` and :math:`\\varepsilon_t \\to 0`, and the right side is the Dirac delta at
    :math:`\\mu = \\lim \\mu_t` (a product of one delta per coordinate for a vector)."""
    def instance(lhs, rhs, relation):
        if relation != "=":
            return "the approximate identity is an identity of limits"
        if not (isinstance(lhs, sp.Limit) and lhs.args[1] == variable and lhs.args[2] == to
                and str(lhs.args[3]) == direction):
            return f"the left side must be the limit as {variable} -> {to}{direction}"
        z = sp.Dummy("z", real=True)
        phi = density(z)
        if not (isinstance(phi, GaussianDensity) or
                decide(sp.integrate(explicit(phi), (z, -sp.oo, sp.oo)) - 1).proved):
            return "SymPy could not show that phi is a probability density"
        h = sp.Dummy("h", positive=True)
        near = {variable: to - h if direction == "-" else to + h}  # the side the limit is taken from
        if sp.limit(scale, variable, to, direction) != 0:
            return "the scale does not tend to 0"
        if sp.simplify(scale.subs(near)).is_positive is not True:
            return "SymPy could not show that the scale is positive near the limit"
        body = scale ** (-dim) * density((point - centre) / scale)
        if not decide((lhs.args[0] - body).subs(near), hint=_scaled_density).proved:
            return "the limit is not of a rescaled density eps^(-d) phi((x - mu)/eps)"
        mu = centre.subs(variable, to)
        if sp.limit(centre - mu, variable, to, direction) != 0:
            return "the centre has no limit SymPy can take"
        if not decide(rhs - PointMass(mu, at=point).pdf(point)).proved:
            return f"the right side is not the Dirac delta at {mu}"
        return None
    return Citation(NASCENT_DELTA, instance=instance)


def _scaled_density(e):
    """Write the densities out, put the sums in canonical form and compare powers and exponentials."""
    from derivations.symbolic.hints import exp_normal_form, tidy_sums
    return exp_normal_form(tidy_sums(sp.expand(explicit(e))))


def large_numbers(frequency, probability, n) -> Citation:
    """:math:`\\lim_{n\\to\\infty} g(\\hat p_n) = g(p)` for a sample frequency ``frequency`` of an
    event of probability ``probability`` and a continuous ``g``."""
    def rewrite(expr):
        def replace(lim):
            if lim.args[1] == n and lim.args[2] == sp.oo:
                return lim.args[0].subs(frequency, probability)
            return lim
        return sp.sympify(expr).replace(lambda e: isinstance(e, sp.Limit), replace)
    return Citation(LARGE_NUMBERS, rewrite=rewrite)


# --------------------------------------------------------------------------- numeric tests

def numeric_test(theorem: Theorem, rng: np.random.Generator):
    """The theorem's own numeric test (a :class:`numerics.stattests.CheckResult`)."""
    return _NUMERIC[theorem.key](rng)


def _bayes_test(rng):
    from numerics.stattests import close_test
    joint = rng.dirichlet(np.ones(12)).reshape(3, 4)  # p(x, z) on 3 x 4 values
    evidence = joint.sum(axis=1)
    posterior = joint / evidence[:, None]
    prior = joint.sum(axis=0)
    likelihood = joint / prior[None, :]  # p(x | z)
    return close_test(r"Bayes' rule: $p(x,z)/p(x) = p(x\mid z)p(z)/\sum_{z'}p(x\mid z')p(z')$",
                      posterior, likelihood * prior / (likelihood @ prior)[:, None], rtol=1e-12, atol=1e-15)


def _total_probability_test(rng):
    from numerics.stattests import chi_square_test
    prior = rng.dirichlet(np.ones(4))
    cond = rng.dirichlet(np.ones(5), size=4)  # p(x | z) for 4 values of z, 5 of x
    z = rng.choice(4, size=50_000, p=prior)
    x = (rng.random(z.size)[:, None] > np.cumsum(cond[z], axis=1)).sum(axis=1)
    return chi_square_test(r"total probability: $x$ drawn through $z$ follows $\sum_z p(x\mid z)p(z)$",
                           np.bincount(x, minlength=5), prior @ cond)


def _change_of_variables_test(rng):
    from scipy import stats

    from numerics.stattests import ks_test
    a, b = rng.uniform(0.5, 2.0), rng.normal()
    x = np.sinh(a * rng.normal(size=20_000) + b)  # g(z) = sinh(a z + b), z ~ N(0, 1)
    return ks_test(r"change of variables: $\sinh(az+b)$ has the CDF $\Phi((\operatorname{asinh}x - b)/a)$",
                   x, lambda v: stats.norm.cdf((np.arcsinh(v) - b) / a))


def _derivative_exchange_test(rng):
    from numerics.stattests import close_test
    c = rng.normal(size=6)
    theta, h = rng.normal(), 1e-5
    f = lambda t: np.sum(c * np.sin((np.arange(6) + 1) * t))  # noqa: E731
    termwise = np.sum(c * (np.arange(6) + 1) * np.cos((np.arange(6) + 1) * theta))
    return close_test(r"$\partial_\theta\sum_i f_i = \sum_i \partial_\theta f_i$ (central difference)",
                      (f(theta + h) - f(theta - h)) / (2 * h), termwise, rtol=1e-7, atol=1e-8)


def _leibniz_test(rng):
    from scipy import integrate

    from numerics.stattests import close_test
    theta, h = rng.uniform(0.5, 2.0), 1e-5
    integral = lambda t: integrate.quad(lambda z: np.exp(-t * z**2), -np.inf, np.inf, epsabs=1e-13)[0]  # noqa: E731
    inside = integrate.quad(lambda z: -z**2 * np.exp(-theta * z**2), -np.inf, np.inf, epsabs=1e-13)[0]
    return close_test(r"$\partial_\theta\int e^{-\theta z^2}dz = \int -z^2 e^{-\theta z^2}dz$",
                      (integral(theta + h) - integral(theta - h)) / (2 * h), inside, rtol=1e-6, atol=1e-9)


def _jensen_test(rng):
    from numerics.stattests import predicate
    y = np.exp(rng.normal(rng.normal(), rng.uniform(0.2, 1.5), size=(50, 2000)))
    gaps = np.log(y.mean(axis=1)) - np.log(y).mean(axis=1)
    return predicate(r"Jensen: $\log \bar y \ge \overline{\log y}$ for 50 positive samples", bool(np.all(gaps >= 0)),
                     smallest_gap=float(gaps.min()))


def _gibbs_test(rng):
    from numerics.stattests import predicate
    q, p = rng.dirichlet(np.ones(8), size=100), rng.dirichlet(np.ones(8), size=100)
    kl = np.sum(q * np.log(q / p), axis=1)
    same = np.sum(q * np.log(q / q), axis=1)
    return predicate(r"Gibbs: $\mathrm{KL}(q\|p)\ge 0$ for 100 random pairs, $=0$ when $q=p$",
                     bool(np.all(kl >= 0) and np.all(np.abs(same) < 1e-15)), smallest=float(kl.min()))


def _mgf_test(rng):
    from numerics.stattests import mean_test
    mu, sd, s = rng.normal(), rng.uniform(0.3, 1.0), rng.uniform(-1.0, 1.0)
    x = rng.normal(mu, sd, size=200_000)
    return mean_test(r"MGF: $\mathbb{E}[e^{sX}] = e^{s\mu+s^2\sigma^2/2}$ for $X\sim\mathcal{N}(\mu,\sigma^2)$",
                     np.exp(s * x), [np.exp(s * mu + s**2 * sd**2 / 2)])


def _nascent_delta_test(rng):
    from scipy import integrate, stats

    from numerics.stattests import close_test
    mu, eps = rng.normal(), 10.0 ** rng.uniform(-4, -3)
    g = np.arctan  # bounded, Lipschitz 1: |E g(mu_eps + eps Z) - g(mu)| <= eps (1 + E|Z|)
    centre = mu + eps  # a centre that moves to mu as eps -> 0

    def smoothed(e, c):  # int g(x) e^{-1} phi((x - c)/e) dx, phi the logistic density
        return integrate.quad(lambda u: g(c + e * u) * stats.logistic.pdf(u), -60, 60, epsabs=1e-13, limit=200)[0]
    bound = eps * (1 + stats.logistic.expect(abs))
    return close_test(r"approximate identity: $\int \arctan(x)\, \varepsilon^{-1}\phi((x-\mu_\varepsilon)/\varepsilon)\,dx "
                      r"\to \arctan\mu$ for the logistic $\phi$, within $\varepsilon(1 + E|Z|)$",
                      smoothed(eps, centre), g(mu), rtol=0.0, atol=bound)


def _lln_test(rng):
    from numerics.stattests import binomial_test
    p = rng.uniform(0.1, 0.9)
    hits = int((rng.random(100_000) < p).sum())
    return binomial_test(r"large numbers: the frequency of an event of probability $p$", hits, 100_000, p)


_NUMERIC = {"bayes": _bayes_test, "total_probability": _total_probability_test,
            "change_of_variables": _change_of_variables_test, "sum_derivative": _derivative_exchange_test,
            "leibniz": _leibniz_test, "jensen": _jensen_test, "gibbs": _gibbs_test, "mgf": _mgf_test,
            "nascent_delta": _nascent_delta_test, "lln": _lln_test}

__all__ = ["BY_KEY", "CATALOGUE", "Citation", "Theorem", "bayes", "change_of_variables", "change_of_variables_affine",
           "gibbs", "jensen", "large_numbers", "leibniz", "mgf_uniqueness", "nascent_delta", "numeric_test",
           "sum_derivative", "total_probability", "total_probability_over"]
