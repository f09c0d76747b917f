"""Benchmarks that write docs/benchmarks.md and bench/results/."""
