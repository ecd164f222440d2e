"""Report plots: real PNGs with something drawn, confusion counts, the CJK font choice."""
import math
import os
import warnings

import numpy as np
import pytest
from PIL import Image

from paddle_sqz.errors import SqzError
from paddle_sqz.report import confusion, curves, fonts, predictions

EN_NAMES = ["Bananaquit", "Black Skimmer", "Black Throated Bushtiti", "Cockatoo"]
ZH_NAMES = ["凤头鹦鹉", "黑燕鸥类", "黑喉树莺", "蕉林莺"]


def _history(epochs):
    return [{"epoch": e, "lr": 0.01 * 0.9 ** e, "train_loss": 1.4 / e, "train_top1": 1 - 0.6 / e,
             "eval_loss": 1.5 / e + 0.1, "eval_top1": 1 - 0.7 / e, "eval_top5": 1.0}
            for e in range(1, epochs + 1)]


def _assert_png(path, min_size=(300, 200)):
    assert os.path.isfile(path) and not os.path.exists(str(path) + ".tmp.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width >= min_size[0] and image.height >= min_size[1]
        pixels = np.asarray(image.convert("L"), dtype=np.float32)
    assert pixels.std() > 10, "blank image"


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)


@pytest.fixture
def fake_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: "Fake CJK Sans")


# -- fonts --------------------------------------------------------------------------------

def test_has_cjk():
    assert all(fonts.has_cjk(name) for name in ZH_NAMES)
    assert not any(fonts.has_cjk(name) for name in EN_NAMES)


def test_latin_text_needs_no_font(fake_cjk_font):
    assert fonts.font_for_text(EN_NAMES) == {}


def test_cjk_text_uses_found_font(fake_cjk_font):
    assert fonts.font_for_text(EN_NAMES + ZH_NAMES[:1]) == {"fontfamily": "Fake CJK Sans"}


def test_missing_cjk_font_warns_once_and_falls_back(no_cjk_font):
    with pytest.warns(UserWarning, match="fonts-noto-cjk") as record:
        assert fonts.font_for_text(ZH_NAMES) == {}
        assert fonts.font_for_text(ZH_NAMES) == {}
    assert len(record) == 1


def test_find_cjk_font_matches_known_families(monkeypatch):
    class Entry:
        def __init__(self, name):
            self.name, self.fname = name, f"/fonts/{name}.ttf"

    monkeypatch.setattr(fonts.font_manager.fontManager, "ttflist",
                        [Entry("DejaVu Sans"), Entry("Noto Sans CJK JP"), Entry("Noto Sans CJK SC")])
    assert fonts.find_cjk_font() == "Noto Sans CJK SC"


def test_chinese_confusion_plot_without_font_still_renders(tmp_path, no_cjk_font):
    with pytest.warns(UserWarning, match="no CJK font"):
        path = confusion.plot_confusion(np.eye(4, dtype=int) * 5, ZH_NAMES, tmp_path / "zh.png")
    _assert_png(path)


def test_chinese_plots_with_installed_font(tmp_path):
    if fonts.find_cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither our warning nor a missing glyph
        _assert_png(confusion.plot_confusion(np.eye(4, dtype=int) * 5, ZH_NAMES, tmp_path / "c.png"))
        _assert_png(predictions.plot_prediction(_image(), ZH_NAMES, [0.7, 0.2, 0.06, 0.04],
                                                tmp_path / "p.png", true_name=ZH_NAMES[0]))


# -- curves -------------------------------------------------------------------------------

def test_curves(tmp_path):
    path = curves.plot_curves(_history(12), tmp_path / "sub" / "curves.png", title="birds")
    assert path == str(tmp_path / "sub" / "curves.png")
    _assert_png(path, (1000, 350))


def _pale_train_pixels(path):
    """Pixels of the wide pale train line (tab:blue at alpha 0.45 on white)."""
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.int32)
    left = rgb[:, : rgb.shape[1] // 2]  # the accuracy panel
    return int((np.abs(left - np.array([154, 194, 221])).max(axis=2) <= 14).sum())


def test_curves_train_line_visible_when_equal_to_eval(tmp_path):
    """The issue: train top-1 equal to eval top-1 hid the train line under the other."""
    alone = [{"epoch": e, "train_top1": 0.5 + 0.04 * e} for e in range(1, 9)]
    both = [dict(r, eval_top1=r["train_top1"]) for r in alone]
    seen_alone = _pale_train_pixels(curves.plot_curves(alone, tmp_path / "alone.png"))
    seen_both = _pale_train_pixels(curves.plot_curves(both, tmp_path / "both.png"))
    assert seen_alone > 500
    assert seen_both > 0.5 * seen_alone  # most of the train line still shows


def test_curves_draw_accuracy_in_percent(tmp_path):
    """One unit everywhere: the reports print percentages, so the curves are in %."""
    history = [{"epoch": e, "train_top1": 0.9, "eval_top1": 0.8} for e in (1, 2)]
    path = curves.plot_curves(history, tmp_path / "pct.png")
    _assert_png(path)
    fig = curves.new_figure(4, 3)
    ax = fig.subplots()
    assert curves._plot_series(ax, history, "eval_top1", "eval", "-")
    assert list(ax.lines[0].get_ydata()) == [80.0, 80.0]


def test_curves_single_epoch(tmp_path):
    _assert_png(curves.plot_curves(_history(1), tmp_path / "one.png"))


def test_curves_tolerate_missing_keys(tmp_path):
    history = [{k: v for k, v in r.items() if k not in ("eval_top5", "lr", "train_top1")}
               for r in _history(5)]
    del history[2]["eval_loss"]
    _assert_png(curves.plot_curves(history, tmp_path / "partial.png"))


def test_curves_need_records(tmp_path):
    with pytest.raises(SqzError, match="no epoch records"):
        curves.plot_curves([], tmp_path / "empty.png")


def test_compare(tmp_path):
    runs = {"v1.0": _history(8), "v1.1": _history(6), "no top-1": [{"epoch": 1}]}
    _assert_png(curves.plot_compare(runs, "eval_top1", tmp_path / "cmp.png", "eval top-1"))
    with pytest.raises(SqzError, match="eval_top9"):
        curves.plot_compare(runs, "eval_top9", tmp_path / "none.png", "x")


# -- confusion ----------------------------------------------------------------------------

def test_confusion_matrix_counts():
    matrix = confusion.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=4)
    assert matrix.dtype.kind == "i"
    assert matrix.tolist() == [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]]


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(SqzError, match="outside 0..3"):
        confusion.confusion_matrix([0, 4], [0, 1], num_classes=4)
    with pytest.raises(SqzError, match="2 labels but 1 predictions"):
        confusion.confusion_matrix([0, 1], [0], num_classes=4)


def test_per_class_accuracy_marks_empty_class_nan():
    matrix = confusion.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=4)
    accuracy = confusion.per_class_accuracy(matrix)
    assert accuracy[:3] == pytest.approx([0.5, 1.0, 2 / 3])
    assert math.isnan(accuracy[3])


@pytest.mark.parametrize("normalize", [False, True])
def test_plot_confusion(tmp_path, normalize):
    rng = np.random.default_rng(0)
    matrix = confusion.confusion_matrix(rng.integers(0, 4, 200), rng.integers(0, 4, 200), 4)
    _assert_png(confusion.plot_confusion(matrix, EN_NAMES, tmp_path / "c.png", normalize=normalize))


@pytest.mark.parametrize("largest", [1, 3, 5, 200])
def test_confusion_colour_bar_counts_whole_images(largest):
    """A count colour bar never shows 0.2, 0.4 ... images, however small the counts."""
    matrix = np.array([[largest, 0], [1, largest]])
    fig = confusion.confusion_figure(matrix, ["a", "b"])
    fig.draw_without_rendering()
    ticks = [t for t in fig.axes[1].get_yticks() if 0 <= t <= largest]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)


def test_normalised_confusion_colour_bar_is_in_percent():
    fig = confusion.confusion_figure(np.array([[3, 1], [0, 4]]), ["a", "b"], normalize=True)
    fig.draw_without_rendering()
    assert fig.axes[1].get_ylim() == (0, 100) and "%" in fig.axes[1].get_ylabel()


def test_plot_confusion_many_classes_and_empty_row(tmp_path):
    names = [f"class number {i}" for i in range(20)]
    matrix = np.diag(np.arange(20)) + 1
    matrix[3] = 0
    _assert_png(confusion.plot_confusion(matrix, names, tmp_path / "c20.png", normalize=True))


def test_plot_confusion_shape_mismatch(tmp_path):
    with pytest.raises(SqzError, match="3 class names"):
        confusion.plot_confusion(np.zeros((4, 4), dtype=int), EN_NAMES[:3], tmp_path / "x.png")


# -- predictions --------------------------------------------------------------------------

def _image(seed=0, size=64):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (size, size, 3), dtype=np.uint8)


def test_plot_prediction(tmp_path):
    _assert_png(predictions.plot_prediction(_image(), EN_NAMES, [0.81, 0.1, 0.05, 0.04],
                                            tmp_path / "p.png", true_name="Black Skimmer"))


def test_plot_prediction_accepts_pil(tmp_path):
    image = Image.fromarray(_image()).convert("P")
    _assert_png(predictions.plot_prediction(image, EN_NAMES[:2], [0.6, 0.4], tmp_path / "pil.png"))


def test_plot_grid(tmp_path):
    images = [_image(i) for i in range(6)] + [np.full((40, 30), 128, dtype=np.uint8)]
    true = [EN_NAMES[i % 4] for i in range(7)]
    pred = [EN_NAMES[(i * 3) % 4] for i in range(7)]
    _assert_png(predictions.plot_grid(images, true, pred, [0.9, 0.5, 0.7, 0.3, 0.99, 0.6, 0.45],
                                      tmp_path / "grid.png"))


def test_plot_grid_lengths_must_match(tmp_path):
    with pytest.raises(SqzError, match="2 images"):
        predictions.plot_grid([_image(), _image()], ["a"], ["a"], [0.5], tmp_path / "g.png")


# -- predict --plot file names ----------------------------------------------------------------

def test_prediction_pngs_of_same_named_files_in_two_folders_differ(tmp_path):
    """The issue: every bird class has 1.jpg ... 5.jpg, and the second picture replaced the first."""
    a, b = tmp_path / "photos" / "Cockatoo" / "1.jpg", tmp_path / "photos" / "Black Skimmer" / "1.jpg"
    other = tmp_path / "photos" / "Cockatoo" / "2.jpg"
    out = tmp_path / "predictions"
    names = [p.name for p in predictions.unique_png_paths([a, b, other], out)]
    assert names == ["Cockatoo__1.png", "Black Skimmer__1.png", "2.png"]
    assert [p.name for p in predictions.unique_png_paths([a, a], out)] == ["1.png", "1-2.png"]


def test_prediction_pngs_never_overwrite_an_earlier_call(tmp_path):
    out = tmp_path / "predictions"
    image = tmp_path / "x" / "1.jpg"
    first = predictions.unique_png_paths([image], out)[0]
    predictions.plot_prediction(_image(), ["a", "b"], [0.7, 0.3], first)
    before = first.read_bytes()
    second = predictions.unique_png_paths([image], out)[0]
    assert second != first and second.name == "1-2.png"
    predictions.plot_prediction(_image(1), ["b", "a"], [0.6, 0.4], second)
    assert first.read_bytes() == before
