"""What the notebooks' set-up cells call: check the environment, find the data on AI Studio.

The set-up cell itself only finds the repository (uploaded or cloned under
``/home/aistudio/work``) and puts it first on ``sys.path``: nothing is pip-installed, so the
image's Paddle, numpy and the rest stay exactly as they are. Everything after that is here.
"""
import sys
import zipfile
from pathlib import Path
from typing import List, Optional, Tuple

from . import paddle_installed, runtime
from .errors import SqzError

AISTUDIO_DATA = Path("/home/aistudio/data")  # AI Studio mounts each data set at data<id>/ here
BIRDS_ZIP = "bird_photos.zip"


def check_environment(repo: Path, doctor: bool = False) -> List[str]:
    """Print (and return) where paddle_sqz comes from, Paddle's version and the device ``auto`` picks.

    ``doctor=True`` adds the full ``python -m paddle_sqz.doctor`` report. Applies the runtime
    settings first, as the command-line tools do, so they are in force before Paddle loads.
    """
    runtime.configure()
    package = Path(__file__).resolve().parent
    lines = [f"paddle_sqz: {package}"]
    if Path(repo).resolve() not in package.parents:
        lines.append(f"! paddle_sqz was imported from outside {repo}: restart the kernel and run this cell first")
    if not paddle_installed():
        lines.append("! Paddle is not installed: on AI Studio pick a project environment with PaddlePaddle; "
                     "elsewhere pip install paddlepaddle (CPU) or paddlepaddle-gpu (GPU)")
    else:
        import paddle
        gpus = paddle.device.cuda.device_count() if paddle.device.is_compiled_with_cuda() else 0
        device = f"gpu ({gpus} visible)" if gpus else "cpu"
        lines.append(f"paddle {paddle.__version__} | python {sys.version.split()[0]} | "
                     f"train.device=auto -> {device}")
    if doctor:
        from . import doctor as doctor_module
        lines.append(doctor_module.format_report(doctor_module.collect(Path(repo))))
    print("\n".join(lines))
    return lines


def find_aistudio_file(name: str, mount: Path = AISTUDIO_DATA) -> Optional[Path]:
    """The first ``mount/data<id>/name`` (ids in sorted order), or None."""
    matches = sorted(Path(mount).glob(f"data*/{name}"))
    return matches[0] if matches else None


def prepare_bird_photos(zip_setting: Optional[str], data_dir: str,
                        mount: Path = AISTUDIO_DATA) -> Tuple[Path, str]:
    """Unpack ``bird_photos.zip`` into ``data_dir`` (once); return the folder and what was done.

    ``zip_setting="auto"`` looks for the data set where AI Studio mounts it
    (``/home/aistudio/data/data<id>/bird_photos.zip``); a path uses that file; ``None`` uses
    ``data_dir`` as it is. When no zip is found an already unpacked ``data_dir`` is the
    fallback; with neither, one error says where it looked.
    """
    folder = Path(data_dir)
    if zip_setting == "auto":
        archive, where = find_aistudio_file(BIRDS_ZIP, mount), f"{mount}/data*/{BIRDS_ZIP}"
    else:
        archive = Path(zip_setting) if zip_setting else None
        where = str(archive)
    wanted = zip_setting is not None  # "auto" or a path: a zip was asked for
    found = archive is not None and archive.is_file()
    if folder.is_dir() and any(p.is_dir() for p in folder.iterdir()):
        missing = f"no {BIRDS_ZIP} at {where}; " if wanted and not found else ""
        return folder, f"{missing}using the photos already unpacked in {folder}"
    if found:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(folder)
        return folder, f"unpacked {archive} -> {folder}"
    if wanted:
        raise SqzError(f"DATA_ZIP: no {BIRDS_ZIP} at {where} and no photos in {folder}: add the bird_photos "
                       "data set to the AI Studio project (it is then mounted under /home/aistudio/data/), "
                       "or set DATA_ZIP to your downloaded zip, or unpack it into DATA_DIR")
    raise SqzError(f"DATA_DIR: {folder} has no class folders and DATA_ZIP is None: set DATA_ZIP to "
                   "bird_photos.zip or unpack it into DATA_DIR")
