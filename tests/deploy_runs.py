"""Small trained runs for the deployment tests (one epoch: enough for logits that vary)."""
from pathlib import Path

from conftest import BIRDS_SAMPLE, SHARED_DATA, run_folder_from, run_tool

QD14 = SHARED_DATA / "quickdraw14"


def train_quickdraw(out: Path) -> Path:
    """SqueezeNet (the paper's generator, 1 channel, 64 px) for one epoch on 100 drawings per class."""
    proc = run_tool("train.py", "--cfg", "squeezenet_quickdraw", "-o", f"data.folder={QD14}",
                    "-o", "data.max_items_per_class=100", "-o", "train.epochs=1", "-o", "output.visualdl=false",
                    "-o", "train.log_interval=100", "-o", f"output.dir={out}", timeout=300)
    return run_folder_from(proc.stdout)


def train_birds(lists: Path, out: Path) -> Path:
    """squeezenet1_1 for one epoch on the 20 real sample photos (split 16 / 4) at 64 px."""
    run_tool("split_dataset.py", "--root", BIRDS_SAMPLE, "--out", lists)
    proc = run_tool("train.py", "--cfg", "birds_fullres", "-o", f"data.train_list={lists / 'train.txt'}",
                    f"data.test_list={lists / 'test.txt'}", f"data.labels={lists / 'labels.txt'}",
                    "data.pad_size=64", "data.image_size=64", "train.epochs=1", "train.batch_size=8",
                    "train.lr=1e-3", "output.visualdl=false", f"output.dir={out}")
    return run_folder_from(proc.stdout)


def quickdraw_test_batch(run: Path, n: int = 128):
    """The first ``n`` drawings of the run's test split, as the run's pipeline prepares them, and their labels."""
    from paddle_sqz.runs import Run
    run = Run(run)
    loader, _ = run.source.loader(run.source.dataset("test"), n, train=False)
    x, y = next(iter(loader))
    return x.numpy()[:n], y.numpy().reshape(-1)[:n]


def engine_outputs(run: Path, folder: Path, engines, x, weights: str = "best"):
    """Logits of ``x`` per engine: dygraph from the run itself, the others from the export ``folder``."""
    from paddle_sqz.deploy.predictor import export_predictor, open_predictor
    return {e: (open_predictor(run, weights, "dygraph") if e == "dygraph" else export_predictor(folder, e))(x)
            for e in engines}
