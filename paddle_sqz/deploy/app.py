"""A Gradio web demo over an export folder: upload or pick an image, see the top-k classes.

``tools/app.py --run RUN`` starts it (``pip install 'paddle_sqz[app]'``). Everything the
page shows comes from the export (labels, preprocessing) through the one :class:`Predictor`,
on any engine. Bad uploads (not an image, a decompression bomb, an unreadable file) get a
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
from ..data.listfile import read_list
from ..data.quickdraw import load_class_array
from ..errors import SqzError
from ..io_utils import PathLike
from ..train.run_dir import RunDir
from .predictor import Predictor

INSTALL_APP = "pip install 'paddle_sqz[app]' (gradio, gradio_client)"
MAX_FILE_SIZE = "20mb"
SAMPLES_PER_CLASS = 1


def require_gradio():
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a user's machine
    try:
        import gradio
    except ImportError:
        raise SqzError(f"tools/app.py needs the app extra (gradio is missing): {INSTALL_APP}") from None
    return gradio


def classify(predictor: Predictor, path: Optional[str], topk: int) -> Tuple[Dict[str, float], str, Any]:
    """(label -> probability, a Markdown message, the image shown) for one uploaded file."""
    if not path:
        return {}, "Upload an image or pick a sample below.", None
    try:
        image = load_image(path)
    except SqzError as exc:
        return {}, f"**Cannot use this file:** {_tail(exc)}", None
    top = predictor.topk([image], topk)[0]
    name, prob = top[0]
    return dict(top), f"**{name}** ({prob:.1%}), engine `{predictor.engine}`", image


def _tail(exc: Exception) -> str:
    """The error without the server-side temporary path of the upload."""
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def sample_images(info: Dict[str, Any], folder: Path, per_class: int = SAMPLES_PER_CLASS) -> List[str]:
    """A few test images of the run the export came from, one per class: list runs' test photos,
    Quick Draw runs' drawings saved as PNG beside the export (``app_samples/``). Empty when
    the run's data is not on this machine."""
    try:
        cfg = RunDir.open(info["run"]).load_config()
    except SqzError:
        return []
    data = cfg["data"]
    names = info["class_names"]
    if data["kind"] != "quickdraw":
        if not Path(data["test_list"]).is_file():
            return []
        seen: Dict[int, int] = {}
        picked = []
        for path, label in read_list(data["test_list"], root=data["root"]):
            if seen.get(label, 0) < per_class and Path(path).is_file():
                seen[label] = seen.get(label, 0) + 1
                picked.append(str(path))
        return picked
    out = folder / "app_samples"
    picked = []
    for name in names:
        source = Path(data["folder"]) / f"{name}.npy"
        if not source.is_file():
            continue
        out.mkdir(exist_ok=True)
        drawings = load_class_array(source)
        for i in range(min(per_class, len(drawings))):
            png = out / f"{name}_{i}.png"
            if not png.is_file():
                Image.fromarray(np.asarray(drawings[-1 - i]).reshape(28, 28)).save(png)  # from the file's end
            picked.append(str(png))
    return picked


def build_demo(predictor: Predictor, topk: int = 5, samples: Optional[List[str]] = None):
    """The Gradio Blocks page."""
    gr = require_gradio()
    info = predictor.info
    topk = max(1, min(topk, len(predictor.class_names)))
    with gr.Blocks(title=f"paddle_sqz: {info['model']}") as demo:
        gr.Markdown(f"# {info['model']}: {len(predictor.class_names)} classes\n"
                    f"Engine `{predictor.engine}`; preprocessing and labels from `{predictor.folder}`.")
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
                        example_labels=[f"{Path(s).parent.name}/{Path(s).name}" for s in samples])
    return demo


def open_predictor(run: Optional[PathLike], export: Optional[PathLike], engine: str, weights: str = "best"):
    """The predictor over ``export`` (an export folder) or ``run``'s export (made when missing)."""
    if (run is None) == (export is None):
        raise SqzError("give --run RUN_DIR or --export EXPORT_DIR (one of them)")
    from .export import ensure_export
    folder = Path(export) if export else ensure_export(run, weights, engine)
    return Predictor(folder, engine)


def launch(run=None, export=None, engine: str = "onnxruntime", weights: str = "best", topk: int = 5,
           host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    """Start the page; returns the Gradio Blocks (running) when ``block`` is False."""
    require_gradio()
    predictor = open_predictor(run, export, engine, weights)
    samples = sample_images(predictor.info, predictor.folder)
    demo = build_demo(predictor, topk, samples)
    demo.queue(default_concurrency_limit=1, max_size=256)
    demo.launch(server_name=host, server_port=port, max_file_size=MAX_FILE_SIZE, prevent_thread_lock=not block,
                allowed_paths=sorted({str(Path(s).parent) for s in samples}), show_error=True, quiet=not block)
    return demo
