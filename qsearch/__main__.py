"""``python -m qsearch``: the same command as ``qsearch``."""

import sys

from qsearch.cli import main

sys.exit(main())
