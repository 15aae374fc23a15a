"""Symbols and reference answers of Questions 1 and 2 (pure SymPy), in the course's notation.

A point :math:`x \\in \\mathbb{R}^d` is written by its coordinates :math:`x_j` (an indexed base), the
data points :math:`x^{(i)}` by theirs, :math:`x^{(i)}_j`; n, d and k are symbols. Densities the
question leaves arbitrary (an autoregressive model's conditionals, a flow's map, a VAE's decoder)
are undefined functions.

.. math:: \\hat p(x) = \\frac{1}{n}\\sum_{i=1}^n \\mathcal{N}(x;\\, x^{(i)},\\, h^2 I), \\qquad
          p(x) = \\sum_{z=1}^k p_z\\, \\mathcal{N}(x;\\, \\mu_z,\\, \\sigma_z^2 I)

>>> sp.simplify(sp.diff(std_normal_cdf(s), s) - normal_pdf(s, 0, 1))
0
>>> sp.simplify(Sigmoid(THETA_HAT).doit() - FITTED)
0
"""

from __future__ import annotations

import sympy as sp

from derivations.notation import DataPoints, Prefix
from derivations.symbolic import UNIT, GaussianDensity, Sigmoid, normal_pdf
from derivations.symbolic.integrals import JacobianDeterminant, VectorIntegral

# --------------------------------------------------------------------------- shared

#: Integers: data points n, dimension d, components k, values K of a discrete coordinate, and indices.
n, d, k, K = sp.symbols("n d k K", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True, positive=True)
#: A point of R^d by its coordinates x_j; the data points x^(i) with coordinates x^(i)_j.
x = sp.IndexedBase("x", real=True)
data = DataPoints("X", real=True)
#: A scalar: the variable of a one-dimensional integral (after Fubini), or a uniform draw.
u = sp.Symbol("u", real=True)
#: The density a model assigns (or a sampler's output has), as an undefined function of the point.
p = sp.Function("p")
#: The kernel density estimate as a function of the point.
p_hat = sp.Function("phat")


def std_normal_cdf(v):
    """:math:`\\Phi(v) = \\tfrac12(1 + \\operatorname{erf}(v/\\sqrt2))`."""
    return (1 + sp.erf(v / sp.sqrt(2))) / 2


def on_real_line(integral):
    """Evaluate the one-dimensional integrals of an expression, then whatever became finite."""
    return integral.replace(lambda e: isinstance(e, sp.Integral), lambda e: e.doit()).doit()


# --------------------------------------------------------------------------- 1a.i / 1b.i  KDE

#: The bandwidth: every kernel is N(x; x^(i), h^2 I).
h = sp.Symbol("h", positive=True)


def kde_kernel(point, index):
    """:math:`\\mathcal{N}(x;\\, x^{(i)},\\, h^2 I)` in d dimensions."""
    return GaussianDensity(point, data[index], h**2, d)


#: The kernel density estimate at x: the average of the n kernels.
KDE_DENSITY = sp.Sum(kde_kernel(x, i), (i, 1, n)) / n

# --------------------------------------------------------------------------- 1a.ii / 1b.ii  autoregressive

#: The model's joint and its conditionals p_theta(x_i | x_<i); a coordinate takes the values 1..K.
p_theta, p_theta_cond = sp.Function("p_theta"), sp.Function("p_theta_cond")
before = Prefix("x")
#: p_theta(x) = prod_i p_theta(x_i | x_<i).
AR_DENSITY = sp.Product(p_theta_cond(x[i], before[i]), (i, 1, d))

# --------------------------------------------------------------------------- 1a.iii / 1b.iii  Gaussian mixture

z = sp.Symbol("z", integer=True, positive=True)  # the component label
weights = sp.IndexedBase("p", positive=True)  # p_z
means = sp.IndexedBase("mu", real=True)  # mu_z, coordinates mu_{z,j}
sds = sp.IndexedBase("sigma", positive=True)  # sigma_z


def component(point, label):
    """:math:`\\mathcal{N}(x;\\, \\mu_z,\\, \\sigma_z^2 I)` in d dimensions."""
    return GaussianDensity(point, means[label], sds[label] ** 2, d)


#: p(x) = sum_z p_z N(x; mu_z, sigma_z^2 I).
MIXTURE_DENSITY = sp.Sum(weights[z] * component(x, z), (z, 1, k))

# --------------------------------------------------------------------------- 1a.iv / 1b.iv  normalizing flow

g_inv = sp.Function("g^{-1}")  # the inverse of an arbitrary invertible map g: R^d -> R^d


def base_density(point):
    """:math:`\\mathcal{N}(z;\\, 0,\\, I)` in d dimensions."""
    return GaussianDensity(point, 0, 1, d)


def flow_jacobian(point):
    """:math:`\\det J_{g^{-1}}(x)`."""
    return JacobianDeterminant(g_inv(point), point)


#: p(x) = N(g^{-1}(x); 0, I) |det J_{g^{-1}}(x)| and its logarithm.
FLOW_DENSITY = base_density(g_inv(x)) * sp.Abs(flow_jacobian(x))
FLOW_LOG_DENSITY = sp.log(base_density(g_inv(x))) + sp.log(sp.Abs(flow_jacobian(x)))

#: The one-dimensional illustration g(z) = sinh(az + b) (increasing because a > 0): a scalar point s.
s = sp.Symbol("x", real=True)
a_flow = sp.Symbol("a", positive=True)
b_flow = sp.Symbol("b", real=True)
SINH_INVERSE = (sp.asinh(s) - b_flow) / a_flow
#: The density of sinh(az + b), z ~ N(0, 1), in the course's notation and written out.
SINH_DENSITY_FORM = GaussianDensity(sp.asinh(s), b_flow, a_flow**2) / sp.sqrt(1 + s**2)
SINH_DENSITY = normal_pdf(sp.asinh(s), b_flow, a_flow**2) / sp.sqrt(1 + s**2)

# --------------------------------------------------------------------------- 1a.v / 1b.v  VAE

latent = sp.IndexedBase("z", real=True)  # z in R^k
#: The density of the ancestral sampler's output: int p_theta(x | z) N(z; 0, I) dz over R^k, with
#: p_theta(x | z) the decoder (arbitrary).
VAE_MARGINAL = VectorIntegral(p_theta_cond(x, latent) * GaussianDensity(latent, 0, 1, k), latent, k)

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

theta = sp.Symbol("theta", real=True)
theta_vec = sp.IndexedBase("theta", real=True)
label = sp.Symbol("y", integer=True, nonnegative=True)  # a value 0 or 1 of Y
#: theta^T x = sum_j theta_j x_j, and the probability that the threshold sampler outputs y.
LOGIT = sp.Sum(theta_vec[j] * x[j], (j, 1, d))
LOGISTIC_PMF = Sigmoid(LOGIT) ** label * (1 - Sigmoid(LOGIT)) ** (1 - label)

N, n1 = sp.Symbol("n", positive=True), sp.Symbol("n_1", positive=True)
prob, lam = sp.Symbol("p", positive=True), sp.Symbol("lambda", nonnegative=True)
#: n_1 as the number of positive labels among the first n (a function of n, for the limit).
n1_of_n = sp.Function("n_1")(N)
#: Where a student's answer in n, n_1 is sampled: 0 < n_1 < n.
COUNTS = {N: sp.Interval(10, 10_000), n1: sp.Interval.open(0, 10)}

#: Reference answers of 2b: the fitted probability, its limit, the maximiser.
FITTED = n1 / N
LIMIT = prob
THETA_HAT = sp.log(n1 / (N - n1))
#: The log-likelihood of n labels, n_1 of them 1, at a constant input x = 1.
LOG_LIKELIHOOD = n1 * sp.log(Sigmoid(theta)) + (N - n1) * sp.log(1 - Sigmoid(theta))
