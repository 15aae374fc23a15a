"""The numeric checks of 3c and 3d (the ELBO and its gradients), and their samplers.

Every check returns :class:`numerics.stattests.CheckResult` objects named in LaTeX; every random
function takes a keyword ``rng`` (or a generator first, for the samplers ``sample_*``).
"""

from __future__ import annotations

import math

import numpy as np

from derivations.vae.latent_checks import STRUCT
from numerics import vae as nv
from numerics.stattests import CheckResult, close_test, mean_bound_test, mean_test, predicate

# --------------------------------------------------------------------------- 3c


def sample_model(rng, d_range=(2, 7), k_range=(1, 3)) -> nv.LinearGaussian:
    """A PPCA model with a drawn data dimension d and latent dimension k (half-open ranges)."""
    return nv.LinearGaussian.random(int(rng.integers(*d_range)), int(rng.integers(*k_range)), rng=rng)


def bayes_identity_check(model: nv.LinearGaussian, xx: np.ndarray, zz: np.ndarray) -> CheckResult:
    """log p(x, z) - log p(z | x) = log p(x) at every z (rows of zz)."""
    lhs = model.log_joint(xx, zz) - model.log_posterior(zz, xx)
    return close_test(r"$\log p(x,z)-\log p(z\mid x)=\log p(x)$ at every drawn $z$", lhs,
                      np.full(len(zz), model.log_marginal(xx)), rtol=1e-10, atol=1e-10)


def bayes_identity_run(rng) -> CheckResult:
    """The check of 3c.i on a drawn PPCA model at an x drawn from it and 50 latents from N(0, 9 I)."""
    model = sample_model(rng)
    return bayes_identity_check(model, model.sample(1, rng=rng)[0], 3 * rng.standard_normal((50, model.k)))


def elbo_cheap_checks(k: int, *, rng) -> list[CheckResult]:
    """At k latent dimensions the single-sample ELBO estimate is unbiased, while the naive log p(x)
    estimate with the same number of samples is badly biased."""
    g = np.random.default_rng(rng)
    model = nv.LinearGaussian.structured(k, **STRUCT)
    xx = model.sample(1, rng=g)[0]
    pm, pc = model.posterior(xx)
    q_mean, q_cov = pm + 0.3 * g.standard_normal(k), 1.3 * pc
    samples = model.elbo_samples(xx, q_mean, q_cov, 20_000, rng=g)[0]
    xs = np.broadcast_to(xx, (200, model.d))
    naive_err = model.naive_log_marginal(xs, 100, rng=g) - model.log_marginal(xx)
    return [
        mean_test(f"single-sample ELBO estimates are unbiased for the closed-form ELBO ($k={k}$)", samples,
                  [float(model.elbo(xx, q_mean, q_cov))]),
        mean_bound_test(f"the naive $\\log p(x)$ estimate with $K=100$ is more than 1 nat low ($k={k}$)", naive_err,
                        -1.0, below=True),
    ]


def elbo_bound_checks(model: nv.LinearGaussian, xx: np.ndarray, *, rng, size: int = 20_000) -> list[CheckResult]:
    """ELBO <= log p(x) for drawn Gaussian q, = at the posterior, and the gap is the KL (closed form
    and Monte Carlo)."""
    g = np.random.default_rng(rng)
    k = model.k
    lp = float(model.log_marginal(xx))
    pm, pc = model.posterior(xx)
    gaps, kls = [], []
    for _ in range(20):
        a = g.standard_normal((k, k))
        q_mean, q_cov = pm + g.standard_normal(k), a @ a.T / k + 0.1 * np.eye(k)
        gaps.append(lp - float(model.elbo(xx, q_mean, q_cov)))
        kls.append(float(model.kl_to_posterior(xx, q_mean, q_cov)))
    zq = q_mean + g.standard_normal((size, k)) @ np.linalg.cholesky(q_cov).T
    log_ratio = nv.gaussian_logpdf(zq, q_mean, q_cov) - model.log_posterior(zq, xx)
    # a non-Gaussian q: equal mixture of two posterior-shaped bumps at mu +- delta
    delta = 1.5 * np.sqrt(np.diag(pc))
    signs = np.where(g.uniform(size=(size, 1)) < 0.5, 1.0, -1.0)
    zm = pm + signs * delta + g.standard_normal((size, k)) @ np.linalg.cholesky(pc).T
    log_qm = np.logaddexp(nv.gaussian_logpdf(zm, pm + delta, pc), nv.gaussian_logpdf(zm, pm - delta, pc)) - math.log(2)
    elbo_terms = model.log_joint(xx, zm) - log_qm
    kl_terms = log_qm - model.log_posterior(zm, xx)
    return [
        predicate(r"$\mathrm{ELBO}<\log p(x)$ for 20 drawn Gaussian $q$", min(gaps) > 0, smallest_gap=min(gaps)),
        close_test(r"$\log p(x)-\mathrm{ELBO}=\mathrm{KL}(q\,\Vert\,p(z\mid x))$ (closed forms)", gaps, kls,
                   rtol=1e-9, atol=1e-9),
        close_test(r"the ELBO at $q=p(z\mid x)$ equals $\log p(x)$", float(model.elbo(xx, pm, pc)), lp,
                   rtol=1e-12, atol=1e-10),
        mean_test(r"$E_q[\log q-\log p(z\mid x)]$ by sampling equals the closed-form KL", log_ratio, [kls[-1]]),
        close_test(r"mixture $q$: the ELBO integrand plus the KL integrand is $\log p(x)$ at every sample",
                   elbo_terms + kl_terms, np.full(size, lp), rtol=1e-9, atol=1e-9),
        mean_bound_test(r"mixture $q$ (not Gaussian): the Monte Carlo ELBO lies below $\log p(x)$", elbo_terms, lp,
                        below=True),
    ]


def elbo_bound_run(rng) -> list[CheckResult]:
    """The checks of 3c.iii on a drawn PPCA model (d in 3..6, k in 1..2) at an x drawn from it."""
    model = sample_model(rng, d_range=(3, 7))
    return elbo_bound_checks(model, model.sample(1, rng=rng)[0], rng=rng)


def em_reaches_mle_check(*, rng, size: int = 2000, d: int = 5, k: int = 2, steps: int = 2000) -> list[CheckResult]:
    """Coordinate ascent on the ELBO (E-step: q = posterior, M-step: theta) reaches the PPCA MLE."""
    g = np.random.default_rng(rng)
    W = np.linalg.qr(g.standard_normal((d, k)))[0] * np.array([3.0, 2.0])[:k]
    truth = nv.LinearGaussian(W, g.standard_normal(d), 0.3)
    data = truth.sample(size, rng=g)
    model = nv.LinearGaussian.random(d, k, rng=g)
    for _ in range(steps):  # EM converges linearly; stop when the parameters stop moving
        new = nv.ppca_em_step(model, data)
        change = max(np.abs(new.W @ new.W.T - model.W @ model.W.T).max(), abs(new.noise_var - model.noise_var))
        model = new
        if change < 1e-12:
            break
    mle = nv.ppca_mle(data, k)
    pm, pc = model.posterior(data)
    return [
        close_test(r"maximising the ELBO (EM) reaches the maximum-likelihood $\log p(x)$ of probabilistic PCA",
                   model.log_marginal(data).sum(), mle.log_marginal(data).sum(), rtol=1e-8, atol=1e-8),
        close_test(r"\dots and the same model: $WW^\top$ and $s^2$ match the closed-form MLE",
                   np.r_[(model.W @ model.W.T).ravel(), model.noise_var],
                   np.r_[(mle.W @ mle.W.T).ravel(), mle.noise_var], rtol=1e-7, atol=1e-9),
        close_test(r"at the optimum $q$ is the posterior: $\mathrm{ELBO}=\log p(x)$ ($\mathrm{KL}=0$)",
                   model.elbo(data, pm, pc).sum(), model.log_marginal(data).sum(), rtol=1e-12, atol=1e-8),
    ]


# --------------------------------------------------------------------------- 3d


def make_vae(kind: str, d: int, k: int, hidden: int, sigma_x: float, sigma_q_: float) -> nv.NeuralVAE:
    """A small VAE: ``kind`` "tanh" (one hidden layer) or "linear" (affine maps)."""
    if kind == "tanh":
        return nv.NeuralVAE(nv.TanhMLP(k, hidden, d), nv.TanhMLP(d, hidden, k), sigma_x, sigma_q_)
    if kind == "linear":
        return nv.NeuralVAE(nv.Affine(k, d), nv.Affine(d, k), sigma_x, sigma_q_)
    raise ValueError(f"kind must be 'tanh' or 'linear', got {kind!r}")


def sample_vae_setup(kind: str, rng, *, d: int = 2, k: int = 1, hidden: int = 3):
    """A VAE of ``kind`` with a drawn standard deviation sigma, shared by the decoder and the encoder as
    in the homework, drawn network parameters, and a drawn x."""
    g = np.random.default_rng(rng)
    sigma = float(g.uniform(0.5, 0.8))
    vae = make_vae(kind, d, k, hidden, sigma, sigma)
    th = vae.decoder.init(rng=g, scale=0.8)
    ph = vae.encoder.init(rng=g, scale=0.8)
    return vae, th, ph, g.standard_normal(d)


GRADIENTS = {
    "theta": lambda vae: vae.grad_theta_samples,
    "phi": lambda vae: vae.grad_phi_reparam_samples,
    "phi-score": lambda vae: vae.grad_phi_score_samples,
}
#: How the check names write each gradient estimator.
GRADIENT_TEX = {"theta": r"the $\theta$", "phi": r"the $\phi$", "phi-score": r"the score-function $\phi$"}


def crn_finite_difference_check(vae, th, ph, xx, eps, which: str, estimator=None) -> CheckResult:
    """The averaged gradient estimate is the exact gradient of the common-random-numbers ELBO estimate."""
    est = estimator or GRADIENTS[which](vae)
    grad = est(th, ph, xx, eps).mean(axis=0)
    if which == "theta":
        fd = nv.central_differences(lambda p: vae.elbo_estimate(p, ph, xx, eps), th)
    else:
        fd = nv.central_differences(lambda p: vae.elbo_estimate(th, p, xx, eps), ph)
    scale = 1.0 + float(np.max(np.abs(fd)))
    return close_test(f"{GRADIENT_TEX[which]} gradient estimate equals finite differences of the "
                      f"common-random-numbers ELBO estimate ({len(eps)} draws)",
                      grad, fd, rtol=1e-6, atol=1e-6 * scale)


def exact_gradient(vae, th, ph, xx, which: str, n_nodes: int = 40) -> np.ndarray:
    """The true gradient: closed form for affine networks, Gauss-Hermite quadrature otherwise (k <= 2)."""
    if isinstance(vae.decoder, nv.Affine) and isinstance(vae.encoder, nv.Affine):
        g_theta, g_phi = nv.linear_vae_elbo_gradient(vae, th, ph, xx)
        return g_theta if which == "theta" else g_phi
    return nv.gauss_hermite_expectation(lambda e: GRADIENTS[which](vae)(th, ph, xx, e), vae.k, n_nodes)


#: Estimators whose mean test averages antithetic pairs: REINFORCE's f(z) eps / sigma_q J_phi has a
#: large even part of f (its level, chiefly log p(x|z)) times the odd eps; the pair (eps, -eps)
#: cancels it, and since -eps has the law of eps the pair mean is the estimator's mean.
ANTITHETIC = frozenset({"phi-score"})


def gradient_mean_check(vae, th, ph, xx, size: int, which: str, *, rng, estimator=None,
                        antithetic: bool | None = None) -> CheckResult:
    """The mean of single-sample gradient estimates equals the exact gradient (z-tests, Bonferroni).

    ``size`` estimates are drawn; with ``antithetic`` (default: ``which`` in :data:`ANTITHETIC`) they
    come in pairs at :math:`\\pm\\varepsilon` and the test sees the size/2 pair averages
    :math:`\\tfrac12(\\hat g(\\varepsilon) + \\hat g(-\\varepsilon))`: i.i.d., with the estimator's mean.
    """
    est = estimator or GRADIENTS[which](vae)
    antithetic = which in ANTITHETIC if antithetic is None else antithetic
    g = np.random.default_rng(rng)
    if antithetic:
        eps = g.standard_normal((size // 2, vae.k))
        values = 0.5 * (est(th, ph, xx, eps) + est(th, ph, xx, -eps))
    else:
        values = est(th, ph, xx, g.standard_normal((size, vae.k)))
    kind = "in closed form" if isinstance(vae.decoder, nv.Affine) else "by Gauss--Hermite quadrature"
    pairs = f", {len(values)} antithetic pairs" if antithetic else ""
    return mean_test(f"{GRADIENT_TEX[which]} gradient estimator is unbiased (the exact gradient {kind}{pairs})",
                     values, exact_gradient(vae, th, ph, xx, which))


def score_variance_check(vae, th, ph, xx, size: int, *, rng) -> CheckResult:
    """REINFORCE has a larger total variance than the reparameterised estimator (one-sided z-test)."""
    g = np.random.default_rng(rng)
    exact = exact_gradient(vae, th, ph, xx, "phi")
    e1, e2 = g.standard_normal((size, vae.k)), g.standard_normal((size, vae.k))
    sq_score = np.sum((vae.grad_phi_score_samples(th, ph, xx, e1) - exact) ** 2, axis=1)
    sq_reparam = np.sum((vae.grad_phi_reparam_samples(th, ph, xx, e2) - exact) ** 2, axis=1)
    r = mean_bound_test("the total variance of the score-function (REINFORCE) estimator exceeds the "
                        "reparameterised one's", sq_score - sq_reparam, 0.0, below=False)
    r.evidence["variance_ratio"] = float(sq_score.mean() / sq_reparam.mean())
    return r


def gradient_checks(which: str, *, rng) -> list[CheckResult]:
    """For tanh and affine VAEs with drawn parameters: the ``which`` ("theta" or "phi") gradient
    estimate against CRN finite differences and the exact gradient; for phi also REINFORCE."""
    g = np.random.default_rng(rng)
    out = []
    for kind in ("tanh", "linear"):
        vae, th, ph, xx = sample_vae_setup(kind, g)
        out.append(crn_finite_difference_check(vae, th, ph, xx, g.standard_normal((32, vae.k)), which))
        out.append(gradient_mean_check(vae, th, ph, xx, 20_000, which, rng=g))
        if which == "phi":  # REINFORCE is noisy but cheap: 10x the draws, in antithetic pairs
            out.append(gradient_mean_check(vae, th, ph, xx, 200_000, "phi-score", rng=g))
            out.append(score_variance_check(vae, th, ph, xx, 20_000, rng=g))
    return out
