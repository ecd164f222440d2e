"""Whether a list data set's decoded images fit in memory (``data.cache_images``).

Decoding a JPEG and resizing it cost more CPU than the flips and normalisation that
must run every epoch; keeping the resized uint8 pixels after the first epoch removes
that work from every later one (notebooks/RESULTS.md, Speed). ``auto`` caches only what fits both a
fixed budget and half of the memory the kernel reports as available.
"""
from typing import Any, Dict, Optional


def available_mb() -> Optional[float]:
    """``MemAvailable`` from ``/proc/meminfo`` (Linux), else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return None


def cache_size_mb(count: int, data_cfg: Dict[str, Any]) -> float:
    """Memory for ``count`` cached images: ``image_size``^2 x channels bytes each."""
    channels = len(data_cfg.get("mean", [0, 0, 0]))
    return count * data_cfg["image_size"] ** 2 * channels / 2 ** 20


def should_cache(count: int, data_cfg: Dict[str, Any]) -> bool:
    """The decision for a data set of ``count`` images under the ``data`` config section."""
    mode = data_cfg.get("cache_images", "never")
    if mode != "auto":
        return mode == "always"
    need, free = cache_size_mb(count, data_cfg), available_mb()
    return need <= data_cfg.get("cache_max_mb", 0) and (free is None or need <= free / 2)
