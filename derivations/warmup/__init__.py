"""Questions 1 and 2: evaluating :math:`p(x)` and sampling for six families of generative model
(kernel density estimator, autoregressive model, Gaussian mixture, normalizing flow, VAE, diffusion
model), and logistic regression read as a sampler of :math:`Y` given :math:`x`.

Every family has a small implementation in :mod:`numerics` and two kinds of check, run by
``derive check 1``: the density integrates to one (adaptive cubature over :math:`\\mathbb{R}^d`, an
exhaustive sum for the discrete model, or for the heavy-tailed flow a z-test on importance
weights), and samples drawn by the family's sampler pass a chi-square test against cell
probabilities computed from its log-density alone (:math:`\\alpha = 10^{-6}` each).

Conventions and notation: data points :math:`x^{(i)}`, a KDE bandwidth matrix :math:`H = LL^\\top`
(scalar :math:`h` in the one-dimensional chains); mixture weights :math:`\\pi_k`, means :math:`\\mu_k`,
standard deviations :math:`\\sigma_k`; the 1-D flow :math:`g(z) = \\sinh(az + b)`; a diffusion's
cumulative noise :math:`\\bar\\alpha_t = e^{-B(t)}` with :math:`\\beta = B'`; the sigmoid
:math:`\\sigma`, the logistic parameter :math:`\\theta`, :math:`n_1` labels equal to 1 among :math:`n`.

Modules, one job each: :mod:`.symbols` (symbols and reference answers), :mod:`.chains` (the
derivations), :mod:`.checks` (numeric checks and their parameter samplers ``sample_*``),
:mod:`.figures` (the figure of Question 1), :mod:`.parts` (the registered answers and their prose).
"""
