"""Symbols of Question 9 and its reference answers (the values the quantities hold). Pure SymPy.

>>> from derivations.notation import latex, plain
>>> plain(CONDITIONAL_PATH), latex(X[i])
('N(x; t*x_1, (1 - t)**2)', 'x^{(i)}')
>>> sp.simplify(REGRESSION_TARGET - (x_1 - X_T) / (1 - t))
0
"""

from __future__ import annotations

import sympy as sp
from sympy import stats as sps

from derivations.notation import DataPoints
from derivations.symbolic import Gaussian, GaussianDensity, mixture, point_masses

# --------------------------------------------------------------------------- symbols

t = sp.Symbol("t", positive=True)
x = sp.Symbol("x", real=True)
x_1 = sp.Symbol("x_1", real=True)
x_0 = sp.Symbol("x_0", real=True)
a = sp.Symbol("a", real=True)  # the argument of a moment generating function
y = sp.Symbol("y", real=True)  # an end point integrated over; in 9h the posterior mean
delta = sp.Symbol("delta", positive=True)
sigma = sp.Symbol("sigma", positive=True)  # 1 - t, where a chain needs it positive
r = sp.Symbol("r", nonnegative=True)  # |x - t x_1|
v_theta = sp.Symbol("v_theta", real=True)
v_star = sp.Symbol("v_t", real=True)  # the marginal velocity v_t(x_t), the minimiser
d = sp.Symbol("d", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
X = DataPoints("X", real=True)  # the data points x^(i) = X[i] (named apart from the point x)
xi = sp.IndexedBase("xi", real=True)  # coordinates of x
eta = sp.IndexedBase("eta", real=True)  # coordinates of x_1
Z0 = sps.Normal("x_0", 0, 1)  # one coordinate of x_0 ~ N(0, I)
Z1, Z2 = sps.Normal("z_1", 0, 1), sps.Normal("z_2", 0, 1)  # two different coordinates of x_0

S = 1 - t  # the standard deviation of the path at time t
X_T = (1 - t) * x_0 + t * x_1  # the point at time t on the straight path from x_0 to x_1
EXAMPLE_POINTS = sp.symbols("x^(1) x^(2) x^(3)", real=True)  # three data points written out


def component(point, centre):
    """:math:`\\mathcal{N}(\\text{point};\\ t\\,\\text{centre},\\ (1-t)^2)`: the conditional path's density."""
    return GaussianDensity(point, t * centre, S**2)


def logit(index):
    """:math:`-(x - t x^{(i)})^2 / 2(1-t)^2`: the log-likelihood of the end point, up to a constant."""
    return -(x - t * X[index]) ** 2 / (2 * S**2)


def reduced_logit(index):
    """:math:`(t x x^{(i)} - t^2 (x^{(i)})^2/2)/(1-t)^2`: the logit without the common :math:`x^2` term."""
    return (t * x * X[index] - t**2 * X[index] ** 2 / 2) / S**2


# --------------------------------------------------------------------------- reference answers

#: 9a: :math:`p_t(x \mid x_1) = \mathcal{N}(x; t x_1, (1-t)^2 I)`.
CONDITIONAL_PATH = Gaussian(t * x_1, S**2, at=x, isotropic=True)

#: 9b: the point mass at :math:`x_1`.
END_POINT_LIMIT = point_masses((sp.S(1),), (x_1,))

#: 9c: :math:`p_t(x) = \frac1n \sum_i \mathcal{N}(x; t x^{(i)}, (1-t)^2)` in one coordinate, unevaluated.
MARGINAL_DENSITY = sp.Sum(component(x, X[i]), (i, 1, n)) / n

#: 9c: the mixture for three data points.
MARGINAL_EXAMPLE = mixture(tuple(sp.Rational(1, 3) for _ in EXAMPLE_POINTS),
                           tuple(Gaussian(t * p, S**2, isotropic=True) for p in EXAMPLE_POINTS))

#: 9e: :math:`p(x_1 = x^{(i)} \mid x, t)`, a softmax of the logits over the data points.
POSTERIOR = sp.exp(logit(i)) / sp.Sum(sp.exp(logit(j)), (j, 1, n))

#: 9g: the regression target of conditional flow matching, the velocity of the sampled line.
REGRESSION_TARGET = x_1 - x_0

#: 9g: the loss of one sample :math:`(t, x_0, x_1)`.
CFM_LOSS = (sp.Function("v_theta")(X_T, t) - (x_1 - x_0)) ** 2
