"""The engine names every tool's ``--engine`` takes (no Paddle import: argparse needs them first)."""

ENGINES = ("dygraph", "inference", "onnxruntime", "onnxruntime-int8", "lite")
