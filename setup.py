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
    extras_require={"test": ["pytest", "nbclient", "nbformat", "ipykernel"],
                    # ONNX export and the onnxruntime engines (tested versions). paddle2onnx pip-installs
                    # sympy and onnx_graphsurgeon at first use when missing, which fails offline.
                    "onnx": ["paddle2onnx==2.1.0", "onnxruntime>=1.32,<2", "onnx>=1.17", "sympy>=1.14",
                             "onnx_graphsurgeon>=0.6"],
                    # tools/app.py, the web demo; gradio_client queries it in the tests.
                    "app": ["gradio>=6.31,<7", "gradio_client>=2.7"]},
)
