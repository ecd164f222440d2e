"""Install paddle_sqz: ``pip install -e .`` (add ``[test]`` for the test tools)."""
from setuptools import find_packages, setup

setup(
    name="paddle_sqz",
    version="0.1.0",
    description="SqueezeNet on birds and Quick Draw model compression, in PaddlePaddle",
    packages=find_packages(include=["paddle_sqz", "paddle_sqz.*"]),
    package_data={"paddle_sqz": ["config/*.yaml"]},
    python_requires=">=3.9",
    install_requires=[
        "paddlepaddle>=3.0",
        "pillow",
        "numpy",
        "matplotlib",
        "visualdl",
        # YAML configs with comments, as PaddleClas uses; safe_load only (no eval).
        "pyyaml",
        # best_model.safetensors: weights that load without unpickling (numpy API, no torch).
        "safetensors",
    ],
    # nbclient + ipykernel execute the notebooks headless in the tests (the maintained runner
    # behind nbconvert); users who only train never need them.
    extras_require={"test": ["pytest", "nbclient", "nbformat", "ipykernel", "hypothesis"]},
)
