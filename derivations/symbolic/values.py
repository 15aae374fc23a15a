"""Values as the checker handles them: a SymPy object or a number, and a matrix as its entries.

>>> import sympy as sp
>>> as_expr(2), as_expr(0.5)
(2, 0.500000000000000)
>>> entries(sp.Matrix([1, sp.Symbol("x")])), entries(3)
([1, x], [3])
>>> as_expr("x")
Traceback (most recent call last):
...
TypeError: expected a SymPy expression or a number, got str
"""

from __future__ import annotations

import sympy as sp


def as_expr(value):
    """A SymPy object for a value that already is one (or a Python number); never parses text."""
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a SymPy expression or a number, got {type(value).__name__}")
    return sp.Integer(value) if isinstance(value, int) else sp.Float(value)


def entries(value) -> list:
    """A matrix as the list of its entries; a scalar as a one-element list."""
    if isinstance(value, sp.MatrixBase):
        return [as_expr(e) for e in value]
    return [as_expr(value)]
