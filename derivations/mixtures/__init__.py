r"""Questions 4-7 of Homework 7: spherical Gaussian mixtures and EM.

Notation (kept across the parts): a data set :math:`x^{(1)}, \dots, x^{(n)} \in \mathbb{R}^d`
(the homework writes :math:`x^i`); component :math:`z` has weight :math:`p_z`, mean :math:`\mu_z` and
variance :math:`\sigma_z^2` (covariance :math:`\sigma_z^2 I`); :math:`Q_{z,i} = Q(z \mid x^{(i)})`. A
vector is ONE commutative symbol and :math:`(x - \mu)^2` stands for :math:`\|x - \mu\|^2`: the gradient
of :math:`\|x-\mu\|^2` in :math:`\mu` is :math:`-2(x-\mu)`, the same algebra as for a scalar, while the
dimension enters through the normaliser :math:`(2\pi\sigma^2)^{-d/2}` with :math:`d` a symbol
(``normal_pdf(x, mu, v, dim=d)`` of the toolkit).

Sums over data points or components have symbolic bounds (``n``, ``k``); their steps are proved by
the toolkit's ``sum_hint``, which pulls factors that do not depend on the summation index out of
each sum and gives bound indices canonical names, so that equal sums cancel.

The package is split by layer: :mod:`.symbols` (symbols and reference answers), :mod:`.chains`
(the derivations), :mod:`.checks` (numeric checks and their samplers), :mod:`.figures` (plots) and
:mod:`.parts` (the registered answers). ``python -m derivations.mixtures`` prints every derivation
of this section with its verdicts.
"""
