r"""Questions 4-7 of Homework 7: spherical Gaussian mixtures and EM.

Notation (the homework's): a data set :math:`x^{(1)}, \dots, x^{(n)} \in \mathbb{R}^d`; component
:math:`z` of :math:`k` has weight :math:`p_z`, mean :math:`\mu_z` and variance :math:`\sigma_z^2`
(covariance :math:`\sigma_z^2 I`); :math:`Q(z \mid x^{(i)})` are the responsibilities. Vectors are
proved in coordinates, :math:`x^{(i)}_j` and :math:`\mu_{z,j}` for :math:`j = 1, \dots, d` with
symbolic :math:`d`: the spherical density is the product of its :math:`d` one-dimensional densities
and a squared norm the sum of its squared coordinates; a chain returns to the vector notation of
the homework through the named theorem "vectors coordinate by coordinate". Sums over data points,
components and coordinates have symbolic bounds (``n``, ``k``, ``d``).

The package is split by layer: :mod:`.symbols` (symbols and reference answers), :mod:`.chains`
(the derivations), :mod:`.checks` (numeric checks and their samplers), :mod:`.figures` (plots) and
:mod:`.parts` (the registered answers). ``python -m derivations.mixtures`` prints every derivation
of this section with its verdicts.
"""
