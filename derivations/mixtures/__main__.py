"""``python -m derivations.mixtures``: every derivation of questions 4-7, step by step."""

from derivations.cli import show_section

raise SystemExit(show_section("mixtures"))
