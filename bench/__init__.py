"""Benchmark scripts for factcheck: ``python -m bench.polnear``, ``python -m bench.speed``."""
