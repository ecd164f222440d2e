"""Run a Paddle Lite ``.nb`` model on a batch: ``python lite_worker.py MODEL.nb IN.npy OUT.npy``.

Runs under the interpreter that has ``paddlelite`` (its wheels stop at Python 3.10), so it
imports only numpy and paddlelite, never paddle_sqz or paddle: the package calls it as a
script by path from any Python. :func:`run_nb` is also what the in-process Lite engine uses.
"""
import sys

import numpy as np

try:  # present only under paddlelite's own Python (or a <= 3.10 environment that has it)
    from paddlelite.lite import MobileConfig, create_paddle_predictor
except ImportError:
    MobileConfig = create_paddle_predictor = None


def load_nb(model_file: str):
    """A Paddle Lite predictor (``MobileConfig``; its Python API has no thread setting) for a ``.nb`` file."""
    if MobileConfig is None:
        raise ImportError("paddlelite is not installed in this Python (its wheels stop at Python 3.10)")
    config = MobileConfig()
    config.set_model_from_file(model_file)
    return create_paddle_predictor(config)


def run_nb(predictor, x: np.ndarray) -> np.ndarray:
    """Logits for a float32 NCHW batch."""
    x = np.asarray(x, dtype=np.float32)
    tensor = predictor.get_input(0)
    # not from_numpy: on paddlelite 2.13rc0 it leaves the input at zeros without an error
    tensor.resize(list(x.shape))
    tensor.set_float_data(x.reshape(-1).tolist())
    predictor.run()
    return np.array(predictor.get_output(0).numpy(), dtype=np.float32)


def main(argv) -> int:
    model_file, in_file, out_file = argv[:3]
    np.save(out_file, run_nb(load_nb(model_file), np.load(in_file)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
