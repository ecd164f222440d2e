"""Installing paddle_sqz into an AI Studio-like environment keeps its Paddle and its pinned packages.

A throwaway venv gets tiny stand-in distributions built here: ``paddlepaddle-gpu`` (providing a
``paddle`` package, as on every AI Studio GPU image) and older numpy, pillow, matplotlib, ... as an
image preinstalls them. pip then runs offline (``--no-index``): anything it would want to fetch
(the CPU ``paddlepaddle`` wheel, a newer numpy) makes the resolution fail or shows in its plan.
The two venv tests are ``slow`` (``python -m pytest -q -m slow tests/test_install.py``).
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

# What the image has, as (distribution, version, import package, requirements).
IMAGE = [
    ("paddlepaddle-gpu", "2.6.2", "paddle", ["numpy>=1.13"]),
    ("numpy", "1.24.4", "numpy", []),
    ("pillow", "9.5.0", "PIL", []),
    ("matplotlib", "3.7.1", "matplotlib", ["numpy>=1.20"]),
    ("visualdl", "2.5.3", "visualdl", []),
    ("pyyaml", "6.0", "yaml", []),
    ("safetensors", "0.4.2", "safetensors", []),
]


def build_wheel(folder: Path, name: str, version: str, package: str, requires) -> Path:
    """A minimal pure-Python wheel whose ``package/__init__.py`` says its version."""
    stem = f"{name.replace('-', '_')}-{version}"
    files = {
        f"{package}/__init__.py": f'__version__ = "{version}"\n',
        f"{stem}.dist-info/METADATA": "Metadata-Version: 2.1\n"
                                      f"Name: {name}\nVersion: {version}\n"
                                      + "".join(f"Requires-Dist: {req}\n" for req in requires),
        f"{stem}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: paddle_sqz-tests\n"
                                   "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = f"{stem}.dist-info/RECORD"
    files[record] = "".join(f"{path},,\n" for path in files) + f"{record},,\n"
    wheel = folder / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return wheel


@pytest.fixture(scope="module")
def image_venv(tmp_path_factory):
    """A venv holding the stand-in image, and a copy of the package's sources to install."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    wheels.mkdir()
    built = [build_wheel(wheels, *entry) for entry in IMAGE]
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=120)
    python = base / "venv" / "bin" / "python"
    # the one online step: a current pip, and a setuptools that builds wheels by itself (the venv's
    # bundled ones need the 'wheel' package or fall back to 'setup.py develop' on older Pythons);
    # everything after runs with --no-index
    if pip(python, "install", "--quiet", "--upgrade", "pip", "setuptools>=70.1", check=False,
           offline=False).returncode != 0:
        pytest.skip("no package index reachable to fetch setuptools for the throwaway venv")
    pip(python, "install", *map(str, built))
    source = base / "src"
    shutil.copytree(ROOT / "paddle_sqz", source / "paddle_sqz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.py", source / "setup.py")
    return python, source


def pip(python: Path, *args, check=True, offline=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    if offline:
        env["PIP_NO_INDEX"] = "1"
    proc = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "--no-input", *args],
                          capture_output=True, text=True, timeout=300, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"pip {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def installed(python: Path) -> dict:
    rows = json.loads(pip(python, "list", "--format=json").stdout)
    return {row["name"].lower(): row["version"] for row in rows}


@pytest.mark.slow  # a throwaway venv and a pip upgrade: 25-35 s on 2 cores
def test_install_keeps_the_gpu_paddle_and_the_pinned_packages(image_venv):
    python, source = image_venv
    plan = pip(python, "install", "--dry-run", "--no-build-isolation", "-e", str(source))
    would = [line for line in plan.stdout.splitlines() if line.startswith("Would install")]
    assert would == ["Would install paddle_sqz-0.1.0"], plan.stdout

    pip(python, "install", "--no-build-isolation", "-e", str(source))
    after = installed(python)
    assert "paddlepaddle" not in after  # the CPU wheel was not pulled in beside / over the GPU one
    for name, version, _, _ in IMAGE:
        assert after[name] == version, (name, after[name])
    probe = subprocess.run([str(python), "-c", "import paddle_sqz, paddle; print(paddle.__version__)"],
                           capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "2.6.2" and probe.stderr == "", probe  # the stand-in GPU build, no message


@pytest.mark.slow  # a throwaway venv and a pip upgrade: 25-35 s on 2 cores
def test_cpu_extra_is_the_only_way_paddlepaddle_is_asked_for(image_venv):
    python, source = image_venv
    plan = pip(python, "install", "--dry-run", "--no-build-isolation", "-e", f"{source}[cpu]", check=False)
    assert plan.returncode != 0 and "paddlepaddle>=3.0" in plan.stderr, plan.stderr  # offline: cannot fetch it


def test_import_without_paddle_prints_one_line_with_both_pip_commands():
    # -S: no site-packages, so no paddle; the package's __init__ needs only the standard library
    proc = subprocess.run([sys.executable, "-S", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                           "import paddle_sqz; print('imported')"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "imported\n"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "pip install paddlepaddle " in lines[0] and "pip install paddlepaddle-gpu" in lines[0]


def test_tool_without_paddle_exits_with_the_line_and_no_traceback(tmp_path):
    # a folder whose 'paddle' cannot be imported, ahead of the real one
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['paddle'] = None\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(blocker)}
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "summary.py"), "--list"], capture_output=True,
                          text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr and "pip install paddlepaddle-gpu" in proc.stderr, proc.stderr
