"""Answers of the homework's section `mixtures` (not written yet: its parts are listed as todo)."""

from derivations.registry import register  # noqa: F401

if __name__ == "__main__":
    from derivations.cli import show_section

    raise SystemExit(show_section("mixtures"))
