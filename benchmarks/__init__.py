"""Benchmarks of Jurisdesk: `python -m benchmarks` runs every benchmarks/bench_*.py module."""
