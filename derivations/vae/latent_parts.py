"""The answers of 3a and 3b (the latent variable and maximum likelihood), registered on the homework."""

from __future__ import annotations

import math

import sympy as sp

from derivations.answer import Answer, Check, Choice, Figure, Quantity
from derivations.hw7 import REGISTRY
from derivations.symbolic import Uniform
from derivations.vae import latent_chains as chains
from derivations.vae import latent_checks as checks
from derivations.vae.symbols import LOSS, LOSS_MC, OPTIONS, K, X, Zs, i, j, n, p_z, u, z


def table_tex(header: str, rows: list[str]) -> str:
    """A small centred table: ``header`` and ``rows`` are LaTeX rows with ``&`` between cells."""
    return (r"\begin{center}\small\begin{tabular}{" + "r" * (header.count("&") + 1) + r"}" + header
            + r"\\ \hline " + r" \\ ".join(rows) + r"\end{tabular}\end{center}")


@REGISTRY.register("3a", status="explained")
def why_latent() -> Answer:
    return Answer(
        summary=(r"A latent variable lets simple pieces combine into a complicated density: "
                 r"$p_\theta(x)=\int p_\theta(x\mid z)\,p(z)\,dz$ can be multimodal or concentrated "
                 r"near a low-dimensional manifold even when $p(z)$ and every $p_\theta(x\mid z)$ are "
                 r"Gaussian, sampling is ancestral ($z\sim p(z)$, then $x\sim p_\theta(x\mid z)$), and "
                 r"$z$ is a learned, compressed description of $x$."),
        explanation=(
            r"Modelling $p_\theta(x)$ directly forces us to write down a normalised density in the "
            r"data space, which for images or sounds means a very flexible family whose normaliser is "
            r"hard to control. With a latent variable we only have to specify two easy objects: a "
            r"prior we can sample (a standard normal) and a conditional that is a simple family whose "
            r"parameters come out of a network. Their combination is an infinite mixture, which is "
            r"far richer than either ingredient. The price is that the marginal is now an integral "
            r"(parts 3b.iv to 3b.vii), which the ELBO of part 3c sidesteps. The checks below measure "
            r"the claim in one dimension: with $z\sim\mathcal N(0,1)$ and "
            r"$x\mid z\sim\mathcal N(a\tanh(cz), s^2)$ the marginal (computed by quadrature) has two "
            r"modes, ancestral samples follow it, and no single Gaussian does."),
        checks=(Check("rich marginal from Gaussian pieces",
                      r"Ancestral samples of a latent model with the decoder mean $a\tanh(cz)$ follow the "
                      r"marginal computed by quadrature (Kolmogorov--Smirnov), which is bimodal and rejects "
                      r"every moment-matched Gaussian.",
                      lambda rng: checks.latent_marginal_checks(*checks.sample_tanh_model(rng), 20_000, rng=rng)),),
    )


@REGISTRY.register("3b.i", status="proved")
def probability_integral_transform() -> Answer:
    general, exponential, normal = chains.pit_chains()
    return Answer(
        summary=r"for every $u\in[0,1]$ and every continuous $F$: the probability integral transform.",
        explanation=(
            r"For a continuous, strictly increasing $F$ the events $\{F(x)\le u\}$ and "
            r"$\{x\le F^{-1}(u)\}$ coincide, so $P(F(x)\le u)=F(F^{-1}(u))=u$, the CDF of the "
            r"uniform distribution on $[0,1]$ (the probability integral transform). Where $F$ is "
            r"flat the same holds with the generalised inverse $F^{-1}(u)=\inf\{v: F(v)\ge u\}$; "
            r"continuity is essential (for a discrete $x$, $F(x)$ takes finitely many values). "
            r"The chains prove it in general and for two explicit families; the checks apply "
            r"Kolmogorov--Smirnov tests to $F(x)$ for eight continuous families, heavy tails included."),
        chains=(general, exponential, normal),
        checks=(Check("probability integral transform",
                      r"$F(x)\sim\mathrm{Unif}(0,1)$ when $x$ is drawn from $F$ (Kolmogorov--Smirnov, "
                      r"several $F$).",
                      lambda rng: [checks.pit_check(checks.sample_distribution(fam, rng), 20_000, rng=rng)
                                   for fam in checks.PIT_FAMILIES]),),
        quantities=(
            Quantity("distribution of F(x)", Uniform(sp.S(0), sp.S(1)), lhs="F(x)", relation=r"\sim",
                     description="F(x) ~ Unif(0, 1): write U(0, 1), \\mathcal{U}[0, 1] or Uniform(0, 1)"),
            Quantity("CDF of F(x)", u, symbols=(u,), domains={u: sp.Interval(0, 1)}, lhs=r"P(F(x) \le u)",
                     chain=general.title,
                     description=("The distribution of F(x) given by its CDF: P(F(x) <= u) as a function "
                                  "of u on [0, 1], which is u itself."))),
    )


@REGISTRY.register("3b.ii", status="proved")
def uniform_latent_decoder() -> Answer:
    return Answer(
        summary=(r"Then $P(x\le v)=P(z\le F(v))=F(v)$. "
                 r"Option 2 is the point mass at $F^{-1}(1)$ (since $p(z)=1$ on $[0,1]$), and option 3 "
                 r"has variance $1+\mathrm{Var}\,F(z)\ge 1$ whatever $F$ is."),
        explanation=(
            r"This is inverse-transform sampling, the converse of part 3b.i: pushing a uniform "
            r"variable through $F^{-1}$ produces exactly the law $F$. Option 2 feeds $F^{-1}$ the "
            r"uniform density, which is the constant 1, so every $x$ equals $F^{-1}(1)$ (the top of the "
            r"support, $+\infty$ for an unbounded $F$). Option 3 adds unit-variance noise to a number "
            r"in $[0,1]$, so its variance is at least 1 and its law ignores most of $F$; the second "
            r"chain computes its variance $13/12$ when the target is $\mathrm{Unif}(0,1)$ (variance "
            r"$1/12$). The checks sample $x$ from every option for five families $F$ with drawn "
            r"parameters and run a Kolmogorov--Smirnov test against $F$: option 1 is accepted, options 2 "
            r"and 3 are rejected (those checks pass when the test rejects)."),
        chains=chains.uniform_latent_chains(),
        checks=(Check("every option against $F$",
                      r"With $z\sim\mathrm{Unif}(0,1)$: option 1 is distributed as $F$; options 2 and 3 are "
                      r"not (Kolmogorov--Smirnov).",
                      lambda rng: [r for fam in checks.FAMILIES for r in checks.uniform_latent_option_checks(
                          checks.sample_distribution(fam, rng), 20_000, rng=rng)]),),
        quantities=(Quantity("correct option", Choice(OPTIONS, correct={1}),
                             description="1-based option number: the point mass at x = F^{-1}(z)."),),
    )


@REGISTRY.register("3b.iii", status="proved")
def normal_latent_decoder() -> Answer:
    return Answer(
        summary=(r"Read $p$ as the standard normal CDF $\Phi$, $x=F^{-1}(\Phi(z))$: "
                 r"$\Phi(z)\sim\mathrm{Unif}(0,1)$ by part 3b.i, so $P(x\le v)=F(v)$. Read literally, "
                 r"with $p(z)=\phi(z)$ the normal density, option 2 is wrong: $\phi(z)\le 1/\sqrt{2\pi}$, "
                 r"so $x$ never exceeds $F^{-1}(0.399)$. Options 1 and 3 are wrong."),
        explanation=(
            r"The printed option 2 is $F^{-1}(p(z))$. Taken literally, $p$ is the density of the latent, "
            r"$\phi(z)=e^{-z^2/2}/\sqrt{2\pi}$, whose values lie in $(0, 0.399]$; the second chain "
            r"computes the law this produces, $P(x\le v)=\operatorname{erfc}\sqrt{-\log(F(v)\sqrt{2\pi})}$ "
            r"for $F(v)<1/\sqrt{2\pi}$ and $1$ above, and the third shows it differs from $F$ "
            r"(at $F(v)=\phi(1)$ it is $0.317$, not $0.242$). With $p$ read as the CDF $\Phi$, "
            r"$\Phi(z)$ is uniform and the construction of 3b.ii applies, which the first chain proves "
            r"directly. So the intended answer is option 2 (the CDF reading); the literal reading fails. "
            r"Option 1 needs $z\in[0,1]$, which a normal $z$ satisfies only with probability "
            r"$\Phi(1)-\frac12\approx0.34$ (last chain), and even there $z$ is not uniform. Option 3 "
            r"again has variance at least 1. The checks sample every reading of every option for five "
            r"families $F$: the CDF reading is accepted by a Kolmogorov--Smirnov test against $F$, the "
            r"literal reading is rejected against $F$ but accepted against the erfc law above, option 1 "
            r"leaves $x$ undefined at the predicted rate and is rejected where defined, and option 3 is "
            r"rejected. The figure shows the empirical CDFs of every option against $F$ for one $F$."),
        chains=chains.normal_latent_chains(),
        checks=(Check("every option against $F$",
                      r"With $z\sim\mathcal{N}(0,1)$: only option 2 read with the normal CDF is distributed "
                      r"as $F$ (Kolmogorov--Smirnov).",
                      lambda rng: [r for fam in checks.FAMILIES for r in checks.normal_latent_option_checks(
                          checks.sample_distribution(fam, rng), 20_000, rng=rng)]),),
        figures=(Figure("fig-3b-iii-options.pdf",
                        r"Empirical CDFs of $x$ from each printed option with $z\sim\mathcal{N}(0,1)$, against "
                        r"the target $F$.", "draw_normal_latent_options"),),
        quantities=(Quantity(
            "correct option", Choice(OPTIONS, correct={2}),
            description=("1-based option number. Option 2, x = F^{-1}(p(z)), is correct when p is read as "
                         "the standard normal CDF Phi; read literally (p the normal density) it fails, "
                         "and then no printed option is correct.")),),
    )


@REGISTRY.register("3b.iv", status="proved")
def maximum_likelihood_loss() -> Answer:
    nll, gaussian = chains.loss_chains()
    return Answer(
        summary=(r"the negative log-likelihood $-\sum_i\log p_\theta(x^{(i)})$ of the data, each "
                 r"likelihood written as the integral over the latent."),
        explanation=(
            r"Maximum likelihood maximises $\prod_i p_\theta(x^{(i)})$; the log turns the product into a "
            r"sum and the sign makes it a loss. The decoder only gives $p_\theta(x\mid z)$, so each "
            r"likelihood is the latent integral. The second chain evaluates it where it is possible in "
            r"closed form, the linear-Gaussian decoder (probabilistic PCA), where it is "
            r"$\mathcal N(x; b, w^2+\sigma^2)$; the check computes the loss of a linear-Gaussian model "
            r"by adaptive quadrature of the latent integral and compares with the closed form."),
        chains=(nll, gaussian),
        checks=(Check("loss by quadrature",
                      "Quadrature of the latent integral reproduces the closed-form loss of probabilistic PCA.",
                      lambda rng: (lambda mdl: checks.loss_quadrature_check(mdl, mdl.sample(20, rng=rng)))(
                          checks.sample_small_model(rng))),),
        quantities=(Quantity(
            "loss", LOSS, symbols=(n, i, X, z, p_z), lhs=r"\mathcal{L}(\theta)", chain=nll.title,
            description=("Sum over i = 1..n of -log of the integral over z of p_theta(x_i | z) p(z); "
                         "x is an IndexedBase (x[i] is the i-th data point), z one commutative symbol "
                         "(the whole latent vector), p_theta_cond(x, z) stands for p_theta(x | z) and p for "
                         "the prior.")),),
    )


@REGISTRY.register("3b.v", status="checked")
def why_hard() -> Answer:
    rows = [f"{k} & {d} & {kl:.1f} & {pm:.1e} & {qm:.2f}" for k, d, kl, pm, qm in checks.good_region_table()]
    table = table_tex(r"$k$ & $d$ & $E_x\,\mathrm{KL}(p(z\mid x)\Vert p(z))$ & prior mass of $R$ & "
                      r"posterior mass of $R$", rows)
    return Answer(
        summary=(r"Each term needs the integral $\int p_\theta(x^{(i)}\mid z)p(z)\,dz$, which has no "
                 r"closed form for a neural decoder, must be redone for every data point and every "
                 r"parameter update, and whose integrand is concentrated on a region of $z$ whose prior "
                 r"mass shrinks exponentially with the latent dimension: grids need $m^k$ points and "
                 r"prior samples almost never hit the region."),
        explanation=(
            r"For a fixed $x$ the decoder explains $x$ well only for a small set of latents $R$; "
            r"everywhere else $p_\theta(x\mid z)$ is negligible. A quadrature grid with $m$ points per "
            r"axis costs $m^k$ evaluations, and Monte Carlo over the prior wastes almost all samples "
            r"outside $R$. The gradient has the same problem: "
            r"$\nabla_\theta\log p_\theta(x)=E_{p_\theta(z\mid x)}[\nabla_\theta\log p_\theta(x\mid z)]$ is an "
            r"expectation under the posterior, which we cannot sample. We measure the concentration in a "
            r"linear-Gaussian decoder where each latent coordinate drives two data coordinates "
            r"($W^\top W/s^2=\lambda I$, $\lambda=8$). With $R$ the set where $\log p(x\mid z)$ is within "
            r"$k/2$ nats of its maximum, the prior and posterior masses of $R$ are noncentral "
            r"chi-square probabilities; the table lists them at a typical $x$ (with "
            r"$\lVert\hat z\rVert^2=k(1+1/\lambda)$) together with the mean KL from posterior to prior, "
            r"which equals $\frac k2\log(1+\lambda)$ and grows linearly in $k$:" + table
            + r"The posterior keeps a fair share of $R$ at every dimension while the prior's share falls "
            r"like $e^{-ck}$. The checks confirm both masses by sampling (binomial tests) and the "
            r"bound at $k=32$."),
        checks=(Check("the good region shrinks under the prior",
                      r"Prior and posterior hit rates of $R$ match the chi-square formulas; at $k=32$ the prior "
                      r"mass is below $10^{-9}$.",
                      lambda rng: checks.good_region_check(int(rng.integers(1, 4)), 20_000, rng=rng)),),
    )


@REGISTRY.register("3b.vi", status="proved")
def monte_carlo_loss() -> Answer:
    return Answer(
        summary=(r"with $z^{(1)},\dots,z^{(K)}\sim p(z)$ drawn from the prior. The inner average is "
                 r"unbiased for $p_\theta(x^{(i)})$; its log is biased low (Jensen), by "
                 r"$\mathrm{KL}(p(z)\Vert p_\theta(z\mid x))$ at $K=1$ and about "
                 r"$\mathrm{Var}(w)/(2K\,p(x)^2)$ for large $K$."),
        explanation=(
            r"Replacing the integral by a sample average gives a consistent estimate of the loss. "
            r"Fresh latents for each data point are equally valid. Because $\log$ is concave, "
            r"$E[\log\hat p]\le\log E[\hat p]=\log p_\theta(x)$, so $\hat{\mathcal L}$ overestimates the "
            r"loss; the bias vanishes as $K\to\infty$. The first chain proves the unbiasedness of the "
            r"average; the second computes the Jensen gap exactly at $K=1$ in the one-dimensional "
            r"linear-Gaussian model: it is the KL divergence from the prior to the posterior. The "
            r"checks run the estimator in a probabilistic-PCA model with drawn parameters against the "
            r"exact $\log p(x)$: the ratio $\hat p/p$ has mean 1, the $K=1$ gap equals the KL, the "
            r"$K=10$ estimate is significantly low, and at $K=1000$ the bias matches the "
            r"delta-method value $-\mathrm{rv}/(2K)$ with the exact relative variance rv of the weights "
            r"(plus the exact $K^{-2}$ term; the test subtracts the control variate $\hat p/p-1$, "
            r"of mean 0, which leaves the mean and removes most of the noise)."),
        chains=chains.monte_carlo_loss_chains(),
        checks=(Check("naive estimator against the exact likelihood",
                      r"In probabilistic PCA, the prior-sampling estimate of $p(x)$ is unbiased; its log is "
                      r"biased low by the predicted amounts.",
                      lambda rng: checks.naive_estimator_checks(*checks.sample_naive_setup(rng), rng=rng)),),
        quantities=(Quantity(
            "Monte Carlo loss", LOSS_MC, symbols=(n, K, i, j, X, Zs), lhs=r"\hat{\mathcal{L}}(\theta)",
            description=("-sum over i = 1..n of log((1/K) sum over j = 1..K of p_theta(x_i | z_j)) with "
                         "z_j ~ p(z); x and z are IndexedBase objects (x[i] data point, z[j] latent sample), "
                         "p_theta_cond(x, z) stands for p_theta(x | z).")),),
    )


@REGISTRY.register("3b.vii", status="checked")
def prior_sampling_fails() -> Answer:
    rows = []
    for k in (1, 2, 4, 8, 16, 32, 64):
        e = checks.expected_log_second_moment(k)
        rows.append(f"{k} & {2 * k} & {e:.1f} & {math.exp(min(e, 700)):.1e} & {1000 / math.exp(min(e, 700)):.1e}")
    table = table_tex(r"$k$ & $d$ & $E_x\log(1+\mathrm{rv})$ & $1+\mathrm{rv}$ & $1000/(1+\mathrm{rv})$", rows)
    return Answer(
        summary=(r"With $z\sim\mathcal N(0,I)$ almost every sample has negligible $p_\theta(x\mid z)$: "
                 r"the weights' relative variance grows exponentially in the latent dimension "
                 r"($\approx e^{1.25k}$ in the model below), so one sample dominates the average, the "
                 r"effective sample size collapses to about 1, the estimate of $\log p(x)$ is far too "
                 r"low (Jensen) and its gradient is noise. The number of samples needed grows "
                 r"exponentially."),
        explanation=(
            r"Write the estimator as importance sampling with proposal $q=p(z)$ and weights "
            r"$w=p(x\mid z)=p(x)\,p(z\mid x)/p(z)$. Its relative variance is "
            r"$\mathrm{rv}=E_q[w^2]/p(x)^2-1=\int p(z\mid x)^2/p(z)\,dz-1$, and $K$ samples are worth "
            r"about $K/(1+\mathrm{rv})$ independent exact ones (Kong's effective sample size). In the "
            r"linear-Gaussian decoder with $W^\top W/s^2=\lambda I$ the integral factorises over latent "
            r"coordinates: $\log(1+\mathrm{rv})=\sum_{i=1}^k\big[\tfrac12\log\tfrac{(1+\lambda)^2}{1+2\lambda}"
            r"+\tfrac{1+\lambda}{1+2\lambda}\mu_i^2\big]$ with $\mu$ the posterior mean, whose average "
            r"over $x$ is $k\big[\tfrac12\log\tfrac{(1+\lambda)^2}{1+2\lambda}+\tfrac{\lambda}{1+2\lambda}\big]$, "
            r"$1.25k$ nats for $\lambda=8$, $d=2k$:" + table
            + r"Already at $k=8$ a thousand prior samples are worth a fraction of one. Sampling instead "
            r"from a distribution close to the posterior keeps the weights nearly constant: from the "
            r"exact posterior every weight equals $p(x)$, and from a posterior with variance inflated "
            r"by $1.5$ the factor is only $1.06$ per coordinate. That is the motivation for the "
            r"inference model $q_\phi(z\mid x)$ of part 3c. The checks confirm the closed form by "
            r"sampling, the $1.25k$ growth, the large downward bias of the naive estimate at $k=16$, "
            r"and the unbiasedness and exactness of the two importance samplers; the figure plots "
            r"the effective sample size against the dimension."),
        checks=(Check("weight degeneracy in high dimension",
                      r"The closed-form weight variance is confirmed by sampling; it grows like $e^{1.25k}$ and "
                      r"makes the naive estimate badly biased, while posterior-like proposals stay accurate.",
                      lambda rng: checks.relative_variance_checks(rng=rng)),),
        figures=(Figure("fig-3b-vii-ess.pdf",
                        r"Effective sample size of $K=1000$ importance weights against the latent dimension "
                        r"$k$ ($d=2k$): prior sampling against posterior-based proposals.", "draw_ess"),),
    )
