"""Modules imported on first use: SciPy's subpackages take most of a cold start of ``derive verify``
(which never runs a numeric check), so the numeric modules name them here and import them when a
function first reaches for one.

>>> special = lazy("scipy.special")
>>> float(special.expit(0.0))
0.5
"""

from __future__ import annotations

import importlib
import types


class LazyModule(types.ModuleType):
    """Stands for the module ``name``; the first attribute looked up imports it."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(importlib.import_module(self.__name__), attr)


def lazy(name: str) -> LazyModule:
    """A stand-in for the module ``name`` that imports it when first used."""
    return LazyModule(name)
