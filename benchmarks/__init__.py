"""Benchmarks and reliability reports (issue 9): run with ``make bench`` / ``make reliability``.

Each script is a module: ``python -m benchmarks.kernels`` etc., from the repository root. Results
go to ``benchmarks/results/`` as JSON (machine-readable) and Markdown (the README's table).
"""
