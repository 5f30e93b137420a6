"""Benchmark scripts for factcheck (run as ``python -m bench.polnear``, ``python -m bench.speed``)."""
