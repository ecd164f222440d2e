"""Environment settings that must be in place before Paddle is imported.

Paddle's CPU wheel bundles an Intel MKL that takes a slow code path on AMD
processors; ``MKL_DEBUG_CPU_TYPE=5`` makes it use its AVX2 kernels (measured
about 1.5x on SqueezeNet training here, see README). Applied automatically on AMD
CPUs unless the user set the variable already or set ``PADDLE_SQZ_NO_TUNING=1``.
"""
import os
import sys
from typing import Dict


def _cpu_vendor() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def configure() -> Dict[str, str]:
    """Apply the settings (only if Paddle is not loaded yet); return what was set, for the run log."""
    applied: Dict[str, str] = {}
    if os.environ.get("PADDLE_SQZ_NO_TUNING") == "1" or "paddle" in sys.modules:
        return applied
    if _cpu_vendor() == "AuthenticAMD" and "MKL_DEBUG_CPU_TYPE" not in os.environ:
        os.environ["MKL_DEBUG_CPU_TYPE"] = "5"
        applied["MKL_DEBUG_CPU_TYPE"] = "5"
    return applied


def describe() -> str:
    """One line for logs: the settings in force."""
    keys = ("MKL_DEBUG_CPU_TYPE", "OMP_NUM_THREADS", "PADDLE_SQZ_NO_TUNING")
    found = [f"{k}={os.environ[k]}" for k in keys if k in os.environ]
    return "runtime: " + (", ".join(found) if found else "defaults")
