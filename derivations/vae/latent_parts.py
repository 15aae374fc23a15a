"""The answers of 3a and 3b (the latent variable and maximum likelihood), registered on the homework."""

from __future__ import annotations

import math

import sympy as sp

from derivations.answer import Answer, Check, Choice, Figure, Quantity
from derivations.hw7 import REGISTRY
from derivations.symbolic import UNIT, Uniform
from derivations.vae import latent_chains as chains
from derivations.vae import latent_checks as checks
from derivations.vae.symbols import LOSS, LOSS_MC, OPTIONS, READING, READING_PLAIN, K, X, Zs, i, j, n, p_z, u, z


def table_tex(header: str, rows: list[str]) -> str:
    """A small centred table: ``header`` and ``rows`` are LaTeX rows with ``&`` between cells."""
    return (r"\begin{center}\small\begin{tabular}{" + "r" * (header.count("&") + 1) + r"}" + header
            + r"\\ \hline " + r" \\ ".join(rows) + r"\end{tabular}\end{center}")


@REGISTRY.register("3a", status="explained")
def why_latent() -> Answer:
    return Answer(
        summary=(r"A latent variable gives a normalised density for free while keeping the networks "
                 r"unrestricted: $p_\theta(x)=\int p_\theta(x\mid z)\,p(z)\,dz$ is a density whenever $p(z)$ "
                 r"and every $p_\theta(x\mid z)$ are, and this infinite mixture can be multimodal or "
                 r"concentrated near a low-dimensional manifold even when all its pieces are Gaussian. "
                 r"Sampling is ancestral ($z\sim p(z)$, then $x\sim p_\theta(x\mid z)$), and $z$ is a "
                 r"learned, compressed description of $x$."),
        explanation=(
            r"A model of $p_\theta(x)$ must be a normalised density on the data space. Autoregressive "
            r"models and normalizing flows (1a.ii, 1a.iv) are normalised by construction, but pay with "
            r"their architecture: a fixed order of the coordinates, each conditional a tractable family, or "
            r"invertible maps with computable Jacobian determinants and a latent as large as $x$. A density "
            r"written freely, $e^{-E_\theta(x)}/Z_\theta$, has a normalising constant $Z_\theta$ that is an "
            r"intractable integral. With a latent variable we specify two easy objects, a prior we can "
            r"sample (a standard normal) and a simple conditional family whose parameters are the "
            r"outputs of any network, and their combination is automatically normalised and far richer "
            r"than either. The price is that the marginal is now an integral (3b.iv to 3b.vii), which the "
            r"ELBO of 3c sidesteps. The check measures the richness in one dimension: with "
            r"$z\sim\mathcal N(0,1)$ and $x\mid z\sim\mathcal N(a\tanh(cz), s^2)$ the marginal is bimodal."),
        checks=(Check("rich marginal from Gaussian pieces",
                      r"Ancestral samples of a latent model with the decoder mean $a\tanh(cz)$ follow the "
                      r"marginal computed by quadrature (Kolmogorov--Smirnov), which is bimodal and rejects "
                      r"every moment-matched Gaussian.",
                      lambda rng: checks.latent_marginal_checks(*checks.sample_tanh_model(rng), 20_000, rng=rng)),),
    )


@REGISTRY.register("3b.i", status="proved")
def probability_integral_transform() -> Answer:
    cdf, density = chains.pit_chains()
    return Answer(
        summary=r"for $0\le u\le 1$, whatever the continuous CDF $F$: the probability integral transform.",
        explanation=(
            r"Because $F$ is continuous and increasing, the event $\{F(x)\le u\}$ is the event "
            r"$\{x\le F^{-1}(u)\}$, whose probability is $F(F^{-1}(u))=u$: the CDF of the uniform "
            r"distribution on $[0,1]$, whose density is 1 there. Where $F$ is flat (an interval carrying no "
            r"mass) the inverse is the generalised one, $F^{-1}(u)=\inf\{v: F(v)\ge u\}$, and the two "
            r"events differ by a set of probability zero, so the result stands. Continuity is essential: "
            r"a CDF has at most countably many jumps, and at an atom of $x$ the value $F(x)$ has positive "
            r"probability, so $F(x)$ is not uniform (for a discrete $x$ it takes at most countably many "
            r"values)."),
        chains=(cdf, density),
        checks=(Check("probability integral transform",
                      r"$F(x)\sim\mathcal{U}(0,1)$ when $x$ is drawn from $F$ (Kolmogorov--Smirnov, "
                      r"several $F$).",
                      lambda rng: [checks.pit_check(checks.sample_distribution(fam, rng), 20_000, rng=rng)
                                   for fam in checks.PIT_FAMILIES]),),
        quantities=(
            Quantity("distribution of F(x)", Uniform(sp.S(0), sp.S(1), at=u), lhs="F(x)", relation=r"\sim",
                     domains={u: UNIT}, chain=density.title,
                     description="F(x) ~ Unif(0, 1): write U(0, 1), \\mathcal{U}[0, 1] or Uniform(0, 1)"),
            Quantity("CDF of F(x)", u, symbols=(u,), domains={u: sp.Interval(0, 1)}, lhs=r"P(F(x) \le u)",
                     chain=cdf.title,
                     description=("The distribution of F(x) given by its CDF: P(F(x) <= u) as a function "
                                  "of u on [0, 1], which is u itself."))),
    )


@REGISTRY.register("3b.ii", status="proved")
def uniform_latent_decoder() -> Answer:
    options = chains.inverse_cdf_chain()
    return Answer(
        summary=(r"Here " + READING + r". The CDF of $\mathcal{U}(0,1)$ is $z$ itself on $[0,1]$, so "
                 r"options 1 and 2 are the same map, and it gives $P(x\le v)=F(v)$. Option 3 does not: its "
                 r"$x$ has variance at least 1 and mean in $[0,1]$, whatever $F$ is."),
        explanation=(
            r"This is inverse-transform sampling, the converse of 3b.i: $F^{-1}$ is increasing, so "
            r"$\{F^{-1}(z)\le v\}=\{z\le F(v)\}$, which has probability $F(v)$ when $z$ is uniform. "
            r"(Read literally as the density, $p(z)=1$ on $[0,1]$, option 2 would put all the mass at "
            r"$F^{-1}(1)$; 3b.iii has no correct option under that reading, so we read $p$ as the CDF in "
            r"both parts.) Option 3 adds unit-variance noise to $F(z)\in[0,1]$: whatever the law of $z$, "
            r"$\mathrm{Var}(x)=1+\mathrm{Var}\,F(z)\ge1$ and $\mathbb{E}[x]=\mathbb{E}[F(z)]\in[0,1]$. It "
            r"can only reproduce targets of that special kind and fails for every other $F$, for instance "
            r"every $F$ with variance below 1 (any $F$ supported on an interval shorter than 2); one such "
            r"$F$ is enough to show that option 3 guarantees nothing."),
        chains=(options, chains.gaussian_decoder_chain()),
        checks=(Check("every option against $F$",
                      r"With $z\sim\mathcal{U}(0,1)$: options 1 and 2 are distributed as $F$; option 3 is "
                      r"not (Kolmogorov--Smirnov).",
                      lambda rng: [r for fam in checks.FAMILIES for r in checks.uniform_latent_option_checks(
                          checks.sample_distribution(fam, rng), 20_000, rng=rng)]),),
        quantities=(Quantity("correct option", Choice(OPTIONS, correct={1, 2}), chain=options.title,
                             description=("1-based option numbers: options 1 and 2 (" + READING_PLAIN
                                          + "; for a uniform z it is z itself); option 3 is wrong.")),),
    )


@REGISTRY.register("3b.iii", status="proved")
def normal_latent_decoder() -> Answer:
    option2 = chains.normal_cdf_chain()
    undefined = chains.undefined_option_chain()
    share = float(undefined.steps[0].expr)
    return Answer(
        summary=(r"As in 3b.ii, " + READING + r": here $p=\Phi$, the standard normal CDF. $\Phi(z)$ is "
                 r"uniform by 3b.i, so $P(F^{-1}(\Phi(z))\le v)=F(v)$. Option 1 leaves $x$ undefined "
                 r"whenever $z\notin[0,1]$, and option 3 fails as in 3b.ii."),
        explanation=(
            r"$F^{-1}$ and $\Phi$ are increasing, so $\{F^{-1}(\Phi(z))\le v\}=\{z\le\Phi^{-1}(F(v))\}$, "
            r"of probability $\Phi(\Phi^{-1}(F(v)))=F(v)$: the latent is first made uniform by its own "
            r"CDF, then pushed through $F^{-1}$. Option 1 applies $F^{-1}$, defined only on $[0,1]$, to a "
            r"normal $z$, which lies in $[0,1]$ with probability $\mathrm{erf}(1/\sqrt2)/2="
            + f"{share:.2f}" + r"\le\frac12$; even there $z$ is not uniform. The bound on the variance of "
            r"option 3 holds for any law of $z$. (Read literally, $p(z)$ the normal density would keep "
            r"$p(z)\le1/\sqrt{2\pi}$ and so $x\le F^{-1}(1/\sqrt{2\pi})$, and no option would be correct; "
            r"hence the reading.) The figure shows the three options against one $F$."),
        chains=(option2, undefined, chains.gaussian_decoder_chain()),
        checks=(Check("every option against $F$",
                      r"With $z\sim\mathcal{N}(0,1)$: only option 2, with $p=\Phi$, is distributed as $F$ "
                      r"(Kolmogorov--Smirnov).",
                      lambda rng: [r for fam in checks.FAMILIES for r in checks.normal_latent_option_checks(
                          checks.sample_distribution(fam, rng), 20_000, rng=rng)]),),
        figures=(Figure("fig-3b-iii-options.pdf",
                        r"Empirical CDFs of $x$ from each printed option with $z\sim\mathcal{N}(0,1)$, against "
                        r"the target $F$.", "draw_normal_latent_options"),),
        quantities=(Quantity(
            "correct option", Choice(OPTIONS, correct={2}), chain=option2.title,
            description=("1-based option number: option 2, x = F^{-1}(p(z)), where " + READING_PLAIN
                         + " (here Phi, the standard normal CDF).")),),
    )


@REGISTRY.register("3b.iv", status="proved")
def maximum_likelihood_loss() -> Answer:
    nll, gaussian = chains.loss_chains()
    return Answer(
        summary=(r"the negative log-likelihood of the data, each likelihood written as the integral over "
                 r"the latent."),
        explanation=(
            r"Maximum likelihood maximises $\prod_i p_\theta(x^{(i)})$ for independent data; the log turns "
            r"the product into a sum and the sign makes it a loss. The decoder gives only "
            r"$p_\theta(x\mid z)$, so each likelihood is the latent integral of the law of total "
            r"probability. It has a closed form only for special decoders: for a linear-Gaussian one, "
            r"$x\mid z\sim\mathcal{N}(wz+b,\sigma^2)$ with $z\sim\mathcal{N}(0,1)$ (probabilistic PCA), it is "
            r"$\mathcal{N}(x; b, w^2+\sigma^2)$; for a neural decoder it has none."),
        chains=(nll, gaussian),
        checks=(Check("loss by quadrature",
                      "Quadrature of the latent integral reproduces the closed-form loss of probabilistic PCA.",
                      lambda rng: (lambda mdl: checks.loss_quadrature_check(mdl, mdl.sample(20, rng=rng)))(
                          checks.sample_small_model(rng))),),
        quantities=(Quantity(
            "loss", LOSS, symbols=(n, i, X, z, p_z), lhs=r"\mathcal{L}(\theta)", chain=nll.title,
            description=("Minus the sum over i = 1..n of the log of the integral over z of p_theta(x_i | z) p(z); "
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
            rf"($W^\top W/s^2=\lambda I$, $\lambda={checks.LAMBDA:g}$). With $R$ the set where $\log p(x\mid z)$ is within "
            r"$k/2$ nats of its maximum, the prior and posterior masses of $R$ are noncentral "
            r"chi-square probabilities; the table lists them at a typical $x$ (with "
            r"$\lVert\hat z\rVert^2=k(1+1/\lambda)$) together with the mean KL from posterior to prior, "
            r"which equals $\frac k2\log(1+\lambda)$ and grows linearly in $k$:" + table
            + r"The posterior keeps a fair share of $R$ at every dimension while the prior's share falls "
            r"like $e^{-ck}$."),
        checks=(Check("the good region shrinks under the prior",
                      r"Prior and posterior hit rates of $R$ match the chi-square formulas; at $k=32$ the prior "
                      r"mass is below $10^{-9}$.",
                      lambda rng: checks.good_region_check(int(rng.integers(1, 4)), 20_000, rng=rng)),),
    )


@REGISTRY.register("3b.vi", status="proved")
def monte_carlo_loss() -> Answer:
    plug_in, bias = chains.monte_carlo_loss_chains()
    return Answer(
        summary=(r"with $z^{(1)},\dots,z^{(K)}\sim p(z)$ drawn from the prior (fresh ones for each data point "
                 r"are as good): the prior replaced by the empirical law of $K$ samples. The inner average "
                 r"is unbiased for $p_\theta(x^{(i)})$, but its log is biased low (Jensen), so "
                 r"$\hat{\mathcal L}$ overestimates the loss on average; the bias vanishes as $K\to\infty$."),
        explanation=(
            r"The integral $\int p_\theta(x\mid z)\,p(z)\,dz$ is an expectation under the prior, so it is "
            r"estimated by an average over prior samples: that is the loss with $p(z)$ replaced by the "
            r"empirical distribution $\frac1K\sum_j\delta(z-z^{(j)})$ (first chain). By linearity the "
            r"average has expectation $\mathbb{E}_{p(z)}[p_\theta(x\mid z)]=p_\theta(x)$; because $\log$ is "
            r"concave, Jensen's inequality makes the expected log of the estimate at most "
            r"$\log p_\theta(x)$ (second chain). For large $K$ the gap is about $\mathrm{rv}/(2K)$, with "
            r"$\mathrm{rv}$ the relative variance of the weights $p_\theta(x\mid z^{(j)})/p_\theta(x)$ (a "
            r"delta-method expansion), and at $K=1$ it is $\mathrm{KL}(p(z)\,\Vert\,p_\theta(z\mid x))$; "
            r"the checks measure both in probabilistic PCA."),
        chains=(plug_in, bias),
        checks=(Check("naive estimator against the exact likelihood",
                      r"In probabilistic PCA, the prior-sampling estimate of $p(x)$ is unbiased; its log is "
                      r"biased low by the predicted amounts.",
                      lambda rng: checks.naive_estimator_checks(*checks.sample_naive_setup(rng), rng=rng)),),
        quantities=(Quantity(
            "Monte Carlo loss", LOSS_MC, symbols=(n, K, i, j, X, Zs), lhs=r"\hat{\mathcal{L}}(\theta)",
            chain=plug_in.title,
            description=("-sum over i = 1..n of log((1/K) sum over j = 1..K of p_theta(x_i | z_j)) with "
                         "z_j ~ p(z); x and z are IndexedBase objects (x[i] data point, z[j] latent sample), "
                         "p_theta_cond(x, z) stands for p_theta(x | z).")),),
    )


@REGISTRY.register("3b.vii", status="checked")
def prior_sampling_fails() -> Answer:
    rate, factor = checks.expected_log_second_moment(1), checks.inflated_factor(checks.INFLATION)
    rows, worthless = [], None  # worthless: the first k of the table where 1000 samples are worth less than one
    for k in (1, 2, 4, 8, 16, 32, 64):
        e = checks.expected_log_second_moment(k)
        if worthless is None and 1000 / math.exp(min(e, 700)) < 1:
            worthless = k
        rows.append(f"{k} & {2 * k} & {e:.1f} & {math.exp(min(e, 700)):.1e} & {1000 / math.exp(min(e, 700)):.1e}")
    table = table_tex(r"$k$ & $d$ & $E_x\log(1+\mathrm{rv})$ & $1+\mathrm{rv}$ & $1000/(1+\mathrm{rv})$", rows)
    return Answer(
        summary=(r"With $z\sim\mathcal N(0,I)$ almost every sample has negligible $p_\theta(x\mid z)$: "
                 r"the weights' relative variance grows exponentially in the latent dimension "
                 rf"($\approx e^{{{rate:.2f}k}}$ in the model below), so one sample dominates the average, the "
                 r"effective sample size collapses to about 1, the estimate of $\log p(x)$ is far too "
                 r"low (Jensen) and its gradient is noise. The number of samples needed grows "
                 r"exponentially."),
        explanation=(
            r"Write the estimator as importance sampling with proposal $q=p(z)$ and weights "
            r"$w=p(x\mid z)=p(x)\,p(z\mid x)/p(z)$. Its relative variance is "
            r"$\mathrm{rv}=E_q[w^2]/p(x)^2-1=\int p(z\mid x)^2/p(z)\,dz-1$, and $K$ samples are worth "
            r"about $K/(1+\mathrm{rv})$ independent exact ones (Kong's effective sample size). In the "
            r"linear-Gaussian decoder with $W^\top W/s^2=\lambda I$ the integral factorises over latent "
            r"coordinates: $\log(1+\mathrm{rv})=\sum_{a=1}^k\big[\tfrac12\log\tfrac{(1+\lambda)^2}{1+2\lambda}"
            r"+\tfrac{1+\lambda}{1+2\lambda}\mu_a^2\big]$ with $\mu$ the posterior mean, whose average "
            r"over $x$ is $k\big[\tfrac12\log\tfrac{(1+\lambda)^2}{1+2\lambda}+\tfrac{\lambda}{1+2\lambda}\big]$, "
            rf"${rate:.2f}k$ nats for $\lambda={checks.LAMBDA:g}$, $d=2k$:" + table
            + rf"Already at $k={worthless}$ a thousand prior samples are worth a fraction of one. Sampling instead "
            r"from a distribution close to the posterior keeps the weights nearly constant: from the "
            r"exact posterior every weight equals $p(x)$, and from the posterior with its variance "
            rf"multiplied by ${checks.INFLATION:g}$ the factor $1+\mathrm{{rv}}$ is only ${factor:.2f}$ per "
            r"coordinate. That is the motivation for the inference model $q_\phi(z\mid x)$ of part 3c; "
            r"the figure plots the effective sample size against the dimension."),
        checks=(Check("weight degeneracy in high dimension",
                      rf"The closed-form weight variance is confirmed by sampling; it grows like $e^{{{rate:.2f}k}}$ and "
                      r"makes the naive estimate badly biased, while posterior-like proposals stay accurate.",
                      lambda rng: checks.relative_variance_checks(rng=rng)),),
        figures=(Figure("fig-3b-vii-ess.pdf",
                        r"Effective sample size of $K=1000$ importance weights against the latent dimension "
                        r"$k$ ($d=2k$): prior sampling against posterior-based proposals.", "draw_ess"),),
    )
