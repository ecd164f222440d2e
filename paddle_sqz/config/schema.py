"""Every config key, its type and its default: the one place that says what a config may hold.

Configs (YAML files) only override these defaults; a key that is not here is an
error, so a typo never silently does nothing.
"""
from typing import Any, Dict, NamedTuple, Optional, Tuple

from ..data.sources import SOURCES
from ..models import model_args


class Key(NamedTuple):
    """One config key: its type (``int``, ``float``, ``str``, ``bool``, ``floats``), default and choices."""
    type: str
    default: Any
    help: str
    optional: bool = False
    choices: Optional[Tuple[str, ...]] = None


SCHEMA: Dict[str, Key] = {
    "seed": Key("int", 0, "seed for weights, data order, augmentation and dropout"),
    "model.name": Key("str", "squeezenet1_0", "registered model builder (see tools/summary.py --list)"),
    # data
    "data.kind": Key("str", "list", "data set type: list files of images, or a folder of Quick Draw "
                     "<class>.npy files", choices=tuple(SOURCES)),
    "data.folder": Key("str", None, "Quick Draw only: folder of <class>.npy numpy_bitmap files "
                       "(class names = file names, sorted)", optional=True),
    "data.max_items_per_class": Key("int", 4000, "Quick Draw only: use the first N drawings of each class"),
    "data.test_fraction": Key("float", 0.2, "Quick Draw only: share of each class held out as the test fold"),
    "data.val_fraction": Key("float", 0.2, "share of the training data kept for per-epoch validation, on "
                             "which the best epoch is chosen (list data: carved per class from the train "
                             "list, seeded; Quick Draw: of what the test fold leaves)"),
    "data.val_list": Key("str", None, "list data: an explicit validation list instead of carving one from "
                         "the train list", optional=True),
    "data.root": Key("str", None, "folder that relative paths in the lists are resolved against "
                     "(default: each list file's own folder)", optional=True),
    "data.train_list": Key("str", "datasets/bird_photos/train.txt", "training list file: '<path> <label>' lines"),
    "data.test_list": Key("str", "datasets/bird_photos/test.txt", "evaluation list file"),
    "data.labels": Key("str", "datasets/bird_photos/labels.txt", "class names, one per line, line = label"),
    "data.encoding": Key("str", "utf-8", "text encoding of the list and labels files (e.g. gbk); utf-8 is best"),
    "data.display_names": Key("mapping", None, "class name -> name shown in plots and predict's output "
                              "(e.g. Chinese names); classes not listed show their own name", optional=True),
    "data.demo": Key("bool", False, "generate the synthetic demo data set into the lists' folder if absent"),
    "data.pad_size": Key("int", 32, "black letterbox to this square size first (null: no letterbox)",
                         optional=True),
    "data.image_size": Key("int", 224, "final square input size (bilinear resize)"),
    "data.hflip": Key("bool", True, "random horizontal flip (training only)"),
    "data.vflip": Key("bool", True, "random vertical flip (training only)"),
    "data.mean": Key("floats", [0.5, 0.5, 0.5], "per-channel mean after scaling pixels to 0..1"),
    "data.std": Key("floats", [0.5, 0.5, 0.5], "per-channel std after scaling pixels to 0..1"),
    "data.num_workers": Key("int", 2, "list data: decoding threads (errors name the image); 0: load in the "
                            "main thread"),
    "data.cache_images": Key("str", "auto", "keep decoded, resized images in memory after their first epoch "
                             "(flips and normalisation still run per epoch); auto: when they fit in "
                             "data.cache_max_mb and half the free memory", choices=("auto", "always", "never")),
    "data.cache_max_mb": Key("int", 2048, "data.cache_images=auto caches up to this many MB per data set"),
    # training
    "train.epochs": Key("int", 60, "number of epochs"),
    "train.batch_size": Key("int", 32, "training batch size per device"),
    "train.eval_batch_size": Key("int", 64, "evaluation batch size"),
    "train.optimizer": Key("str", "adam", "optimizer", choices=("adam", "adamw", "momentum", "sgd")),
    "train.lr": Key("float", 1e-4, "base learning rate"),
    "train.lr_schedule": Key("str", "constant", "learning-rate schedule over epochs",
                             choices=("constant", "cosine", "poly")),
    "train.momentum": Key("float", 0.9, "momentum (momentum optimizer only)"),
    "train.weight_decay": Key("float", 0.0, "L2 weight decay"),
    "train.amp": Key("str", "none", "mixed precision on GPU (ignored on CPU)",
                     choices=("none", "float16", "bfloat16")),
    "train.device": Key("str", "auto", "device: auto picks the GPU when Paddle has CUDA", choices=("auto", "cpu", "gpu")),
    "train.fast_conv_bias": Key("bool", True, "CPU training: add conv biases as a tiled (C,H,W) row add, about 3x "
                                "faster than Paddle's per-channel broadcast; for SqueezeNet also bias and ReLU "
                                "after the first max-pool; same outputs, gradients equal up to float rounding "
                                "(models/fast_bias.py)"),
    "train.log_interval": Key("int", 10, "print progress every N batches"),
    "train.test_curves": Key("bool", False, "also evaluate the test split after every epoch (test_* curves, "
                             "as the birds tutorial plots them); the best epoch is never chosen on them"),
    "train.max_batches": Key("int", None, "stop each epoch after N batches (quick trials)", optional=True),
    # output
    "output.dir": Key("str", "output", "folder that holds one sub-folder per run"),
    "output.name": Key("str", None, "run folder name prefix (default: the config's name)", optional=True),
    "output.visualdl": Key("bool", True, "write VisualDL logs"),
}
# every argument a registered model builder declares is a model.* key (models/registry.py)
SCHEMA.update({f"model.{name}": Key(arg.type, arg.default, arg.help, choices=arg.choices)
               for name, arg in model_args().items()})
