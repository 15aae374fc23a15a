"""``derive grade``: a class's answers checked in one batch, for course staff.

- :mod:`.submissions` reads the file (CSV with a header, or JSON Lines) into rows;
- :mod:`.names` turns student ids into safe directory names;
- :mod:`.checking` verifies each distinct answer once, on every core;
- :mod:`.reports` writes Gradescope's ``results.json`` per student, ``summary.csv`` and
  ``mistakes.md``;
- :mod:`.batch` ties them together and :mod:`.command` is the subcommand.

Nothing here imports SymPy: the answers are checked in worker processes (or, with one job, by
:mod:`derivations.answercheck` in this one), and come back as plain data.
"""
