"""What AI Studio users meet first: the data set where AI Studio mounts it, a quiet Paddle start-up,
Chinese class names that render (a system CJK font, else the optional mplfonts package)."""
import shutil
import subprocess
import sys
import warnings
import zipfile

import pytest
from matplotlib import font_manager

from conftest import ROOT
from paddle_sqz.errors import SqzError
from paddle_sqz.notebook import find_aistudio_file, prepare_bird_photos
from paddle_sqz.report import fonts


def make_zip(path, classes=("Bananaquit", "Cockatoo")):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name in classes:
            zf.writestr(f"{name}/1.jpg", b"not decoded here")
    return path


def test_auto_finds_the_zip_where_aistudio_mounts_data_sets(tmp_path):
    mount = tmp_path / "data"
    archive = make_zip(mount / "data223822" / "bird_photos.zip")
    make_zip(mount / "data9" / "other.zip")
    assert find_aistudio_file("bird_photos.zip", mount) == archive
    folder, what = prepare_bird_photos("auto", str(tmp_path / "photos"), mount=mount)
    assert what == f"unpacked {archive} -> {folder}" and (folder / "Cockatoo" / "1.jpg").is_file()
    _, again = prepare_bird_photos("auto", str(folder), mount=mount)  # a second run does not unzip again
    assert again.startswith("using the photos already unpacked")


def test_without_the_mount_already_unpacked_photos_are_the_fallback(tmp_path):
    (tmp_path / "photos" / "Cockatoo").mkdir(parents=True)
    folder, what = prepare_bird_photos("auto", str(tmp_path / "photos"), mount=tmp_path / "no_mount")
    assert folder == tmp_path / "photos"
    assert what.startswith(f"no bird_photos.zip at {tmp_path / 'no_mount'}/data*/bird_photos.zip; using")


def test_neither_zip_nor_photos_is_one_clear_error(tmp_path):
    with pytest.raises(SqzError, match=r"^DATA_ZIP: no bird_photos.zip at .*/data\*/bird_photos.zip and no photos"):
        prepare_bird_photos("auto", str(tmp_path / "photos"), mount=tmp_path / "no_mount")
    with pytest.raises(SqzError, match=r"^DATA_DIR: .* DATA_ZIP is None"):
        prepare_bird_photos(None, str(tmp_path / "photos"))


PROBE = """
import sys, warnings
sys.path.insert(0, {root!r})
from paddle_sqz import runtime
{configure}
import paddle
warnings.warn("a real warning stays visible", UserWarning)
"""


@pytest.mark.skipif(shutil.which("ccache") is not None, reason="Paddle only warns when ccache is absent")
def test_ccache_warning_is_filtered_and_real_warnings_kept():
    def stderr(configure):
        proc = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), configure=configure)],
                              capture_output=True, text=True, timeout=120, check=True)
        return proc.stderr
    plain = stderr("")
    assert "No ccache found" in plain  # Paddle's noise, without the filter
    quiet = stderr("runtime.configure()")
    assert "No ccache found" not in quiet and "a real warning stays visible" in quiet


def test_tools_print_no_paddle_startup_noise(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "summary.py"), "--list"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0 and "squeezenet1_1" in proc.stdout
    assert proc.stderr == "", proc.stderr


def test_mplfonts_font_is_used_when_the_system_has_no_cjk_font(tmp_path, monkeypatch):
    # a stand-in mplfonts package: its fonts/ folder holds a real font file (DejaVu, copied)
    dejavu = font_manager.findfont("DejaVu Sans")
    package = tmp_path / "mplfonts"
    (package / "fonts").mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('paddle_sqz must not import mplfonts')\n")
    shutil.copy(dejavu, package / "fonts" / "NotoSansCJKsc-Regular.otf")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(fonts, "_match", lambda names: None)  # no CJK family among the system's fonts
    monkeypatch.setattr(fonts, "_register_new_system_fonts", lambda: None)
    fonts.packaged_cjk_font.cache_clear()
    try:
        assert fonts.find_cjk_font() == "DejaVu Sans"  # the family read from the packaged file
        registered = {entry.fname for entry in font_manager.fontManager.ttflist}
        assert str(package / "fonts" / "NotoSansCJKsc-Regular.otf") in registered
    finally:
        fonts.packaged_cjk_font.cache_clear()


def test_no_font_at_all_warns_once_with_both_fixes(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert fonts.font_for_text(["凤头鹦鹉"]) == {} and fonts.font_for_text(["蕉林莺"]) == {}
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "paddle_sqz[fonts]" in messages[0] and "fonts-noto-cjk" in messages[0]


@pytest.mark.slow  # a training and two tool runs
def test_display_names_in_predict_output_and_a_wrong_one_named(tiny_demo, tmp_path):
    from conftest import run_folder_from, run_tool, tiny_overrides
    shown = "data.display_names={circle: 圆形, triangle: 三角形}"
    run_dir = run_folder_from(run_tool("train.py", "--cfg", "demo",
                                       *tiny_overrides(tiny_demo, tmp_path / "out", "train.epochs=1", shown)).stdout)
    proc = run_tool("predict.py", "--run", run_dir, tiny_demo / "circle", "--topk", "4")
    line = proc.stdout.splitlines()[0]
    assert "圆形 (circle) " in line and "三角形 (triangle) " in line and "cross " in line  # unlisted: own name
    config = run_dir / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("triangle: 三角形", "triangel: 三角形"),
                      encoding="utf-8")
    bad = run_tool("predict.py", "--run", run_dir, tiny_demo / "circle", check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    assert "data.display_names names 'triangel'" in bad.stderr and "labels.txt" in bad.stderr
