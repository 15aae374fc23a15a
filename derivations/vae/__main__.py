"""``python -m derivations.vae``: Question 3's derivations, step by step, with their verdicts."""

from derivations.cli import show_section

raise SystemExit(show_section("vae"))
