"""Where configs meet the library: model, data sets, loaders and optimizer from a config dict."""
from pathlib import Path
from typing import Any, Dict, List

import paddle

from ..data.dataset import ListDataset
from ..data.demo import ensure_demo_dataset
from ..data.labels import read_labels
from ..data.listfile import read_list
from ..data.transforms import build_transform
from ..errors import SqzError
from ..models import build_model as _build_registered
from ..models.registry import get_builder
from .sampler import EpochBatchSampler


def build_model(cfg: Dict[str, Any]) -> paddle.nn.Layer:
    """The configured model; model keys a builder does not take are left out (e.g. bypass for a CNN)."""
    m = cfg["model"]
    builder = get_builder(m["name"])
    import inspect
    accepted = inspect.signature(builder).parameters
    kwargs = {k: m[k] for k in ("num_classes", "dropout", "bypass", "in_channels") if k in accepted}
    return _build_registered(m["name"], **kwargs)


def resolve_data_paths(cfg: Dict[str, Any]) -> None:
    """Make the data paths absolute (against the working directory) so a run works from anywhere."""
    data = cfg["data"]
    for key in ("root", "train_list", "test_list", "labels"):
        if data.get(key):
            data[key] = str(Path(data[key]).expanduser().resolve())


def prepare_data(cfg: Dict[str, Any]) -> List[str]:
    """Generate the demo data set when the config asks for it; return the class names."""
    data = cfg["data"]
    if data["demo"]:
        ensure_demo_dataset(Path(data["train_list"]).parent)
    labels_path = Path(data["labels"])
    if not labels_path.is_file():
        raise SqzError(f"data.labels: {labels_path} not found; make it with tools/split_dataset.py "
                       "(see datasets/README.md)")
    names = read_labels(labels_path)
    if len(names) != cfg["model"]["num_classes"]:
        raise SqzError(f"{labels_path} lists {len(names)} classes but model.num_classes is "
                       f"{cfg['model']['num_classes']} (set -o model.num_classes={len(names)})")
    return names


def build_dataset(cfg: Dict[str, Any], split: str, list_file=None) -> ListDataset:
    """The training (augmented) or evaluation (never augmented) data set over a list file."""
    data = cfg["data"]
    train = split == "train"
    path = list_file or data["train_list" if train else "test_list"]
    if not Path(path).is_file():
        raise SqzError(f"data.{split}_list: {path} not found; make it with tools/split_dataset.py")
    items = read_list(path, root=data["root"], num_classes=cfg["model"]["num_classes"])
    return ListDataset(items, build_transform(data, train=train), train=train, seed=cfg["seed"])


def build_loader(cfg: Dict[str, Any], dataset, train: bool, rank: int = 0, world_size: int = 1):
    """A DataLoader whose batch order is fixed by (seed, epoch); see :class:`EpochBatchSampler`."""
    size = cfg["train"]["batch_size" if train else "eval_batch_size"]
    sampler = EpochBatchSampler(len(dataset), size, shuffle=train, seed=cfg["seed"],
                                rank=rank if train else 0, world_size=world_size if train else 1)
    workers = cfg["data"]["num_workers"]
    loader = paddle.io.DataLoader(dataset, batch_sampler=sampler, num_workers=workers,
                                  use_shared_memory=cfg["data"]["use_shared_memory"] and workers > 0)
    return loader, sampler


def build_optimizer(cfg: Dict[str, Any], parameters):
    t = cfg["train"]
    lr, wd = t["lr"], t["weight_decay"] or None
    if t["optimizer"] == "adam":
        return paddle.optimizer.Adam(learning_rate=lr, parameters=parameters, weight_decay=wd)
    if t["optimizer"] == "adamw":
        return paddle.optimizer.AdamW(learning_rate=lr, parameters=parameters, weight_decay=t["weight_decay"])
    if t["optimizer"] == "momentum":
        return paddle.optimizer.Momentum(learning_rate=lr, momentum=t["momentum"], parameters=parameters,
                                         weight_decay=wd)
    return paddle.optimizer.SGD(learning_rate=lr, parameters=parameters, weight_decay=wd)


def lr_at(cfg: Dict[str, Any], epoch: int) -> float:
    """The learning rate of 1-based ``epoch``: a pure function of the epoch, so resuming is exact."""
    import math
    t = cfg["train"]
    progress = (epoch - 1) / t["epochs"]
    if t["lr_schedule"] == "cosine":
        return t["lr"] * 0.5 * (1 + math.cos(math.pi * progress))
    if t["lr_schedule"] == "poly":
        return t["lr"] * (1 - progress)
    return t["lr"]
