"""Mixed precision: off on the CPU, refused by name on a GPU without the dtype (no GPU here: faked)."""
import paddle
import pytest

from paddle_sqz.train.device import amp_dtype
from paddle_sqz.errors import SqzError


def test_cpu_ignores_amp():
    assert amp_dtype("float16", "cpu") == "none" and amp_dtype("bfloat16", "cpu") == "none"


def test_gpu_keeps_a_supported_dtype_and_refuses_a_missing_one(monkeypatch):
    monkeypatch.setattr(paddle.amp, "is_float16_supported", lambda device=None: True)
    monkeypatch.setattr(paddle.amp, "is_bfloat16_supported", lambda device=None: False)
    assert amp_dtype("float16", "gpu") == "float16" and amp_dtype("none", "gpu") == "none"
    with pytest.raises(SqzError, match="train.amp: this GPU does not support bfloat16 .use train.amp=float16"):
        amp_dtype("bfloat16", "gpu")
