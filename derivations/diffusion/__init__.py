"""Question 8: a DDPM on two data points, [1,0] and [0,1], derived and checked (parts 8a-8e).

Conventions. ``alphabar_t`` is the cumulative product of the ``alpha_s = 1 - beta_s``, always in
(0, 1). Where an answer is isotropic in the data vector (8a) the vector ``x_0`` is one commutative
symbol and the covariance ``c I`` is stored as the scalar ``c`` (the Gaussian is marked isotropic,
so it prints as ``c I``); the chains there work on one coordinate, which is enough because the
noise coordinates are independent and identically distributed. Where the answer depends on the two
coordinates separately (8b-8e, the data points are not symmetric about the origin) the query point
is written in coordinates, ``xhat_1`` and ``xhat_2`` (``x_{t,1}``, ``x_{t,2}`` for the marginal of
8b), and vectors are 2x1 matrices.

Every check function takes a generator first and samples whatever parameter it is not given, so
``derive check`` runs it with parameters from its seed while the tests pass Hypothesis-drawn ones;
the ``claim``-like keyword arguments let the tests plant wrong answers that the checks must reject.

Modules: :mod:`.symbols` (symbols and the reference answers), :mod:`.chains` (the derivations),
:mod:`.checks` (numeric checks and their parameter samplers), :mod:`.figures` (plots),
:mod:`.parts` (the registered answers and their prose).
"""
