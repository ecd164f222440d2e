"""The paper's experiments: metaparameter generator, Table 1, bypass wiring, AlexNet and the size table."""
import numpy as np
import paddle
import pytest

from conftest import run_tool
from paddle_sqz.config import load_config
from paddle_sqz.models import create_model
from paddle_sqz.errors import SqzError
from paddle_sqz.models import build_model
from paddle_sqz.models.measure import count_macs, count_parameters, saved_size_bytes
from paddle_sqz.models.squeezenet import Fire
from paddle_sqz.models.squeezenet_meta import fire_dims
from paddle_sqz.models.table1 import table1_rows
from paddle_sqz.report.table1 import format_table1

V10_PER_LAYER = [14_208, 11_920, 12_432, 45_344, 49_440, 104_880, 111_024, 188_992, 197_184, 513_000]


def hand_count(dims, classes=1000, conv1=(3, 96, 7)):
    """Parameters of a v1.0-layout SqueezeNet written out from the layer formulas, independent of the model code."""
    c_in, c1, k = conv1
    total, channels = c_in * c1 * k * k + c1, c1
    for s, e1, e3 in dims:
        total += channels * s + s + s * e1 + e1 + s * 9 * e3 + e3
        channels = e1 + e3
    return total + channels * classes + classes


def fires(model):
    return [layer for layer in model.features if isinstance(layer, Fire)]


def test_defaults_are_v10_exactly():
    assert fire_dims() == [(16, 64, 64), (16, 64, 64), (32, 128, 128), (32, 128, 128),
                           (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256)]
    model = build_model("squeezenet_meta", num_classes=1000)
    assert count_parameters(model) == 1_248_424 == hand_count(fire_dims())
    reference = build_model("squeezenet1_0", num_classes=1000)
    assert [list(p.shape) for p in model.parameters()] == [list(p.shape) for p in reference.parameters()]


@pytest.mark.parametrize("kwargs,dims", [
    # SR = 0.75: squeeze = 0.75 x (128, 128, 256, 256, 384, 384, 512, 512)
    ({"sr": 0.75}, [(96, 64, 64), (96, 64, 64), (192, 128, 128), (192, 128, 128),
                    (288, 192, 192), (288, 192, 192), (384, 256, 256), (384, 256, 256)]),
    # e_i = 64 + 32 i (freq 1); 3x3 = e/4; squeeze = e/4
    ({"base_e": 64, "incr_e": 32, "freq": 1, "pct_3x3": 0.25, "sr": 0.25},
     [(16, 48, 16), (24, 72, 24), (32, 96, 32), (40, 120, 40), (48, 144, 48), (56, 168, 56),
      (64, 192, 64), (72, 216, 72)]),
    # 1% 3x3: round(1.28) = 1, round(2.56) = 3, round(3.84) = 4, round(5.12) = 5; SR 0.5
    ({"pct_3x3": 0.01, "sr": 0.5}, [(64, 127, 1), (64, 127, 1), (128, 253, 3), (128, 253, 3),
                                    (192, 380, 4), (192, 380, 4), (256, 507, 5), (256, 507, 5)]),
    ({"pct_3x3": 0.99, "sr": 0.5}, [(64, 1, 127), (64, 1, 127), (128, 3, 253), (128, 3, 253),
                                    (192, 4, 380), (192, 4, 380), (256, 5, 507), (256, 5, 507)]),
])
def test_other_settings_follow_the_paper_formulas(kwargs, dims):
    assert fire_dims(**kwargs) == dims
    model = build_model("squeezenet_meta", num_classes=1000, **kwargs)
    assert [(f.squeeze.weight.shape[0], f.expand1x1.weight.shape[0], f.expand3x3.weight.shape[0])
            for f in fires(model)] == dims
    assert count_parameters(model) == hand_count(dims)


def test_sr_075_is_the_papers_19_mb_model():
    model = build_model("squeezenet_meta", num_classes=1000, sr=0.75)
    assert count_parameters(model) == 4_841_704  # x 4 bytes = 19.4e6 bytes, the paper's "19 MB"


@pytest.mark.parametrize("override,message", [
    ("model.sr=0", "model.sr: the squeeze ratio must be in"), ("model.sr=1.5", "model.sr"),
    ("model.pct_3x3=1.0", "model.pct_3x3: must be strictly between 0 and 1"),
    ("model.freq=0", "model.freq: must be at least 1"), ("model.base_e=1", "model.base_e"),
    ("model.layout=2_0", "'model.layout'"),
])
def test_bad_metaparameters_name_the_key(override, message):
    with pytest.raises(SqzError, match=message):
        create_model("squeezenet_meta", load_config("squeezenet_quickdraw", [override])["model"])


def test_config_keys_reach_the_generator():
    cfg = load_config("squeezenet_quickdraw", ["model.sr=0.25", "model.pct_3x3=0.25", "model.layout=1_1"])
    model = create_model(cfg["model"]["name"], cfg["model"])
    assert [f.squeeze.weight.shape[0] for f in fires(model)] == [32, 32, 64, 64, 96, 96, 128, 128]
    assert [f.expand3x3.weight.shape[0] for f in fires(model)] == [32, 32, 64, 64, 96, 96, 128, 128]
    assert model.features[0].weight.shape == [64, 1, 3, 3]  # v1.1 stem, one input channel
    assert model(paddle.zeros([2, 1, 64, 64])).shape == [2, 14]


def test_table1_matches_the_paper_for_v10():
    rows = table1_rows(build_model("squeezenet_meta", num_classes=1000), input_size=227)
    with_params = [r for r in rows if r.parameters]
    assert [r.layer for r in with_params] == ["conv1", *[f"fire{i}" for i in range(2, 10)], "conv10"]
    assert [r.parameters for r in with_params] == V10_PER_LAYER
    by_name = {r.layer: r for r in rows}
    assert by_name["conv1"].output == "111x111x96" and by_name["conv1"].filter == "7x7/2"
    assert [by_name[n].output for n in ("maxpool1", "maxpool4", "maxpool8", "conv10", "avgpool10")] == \
        ["55x55x96", "27x27x256", "13x13x512", "13x13x1000", "1x1x1000"]
    assert (by_name["fire9"].s1x1, by_name["fire9"].e1x1, by_name["fire9"].e3x3) == ("64", "256", "256")
    table = format_table1(rows)
    assert "| total |  |  |  |  |  |  |  | 1,248,424 | 1,248,424 | +0 |" in table
    assert "| 513,000 | 513,000 | +0 |" in table  # conv10 beside the paper's figure


def test_table1_shows_the_gap_to_the_paper_at_other_class_counts():
    rows = table1_rows(build_model("squeezenet_meta", num_classes=4), input_size=227)
    table = format_table1(rows)
    conv10 = next(line for line in table.splitlines() if line.startswith("| conv10 |"))
    assert conv10.endswith("| 2,052 | 513,000 | -510,948 |")  # 512 x 4 + 4 against 1000 classes
    assert "| total |  |  |  |  |  |  |  | 737,476 | 1,248,424 | -510,948 |" in table
    assert "paper" not in format_table1(rows, paper=None)
    v11 = table1_rows(build_model("squeezenet1_1", num_classes=1000), input_size=227)
    assert "paper" not in format_table1(v11)  # the paper tabulates v1.0 only


def test_summary_tool_prints_table1():
    proc = run_tool("summary.py", "--cfg", "birds", "--table1", "--input-size", "227", "-o", "model.num_classes=1000")
    assert "| conv1 | 111x111x96 | 7x7/2 | 1 |  |  |  |  | 14,208 |" in proc.stdout
    assert "| conv10 | 13x13x1000 | 1x1/1 | 1 |  |  |  |  | 513,000 |" in proc.stdout
    assert "1,248,424" in proc.stdout


def test_simple_bypass_adds_the_input_around_equal_width_fires():
    paddle.seed(0)
    model = build_model("squeezenet_meta", num_classes=10, bypass="simple", sr=0.25)
    model.eval()
    bypassed = [f for f in fires(model) if f.shortcut == "identity"]
    assert [fires(model).index(f) + 2 for f in bypassed] == [3, 5, 7, 9]
    for fire in bypassed:
        x = paddle.randn([2, fire.in_channels, 7, 7])
        with_bypass = fire(x).numpy()
        fire.shortcut = "none"
        plain = fire(x).numpy()
        fire.shortcut = "identity"
        np.testing.assert_allclose(with_bypass, plain + x.numpy(), rtol=1e-6, atol=1e-6)


def test_complex_bypass_puts_1x1_convs_where_widths_change():
    # freq=1: every fire changes width, so complex bypass is a 1x1 conv everywhere and simple adds nothing
    kwargs = dict(base_e=32, incr_e=16, freq=1, num_classes=6, in_channels=1)
    complex_model = build_model("squeezenet_meta", bypass="complex", **kwargs)
    assert [f.shortcut for f in fires(complex_model)] == ["conv"] * 8
    for f in fires(complex_model):
        assert f.bypass.weight.shape == [f.out_channels, f.in_channels, 1, 1]
    assert complex_model(paddle.zeros([3, 1, 64, 64])).shape == [3, 6]
    simple = build_model("squeezenet_meta", bypass="simple", **kwargs)
    assert [f.shortcut for f in fires(simple)] == ["none"] * 8
    extra = sum(f.in_channels * f.out_channels + f.out_channels for f in fires(complex_model))
    assert count_parameters(complex_model) == count_parameters(simple) + extra


def test_alexnet_is_torchvisions():
    model = build_model("alexnet", num_classes=1000)
    assert count_parameters(model) == 61_100_840
    assert count_macs(model, (1, 3, 224, 224)) == 714_188_480  # torchvision: 0.71 GFLOPS (multiply-adds)


def test_saved_size_is_measured_and_the_final_conv_is_saved_once():
    model = build_model("squeezenet1_0", num_classes=1000)
    assert sorted(k for k in model.state_dict() if "final_conv" in k) == []
    size = saved_size_bytes(model)
    assert 1_248_424 * 4 < size < 1_248_424 * 4 + 20_000


def test_size_table_tool(tmp_path):
    proc = run_tool("paper_tables.py", "--out", tmp_path, timeout=300)
    md = (tmp_path / "sizes.md").read_text(encoding="utf-8")
    assert md == proc.stdout.split("wrote ")[0].rstrip("\n") + "\n"
    assert "| SqueezeNet v1.0 | 1,248,424 | 4.77 | 0.819 | 1.638 | 48.9x | 48.9x |" in md
    assert "| AlexNet (torchvision, one tower) | 61,100,840 | 233.08 |" in md
    v10 = next(line for line in md.splitlines() if line.startswith("| SqueezeNet v1.0 |"))
    assert v10.endswith("| +0 params; file 0.99x the paper's |")  # 4.77 MB against the paper's 4.8
    assert (tmp_path / "sizes.csv").read_text().startswith("label,model,options,parameters,file_bytes")
