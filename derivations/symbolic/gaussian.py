"""The Gaussian density, written once: :math:`\\mathcal{N}(x; \\mu, v I_d)` with the *variance* v.

.. math:: \\mathcal{N}(x; \\mu, v I_d) = (2\\pi v)^{-d/2} \\exp\\Bigl(-\\frac{\\|x - \\mu\\|^2}{2v}\\Bigr)

:func:`normal_pdf` is the formula; :class:`GaussianDensity` is the same density kept unevaluated
in a derivation (it reads as :math:`\\mathcal{N}(x; \\mu, v)` and ``doit`` writes it out);
:class:`derivations.symbolic.distributions.Gaussian` is the distribution, whose ``pdf`` is this one.

The course writes the variance (:math:`\\sigma^2`, :math:`(1-t)^2`, :math:`1-\\bar\\alpha_t`). A
variance written as a square :math:`s^2` has the standard deviation :math:`s`, taken positive (a
variance is the square of a standard deviation), so :math:`\\mathcal{N}(x; tx_1, (1-t)^2)` writes out
with :math:`1/(\\sqrt{2\\pi}(1-t))` rather than :math:`1/\\sqrt{2\\pi(1-t)^2}`.

>>> import sympy as sp
>>> x, m = sp.symbols("x m", real=True)
>>> v = sp.Symbol("v", positive=True)
>>> normal_pdf(x, m, v)
sqrt(2)*exp(-(-m + x)**2/(2*v))/(2*sqrt(pi)*sqrt(v))
>>> sp.integrate(normal_pdf(x, m, v), (x, -sp.oo, sp.oo))
1
>>> GaussianDensity(x, m, v).doit() == normal_pdf(x, m, v)
True
>>> sp.simplify(sp.diff(GaussianDensity(x, m, v), x).doit() - sp.diff(normal_pdf(x, m, v), x))
0
>>> t = sp.Symbol("t", positive=True)
>>> normal_pdf(x, 0, (1 - t)**2)
sqrt(2)*exp(-x**2/(2*(1 - t)**2))/(2*sqrt(pi)*(1 - t))
>>> d = sp.Symbol("d", integer=True, positive=True)
>>> normal_pdf(x, m, v, dim=d)
exp(-(-m + x)**2/(2*v))/(2*pi*v)**(d/2)
>>> normal_pdf(sp.Matrix([x, 0]), sp.Matrix([m, 0]), v)
exp(-(-m + x)**2/(2*v))/(2*pi*v)

A point written by its coordinates (an :class:`sympy.IndexedBase` ``y``, coordinates ``y[j]``) has
the squared distance written as a sum over its d coordinates:

>>> y, mu = sp.IndexedBase("y", real=True), sp.IndexedBase("mu", real=True)
>>> normal_pdf(y, mu[1], v, dim=d)
exp(-Sum((-mu[1, j] + y[j])**2, (j, 1, d))/(2*v))/(2*pi*v)**(d/2)
>>> from derivations.symbolic.vectors import Vector
>>> normal_pdf(Vector("x", d), 0, v)
exp(-Sum(x[_k]**2, (_k, 1, d))/(2*v))/(2*pi*v)**(d/2)
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from derivations.symbolic.vectors import coordinate, depends_on, dimension, is_coordinate, squared_norm

#: The index of the coordinates in a squared distance written as a sum (when it is free to use).
COORDINATE = sp.Symbol("j", integer=True, positive=True)


def squared_distance(x: Any, mean: Any, dim: Any = None) -> sp.Expr:
    """:math:`\\|x - \\mu\\|^2` for column vectors, :math:`\\sum_{j=1}^d (x_j - \\mu_j)^2` for a point
    written by its coordinates (an indexed base) in ``dim`` dimensions or for
    :class:`~derivations.symbolic.vectors.Vector` s (a sum over their coordinates), :math:`(x - \\mu)^2`
    for scalars."""
    if isinstance(x, sp.MatrixBase) or isinstance(mean, sp.MatrixBase):
        r = sp.Matrix(x) - sp.Matrix(mean)
        return sp.Add(*[e**2 for e in r])
    if isinstance(x, sp.IndexedBase):
        used = sp.sympify(mean).free_symbols | sp.sympify(dim).free_symbols
        j = COORDINATE if COORDINATE not in used else sp.Dummy("j", integer=True, positive=True)
        return sp.Sum((coordinate(x, j) - coordinate(mean, j)) ** 2, (j, 1, dim))
    d = dimension(x, mean)
    if d is not None:
        return squared_norm(x - mean, d)
    return (x - mean) ** 2


def _dimension(x: Any, mean: Any, dim: Any) -> Any:
    for v in (x, mean):
        if isinstance(v, sp.MatrixBase):
            return v.rows
    d = dimension(x, mean)
    if d is not None:
        if dim != 1 and sp.sympify(dim) != d:
            raise ValueError(f"a Gaussian density of dimension {dim} at vectors of dimension {d}")
        return d
    return dim


def _standard_deviation(variance: Any) -> Any:
    """The standard deviation of a variance: ``s`` for ``s**2``, else the square root."""
    if isinstance(variance, sp.Pow) and variance.exp == 2:
        return variance.base
    return sp.sqrt(variance)


def normal_pdf(x: Any, mean: Any, variance: Any, dim: Any = 1) -> sp.Expr:
    """The density of :math:`\\mathcal{N}(\\mu, vI_d)` at ``x``: the one formula of the project.

    ``x`` and ``mean`` are scalars, or column matrices (then ``d`` is their length); ``dim`` gives
    ``d`` when a scalar stands for a squared norm (its value is then ``(x - mean)**2``).
    """
    variance = sp.sympify(variance)
    d = _dimension(x, mean, dim)
    kernel = sp.exp(-squared_distance(x, mean, d) / (2 * variance))
    if d == 1:
        return kernel / (sp.sqrt(2 * sp.pi) * _standard_deviation(variance))
    if isinstance(d, int):
        return kernel / (2 * sp.pi * variance) ** sp.Rational(d, 2)
    return (2 * sp.pi * variance) ** (-sp.S(d) / 2) * kernel


def log_normal_pdf(x: Any, mean: Any, variance: Any, dim: Any = 1) -> sp.Expr:
    """:math:`\\log \\mathcal{N}(x; \\mu, vI_d) = -\\|x-\\mu\\|^2/(2v) - \\tfrac{d}{2}\\log(2\\pi v)`."""
    d = _dimension(x, mean, dim)
    return -squared_distance(x, mean, d) / (2 * variance) - sp.S(d) * sp.log(2 * sp.pi * variance) / 2


class GaussianDensity(sp.Function):
    """:math:`\\mathcal{N}(x; \\mu, v)`, arguments ``(x, mean, variance)`` or ``(x, mean, variance, d)``.

    Kept unevaluated so that a derivation reads like the mathematics; ``doit`` (and
    ``rewrite(sp.exp)``) write it out with :func:`normal_pdf`. A density is positive.
    """

    nargs = (3, 4)
    is_positive = True
    is_finite = True

    @classmethod
    def eval(cls, *args):
        return None  # never evaluate on construction

    @property
    def point(self):
        return self.args[0]

    @property
    def mean(self):
        return self.args[1]

    @property
    def variance(self):
        return self.args[2]

    @property
    def dim(self):
        return self.args[3] if len(self.args) == 4 else sp.S(1)

    def fdiff(self, argindex=1):
        """:math:`\\partial_x \\mathcal{N}(x; \\mu, v) = -\\frac{x-\\mu}{v}\\mathcal{N}(x; \\mu, v)` and
        :math:`\\partial_\\mu = -\\partial_x` (one coordinate); other arguments through the formula."""
        x, mean, var = self.args[:3]
        if isinstance(x, sp.MatrixBase) or isinstance(mean, sp.MatrixBase) or len(self.args) == 4:
            raise sp.ArgumentIndexError(self, argindex)
        if argindex == 1:
            return -(x - mean) / var * self
        if argindex == 2:
            return (x - mean) / var * self
        if argindex == 3:
            return ((x - mean) ** 2 / (2 * var**2) - 1 / (2 * var)) * self
        raise sp.ArgumentIndexError(self, argindex)

    def doit(self, **hints):
        args = [a.doit(**hints) for a in self.args] if hints.get("deep", True) else list(self.args)
        return normal_pdf(*args)

    def _eval_derivative(self, s):
        """By a coordinate of a :class:`~derivations.symbolic.vectors.Vector` argument: differentiate the
        written-out density (the chain rule through a vector written as one symbol would give 0, since
        the symbol does not contain its coordinates); otherwise SymPy's chain rule."""
        if is_coordinate(s) and any(depends_on(a, s) for a in self.args):
            return self.doit().diff(s)
        return super()._eval_derivative(s)

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        return normal_pdf(*args)

    def _eval_evalf(self, prec):
        return self.doit()._eval_evalf(prec)
