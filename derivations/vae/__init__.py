"""Question 3: latent-variable models and the variational autoencoder (parts 3a to 3d.ii).

The symbolic side is general: the CDF :math:`F` of 3b is an arbitrary continuous increasing
function with its inverse; the densities :math:`p_\\theta(x\\mid z)`, :math:`p(z)`,
:math:`p_\\theta(z\\mid x)` and :math:`q_\\phi(z\\mid x)` are undefined functions related only by
Bayes' rule and the law of total probability (cited as named theorems,
:mod:`derivations.theorems`); the networks of 3d are arbitrary maps in coordinates
(:mod:`derivations.symbolic.networks`), with :math:`x\\in\\mathbb{R}^d`, :math:`z\\in\\mathbb{R}^k`
and one parameter coordinate at a time. The numeric side (:mod:`numerics.vae`) runs the same
claims with real (small) networks and linear-Gaussian models.

Notation: :math:`p_\\theta(x \\mid z)`, :math:`p_\\theta(z \\mid x)` and :math:`p_\\theta(x, z)` are
undefined functions named ``p_theta_cond``, ``p_theta_post`` and ``p_theta_joint`` (the printers
write them as conditional and joint densities); :math:`p(z)` is the prior, :math:`p_\\theta(x)` the
marginal; data points :math:`x^{(i)}` and latent samples :math:`z^{(j)}` are
:class:`derivations.notation.DataPoints`.

The section is split along the question: the latent variable and maximum likelihood (3a, 3b.*)
and the ELBO and its gradients (3c.*, 3d.*), each in a chains, a checks and a registration module:

* :mod:`.symbols`: symbols, densities, networks and the reference answers;
* :mod:`.hints`: the section's own simplifications (definitions of a CDF, of a density, of the
  point mass; linearity of expectation and of finite sums);
* :mod:`.latent_chains`, :mod:`.latent_checks`, :mod:`.latent_parts`: 3a and 3b;
* :mod:`.elbo_chains`, :mod:`.elbo_checks`, :mod:`.elbo_parts`: 3c and 3d;
* :mod:`.parts`: loads both registration modules; :mod:`.figures`: the plots.
"""
