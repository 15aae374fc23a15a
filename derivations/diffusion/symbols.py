"""Symbols of question 8 and its reference answers (the SymPy values the quantities hold)."""

from __future__ import annotations

import sympy as sp

from derivations.symbolic import UNIT, Gaussian, Sigmoid, mixture, point_masses

abar = sp.Symbol("alphabar_t", positive=True)
x_0 = sp.Symbol("x_0", real=True)
x_t = sp.Symbol("x_t", real=True)
xhat = sp.Symbol("xhat", real=True)
xhat_1, xhat_2 = sp.symbols("xhat_1 xhat_2", real=True)
XHAT = sp.Matrix([xhat_1, xhat_2])
#: The coordinates of x_t in the marginal of 8b.
XT_1, XT_2 = (sp.Symbol(f"x_{{t,{k}}}", real=True) for k in (1, 2))
XT = sp.Matrix([XT_1, XT_2])
E_1, E_2 = sp.Matrix([1, 0]), sp.Matrix([0, 1])
ROOT_A, ROOT_1MA = sp.sqrt(abar), sp.sqrt(1 - abar)

#: Symbols a student may write by mistake in this question's answers (alpha_t for alphabar_t):
#: accepted, so that such an answer is compared (and refuted with a counterexample), not refused.
MISTAKABLE = {sp.Symbol("alpha_t", positive=True): UNIT, sp.Symbol("beta_t", positive=True): UNIT}

#: 8a: q(x_t | x_0) = N(FORWARD_MEAN_COEF x_0, FORWARD_VARIANCE I).
FORWARD_MEAN_COEF = ROOT_A
FORWARD_VARIANCE = 1 - abar
FORWARD_MARGINAL = Gaussian(FORWARD_MEAN_COEF * x_0, FORWARD_VARIANCE, isotropic=True)

#: 8b: the marginal of x_t, an equal-weight mixture of the two forward marginals.
TWO_POINT_MARGINAL = mixture((sp.Rational(1, 2), sp.Rational(1, 2)),
                             (Gaussian(ROOT_A * E_1, 1 - abar), Gaussian(ROOT_A * E_2, 1 - abar)))
#: 8b: the density of that mixture at x_t = [x_{t,1}, x_{t,2}] (what the check compares with the kernel).
TWO_POINT_DENSITY = sum(c.weight * c.dist.pdf(XT) for c in TWO_POINT_MARGINAL.components)

#: 8c-8e: the posterior log-odds z of [1,0] against [0,1] given x_t = xhat, and the posterior
#: weights sigma(z) of [1,0] and 1 - sigma(z) = sigma(-z) of [0,1] (the sigmoid kept unevaluated).
LOG_ODDS = ROOT_A * (xhat_1 - xhat_2) / (1 - abar)
WEIGHT_1, WEIGHT_2 = Sigmoid(LOG_ODDS), Sigmoid(-LOG_ODDS)


def atom(point):
    """The one noise value that carries the data point ``point`` to xhat: (xhat - sqrt(abar) point) / sqrt(1 - abar)."""
    return (XHAT - ROOT_A * point) / ROOT_1MA


#: 8c: the optimal noise prediction at xhat, as a 2x1 matrix in the coordinates of xhat.
EPS_STAR = (XHAT - ROOT_A * sp.Matrix([WEIGHT_1, WEIGHT_2])) / ROOT_1MA
#: 8d: the two values the noise can take given x_t = xhat, and their law.
ATOM_1, ATOM_2 = atom(E_1), atom(E_2)
NOISE_POSTERIOR = point_masses((WEIGHT_1, WEIGHT_2), (ATOM_1, ATOM_2))
#: 8e: the prior mean of the data (the limit of the optimal prediction as alphabar_t -> 0 is XHAT).
PRIOR_MEAN = (E_1 + E_2) / 2
