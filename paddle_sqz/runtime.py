"""Environment settings that must be in place before Paddle is imported.

Paddle's CPU wheel bundles an Intel MKL that takes a slow code path on AMD
processors; ``MKL_DEBUG_CPU_TYPE=5`` makes it use its AVX2 kernels (measured
about 1.5x on SqueezeNet training here, see notebooks/RESULTS.md). Applied automatically on AMD
CPUs unless the user set the variable already or set ``PADDLE_SQZ_NO_TUNING=1``.

Paddle's CPU allocator takes every large tensor from glibc ``malloc``, which maps big
blocks freshly from the kernel and unmaps them on free: each of the ~150 activations
of a SqueezeNet step then page-faults (about 160,000 faults and 0.45 s of kernel time
per 1_1 step at batch 32 here). :func:`keep_freed_memory` tells glibc to serve large
blocks from its heap and keep freed memory for reuse (``mallopt``), which cut the faults
to about 18,000 per step and sped the step up about 1.3x (notebooks/RESULTS.md, Speed). Same math,
higher resident memory (the peak stays mapped). ``PADDLE_SQZ_MALLOC=0`` turns it off.

Paddle warns "No ccache found ... recompiling all source files may be required" on every
import (it concerns building C++ extensions, which nothing here does): :func:`quiet_paddle_startup`
filters that one message before Paddle loads; every other warning is kept.
"""
import ctypes
import os
import sys
import warnings
from typing import Dict

# glibc mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_MAX = -1, -2, -4
_INT_MAX = 2 ** 31 - 1  # mallopt takes a C int: keep up to 2 GiB of freed memory
_applied: Dict[str, str] = {}


def _cpu_vendor() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def keep_freed_memory() -> bool:
    """Make glibc keep large freed blocks for reuse instead of returning them to the kernel.

    Returns False where it does not apply (not Linux/glibc, or mallopt refused).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = (libc.mallopt(_M_MMAP_MAX, 0) == 1 and libc.mallopt(_M_TRIM_THRESHOLD, _INT_MAX) == 1
              and libc.mallopt(_M_TOP_PAD, 64 << 20) == 1)
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return False
    return ok


def quiet_paddle_startup() -> None:
    """Hide Paddle's import-time ccache warning (only that message; idempotent)."""
    warnings.filterwarnings("ignore", message=r"No ccache found", category=UserWarning)


def configure() -> Dict[str, str]:
    """Apply the settings (only if Paddle is not loaded yet); return what was set, for the run log.

    The ccache filter applies always, also with ``PADDLE_SQZ_NO_TUNING=1`` (it is no tuning).
    """
    quiet_paddle_startup()
    if os.environ.get("PADDLE_SQZ_NO_TUNING") == "1" or "paddle" in sys.modules or _applied:
        return dict(_applied)
    if _cpu_vendor() == "AuthenticAMD" and "MKL_DEBUG_CPU_TYPE" not in os.environ:
        os.environ["MKL_DEBUG_CPU_TYPE"] = "5"
        _applied["MKL_DEBUG_CPU_TYPE"] = "5"
    if os.environ.get("PADDLE_SQZ_MALLOC", "1") != "0" and keep_freed_memory():
        _applied["malloc"] = "keep-freed"
    return dict(_applied)


def describe() -> str:
    """One line for logs: the settings in force (environment, and what configure() applied)."""
    keys = ("MKL_DEBUG_CPU_TYPE", "OMP_NUM_THREADS", "PADDLE_SQZ_NO_TUNING", "PADDLE_SQZ_MALLOC")
    found = [f"{k}={os.environ[k]}" for k in keys if k in os.environ]
    if "malloc" in _applied:
        found.append("malloc=keep-freed (mallopt)")
    return "runtime: " + (", ".join(found) if found else "defaults")
