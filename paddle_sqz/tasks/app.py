"""A Gradio web demo over an export folder: upload or pick an image, see the top-k classes.

``tools/app.py --run RUN`` starts it (``pip install 'paddle_sqz[app]'``). Everything the
page shows comes from the export (labels, preprocessing) through the one
:class:`~paddle_sqz.deploy.predictor.Predictor`, on any export engine. Bad uploads (not an image, a decompression bomb, an unreadable file) get a
one-line message in the page from :func:`paddle_sqz.data.image.load_image`; uploads over
``max_file_size`` are refused by Gradio before they reach the model; the server stays up.
On AI Studio an app (应用) is this file's ``demo.launch()`` behind a Gradio entry point.
"""
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from PIL import Image

from ..data.image import load_image
from ..deploy.export import ensure_export
from ..deploy.export_info import read_export
from ..deploy.predictor import Predictor, export_predictor
from ..errors import SqzError
from ..io_utils import PathLike
from ..runs import Run
from .predict import softmax

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a user's machine
try:  # the [app] extra
    import gradio
except ImportError:
    gradio = None

INSTALL_APP = "pip install 'paddle_sqz[app]' (gradio, gradio_client)"
MAX_FILE_SIZE = "20mb"
MAX_SAMPLES = 8


def require_gradio():
    """The gradio module, or one line saying which pip command adds it."""
    if gradio is None:
        raise SqzError(f"tools/app.py needs the app extra (gradio is missing): {INSTALL_APP}")
    return gradio


def classify(predictor: Predictor, path: Optional[str], topk: int) -> Tuple[Dict[str, float], str, Any]:
    """(label -> probability, a Markdown message, the image shown) for one uploaded file."""
    if not path:
        return {}, "Upload an image or pick a sample below.", None
    try:
        image = load_image(path)
    except SqzError as exc:
        return {}, f"**Cannot use this file:** {_tail(exc)}", None
    top = top_classes(predictor, image, topk)
    name, prob = top[0]
    return dict(top), f"**{name}** ({prob:.1%}), engine `{predictor.engine}`", image


def top_classes(predictor: Predictor, image: Image.Image, topk: int) -> List[Tuple[str, float]]:
    """(class name, probability) of the ``topk`` most likely classes for one image."""
    probs = softmax(predictor(predictor.transform(image, None)[None]))[0]
    return [(predictor.class_names[i], float(probs[i])) for i in np.argsort(-probs)[:topk]]


def _tail(exc: Exception) -> str:
    """The error without the server-side temporary path of the upload."""
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def sample_images(info: Dict[str, Any], folder: Path, count: int = MAX_SAMPLES) -> List[str]:
    """A few test images of the run the export came from (its data source's examples, spread
    over the test split), saved as PNG in ``folder/app_samples``. Empty when the run or its
    data is not on this machine."""
    try:
        run = Run(info["run"])
        thumbs, _, labels = run.source.examples(min(count, len(run.class_names)))
    except SqzError:
        return []
    out = folder / "app_samples"
    out.mkdir(exist_ok=True)
    paths = []
    for index, (thumb, label) in enumerate(zip(thumbs, labels)):
        path = out / f"{index:02d}_{run.class_names[int(label)]}.png"
        Image.fromarray(thumb).save(path)
        paths.append(str(path))
    return paths


def build_demo(predictor: Predictor, folder: Path, topk: int = 5, samples: Optional[List[str]] = None):
    """The Gradio Blocks page for the predictor over export ``folder``."""
    gr = require_gradio()
    info = read_export(folder)
    topk = max(1, min(topk, len(predictor.class_names)))
    with gr.Blocks(title=f"paddle_sqz: {info['model']}") as demo:
        gr.Markdown(f"# {info['model']}: {len(predictor.class_names)} classes\n"
                    f"Engine `{predictor.engine}`; preprocessing and labels from `{folder}`.")
        with gr.Row():
            with gr.Column():
                upload = gr.File(label="Image", file_count="single", type="filepath")
                button = gr.Button("Classify", variant="primary")
            with gr.Column():
                message = gr.Markdown("Upload an image or pick a sample below.")
                label = gr.Label(num_top_classes=topk, label=f"Top {topk}")
                shown = gr.Image(label="Input", type="pil", interactive=False)
        outputs = [label, message, shown]
        run = (lambda path: classify(predictor, path, topk))
        button.click(run, inputs=upload, outputs=outputs, api_name="classify")
        upload.upload(run, inputs=upload, outputs=outputs, api_name=False)
        if samples:
            gr.Examples(examples=[[s] for s in samples], inputs=upload, outputs=outputs, fn=run,
                        cache_examples=False, run_on_click=True, label="Samples from the run's test set",
                        example_labels=[Path(s).stem.split("_", 1)[1] for s in samples])
    return demo


def open_export(run: Optional[PathLike], export: Optional[PathLike], engine: str,
                weights: str = "best") -> Tuple[Predictor, Path]:
    """The predictor over ``export`` (an export folder) or ``run``'s export (made when missing), and the folder."""
    if (run is None) == (export is None):
        raise SqzError("give --run RUN_DIR or --export EXPORT_DIR (one of them)")
    folder = Path(export) if export else ensure_export(run, weights, engine)
    return export_predictor(folder, engine), folder


def launch(run=None, export=None, engine: str = "onnxruntime", weights: str = "best", topk: int = 5,
           host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    """Start the page; returns the Gradio Blocks (running) when ``block`` is False."""
    require_gradio()
    predictor, folder = open_export(run, export, engine, weights)
    samples = sample_images(read_export(folder), folder)
    demo = build_demo(predictor, folder, topk, samples)
    demo.queue(default_concurrency_limit=1, max_size=256)
    demo.launch(server_name=host, server_port=port, max_file_size=MAX_FILE_SIZE, prevent_thread_lock=not block,
                allowed_paths=sorted({str(Path(s).parent) for s in samples}), show_error=True, quiet=not block)
    return demo
