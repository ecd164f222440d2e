"""Timing with warm-up and the median of repeats, and peak memory, inside one worker process."""
import resource
import statistics
import sys
import time
from typing import Callable, Dict, List


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def summarise(seconds: List[float], images_per_repeat: int, batches_per_repeat: int) -> Dict[str, float]:
    """images/s and ms per batch from the median repeat; every repeat kept for the JSON."""
    median = statistics.median(seconds)
    return {"images_per_s": images_per_repeat / median, "ms_per_batch": 1000.0 * median / batches_per_repeat,
            "best_s": min(seconds), "repeats_s": [round(s, 4) for s in seconds], "peak_rss_mb": peak_rss_mb()}


def time_repeats(step: Callable[[], None], steps: int, batch: int, warmup: int, repeats: int) -> Dict[str, float]:
    """Run ``step`` ``warmup`` times, then ``repeats`` timed groups of ``steps`` calls."""
    for _ in range(warmup):
        step()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        seconds.append(time.perf_counter() - start)
    return summarise(seconds, steps * batch, steps)
