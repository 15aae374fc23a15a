"""Question 3's symbols, densities, networks and reference answers.

Pure SymPy. Everything is general: :math:`F` is an arbitrary continuous increasing CDF with
density :math:`f`, the densities :math:`p_\\theta(x\\mid z)`, :math:`p(z)`, :math:`q_\\phi(z\\mid x)`
are undefined functions, and the networks of 3d are arbitrary maps written in coordinates
(:mod:`derivations.symbolic.networks`): :math:`x\\in\\mathbb{R}^d` has coordinates :math:`x_j`,
the latent :math:`z\\in\\mathbb{R}^k` coordinates :math:`z_a`, and a partial derivative is taken in
one parameter coordinate :math:`\\theta_l` or :math:`\\phi_l`. The one :math:`\\sigma` is the standard
deviation of both the decoder and the encoder, as in the homework.

>>> LOSS.has(p_cond) and LOSS_MC.has(K)
True
"""

from __future__ import annotations

import sympy as sp

from derivations.notation import DataPoints
from derivations.symbolic import KL, Expect
from derivations.symbolic.networks import Point, network

# --------------------------------------------------------------------------- 3b: the CDF F and the latent

x = sp.Symbol("x", real=True)
z = sp.Symbol("z", real=True)
v = sp.Symbol("v", real=True)
u = sp.Symbol("u", positive=True)
xbar = sp.Symbol("xbar", real=True)  # the mean of x under option 3

F = sp.Function("F", real=True)  # the CDF of x in 3b
F_inv = sp.Function("F^{-1}", real=True)
f = sp.Function("f", positive=True)  # its density
Phi = sp.Function("Phi", real=True)  # the CDF of z ~ N(0, 1) in 3b.iii
Phi_inv = sp.Function("Phi^{-1}", real=True)

# --------------------------------------------------------------------------- 3b.iv - 3c: densities

n, K = sp.symbols("n K", positive=True, integer=True)
i, j = sp.symbols("i j", positive=True, integer=True)
X = DataPoints("x")  # X[i] is the data point x^(i)
Zs = DataPoints("z")  # Zs[j] is the latent sample z^(j)

p_theta = sp.Function("p_theta", positive=True)  # the marginal p_theta(x)
p_z = sp.Function("p", positive=True)  # the prior p(z)
p_cond = sp.Function("p_theta_cond", positive=True)  # p_theta(x | z)
p_post = sp.Function("p_theta_post", positive=True)  # p_theta(z | x)
p_joint = sp.Function("p_theta_joint", positive=True)  # p_theta(x, z)
q_cond = sp.Function("q_phi_cond", positive=True)  # q_phi(z | x)

Q = q_cond(z, x)  # the inference model at one data point, as a density of z
POSTERIOR = p_post(z, x)
#: The ELBO of 3c, as the homework defines it: E_q[log p_theta(x, z) / q_phi(z | x)].
ELBO = Expect(sp.log(p_joint(x, z) / Q), z, Q)

# --------------------------------------------------------------------------- 3d: coordinates and networks

d, k = sp.symbols("d k", positive=True, integer=True)  # data and latent dimensions
a = sp.Symbol("a", positive=True, integer=True)  # a latent coordinate (j is a data coordinate)
theta_l = sp.Symbol("theta_l", real=True)  # one coordinate of the decoder's parameters
phi_l = sp.Symbol("phi_l", real=True)  # one coordinate of the encoder's parameters
theta = sp.Symbol("theta", real=True)  # the decoder's parameters (not differentiated in 3d.ii)
sigma = sp.Symbol("sigma", positive=True)  # the one standard deviation of decoder and encoder
xs = sp.IndexedBase("x", real=True)  # x in R^d, coordinates xs[j]
eps = sp.IndexedBase("epsilon", real=True)  # epsilon ~ N(0, I_k), coordinates eps[a]
NN_theta = network("NN_theta")  # the decoder: NN_theta(j, theta_l, z) is NN_theta(z)_j
NN_phi = network("NN_phi")  # the encoder: NN_phi(a, phi_l, x) is NN_phi(x)_a

#: z = g(epsilon, phi, x) = NN_phi(x) + sigma epsilon, the reparameterised latent of 3d.ii.
G = Point(z, a, NN_phi(a, phi_l, xs) + sigma * eps[a], k)


def residual_sum(point, parameter=theta) -> sp.Expr:
    """:math:`\\sum_{j=1}^d (x_j - \\mathrm{NN}_\\theta(z)_j)^2` at the decoder input ``point``."""
    return sp.Sum((xs[j] - NN_theta(j, parameter, point)) ** 2, (j, 1, d))


#: log p_theta(x | z) = log N(x; NN_theta(z), sigma^2 I_d), in coordinates (z the latent vector).
LOG_LIKELIHOOD = -residual_sum(z, theta_l) / (2 * sigma**2) - d * sp.log(2 * sp.pi * sigma**2) / 2

# --------------------------------------------------------------------------- reference answers

#: The three decoders printed in 3b.ii and 3b.iii.
OPTIONS = (r"a point mass at $x = F^{-1}(z)$", r"a point mass at $x = F^{-1}(p(z))$",
           r"a Gaussian $\mathcal{N}(F(z), 1)$")
#: How 3b.ii and 3b.iii read the p of option 2 (the only reading under which an option of 3b.iii is right).
READING = (r"$p(z)$ in option 2 is read as the CDF of $z$, $P(z' \le z)$ (the only reading under which "
           r"an option of 3b.iii is correct)")
READING_PLAIN = ("p(z) in option 2 is read as the CDF of z, P(z' <= z), the only reading under which an "
                 "option of 3b.iii is correct")

#: 3b.iv: the negative log-likelihood with the latent integrated out.
LOSS = -sp.Sum(sp.log(sp.Integral(p_cond(X[i], z) * p_z(z), (z, -sp.oo, sp.oo))), (i, 1, n))
#: 3b.vi: its Monte Carlo approximation with K prior samples z^(j).
LOSS_MC = -sp.Sum(sp.log(sp.Sum(p_cond(X[i], Zs[j]), (j, 1, K)) / K), (i, 1, n))

#: 3c.i: log p_theta(x) for every z.
LOG_EVIDENCE = sp.log(p_joint(x, z)) - sp.log(POSTERIOR)
#: 3c.ii: log p_theta(x) = ELBO + KL(q || posterior).
DECOMPOSITION = ELBO + KL(Q, POSTERIOR, z)
#: 3c.iv: the ELBO as the log-likelihood minus the KL to the posterior.
ELBO_AS_LIKELIHOOD = sp.log(p_theta(x)) - KL(Q, POSTERIOR, z)

#: 3d.i: the theta_l-derivative of log p_theta(x | z) (the integrand of the gradient).
DECODER_SCORE = sp.Sum((xs[j] - NN_theta(j, theta_l, z)) * sp.Derivative(NN_theta(j, theta_l, z), theta_l),
                       (j, 1, d)) / sigma**2
#: 3d.i: the gradient of the ELBO in theta_l.
DECODER_GRADIENT = Expect(DECODER_SCORE, z, Q.subs(x, xs))


def grad_log_joint(point) -> sp.Expr:
    """:math:`\\partial \\log p_\\theta(x, z)/\\partial z_a` at ``point``, written with coordinate ``a``."""
    za = point[a]
    return (sp.Sum((xs[j] - NN_theta(j, theta, point)) * NN_theta.jacobian(j, a, theta, point), (j, 1, d))
            / sigma**2 - za)


#: 3d.ii: the phi_l-derivative of log p_theta(x, z) - log q_phi(z | x) at z = g(epsilon, phi, x).
ENCODER_GRADIENT = sp.Sum(sp.Derivative(NN_phi(a, phi_l, xs), phi_l) * grad_log_joint(G), (a, 1, k))

# --------------------------------------------------------------------------- 3d as students write it

# The answers of 3d in vector notation, as derive verify reads them (Quantity.written): the vectors
# x, z, the parameters and epsilon are each one symbol and the networks NN_theta(theta, z),
# NN_phi(phi, x) undefined functions whose derivative plays the Jacobian. tests/test_vae.py proves
# each equal to the coordinate form above at d = k = 1.
theta_v = sp.Symbol("theta", real=True)  # the decoder's parameters, one symbol
phi_v = sp.Symbol("phi", real=True)  # the encoder's parameters, one symbol
epsilon_v = sp.Symbol("epsilon", real=True)  # the noise epsilon, one symbol
sigma_q = sp.Symbol("sigma_q", positive=True)  # the encoder's standard deviation as students name it
NN_theta_v = sp.Function("NN_theta")  # the decoder NN_theta(theta, z), one function
NN_phi_v = sp.Function("NN_phi")  # the encoder NN_phi(phi, x)

#: 3d.i as written: (x - NN_theta(z)) grad_theta NN_theta(z) / sigma^2, the integrand of the gradient
#: (its expectation over z ~ q_phi(z | x) is DECODER_GRADIENT; one z gives the usual estimate).
DECODER_GRADIENT_WRITTEN = (x - NN_theta_v(theta_v, z)) * sp.Derivative(NN_theta_v(theta_v, z), theta_v) / sigma**2
#: z = g(epsilon, phi, x) = NN_phi(x) + sigma epsilon as written: the homework's encoder has the same
#: sigma as the decoder (an answer may call it sigma_q: a defined name for sigma).
G_WRITTEN = NN_phi_v(phi_v, x) + sigma * epsilon_v
#: 3d.ii as written: grad_phi NN_phi(x) ((x - NN_theta(z))/sigma^2 NN_theta'(z) - z) at z = g.
ENCODER_GRADIENT_WRITTEN = sp.Derivative(NN_phi_v(phi_v, x), phi_v) * (
    (x - NN_theta_v(theta_v, G_WRITTEN)) * sp.Subs(sp.Derivative(NN_theta_v(theta_v, z), z), z, G_WRITTEN) / sigma**2
    - G_WRITTEN)
