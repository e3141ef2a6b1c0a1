"""`python -m bench`: the whole benchmark suite, one table (bench/run.py)."""

import sys

from bench.run import main

sys.exit(main())
