"""``python -m derivations.flow_matching`` prints Question 9's derivations step by step."""

from derivations.cli import show_section

raise SystemExit(show_section("flow_matching"))
