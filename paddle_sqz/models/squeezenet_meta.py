"""SqueezeNet from the paper's metaparameters (Iandola et al. 2016, section 5.1).

For fire module i = 0..7 (fire2..fire9):

- ``e_i = base_e + incr_e * floor(i / freq)`` expand filters,
- ``e3x3_i = pct_3x3 * e_i`` (rounded, at least 1) and ``e1x1_i = e_i - e3x3_i`` (at least 1),
- ``s1x1_i = SR * e_i`` squeeze filters (rounded, at least 1).

The defaults (128, 128, 0.5, 2, 0.125) give v1.0 exactly; the macro-architecture
(``bypass`` none / simple / complex) and the layout of conv1 and the pools (v1.0's, or
v1.1's cheaper one) stay fixed, so only the fire widths move, as in the paper's
design-space experiments.
"""
import math
from typing import List, Tuple

from ..errors import SqzError
from .registry import ModelArg, register_model
from .squeezenet import ARGS as SQUEEZENET_ARGS, SqueezeNet

N_FIRE = 8
DEFAULTS = {"base_e": 128, "incr_e": 128, "pct_3x3": 0.5, "freq": 2, "sr": 0.125}
ARGS = {
    **SQUEEZENET_ARGS,
    "base_e": ModelArg("int", 128, "squeezenet_meta: expand filters of fire2 (paper section 5.1)"),
    "incr_e": ModelArg("int", 128, "squeezenet_meta: expand filters added every model.freq fire modules"),
    "pct_3x3": ModelArg("float", 0.5, "squeezenet_meta: share of 3x3 among the expand filters"),
    "freq": ModelArg("int", 2, "squeezenet_meta: fire modules between width increases"),
    "sr": ModelArg("float", 0.125, "squeezenet_meta: squeeze ratio, squeeze filters / expand filters"),
    "layout": ModelArg("str", "1_0", "squeezenet_meta: conv1 and pools of v1.0 (7x7/2, 96 filters) or v1.1 "
                       "(3x3/2, 64 filters, pools after conv1, fire3, fire5: about 2.4x fewer FLOPs)",
                       ("1_0", "1_1")),
}


def _round(value: float) -> int:
    """Round half up (Python's ``round`` would send 0.5 to the even neighbour)."""
    return max(1, int(math.floor(value + 0.5)))


def check_metaparameters(base_e: int, incr_e: int, pct_3x3: float, freq: int, sr: float) -> None:
    """One-line errors naming the config key for values the formulas cannot use."""
    if base_e < 2:
        raise SqzError(f"model.base_e: must be at least 2 (one 1x1 and one 3x3 expand filter), got {base_e}")
    if incr_e < 0:
        raise SqzError(f"model.incr_e: must be 0 or more, got {incr_e}")
    if not 0.0 < pct_3x3 < 1.0:
        raise SqzError(f"model.pct_3x3: must be strictly between 0 and 1, got {pct_3x3}")
    if freq < 1:
        raise SqzError(f"model.freq: must be at least 1, got {freq}")
    if not 0.0 < sr <= 1.0:
        raise SqzError(f"model.sr: the squeeze ratio must be in (0, 1], got {sr}")


def fire_dims(base_e: int = 128, incr_e: int = 128, pct_3x3: float = 0.5, freq: int = 2,
              sr: float = 0.125) -> List[Tuple[int, int, int]]:
    """``(s1x1, e1x1, e3x3)`` of fire2..fire9 for the metaparameters (see the module docstring)."""
    check_metaparameters(base_e, incr_e, pct_3x3, freq, sr)
    dims = []
    for i in range(N_FIRE):
        e = base_e + incr_e * (i // freq)
        e3 = min(_round(pct_3x3 * e), e - 1)
        dims.append((_round(sr * e), e - e3, e3))
    return dims


@register_model(family="squeezenet", input_size=224, in_channels=3, args=ARGS)
def squeezenet_meta(num_classes: int = 1000, dropout: float = 0.5, bypass: str = "none", in_channels: int = 3,
                    base_e: int = 128, incr_e: int = 128, pct_3x3: float = 0.5, freq: int = 2,
                    sr: float = 0.125, layout: str = "1_0") -> SqueezeNet:
    """Fire widths from the metaparameters in v1.0's layout (defaults: v1.0 exactly, 1,248,424 params).

    ``layout="1_1"`` puts them in v1.1's cheaper stem (3x3/2 conv1 with 64 filters, earlier pools).
    """
    planes = fire_dims(base_e, incr_e, pct_3x3, freq, sr)
    if layout not in ("1_0", "1_1"):
        raise SqzError(f"model.layout: unknown SqueezeNet layout {layout!r}; valid: 1_0, 1_1")
    return SqueezeNet(layout, num_classes, dropout, bypass, in_channels, planes=planes)
