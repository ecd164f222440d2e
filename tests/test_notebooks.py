"""Each notebook runs as a student runs it: a copy of the repository, a fresh kernel started in its
notebooks/ folder, the set-up cell executed for real (it finds the copy and imports the package from
it), then every cell top to bottom with tiny settings (nbclient), failing on any cell error."""
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import BIRDS_SAMPLE, ROOT, SHARED_DATA, needs

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = ROOT / "notebooks"
COPIED = ("paddle_sqz", "tools", "notebooks", "datasets", "setup.py", "README.md")


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory):
    """The repository as a student uploads it to /home/aistudio/work (sources only, no runs or data)."""
    copy = tmp_path_factory.mktemp("aistudio_work") / "paddle_sqz_repo"
    copy.mkdir()
    for name in COPIED:
        source = ROOT / name
        if name == "datasets":  # its README and download script, none of the data a developer has here
            (copy / name).mkdir()
            for item in source.iterdir():
                if item.is_file():
                    shutil.copy(item, copy / name / item.name)
        elif source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(source, copy / name)
    return copy


def run_notebook(name: str, settings: str, tmp_path: Path, repo: Path):
    """Execute ``repo/notebooks/name`` with its ``parameters`` cell replaced by ``settings``."""
    nb = nbformat.read(repo / "notebooks" / name, as_version=4)
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: needs exactly one settings cell tagged 'parameters'"
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), \
        f"{name}: commit notebooks with outputs cleared"
    first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert "check_environment(REPO" in first_code.source, f"{name}: the first code cell must be the set-up cell"
    tagged[0].source = settings
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(repo / "notebooks")}}).execute()
    nbformat.write(nb, tmp_path / name)  # kept for a look when a test fails
    setup_text = "".join(out.get("text", "") for out in first_code.outputs)
    assert f"paddle_sqz: {repo.resolve() / 'paddle_sqz'}" in setup_text, setup_text  # imported from the copy
    assert "train.device=auto -> " in setup_text and "! paddle_sqz was imported from outside" not in setup_text
    return nb, setup_text


def outputs_text(nb) -> str:
    return "\n".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                     for out in cell.get("outputs", []))


@pytest.mark.slow
@needs(BIRDS_SAMPLE)
def test_birds_notebook_unzips_splits_trains_and_predicts(tmp_path, repo_copy):
    archive = tmp_path / "bird_photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for photo in sorted(BIRDS_SAMPLE.rglob("*.jpg")):
            zf.write(photo, photo.relative_to(BIRDS_SAMPLE).as_posix())
    settings = f"""
DATA_ZIP = {str(archive)!r}
DATA_DIR = {str(tmp_path / 'bird_photos')!r}
CONFIG = "birds"
EPOCHS = 1
DEVICE = "cpu"
EXTRA = ["model.name=squeezenet1_1", "data.image_size=64", "train.batch_size=8"]
OUTPUT_DIR = {str(tmp_path / 'out')!r}
"""
    nb, setup_text = run_notebook("01_squeezenet_birds.ipynb", settings, tmp_path, repo_copy)
    assert "paddle_sqz 0.1.0 doctor" in setup_text and "problem" in setup_text  # notebook 01 calls the doctor
    text = outputs_text(nb)
    assert f"unpacked {archive}" in text
    assert "Black Skimmer" in text and "724,548" in text  # the split table and the model summary
    assert any(f"{zh} (" in text for zh in ("蕉林莺", "黑燕鸥类", "黑喉树莺", "凤头鹦鹉"))  # Chinese names
    run = next(p for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert (tmp_path / "out" / "padding_samples.png").is_file()
    for name in ("curves.png", "prediction.png", "eval/confusion.png", "best_model.safetensors"):
        assert (run / name).is_file(), name
    images = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if "image/png" in out.get("data", {})]
    assert len(images) >= 4  # samples, curves, confusion matrix, prediction


QD14 = SHARED_DATA / "quickdraw14"


@pytest.mark.slow
@needs(QD14)
def test_quickdraw_notebook_trains_compares_and_evaluates(tmp_path, repo_copy):
    import numpy as np
    folder = tmp_path / "drawings"
    folder.mkdir()
    for name in ("apple", "house plant", "rainbow", "fish"):  # a slice of real drawings, a name with a space
        np.save(folder / f"{name}.npy", np.load(QD14 / f"{name}.npy", mmap_mode="r")[:300])
    settings = f"""
DATA_FOLDER = {str(folder)!r}
DOWNLOAD_CLASSES = []
MODELS = ["qd_simple_cnn", "qd_gap", "qd_lenet_gap"]
EPOCHS = 1
MAX_ITEMS_PER_CLASS = 300
DEVICE = "cpu"
OUTPUT_DIR = {str(tmp_path / 'out')!r}
"""
    nb, _ = run_notebook("02_quickdraw_compression.ipynb", settings, tmp_path, repo_copy)
    text = outputs_text(nb)
    assert "110,052" in text and "29,796" in text and "10,160" in text  # the tutorial's counts at 100 classes
    assert "house plant" in text
    table = (tmp_path / "out" / "comparison.md").read_text()
    assert all(name in table for name in ("qd_simple_cnn", "qd_gap", "qd_lenet_gap"))
    for name in ("drawings.png", "accuracy_vs_params.png", "val_top1.png"):
        assert (tmp_path / "out" / name).is_file(), name


@pytest.mark.slow
@needs(QD14)
def test_paper_notebook_tables_sweeps_and_compression(tmp_path, repo_copy):
    import numpy as np
    folder = tmp_path / "drawings"
    folder.mkdir()
    for name in ("apple", "cat", "rainbow", "fish"):
        np.save(folder / f"{name}.npy", np.load(QD14 / f"{name}.npy", mmap_mode="r")[:60])
    settings = f"""
DATA_FOLDER = {str(folder)!r}
MAX_ITEMS_PER_CLASS = 60
EPOCHS = 1
SR_VALUES = [0.125, 0.5]
SEEDS = [0]
DEVICE = "cpu"
OUTPUT_DIR = {str(tmp_path / 'out')!r}
"""
    nb, _ = run_notebook("03_squeezenet_paper.ipynb", settings, tmp_path, repo_copy)
    text = outputs_text(nb)
    assert "1,248,424" in text and "513,000" in text  # Table 1 of the paper, from the generator
    assert "6-bit" in text or "6bit" in text or "6 bit" in text
    for name in ("sweep-sr/sweep.md", "sweep-sr/sweep_sr.png", "sweep-bypass/sweep.md"):
        assert (tmp_path / "out" / name).is_file(), name
    assert len(list((tmp_path / "out" / "compressed-trained").glob("*.sqz"))) == 4  # float32 sparse, 8, 6, 4 bit
