r"""Symbols of questions 4-7 and their reference answers (pure SymPy).

>>> from derivations.notation import latex
>>> print(latex(MEAN_HAT))
\frac{\sum_{i=1}^{n} {Q}_{z,i} x^{(i)}}{\sum_{i=1}^{n} {Q}_{z,i}}
"""

from __future__ import annotations

import sympy as sp

from derivations.notation import DataPoints

n = sp.Symbol("n", integer=True, positive=True)  # data points
d = sp.Symbol("d", integer=True, positive=True)  # dimension
k = sp.Symbol("k", integer=True, positive=True)  # components
i, j = sp.symbols("i j", integer=True, positive=True)  # data-point indices
z, y = sp.symbols("z y", integer=True, positive=True)  # component indices
Q = sp.IndexedBase("Q", positive=True)  # Q[z, i] = Q(z | x^(i))
x = DataPoints("x", real=True)  # x[i] = x^(i), a vector as one symbol
mu = sp.Symbol("mu_z", real=True)
var = sp.Symbol("sigma_z^2", positive=True)
p_z = sp.Symbol("p_z", positive=True)
lam = sp.Symbol("lambda", positive=True)  # the Lagrange multiplier of the weights

# question 4 and 5: a common start
s0 = sp.Symbol("sigma_0^2", positive=True)
mu0 = sp.Symbol("mu_0", real=True)
xs = sp.Symbol("x", real=True)  # one point (a vector as one symbol)
D = sp.Symbol("D", nonnegative=True)  # squared distance to the common mean


def over_data(expr) -> sp.Sum:
    """:math:`\\sum_{i=1}^n` expr."""
    return sp.Sum(expr, (i, 1, n))


#: The M-step of question 6 (the reference answers of ``derive verify``).
N_SUM = over_data(Q[z, i])
WEIGHT_HAT = N_SUM / n
MEAN_HAT = over_data(Q[z, i] * x[i]) / N_SUM
VARIANCE_HAT = over_data(Q[z, i] * (x[i] - MEAN_HAT) ** 2) / (d * N_SUM)

#: Question 5: the options of every verdict, and the correct one per initialisation.
OPTIONS = ("this initialisation can recover the clusters", "it fails: EM stays stuck")
VERDICTS = {"5.1": 2, "5.2": 1, "5.3": 1, "5.4": 2}
