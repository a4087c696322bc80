"""Benchmarks of the gateway against the limits of the issue, all parts real and on one machine (bench/README.md)."""
