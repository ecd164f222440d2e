"""Where configs meet the library: model, data sets, loaders and optimizer from a config dict."""
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import paddle

from ..data.cache import should_cache
from ..data.dataset import ListDataset
from ..data.demo import ensure_demo_dataset
from ..data.labels import read_labels
from ..data.listfile import read_list
from ..data.quickdraw import SPLITS as QD_SPLITS, QuickDrawDataset, list_classes, make_splits
from ..data.transforms import build_transform
from ..errors import SqzError
from ..models import build_model as _build_registered
from ..models.registry import get_builder
from ..data.loaders.array_loader import ArrayLoader
from ..data.loaders.sampler import EpochBatchSampler
from ..data.loaders.thread_loader import ThreadLoader


def build_model(cfg: Dict[str, Any]) -> paddle.nn.Layer:
    """The configured model; model keys a builder does not take are left out (e.g. bypass for a CNN)."""
    m = cfg["model"]
    builder = get_builder(m["name"])
    import inspect
    accepted = inspect.signature(builder).parameters
    keys = ("num_classes", "dropout", "bypass", "in_channels", "base_e", "incr_e", "pct_3x3", "freq", "sr", "layout")
    kwargs = {k: m[k] for k in keys if k in accepted}
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
    if data["kind"] == "quickdraw":
        return _prepare_quickdraw(cfg)
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


def eval_split(cfg: Dict[str, Any]) -> str:
    """The split evaluated after every training epoch.

    Quick Draw: the validation split (as the tutorial's Keras ``validation_split``),
    so the test fold stays unseen until ``tools/eval.py``; list data: the test list.
    """
    return "val" if cfg["data"]["kind"] == "quickdraw" else "test"


def _prepare_quickdraw(cfg: Dict[str, Any]) -> List[str]:
    """Check the Quick Draw keys, make ``data.folder`` absolute, return the sorted class names."""
    data, model = cfg["data"], cfg["model"]
    if not data["folder"]:
        raise SqzError("data.folder: data.kind is quickdraw but no folder of <class>.npy files is set "
                       "(-o data.folder=DIR)")
    folder = Path(data["folder"]).expanduser().resolve()
    if not folder.is_dir():
        raise SqzError(f"data.folder: {folder} not found; download classes into it with "
                       "datasets/download_quickdraw.py (see README.md, Quick Draw)")
    data["folder"] = str(folder)
    for key in ("test_fraction", "val_fraction"):
        if not 0.0 <= data[key] < 1.0:
            raise SqzError(f"config key 'data.{key}' must be in [0, 1), got {data[key]}")
    if data["max_items_per_class"] < 1:
        raise SqzError(f"config key 'data.max_items_per_class' must be at least 1, "
                       f"got {data['max_items_per_class']}")
    if model["in_channels"] != 1:
        raise SqzError(f"config key 'model.in_channels' must be 1 for Quick Draw (grayscale drawings), "
                       f"got {model['in_channels']}")
    names = list_classes(folder)
    if len(names) != model["num_classes"]:
        raise SqzError(f"{folder} holds {len(names)} classes (<class>.npy files) but model.num_classes is "
                       f"{model['num_classes']} (set -o model.num_classes={len(names)})")
    return names


def build_quickdraw_dataset(cfg: Dict[str, Any], split: str,
                            classes: Optional[Sequence[str]] = None) -> QuickDrawDataset:
    """One split (``train``, ``val`` or ``test``) of the config's Quick Draw folder.

    ``classes`` (default: the folder's sorted class names) fixes the label order, e.g. a
    trained run's ``labels.txt``.
    """
    if split not in QD_SPLITS:
        raise SqzError(f"unknown Quick Draw split {split!r}; expected one of {', '.join(QD_SPLITS)}")
    data = cfg["data"]
    folder = Path(data["folder"])
    if not folder.is_dir():
        raise SqzError(f"data.folder: {folder} not found (moved? evaluate elsewhere with --data-folder DIR)")
    classes = list(classes) if classes is not None else list_classes(folder)
    pairs = make_splits(folder, classes, max_items_per_class=data["max_items_per_class"],
                        test_fraction=data["test_fraction"], val_fraction=data["val_fraction"],
                        seed=cfg["seed"])[split]
    if len(pairs) == 0:
        raise SqzError(f"the {split} split of {folder} is empty (data.max_items_per_class="
                       f"{data['max_items_per_class']}, data.test_fraction={data['test_fraction']}, "
                       f"data.val_fraction={data['val_fraction']})")
    return QuickDrawDataset(folder, pairs, classes, image_size=data["image_size"])


def build_dataset(cfg: Dict[str, Any], split: str, list_file=None, classes=None):
    """The training (augmented) or evaluation (never augmented) data set.

    List data: ``split`` ``train`` reads ``data.train_list``, anything else ``data.test_list``
    (or ``list_file``). Quick Draw: the ``train``, ``val`` or ``test`` split of ``data.folder``.
    """
    data = cfg["data"]
    if data["kind"] == "quickdraw":
        if list_file is not None:
            raise SqzError("list files are for data.kind 'list'; a Quick Draw run reads data.folder")
        return build_quickdraw_dataset(cfg, split, classes)
    train = split == "train"
    path = list_file or data["train_list" if train else "test_list"]
    if not Path(path).is_file():
        raise SqzError(f"data.{split}_list: {path} not found; make it with tools/split_dataset.py")
    items = read_list(path, root=data["root"], num_classes=cfg["model"]["num_classes"], check_exists=True)
    return ListDataset(items, build_transform(data, train=train), train=train, seed=cfg["seed"],
                       cache=should_cache(len(items), data))


def build_loader(cfg: Dict[str, Any], dataset, train: bool, rank: int = 0, world_size: int = 1):
    """A loader whose batch order is fixed by (seed, epoch); see :class:`EpochBatchSampler`.

    A Quick Draw data set gets an :class:`ArrayLoader` (whole batches gathered with numpy
    from the memory-mapped files); list data a ``paddle.io.DataLoader``.
    """
    size = cfg["train"]["batch_size" if train else "eval_batch_size"]
    sampler = EpochBatchSampler(len(dataset), size, shuffle=train, seed=cfg["seed"],
                                rank=rank if train else 0, world_size=world_size if train else 1)
    if isinstance(dataset, QuickDrawDataset):
        data = cfg["data"]
        return ArrayLoader(dataset, sampler, mean=data["mean"], std=data["std"],
                           hflip=train and data["hflip"], vflip=train and data["vflip"],
                           seed=cfg["seed"]), sampler
    workers = cfg["data"]["num_workers"]
    if cfg["data"]["loader"] == "threads":
        return ThreadLoader(dataset, sampler, num_threads=workers), sampler
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
