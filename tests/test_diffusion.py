"""Question 8 (DDPM on two points): the numerics, the derived answers, and the checks behind them.

Every check function is called with Hypothesis-drawn parameters and must pass; the same functions
given a planted wrong answer must fail, so each check is shown to be able to fail.
"""

import math
import tracemalloc

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from derivations.chain import Step, derive
from derivations.diffusion import chains as C
from derivations.diffusion import checks as K
from derivations.diffusion import figures as F
from derivations.diffusion import parts as P
from derivations.diffusion import symbols as S
from derivations.hw7 import _TABLE
from derivations.links import link
from derivations.runner import decide_status, part_rng, part_seed
from derivations.status import Status
from derivations.symbolic import UNIT, point_masses, sigmoid
from derivations.symbolic.hints import exp_normal_form
from numerics import diffusion as nd

seeds = st.integers(0, 2**32 - 1)
alpha_bars = st.floats(0.02, 0.98)
schedules = st.lists(st.floats(1e-3, 0.3), min_size=1, max_size=40)


def passed(results):
    results = results if isinstance(results, list) else [results]
    return all(r.passed for r in results)


# --------------------------------------------------------------------------- numerics.diffusion


@given(betas=schedules)
def test_alpha_bars_are_the_cumulative_products_of_one_minus_beta(betas):
    np.testing.assert_allclose(nd.alpha_bars(betas), np.cumprod(1 - np.array(betas)), rtol=1e-12)


def test_forward_process_is_reproducible_leaves_its_input_alone_and_returns_the_path():
    x0 = np.array([[1.0, 0.0], [0.0, 1.0]])
    path = nd.forward_process(x0, [0.1, 0.2, 0.3], rng=7, return_path=True)
    assert path.shape == (4, 2, 2)
    np.testing.assert_array_equal(path[0], x0)
    np.testing.assert_array_equal(path[-1], nd.forward_process(x0, [0.1, 0.2, 0.3], rng=7))
    np.testing.assert_array_equal(x0, np.eye(2))


@given(seed=seeds, betas=schedules, x0=st.tuples(st.floats(-3, 3), st.floats(-3, 3)))
def test_forward_marginal_matches_iterated_process(seed, betas, x0):
    assert passed(K.check_forward_marginal(np.random.default_rng(seed), betas=np.array(betas), x0=np.array(x0)))


@given(seed=seeds, a=alpha_bars, k=st.integers(1, 5), d=st.integers(1, 3))
def test_posterior_x0_is_bayes_rule_and_optimal_epsilon_inverts_the_forward_map(seed, a, k, d):
    rng = np.random.default_rng(seed)
    data, w, x = rng.normal(size=(k, d)), rng.uniform(0.1, 1, size=k), 2 * rng.normal(size=(6, d))
    log_joint = np.log(w / w.sum()) + np.column_stack(
        [stats.multivariate_normal.logpdf(x, math.sqrt(a) * y, (1 - a) * np.eye(d)) for y in data]).reshape(6, k)
    post = nd.posterior_x0(x, a, data, w)
    np.testing.assert_allclose(post, np.exp(log_joint - log_joint.max(1, keepdims=True))
                               / np.exp(log_joint - log_joint.max(1, keepdims=True)).sum(1, keepdims=True), atol=1e-10)
    atoms = (x[:, None, :] - math.sqrt(a) * data[None]) / math.sqrt(1 - a)  # noise reaching x from each point
    np.testing.assert_allclose(nd.optimal_epsilon(x, a, data, w), np.einsum("mk,mkd->md", post, atoms), atol=1e-9)


def _reference_eps(x, a):
    """The two-point closed form in 50-digit arithmetic at the float inputs."""
    with mpmath.workdps(50):
        a, x1, x2 = mpmath.mpf(a), mpmath.mpf(x[0]), mpmath.mpf(x[1])
        s, r = mpmath.sqrt(a), mpmath.sqrt(1 - a)
        p = 1 / (1 + mpmath.exp(-s * (x1 - x2) / (1 - a)))
        return [float((x1 - s * p) / r), float((x2 - s * (1 - p)) / r)]


@given(a=st.sampled_from([1e-12, 1e-9, 1e-6, 0.3, 0.7, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12]),
       label=st.integers(0, 1), eps=st.tuples(st.floats(-4, 4), st.floats(-4, 4)))
def test_optimal_epsilon_is_accurate_at_extreme_alpha_bar(a, label, eps):
    x = math.sqrt(a) * np.eye(2)[label] + math.sqrt(1 - a) * np.array(eps)  # a point the process produces
    got = nd.optimal_epsilon(x, a, K.TWO_POINTS)[0]
    np.testing.assert_allclose(got, _reference_eps(x, a), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("a", [1e-12, 0.5, 1 - 1e-12])
def test_optimal_epsilon_is_finite_far_from_the_data(a):
    x = np.array([[1e6, -1e6], [-1e8, 3.0], [0.0, 0.0]])
    for out in (nd.optimal_epsilon(x, a, K.TWO_POINTS), nd.posterior_x0(x, a, K.TWO_POINTS)):
        assert np.all(np.isfinite(out))
    np.testing.assert_allclose(nd.posterior_x0(x, a, K.TWO_POINTS).sum(1), 1.0)


def test_optimal_epsilon_for_20k_points_against_20k_data_points_in_8d_stays_small():
    rng = np.random.default_rng(0)
    x, data = rng.normal(size=(20_000, 8)), rng.normal(size=(20_000, 8))
    tracemalloc.start()
    try:
        out = nd.optimal_epsilon(x, 0.3, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.shape == (20_000, 8) and np.all(np.isfinite(out))
    assert peak < 256 * 2**20, f"peak {peak / 2**20:.0f} MiB"


X, DATA = np.zeros((3, 2)), np.eye(2)


@pytest.mark.parametrize("call, message", [
    (lambda: nd.alpha_bars([]), "non-empty"),
    (lambda: nd.alpha_bars([[0.1, 0.2]]), "1-D"),
    (lambda: nd.alpha_bars([0.1, 1.0]), r"\(0, 1\)"),
    (lambda: nd.alpha_bars([0.1, float("nan")]), r"\(0, 1\)"),
    (lambda: nd.forward_process(np.zeros((2, 2, 2)), [0.1], rng=0), "x0"),
    (lambda: nd.forward_process([[np.inf, 0.0]], [0.1], rng=0), "x0"),
    (lambda: nd.linear_schedule(0), "T must"),
    (lambda: nd.optimal_epsilon(X, 0.0, DATA), "alpha_bar"),
    (lambda: nd.optimal_epsilon(X, 1.0, DATA), "alpha_bar"),
    (lambda: nd.optimal_epsilon(X, float("nan"), DATA), "alpha_bar"),
    (lambda: nd.optimal_epsilon(X, [0.5, 0.5], DATA), "scalar"),
    (lambda: nd.posterior_x0(np.zeros((3, 3)), 0.5, DATA), "dimension"),
    (lambda: nd.posterior_x0(X, 0.5, DATA, weights=[1.0, -1.0]), "weights"),
    (lambda: nd.posterior_x0(np.zeros((2, 2, 2)), 0.5, DATA), "shape"),
    (lambda: nd.sample_joint(0, 0.5, DATA, rng=0), "n must"),
])
def test_invalid_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- the derived answers

BUILDERS = [("8a", P.forward_marginal), ("8b", P.two_point_marginal), ("8c", P.optimal_predictor),
            ("8d", P.noise_posterior), ("8e", P.large_t)]
#: The named theorems each part rests on.
REGISTRY_CLAIMS = {row[0]: row[-1] for row in _TABLE if row[0].startswith("8")}
THEOREMS = {"8a": {"gaussian_mgf", "mgf"}, "8b": {"total_probability"}, "8c": {"bayes"},
            "8d": {"total_probability", "bayes"}, "8e": set()}


#: Parts whose every printed line does not yet read back with the answer reader (none since the reader
#: reads an expectation over a vector noise as the same expectation).
NOT_READ_BACK: set = set()


@pytest.mark.parametrize("part, build", BUILDERS)
def test_question_8_parts_are_proved_end_to_end(part, build):
    from derivations.answercheck.readback import read_back

    # the builders are called directly, so other sections' modules are not imported
    answer = build()
    chains = [c.verify(seed=part_seed(part, 0) + 97 * i, read_back=read_back) for i, c in enumerate(answer.chains)]
    links = [link(q, chains) for q in answer.quantities]
    rng, checks = part_rng(part, 0), []
    for check in answer.checks:  # one generator for all checks, as the runner does
        out = check.run(rng)
        checks += out if isinstance(out, list) else [out]
    assert all(c.chain.general for c in chains)
    assert all(s.verdict is Status.PROVED for c in chains for s in c.steps)  # every step verified symbolically
    assert {t for c in chains for t in c.theorems} == THEOREMS[part]
    if part in NOT_READ_BACK:  # claimed checked: proved steps, but some printed lines do not read back
        assert REGISTRY_CLAIMS[part] == "checked"
        assert any(s.printed_verified is False for c in chains for s in c.steps)
        assert decide_status("checked", chains, checks, None, links) == "checked"
        return
    assert REGISTRY_CLAIMS[part] == "proved"
    assert all(s.printed_verified for c in chains for s in c.steps), \
        [s.printed_reason for c in chains for s in c.steps if not s.printed_verified]
    assert all(c.verdict is Status.PROVED for c in chains), [c.to_json() for c in chains]
    assert links and all(lk.verdict is Status.PROVED for lk in links), [lk.to_json() for lk in links]
    assert decide_status("proved", chains, checks, None, links) == "proved", [c.to_json() for c in checks if not c.passed]


def test_the_forward_marginal_is_proved_in_any_dimension():
    (mgf,) = C.forward_chains()
    assert C.d in mgf.start.free_symbols and mgf.start.has(sp.Sum)
    assert mgf.end == S.FORWARD_MARGINAL
    result = mgf.verify()
    assert [s.theorem for s in result.steps] == [None, "gaussian_mgf", None, "mgf"]


@settings(max_examples=20, deadline=None)
@given(d=st.integers(1, 2), a=st.floats(0.05, 0.95), b=st.floats(0.05, 1.0),
       u=st.lists(st.floats(-1, 1), min_size=2, max_size=2), x0=st.lists(st.floats(-2, 2), min_size=2, max_size=2))
def test_the_moment_generating_function_chain_holds_in_each_dimension_written_out(d, a, b, u, x0):
    """The chain's first line, with d written out and its Gaussian expectations done by Gauss-Hermite
    quadrature (no cited theorem), is the moment generating function of its conclusion (b = 1 is the
    base case t = 1)."""
    (mgf,) = C.forward_chains()
    first = mgf.start.xreplace({C.d: d}).replace(lambda e: isinstance(e, sp.Indexed) and e.base == C.X_PREV,
                                                 lambda e: C.HYPOTHESIS.xreplace({C.j: e.indices[0]}))
    integrand = first.function.function.doit()  # exp of a sum of d terms
    values = {C.alpha_t: a, C.abar_prev: b} | {C.u[k + 1]: u[k] for k in range(d)} | {C.X0[k + 1]: x0[k] for k in range(d)}
    noises = [C.EPS_PREV[k] for k in range(1, d + 1)] + [C.EPS_T[k] for k in range(1, d + 1)]
    f = sp.lambdify(noises, integrand.xreplace(values), modules="numpy")
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)  # weight exp(-z^2/2)
    weights = weights / math.sqrt(2 * math.pi)
    grids = np.meshgrid(*[nodes] * len(noises), indexing="ij")
    w = np.prod(np.meshgrid(*[weights] * len(noises), indexing="ij"), axis=0)
    value = float(np.sum(w * f(*grids)))
    target = math.exp(math.sqrt(a * b) * sum(u[k] * x0[k] for k in range(d)) + (1 - a * b) * sum(v * v for v in u[:d]) / 2)
    assert value == pytest.approx(target, rel=1e-10)


def _mix(weights, values):  # sum of weight * value for matrices (distributions.py starts its sums at S(0))
    return sum((w * v for w, v in zip(weights, values)), sp.zeros(*values[0].shape))


def test_answers_agree_with_each_other():
    a = S.abar
    # the mean of the 8d posterior over the noise is the 8c optimal prediction
    gap = _mix(S.NOISE_POSTERIOR.weights, S.NOISE_POSTERIOR.atoms) - S.EPS_STAR
    assert all(exp_normal_form(e) == 0 for e in gap)
    # the 8b mixture's covariance is the noise covariance plus alphabar_t times the data's
    comps = S.TWO_POINT_MARGINAL.dists
    mean = _mix(S.TWO_POINT_MARGINAL.weights, [c.mean for c in comps])
    second = _mix(S.TWO_POINT_MARGINAL.weights, [c.cov * sp.eye(2) + c.mean * c.mean.T for c in comps])
    data_cov = sp.Matrix([[1, -1], [-1, 1]]) / 4
    assert sp.expand(second - mean * mean.T - ((1 - a) * sp.eye(2) + a * data_cov)) == sp.zeros(2)
    # the 8b components are the 8a marginal at the two data points
    for comp, point in zip(comps, (S.E_1, S.E_2)):
        assert comp.mean == S.FORWARD_MARGINAL.mean.subs(S.x_0, 1) * point and comp.cov == S.FORWARD_MARGINAL.cov
    # the 8e limit is the limit of the 8c answer
    assert sp.Matrix([sp.limit(e.rewrite(sp.exp), a, 0, "+") for e in S.EPS_STAR]) == S.XHAT


@given(seed=seeds, a=alpha_bars)
def test_closed_forms_equal_the_log_space_kernel(seed, a):
    x = np.random.default_rng(seed).normal(scale=3, size=(50, 2))
    np.testing.assert_allclose(K.two_point_optimal_epsilon(x, a), nd.optimal_epsilon(x, a, K.TWO_POINTS),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(K.two_point_weight(x, a), nd.posterior_x0(x, a, K.TWO_POINTS)[:, 0], atol=1e-12)


def test_closed_form_predictor_holds_for_the_homework_data_only():
    x = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_array_equal(K.closed_form_predictor(x, 0.3, K.TWO_POINTS), K.two_point_optimal_epsilon(x, 0.3))
    np.testing.assert_array_equal(K.closed_form_predictor(x, 0.3, K.TWO_POINTS, [0.5, 0.5]),
                                  K.two_point_optimal_epsilon(x, 0.3))
    with pytest.raises(ValueError, match="two points"):
        K.closed_form_predictor(x, 0.3, np.array([[1.0, 0.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="equal weights"):
        K.closed_form_predictor(x, 0.3, K.TWO_POINTS, [0.2, 0.8])


def test_planted_wrong_steps_are_rejected_by_name():
    (mgf,) = C.forward_chains()
    steps = list(mgf.steps)
    u2 = C._sum(C.u[C.j] ** 2)
    signal = sp.sqrt(C.alpha_t * C.abar_prev) * C._sum(C.u[C.j] * C.X0[C.j])
    wrong_variance = Step(sp.exp(signal + (C.alpha_t * (1 - C.abar_prev) + (1 - C.alpha_t) ** 2) * u2 / 2),
                          "squared the noise scale (wrong)", cite=steps[1].cite)
    r = derive("mgf", mgf.start, steps[0], wrong_variance, domains=mgf.domains).verify()
    assert r.verdict is Status.FAILED and "wrong" in r.first_failure.reason
    wrong_law = Step(C.Gaussian(sp.sqrt(S.abar) * S.x_0, 1 - S.abar**2, isotropic=True), "variance squared (wrong)",
                     cite=steps[3].cite)
    r = derive("mgf", mgf.start, *steps[:3], wrong_law, domains=mgf.domains).verify()
    assert r.verdict is Status.FAILED and "wrong" in r.first_failure.reason
    wrong_limit = derive("limit", sp.Matrix([sp.Limit(e, S.abar, 0, "+") for e in S.EPS_STAR]),
                         Step(sp.zeros(2, 1), "the noise estimate vanishes (wrong)", simplify=C._limit_hint))
    assert wrong_limit.verify().verdict is Status.FAILED
    wrong_sigmoid = derive("sigmoid", S.WEIGHT_1,
                           Step(sigmoid(S.abar * (S.xhat_1 - S.xhat_2) / (1 - S.abar)), "alpha for sqrt (wrong)",
                                simplify=exp_normal_form), domains={S.abar: UNIT})
    assert wrong_sigmoid.verify().verdict is Status.FAILED
    (law,) = C.marginal_chains()
    doubled = S.TWO_POINT_MARGINAL.scaled(2)
    assert derive("law", law.start, Step(doubled, "weights 1 (wrong)", cite=law.steps[0].cite)).verify().verdict \
        is Status.FAILED
    _, posterior = C.noise_posterior_chains()
    swapped = point_masses(S.NOISE_POSTERIOR.weights[::-1], S.NOISE_POSTERIOR.atoms)
    r = derive("posterior", posterior.start, posterior.steps[0],
               Step(swapped, "weights swapped (wrong)", cite=posterior.steps[1].cite, simplify=exp_normal_form),
               domains=posterior.domains).verify()
    assert r.verdict is Status.FAILED and "wrong" in r.first_failure.reason


# --------------------------------------------------------------------------- checks pass on the truth


@given(seed=seeds)
def test_two_point_marginal_matches_simulation(seed):
    assert passed(K.check_two_point_marginal(np.random.default_rng(seed)))


@given(seed=seeds, a=alpha_bars, homework=st.booleans())
def test_residual_of_optimal_epsilon_is_orthogonal_to_functions_of_x_t(seed, a, homework):
    rng = np.random.default_rng(seed)
    kw = dict(data=K.TWO_POINTS, predictor=K.closed_form_predictor) if homework else {}
    assert passed(K.check_residual_orthogonality(rng, alpha_bar=a, **kw))


@given(seed=seeds, a=alpha_bars)
def test_optimal_epsilon_beats_its_perturbations_on_the_same_samples(seed, a):
    assert passed(K.check_beats_perturbations(np.random.default_rng(seed), alpha_bar=a))


@given(seed=seeds, a=alpha_bars)
def test_discrete_noise_posterior_reproduces_the_joint_law(seed, a):
    assert passed(K.check_posterior_calibration(np.random.default_rng(seed), alpha_bar=a))


@settings(max_examples=8)
@given(seed=seeds, a=alpha_bars)
def test_small_ball_labels_follow_exact_probabilities_and_tend_to_the_weights(seed, a):
    assert passed(K.check_posterior_ball(np.random.default_rng(seed), alpha_bar=a))


def test_gap_to_xhat_obeys_the_derived_bound_on_the_linear_schedule():
    results = K.check_large_t(np.random.default_rng(5))
    assert passed(results)
    ev = results[1].evidence
    assert ev["max_gap_at_T"] == pytest.approx(math.sqrt(ev["abar_T"] / 2), rel=0.05)


def test_figure_8e_is_a_pdf(tmp_path):
    path = tmp_path / "fig-8e-optimal-eps.pdf"
    F.draw_optimal_eps(path, np.random.default_rng(0))
    assert path.read_bytes()[:4] == b"%PDF"


# --------------------------------------------------------------------------- planted wrong answers fail

RNG = np.random.default_rng


def test_planted_forward_marginals_are_rejected():
    kw = dict(betas=np.full(3, 0.3), x0=np.array([3.0, 0.0]))  # alphabar_3 = 0.343
    assert not passed(K.check_forward_marginal(RNG(1), mean_coef=lambda a: a, **kw))
    assert not passed(K.check_forward_marginal(RNG(2), variance=lambda a: 1 - a**2, **kw))
    assert not passed(K.check_forward_marginal(RNG(3), mean_coef=lambda a: np.sqrt(a * 0.7), **kw))


def test_planted_marginals_over_the_data_are_rejected():
    betas = np.array([0.1])  # alphabar = 0.9: two well separated bumps

    def one_gaussian(a):  # a single Gaussian with the mixture's mean and covariance along e1 - e2
        return np.array([1.0]), np.array([[math.sqrt(a) / 2] * 2]), np.array([1 - a + a / 2])

    def no_sqrt(a):
        return np.array([0.5, 0.5]), a * np.eye(2), np.array([1 - a] * 2)

    assert not passed(K.check_two_point_marginal(RNG(1), betas=betas, claim=one_gaussian))
    assert not passed(K.check_two_point_marginal(RNG(2), betas=np.array([0.5]), claim=no_sqrt))


def _prior_weight_predictor(x, a, data, weights=None):  # ignores x_t when weighing the data points
    mean = np.average(data, axis=0, weights=weights)
    return (x - math.sqrt(a) * mean) / math.sqrt(1 - a)


@pytest.mark.parametrize("predictor", [lambda x, a, data, w=None: x, _prior_weight_predictor])
def test_planted_predictors_are_rejected(predictor):
    kw = dict(alpha_bar=0.5, data=K.TWO_POINTS, predictor=predictor)
    assert not passed(K.check_residual_orthogonality(RNG(1), **kw))
    assert not passed(K.check_beats_perturbations(RNG(2), **kw))
    assert not passed(K.check_large_t(RNG(3), predictor=lambda x, a, data: predictor(x, a, data)))


def test_planted_noise_posteriors_are_rejected():
    def prior(x, a, data, weights=None):
        return np.tile(np.full(len(data), 1 / len(data)) if weights is None else weights, (len(x), 1))

    def alpha_not_sqrt(x, a, data):
        return (x[:, None, :] - a * np.asarray(data)[None]) / math.sqrt(1 - a)

    kw = dict(alpha_bar=0.5, data=K.TWO_POINTS)
    assert not passed(K.check_posterior_calibration(RNG(1), posterior=prior, **kw))
    assert not passed(K.check_posterior_calibration(RNG(2), atoms=alpha_not_sqrt, **kw))
    assert not passed(K.check_posterior_ball(RNG(3), alpha_bar=0.5, xhat_point=[1.2, -0.3],
                                             weight=lambda x, a: np.full(len(x), 0.5)))


def test_the_best_prediction_is_the_posterior_mean_for_any_data_set_and_dimension():
    minimiser, *_ = C.optimal_predictor_chains()
    assert {C.n, C.j} <= minimiser.start.free_symbols | {C.j} and minimiser.start.has(sp.Sum)  # n points, coordinate j
    assert minimiser.verify().verdict is Status.PROVED
    wrong_mid = sp.Sum(C.p_post(C.X[C.i], S.xhat) * (C.NOISE[C.i, C.j] - C.mu[C.j]) ** 2, (C.i, 1, C.n)) \
        + 2 * (C.c[C.j] - C.mu[C.j]) ** 2
    wrong = derive("mean", minimiser.start, Step(wrong_mid, "twice the distance (wrong)", simplify=C._posterior_average))
    assert wrong.verify().verdict is Status.FAILED


def test_one_sample_with_the_unlikely_label_near_a_data_point_is_not_a_failure():
    """Near a data point at alphabar_t close to 1 the other label's expected count is about 0.02; the
    exact binomial test accepts one such sample (a chi-square test rejected it)."""
    assert passed(K.check_posterior_ball(np.random.default_rng(2413075), alpha_bar=0.9453125))


def test_an_answer_written_with_the_log_odds_z_is_read_and_graded():
    from derivations.answercheck import verify_quantity

    q = P.optimal_predictor().quantities[0]
    right = (r"[(xhat_1 - sqrt(alphabar_t) \sigma(z))/sqrt(1-alphabar_t), "
             r"(xhat_2 - sqrt(alphabar_t) \sigma(-z))/sqrt(1-alphabar_t)]^\top")
    assert verify_quantity(q, right, part_id="8c").correct
    assert not verify_quantity(q, right.replace(r"\sigma(-z)", r"\sigma(z)"), part_id="8c").correct


def test_a_sample_that_misses_the_rare_boundary_draws_is_not_a_failure():
    """At alphabar_t = 0.965 the residual lives between the data points; this sample's standard error
    alone was 5 times too small (z = 7); the model's conditional second moment sets it right."""
    out = K.check_residual_orthogonality(np.random.default_rng(22637), alpha_bar=0.96484375, data=K.TWO_POINTS,
                                         predictor=K.closed_form_predictor)
    assert passed(out) and np.all(out.evidence["standard_error"] >= out.evidence["model_standard_error"])
