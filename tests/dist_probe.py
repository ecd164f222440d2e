"""Run under ``paddle.distributed.launch`` in place of tools/train.py: trains exactly as the tool
does, and records what this process saw (its rank, the world size, every training batch's
indices) in ``<PROBE_DIR>/rank<N>.json`` for the multi-node test to compare."""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import _bootstrap  # noqa: E402,F401  (as the tool: runtime settings before Paddle loads)
import train as train_tool  # noqa: E402

from paddle_sqz.data.loaders import sampler  # noqa: E402
from paddle_sqz.train import device  # noqa: E402

batches = []
_plain_iter = sampler.EpochBatchSampler.__iter__


def _recording_iter(self):
    for batch in _plain_iter(self):
        if self.shuffle:  # the training sampler (evaluation is not sharded)
            batches.append([self.epoch, batch])
        yield batch


sampler.EpochBatchSampler.__iter__ = _recording_iter

if __name__ == "__main__":
    code = train_tool.main(sys.argv[1:])
    info = device.dist_info()
    record = {"rank": info.rank, "world_size": info.world_size, "batches": batches,
              "env": {k: os.environ.get(k) for k in ("PADDLE_TRAINER_ID", "PADDLE_TRAINERS_NUM", "PADDLE_NNODES")}}
    Path(os.environ["PROBE_DIR"], f"rank{info.rank}.json").write_text(json.dumps(record))
    sys.exit(code)
