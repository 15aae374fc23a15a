"""``python -m derivations`` is the ``derive`` command."""

import sys

from derivations.cli import main

sys.exit(main())
