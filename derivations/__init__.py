"""SymPy side of the checker: derivation chains, the answer registry, the CLI and LaTeX output."""
