"""``python -m tests.benchmarks``: the whole benchmark suite (see run.py)."""

from tests.benchmarks.run import main

raise SystemExit(main())
