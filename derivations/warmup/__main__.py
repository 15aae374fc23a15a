"""``python -m derivations.warmup``: Questions 1 and 2 derived step by step, with their checks."""

from derivations.cli import show_section

raise SystemExit(show_section("warmup"))
