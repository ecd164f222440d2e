"""Config loading: shipped names, paths, typed overrides, and errors that name the key."""
import pytest

from paddle_sqz.config import available_configs, load_config, parse_override
from paddle_sqz.errors import SqzError


def test_shipped_configs_load_and_birds_is_the_tutorial():
    assert {"birds", "birds_fullres", "demo"} <= set(available_configs())
    cfg = load_config("birds")
    assert cfg["model"]["name"] == "squeezenet1_0" and cfg["model"]["num_classes"] == 4
    assert (cfg["data"]["pad_size"], cfg["data"]["image_size"]) == (32, 224)
    assert cfg["data"]["mean"] == [0.5] * 3 and cfg["data"]["std"] == [0.5] * 3
    assert (cfg["train"]["optimizer"], cfg["train"]["lr"], cfg["train"]["epochs"], cfg["train"]["batch_size"]) \
        == ("adam", 1e-4, 60, 32)
    assert load_config("birds_fullres")["data"]["pad_size"] == 224


def test_overrides_are_typed():
    cfg = load_config("birds", ["train.lr=1e-3", "train.epochs=5", "data.hflip=false", "data.pad_size=null",
                                "output.name=2024", "data.mean=[0.4, 0.5, 0.6]"])
    assert cfg["train"]["lr"] == 0.001 and cfg["train"]["epochs"] == 5
    assert cfg["data"]["hflip"] is False and cfg["data"]["pad_size"] is None
    assert cfg["output"]["name"] == "2024" and cfg["data"]["mean"] == [0.4, 0.5, 0.6]


@pytest.mark.parametrize("override,message", [
    ("train.epochz=3", r"unknown key 'train.epochz' \(did you mean 'train.epochs'\?\); "
                       r"valid keys in 'train': .*train.epochs"),
    ("train.epochs=abc", "'train.epochs' expects int"),
    ("train.epochs=2.5", "'train.epochs' expects int"),
    ("model.bypass=diagonal", "'model.bypass' must be one of none, simple, complex"),
    ("train.epochs=__import__('os').getcwd()", "'train.epochs' expects int"),
    ("train.epochs", "expected key=value"),
    ("train.epochs=0", "'train.epochs' must be at least 1"),
    ("data.mean=[0.5]", "'data.mean' needs 3 values"),
])
def test_bad_overrides_name_the_key(override, message):
    with pytest.raises(SqzError, match=message):
        load_config("birds", [override])


def test_config_files_are_validated(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  lr: fast\n")
    with pytest.raises(SqzError, match=r"bad.yaml: key 'train.lr' expects float"):
        load_config(str(bad))
    bad.write_text("trian:\n  lr: 0.1\n")
    with pytest.raises(SqzError, match=r"bad.yaml: unknown section 'trian' \(did you mean 'train'\?\)"):
        load_config(str(bad))
    bad.write_text("train: [unclosed\n")
    with pytest.raises(SqzError, match=r"bad.yaml: cannot read config"):
        load_config(str(bad))
    with pytest.raises(SqzError, match=r"unknown config 'brids' \(did you mean 'birds'\?\)"):
        load_config("brids")


@pytest.mark.parametrize("override,suggestion", [
    ("train.epoch=2", "train.epochs"),      # the newcomer's typo from the issue
    ("epochs=2", "train.epochs"),           # section left out
    ("model.bypas=simple", "model.bypass"),
])
def test_unknown_key_suggests_the_closest(override, suggestion):
    with pytest.raises(SqzError, match=rf"did you mean '{suggestion}'\?") as info:
        load_config("birds", [override])
    assert str(info.value).count("\n") == 0
    assert len(str(info.value)) < 400  # a short line, not every key of the schema


def test_unknown_key_without_a_close_match_has_no_suggestion():
    with pytest.raises(SqzError) as info:
        load_config("birds", ["train.zzzzqqq=2"])
    assert "did you mean" not in str(info.value) and "valid keys in 'train'" in str(info.value)


def test_parse_override_never_evaluates_code():
    key, value = parse_override("output.dir=__import__('os').system('false')")
    assert value == "__import__('os').system('false')"
