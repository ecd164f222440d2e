"""Runtime settings applied before Paddle loads: MKL path on AMD, glibc keeping freed memory."""
import os
import subprocess
import sys

from conftest import ROOT

PROBE = """
import resource, sys
sys.path.insert(0, {root!r})
from paddle_sqz import runtime
applied = runtime.configure()
import numpy as np
np._core.multiarray._set_madvise_hugepage(False) if hasattr(np, '_core') else np.core.multiarray._set_madvise_hugepage(False)  # count 4 KiB pages, as Paddle's tensors get
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(25_000_000, np.float32)  # warm-up: the heap grows once
start = faults()
for _ in range(5):
    np.ones(25_000_000, np.float32)  # 100 MB, freed at once
print(faults() - start)
print(runtime.describe())
print(sorted(applied))
"""


def _probe(**env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("PADDLE_SQZ")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT))], capture_output=True,
                         text=True, env=full, check=True, timeout=60).stdout.splitlines()
    return int(out[0]), out[1], out[2]


def test_freed_memory_is_reused_without_page_faults():
    tuned, describe, applied = _probe()
    untuned, plain_describe, plain_applied = _probe(PADDLE_SQZ_MALLOC="0")
    # 5 x 100 MB = about 122,000 fresh 4 KiB pages when glibc unmaps each block
    assert untuned > 100_000, untuned
    assert tuned < untuned / 10, (tuned, untuned)
    assert "malloc=keep-freed" in describe and "malloc" in applied
    assert "malloc=keep-freed" not in plain_describe and "malloc" not in plain_applied
    assert "PADDLE_SQZ_MALLOC=0" in plain_describe


def test_no_tuning_switch_turns_everything_off():
    _, describe, applied = _probe(PADDLE_SQZ_NO_TUNING="1")
    assert applied == "[]" and "malloc" not in describe
