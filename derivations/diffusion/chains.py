"""The derivation chains of question 8 and the two hints only this section needs (expectations of
independent random variables; the sign of :math:`\\sqrt{1-\\bar\\alpha_t}`)."""

from __future__ import annotations

import sympy as sp
from sympy.stats import Bernoulli, E, Expectation, Normal, moment_generating_function
from sympy.stats.rv import random_symbols

from derivations.chain import Step, derive
from derivations.notation import DataPoints
from derivations.symbolic import UNIT, GaussianDensity
from derivations.symbolic.hints import exp_normal_form, expand_logs, sum_hint
from derivations.diffusion.symbols import (E_1, E_2, EPS_STAR, PRIOR_MEAN, ROOT_1MA, ROOT_A, TWO_POINT_DENSITY,
                                           WEIGHT_1, XHAT, XT, XT_1, XT_2, abar, x_0, xhat, xhat_1, xhat_2)

# --------------------------------------------------------------------------- section-only hints


def _expect_one(factor, rv):
    """E[factor] for a factor that depends on the single random variable ``rv``."""
    if isinstance(factor, sp.exp):
        k, rest = factor.args[0].as_independent(rv, as_Add=False)
        if rest == rv:  # E[exp(k X)] is the moment generating function of X at k
            return moment_generating_function(rv)(k)
    return E(factor)


def _expect(arg):
    """Linearity over the expanded terms, and independence: a product of factors that each depend
    on one random variable has the product of their expectations."""
    total = sp.S(0)
    for term in sp.Add.make_args(sp.expand(arg, power_exp=True)):
        coeff, parts = sp.S(1), {}
        for factor in sp.Mul.make_args(term):
            rvs = random_symbols(factor)
            if not rvs:
                coeff *= factor
            elif len(rvs) == 1:
                parts.setdefault(rvs[0], []).append(factor)
            else:
                return Expectation(arg).doit()
        total += coeff * sp.Mul(*[_expect_one(sp.Mul(*fs), rv) for rv, fs in parts.items()])
    return total


def by_independence(expr):
    """Evaluate every expectation in ``expr`` of independent random variables factor by factor."""
    expr = expr.replace(lambda e: isinstance(e, Expectation) and len(e.args) == 1, lambda e: _expect(e.args[0]))
    return exp_normal_form(expr)


def below_one(expr):
    """Evaluate, then use :math:`\\bar\\alpha_t < 1` (so :math:`\\sqrt{1-\\bar\\alpha_t} > 0`)."""
    return sp.cancel(sp.refine(expr.doit(), sp.Q.positive(1 - abar)))


# --------------------------------------------------------------------------- 8a

_a1, _a2, _at = sp.symbols("alpha_1 alpha_2 alpha_t", positive=True)
_abar_prev = sp.Symbol("alphabar_t-1", positive=True)
_eps1, _eps2, _eps_t = Normal("epsilon_1", 0, 1), Normal("epsilon_2", 0, 1), Normal("epsilon_t", 0, 1)
_eps_prev = Normal("epsilonbar_t-1", 0, 1)
_s = sp.Symbol("s", real=True)
_SCHEDULE = {_a1: UNIT, _a2: UNIT, _at: UNIT, _abar_prev: UNIT}


def forward_chains():
    x_2 = sp.sqrt(_a2) * (sp.sqrt(_a1) * x_0 + sp.sqrt(1 - _a1) * _eps1) + sp.sqrt(1 - _a2) * _eps2
    x_2_flat = sp.sqrt(_a1 * _a2) * x_0 + sp.sqrt(_a2 * (1 - _a1)) * _eps1 + sp.sqrt(1 - _a2) * _eps2
    mean_2 = sp.sqrt(_a1 * _a2) * x_0
    # induction hypothesis, reparametrised: x_{t-1} = sqrt(abar_{t-1}) x_0 + sqrt(1 - abar_{t-1}) epsbar
    x_t = sp.sqrt(_at) * (sp.sqrt(_abar_prev) * x_0 + sp.sqrt(1 - _abar_prev) * _eps_prev) + sp.sqrt(1 - _at) * _eps_t
    mean_t = sp.sqrt(_at * _abar_prev) * x_0
    return (
        derive("$x_2$ from $x_0$: two steps are one Gaussian step", x_2,
               (x_2_flat, "substitute $x_1$ and distribute"), domains=_SCHEDULE),
        derive("mean of $x_2$", Expectation(x_2),
               Step(mean_2, r"the noises have mean 0; $\bar\alpha_2=\alpha_1\alpha_2$", simplify=by_independence),
               domains=_SCHEDULE),
        derive("variance of $x_2$ (each coordinate)", Expectation((x_2 - mean_2) ** 2),
               Step(_a2 * (1 - _a1) + (1 - _a2), "independent noises: variances add", simplify=by_independence),
               (1 - _a1 * _a2, r"collect: $1-\bar\alpha_2$"), domains=_SCHEDULE),
        derive("induction step: mean of $x_t$", Expectation(x_t),
               Step(mean_t, r"$\bar\alpha_t=\alpha_t\bar\alpha_{t-1}$", simplify=by_independence),
               domains=_SCHEDULE),
        derive("induction step: variance of $x_t$ (each coordinate)", Expectation((x_t - mean_t) ** 2),
               Step(_at * (1 - _abar_prev) + 1 - _at, "independent noises: variances add", simplify=by_independence),
               (1 - _at * _abar_prev, r"collect: $1-\bar\alpha_t$"), domains=_SCHEDULE),
        derive("induction step: $x_t$ is Gaussian (moment generating function)", Expectation(sp.exp(_s * x_t)),
               Step(sp.exp(_s * sp.sqrt(_at) * sp.sqrt(_abar_prev) * x_0 + _s**2 * _at * (1 - _abar_prev) / 2)
                    * sp.exp(_s**2 * (1 - _at) / 2), "independence: the moment generating function factorises",
                    simplify=by_independence),
               Step(sp.exp(_s * mean_t + _s**2 * (1 - _at * _abar_prev) / 2),
                    "the moment generating function of a normal law", simplify=exp_normal_form),
               domains=_SCHEDULE),
    )


# --------------------------------------------------------------------------- 8b


def marginal_chains():
    start = (sp.Rational(1, 2) * GaussianDensity(XT, ROOT_A * E_1, 1 - abar)
             + sp.Rational(1, 2) * GaussianDensity(XT, ROOT_A * E_2, 1 - abar))
    common = sp.exp(-(XT_1**2 + XT_2**2 + abar) / (2 * (1 - abar))) / (4 * sp.pi * (1 - abar))
    expanded = common * (sp.exp(ROOT_A * XT_1 / (1 - abar)) + sp.exp(ROOT_A * XT_2 / (1 - abar)))
    # x_0 = [b, 1 - b] with b ~ Bernoulli(1/2), independent of the noise
    b = Bernoulli("b", sp.Rational(1, 2))
    noise = (Normal("epsilon_t,1", 0, 1), Normal("epsilon_t,2", 0, 1))
    x_t = [ROOT_A * b + ROOT_1MA * noise[0], ROOT_A * (1 - b) + ROOT_1MA * noise[1]]
    mean = ROOT_A / 2 * sp.Matrix([1, 1])
    return (
        derive("density of $x_t$: average the two forward marginals", start,
               Step(expanded, r"expand $\|x_t-\sqrt{\bar\alpha_t}e_i\|^2$, $\|e_i\|=1$", simplify=exp_normal_form),
               Step(TWO_POINT_DENSITY, r"$e^{u}+e^{v}=2e^{(u+v)/2}\cosh\frac{u-v}{2}$", simplify=exp_normal_form),
               domains={abar: UNIT}),
        derive("mean of $x_t$, with $x_0=[b,1-b]^T$ and $b$ a fair coin", sp.Matrix([Expectation(v) for v in x_t]),
               Step(mean, r"$E[b]=\frac{1}{2}$, the noise has mean 0", simplify=by_independence)),
        derive("covariance of $x_t$",
               sp.Matrix(2, 2, lambda i, j: Expectation((x_t[i] - mean[i]) * (x_t[j] - mean[j]))),
               Step((1 - abar) * sp.eye(2) + abar / 4 * sp.Matrix([[1, -1], [-1, 1]]),
                    r"$(1-\bar\alpha_t)I+\bar\alpha_t\,\mathrm{Cov}(x_0)$", simplify=by_independence)),
    )


# --------------------------------------------------------------------------- 8c

_i, _j, _n = sp.symbols("i j n", integer=True, positive=True)
_w, _lik, _x = sp.IndexedBase("w"), sp.IndexedBase("N"), DataPoints("x")


def optimal_predictor_chains():
    c, mu, m2 = sp.symbols("c mu m_2", real=True)
    loss = m2 - 2 * c * mu + c**2  # E[(eps_k - c)^2 | xhat] with mu = E[eps_k | xhat], m2 = E[eps_k^2 | xhat]
    # Bayes' rule for two generic data points x^(i), x^(j) of a weighted data set, in 2-D
    xi, xj = (sp.Matrix([sp.Symbol(f"x_{{{p},{k}}}", real=True) for k in (1, 2)]) for p in "ij")
    wi, wj = sp.symbols("w_i w_j", positive=True)

    def logit(w, y):
        return sp.log(w) + (ROOT_A * (xhat_1 * y[0] + xhat_2 * y[1]) - abar * (y[0] ** 2 + y[1] ** 2) / 2) / (1 - abar)

    log_odds = (sp.log(wi * GaussianDensity(XHAT, ROOT_A * xi, 1 - abar))
                - sp.log(wj * GaussianDensity(XHAT, ROOT_A * xj, 1 - abar)))
    # the conditional mean over n weighted points: p_i = w_i N_i / sum_j w_j N_j
    p = _w[_i] * _lik[_i] / sp.Sum(_w[_j] * _lik[_j], (_j, 1, _n))
    e_sum = sp.Sum(p * (xhat - ROOT_A * _x[_i]) / ROOT_1MA, (_i, 1, _n))
    split = (xhat * sp.Sum(p, (_i, 1, _n)) - ROOT_A * sp.Sum(p * _x[_i], (_i, 1, _n))) / ROOT_1MA
    # the two data points with equal weights: softmax of the logits
    l1, l2 = logit(1, (1, 0)), logit(1, (0, 1))  # equal weights cancel from the softmax
    softmax = (XHAT - ROOT_A * sp.Matrix([sp.exp(l1), sp.exp(l2)]) / (sp.exp(l1) + sp.exp(l2))) / ROOT_1MA
    return (
        derive("at a fixed input the best prediction is the conditional mean (one coordinate)",
               sp.UnevaluatedExpr(loss) - sp.UnevaluatedExpr(loss.subs(c, mu)),
               ((c - mu) ** 2, "complete the square"),
               (sp.S(0), "a square is non-negative", ">=")),
        derive("Bayes' rule: posterior log-odds of two data points", log_odds,
               Step(logit(wi, xi) - logit(wj, xj), r"$\|\hat x\|^2$ is common to both and cancels",
                    simplify=expand_logs), domains={abar: UNIT}),
        derive("conditional mean of the noise for $n$ weighted data points", e_sum,
               Step(split, "linearity of the sum", simplify=sum_hint),
               Step((xhat - ROOT_A * sp.Sum(p * _x[_i], (_i, 1, _n))) / ROOT_1MA,
                    "the posterior weights sum to 1", simplify=sum_hint)),
        derive("two points $[1,0]^T$, $[0,1]^T$ with equal weights: the softmax is a sigmoid", softmax,
               Step(EPS_STAR, r"$e^{a}/(e^{a}+e^{b})=\sigma(a-b)$", simplify=exp_normal_form),
               domains={abar: UNIT}),
    )


# --------------------------------------------------------------------------- 8d


def noise_posterior_chains():
    eps = sp.Symbol("epsilon", real=True)
    atom = (xhat - ROOT_A * x_0) / ROOT_1MA
    joint = sp.Integral(GaussianDensity(eps, 0, 1) * sp.DiracDelta(xhat - ROOT_A * x_0 - ROOT_1MA * eps),
                        (eps, -sp.oo, sp.oo))
    dens = [GaussianDensity(XHAT, ROOT_A * e, 1 - abar) for e in (E_1, E_2)]
    return (
        derive("given $x_0$, exactly one noise value reaches the observed point", ROOT_A * x_0 + ROOT_1MA * atom,
               (xhat, r"solve $\hat x=\sqrt{\bar\alpha_t}x_0+\sqrt{1-\bar\alpha_t}\,\varepsilon$")),
        derive("integrating the noise out gives the likelihood of $x_0$ (one coordinate)", joint,
               Step(GaussianDensity(atom, 0, 1) / ROOT_1MA, r"sifting property of $\delta$", simplify=below_one),
               Step(GaussianDensity(xhat, ROOT_A * x_0, 1 - abar), "change of variables in the density",
                    simplify=exp_normal_form),
               domains={abar: UNIT}),
        derive("mass on the atom of $[1,0]^T$ for the homework's data", dens[0] / (dens[0] + dens[1]),
               Step(WEIGHT_1, "Bayes' rule, equal priors cancel", simplify=exp_normal_form),
               domains={abar: UNIT}),
    )


# --------------------------------------------------------------------------- 8e


def large_t_chains():
    P, Q, m = sp.symbols("P Q m", real=True)
    w = sp.Symbol("w_i", positive=True)
    return (
        derive("the logits tend to the log prior weights",
               sp.Limit(sp.log(w) + (ROOT_A * P - abar * Q / 2) / (1 - abar), abar, 0, "+"),
               (sp.log(w), r"$\sqrt{\bar\alpha_t}\to0$; here $P=\hat x\cdot x^{(i)}$, $Q=\|x^{(i)}\|^2$")),
        derive("any data set: the optimal prediction tends to its input",
               sp.Limit((xhat - ROOT_A * m) / ROOT_1MA, abar, 0, "+"),
               (xhat, r"$m=E[x_0\mid \hat x]$ stays in the data's convex hull")),
        derive(r"two points: the posterior weight tends to the prior $\frac{1}{2}$", sp.Limit(WEIGHT_1, abar, 0, "+"),
               (sp.Rational(1, 2), "the log-odds tend to 0")),
        derive("two points: the optimal prediction tends to its input",
               sp.Matrix([sp.Limit(e, abar, 0, "+") for e in EPS_STAR]),
               (XHAT, "limit of each coordinate")),
        derive("two points: the rate at which the gap closes",
               sp.Matrix([sp.Limit((e - v) / ROOT_A, abar, 0, "+") for e, v in zip(EPS_STAR, XHAT)]),
               (-PRIOR_MEAN, r"$\varepsilon^*-\hat x\approx-\sqrt{\bar\alpha_t}\,E[x_0]$")),
    )
