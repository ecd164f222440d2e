"""Install paddle_sqz: ``pip install -e .`` (add ``[test]`` for the test tools).

Paddle itself is NOT a requirement, on purpose. pip treats ``paddlepaddle`` (CPU),
``paddlepaddle-gpu`` and a develop build as different distributions that all provide the
``paddle`` package: requiring any one of them by name makes pip install it over the others,
which replaces the GPU build that every AI Studio GPU image ships with the CPU wheel and drags
in that wheel's newer numpy/pillow. PaddleClas leaves Paddle out for the same reason. Install
Paddle first (README's first command does it when ``import paddle`` fails), or use the ``cpu``
extra on a machine that has none. ``import paddle_sqz`` without Paddle prints the pip commands.

The other requirements carry only the floors the code needs (no pins, no upper bounds): pip
keeps an installed version that satisfies them, so an image's preinstalled numpy, pillow and
matplotlib stay as they are (tests/test_install.py checks both points in a throwaway venv).
"""
from setuptools import find_packages, setup

# The supported range, measured (README, "AI Studio, GPUs and supported versions"):
# Paddle 3.0.0 on Python 3.10 is the oldest combination the tests pass on, 3.3.1 on 3.11 the newest.
PADDLE = "paddlepaddle>=3.0"

setup(
    name="paddle_sqz",
    version="0.1.0",
    description="SqueezeNet on birds and Quick Draw model compression, in PaddlePaddle",
    packages=find_packages(include=["paddle_sqz", "paddle_sqz.*"]),
    package_data={"paddle_sqz": ["config/*.yaml"]},
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.21",
        "pillow>=8.0",
        "matplotlib>=3.5",
        "visualdl>=2.5",
        # YAML configs with comments, as PaddleClas uses; safe_load only (no eval).
        "pyyaml>=5.1",
        # best_model.safetensors: weights that load without unpickling (numpy API, no torch).
        "safetensors>=0.4",
    ],
    extras_require={
        # For a machine without any Paddle (never on AI Studio: it would replace paddlepaddle-gpu).
        "cpu": [PADDLE],
        # nbclient + ipykernel execute the notebooks headless in the tests (the maintained runner
        # behind nbconvert); users who only train never need them.
        "test": ["pytest", "nbclient", "nbformat", "ipykernel", "hypothesis"],
        # Noto Sans CJK SC for Chinese class names where the system has no CJK font (an 85 MB wheel).
        "fonts": ["mplfonts"],
    },
)
