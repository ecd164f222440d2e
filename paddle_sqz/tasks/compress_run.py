"""Deep Compression of a finished run: prune, optionally fine-tune, share weights, code, check.

Each step is a function of plain state dicts (``compress/``); this module applies them to
a run, so the command-line tool and the Table 2 experiment run the same code. The run
folder gets ``compressed/`` with the ``.sqz`` files and any fine-tuning run.
"""
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np
import paddle

from ..compress.finetune import finetune_pruned
from ..compress.model_file import load_compressed, save_compressed
from ..compress.pruning import fp32_bytes, prune, state_of
from ..errors import SqzError
from ..runs import Run
from ..train.evaluate import evaluate
from ..train.visualdl_views import add_weight_histograms, run_writer


class RunEvaluator:
    """Test-set top-1/top-5 of any weights for one run, reusing one model and one loader."""

    def __init__(self, run: Run):
        self.model = run.fresh_model()
        dataset = run.source.dataset("test")
        self.loader, _ = run.source.loader(dataset, run.cfg["train"]["eval_batch_size"], train=False)
        self.images = len(dataset)

    def __call__(self, state: Mapping[str, np.ndarray]) -> Dict[str, float]:
        self.model.set_state_dict({k: paddle.to_tensor(v) for k, v in state.items()})
        result = evaluate(self.model, self.loader)
        return {"top1": result["top1"], "top5": result["top5"]}


def pruned_run_state(run: Run, sparsity: float, scope: str, finetune_epochs: int,
                     out_dir: Path, finetune_lr: Optional[float] = None,
                     rounds: int = 1) -> Tuple[Dict[str, np.ndarray], Any]:
    """The run's best weights pruned (and fine-tuned with the masks held); and the last fine-tune run.

    ``rounds`` > 1 prunes step by step (sparsity/rounds more each round, each followed by
    ``finetune_epochs``), as Deep Compression does: one big cut can leave a network
    whose ReLUs are all off, from which no gradient recovers.
    """
    if rounds < 1:
        raise SqzError(f"--prune-rounds must be at least 1, got {rounds}")
    state, finetune_run = state_of(run.model()), None
    for done in range(1, rounds + 1):
        state, masks = prune(state, sparsity * done / rounds, scope)
        if finetune_epochs > 0 and sparsity > 0:
            state, finetune_run = finetune_pruned(run.cfg, state, masks, finetune_epochs, out_dir, finetune_lr)
    return state, finetune_run


def compress_run(run_path, sparsity: float, bits: int, method: str = "kmeans", scope: str = "layer",
                 bias_bits: int = 8, finetune_epochs: int = 0, finetune_lr: Optional[float] = None,
                 out: Optional[Path] = None, rounds: int = 1) -> Dict[str, Any]:
    """Write ``RUN/compressed/model_<bits>bit.sqz`` (or ``out``) and return its size and settings."""
    run = Run.open(run_path)
    folder = run.path / "compressed"
    state, finetune_run = pruned_run_state(run, sparsity, scope, finetune_epochs, folder, finetune_lr, rounds)
    path = Path(out) if out else folder / f"model_{bits}bit.sqz"
    result = save_compressed(path, state, run.cfg["model"], bits, method, bias_bits,
                             scope=scope, finetune_epochs=finetune_epochs, prune_rounds=rounds)
    result["fp32_bytes"] = fp32_bytes(run.model())
    result["finetune_run"] = str(finetune_run) if finetune_run else None
    if finetune_run and run.cfg["output"]["visualdl"]:
        # the Histogram tab's last step: the weights as decoded from the file, shared values
        with run_writer(Path(finetune_run)) as writer:
            add_weight_histograms(writer, load_compressed(path)[1], finetune_epochs + 1)
    return result
