"""Benchmarks: ``python -m benchmarks.<name>`` from the project root (or ``python benchmarks/<name>.py``)."""
