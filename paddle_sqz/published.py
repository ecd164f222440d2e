"""Figures published by the SqueezeNet paper and the two tutorials, shown beside the package's own.

They are never used to compute anything: reports print them next to what was measured.

Each figure says which metric it is: the Quick Draw tutorial's "Test accuracy" is Keras'
``top_k_categorical_accuracy``, i.e. top-5; the paper's figures are ImageNet (1000 classes),
which no run here trains on, so those gaps say how far the setting is, not whether the code
is right. The birds tutorial only plots curves: it publishes no figure.
"""
from typing import Dict, List, NamedTuple, Optional, Sequence

# SqueezeNet (Iandola et al. 2016), Table 2: SqueezeNet + Deep Compression, 6-bit: "0.47 MB"
PAPER_DEEP_COMPRESSION_BYTES = 470_000
# torchvision / Caffe AlexNet at 1000 classes (the paper's 240 MB baseline)
ALEXNET_PARAMS = 61_100_840


class Published(NamedTuple):
    value: float                  # accuracy as a fraction
    metric: str                   # the key of ours it compares with: "top1" or "top5"
    metric_name: str              # what the source measured, in words
    setting: str                  # the source's data and training
    source: str
    size_kb: Optional[float] = None   # the source's saved model, if it gives one
    parameters: Optional[int] = None


KERAS_TOP5 = "Keras top_k_categorical_accuracy = top-5"
TUTORIAL = "Quick Draw tutorial"
TUTORIAL_CLASSES, TUTORIAL_EPOCHS = 100, 10
_TUTORIAL_SETTING = "100 classes, first 4000 drawings each, 20% test fold"

# model name -> the tutorial's results for it (10 epochs unless said otherwise)
QUICKDRAW_TUTORIAL: Dict[str, List[Published]] = {
    "qd_simple_cnn": [Published(0.9292, "top5", KERAS_TOP5, f"{_TUTORIAL_SETTING}, 10 epochs",
                                TUTORIAL, 401, 110_052)],
    "qd_k1k3": [Published(0.9264, "top5", KERAS_TOP5, f"{_TUTORIAL_SETTING}, 10 epochs",
                          TUTORIAL, 387, 106_236)],
    "qd_gap": [Published(0.8882, "top5", KERAS_TOP5, f"{_TUTORIAL_SETTING}, 10 epochs",
                         TUTORIAL, 110, 29_796),
               Published(0.9088, "top5", KERAS_TOP5, f"{_TUTORIAL_SETTING}, 20 epochs",
                         TUTORIAL, 110, 29_796)],
}

PAPER = "SqueezeNet paper"
_IMAGENET = "ImageNet, 1000 classes"


def _paper(top1: Optional[float], top5: Optional[float], setting: str) -> List[Published]:
    out = []
    if top1 is not None:
        out.append(Published(top1, "top1", "ImageNet top-1", setting, PAPER))
    if top5 is not None:
        out.append(Published(top5, "top5", "ImageNet top-5", setting, PAPER))
    return out


# sweep name -> swept value -> the paper's figures for that setting
PAPER_SWEEPS: Dict[str, Dict[object, List[Published]]] = {
    "bypass": {"none": _paper(0.575, 0.803, f"{_IMAGENET}, Table 3, 4.8 MB"),
               "simple": _paper(0.604, 0.825, f"{_IMAGENET}, Table 3, 4.8 MB"),
               "complex": _paper(0.588, 0.820, f"{_IMAGENET}, Table 3, 7.7 MB")},
    # SR=0.125 and pct_3x3=0.5 are SqueezeNet v1.0 itself (Table 2 / Table 3 vanilla)
    "sr": {0.125: _paper(0.575, 0.803, f"{_IMAGENET}, v1.0, 4.8 MB"),
           0.75: _paper(None, 0.86, f"{_IMAGENET}, Figure 3a (read off the plot: ~86%), 19 MB")},
    "pct_3x3": {0.5: _paper(0.575, 0.803, f"{_IMAGENET}, v1.0, 4.8 MB")},
}
PAPER_ORDER = ("simple", "complex", "none")  # Table 3's ranking, best first

# Table 2: file sizes (MB of 10^6 bytes as printed) and accuracy of each compression step
PAPER_TABLE2 = (
    ("AlexNet, fp32", 240.0, 0.572, 0.803),
    ("SqueezeNet, fp32", 4.8, 0.575, 0.803),
    ("SqueezeNet + Deep Compression, 8-bit", 0.66, 0.575, 0.803),
    ("SqueezeNet + Deep Compression, 6-bit", 0.47, 0.575, 0.803),
)
PAPER_TARGET_BYTES = PAPER_DEEP_COMPRESSION_BYTES
PAPER_BITS_MB = {32: 4.8, 8: 0.66, 6: 0.47}

# Table 1: parameters per layer of SqueezeNet v1.0 at 1000 classes (total 1,248,424)
PAPER_TABLE1_V10 = {"conv1": 14_208, "fire2": 11_920, "fire3": 12_432, "fire4": 45_344,
                    "fire5": 49_440, "fire6": 104_880, "fire7": 111_024, "fire8": 188_992,
                    "fire9": 197_184, "conv10": 513_000}
PAPER_V10_TOTAL = 1_248_424


def gap_points(ours: float, published: float) -> str:
    """Ours minus published in percentage points, signed: ``"-1.23 points"``."""
    return f"{100 * (ours - published):+.2f} points"


def for_model(model: str) -> List[Published]:
    """The tutorial's figures for a model name (empty when it publishes none)."""
    return list(QUICKDRAW_TUTORIAL.get(model, []))


def for_sweep(sweep: str, value: object) -> List[Published]:
    """The paper's figures for one point of a sweep (values compared as numbers when they are)."""
    table = PAPER_SWEEPS.get(sweep, {})
    for key, figures in table.items():
        same = (key == value or (isinstance(key, float) and isinstance(value, (int, float))
                                 and abs(key - float(value)) < 1e-9)
                or str(key) == str(value))
        if same:
            return list(figures)
    return []


def setting_differences(classes: Optional[int], epochs: Sequence[int]) -> List[str]:
    """How a Quick Draw run's setting differs from the tutorial's (empty when it matches)."""
    diffs = []
    if classes is not None and classes != TUTORIAL_CLASSES:
        diffs.append(f"{classes} classes here, {TUTORIAL_CLASSES} in the tutorial")
    ours = sorted(set(int(e) for e in epochs))
    if ours and ours != [TUTORIAL_EPOCHS]:
        diffs.append(f"{'/'.join(map(str, ours))} epochs here, {TUTORIAL_EPOCHS} in the tutorial")
    return diffs
