"""Fine-tune a pruned model through the normal trainer, with the pruned weights held at zero.

Deep Compression retrains after pruning so the surviving weights take over from
the removed ones. The run is an ordinary run folder (log, metrics, best model),
started from the pruned weights instead of a fresh initialisation.
"""
import copy
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np
import paddle

from ..train.checkpoint import load_weights, read_weights
from ..train.run_dir import RunDir
from ..train.trainer import Trainer
from ..train.visualdl_views import add_weight_histograms
from .pruning import MaskKeeper, apply_masks


def finetune_pruned(cfg: Dict[str, Any], state: Mapping[str, np.ndarray], masks: Mapping[str, np.ndarray],
                    epochs: int, out_dir: Path, lr: Optional[float] = None) -> Tuple[Dict[str, np.ndarray], Path]:
    """Train ``epochs`` more epochs from ``state`` keeping ``masks``; returns the best weights and the run."""
    cfg = copy.deepcopy(cfg)
    cfg["train"]["epochs"] = epochs
    cfg["output"].update(dir=str(out_dir), name="finetune")
    if lr is not None:
        cfg["train"]["lr"] = lr
    trainer = Trainer(cfg)
    load_weights(trainer.net, {k: paddle.to_tensor(v) for k, v in state.items()}, what="pruned weights")
    keeper = MaskKeeper(trainer.net, masks)
    if trainer.log.writer is not None:  # VisualDL Histogram tab: step 0 = just pruned
        add_weight_histograms(trainer.log.writer, trainer.net.state_dict(), 0)
        trainer.log.on_epoch(lambda writer, epoch: add_weight_histograms(
            writer, trainer.net.state_dict(), epoch))
    run_path = trainer.fit()
    keeper.remove()
    best = read_weights(RunDir(run_path).best)
    return apply_masks(dict(best), masks), run_path
