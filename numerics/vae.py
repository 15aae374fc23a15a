"""Latent-variable models of Question 3: the linear-Gaussian decoder and small neural VAEs.

Two models live here, both with a standard normal prior :math:`z \\sim \\mathcal{N}(0, I_k)`:

* :class:`LinearGaussian` (probabilistic PCA), :math:`x \\mid z \\sim \\mathcal{N}(Wz + b, s^2 I_d)`,
  where everything is closed form: :math:`\\log p(x)`, the posterior, the ELBO of any Gaussian
  :math:`q`, and the second moment of importance weights. It is the yardstick for the Monte Carlo
  estimators (:meth:`LinearGaussian.importance_log_marginal`) and is reused by Question 1.
* :class:`NeuralVAE`, a decoder :math:`\\mathrm{NN}_\\theta(z)` and an encoder
  :math:`\\mathrm{NN}_\\phi(x)` (one-hidden-layer tanh networks, :class:`TanhMLP`, or affine maps,
  :class:`Affine`) with hand-written gradients: the decoder gradient of the ELBO, the
  reparameterised encoder gradient and the score-function (REINFORCE) encoder gradient.

Shapes: a batch of m points is (m, d); latent samples for m points are (m, K, k). Every random
function takes a keyword-only ``rng`` (anything :func:`numpy.random.default_rng` accepts).

>>> import numpy as np
>>> model = LinearGaussian(W=np.array([[1.0], [2.0]]), b=np.zeros(2), noise_var=0.5)
>>> x = np.array([0.3, -0.4])
>>> bool(np.isclose(model.elbo(x, *model.posterior(x)), model.log_marginal(x)))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from numerics.lazy import lazy

special = lazy("scipy.special")


LOG_2PI = math.log(2.0 * math.pi)
#: Largest number of floats one chunk of latent samples may hold (keeps memory bounded).
_CHUNK_FLOATS = 1 << 22


# --------------------------------------------------------------------------- Gaussian helpers


def as_covariance(cov: Any, k: int) -> np.ndarray:
    """A covariance given as a scalar ``c`` (meaning ``c I``), a diagonal (k,) or a matrix.

    Returns shape (k, k), or (m, k, k) for a stack of matrices.

    >>> as_covariance(2.0, 2)
    array([[2., 0.],
           [0., 2.]])
    """
    c = np.asarray(cov, dtype=float)
    if c.ndim == 0:
        if not c > 0:
            raise ValueError(f"a scalar covariance must be positive, got {float(c)}")
        return float(c) * np.eye(k)
    if c.ndim == 1:
        if c.shape != (k,) or not np.all(c > 0):
            raise ValueError(f"a diagonal covariance must have {k} positive entries, got {c}")
        return np.diag(c)
    if c.shape[-2:] != (k, k):
        raise ValueError(f"covariance must be ({k}, {k}) (or a stack of them), got shape {c.shape}")
    return c


def gaussian_logpdf(x: Any, mean: Any, cov: Any) -> np.ndarray:
    """Log-density of :math:`\\mathcal{N}(\\text{mean}, \\text{cov})` at the rows of ``x``.

    .. math:: \\log \\mathcal{N}(x; \\mu, \\Sigma) = -\\tfrac12\\big(k \\log 2\\pi + \\log\\det\\Sigma
              + (x-\\mu)^\\top \\Sigma^{-1} (x-\\mu)\\big)

    ``x`` and ``mean`` broadcast over leading axes (last axis k); ``cov`` is one covariance.

    >>> float(gaussian_logpdf([0.0], [0.0], 1.0)) == -0.5 * LOG_2PI
    True
    """
    x = np.asarray(x, dtype=float)
    k = x.shape[-1]
    S = as_covariance(cov, k)
    L = np.linalg.cholesky(S)
    diff = (x - np.asarray(mean, dtype=float)).reshape(-1, k)
    sol = np.linalg.solve(L, diff.T).T  # L^{-1} (x - mu)
    quad = np.sum(sol**2, axis=-1)
    logdet = 2.0 * np.sum(np.log(np.diag(L)))
    out = -0.5 * (k * LOG_2PI + logdet + quad)
    return out.reshape(np.broadcast_shapes(x.shape, np.shape(mean))[:-1])


def isotropic_logpdf(x: Any, mean: Any, var: float) -> np.ndarray:
    """Log-density of :math:`\\mathcal{N}(\\text{mean}, \\text{var}\\, I)`, broadcasting over rows.

    .. math:: -\\tfrac{d}{2}\\log(2\\pi\\,\\text{var}) - \\frac{\\lVert x - \\mu\\rVert^2}{2\\,\\text{var}}
    """
    diff = np.asarray(x, dtype=float) - np.asarray(mean, dtype=float)
    d = diff.shape[-1]
    return -0.5 * d * math.log(2.0 * math.pi * var) - 0.5 * np.sum(diff**2, axis=-1) / var


def kl_gaussians(mean_q: Any, cov_q: Any, mean_p: Any, cov_p: Any) -> np.ndarray:
    """:math:`\\mathrm{KL}(\\mathcal{N}(m_q, S_q) \\,\\|\\, \\mathcal{N}(m_p, S_p))`, over rows of the means.

    .. math:: \\tfrac12\\big[\\operatorname{tr}(S_p^{-1}S_q) + (m_p-m_q)^\\top S_p^{-1}(m_p-m_q) - k
              + \\log\\det S_p - \\log\\det S_q\\big]

    >>> float(kl_gaussians([0.0], 1.0, [0.0], 1.0))
    0.0
    >>> round(float(kl_gaussians([1.0], 1.0, [0.0], 1.0)), 6)
    0.5
    """
    mq, mp = np.asarray(mean_q, dtype=float), np.asarray(mean_p, dtype=float)
    k = np.broadcast_shapes(mq.shape, mp.shape)[-1]
    Sq, Sp = as_covariance(cov_q, k), as_covariance(cov_p, k)
    Sp_inv = np.linalg.inv(Sp)
    diff = mp - mq
    quad = np.einsum("...i,...ij,...j->...", diff, Sp_inv, diff)
    trace = np.einsum("...ij,...ji->...", Sp_inv, Sq)
    logdet = np.linalg.slogdet(Sp)[1] - np.linalg.slogdet(Sq)[1]
    return 0.5 * (trace + quad - k + logdet)


def log_weight_moment(mean_p: Any, cov_p: Any, mean_q: Any, cov_q: Any, power: int = 2) -> np.ndarray:
    """:math:`\\log \\int p(z)^m / q(z)^{m-1}\\, dz = \\log E_q[(p/q)^m]` for Gaussians p and q (rows of
    means) and an integer power :math:`m \\ge 1`.

    With :math:`A = mP^{-1} - (m-1)Q^{-1}`, :math:`h = mP^{-1}\\mu_p - (m-1)Q^{-1}\\mu_q` and
    :math:`c = m\\mu_p^\\top P^{-1}\\mu_p - (m-1)\\mu_q^\\top Q^{-1}\\mu_q`:

    .. math:: -\\tfrac m2\\log\\det P + \\tfrac{m-1}2\\log\\det Q - \\tfrac12\\log\\det A + \\tfrac12(h^\\top A^{-1}h - c)

    and :math:`+\\infty` when A is not positive definite (q's tails too light: that moment is infinite).

    >>> float(log_weight_moment([0.0], 1.0, [0.0], 1.0, 3))
    0.0
    >>> round(float(np.exp(log_weight_moment([0.0], 0.5, [0.0], 1.0, 3))) ** 2, 9)  # 0.5^-3 / det(6 - 2)
    2.0
    """
    if int(power) != power or power < 1:
        raise ValueError(f"power must be a positive integer, got {power}")
    mp, mq = np.asarray(mean_p, dtype=float), np.asarray(mean_q, dtype=float)
    k = np.broadcast_shapes(mp.shape, mq.shape)[-1]
    P, Q = as_covariance(cov_p, k), as_covariance(cov_q, k)
    Pi, Qi = np.linalg.inv(P), np.linalg.inv(Q)
    m = float(power)
    A = m * Pi - (m - 1) * Qi
    eig = np.linalg.eigvalsh(A)
    if np.any(eig <= 0):
        return np.full(np.broadcast_shapes(mp.shape, mq.shape)[:-1], np.inf)
    h = m * np.einsum("ij,...j->...i", Pi, mp) - (m - 1) * np.einsum("ij,...j->...i", Qi, mq)
    c = m * np.einsum("...i,ij,...j->...", mp, Pi, mp) - (m - 1) * np.einsum("...i,ij,...j->...", mq, Qi, mq)
    hAh = np.einsum("...i,ij,...j->...", h, np.linalg.inv(A), h)
    return (-0.5 * m * np.linalg.slogdet(P)[1] + 0.5 * (m - 1) * np.linalg.slogdet(Q)[1]
            - 0.5 * np.sum(np.log(eig)) + 0.5 * (hAh - c))


def log_weight_second_moment(mean_p: Any, cov_p: Any, mean_q: Any, cov_q: Any) -> np.ndarray:
    """:math:`\\log \\int p(z)^2 / q(z)\\, dz = \\log E_q[(p/q)^2]` for Gaussians p and q (rows of means),
    :func:`log_weight_moment` with power 2.

    .. math:: -\\log\\det P + \\tfrac12\\log\\det Q - \\tfrac12\\log\\det(2P^{-1} - Q^{-1}) + \\tfrac12(h^\\top A^{-1}h - c)

    and :math:`+\\infty` when A is not positive definite (q's tails too light: infinite variance).
    ``exp`` of it minus one is the relative variance (chi-square divergence) of the weights p/q.

    >>> float(log_weight_second_moment([0.0], 1.0, [0.0], 1.0))
    0.0
    >>> float(log_weight_second_moment([0.0], 1.0, [0.0], 0.4))
    inf
    """
    return log_weight_moment(mean_p, cov_p, mean_q, cov_q, 2)


def effective_sample_size(log_weights: Any, axis: int = -1) -> np.ndarray:
    """Kish's effective sample size of importance weights given in log space.

    .. math:: \\mathrm{ESS} = \\frac{(\\sum_j w_j)^2}{\\sum_j w_j^2}

    >>> round(float(effective_sample_size(np.zeros(10))), 9)
    10.0
    >>> float(effective_sample_size(np.array([0.0, -1e9, -1e9])))
    1.0
    """
    lw = np.asarray(log_weights, dtype=float)
    return np.exp(2.0 * special.logsumexp(lw, axis=axis) - special.logsumexp(2.0 * lw, axis=axis))


def _batch(x: Any, d: int) -> tuple[np.ndarray, bool]:
    """``x`` as an (m, d) array and whether it was a single point."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[None, :]
        single = True
    else:
        single = False
    if a.ndim != 2 or a.shape[1] != d:
        raise ValueError(f"expected points of dimension {d} (shape (m, {d}) or ({d},)), got shape {np.shape(x)}")
    return a, single


def _unbatch(values: np.ndarray, single: bool):
    return values[0] if single else values


# --------------------------------------------------------------------------- linear-Gaussian model


@dataclass(frozen=True)
class LinearGaussian:
    """Probabilistic PCA: :math:`z \\sim \\mathcal{N}(0, I_k)`, :math:`x \\mid z \\sim \\mathcal{N}(Wz + b, s^2 I_d)`.

    ``W`` is (d, k), ``b`` is (d,), ``noise_var`` is :math:`s^2 > 0`.
    """

    W: np.ndarray
    b: np.ndarray
    noise_var: float

    def __post_init__(self) -> None:
        W = np.atleast_2d(np.asarray(self.W, dtype=float))
        b = np.asarray(self.b, dtype=float).ravel()
        if W.ndim != 2 or b.shape != (W.shape[0],):
            raise ValueError(f"W must be (d, k) and b (d,), got {np.shape(self.W)} and {np.shape(self.b)}")
        if not (np.isfinite(self.noise_var) and self.noise_var > 0):
            raise ValueError(f"noise_var must be positive and finite, got {self.noise_var}")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "noise_var", float(self.noise_var))

    # construction ---------------------------------------------------------------------------
    @classmethod
    def random(cls, d: int, k: int, *, rng, noise_var: float = 0.25, scale: float = 1.0) -> "LinearGaussian":
        """A model with i.i.d. :math:`\\mathcal{N}(0, \\text{scale}^2)` loadings and offsets."""
        g = np.random.default_rng(rng)
        return cls(scale * g.standard_normal((d, k)), scale * g.standard_normal(d), noise_var)

    @classmethod
    def isotropic(cls, d: int, k: int, lam: float, *, rng, noise_var: float = 0.25) -> "LinearGaussian":
        """Random orthonormal loading directions scaled so that :math:`W^\\top W / s^2 = \\lambda I_k`.

        Every latent coordinate is then determined by x equally well (posterior variance
        :math:`1/(1+\\lambda)`), which fixes how peaked the posterior is relative to the prior.
        """
        if not 0 < k <= d:
            raise ValueError(f"need 0 < k <= d, got k={k}, d={d}")
        g = np.random.default_rng(rng)
        Q = np.linalg.qr(g.standard_normal((d, k)))[0]
        return cls(Q * math.sqrt(lam * noise_var), g.standard_normal(d), noise_var)

    @classmethod
    def structured(cls, k: int, per_latent: int = 2, *, noise_var: float = 0.25,
                   loading: float = 1.0) -> "LinearGaussian":
        """Each latent coordinate drives ``per_latent`` data coordinates (d = k * per_latent).

        Then :math:`W^\\top W / s^2 = \\lambda I` with :math:`\\lambda = \\text{per\\_latent}\\,
        \\text{loading}^2 / s^2`, so every latent direction is equally well determined by x.
        """
        W = loading * np.kron(np.eye(k), np.ones((per_latent, 1)))
        return cls(W, np.zeros(k * per_latent), noise_var)

    @property
    def d(self) -> int:
        return self.W.shape[0]

    @property
    def k(self) -> int:
        return self.W.shape[1]

    def marginal_cov(self) -> np.ndarray:
        """:math:`\\operatorname{Cov}(x) = WW^\\top + s^2 I_d`."""
        return self.W @ self.W.T + self.noise_var * np.eye(self.d)

    def posterior_cov(self) -> np.ndarray:
        """:math:`\\Sigma = (I_k + W^\\top W / s^2)^{-1}` (the same for every x)."""
        return np.linalg.inv(np.eye(self.k) + self.W.T @ self.W / self.noise_var)

    # densities ------------------------------------------------------------------------------
    def log_marginal(self, x: Any):
        """Exact :math:`\\log p(x) = \\log \\mathcal{N}(x; b, WW^\\top + s^2 I)`; (m,) or a scalar."""
        X, single = _batch(x, self.d)
        return _unbatch(gaussian_logpdf(X, self.b, self.marginal_cov()), single)

    def log_likelihood(self, x: Any, z: Any) -> np.ndarray:
        """:math:`\\log p(x \\mid z)`, broadcasting x (..., d) against z (..., k)."""
        mean = np.asarray(z, dtype=float) @ self.W.T + self.b
        return isotropic_logpdf(x, mean, self.noise_var)

    @staticmethod
    def log_prior(z: Any) -> np.ndarray:
        """:math:`\\log \\mathcal{N}(z; 0, I)` over the last axis."""
        return isotropic_logpdf(z, 0.0, 1.0)

    def log_joint(self, x: Any, z: Any) -> np.ndarray:
        """:math:`\\log p(x, z) = \\log p(x \\mid z) + \\log p(z)`."""
        return self.log_likelihood(x, z) + self.log_prior(z)

    def posterior(self, x: Any):
        """Exact posterior :math:`p(z \\mid x) = \\mathcal{N}(\\Sigma W^\\top (x - b) / s^2, \\Sigma)`.

        Returns ``(mean, cov)``: mean (m, k) (or (k,) for one point) and the shared cov (k, k).
        """
        X, single = _batch(x, self.d)
        cov = self.posterior_cov()
        mean = (X - self.b) @ self.W @ cov.T / self.noise_var
        return _unbatch(mean, single), cov

    def log_posterior(self, z: Any, x: Any) -> np.ndarray:
        """:math:`\\log p(z \\mid x)` for z (m, k) (or (k,)) and matching x."""
        mean, cov = self.posterior(x)
        return gaussian_logpdf(z, mean, cov)

    def elbo(self, x: Any, q_mean: Any, q_var: Any):
        """Closed-form ELBO of :math:`q = \\mathcal{N}(m, S)`: :math:`E_q[\\log p(x, z)] + H(q)`.

        .. math:: -\\tfrac{d}{2}\\log(2\\pi s^2) - \\frac{\\lVert x-b-Wm\\rVert^2
                  + \\operatorname{tr}(W S W^\\top)}{2s^2} - \\frac{\\lVert m\\rVert^2
                  + \\operatorname{tr}S}{2} + \\frac{k}{2} + \\frac12\\log\\det S

        ``q_var``, the covariance of q, is a scalar (times I), a diagonal (k,), a matrix (k, k) or a
        stack (m, k, k).
        """
        X, single = _batch(x, self.d)
        m = np.broadcast_to(np.asarray(q_mean, dtype=float), (X.shape[0], self.k))
        S = as_covariance(q_var, self.k)
        resid = X - self.b - m @ self.W.T
        tr_wsw = np.einsum("...ij,ji->...", S, self.W.T @ self.W)
        tr_s = np.trace(S, axis1=-2, axis2=-1)
        logdet = np.linalg.slogdet(S)[1]
        out = (-0.5 * self.d * math.log(2 * math.pi * self.noise_var)
               - (np.sum(resid**2, axis=1) + tr_wsw) / (2 * self.noise_var)
               - 0.5 * (np.sum(m**2, axis=1) + tr_s) + 0.5 * self.k + 0.5 * logdet)
        return _unbatch(out, single)

    def kl_to_posterior(self, x: Any, q_mean: Any, q_var: Any):
        """:math:`\\mathrm{KL}(q \\,\\|\\, p(z \\mid x))` for :math:`q = \\mathcal{N}(m, S)`."""
        X, single = _batch(x, self.d)
        mean, cov = self.posterior(X)
        m = np.broadcast_to(np.asarray(q_mean, dtype=float), (X.shape[0], self.k))
        return _unbatch(kl_gaussians(m, q_var, mean, cov), single)

    # sampling and Monte Carlo ---------------------------------------------------------------
    def sample(self, n: int, *, rng, return_latent: bool = False):
        """Ancestral sampling: :math:`z \\sim \\mathcal{N}(0, I)`, then :math:`x \\sim p(x \\mid z)`.

        Returns x (n, d), or ``(x, z)`` with ``return_latent=True``.
        """
        g = np.random.default_rng(rng)
        z = g.standard_normal((n, self.k))
        x = z @ self.W.T + self.b + math.sqrt(self.noise_var) * g.standard_normal((n, self.d))
        return (x, z) if return_latent else x

    def proposal(self, x: Any, proposal: Any = "prior"):
        """The proposal ``(mean (m, k), cov (k, k))`` named by ``proposal``.

        ``"prior"``: :math:`\\mathcal{N}(0, I)`; ``"posterior"``: the exact :math:`p(z \\mid x)`;
        a pair ``(mean, cov)``: that Gaussian (mean (k,) or (m, k), one covariance).
        """
        X, _ = _batch(x, self.d)
        if isinstance(proposal, str):
            if proposal == "prior":
                return np.zeros((X.shape[0], self.k)), np.eye(self.k)
            if proposal == "posterior":
                return self.posterior(X)
            raise ValueError(f"proposal must be 'prior', 'posterior' or (mean, cov), got {proposal!r}")
        mean, cov = proposal
        return (np.broadcast_to(np.asarray(mean, dtype=float), (X.shape[0], self.k)),
                as_covariance(cov, self.k))

    def log_weights(self, x: Any, K: int, *, rng, proposal: Any = "prior") -> np.ndarray:
        """Log importance weights :math:`\\log p(x, z_j) - \\log q(z_j)`, z_j ~ q; shape (m, K).

        With the prior as proposal the weight is the likelihood :math:`p(x \\mid z_j)`.
        """
        if K < 1:
            raise ValueError(f"K must be a positive number of samples, got {K}")
        g = np.random.default_rng(rng)
        X, _ = _batch(x, self.d)
        mean, cov = self.proposal(X, proposal)
        L = np.linalg.cholesky(cov)
        rows = max(1, _CHUNK_FLOATS // (K * max(self.d, self.k)))
        out = np.empty((X.shape[0], K))
        for start in range(0, X.shape[0], rows):
            sl = slice(start, start + rows)
            eps = g.standard_normal((X[sl].shape[0], K, self.k))
            z = mean[sl, None, :] + eps @ L.T
            # z - mean = L eps, so the quadratic form of log q is |eps|^2
            log_q = -0.5 * (self.k * LOG_2PI + np.sum(eps**2, axis=-1)) - np.sum(np.log(np.diag(L)))
            out[sl] = self.log_joint(X[sl, None, :], z) - log_q
        return out

    def importance_log_marginal(self, x: Any, K: int, *, rng, proposal: Any = "prior"):
        """Importance-sampling estimate :math:`\\log \\frac1K \\sum_j p(x, z_j)/q(z_j)`, z_j ~ q.

        Unbiased for p(x) (not for log p(x): by Jensen it is biased low). With
        ``proposal="prior"`` it is the naive estimator :math:`\\log\\frac1K\\sum_j p(x \\mid z_j)`;
        with ``"posterior"`` every weight equals p(x) and the estimate is exact.
        """
        X, single = _batch(x, self.d)
        lw = self.log_weights(X, K, rng=rng, proposal=proposal)
        return _unbatch(special.logsumexp(lw, axis=1) - math.log(K), single)

    def naive_log_marginal(self, x: Any, K: int, *, rng):
        """The prior-sampling estimate :math:`\\log \\frac1K \\sum_j p(x \\mid z_j)`, z_j ~ N(0, I)."""
        return self.importance_log_marginal(x, K, rng=rng, proposal="prior")

    def log_weight_second_moment(self, x: Any, proposal: Any = "prior"):
        """Exact :math:`\\log E_q[w^2] / p(x)^2` of the weights :math:`w = p(x,z)/q(z)`.

        Since :math:`w = p(x)\\,p(z \\mid x)/q(z)`, this is :math:`\\log\\int p(z\\mid x)^2/q(z)\\,dz`;
        ``expm1`` of it is the relative variance :math:`\\operatorname{Var}_q(w)/p(x)^2`.
        """
        X, single = _batch(x, self.d)
        pm, pc = self.posterior(X)
        qm, qc = self.proposal(X, proposal)
        return _unbatch(log_weight_second_moment(pm, pc, qm, qc), single)

    def log_weight_moment(self, x: Any, power: int, proposal: Any = "prior"):
        """Exact :math:`\\log E_q[w^m] / p(x)^m = \\log\\int p(z\\mid x)^m/q(z)^{m-1}\\,dz` of the weights
        :math:`w = p(x,z)/q(z)` (``power`` m; m = 2 is :meth:`log_weight_second_moment`)."""
        X, single = _batch(x, self.d)
        pm, pc = self.posterior(X)
        qm, qc = self.proposal(X, proposal)
        return _unbatch(log_weight_moment(pm, pc, qm, qc, power), single)

    def naive_log_bias_expansion(self, x: Any, K: int):
        """:math:`E\\log\\hat p - \\log p(x)` of the K-sample prior estimator to second order in 1/K.

        With :math:`\\delta = \\frac1K\\sum_j w_j - 1` (:math:`w_j = p(x\\mid z_j)/p(x)`, mean 1), whose
        moments are :math:`E\\delta^2 = r/K`, :math:`E\\delta^3 = \\mu_3/K^2`,
        :math:`E\\delta^4 = 3r^2/K^2 + O(K^{-3})` (r the relative variance, :math:`\\mu_3 = E(w-1)^3`),
        the Taylor series of :math:`\\log(1+\\delta)` gives

        .. math:: E\\log(1+\\delta) = -\\frac{r}{2K} + \\frac{\\mu_3/3 - 3r^2/4}{K^2} + O(K^{-3}).

        Returns the pair (first-order term, second-order term).
        """
        m2 = np.exp(self.log_weight_moment(x, 2))
        m3 = np.exp(self.log_weight_moment(x, 3))
        rv = m2 - 1.0
        mu3 = m3 - 3.0 * m2 + 2.0
        return -rv / (2.0 * K), (mu3 / 3.0 - 0.75 * rv**2) / K**2

    def relative_variance(self, x: Any, proposal: Any = "prior"):
        """:math:`\\operatorname{Var}_q(w)/E_q[w]^2`; K samples give Kong's ESS about K/(1 + this)."""
        return np.expm1(self.log_weight_second_moment(x, proposal))

    def elbo_samples(self, x: Any, q_mean: Any, q_var: Any, K: int, *, rng) -> np.ndarray:
        """K single-sample ELBO estimates :math:`\\log p(x, z_j) - \\log q(z_j)`, z_j ~ q; (m, K)."""
        return self.log_weights(x, K, rng=rng, proposal=(q_mean, q_var))


# --------------------------------------------------------------------------- PPCA fitting


def ppca_mle(X: Any, k: int) -> LinearGaussian:
    """Closed-form maximum-likelihood PPCA (Tipping and Bishop): top-k eigenvectors of the covariance.

    .. math:: b = \\bar x,\\quad s^2 = \\frac{1}{d-k}\\sum_{j>k}\\lambda_j,\\quad
              W = U_k(\\Lambda_k - s^2 I)^{1/2}
    """
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if not 0 < k < d:
        raise ValueError(f"need 0 < k < d, got k={k}, d={d}")
    b = X.mean(axis=0)
    C = (X - b).T @ (X - b) / n
    lam, U = np.linalg.eigh(C)
    lam, U = lam[::-1], U[:, ::-1]
    s2 = float(lam[k:].mean())
    W = U[:, :k] * np.sqrt(np.maximum(lam[:k] - s2, 0.0))
    return LinearGaussian(W, b, s2)


def ppca_em_step(model: LinearGaussian, X: Any) -> LinearGaussian:
    """One EM step for PPCA, i.e. coordinate ascent on :math:`\\sum_i \\mathrm{ELBO}(x_i)`.

    E-step: :math:`q_i = p(z \\mid x_i) = \\mathcal{N}(m_i, \\Sigma)`, which makes every KL zero.
    M-step: maximise :math:`\\sum_i E_{q_i}[\\log p(x_i, z)]` over (W, b, s^2):

    .. math:: W = \\Big[\\sum_i (x_i - b) m_i^\\top\\Big]\\Big[\\sum_i (\\Sigma + m_i m_i^\\top)\\Big]^{-1}
    """
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    b = X.mean(axis=0)
    M, Sigma = model.posterior(X)
    Xc = X - b
    Ezz = n * Sigma + M.T @ M
    W = np.linalg.solve(Ezz, M.T @ Xc).T
    s2 = (np.sum(Xc**2) - 2.0 * np.sum((Xc @ W) * M) + np.trace(Ezz @ W.T @ W)) / (n * d)
    return LinearGaussian(W, b, float(s2))


# --------------------------------------------------------------------------- small networks


@dataclass(frozen=True)
class Affine:
    """:math:`u \\mapsto A u + a`, parameters flattened as ``[A (out, in) row-major, a (out,)]``."""

    n_in: int
    n_out: int

    @property
    def n_params(self) -> int:
        return self.n_out * self.n_in + self.n_out

    def unpack(self, params: Any):
        p = np.asarray(params, dtype=float)
        if p.shape != (self.n_params,):
            raise ValueError(f"expected {self.n_params} parameters, got shape {p.shape}")
        A = p[: self.n_out * self.n_in].reshape(self.n_out, self.n_in)
        return A, p[self.n_out * self.n_in:]

    def init(self, *, rng, scale: float = 1.0) -> np.ndarray:
        return scale * np.random.default_rng(rng).standard_normal(self.n_params)

    def forward(self, params: Any, u: Any) -> np.ndarray:
        A, a = self.unpack(params)
        return np.asarray(u, dtype=float) @ A.T + a

    def vjp_params(self, params: Any, u: Any, v: Any) -> np.ndarray:
        """Per-row gradient :math:`J_\\text{params}(u_i)^\\top v_i`, shape (m, n_params)."""
        u, v = np.atleast_2d(u), np.atleast_2d(v)
        dA = v[:, :, None] * u[:, None, :]  # d(v . (A u + a))/dA = v u^T
        return np.concatenate([dA.reshape(len(v), -1), v], axis=1)

    def vjp_input(self, params: Any, u: Any, v: Any) -> np.ndarray:
        """Per-row :math:`J_u(u_i)^\\top v_i = A^\\top v_i`, shape (m, n_in)."""
        A, _ = self.unpack(params)
        return np.atleast_2d(v) @ A


@dataclass(frozen=True)
class TanhMLP:
    """One hidden layer: :math:`u \\mapsto W_2 \\tanh(W_1 u + b_1) + b_2`.

    Parameters flattened as ``[W1 (h, in), b1 (h,), W2 (out, h), b2 (out,)]``.
    """

    n_in: int
    n_hidden: int
    n_out: int

    @property
    def n_params(self) -> int:
        return self.n_hidden * (self.n_in + 1) + self.n_out * (self.n_hidden + 1)

    def unpack(self, params: Any):
        p = np.asarray(params, dtype=float)
        if p.shape != (self.n_params,):
            raise ValueError(f"expected {self.n_params} parameters, got shape {p.shape}")
        h, i, o = self.n_hidden, self.n_in, self.n_out
        cuts = np.cumsum([h * i, h, o * h])
        W1, b1, W2, b2 = np.split(p, cuts)
        return W1.reshape(h, i), b1, W2.reshape(o, h), b2

    def init(self, *, rng, scale: float = 1.0) -> np.ndarray:
        return scale * np.random.default_rng(rng).standard_normal(self.n_params)

    def _hidden(self, params, u):
        W1, b1, W2, b2 = self.unpack(params)
        return np.tanh(np.atleast_2d(u) @ W1.T + b1), W1, W2, b2

    def forward(self, params: Any, u: Any) -> np.ndarray:
        h, _, W2, b2 = self._hidden(params, u)
        return h @ W2.T + b2

    def vjp_params(self, params: Any, u: Any, v: Any) -> np.ndarray:
        """Per-row gradient :math:`J_\\text{params}(u_i)^\\top v_i` by backpropagation, (m, n_params)."""
        u, v = np.atleast_2d(u), np.atleast_2d(v)
        h, _, W2, _ = self._hidden(params, u)
        m = len(v)
        dW2 = v[:, :, None] * h[:, None, :]  # output layer: v h^T
        da = (v @ W2) * (1.0 - h**2)  # back through tanh: tanh' = 1 - tanh^2
        dW1 = da[:, :, None] * u[:, None, :]  # first layer: da u^T
        return np.concatenate([dW1.reshape(m, -1), da, dW2.reshape(m, -1), v], axis=1)

    def vjp_input(self, params: Any, u: Any, v: Any) -> np.ndarray:
        """Per-row :math:`J_u(u_i)^\\top v_i = W_1^\\top[(1-h^2)\\odot W_2^\\top v_i]`, (m, n_in)."""
        h, W1, W2, _ = self._hidden(params, u)
        return ((np.atleast_2d(v) @ W2) * (1.0 - h**2)) @ W1


# --------------------------------------------------------------------------- neural VAE


@dataclass(frozen=True)
class NeuralVAE:
    """Decoder :math:`p_\\theta(x \\mid z) = \\mathcal{N}(\\mathrm{NN}_\\theta(z), \\sigma_x^2 I)`,
    encoder :math:`q_\\phi(z \\mid x) = \\mathcal{N}(\\mathrm{NN}_\\phi(x), \\sigma_q^2 I)`, prior N(0, I).

    Samples are reparameterised: :math:`z = g(\\varepsilon, \\phi, x) = \\mathrm{NN}_\\phi(x) + \\sigma_q
    \\varepsilon`. Every ``*_samples`` method takes one data point x (d,) and noise eps (m, k) and
    returns m single-sample values, so their means are the Monte Carlo estimates and their
    spread is the estimator's variance.
    """

    decoder: Any  # network k -> d
    encoder: Any  # network d -> k
    sigma_x: float
    sigma_q: float

    @property
    def k(self) -> int:
        return self.decoder.n_in

    @property
    def d(self) -> int:
        return self.decoder.n_out

    def latent(self, phi, x, eps) -> np.ndarray:
        """:math:`z = \\mathrm{NN}_\\phi(x) + \\sigma_q\\,\\varepsilon`, shape (m, k)."""
        return self.encoder.forward(phi, np.asarray(x, dtype=float)[None, :]) + self.sigma_q * np.atleast_2d(eps)

    def log_joint(self, theta, x, z) -> np.ndarray:
        """:math:`\\log p_\\theta(x, z) = \\log\\mathcal{N}(x; \\mathrm{NN}_\\theta(z), \\sigma_x^2 I)
        + \\log\\mathcal{N}(z; 0, I)`."""
        return isotropic_logpdf(x, self.decoder.forward(theta, z), self.sigma_x**2) + isotropic_logpdf(z, 0.0, 1.0)

    def log_q(self, phi, x, z) -> np.ndarray:
        """:math:`\\log q_\\phi(z \\mid x)`."""
        return isotropic_logpdf(z, self.encoder.forward(phi, np.asarray(x, dtype=float)[None, :]), self.sigma_q**2)

    def elbo_samples(self, theta, phi, x, eps) -> np.ndarray:
        """:math:`\\log p_\\theta(x, z) - \\log q_\\phi(z \\mid x)` at :math:`z = g(\\varepsilon_j, \\phi, x)`."""
        z = self.latent(phi, x, eps)
        return self.log_joint(theta, x, z) - self.log_q(phi, x, z)

    def elbo_estimate(self, theta, phi, x, eps) -> float:
        """The common-random-numbers ELBO estimate: the mean of :meth:`elbo_samples`."""
        return float(np.mean(self.elbo_samples(theta, phi, x, eps)))

    def grad_theta_samples(self, theta, phi, x, eps) -> np.ndarray:
        """:math:`\\sigma_x^{-2} J_\\theta(z_j)^\\top (x - \\mathrm{NN}_\\theta(z_j))`, shape (m, P_theta)."""
        z = self.latent(phi, x, eps)
        resid = (np.asarray(x, dtype=float) - self.decoder.forward(theta, z)) / self.sigma_x**2
        return self.decoder.vjp_params(theta, z, resid)

    def grad_z_log_joint(self, theta, x, z) -> np.ndarray:
        """:math:`\\nabla_z \\log p_\\theta(x, z) = \\sigma_x^{-2} J_z(z)^\\top (x - \\mathrm{NN}_\\theta(z)) - z`."""
        resid = (np.asarray(x, dtype=float) - self.decoder.forward(theta, z)) / self.sigma_x**2
        return self.decoder.vjp_input(theta, z, resid) - z

    def grad_phi_reparam_samples(self, theta, phi, x, eps) -> np.ndarray:
        """:math:`J_\\phi(x)^\\top \\nabla_z \\log p_\\theta(x, z)` at :math:`z = g(\\varepsilon_j)`; (m, P_phi).

        The entropy term drops out: :math:`\\log q_\\phi(g(\\varepsilon) \\mid x) =
        -\\lVert\\varepsilon\\rVert^2/2 - \\tfrac{k}{2}\\log(2\\pi\\sigma_q^2)` does not involve phi.
        """
        z = self.latent(phi, x, eps)
        gz = self.grad_z_log_joint(theta, x, z)
        xs = np.broadcast_to(np.asarray(x, dtype=float), (len(z), self.d))
        return self.encoder.vjp_params(phi, xs, gz)

    def grad_phi_score_samples(self, theta, phi, x, eps) -> np.ndarray:
        """REINFORCE: :math:`f(z_j)\\,\\nabla_\\phi \\log q_\\phi(z_j \\mid x)` with f the ELBO integrand.

        :math:`\\nabla_\\phi \\log q_\\phi(z \\mid x) = J_\\phi(x)^\\top (z - \\mathrm{NN}_\\phi(x))/\\sigma_q^2
        = J_\\phi(x)^\\top \\varepsilon/\\sigma_q`. Unbiased because :math:`E_q[\\nabla_\\phi\\log q_\\phi] = 0`.
        """
        eps = np.atleast_2d(eps)
        f = self.elbo_samples(theta, phi, x, eps)
        xs = np.broadcast_to(np.asarray(x, dtype=float), (len(eps), self.d))
        score = self.encoder.vjp_params(phi, xs, eps / self.sigma_q)
        return f[:, None] * score


def linear_vae_elbo(vae: NeuralVAE, theta, phi, x) -> float:
    """Exact ELBO of a :class:`NeuralVAE` whose decoder and encoder are :class:`Affine` maps.

    The decoder is then the linear-Gaussian model (W, b, s^2) = (A, a, sigma_x^2) and q is
    :math:`\\mathcal{N}(Bx + c, \\sigma_q^2 I)`, so :meth:`LinearGaussian.elbo` applies.
    """
    A, a = vae.decoder.unpack(theta)
    model = LinearGaussian(A, a, vae.sigma_x**2)
    m = vae.encoder.forward(phi, np.asarray(x, dtype=float)[None, :])[0]
    return float(model.elbo(x, m, vae.sigma_q**2))


def linear_vae_elbo_gradient(vae: NeuralVAE, theta, phi, x):
    """Exact ``(grad_theta, grad_phi)`` of :func:`linear_vae_elbo`.

    With :math:`m = Bx + c`, :math:`r = x - a - Am`:
    :math:`\\partial_A = (r m^\\top - \\sigma_q^2 A)/\\sigma_x^2`, :math:`\\partial_a = r/\\sigma_x^2`,
    :math:`\\partial_m = A^\\top r/\\sigma_x^2 - m`, :math:`\\partial_B = \\partial_m x^\\top`,
    :math:`\\partial_c = \\partial_m`.
    """
    x = np.asarray(x, dtype=float)
    A, a = vae.decoder.unpack(theta)
    m = vae.encoder.forward(phi, x[None, :])[0]
    s2, q2 = vae.sigma_x**2, vae.sigma_q**2
    r = x - a - A @ m
    gA = (np.outer(r, m) - q2 * A) / s2
    gm = A.T @ r / s2 - m
    g_theta = np.concatenate([gA.ravel(), r / s2])
    g_phi = np.concatenate([np.outer(gm, x).ravel(), gm])
    return g_theta, g_phi


def gauss_hermite_expectation(fn: Callable[[np.ndarray], np.ndarray], k: int, n_nodes: int = 60) -> np.ndarray:
    """:math:`E_{\\varepsilon \\sim \\mathcal{N}(0, I_k)}[f(\\varepsilon)]` by a tensor Gauss-Hermite rule.

    ``fn`` maps nodes (n, k) to values (n, ...). Exact for polynomials of degree < 2 n_nodes.

    >>> round(float(gauss_hermite_expectation(lambda e: e[:, 0] ** 4, 1, 5)), 12)
    3.0
    """
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_nodes)
    weights = weights / math.sqrt(2.0 * math.pi)
    grid = np.stack(np.meshgrid(*([nodes] * k), indexing="ij"), axis=-1).reshape(-1, k)
    w = np.prod(np.stack(np.meshgrid(*([weights] * k), indexing="ij"), axis=-1).reshape(-1, k), axis=1)
    values = np.asarray(fn(grid), dtype=float)
    return np.tensordot(w, values, axes=(0, 0))


def central_differences(f: Callable[[np.ndarray], float], params: Any, h: float = 1e-5) -> np.ndarray:
    """Gradient of a scalar function by central differences, one coordinate at a time.

    .. math:: \\partial_j f \\approx \\frac{f(p + h e_j) - f(p - h e_j)}{2h}

    >>> central_differences(lambda p: float(p @ p), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    p = np.asarray(params, dtype=float)
    out = np.empty_like(p)
    for j in range(p.size):
        e = np.zeros_like(p)
        e[j] = h
        out[j] = (f(p + e) - f(p - e)) / (2.0 * h)
    return out
