"""The derivation chains of question 8.

Vectors of any dimension d are written by their coordinates (``u[j]``, ``x_0[j]``, ``epsilon[j]``,
sums over ``j`` from 1 to ``d``); the homework's own vectors in R^2 are 2x1 matrices. Expectations
stay unevaluated (:class:`~derivations.symbolic.Expect`), densities are
:class:`~derivations.symbolic.GaussianDensity`, the logistic function is
:class:`~derivations.symbolic.Sigmoid`; what SymPy cannot derive is cited from
:mod:`derivations.theorems` (total probability, Bayes' rule, the moment generating function of a
Gaussian and its uniqueness).
"""

from __future__ import annotations

import sympy as sp

from derivations import theorems
from derivations.chain import Step, derive
from derivations.diffusion.symbols import (E_1, E_2, EPS_STAR, FORWARD_MARGINAL, NOISE_POSTERIOR, PRIOR_MEAN, ROOT_1MA,
                                           ROOT_A, TWO_POINT_MARGINAL, WEIGHT_1, WEIGHT_2, XHAT, abar, atom, x_0, xhat,
                                           xhat_1, xhat_2)
from derivations.notation import DataPoints
from derivations.symbolic import UNIT, Expect, Gaussian, GaussianDensity, PointMass, Sigmoid, linearity, point_masses
from derivations.symbolic.hints import exp_normal_form, explicit, tidy_sums

#: Indices and sizes: coordinates j = 1..d, data points i, k = 1..n.
j = sp.Symbol("j", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
i, k = sp.symbols("i k", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
COORDS = (j, 1, d)
#: The data points x^(i) and their weights w_i (the prior q(x_0 = x^(i))).
X = DataPoints("x")
w = sp.IndexedBase("w", positive=True)


def _sum(f):
    """:math:`\\sum_{j=1}^d f`."""
    return sp.Sum(f, COORDS)


def _sums_and_exponentials(expr):
    """Sums in canonical form, then exponentials split term by term."""
    return exp_normal_form(tidy_sums(expr))


# --------------------------------------------------------------------------- 8a

alpha_t = sp.Symbol("alpha_t", positive=True)
abar_prev = sp.Symbol("alphabar_{t-1}", positive=True)
u = sp.IndexedBase("u", real=True)  # the argument of the moment generating function
X0 = sp.IndexedBase("x_0", real=True)  # coordinates of x_0
EPS_PREV = sp.IndexedBase("epsilonbar", real=True)  # the noise of the induction hypothesis
EPS_T = sp.IndexedBase("epsilon_t", real=True)  # the fresh noise of step t
SCHEDULE = {alpha_t: UNIT, abar_prev: UNIT, abar: UNIT}


X_PREV = sp.IndexedBase("x_{t-1}", real=True)  # coordinates of x_{t-1}, named in the first line
#: The induction hypothesis, reparametrised: x_{t-1} = sqrt(abar_{t-1}) x_0 + sqrt(1 - abar_{t-1}) epsbar.
HYPOTHESIS = sp.sqrt(abar_prev) * X0[j] + sp.sqrt(1 - abar_prev) * EPS_PREV[j]


def _hypothesis(expr):
    """Write out :math:`x_{t-1}` by the induction hypothesis, then linearity of expectation."""
    return linearity(expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == X_PREV,
                                  lambda e: HYPOTHESIS.xreplace({j: e.indices[0]})))


def _recursion(expr):
    """:math:`\\bar\\alpha_t = \\alpha_t\\bar\\alpha_{t-1}` (the definition of the cumulative product)."""
    return _sums_and_exponentials(expr.subs(abar_prev, abar / alpha_t))


def forward_chains():
    """The moment generating function of x_t given x_0, by induction on t, in d dimensions."""
    noise_prev, noise_t = GaussianDensity(EPS_PREV, 0, 1, d), GaussianDensity(EPS_T, 0, 1, d)
    update = sp.sqrt(alpha_t) * X_PREV[j] + sp.sqrt(1 - alpha_t) * EPS_T[j]
    signal = sp.sqrt(alpha_t * abar_prev) * _sum(u[j] * X0[j])
    mgf = derive(
        r"$x_t$ given $x_0$: the moment generating function $\mathbb{E}[e^{u^\top x_t}]$, $u\in\mathbb{R}^d$",
        Expect(Expect(sp.exp(_sum(u[j] * update)), EPS_T, noise_t), EPS_PREV, noise_prev),
        Step(sp.exp(signal) * Expect(sp.exp(sp.sqrt(alpha_t * (1 - abar_prev)) * _sum(u[j] * EPS_PREV[j])),
                                     EPS_PREV, noise_prev)
             * Expect(sp.exp(sp.sqrt(1 - alpha_t) * _sum(u[j] * EPS_T[j])), EPS_T, noise_t),
             r"$x_{t-1}=\sqrt{\bar\alpha_{t-1}}x_0+\sqrt{1-\bar\alpha_{t-1}}\,\bar\varepsilon$; "
             r"$\bar\varepsilon$, $\varepsilon_t$ independent", simplify=_hypothesis),
        Step(sp.exp(signal + (alpha_t * (1 - abar_prev) + 1 - alpha_t) * _sum(u[j] ** 2) / 2),
             r"$\mathbb{E}[e^{v^\top\varepsilon}]=e^{\|v\|^2/2}$ for $\varepsilon\sim\mathcal{N}(0,I)$", cite=theorems.gaussian_mgf()),
        Step(sp.exp(sp.sqrt(abar) * _sum(u[j] * X0[j]) + (1 - abar) * _sum(u[j] ** 2) / 2),
             r"$\bar\alpha_t=\alpha_t\bar\alpha_{t-1}$", simplify=_recursion),
        Step(FORWARD_MARGINAL, r"the law with this moment generating function",
             cite=theorems.mgf_uniqueness(u, index=COORDS, vectors={x_0: X0})),
        domains=SCHEDULE)
    return (mgf,)


# --------------------------------------------------------------------------- 8b

q_marginal = sp.Function("q")


def marginal_chains():
    """q(x_t) by total probability over the two data points."""
    law = derive(
        r"$q(x_t)$: total probability over the data point $x_0$",
        q_marginal(sp.Symbol("x_t", real=True)),
        Step(TWO_POINT_MARGINAL, r"$q(x_0)=\frac{1}{2}$ on $[1,0]^T$ and $[0,1]^T$; $q(x_t\mid x_0)$ from 8a",
             cite=theorems.total_probability_law(q_marginal(sp.Symbol("x_t", real=True)),
                                                 lambda v: Gaussian(ROOT_A * v, 1 - abar), lambda v: sp.Rational(1, 2),
                                                 (E_1, E_2))))
    return (law,)


# --------------------------------------------------------------------------- 8c

p_post = sp.Function("p_post")  # p(a | b), printed with a bar
EPS = sp.IndexedBase("epsilon", real=True)  # the noise, by coordinates
XHAT_J = sp.IndexedBase("xhat", real=True)[j]  # coordinate j of xhat
#: The noise values eps_i(xhat) that carry the data points to xhat (8d), by coordinates: NOISE[i, j].
NOISE = sp.IndexedBase("epsilon", real=True)
c = sp.IndexedBase("c", real=True)  # the prediction at xhat, by coordinates
mu = sp.IndexedBase("mu", real=True)  # the conditional mean E[epsilon | x_t = xhat], by coordinates
#: The Gaussian likelihoods of the two data points at xhat, named N_1, N_2 in the chains.
N_1, N_2 = sp.symbols("N_1 N_2", positive=True)
LIKELIHOODS = {N_1: GaussianDensity(XHAT, ROOT_A * E_1, 1 - abar), N_2: GaussianDensity(XHAT, ROOT_A * E_2, 1 - abar)}
p_1, p_2 = sp.symbols("p_1 p_2", positive=True)
POSTERIOR = {p_1: N_1 / (N_1 + N_2), p_2: N_2 / (N_1 + N_2)}


def _posterior_average(expr):
    """Sums split term by term and constants taken out of them, then the posterior's two facts:
    :math:`\\sum_i p(x^{(i)}\\mid\\hat x)=1` and :math:`\\sum_i p(x^{(i)}\\mid\\hat x)\\,\\varepsilon_{i,j}=\\mu_j`
    (the definition of :math:`\\mu_j`)."""
    weight = p_post(X[i], xhat)

    def split(t):
        return sp.Add(*[sp.Sum(term, *t.limits) for term in sp.Add.make_args(sp.expand(t.function))])

    def pull(t):
        inside = [f for f in sp.Mul.make_args(t.function) if f.has(i)]
        outside = [f for f in sp.Mul.make_args(t.function) if not f.has(i)]
        return sp.Mul(*outside) * sp.Sum(sp.Mul(*inside), *t.limits)

    e = sp.expand(expr).replace(lambda t: isinstance(t, sp.Sum), split).replace(lambda t: isinstance(t, sp.Sum), pull)
    return sp.expand(e.subs({sp.Sum(weight, (i, 1, n)): 1, sp.Sum(weight * NOISE[i, j], (i, 1, n)): mu[j]}))


def _two_points(expr):
    """The posterior weights and the likelihoods of the two data points written out."""
    return exp_normal_form(expr.subs(POSTERIOR).subs(LIKELIHOODS))


def optimal_predictor_chains():
    """The minimiser is the conditional mean; Bayes' rule over the data points; the two-point answer."""
    weight = p_post(X[i], xhat)
    minimiser = derive(
        r"at $\hat x$, coordinate $j$: the best prediction $c_j$ is the posterior mean $\mu_j$",
        sp.Sum(weight * (c[j] - NOISE[i, j]) ** 2, (i, 1, n)),
        Step(sp.Sum(weight * (NOISE[i, j] - mu[j]) ** 2, (i, 1, n)) + (c[j] - mu[j]) ** 2,
             r"expand about $\mu_j=\sum_i p(x^{(i)}\mid\hat x)\,\varepsilon_{i,j}$; the weights sum to 1",
             simplify=_posterior_average),
        Step(sp.Sum(weight * (NOISE[i, j] - mu[j]) ** 2, (i, 1, n)),
             r"a square is $\ge 0$, and $0$ only at $c_j=\mu_j$", relation=">="),
    )
    likelihood = GaussianDensity(xhat, ROOT_A * X[i], 1 - abar, d)
    bayes = derive(
        r"Bayes' rule over the data points $x^{(1)},\dots,x^{(n)}$ with weights $w_i$",
        p_post(X[i], xhat),
        Step(w[i] * likelihood / sp.Sum(w[k] * GaussianDensity(xhat, ROOT_A * X[k], 1 - abar, d), (k, 1, n)),
             r"prior $w_i$ times the likelihood of 8a; the evidence by total probability",
             cite=theorems.bayes(p_post, lambda x, z: w[z.indices[0]] * GaussianDensity(x, ROOT_A * z, 1 - abar, d),
                                 lambda x: sp.Sum(w[k] * GaussianDensity(x, ROOT_A * X[k], 1 - abar, d), (k, 1, n)))),
    )
    weight = derive(
        r"the homework's two points, $w_i=\frac{1}{2}$: the posterior weight of $[1,0]^T$ is a sigmoid",
        LIKELIHOODS[N_1] / (LIKELIHOODS[N_1] + LIKELIHOODS[N_2]),
        Step(Sigmoid(sp.Add(xhat_1**2, (ROOT_A - xhat_2) ** 2, -(ROOT_A - xhat_1) ** 2, -xhat_2**2)
                     / sp.Mul(2, 1 - abar, evaluate=False)),
             r"for the two densities $N_i$: $\frac{N_1}{N_1+N_2}=\sigma(\log N_1-\log N_2)$; "
             r"the factors $2\pi(1-\bar\alpha_t)$ cancel",
             simplify=exp_normal_form),
        Step(WEIGHT_1, "expand the squares", simplify=exp_normal_form),
        domains={abar: UNIT})
    prediction = derive(
        r"the homework's two points: $\varepsilon^*(\hat x,t)=p_1\varepsilon_1(\hat x)+p_2\varepsilon_2(\hat x)$, "
        r"$p_i=p(x^{(i)}\mid\hat x)$",
        p_1 * atom(E_1) + p_2 * atom(E_2),
        Step(EPS_STAR, r"$p_1=\sigma(z)$ above, $p_2=1-p_1=\sigma(-z)$", simplify=_two_points),
        domains={abar: UNIT})
    return minimiser, bayes, weight, prediction


# --------------------------------------------------------------------------- 8d


def noise_posterior_chains():
    """Given x_0 the noise is determined; total probability over x_0 given xhat; Bayes' weights."""
    xhat_j = sp.IndexedBase("xhat", real=True)[j]
    x0_j = sp.IndexedBase("x", real=True)[0, j]  # coordinate j of x_0, printed x_{0,j}
    solve = derive(
        r"given $x_0$ and $x_t=\hat x$, the noise is determined (each coordinate $j$)",
        (xhat_j - ROOT_A * x0_j) / ROOT_1MA,
        Step(EPS[j], r"$\hat x=\sqrt{\bar\alpha_t}\,x_0+\sqrt{1-\bar\alpha_t}\,\varepsilon$ and "
                     r"$\sqrt{1-\bar\alpha_t}>0$",
             simplify=lambda e: sp.cancel(e.subs(xhat_j, ROOT_A * x0_j + ROOT_1MA * EPS[j]))),
        domains={abar: UNIT})
    eps_symbol = sp.Symbol("epsilon", real=True)
    label = {sp.ImmutableMatrix(E_1): X[1], sp.ImmutableMatrix(E_2): X[2]}
    likelihood = {X[1]: LIKELIHOODS[N_1], X[2]: LIKELIHOODS[N_2]}
    by_point = derive(
        r"the posterior over the noise: total probability over $x_0$, then Bayes' rule",
        p_post(eps_symbol, xhat),
        Step(point_masses([p_post(X[1], xhat), p_post(X[2], xhat)], [atom(E_1), atom(E_2)]),
             r"given $x_0=x^{(i)}$ the noise is $\varepsilon_i(\hat x)$; $x^{(1)}=[1,0]^T$, $x^{(2)}=[0,1]^T$",
             cite=theorems.total_probability_law(p_post(eps_symbol, xhat), lambda v: PointMass(atom(v)),
                                                 lambda v: p_post(label[sp.ImmutableMatrix(v)], xhat), (E_1, E_2))),
        Step(NOISE_POSTERIOR, r"Bayes' rule with the likelihoods of 8a, equal priors: the sigmoids of 8c",
             cite=theorems.bayes(p_post, lambda x, z: sp.Rational(1, 2) * likelihood[z],
                                 lambda x: sp.Rational(1, 2) * (LIKELIHOODS[N_1] + LIKELIHOODS[N_2])),
             simplify=exp_normal_form),
        domains={abar: UNIT})
    return solve, by_point


# --------------------------------------------------------------------------- 8e


def _limit_hint(expr):
    """Write out the sigmoid, then take the limits."""
    return sp.cancel(explicit(expr).doit())


def large_t_chains():
    """The limits as alphabar_t -> 0: the weights tend to the prior, the prediction to its input."""
    m = sp.IndexedBase("m", real=True)  # coordinates of E[x_0 | x_t = xhat], in the data's convex hull
    xh = sp.IndexedBase("xhat", real=True)
    return (
        derive(r"two points: the posterior weights tend to the prior $(\frac{1}{2},\frac{1}{2})$",
               sp.Matrix([sp.Limit(WEIGHT_1, abar, 0, "+"), sp.Limit(WEIGHT_2, abar, 0, "+")]),
               Step(sp.Matrix([sp.Rational(1, 2)] * 2), r"the log-odds $z\to0$ and $\sigma(0)=\frac{1}{2}$",
                    simplify=_limit_hint)),
        derive("two points: the optimal prediction tends to its input",
               sp.Matrix([sp.Limit(e, abar, 0, "+") for e in EPS_STAR]),
               Step(XHAT, r"$\sqrt{\bar\alpha_t}\to0$, $\sqrt{1-\bar\alpha_t}\to1$, weights bounded",
                    simplify=_limit_hint)),
        derive("two points: how fast the gap closes",
               sp.Matrix([sp.Limit((e - v) / ROOT_A, abar, 0, "+") for e, v in zip(EPS_STAR, XHAT)]),
               Step(-PRIOR_MEAN, r"so $\varepsilon^*-\hat x\approx-\sqrt{\bar\alpha_t}\,\mathbb{E}[x_0]$",
                    simplify=_limit_hint)),
        derive(r"any data set, coordinate $j$: the prediction tends to its input",
               sp.Limit((xh[j] - ROOT_A * m[j]) / ROOT_1MA, abar, 0, "+"),
               (xh[j], r"$m=\mathbb{E}[x_0\mid x_t=\hat x]$ stays in the data's convex hull, so bounded")),
    )
