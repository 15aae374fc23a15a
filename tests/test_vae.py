"""Question 3 (latent-variable models, VAE): closed forms, estimators, gradients, and the checks.

Hypothesis draws model parameters and an integer seed and calls the same check functions that
``derive check`` runs; planted errors (wrong options, wrong estimators, wrong closed forms) must be
rejected by them.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from derivations import theorems
from derivations.chain import Step, derive
from derivations.symbolic import KL, Expect
from derivations.vae import elbo_chains as echains
from derivations.vae import elbo_checks as ec
from derivations.vae import latent_chains as lchains
from derivations.vae import latent_checks as lc
from derivations.vae import symbols as vs
from derivations.vae.hints import canonical_sums, expectations, gaussian_moments, normalised, sift
from derivations.status import Status
from derivations.homeworks import registry

registration = registry().registration
from derivations.runner import run_part
from numerics import vae as nv
from numerics.stattests import ks_rejects, ks_test, mean_bound_test

seeds = st.integers(0, 2**32 - 1)
unit = st.floats(0.0, 1.0)
SLOW = settings(max_examples=5)
SLOWEST = settings(max_examples=3)
MEDIUM = settings(max_examples=10)


# --------------------------------------------------------------------------- numerics: closed forms


@given(st.integers(1, 6), st.integers(1, 3), seeds)
def test_elbo_plus_kl_equals_log_marginal_for_any_gaussian_q(d, k, seed):
    rng = np.random.default_rng(seed)
    model = nv.LinearGaussian.random(d, k, rng=rng, noise_var=float(rng.uniform(0.1, 2.0)))
    x = model.sample(3, rng=rng)
    a = rng.standard_normal((k, k))
    q_mean, q_cov = rng.standard_normal((3, k)), a @ a.T + 0.1 * np.eye(k)
    lp = model.log_marginal(x)
    np.testing.assert_allclose(model.elbo(x, q_mean, q_cov) + model.kl_to_posterior(x, q_mean, q_cov), lp,
                               rtol=1e-10, atol=1e-10)
    mean, cov = model.posterior(x)
    np.testing.assert_allclose(model.elbo(x, mean, cov), lp, rtol=1e-10, atol=1e-10)
    assert np.all(model.elbo(x, q_mean, q_cov) < lp)


@given(st.integers(1, 5), st.integers(1, 3), seeds)
def test_log_marginal_matches_scipy_multivariate_normal(d, k, seed):
    rng = np.random.default_rng(seed)
    model = nv.LinearGaussian.random(d, k, rng=rng)
    x = model.sample(4, rng=rng)
    ref = stats.multivariate_normal(model.b, model.W @ model.W.T + model.noise_var * np.eye(d)).logpdf(x)
    np.testing.assert_allclose(model.log_marginal(x), np.atleast_1d(ref), rtol=1e-10)
    assert np.isclose(model.log_marginal(x[0]), np.atleast_1d(ref)[0])


@pytest.mark.parametrize("power", [1, 2, 3, 4])
@given(st.integers(1, 4), st.integers(1, 3), seeds)
def test_prior_weight_moments_match_the_powered_gaussian_formula(power, d, k, seed):
    # N(x; mu, s^2 I)^m = (2 pi s^2)^(-d(m-1)/2) m^(-d/2) N(x; mu, s^2/m I), so
    # E_prior[p(x|z)^m] = (2 pi s^2)^(-d(m-1)/2) m^(-d/2) N(x; b, W W^T + s^2/m I).
    rng = np.random.default_rng(seed)
    model = nv.LinearGaussian.random(d, k, rng=rng, noise_var=float(rng.uniform(0.2, 2.0)))
    x = model.sample(3, rng=rng)
    s2, m = model.noise_var, power
    direct = (-0.5 * d * (m - 1) * math.log(2 * math.pi * s2) - 0.5 * d * math.log(m)
              + stats.multivariate_normal(model.b, model.W @ model.W.T + s2 / m * np.eye(d)).logpdf(x)
              - m * model.log_marginal(x))
    np.testing.assert_allclose(model.log_weight_moment(x, power, "prior"), np.atleast_1d(direct), rtol=1e-9, atol=1e-9)
    if power == 2:
        np.testing.assert_array_equal(model.log_weight_second_moment(x, "prior"), model.log_weight_moment(x, 2))


def test_naive_bias_expansion_matches_the_taylor_coefficients_at_a_known_point():
    # prior N(0, 1), posterior N(0, 1/2) (lambda = 1, x = b): w = sqrt(2) exp(-z^2/2), so
    # E w^2 = 2/sqrt(3), E w^3 = 2^(3/2)/2 = sqrt(2); rv = 2/sqrt(3) - 1, mu3 = E w^3 - 3 E w^2 + 2
    model = nv.LinearGaussian(W=np.array([[0.5]]), b=np.zeros(1), noise_var=0.25)
    rv, mu3 = 2 / math.sqrt(3) - 1, math.sqrt(2) - 6 / math.sqrt(3) + 2
    first, second = model.naive_log_bias_expansion(np.zeros(1), 10)
    assert first == pytest.approx(-rv / 20, rel=1e-12)
    assert second == pytest.approx((mu3 / 3 - 0.75 * rv**2) / 100, rel=1e-12)
    with pytest.raises(ValueError, match="positive integer"):
        nv.log_weight_moment([0.0], 1.0, [0.0], 1.0, 0)


@given(st.integers(1, 6), seeds)
def test_structured_model_second_moment_factorises_over_latent_coordinates(k, seed):
    rng = np.random.default_rng(seed)
    model = nv.LinearGaussian.structured(k, **lc.STRUCT)
    x = model.sample(5, rng=rng)
    mean, _ = model.posterior(x)
    lam = lc.LAMBDA
    formula = k * 0.5 * math.log((1 + lam) ** 2 / (1 + 2 * lam)) + (1 + lam) / (1 + 2 * lam) * np.sum(mean**2, axis=1)
    np.testing.assert_allclose(model.log_weight_second_moment(x, "prior"), formula, rtol=1e-10)


def test_posterior_proposal_has_zero_relative_variance_and_light_proposals_infinite():
    model = nv.LinearGaussian.structured(3, **lc.STRUCT)
    x = model.sample(2, rng=0)
    np.testing.assert_allclose(model.relative_variance(x, "posterior"), 0.0, atol=1e-10)
    narrow = (model.posterior(x)[0], 0.4 * model.posterior_cov())
    assert np.all(np.isinf(model.relative_variance(x, narrow)))


@given(seeds)
@SLOW
def test_em_steps_never_decrease_the_likelihood(seed):
    rng = np.random.default_rng(seed)
    truth = nv.LinearGaussian.random(4, 2, rng=rng, noise_var=0.3)
    data = truth.sample(300, rng=rng)
    model = nv.LinearGaussian.random(4, 2, rng=rng)
    values = []
    for _ in range(20):
        model = nv.ppca_em_step(model, data)
        values.append(model.log_marginal(data).sum())
    assert np.all(np.diff(values) >= -1e-8 * abs(values[0]))


@pytest.mark.parametrize("net", [nv.TanhMLP(3, 4, 2), nv.Affine(3, 2)], ids=["tanh", "affine"])
@given(seeds)
def test_network_backpropagation_matches_finite_differences(net, seed):
    rng = np.random.default_rng(seed)
    params = net.init(rng=rng, scale=0.8)
    u, v = rng.standard_normal((1, net.n_in)), rng.standard_normal((1, net.n_out))
    by_params = nv.central_differences(lambda p: float(net.forward(p, u)[0] @ v[0]), params)
    by_input = nv.central_differences(lambda uu: float(net.forward(params, uu[None])[0] @ v[0]), u[0])
    np.testing.assert_allclose(net.vjp_params(params, u, v)[0], by_params, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(net.vjp_input(params, u, v)[0], by_input, rtol=1e-6, atol=1e-8)


def test_effective_sample_size_is_between_one_and_the_sample_count():
    lw = np.random.default_rng(0).standard_normal((4, 50)) * 3
    ess = nv.effective_sample_size(lw)
    assert np.all((ess >= 1) & (ess <= 50))


@pytest.mark.parametrize("call, error", [
    (lambda: nv.LinearGaussian(np.ones((2, 1)), np.zeros(2), -1.0), "noise_var"),
    (lambda: nv.LinearGaussian(np.ones((2, 1)), np.zeros(3), 1.0), "W must be"),
    (lambda: nv.as_covariance(-1.0, 2), "positive"),
    (lambda: nv.as_covariance(np.ones(3), 2), "diagonal"),
    (lambda: nv.as_covariance(np.ones((3, 3)), 2), "covariance must be"),
    (lambda: nv.LinearGaussian.structured(2).log_marginal(np.zeros(3)), "dimension 4"),
    (lambda: nv.LinearGaussian.structured(2).log_weights(np.zeros(4), 0, rng=0), "K must be"),
    (lambda: nv.LinearGaussian.structured(2).log_weights(np.zeros(4), 5, rng=0, proposal="bad"), "proposal"),
    (lambda: nv.LinearGaussian.isotropic(2, 3, 1.0, rng=0), "0 < k <= d"),
    (lambda: nv.ppca_mle(np.zeros((10, 3)), 3), "0 < k < d"),
    (lambda: nv.TanhMLP(2, 3, 1).forward(np.zeros(5), np.zeros((1, 2))), "parameters"),
    (lambda: nv.Affine(2, 1).forward(np.zeros(5), np.zeros((1, 2))), "parameters"),
    (lambda: lc.make_distribution("poisson", 0.5, 0.5), "unknown family"),
    (lambda: ec.make_vae("conv", 2, 1, 3, 1.0, 1.0), "kind"),
    (lambda: lc.decoder_samples("4", "uniform", stats.norm(), 10, rng=0), "unknown option"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_invalid_inputs_are_rejected_with_a_message(call, error):
    with pytest.raises(ValueError, match=error):
        call()


# --------------------------------------------------------------------------- 3a, 3b.i - 3b.iii


@given(st.floats(1.5, 3.0), st.floats(2.0, 5.0), st.floats(0.15, 0.4), seeds)
@SLOW
def test_latent_model_marginal_is_bimodal_and_matches_ancestral_samples(a, c, s, seed):
    assert all(r.passed for r in lc.latent_marginal_checks(a, c, s, 20_000, rng=seed))


@given(st.sampled_from(lc.PIT_FAMILIES), unit, unit, seeds)
def test_probability_integral_transform_gives_uniform_values(family, a, b, seed):
    assert lc.pit_check(lc.make_distribution(family, a, b), 20_000, rng=seed).passed


@pytest.mark.parametrize("dist, claimed", [
    (stats.poisson(3.0), stats.poisson(3.0)),  # discrete: F(x) is not uniform
    (stats.norm(0.0, 1.0), stats.norm(0.15, 1.0)),  # the wrong F
])
def test_probability_integral_transform_check_rejects_planted_errors(dist, claimed):
    xs = dist.rvs(size=20_000, random_state=np.random.default_rng(1))
    assert not ks_test("planted", claimed.cdf(xs), "uniform").passed


@given(st.sampled_from(lc.FAMILIES), unit, unit, seeds)
@MEDIUM
def test_uniform_latent_options_one_and_two_reproduce_f_and_three_does_not(family, a, b, seed):
    results = lc.uniform_latent_option_checks(lc.make_distribution(family, a, b), 20_000, rng=seed)
    assert all(r.passed for r in results), [r.name for r in results if not r.passed]


@given(st.sampled_from(lc.FAMILIES), unit, unit, seeds)
@MEDIUM
def test_normal_latent_only_option_two_read_with_the_cdf_reproduces_f(family, a, b, seed):
    results = lc.normal_latent_option_checks(lc.make_distribution(family, a, b), 20_000, rng=seed)
    assert all(r.passed for r in results), [r.name for r in results if not r.passed]


@pytest.mark.parametrize("option, latent", [("1", "uniform"), ("2", "uniform"), ("2", "normal")])
def test_claiming_a_correct_option_wrong_is_caught(option, latent):
    dist = stats.gamma(3.0)
    xs = lc.decoder_samples(option, latent, dist, 20_000, rng=3)
    assert not ks_rejects("planted: a correct option declared wrong", xs, dist.cdf).passed


@given(unit, unit, seeds)
@MEDIUM
def test_option_three_has_variance_at_least_one_and_mean_in_the_unit_interval(a, b, seed):
    # the chain's claim, sampled: Var x = 1 + Var F(z) >= 1 and E x = E F(z) in [0, 1], for both latents
    dist = lc.make_distribution("beta", a, b)
    for latent in ("uniform", "normal"):
        xs = lc.decoder_samples("3", latent, dist, 200_000, rng=seed)
        assert xs.var() > 0.98 and -0.02 < xs.mean() < 1.02


def test_option_three_reproduces_no_narrow_target():
    # a target with variance below 1 (support shorter than 2) is never reproduced by option 3
    narrow = stats.uniform(0.0, 1.5)
    for latent in ("uniform", "normal"):
        xs = lc.decoder_samples("3", latent, narrow, 20_000, rng=5)
        assert not ks_test("planted: option 3 against a narrow F", xs, narrow.cdf).passed


# --------------------------------------------------------------------------- 3b.iv - 3b.vii


class _WrongMarginal(nv.LinearGaussian):
    """A planted error: the marginal covariance counts the noise s^2 I only half."""

    def log_marginal(self, x):
        cov = self.W @ self.W.T + 0.5 * self.noise_var * np.eye(self.d)
        return np.atleast_1d(stats.multivariate_normal(self.b, cov).logpdf(np.atleast_2d(x)))


@given(st.integers(2, 4), seeds)
@SLOW
def test_loss_by_quadrature_equals_closed_form_and_rejects_a_wrong_closed_form(d, seed):
    rng = np.random.default_rng(seed)
    model = nv.LinearGaussian.random(d, 1, rng=rng, noise_var=float(rng.uniform(0.3, 1.0)))
    data = model.sample(10, rng=rng)
    assert lc.loss_quadrature_check(model, data).passed
    wrong = _WrongMarginal(model.W, model.b, model.noise_var)
    assert not lc.loss_quadrature_check(wrong, data).passed


@given(st.integers(1, 3), seeds)
@MEDIUM
def test_prior_mass_of_the_good_region_matches_the_chi_square_formula(k, seed):
    assert all(r.passed for r in lc.good_region_check(k, 20_000, rng=seed))


def test_good_region_prior_mass_falls_exponentially_while_posterior_mass_stays():
    rows = lc.good_region_table()
    prior = np.array([r[3] for r in rows])
    post = np.array([r[4] for r in rows])
    assert np.all(np.diff(np.log(prior)) < 0) and prior[-1] < 1e-30
    assert np.all(post > 0.5)


@given(st.floats(2.0, 8.0), seeds)
@SLOWEST
def test_naive_estimator_is_unbiased_for_p_and_biased_low_for_log_p(lam, seed):
    rng = np.random.default_rng(seed)
    model, x = lc.sample_naive_setup(rng, lam)
    assert model.relative_variance(x, "prior") <= lc.NAIVE_MAX_RV
    results = lc.naive_estimator_checks(model, x, rng=rng)
    assert all(r.passed for r in results), [r.name for r in results if not r.passed]


def test_naive_estimator_checks_reject_a_sum_instead_of_a_mean():
    model = nv.LinearGaussian.isotropic(2, 1, 4.0, rng=0)
    planted = lambda xs, K, rng: model.naive_log_marginal(xs, K, rng=rng) + math.log(K)  # noqa: E731
    results = lc.naive_estimator_checks(model, model.sample(1, rng=1)[0], rng=2, estimator=planted)
    assert not results[0].passed and not results[3].passed


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_naive_bias_check_rejects_a_bias_off_by_a_quarter(seed):
    # planted: the estimator silently drops a fifth of its K samples. It stays unbiased for p(x),
    # but its log-bias is -rv/(2 * 0.8 K), 25 % larger than claimed: only the bias test sees it.
    # (Without the control variate, 2000 estimates at K = 1000 did not see even a 10-fold error.)
    rng = np.random.default_rng(seed)
    model, x = lc.sample_naive_setup(rng)
    drops = lambda xs, K, rng: model.naive_log_marginal(xs, max(1, int(0.8 * K)), rng=rng)  # noqa: E731
    results = lc.naive_estimator_checks(model, x, rng=rng, estimator=drops)
    assert results[0].passed and not results[3].passed, [(r.name, r.evidence["p_value"]) for r in results]


@given(seeds)
@SLOWEST
def test_prior_sampling_weights_degenerate_as_the_dimension_grows(seed):
    results = lc.relative_variance_checks(rng=seed)
    assert all(r.passed for r in results), [r.name for r in results if not r.passed]


def test_expected_log_second_moment_grows_linearly_at_one_and_a_quarter_nats():
    assert lc.expected_log_second_moment(1) == pytest.approx(1.2512, abs=1e-4)
    assert lc.expected_log_second_moment(32) == pytest.approx(32 * lc.expected_log_second_moment(1))


def test_ess_curves_separate_prior_from_posterior_proposals():
    from derivations.vae.figures import ess_curves

    cur = ess_curves((1, 16), rng=0, points=3, K=200)
    assert cur["posterior_measured"] == pytest.approx([200.0] * 2)
    assert cur["prior_exact"][-1] < 1e-5 < cur["inflated_exact"][-1]
    assert cur["prior_measured"][-1] < 5


def test_mean_bound_test_passes_only_when_the_bound_is_excluded():
    values = np.random.default_rng(0).normal(-1.0, 1.0, 10_000)
    assert mean_bound_test("below", values, 0.0, below=True).passed
    assert not mean_bound_test("not below", values, -1.0, below=True).passed
    assert not mean_bound_test("not above", values, 0.0, below=False).passed


# --------------------------------------------------------------------------- 3c


class _PriorAsPosterior(nv.LinearGaussian):
    """A planted error: the prior used in place of the posterior."""

    def log_posterior(self, z, x):
        return self.log_prior(z)


@given(st.integers(2, 6), st.integers(1, 2), seeds)
def test_log_joint_minus_log_posterior_is_log_marginal_at_every_z(d, k, seed):
    rng = np.random.default_rng(seed)
    model = nv.LinearGaussian.random(d, k, rng=rng)
    x, z = model.sample(1, rng=rng)[0], 3 * rng.standard_normal((50, k))
    assert ec.bayes_identity_check(model, x, z).passed
    assert not ec.bayes_identity_check(_PriorAsPosterior(model.W, model.b, model.noise_var), x, z).passed


@given(st.integers(3, 6), st.integers(1, 2), seeds)
@MEDIUM
def test_elbo_is_a_lower_bound_tight_at_the_posterior(d, k, seed):
    rng = np.random.default_rng(seed)
    model = nv.LinearGaussian.random(d, k, rng=rng)
    assert all(r.passed for r in ec.elbo_bound_checks(model, model.sample(1, rng=rng)[0], rng=rng))


@given(seeds)
@SLOW
def test_elbo_estimates_are_unbiased_where_naive_log_likelihood_is_not(seed):
    assert all(r.passed for r in ec.elbo_cheap_checks(16, rng=seed))


@given(seeds)
@SLOW
def test_maximising_the_elbo_by_em_reaches_the_ppca_maximum_likelihood(seed):
    results = ec.em_reaches_mle_check(rng=seed)
    assert all(r.passed for r in results), [(r.name, r.evidence) for r in results if not r.passed]


def test_wrong_elbo_identities_are_rejected_by_the_chain_checker():
    bayes = theorems.bayes(vs.p_post, vs.p_joint, vs.p_theta)
    kl = KL(vs.Q, vs.POSTERIOR, vs.z)
    plus_kl = derive("ELBO = log p + KL (wrong sign)", vs.ELBO,
                     Step(sp.log(vs.p_theta(vs.x)) + kl, "planted", cite=bayes, simplify=expectations(vs.q_cond)))
    assert plus_kl.verify(max_examples=5).verdict is not Status.PROVED
    no_entropy = derive("ELBO without the entropy of q", Expect(sp.log(vs.p_joint(vs.x, vs.z)), vs.z, vs.Q),
                        Step(sp.log(vs.p_theta(vs.x)) - kl, "planted", cite=bayes,
                             simplify=expectations(vs.q_cond)))
    assert no_entropy.verify(max_examples=5).verdict is not Status.PROVED
    wrong_bound = derive("log p <= ELBO (wrong direction)", sp.log(vs.p_theta(vs.x)) - kl,
                         Step(sp.log(vs.p_theta(vs.x)), "planted", relation=">=", cite=theorems.gibbs()))
    assert wrong_bound.verify(max_examples=5).verdict is not Status.PROVED


def test_the_elbo_chains_are_general_and_cite_bayes_and_gibbs():
    bound, tight = echains.bound_chains()
    results = [c.verify() for c in (echains.bayes_chain(), echains.decomposition_chain(), bound, tight,
                                     echains.likelihood_minus_kl_chain())]
    assert all(r.verdict is Status.PROVED and r.chain.general for r in results)
    assert {t for r in results for t in r.theorems} == {"bayes", "gibbs"}
    assert all(s.method.startswith("symbolic") or s.theorem for r in results for s in r.steps)


def test_normalisation_and_point_mass_hints_hold_only_for_their_hypotheses():
    z, c = vs.z, sp.Symbol("c", positive=True)
    assert normalised(vs.q_cond)(sp.Integral(c * vs.q_cond(z, vs.x), (z, -sp.oo, sp.oo)) - c) == 0
    assert normalised(vs.q_cond)(sp.Integral(c * vs.p_z(z), (z, -sp.oo, sp.oo)) - c) != 0  # p is not declared
    g = sp.Function("g")
    point = vs.Zs[vs.j]
    assert sift(sp.Integral(g(z) * sp.DiracDelta(z - point), (z, -sp.oo, sp.oo)) - g(point)) == 0
    assert sift(sp.Integral(g(z) * sp.DiracDelta(z - point), (z, -sp.oo, sp.oo)) - g(z)) != 0


@given(st.floats(-3, 3), st.floats(0.1, 3), st.integers(0, 4))
@MEDIUM
def test_gaussian_moments_hint_matches_quadrature(mean, var, power):
    from derivations.symbolic import GaussianDensity
    x = vs.x
    assert isinstance(gaussian_moments(Expect(x**power, x, vs.p_z(x))), Expect)  # not a Gaussian: left alone
    exact = gaussian_moments(Expect(x**power, x, GaussianDensity(x, sp.Float(mean), sp.Float(var))))
    density = stats.norm(mean, math.sqrt(var)).pdf
    quad = integrate.quad(lambda t: t**power * density(t), mean - 40, mean + 40, points=[mean])[0]
    assert float(exact) == pytest.approx(quad, rel=1e-7, abs=1e-9)


# --------------------------------------------------------------------------- 3d


@pytest.mark.parametrize("kind", ["tanh", "linear"])
@pytest.mark.parametrize("which", ["theta", "phi"])
@given(seeds)
def test_gradient_estimates_are_exact_gradients_of_the_crn_elbo(kind, which, seed):
    rng = np.random.default_rng(seed)
    vae, th, ph, x = ec.sample_vae_setup(kind, rng)
    assert ec.crn_finite_difference_check(vae, th, ph, x, rng.standard_normal((16, vae.k)), which).passed


@pytest.mark.parametrize("kind", ["tanh", "linear"])
@pytest.mark.parametrize("which", ["theta", "phi", "phi-score"])
@given(seeds)
@MEDIUM
def test_gradient_estimators_are_unbiased_for_the_exact_gradient(kind, which, seed):
    rng = np.random.default_rng(seed)
    vae, th, ph, x = ec.sample_vae_setup(kind, rng)
    assert ec.gradient_mean_check(vae, th, ph, x, 20_000, which, rng=rng).passed


@pytest.mark.parametrize("kind", ["tanh", "linear"])
@given(seeds)
@MEDIUM
def test_score_function_estimator_has_larger_variance_than_reparameterised(kind, seed):
    rng = np.random.default_rng(seed)
    vae, th, ph, x = ec.sample_vae_setup(kind, rng)
    assert ec.score_variance_check(vae, th, ph, x, 20_000, rng=rng).passed


@pytest.mark.parametrize("kind", ["tanh", "linear"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_antithetic_score_function_test_rejects_a_gradient_off_by_a_quarter(kind, seed):
    # planted: REINFORCE scaled by 1.25, i.e. its mean 25 % off the exact gradient (as with a
    # wrong 1/sigma_q factor); the plain 20 000-draw test of 3d.ii needed a 130 % error
    rng = np.random.default_rng(seed)
    vae, th, ph, x = ec.sample_vae_setup(kind, rng)
    off = lambda th_, ph_, x_, eps: 1.25 * vae.grad_phi_score_samples(th_, ph_, x_, eps)  # noqa: E731
    right = ec.gradient_mean_check(vae, th, ph, x, 200_000, "phi-score", rng=seed)
    wrong = ec.gradient_mean_check(vae, th, ph, x, 200_000, "phi-score", rng=seed, estimator=off)
    assert right.passed and not wrong.passed, (right.evidence["max_abs_z"], wrong.evidence["max_abs_z"])
    assert "antithetic" in right.name


def _forgets_prior_term(vae):
    """Planted error: the encoder gradient without the prior's -z term."""
    def est(th, ph, x, eps):
        z = vae.latent(ph, x, eps)
        resid = (x - vae.decoder.forward(th, z)) / vae.sigma_x**2
        gz = vae.decoder.vjp_input(th, z, resid)
        return vae.encoder.vjp_params(ph, np.broadcast_to(x, (len(z), vae.d)), gz)
    return est


def _forgets_noise_scale(vae):
    """Planted error: the decoder gradient without 1/sigma^2."""
    return lambda th, ph, x, eps: vae.grad_theta_samples(th, ph, x, eps) * vae.sigma_x**2


@pytest.mark.parametrize("kind", ["tanh", "linear"])
def test_planted_gradient_errors_are_caught(kind):
    rng = np.random.default_rng(11)
    vae, th, ph, x = ec.sample_vae_setup(kind, rng)
    eps = rng.standard_normal((16, vae.k))
    assert not ec.crn_finite_difference_check(vae, th, ph, x, eps, "phi", _forgets_prior_term(vae)).passed
    assert not ec.crn_finite_difference_check(vae, th, ph, x, eps, "theta", _forgets_noise_scale(vae)).passed
    assert not ec.gradient_mean_check(vae, th, ph, x, 20_000, "phi", rng=rng, estimator=_forgets_prior_term(vae)).passed


def _encoder_lhs():
    return echains.encoder_chains()[1].steps[0].expr  # d/dphi_l of the decoder and prior terms at z = g


@pytest.mark.parametrize("planted", [
    "keeps the entropy term", "forgets the prior term", "sigma for sigma squared", "Jacobian transposed"])
def test_encoder_gradient_step_rejects_planted_errors(planted):
    a, j = vs.a, vs.j
    right = vs.ENCODER_GRADIENT
    encoder_jac = sp.Derivative(vs.NN_phi(a, vs.phi_l, vs.xs), vs.phi_l)
    residual = sp.Sum((vs.xs[j] - vs.NN_theta(j, vs.theta, vs.G)) * vs.NN_theta.jacobian(j, a, vs.theta, vs.G), (j, 1, vs.d))
    wrong = {
        "keeps the entropy term": right + sp.Sum(encoder_jac * vs.eps[a] / vs.sigma, (a, 1, vs.k)),
        "forgets the prior term": sp.Sum(encoder_jac * residual / vs.sigma**2, (a, 1, vs.k)),
        "sigma for sigma squared": sp.Sum(encoder_jac * (residual / vs.sigma - vs.G[a]), (a, 1, vs.k)),
        "Jacobian transposed": sp.Sum(encoder_jac * (sp.Sum((vs.xs[j] - vs.NN_theta(j, vs.theta, vs.G))
                                                          * vs.NN_theta.jacobian(a, j, vs.theta, vs.G), (j, 1, vs.d))
                                                   / vs.sigma**2 - vs.G[a]), (a, 1, vs.k)),
    }[planted]
    lhs = _encoder_lhs().doit()
    assert canonical_sums(lhs - right.doit()) == 0
    assert canonical_sums(lhs - wrong.doit()) != 0


def test_decoder_gradient_chain_rejects_a_missing_noise_variance():
    chain = echains.decoder_gradient_chain()
    wrong = Expect(vs.DECODER_SCORE * vs.sigma**2, vs.z, vs.q_cond(vs.z, vs.xs))
    bad = derive("planted", chain.steps[0].expr, Step(wrong, "forgot 1/sigma^2", simplify=chain.steps[1].simplify))
    assert bad.verify(max_examples=5).verdict is not Status.PROVED


def test_the_gradient_chains_are_vector_chains_in_symbolic_dimensions():
    decoder, (entropy, encoder) = echains.decoder_gradient_chain(), echains.encoder_chains()
    for chain in (decoder, entropy, encoder):
        assert chain.general and chain.verify().verdict is Status.PROVED
    assert decoder.end.has(vs.d) and decoder.end.has(sp.Sum) and encoder.end.has(vs.k) and encoder.end.has(vs.d)
    assert not encoder.end.has(sp.Symbol("sigma_q"))  # the decoder's sigma, as in the homework


# --------------------------------------------------------------------------- registry


QUESTION_3 = ("3a", "3b.i", "3b.ii", "3b.iii", "3b.iv", "3b.v", "3b.vi", "3b.vii", "3c.i", "3c.ii",
              "3c.iii", "3c.iv", "3d.i", "3d.ii")
EXPECTED = {"3a": "explained", "3b.v": "checked", "3b.vii": "checked"}
THEOREMS = {"3b.i": {"monotone"}, "3b.ii": {"monotone"}, "3b.iii": {"monotone"}, "3b.iv": {"total_probability"},
            "3b.vi": {"jensen", "total_probability"}, "3c.i": {"bayes"}, "3c.ii": {"bayes"},
            "3c.iii": {"bayes", "gibbs"}, "3c.iv": {"bayes"}, "3d.i": set(), "3d.ii": set()}


@pytest.mark.parametrize("pid", QUESTION_3)
def test_every_part_of_question_3_reaches_its_claimed_status(pid):
    # the checks themselves run in the Hypothesis tests above; here the chains and links decide the status
    result = run_part(pid, seed=0, with_checks=False)
    assert result.error is None
    assert result.status == EXPECTED.get(pid, "proved"), ([c.chain.title for c in result.chains],
                                                          [link.to_json() for link in result.links])
    answer = result.answer
    assert answer.summary and (answer.checks or pid not in EXPECTED)
    if pid in EXPECTED:
        return
    # proved: every quantity linked to a general proved chain, every step symbolic or a cited theorem
    assert result.links and all(link.verdict is Status.PROVED for link in result.links)
    assert all(c.verdict is Status.PROVED for c in result.chains)
    linked = {link.chain for link in result.links}
    assert all(c.chain.general for c in result.chains if c.chain.title in linked)
    assert all(s.method.startswith("symbolic") or s.theorem for c in result.chains for s in c.steps)
    assert set(result.theorems) == THEOREMS[pid]


def test_instance_chains_are_only_illustrations():
    nll, gaussian = lchains.loss_chains()
    assert nll.general and not gaussian.general and gaussian.scope.startswith("instance: ")


def test_reference_answers_for_verify():
    q = {pid: registration(pid).build().quantities for pid in ("3b.i", "3b.ii", "3b.iii", "3b.iv", "3b.vi",
                                                               "3c.i", "3c.ii", "3c.iii", "3c.iv", "3d.i", "3d.ii")}
    named = {x.name: x.value for x in q["3b.i"]}
    assert named["CDF of F(x)"] == vs.u and (named["distribution of F(x)"].low, named["distribution of F(x)"].high) == (0, 1)
    assert (q["3b.ii"][0].kind, q["3b.ii"][0].value.correct) == ("choice", {1, 2})
    assert (q["3b.iii"][0].kind, q["3b.iii"][0].value.correct) == ("choice", {2})
    assert "CDF of z" in q["3b.ii"][0].description and "CDF of z" in q["3b.iii"][0].description
    assert q["3b.iv"][0].value.has(sp.Indexed) and q["3b.iv"][0].value == vs.LOSS
    assert q["3b.vi"][0].value.has(sp.Sum) and q["3b.vi"][0].value.has(vs.K)
    assert q["3c.iv"][0].value == sp.log(vs.p_theta(vs.x)) - KL(vs.Q, vs.POSTERIOR, vs.z)
    assert q["3c.iii"][0].relation == r"\le" and q["3c.iii"][0].value == sp.log(vs.p_theta(vs.x))
    assert q["3d.i"][0].value.has(vs.d) and q["3d.ii"][0].value.has(vs.k)
    # every quantity names the chain whose last line it is
    for pid, quantities in q.items():
        chains = {c.title: c for c in registration(pid).build().chains}
        for quantity in quantities:
            assert quantity.chain in chains, (pid, quantity.name)
            end = chains[quantity.chain].end
            if quantity.kind == "expression":
                assert end == quantity.value, (pid, quantity.name)


# --------------------------------------------------------------------------- 3d's written forms agree with the proofs


def _one_term_sums(expr):
    """``expr`` with every sum whose range is one term (1..1) done."""
    return expr.replace(lambda s: isinstance(s, sp.Sum) and all(lo == hi for _, lo, hi in s.limits),
                        lambda s: s.doit())


def _as_written(expr):
    """A 3d value at d = k = 1 in the written form's objects: x[1] -> x, epsilon[1] -> epsilon, the
    point z = g (its one coordinate) written out, NN(1, p, z) -> NN(p, z), the Jacobian entry
    dNN_theta(1, 1, p, g) -> d NN_theta(p, z)/dz at z = g, theta_l -> theta, phi_l -> phi."""
    from derivations.symbolic.networks import Coordinate, NetworkBase, NetworkJacobianBase, Point

    networks = {vs.NN_theta: vs.NN_theta_v, vs.NN_phi: vs.NN_phi_v}
    scalars = {vs.xs: vs.x, vs.theta_l: vs.theta_v, vs.phi_l: vs.phi_v}

    def walk(e):
        if e in scalars:
            return scalars[e]
        if isinstance(e, Point):
            assert e.dim == 1, e
            return walk(e.coordinate(1))
        if isinstance(e, Coordinate):
            return walk(e.doit())
        if isinstance(e, NetworkJacobianBase):
            j, a, parameter, point = e.args
            assert (j, a) == (1, 1) and type(e) is vs.NN_theta.jacobian, e
            return sp.Subs(sp.Derivative(vs.NN_theta_v(walk(parameter), vs.z), vs.z), vs.z, walk(point))
        if isinstance(e, NetworkBase):
            j, parameter, point = e.args
            assert j == 1, e
            return networks[type(e)](walk(parameter), walk(point))
        if isinstance(e, sp.Indexed):
            assert e.indices == (1,) and e.base in (vs.xs, vs.eps), e
            return {vs.xs: vs.x, vs.eps: vs.epsilon_v}[e.base]
        if not e.args:
            return e
        return e.func(*[walk(arg) for arg in e.args])

    out = walk(_one_term_sums(expr.subs({vs.d: 1, vs.k: 1})))
    assert not out.has(sp.Indexed, sp.Sum, vs.d, vs.k, vs.theta_l, vs.phi_l), out
    return out


def test_3d_written_forms_are_the_proved_values_at_dimension_one():
    from derivations.zero import decide

    decoder = registration("3d.i").build().quantities[0]
    encoder = registration("3d.ii").build().quantities[0]
    assert decoder.written.value == vs.DECODER_GRADIENT_WRITTEN and encoder.written.value == vs.ENCODER_GRADIENT_WRITTEN
    # 3d.i: the value is E_{q_phi(z | x)}[integrand]; students write the integrand (one z, the estimate)
    value = _as_written(decoder.value)
    assert isinstance(value, Expect) and value.variable == vs.z and value.density == vs.q_cond(vs.z, vs.x), value
    assert decide(value.function - decoder.written.value).proved, value.function
    # 3d.ii: the homework's (and the proof's) one sigma, in the encoder too; an answer may call it sigma_q
    value = _as_written(encoder.value)
    assert decide(value - encoder.written.value).proved, value
    assert encoder.written.defined == {"sigma_q": vs.sigma}
    # and the agreement is not vacuous: the prior's score with the wrong sign, or a separate encoder sigma, is
    # not proved equal
    wrong_sign = encoder.written.value + 2 * sp.Derivative(vs.NN_phi_v(vs.phi_v, vs.x), vs.phi_v) * vs.G_WRITTEN
    assert not decide(value - wrong_sign).proved
    assert not decide(value - encoder.written.value.subs(vs.sigma * vs.epsilon_v, vs.sigma_q * vs.epsilon_v)).proved
