"""Question 3: latent-variable models and the variational autoencoder (parts 3a to 3d.ii).

The symbolic side works with one-dimensional stand-ins where everything is closed form: the
linear-Gaussian decoder :math:`x \\mid z \\sim \\mathcal{N}(wz + b, \\sigma^2)` with
:math:`z \\sim \\mathcal{N}(0, 1)`, a Gaussian :math:`q = \\mathcal{N}(m, s_q)` (``s_q`` its
variance), and undefined SymPy functions for the networks :math:`\\mathrm{NN}_\\theta`,
:math:`\\mathrm{NN}_\\phi`. The numeric side (:mod:`numerics.vae`) runs the same claims in many
dimensions with real (small) networks.

Notation: :math:`p_\\theta(x \\mid z)`, :math:`p_\\theta(z \\mid x)` and :math:`p_\\theta(x, z)` are
undefined functions named ``p_theta_cond``, ``p_theta_post`` and ``p_theta_joint`` (the printers
write them as conditional and joint densities); :math:`p(z)` is the prior, :math:`p_\\theta(x)` the
marginal; data points :math:`x^{(i)}` and latent samples :math:`z^{(j)}` are
:class:`derivations.notation.DataPoints`. Gaussian densities are the toolkit's
(:func:`derivations.symbolic.normal_pdf`, variance convention).

The section is split along the question: the latent variable and maximum likelihood (3a, 3b.*)
and the ELBO and its gradients (3c.*, 3d.*), each in a chains, a checks and a registration module:

* :mod:`.symbols`: symbols, the 1-D model's closed forms and the reference answers;
* :mod:`.hints`: the section's own simplifications (Leibniz's rule, linearity of expectation);
* :mod:`.latent_chains`, :mod:`.latent_checks`, :mod:`.latent_parts`: 3a and 3b;
* :mod:`.elbo_chains`, :mod:`.elbo_checks`, :mod:`.elbo_parts`: 3c and 3d;
* :mod:`.parts`: loads both registration modules; :mod:`.figures`: the plots.
"""
