"""``python -m derivations.diffusion``: the derivations of question 8, step by step."""

from derivations.cli import show_section

raise SystemExit(show_section("diffusion"))
