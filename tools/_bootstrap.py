"""Shared first lines of every tool: make the repo importable uninstalled, tune before Paddle loads."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from paddle_sqz import runtime  # noqa: E402

runtime.configure()
