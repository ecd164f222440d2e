"""build_transform: geometry, normalisation, flips only in training, reproducibility."""
import pickle

import numpy as np
import pytest
from PIL import Image

from paddle_sqz.data.transforms import build_transform, describe_transform
from paddle_sqz.errors import SqzError

TUTORIAL = {"pad_size": 32, "image_size": 224, "hflip": True, "vflip": True,
            "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}


def _cfg(**changes):
    return {**TUTORIAL, **changes}


def _asymmetric(size: int = 16) -> Image.Image:
    """Every pixel different, so any flip changes the array."""
    pixels = np.arange(size * size * 3, dtype=np.uint32).reshape(size, size, 3) % 251
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def test_tutorial_pipeline_shape_dtype_and_black_bands():
    x = build_transform(TUTORIAL, train=False)(Image.new("RGB", (200, 100), (255, 0, 128)), None)
    assert x.shape == (3, 224, 224) and x.dtype == np.float32 and x.flags["C_CONTIGUOUS"]
    assert np.allclose(x[:, :20, :], -1.0)                   # black band: (0 - 0.5) / 0.5
    centre = x[:, 112, 112]
    assert np.allclose(centre, [1.0, -1.0, 128 / 255 * 2 - 1], atol=1e-6)


def test_normalisation_formula_per_channel():
    cfg = _cfg(pad_size=None, image_size=4, mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    x = build_transform(cfg, train=False)(Image.new("RGB", (4, 4), (10, 120, 250)), None)
    expected = (np.array([10, 120, 250]) / 255 - np.array(cfg["mean"])) / np.array(cfg["std"])
    assert np.allclose(x[:, 0, 0], expected, atol=1e-5)


def test_no_pad_size_means_plain_resize_without_bands():
    x = build_transform(_cfg(pad_size=None, image_size=8), train=False)(Image.new("RGB", (40, 10), "white"), None)
    assert x.shape == (3, 8, 8) and np.allclose(x, 1.0)


def test_eval_transform_is_deterministic_and_never_flips():
    transform = build_transform(_cfg(pad_size=None, image_size=16), train=False)
    img = _asymmetric()
    first = transform(img, None)
    assert np.array_equal(first, transform(img, np.random.default_rng(1)))
    assert np.array_equal(first, transform(img))
    assert "flip" not in describe_transform(TUTORIAL, train=False)


def test_training_flips_are_random_reproducible_and_exact():
    cfg = _cfg(pad_size=None, image_size=16)
    plain = build_transform(cfg, train=False)(_asymmetric(), None)
    variants = {"none": plain, "h": plain[:, :, ::-1], "v": plain[:, ::-1, :], "hv": plain[:, ::-1, ::-1]}
    transform = build_transform(cfg, train=True)
    seen = set()
    for seed in range(24):
        x = transform(_asymmetric(), np.random.default_rng(seed))
        assert np.array_equal(x, transform(_asymmetric(), np.random.default_rng(seed)))
        matches = [name for name, variant in variants.items() if np.array_equal(x, variant)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == set(variants)  # no flip, each flip and both all happen


def test_only_the_enabled_flip_happens():
    cfg = _cfg(pad_size=None, image_size=16, vflip=False)
    plain = build_transform(cfg, train=False)(_asymmetric(), None)
    transform = build_transform(cfg, train=True)
    outcomes = [transform(_asymmetric(), np.random.default_rng(s)) for s in range(12)]
    assert all(np.array_equal(x, plain) or np.array_equal(x, plain[:, :, ::-1]) for x in outcomes)
    assert any(not np.array_equal(x, plain) for x in outcomes)


def test_training_transform_needs_a_generator_and_pickles():
    transform = build_transform(TUTORIAL, train=True)
    with pytest.raises(ValueError):
        transform(_asymmetric(), None)
    clone = pickle.loads(pickle.dumps(transform))  # DataLoader workers on spawn platforms
    img = _asymmetric()
    assert np.array_equal(clone(img, np.random.default_rng(3)), transform(img, np.random.default_rng(3)))


def test_single_channel_pipeline():
    x = build_transform(_cfg(pad_size=28, image_size=28, mean=[0.5], std=[0.5]), train=False)(
        Image.new("RGB", (28, 14), (255, 255, 255)), None)
    assert x.shape == (1, 28, 28) and x[0, 0, 0] == -1.0 and x[0, 14, 14] == 1.0


def test_describe_names_every_step():
    text = describe_transform(TUTORIAL, train=True)
    assert text == ("letterbox 32x32 on black -> resize 224x224 bilinear -> hflip p=0.5 -> vflip p=0.5 "
                    "-> RGB /255, mean [0.5, 0.5, 0.5], std [0.5, 0.5, 0.5]")


@pytest.mark.parametrize("changes, key", [
    ({"image_size": 0}, "data.image_size"),
    ({"pad_size": -3}, "data.pad_size"),
    ({"mean": [0.5, 0.5]}, "data.mean"),
    ({"std": [0.5, 0.0, 0.5]}, "data.std"),
])
def test_bad_settings_name_the_key(changes, key):
    with pytest.raises(SqzError, match=key.replace(".", r"\.")):
        build_transform(_cfg(**changes), train=False)
