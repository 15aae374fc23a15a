"""numerics stays free of SymPy and of derivations (DESIGN.md's dependency direction)."""

import pkgutil
import subprocess
import sys

import numerics


def test_numerics_imports_neither_sympy_nor_derivations():
    names = [f"numerics.{m.name}" for m in pkgutil.iter_modules(numerics.__path__)]
    code = ("import sys\n" + "".join(f"import {n}\n" for n in names)
            + "bad = [m for m in sys.modules if m.split('.')[0] in ('sympy', 'derivations')]\n"
            + "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"numerics pulled in: {out.strip()}"
