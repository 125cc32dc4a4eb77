"""Benchmarks (``make bench``): ratios side by side in one run, recorded in docs/benchmarks.md."""
