"""Benchmarks at newsroom scale; run them with ``python -m tests.benchmarks`` (see run.py)."""
