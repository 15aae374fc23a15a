r"""Symbols of questions 4-7 and their reference answers (pure SymPy).

Vectors of :math:`\mathbb{R}^d` (symbolic :math:`d`) are entries of indexed bases: the data point
:math:`x^{(i)}` is ``x[i]`` and its coordinate :math:`x^{(i)}_j` is ``x[i, j]``; the mean of component
:math:`z` is ``mu[z]``, with coordinates ``mu[z, j]``. Component :math:`z` has weight ``p[z]`` and
variance ``var[z]`` (:math:`p_z`, :math:`\sigma_z^2`); ``Q[z, i]`` is :math:`Q(z\mid x^{(i)})`.

>>> from derivations.notation import latex
>>> print(latex(MEAN_HAT))
\frac{\sum_{i=1}^{n} Q\left(z \mid x^{(i)}\right) x^{(i)}}{\sum_{i=1}^{n} Q\left(z \mid x^{(i)}\right)}
"""

from __future__ import annotations

import sympy as sp

from derivations.notation import ConditionalTable, DataPoints
from derivations.symbolic import SquaredNorm

n = sp.Symbol("n", integer=True, positive=True)  # data points
d = sp.Symbol("d", integer=True, positive=True)  # dimension
k = sp.Symbol("k", integer=True, positive=True)  # components
i, l = sp.symbols("i l", integer=True, positive=True)  # data-point indices
j, r = sp.symbols("j r", integer=True, positive=True)  # coordinate indices
z, y = sp.symbols("z y", integer=True, positive=True)  # component indices
Q = ConditionalTable("Q", positive=True)  # Q[z, i] = Q(z | x^(i))
x = DataPoints("x", real=True)  # x[i] = x^(i); x[i, j] its coordinate j
p = sp.IndexedBase("p", positive=True)  # p[z] = p_z
mu = sp.IndexedBase("mu", real=True)  # mu[z] = mu_z; mu[z, j] its coordinate j
var = sp.IndexedBase("sigma^2", positive=True)  # var[z] = sigma_z^2
muhat = sp.IndexedBase("muhat", real=True)  # the M-step means

#: The index ranges: a coordinate j is one of 1..d, a component z one of 1..k.
RANGES = {j: (1, d), z: (1, k)}

# questions 4 and 5: a common start
s0 = sp.Symbol("sigma_0^2", positive=True)
mu0 = sp.Symbol("mu_0", real=True)
D = sp.Symbol("D", nonnegative=True)  # squared distance to the common mean


def over_data(expr, index=i) -> sp.Sum:
    """:math:`\\sum_{i=1}^n` expr."""
    return sp.Sum(expr, (index, 1, n))


def over_components(expr, index=y) -> sp.Sum:
    """:math:`\\sum_{y=1}^k` expr."""
    return sp.Sum(expr, (index, 1, k))


def over_coordinates(expr, index=r) -> sp.Sum:
    """:math:`\\sum_{r=1}^d` expr."""
    return sp.Sum(expr, (index, 1, d))


#: The M-step of question 6 (the reference answers of ``derive verify``). Inside the variance the
#: weighted mean runs over a fresh index l.
N_SUM = over_data(Q[z, i])
WEIGHT_HAT = N_SUM / n
MEAN_HAT = over_data(Q[z, i] * x[i]) / N_SUM
MEAN_HAT_L = over_data(Q[z, l] * x[l], l) / over_data(Q[z, l], l)
VARIANCE_HAT = over_data(Q[z, i] * SquaredNorm(x[i] - MEAN_HAT_L)) / (d * N_SUM)

#: Question 5: the options of every verdict, and the correct one per initialisation.
OPTIONS = ("this initialisation can recover the clusters", "it fails: EM stays stuck")
VERDICTS = {"5.1": 2, "5.2": 1, "5.3": 1, "5.4": 2}
