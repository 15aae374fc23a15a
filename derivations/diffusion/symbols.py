"""Symbols of question 8 and its reference answers (the SymPy values the quantities hold)."""

from __future__ import annotations

import sympy as sp

from derivations.symbolic import UNIT, Gaussian, mixture, point_masses, sigmoid

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
#: 8b: the mixture density in closed form (the end of the 8b chain).
TWO_POINT_DENSITY = (sp.exp(-(XT_1**2 + XT_2**2 + abar) / (2 * (1 - abar)) + ROOT_A * (XT_1 + XT_2) / (2 * (1 - abar)))
                     * sp.cosh(ROOT_A * (XT_1 - XT_2) / (2 * (1 - abar))) / (2 * sp.pi * (1 - abar)))

#: 8c-8e: the posterior log-odds of [1,0] against [0,1] given x_t = xhat, and the weight of [1,0].
#: The sigmoid is written out: ``derive verify`` takes an unevaluated ``Sigmoid`` in a reference
#: for an undefined function when it compares at points (see derivations.answercheck.compare).
LOG_ODDS = ROOT_A * (xhat_1 - xhat_2) / (1 - abar)
WEIGHT_1 = sigmoid(LOG_ODDS)
#: 8c: the optimal noise prediction at xhat, as a 2x1 matrix in the coordinates of xhat.
EPS_STAR = (XHAT - ROOT_A * sp.Matrix([WEIGHT_1, 1 - WEIGHT_1])) / ROOT_1MA
#: 8d: the two values the noise can take given x_t = xhat, and their law.
ATOM_1 = (XHAT - ROOT_A * E_1) / ROOT_1MA
ATOM_2 = (XHAT - ROOT_A * E_2) / ROOT_1MA
NOISE_POSTERIOR = point_masses((WEIGHT_1, 1 - WEIGHT_1), (ATOM_1, ATOM_2))
#: 8e: the prior mean of the data (the limit of the optimal prediction as alphabar_t -> 0 is XHAT).
PRIOR_MEAN = (E_1 + E_2) / 2
