"""Symbols and reference answers of Questions 1 and 2 (pure SymPy).

.. math:: \\Phi(u) = \\tfrac12\\bigl(1 + \\operatorname{erf}(u/\\sqrt2)\\bigr), \\qquad
          p_X(x) = \\frac{\\mathcal{N}(\\operatorname{asinh} x;\\, b,\\, a^2)}{\\sqrt{1 + x^2}}
          \\ \\text{for } x = \\sinh(az + b),\\ z \\sim \\mathcal{N}(0, 1)

>>> sp.simplify(sp.diff(std_normal_cdf(x), x) - normal_pdf(x, 0, 1))
0
>>> sp.simplify(Sigmoid(THETA_HAT).doit() - FITTED)
0
"""

from __future__ import annotations

import sympy as sp

from derivations.symbolic import UNIT, Sigmoid, normal_pdf

x = sp.Symbol("x", real=True)
theta = sp.Symbol("theta", real=True)


def std_normal_cdf(u):
    """:math:`\\Phi(u) = \\tfrac12(1 + \\operatorname{erf}(u/\\sqrt2))`."""
    return (1 + sp.erf(u / sp.sqrt(2))) / 2


# --------------------------------------------------------------------------- 1a.i / 1b.i  KDE (1-D chains)

#: Three data points, a scalar bandwidth, equal weights: the KDE of the one-dimensional chains.
KDE_DATA = sp.symbols("x^{(1)} x^{(2)} x^{(3)}", real=True)
h = sp.Symbol("h", positive=True)
THIRDS = (sp.Rational(1, 3),) * 3

# --------------------------------------------------------------------------- 1a.ii / 1b.ii  autoregressive

#: Three binary coordinates, the first conditional a constant, the others arbitrary functions.
AR_X = sp.symbols("x_1 x_2 x_3", integer=True, nonnegative=True)
AR_Q = (sp.Symbol("q_1", positive=True), sp.Function("q_2")(AR_X[0]), sp.Function("q_3")(AR_X[0], AR_X[1]))


def bernoulli(value, q):
    """:math:`q^{x}(1-q)^{1-x}`: the probability of the binary value ``x`` under Bernoulli(q)."""
    return q**value * (1 - q) ** (1 - value)


# --------------------------------------------------------------------------- 1a.iii / 1b.iii  Gaussian mixture

_pi1, _pi2 = sp.Symbol("pi_1", positive=True), sp.Symbol("pi_2", positive=True)
#: A three-component 1-D mixture: weights, means, standard deviations.
MIX_WEIGHTS = (_pi1, _pi2, 1 - _pi1 - _pi2)
MIX_MEANS = sp.symbols("mu_1 mu_2 mu_3", real=True)
MIX_SDS = sp.symbols("sigma_1 sigma_2 sigma_3", positive=True)

# --------------------------------------------------------------------------- 1a.iv / 1b.iv  normalizing flow

a_flow = sp.Symbol("a", positive=True)
b_flow = sp.Symbol("b", real=True)
z = sp.Symbol("z", real=True)


def sinh_map(at):
    """The 1-D flow :math:`g(z) = \\sinh(az + b)`, increasing because a > 0."""
    return sp.sinh(a_flow * at + b_flow)


#: :math:`g^{-1}(x)` and the density of :math:`g(Z)`, :math:`Z \\sim \\mathcal{N}(0, 1)`.
SINH_INVERSE = (sp.asinh(x) - b_flow) / a_flow
SINH_DENSITY = normal_pdf(sp.asinh(x), b_flow, a_flow**2) / sp.sqrt(1 + x**2)

# --------------------------------------------------------------------------- 1a.v / 1b.v  VAE (1-D linear-Gaussian)

w_v, b_v = sp.Symbol("w", real=True), sp.Symbol("b", real=True)
s2_v = sp.Symbol("sigma^2", positive=True)  # decoder noise variance

# --------------------------------------------------------------------------- 1a.vi / 1b.vi  diffusion

t = sp.Symbol("t", positive=True)
#: Integrated noise rate :math:`B(t)` (so :math:`\\beta = B'`, :math:`\\bar\\alpha_t = e^{-B(t)}`); one
#: Gaussian component :math:`\\mathcal{N}(\\mu, s^2)` of the data.
B = sp.Function("B")(t)
ABAR = sp.exp(-B)
mu_data, s2_data = sp.Symbol("mu", real=True), sp.Symbol("s^2", positive=True)
#: The diffused two-point mixture :math:`w\\,\\delta_{y_1} + (1-w)\\,\\delta_{y_2}` at noise level a.
a_noise, w_mix = sp.Symbol("a", positive=True), sp.Symbol("w", positive=True)
y1, y2 = sp.Symbol("y_1", real=True), sp.Symbol("y_2", real=True)
DIFFUSION_DOMAINS = {a_noise: UNIT, w_mix: UNIT}

# --------------------------------------------------------------------------- 2a / 2b  logistic regression

n, n1 = sp.Symbol("n", positive=True), sp.Symbol("n_1", positive=True)
p, epsilon = sp.Symbol("p", positive=True), sp.Symbol("epsilon", positive=True)
#: Where a student's answer in n, n_1 is sampled: 0 < n_1 < n.
COUNTS = {n: sp.Interval(10, 10_000), n1: sp.Interval.open(0, 10)}

#: Reference answers of 2b: the fitted probability, its limit, the maximiser.
FITTED = n1 / n
LIMIT = p
THETA_HAT = sp.log(n1 / (n - n1))
#: The log-likelihood of n labels, n_1 of them 1, at a constant input x = 1.
LOG_LIKELIHOOD = n1 * sp.log(Sigmoid(theta)) + (n - n1) * sp.log(1 - Sigmoid(theta))
