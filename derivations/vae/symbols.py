"""Question 3's symbols, the closed forms of the 1-D linear-Gaussian model, and the reference answers.

Pure SymPy. The model of the chains: :math:`z \\sim \\mathcal{N}(0, 1)`,
:math:`x \\mid z \\sim \\mathcal{N}(wz + b, \\sigma^2)`, and a Gaussian :math:`q = \\mathcal{N}(m, s_q)`.

>>> sp.simplify(LOG_MARGINAL - (ELBO_1D + KL_1D))
0
>>> KL_1D.subs({m: POST_MEAN, var_q: POST_VAR}).simplify()
0
"""

from __future__ import annotations

import sympy as sp

from derivations.notation import DataPoints
from derivations.symbolic import log_normal_pdf, normal_pdf

# --------------------------------------------------------------------------- symbols

x = sp.Symbol("x", real=True)
z = sp.Symbol("z", real=True)
t = sp.Symbol("t", real=True)
v = sp.Symbol("v", real=True)
u = sp.Symbol("u", positive=True)
c = sp.Symbol("c", positive=True)
w = sp.Symbol("w", real=True)
b = sp.Symbol("b", real=True)
m = sp.Symbol("m", real=True)
lam = sp.Symbol("lambda", positive=True)
sigma = sp.Symbol("sigma", positive=True)  # the decoder's standard deviation
sigma_q = sp.Symbol("sigma_q", positive=True)  # the encoder's standard deviation
var_q = sp.Symbol("s_q", positive=True)  # the variance of the Gaussian q of the 1-D model
theta = sp.Symbol("theta", real=True)
phi = sp.Symbol("phi", real=True)
epsilon = sp.Symbol("epsilon", real=True)
n, K = sp.symbols("n K", positive=True, integer=True)
i, j = sp.symbols("i j", positive=True, integer=True)
X = DataPoints("x")  # X[i] is the data point x^(i)
Zs = DataPoints("z")  # Zs[j] is the latent sample z^(j)
log_p = sp.Symbol("log_p")  # stands for log p_theta(x) in the ELBO written with two symbols
KL = sp.Symbol("KL")  # stands for KL(q_phi(z | x) || p_theta(z | x)) there

# --------------------------------------------------------------------------- functions

F = sp.Function("F")  # the CDF of 3b
F_inv = sp.Function("F^{-1}")
f = sp.Function("f")  # its density
p_theta = sp.Function("p_theta")  # the marginal p_theta(x)
p_z = sp.Function("p")  # the prior p(z)
q_z = sp.Function("q")  # q_phi(z | x) at a fixed x, as a function of z
NN_theta = sp.Function("NN_theta")  # the decoder NN_theta(theta, z): a scalar stand-in
NN_phi = sp.Function("NN_phi")  # the encoder NN_phi(phi, x)
p_cond = sp.Function("p_theta_cond")  # p_theta(x | z)
p_post = sp.Function("p_theta_post")  # p_theta(z | x)
p_joint = sp.Function("p_theta_joint")  # p_theta(x, z)
q_cond = sp.Function("q_phi_cond")  # q_phi(z | x)
KL_of = sp.Function("KL")  # KL(q || p) of two densities, undefined

STD_NORMAL_PDF = normal_pdf(z, 0, 1)

# --------------------------------------------------------------------------- the 1-D linear-Gaussian model

MARGINAL_VAR = w**2 + sigma**2
POST_MEAN = w * (x - b) / (w**2 + sigma**2)
POST_VAR = sigma**2 / (w**2 + sigma**2)
LOG_MARGINAL = log_normal_pdf(x, b, MARGINAL_VAR)
#: The ELBO of q = N(m, s_q): E_q log p(x | z) + E_q log p(z) + the entropy of q.
ELBO_1D = (-sp.log(2 * sp.pi * sigma**2) / 2 - ((x - b - w * m) ** 2 + w**2 * var_q) / (2 * sigma**2)
           - (m**2 + var_q) / 2 + sp.Rational(1, 2) + sp.log(var_q) / 2)
#: KL(q || p(z | x)) of two 1-D Gaussians.
KL_1D = (var_q / POST_VAR - 1 - sp.log(var_q / POST_VAR) + (m - POST_MEAN) ** 2 / POST_VAR) / 2

# --------------------------------------------------------------------------- reference answers

#: The three decoders printed in 3b.ii and 3b.iii.
OPTIONS = (r"a point mass at $x = F^{-1}(z)$", r"a point mass at $x = F^{-1}(p(z))$",
           r"a Gaussian $\mathcal{N}(F(z), 1)$")

#: 3b.iv: the negative log-likelihood with the latent integrated out.
LOSS = sp.Sum(-sp.log(sp.Integral(p_cond(X[i], z) * p_z(z), (z, -sp.oo, sp.oo))), (i, 1, n))
#: 3b.vi: its Monte Carlo approximation with K prior samples.
LOSS_MC = -sp.Sum(sp.log(sp.Sum(p_cond(X[i], Zs[j]), (j, 1, K)) / K), (i, 1, n))

#: 3c.iv: the ELBO as log-likelihood minus KL, with two symbols and with the densities.
ELBO_SYMBOLS = log_p - KL
ELBO_DENSITIES = sp.log(p_theta(x)) - KL_of(q_cond(z, x), p_post(z, x))

#: 3d.i: the integrand of the decoder gradient, grad_theta log p_theta(x | z) (scalar stand-in).
DECODER_GRADIENT = (x - NN_theta(theta, z)) * sp.Derivative(NN_theta(theta, z), theta) / sigma**2
#: The reparameterisation z = g(epsilon, phi, x) of 3d.ii.
G = NN_phi(phi, x) + sigma_q * epsilon
#: 3d.ii: the integrand of the reparameterised encoder gradient (scalar stand-in).
ENCODER_GRADIENT = sp.Derivative(NN_phi(phi, x), phi) * (
    (x - NN_theta(theta, G)) * sp.Subs(sp.Derivative(NN_theta(theta, z), z), z, G) / sigma**2 - G)
