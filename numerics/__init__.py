"""NumPy/SciPy side of the checker: samplers, densities, estimators and statistical tests.

Nothing here imports SymPy or :mod:`derivations`.
"""
