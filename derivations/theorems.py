"""Named theorems: the results SymPy cannot derive, which a derivation step may cite.

A step that cites a theorem is *proved modulo the theorem*: SymPy verifies that the step is an
instance of it. For an identity (Bayes' rule, the law of total probability, the change-of-variables
formula, exchanging a derivative with a finite sum or an integral, a vector read coordinate by
coordinate, Fubini's theorem, the chain rule of probability, the normalisation of a distribution) the
theorem is a rewrite, applied to both sides, after which SymPy must show the difference is zero; for an
inequality (Jensen,
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

from derivations.symbolic.distributions import Distribution, Gaussian, Mixture, PointMass, as_mixture
from derivations.symbolic.expectation import KL, Expect, Prob, depends_on
from derivations.symbolic.gaussian import GaussianDensity
from derivations.symbolic.hints import exp_normal_form, explicit, merge_under, tidy_sums
from derivations.symbolic.vectors import SquaredNorm, VectorOf
from derivations.symbolic.integrals import JacobianDeterminant, VectorIntegral
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
                            r"p(x) = \int p(x \mid z)\, p(z)\, dz \text{; for a discrete } z\text{, } "
                            r"x \sim \sum_k p(z_k)\, p(\cdot \mid z_k)")
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
                         r"\mathbb{E}[e^{s^\top X}] = e^{s^\top\mu + s^\top\Sigma s/2} \text{ for all } s \in \mathbb{R}^d "
                         r"\Rightarrow X \sim \mathcal{N}(\mu, \Sigma)")
GAUSSIAN_MGF = Theorem("gaussian_mgf", "the moment generating function of a Gaussian",
                       r"X \sim \mathcal{N}(\mu, \Sigma) \text{ in } \mathbb{R}^d \Rightarrow "
                       r"\mathbb{E}[e^{u^\top X}] = e^{u^\top\mu + u^\top\Sigma u/2} \text{ for every } u \in \mathbb{R}^d")
MONOTONE = Theorem("monotone", "inverting a continuous increasing map",
                   r"F \text{ continuous, strictly increasing} \Rightarrow "
                   r"\bigl(F(a) \le b \iff a \le F^{-1}(b)\bigr),\ F\bigl(F^{-1}(b)\bigr) = b")
NASCENT_DELTA = Theorem(
    "nascent_delta", "the approximate identity (nascent delta function)",
    r"\phi \text{ a density on } \mathbb{R}^d,\ \varepsilon_t \to 0^+,\ \mu_t \to \mu \Rightarrow "
    r"\varepsilon_t^{-d}\, \phi\bigl(\tfrac{x - \mu_t}{\varepsilon_t}\bigr) \to \delta(x - \mu) \text{ weakly}")
LARGE_NUMBERS = Theorem("lln", "the strong law of large numbers",
                        r"\frac{1}{n}\sum_{i=1}^n Y_i \to \mathbb{E}[Y_1] \text{ almost surely, for i.i.d. } Y_i "
                        r"\text{ with } \mathbb{E}|Y_1| < \infty")
FUBINI = Theorem("fubini", "Fubini's theorem",
                 r"\int_{\mathbb{R}^d} \prod_{j=1}^d f_j(x_j)\, dx = \prod_{j=1}^d \int_{\mathbb{R}} f_j(u)\, du"
                 r" \text{ for non-negative (Tonelli) or integrable } f_j")
NORMALISATION = Theorem("normalisation", "the normalisation of a probability distribution",
                        r"\sum_{v} p(v \mid s) = 1 \text{ over all values } v \text{ (}\int p(v \mid s)\, dv = 1"
                        r"\text{ for a density), for every } s")
CHAIN_RULE = Theorem("chain_rule", "the chain rule of probability",
                     r"p(x_1, \ldots, x_d) = \prod_{i=1}^d p(x_i \mid x_{<i}), \quad x_{<i} = (x_1, \ldots, x_{i-1})")

COORDINATES = Theorem("coordinates", "vectors coordinate by coordinate",
                      r"u = v \text{ in } \mathbb{R}^d \iff u_j = v_j \ (j = 1, \dots, d), \qquad "
                      r"\|v\|^2 = \sum_{j=1}^{d} v_j^2")

CATALOGUE: tuple[Theorem, ...] = (BAYES, TOTAL_PROBABILITY, CHANGE_OF_VARIABLES, SUM_DERIVATIVE, LEIBNIZ,
                                  JENSEN, GIBBS, MGF_UNIQUENESS, GAUSSIAN_MGF, MONOTONE, NASCENT_DELTA, LARGE_NUMBERS,
                                  COORDINATES, FUBINI, NORMALISATION, CHAIN_RULE)
BY_KEY = {t.key: t for t in CATALOGUE}


def _replace_calls(f, build: Callable):
    """A rewrite replacing every application ``f(*args)`` by ``build(*args)``."""
    def rewrite(expr):
        return sp.sympify(expr).replace(lambda e: getattr(e, "func", None) == f, lambda e: build(*e.args))
    return rewrite


def bayes(posterior, joint, evidence) -> Citation:
    """Bayes' rule for the undefined densities ``posterior(z, x)``, ``joint(x, z)``, ``evidence(x)``."""
    return Citation(BAYES, rewrite=_replace_calls(posterior, lambda z, x: joint(x, z) / evidence(x)))


def total_probability(marginal, conditional, prior, variable, values=None, *, over=None, dim=None,
                      hint=None) -> Citation:
    """:math:`p(x) = \\int p(x\\mid z) p(z) dz` for ``marginal(x)``, ``conditional(x, z)``, ``prior(z)``.

    ``values=(v_1, ..., v_m)``: z is discrete with these values, written out term by term,
    :math:`p(x) = \\sum_k p(x \\mid v_k) p(v_k)`; ``over=(a, b)``: z is discrete with values a..b,
    :math:`p(x) = \\sum_{z=a}^{b} p(x \\mid z) p(z)`;
    ``dim=k``: z is a vector of :math:`\\mathbb{R}^k` (an indexed base) and the integral is over
    :math:`\\mathbb{R}^k` (:class:`derivations.symbolic.integrals.VectorIntegral`). ``hint`` helps SymPy
    compare the two sides once the theorem is applied."""
    z = variable
    if values is not None:
        def build(x):
            return sp.Add(*[conditional(x, v) * prior(v) for v in values])
    elif over is not None:
        def build(x):
            return sp.Sum(conditional(x, z) * prior(z), (z, *over))
    elif dim is not None:
        def build(x):
            return VectorIntegral(conditional(x, z) * prior(z), z, dim)
    else:
        def build(x):
            return sp.Integral(conditional(x, z) * prior(z), (z, -sp.oo, sp.oo))
    return Citation(TOTAL_PROBABILITY, rewrite=_replace_calls(marginal, build), hint=hint)


def total_probability_law(marginal, conditional_law, prior, values, hint=None) -> Citation:
    """The law of total probability for a discrete :math:`z`, concluding the law of :math:`x`: the
    step goes from ``marginal`` (the density or law being found, e.g. :math:`q(x_t)`) to the mixture
    :math:`\\sum_k p(z_k)\\, p(\\cdot\\mid z_k)`, whose components must be ``prior(v)`` times
    ``conditional_law(v)`` (a distribution) for the ``values`` ``v`` of :math:`z`, in order."""
    def instance(lhs, rhs, relation):
        if relation != "=" or not isinstance(rhs, (Distribution, Mixture)):
            return "the step must conclude the mixture law"
        if sp.sympify(lhs) != sp.sympify(marginal):
            return "the left side is not the marginal the citation names"
        components = as_mixture(rhs).components
        if len(components) != len(values):
            return f"the mixture has {len(components)} components for {len(values)} values"
        for comp, v in zip(components, values):
            law = conditional_law(v)
            if comp.family != law.family or comp.over is not None:
                return "a component is not the conditional law of its value"
            for got, want in zip((comp.weight, *comp.params), (prior(v), *law.params)):
                if not decide(_difference(got, want), hint=hint).proved:
                    return "a component's weight or parameter is not the prior or the conditional law"
        return None
    return Citation(TOTAL_PROBABILITY, instance=instance)


def change_of_variables(density_x, density_z, inverse, variable) -> Citation:
    """:math:`p_X(x) = p_Z(g^{-1}(x))\\,|\\det J_{g^{-1}}(x)|`, the Jacobian taken from ``inverse`` itself.

    For a scalar ``x``: :math:`|\\partial_x g^{-1}(x)|`; for a column of symbols: the determinant of
    the Jacobian matrix of the map; for a vector of :math:`\\mathbb{R}^d` written by its coordinates (an
    indexed base) and an arbitrary map: :class:`derivations.symbolic.integrals.JacobianDeterminant`."""
    def build(x):
        ginv = inverse(x)
        if isinstance(x, sp.MatrixBase):
            jacobian = sp.Matrix(ginv).jacobian(x).det()
        elif isinstance(x, sp.IndexedBase):
            jacobian = JacobianDeterminant(ginv, x)
        else:
            jacobian = sp.diff(ginv, x) if isinstance(x, sp.Symbol) else sp.Derivative(ginv, x)
        return density_z(ginv) * sp.Abs(jacobian)
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


def coordinate(expr, j, vectors=None):
    """Coordinate ``j`` of a vector expression: every :class:`sympy.IndexedBase` ``B`` standing alone
    becomes ``B[j]``, and every symbol of ``vectors`` (a symbol standing for a vector, e.g. ``x_0``
    in a box, mapped to the base of its coordinates) becomes that base's ``[j]``.

    >>> j = sp.Symbol("j", integer=True)
    >>> x0, X0, m = sp.Symbol("x_0"), sp.IndexedBase("x_0"), sp.IndexedBase("m")
    >>> coordinate(2 * x0 + m, j, {x0: X0})
    m[j] + 2*x_0[j]
    """
    vectors = dict(vectors or {})

    def walk(e):
        if isinstance(e, sp.Indexed):
            return e
        if isinstance(e, sp.IndexedBase):
            return e[j]
        if e in vectors:
            return vectors[e][j]
        return e.func(*[walk(a) for a in e.args]) if e.args else e
    return walk(sp.sympify(expr))


def _exponents(e):
    """Sums in canonical form, then exponentials split term by term (products of MGFs)."""
    return exp_normal_form(tidy_sums(e))


def mgf_uniqueness(s, index=None, vectors=None) -> Citation:
    """From :math:`\\mathbb{E}[e^{s^\\top X}]` written as a Gaussian's MGF to the law :math:`\\mathcal{N}(\\mu, \\Sigma)`.

    One coordinate: ``s`` a symbol. A vector of known length: ``s`` a column matrix, the Gaussian's
    mean a matrix. A vector of symbolic dimension ``d``: ``s`` an :class:`sympy.IndexedBase`,
    ``index = (j, 1, d)``, the left side written with sums over ``j``; the Gaussian is isotropic
    (covariance ``v I``) and its mean is read coordinate by coordinate (:func:`coordinate`, with
    ``vectors`` naming the symbols that stand for vectors)."""
    def expected(rhs):
        mean, cov = rhs.mean, rhs.cov
        if isinstance(mean, sp.MatrixBase):
            if not (isinstance(s, sp.MatrixBase) and s.shape == mean.shape):
                return None, "the argument s must be a column of the mean's length"
            sigma = cov if isinstance(cov, sp.MatrixBase) else cov * sp.eye(mean.rows)
            return sp.exp((s.T * mean)[0] + (s.T * sigma * s)[0] / 2), None
        if index is not None:
            if isinstance(cov, sp.MatrixBase) or not rhs.isotropic:
                return None, "in symbolic dimension the Gaussian must be isotropic, covariance v I"
            j = index[0]
            return sp.exp(sp.Sum(s[j] * coordinate(mean, j, vectors), index) + cov * sp.Sum(s[j] ** 2, index) / 2), None
        return sp.exp(s * mean + s**2 * cov / 2), None

    def instance(lhs, rhs, relation):
        if relation != "=" or not isinstance(rhs, Gaussian):
            return "the step must conclude a Gaussian distribution"
        mgf, why = expected(rhs)
        if mgf is None:
            return why
        if not decide(lhs - mgf, hint=_exponents).proved:
            return "the left side is not that Gaussian's moment generating function"
        return None
    return Citation(MGF_UNIQUENESS, instance=instance)


def monotone(F, F_inv, cdf_of=None) -> Citation:
    """Events and compositions under a continuous strictly increasing ``F`` with inverse ``F_inv``
    (undefined functions): ``F(a) <= b`` becomes ``a <= F_inv(b)`` and ``F_inv(a) <= b`` becomes
    ``a <= F(b)`` (any of <, <=, >, >=; the map is taken off the left side), and ``F(F_inv(b))``,
    ``F_inv(F(a))`` become ``b``, ``a``. With ``cdf_of=z``, ``F`` is the CDF of the variable ``z``: :math:`P(z \\le a) = F(a)`.

    >>> import sympy as sp
    >>> from derivations.symbolic.expectation import Prob
    >>> F, G, f = sp.Function("F"), sp.Function("F^{-1}"), sp.Function("f")
    >>> x, u = sp.Symbol("x", real=True), sp.Symbol("u", positive=True)
    >>> monotone(F, G).verify(Prob(F(x) <= u, x, f(x)), Prob(x <= G(u), x, f(x)), "=")
    (True, 'symbolic (as written) modulo inverting a continuous increasing map')
    """
    def event(rel):  # the normal form has no F or F^{-1} applied on the left
        for f, g in ((F, F_inv), (F_inv, F)):
            if getattr(rel.lhs, "func", None) == f and len(rel.lhs.args) == 1:
                return rel.func(rel.lhs.args[0], g(rel.rhs))
        return rel

    def cancel(e):
        inner = e.args[0] if len(e.args) == 1 else None
        if inner is not None and getattr(inner, "func", None) == (F_inv if e.func == F else F) and len(inner.args) == 1:
            return inner.args[0]
        return e

    def rewrite(expr):
        expr = sp.sympify(expr)
        for _ in range(8):  # nested compositions unwind one level a round
            new = expr.replace(lambda e: isinstance(e, sp.core.relational.Relational), event)
            new = new.replace(lambda e: getattr(e, "func", None) in (F, F_inv), cancel)
            if cdf_of is not None:
                new = new.replace(
                    lambda e: isinstance(e, Prob) and e.variable == cdf_of and isinstance(e.condition, sp.LessThan)
                    and e.condition.lhs == cdf_of, lambda e: F(e.condition.rhs))
            if new == expr:
                break
            expr = new
        return expr
    return Citation(MONOTONE, rewrite=rewrite)


def _linear_coefficient(summand, z, j):
    """``u`` with ``summand = u * z[j]`` and ``u`` free of ``z``, else None."""
    u = sp.cancel(summand / z[j])
    return None if depends_on(u, z) else u


def _gaussian_mgf_value(e: Expect):
    """:math:`\\mathbb{E}_{\\mathcal{N}(z;\\mu,vI)}[e^{u^\\top z}] = e^{u^\\top\\mu + v\\|u\\|^2/2}` when ``e`` has
    that form (``z`` a symbol, or a vector by coordinates with the exponent a sum over them)."""
    z, q, f = e.variable, e.density, e.function
    if not (isinstance(q, GaussianDensity) and q.point == z and isinstance(f, sp.exp)):
        return e
    mean, v = q.mean, q.variance
    if isinstance(z, sp.Symbol):
        u = sp.cancel(f.args[0] / z)
        return e if depends_on(u, z) else sp.exp(u * mean + u**2 * v / 2)
    if not isinstance(z, sp.IndexedBase) or len(q.args) != 4:
        return e
    j = sp.Dummy("j", integer=True)
    total = sp.S(0)
    for term in sp.Add.make_args(sp.expand(tidy_sums(f.args[0]))):
        const, rest = term.as_independent(sp.Sum, as_Add=False)
        if not (isinstance(rest, sp.Sum) and len(rest.limits) == 1) or depends_on(const, z):
            return e
        k, lo, hi = rest.limits[0]
        if (lo, hi) != (1, q.dim):
            return e
        u = _linear_coefficient(rest.function, z, k)
        if u is None:
            return e
        total += const * u.xreplace({k: j})
    index = (j, 1, q.dim)
    return sp.exp(sp.Sum(total * coordinate(mean, j), index) + v * sp.Sum(total**2, index) / 2)


def gaussian_mgf() -> Citation:
    """Replace every :math:`\\mathbb{E}_{\\mathcal{N}(z;\\mu, vI)}[e^{u^\\top z}]` by :math:`e^{u^\\top\\mu + v\\|u\\|^2/2}`,
    in any dimension (a vector ``z`` given by its coordinates ``z[j]``, the exponent a sum over
    ``j`` from 1 to the density's ``d``); the mean's coordinates are read by :func:`coordinate`."""
    def rewrite(expr):
        return sp.sympify(expr).replace(lambda e: isinstance(e, Expect), _gaussian_mgf_value)
    return Citation(GAUSSIAN_MGF, rewrite=rewrite, hint=_exponents)


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


def coordinates(dim, vectors) -> Citation:
    """Vector notation read in coordinates: for each indexed base of ``vectors``, an entry with one
    index (:math:`x^{(i)}`, :math:`\\mu_z`) is a vector of :math:`\\mathbb{R}^{dim}` whose coordinate
    :math:`j` is the entry with ``j`` appended (:math:`x^{(i)}_j`, :math:`\\mu_{z,j}`); a
    :class:`VectorOf` over ``(j, 1, dim)`` has coordinate its body; ``SquaredNorm(v)`` is
    :math:`\\sum_{r=1}^{dim} v_r^2`. Both sides become their coordinate :math:`j` (a scalar side,
    itself; a matrix, entry by entry), and SymPy must show them equal. A side that is not linear in
    the vectors outside their norms (a product of two vectors, a vector plus a scalar) has no
    coordinates: it is read as undefined and the step is not proved."""
    bases = tuple(vectors)
    j = sp.Dummy("j", integer=True, positive=True)

    def is_vector(e) -> bool:
        return isinstance(e, sp.Indexed) and e.base in bases and len(e.indices) == 1

    def coordinate(e, index):
        return e.replace(is_vector, lambda v: v.base[v.indices[0], index])

    def norm(e):
        r = sp.Dummy("r", integer=True, positive=True)
        inside = _linear_in_vectors(e.args[0], is_vector)
        return sp.nan if inside is None else sp.Sum(coordinate(inside, r) ** 2, (r, 1, dim))

    def listed(e):
        _, lo, hi = e.limits
        return e.coordinate.xreplace({e.index: j}) if (lo, hi) == (1, dim) else sp.nan

    def rewrite(expr):
        if isinstance(expr, sp.MatrixBase):  # a column of quantities, each read on its own
            return expr.applyfunc(rewrite)
        expr = sp.sympify(expr).replace(lambda e: isinstance(e, SquaredNorm), norm)
        expr = expr.replace(lambda e: isinstance(e, VectorOf), listed)
        outside = _linear_in_vectors(expr, is_vector)
        return sp.nan if outside is None else coordinate(outside, j)

    return Citation(COORDINATES, rewrite=rewrite, hint=lambda e: sp.cancel(tidy_sums(e)))


def _linear_in_vectors(expr, is_vector):
    """``expr`` when it is a scalar (no vector in it) or homogeneous of degree 1 in the vectors,
    else None: scaling every vector by t must scale it by t."""
    if not expr.has(sp.Indexed) or not any(is_vector(a) for a in expr.atoms(sp.Indexed)):
        return expr
    t = sp.Dummy("t", positive=True)
    scaled = expr.replace(is_vector, lambda v: t * v)
    return expr if tidy_sums(sp.expand(scaled - t * expr)) == 0 else None


def fubini(variable) -> Citation:
    """:math:`\\int_{\\mathbb{R}^d} \\prod_j f_j(x_j)\\, dx = \\prod_j \\int f_j(u)\\, du`: an integral over
    :math:`\\mathbb{R}^d` (:class:`derivations.symbolic.integrals.VectorIntegral`) of a product over the d
    coordinates, each factor non-negative (SymPy must know it: Tonelli) and depending on the vector
    only through its own coordinate, becomes the product of one-dimensional integrals over ``variable``."""
    u = variable

    def apart(integral):
        x, d, f = integral.variable, integral.dim, integral.function
        if not (isinstance(f, sp.Product) and len(f.limits) == 1 and isinstance(x, sp.IndexedBase)):
            return integral
        j, a, b = f.limits[0]
        one = f.function.xreplace({x[j]: u})
        if (a, b) != (1, d) or depends_on(one, x) or u in f.function.free_symbols:
            return integral  # not a product of functions of one coordinate each
        if not one.is_nonnegative:
            return integral  # Tonelli needs non-negative factors (integrability is not checked)
        return sp.Product(sp.Integral(one, (u, -sp.oo, sp.oo)), (j, a, b))

    def rewrite(expr):
        return sp.sympify(expr).replace(lambda e: isinstance(e, VectorIntegral), apart)
    return Citation(FUBINI, rewrite=rewrite)


def normalisation(distribution, over=None) -> Citation:
    """:math:`\\sum_v p(v \\mid s) = 1`: a sum of ``distribution`` over all its values ``over=(a, b)``
    (an integral over the line when ``over`` is None) is 1. ``distribution`` is an undefined function
    whose first argument is the value (the others the conditioning, free of it) or an indexed base of
    weights :math:`p_z`."""
    def total(e):
        limits = e.limits
        if len(limits) != 1:
            return e
        v, *ends = limits[0]
        if over is None and tuple(ends) != (-sp.oo, sp.oo) or over is not None and tuple(ends) != tuple(over):
            return e
        f = e.function
        if isinstance(distribution, sp.IndexedBase):
            whole = isinstance(f, sp.Indexed) and f.base == distribution and f.indices == (v,)
        else:
            whole = getattr(f, "func", None) == distribution and f.args[0] == v and \
                not any(a.has(v) for a in f.args[1:])
        return sp.S.One if whole else e

    kind = sp.Integral if over is None else sp.Sum

    def rewrite(expr):
        return sp.sympify(expr).replace(lambda e: isinstance(e, kind), total)
    return Citation(NORMALISATION, rewrite=rewrite)


def chain_rule(joint, conditional, x, dim) -> Citation:
    """:math:`p(x) = \\prod_{i=1}^d p(x_i \\mid x_{<i})` for ``joint(x)`` of a vector ``x`` (an indexed base)
    of ``dim`` coordinates and ``conditional(x_i, x_{<i})`` (:class:`derivations.notation.Prefix` prints
    the coordinates before the i-th)."""
    from derivations.notation.printers import Prefix

    before = Prefix(str(x.label))

    def build(v):
        if v != x:
            return joint(v)
        i = sp.Dummy("i", integer=True, positive=True)
        return sp.Product(conditional(x[i], before[i]), (i, 1, dim))
    return Citation(CHAIN_RULE, rewrite=_replace_calls(joint, build), hint=_canonical_products)


def _canonical_products(e):
    """Products and sums with their bound indices renamed canonically (so equal products compare equal)."""
    from derivations.symbolic.hints import tidy_sums

    def rename(p):
        i = p.limits[0][0]
        k = sp.Symbol("i", integer=True, positive=True)
        return sp.Product(p.function.xreplace({i: k}), (k, *p.limits[0][1:])) if len(p.limits) == 1 else p
    return tidy_sums(sp.sympify(e).replace(lambda q: isinstance(q, sp.Product), rename))


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


def _monotone_test(rng):
    from scipy import stats

    from numerics.stattests import predicate
    dist = stats.gamma(rng.uniform(0.5, 5.0), scale=rng.uniform(0.5, 2.0))  # F increasing on (0, inf)
    a, b = dist.rvs(size=20_000, random_state=rng), rng.uniform(size=20_000)
    clear = np.abs(dist.cdf(a) - b) > 1e-9  # away from ties, where rounding decides
    agree = bool(np.all(((dist.cdf(a) <= b) == (a <= dist.ppf(b)))[clear]))
    inverse = float(np.max(np.abs(dist.cdf(dist.ppf(b)) - b)))
    return predicate(r"increasing $F$: $F(a)\le b \iff a\le F^{-1}(b)$ at 20\,000 random pairs, "
                     r"and $F(F^{-1}(b))=b$", agree and inverse < 1e-9, largest_inverse_error=inverse)


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


def _gaussian_mgf_test(rng):
    from numerics.stattests import mean_test
    d = 3
    root = rng.normal(size=(d, d)) / 2
    sigma, mu, u = root @ root.T + 0.2 * np.eye(d), rng.normal(size=d), rng.uniform(-0.5, 0.5, size=d)
    x = rng.multivariate_normal(mu, sigma, size=200_000)
    return mean_test(r"Gaussian MGF: $\mathbb{E}[e^{u^\top X}] = e^{u^\top\mu + u^\top\Sigma u/2}$ for "
                     r"$X\sim\mathcal{N}(\mu,\Sigma)$ in $\mathbb{R}^3$",
                     np.exp(x @ u), [np.exp(u @ mu + u @ sigma @ u / 2)])


def _lln_test(rng):
    from numerics.stattests import binomial_test
    p = rng.uniform(0.1, 0.9)
    hits = int((rng.random(100_000) < p).sum())
    return binomial_test(r"large numbers: the frequency of an event of probability $p$", hits, 100_000, p)


def _coordinates_test(rng):
    from numerics.stattests import close_test
    d, n = int(rng.integers(2, 6)), int(rng.integers(3, 8))
    x, w = rng.normal(size=(n, d)), rng.dirichlet(np.ones(n))
    mean = w @ x  # the weighted mean as one vector
    by_coordinate = np.array([sum(w[i] * x[i, j] for i in range(n)) for j in range(d)])
    norms = np.linalg.norm(x - mean, axis=1) ** 2
    sums = np.array([sum((x[i, j] - by_coordinate[j]) ** 2 for j in range(d)) for i in range(n)])
    return close_test(r"coordinates: a weighted mean of vectors and the squared norms $\|x^{(i)}-\bar x\|^2$, "
                      r"as vectors and coordinate by coordinate", np.concatenate([mean, norms]),
                      np.concatenate([by_coordinate, sums]), rtol=1e-12, atol=1e-12)


def _fubini_test(rng):
    from scipy import integrate

    from numerics.stattests import close_test
    m, s = rng.normal(size=2), rng.uniform(0.5, 2.0, size=2)
    f = [lambda u, k=k: np.exp(-0.5 * ((u - m[k]) / s[k]) ** 2) * (1 + np.sin(u) ** 2) for k in range(2)]
    both = integrate.dblquad(lambda b, a: f[0](a) * f[1](b), -np.inf, np.inf, -np.inf, np.inf, epsabs=1e-11)[0]
    each = [integrate.quad(g, -np.inf, np.inf, epsabs=1e-12)[0] for g in f]
    return close_test(r"Fubini: $\iint f_1(a) f_2(b)\, da\, db = \int f_1 \int f_2$", both, each[0] * each[1],
                      rtol=1e-7, atol=1e-10)


def _normalisation_test(rng):
    from scipy import integrate

    from numerics.stattests import close_test
    m, sd = rng.normal(size=5), rng.uniform(0.3, 3.0, size=5)  # N(v; m(s), sd(s)^2) at five values of s
    totals = [integrate.quad(lambda v, a=a, b=b: np.exp(-0.5 * ((v - a) / b) ** 2) / (b * np.sqrt(2 * np.pi)),
                             -np.inf, np.inf, epsabs=1e-13)[0] for a, b in zip(m, sd)]
    return close_test(r"normalisation: $\int \mathcal{N}(v; m(s), \sigma(s)^2)\, dv = 1$ at five $s$", totals,
                      np.ones(5), rtol=1e-9, atol=1e-12)


def _chain_rule_test(rng):
    from numerics.stattests import close_test
    joint = rng.dirichlet(np.ones(12)).reshape(2, 3, 2)  # p(x_1, x_2, x_3)
    p1 = joint.sum(axis=(1, 2))
    p12 = joint.sum(axis=2)
    product = p1[:, None, None] * (p12 / p1[:, None])[:, :, None] * (joint / p12[:, :, None])
    return close_test(r"chain rule: $p(x_1)p(x_2\mid x_1)p(x_3\mid x_1,x_2) = p(x_1,x_2,x_3)$", product, joint,
                      rtol=1e-12, atol=1e-15)


_NUMERIC = {"bayes": _bayes_test, "total_probability": _total_probability_test,
            "change_of_variables": _change_of_variables_test, "sum_derivative": _derivative_exchange_test,
            "leibniz": _leibniz_test, "jensen": _jensen_test, "gibbs": _gibbs_test, "mgf": _mgf_test,
            "gaussian_mgf": _gaussian_mgf_test, "monotone": _monotone_test, "nascent_delta": _nascent_delta_test,
            "lln": _lln_test, "coordinates": _coordinates_test, "fubini": _fubini_test,
            "normalisation": _normalisation_test, "chain_rule": _chain_rule_test}

__all__ = ["BY_KEY", "CATALOGUE", "Citation", "Theorem", "bayes", "chain_rule", "change_of_variables",
           "change_of_variables_affine", "coordinate", "coordinates", "fubini", "gaussian_mgf", "gibbs", "jensen",
           "large_numbers", "leibniz", "mgf_uniqueness", "monotone", "nascent_delta", "normalisation", "numeric_test",
           "sum_derivative", "total_probability", "total_probability_law"]
