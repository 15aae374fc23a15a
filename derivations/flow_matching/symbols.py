"""Symbols of Question 9 and its reference answers (the values the quantities hold). Pure SymPy.

Points of :math:`\\mathbb{R}^d` (:math:`x, x_0, x_1`) are :class:`~derivations.symbolic.Vector` s of a
symbolic dimension :math:`d`; the data points :math:`x^{(i)}` are the entries ``X[i]`` of a data-point
base (named apart from the point :math:`x`), vectors of the same space. Coordinates are
:math:`x_k, x_{1,k}, x^{(i)}_k`; squared norms are sums over :math:`k = 1..d`.

>>> from derivations.notation import latex, plain
>>> latex(X[i]), plain(CONDITIONAL_PATH)
('x^{(i)}', 'N(x; t*x_1, (1 - t)**2)')
>>> latex(component(x, X[i]))
'\\\\mathcal{N}\\\\left(x;\\\\ t x^{(i)},\\\\ \\\\left(1 - t\\\\right)^{2}\\\\, I_{d}\\\\right)'
"""

from __future__ import annotations

import sympy as sp

from derivations.notation import DataPoints
from derivations.symbolic import Gaussian, GaussianDensity, PointMass, SquaredNorm, Vector, coordinate, squared_norm

# --------------------------------------------------------------------------- symbols

t = sp.Symbol("t", positive=True)
d = sp.Symbol("d", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True, positive=True)  # data points
k = sp.Symbol("k", integer=True, positive=True)  # coordinates
x = Vector("x", d)
x_0 = Vector("x_0", d)
x_1 = Vector("x_1", d)
X = DataPoints("X", real=True)  # the data points x^(i) = X[i] (named apart from the point x)
v_theta = sp.Function("v_theta")  # the network v_theta(x, t), an arbitrary map

S = 1 - t  # sigma_t = 1 - t, the standard deviation of the path at time t
X_T = (1 - t) * x_0 + t * x_1  # the point at time t on the straight path from x_0 to x_1


def component(point, centre):
    """:math:`\\mathcal{N}(\\text{point};\\ t\\,\\text{centre},\\ (1-t)^2 I)`: the conditional path's density."""
    return GaussianDensity(point, t * centre, S**2, d)


def log_likelihood(index):
    """:math:`-\\|x - t x^{(i)}\\|^2 / 2(1-t)^2 = -\\sum_k (x_k - t x^{(i)}_k)^2 / 2(1-t)^2`."""
    return -squared_norm(x - t * X[index], d, index=k) / (2 * S**2)


def velocity_coordinate(centre, index=k):
    """:math:`(c_k - x_k)/(1-t)`: coordinate ``index`` of the velocity of the line through :math:`x` to ``centre``."""
    return coordinate(centre - x, index) / S


# --------------------------------------------------------------------------- reference answers

#: 9a: :math:`p_t(x \mid x_1) = \mathcal{N}(x; t x_1, (1-t)^2 I)` in :math:`d` dimensions.
CONDITIONAL_PATH = Gaussian(t * x_1, S**2, at=x, isotropic=True)

#: 9b: the point mass at :math:`x_1`, whose density at :math:`x` is :math:`\prod_k \delta(x_k - x_{1,k})`.
END_POINT_LIMIT = PointMass(x_1, at=x)

#: 9c: :math:`p_t(x) = \frac1n \sum_i \mathcal{N}(x; t x^{(i)}, (1-t)^2 I)`, unevaluated.
MARGINAL_DENSITY = sp.Sum(component(x, X[i]), (i, 1, n)) / n

#: 9e: :math:`p(x_1 = x^{(i)} \mid x, t)`, a softmax over the data points of the log-likelihoods.
POSTERIOR = sp.exp(log_likelihood(i)) / sp.Sum(sp.exp(log_likelihood(j)), (j, 1, n))

#: 9f: the continuity residual :math:`\partial_t p_t + \nabla \cdot (p_t v_t)`.
CONTINUITY_RESIDUAL = sp.S(0)

#: 9g: the regression target of conditional flow matching, the velocity of the sampled line.
REGRESSION_TARGET = x_1 - x_0

#: 9g: the loss of one sample :math:`(t, x_0, x_1)`: the squared error :math:`\|v_\theta(x_t, t) - (x_1 - x_0)\|^2`.
CFM_LOSS = SquaredNorm(v_theta(X_T, t) - (x_1 - x_0))
