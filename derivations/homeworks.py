"""The problem sets the checker knows, each a module defining ``HOMEWORK`` and ``REGISTRY``.

Adding a problem set is adding its module (and its section packages) and one line here; the
machinery takes the registry it is given and defaults to :data:`DEFAULT`.

>>> registry().homework.key
'hw7'
"""

from __future__ import annotations

import importlib

from derivations.registry import Registry

KNOWN = {"hw7": "derivations.hw7"}
DEFAULT = "hw7"


def registry(key: str | None = None) -> Registry:
    """The registry of homework ``key`` (the default one when None)."""
    key = key or DEFAULT
    if key not in KNOWN:
        raise KeyError(f"unknown homework {key!r} (known: {', '.join(KNOWN)})")
    return importlib.import_module(KNOWN[key]).REGISTRY
