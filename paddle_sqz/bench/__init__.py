"""Speed measurements of the package against plain Paddle and the tutorial's loop (tools/benchmark.py)."""
