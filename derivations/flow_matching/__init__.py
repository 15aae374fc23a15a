"""Question 9 (flow matching): Gaussian probability paths, the continuity equation, conditional
flow matching trained in NumPy, and sampling by integrating the learned ODE.

Notation. A path runs from :math:`x_0 \\sim \\mathcal{N}(0, I)` to an end point :math:`x_1` along
:math:`x_t = (1-t)x_0 + t x_1`, so :math:`p_t(x \\mid x_1) = \\mathcal{N}(x; t x_1, (1-t)^2 I)`: the
variance is written as the square of the standard deviation :math:`1 - t`. The data points
:math:`x^{(i)}`, :math:`i = 1..n` with ``n`` a symbol, are the entries ``X[i]`` of a data-point base
named ``X`` (apart from the point ``x``; the answer reader takes :math:`x^{(i)}` for them).
Every chain is general: the points :math:`x, x_0, x_1` of :math:`\\mathbb{R}^d` (``d`` a symbol) are
:class:`~derivations.symbolic.vectors.Vector` s written as one symbol where the algebra is linear,
their coordinates :math:`x_k, x_{1,k}, x^{(i)}_k` appear where a norm or a divergence does (sums
over :math:`k = 1..d`).

Layers: :mod:`.symbols` (symbols and the reference answers), :mod:`.hints` (this section's
simplifications), :mod:`.chains` (the derivations), :mod:`.checks` (numeric checks and their
samplers, on :mod:`numerics.flow_matching` and :mod:`numerics.cfm`), :mod:`.figures` (the plots of
9g and 9h), :mod:`.parts` (the registered answers and their prose).
"""
