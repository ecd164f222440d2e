"""Design-space sweeps (paper section 5 and 6): train a grid of SqueezeNet settings, report them.

A sweep varies one config key over a list of values (the paper's squeeze ratio, 3x3
share, or macro-architecture), each for one or more seeds. Every point goes through
the one training engine and is measured like a model comparison
(:func:`compare.train_and_measure`): saved size, test top-1 / top-5, training time.
Each run is its own folder (``<out>/<label>-<time>/``, its own VisualDL log), and the
report (table and Figure 3 style plot) goes into ``<out>``.
"""
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence

from ..config import load_config
from ..config.loader import parse_override
from ..errors import SqzError
from .comparison import about_lines, train_and_measure
from ..runs import LoadedRun, evaluate_run


class Sweep(NamedTuple):
    """A named grid: the config key it varies and the paper's values for it."""
    key: str
    values: tuple
    label: str  # short prefix of each run's name


SWEEPS: Dict[str, Sweep] = {
    "sr": Sweep("model.sr", (0.125, 0.25, 0.5, 0.75, 1.0), "sr"),
    "pct_3x3": Sweep("model.pct_3x3", (0.01, 0.125, 0.25, 0.5, 0.75, 0.99), "pct3x3"),
    "bypass": Sweep("model.bypass", ("none", "simple", "complex"), "bypass"),
}
RESERVED_KEYS = ("seed", "output.name", "output.dir")


class Point(NamedTuple):
    label: str       # run name, e.g. sr0.25-seed0
    value: Any       # the swept key's value
    seed: int
    overrides: List[str]


def sweep_points(sweep: str, values: Optional[Sequence[str]] = None, seeds: Sequence[int] = (0,),
                 overrides: Sequence[str] = ()) -> List[Point]:
    """The grid: every value (default: the paper's) x every seed, after the shared overrides."""
    if sweep not in SWEEPS:
        raise SqzError(f"--sweep: unknown sweep {sweep!r}; valid: {', '.join(SWEEPS)}")
    if not seeds or len(set(seeds)) != len(seeds):
        raise SqzError(f"--seeds: give distinct seeds, got {list(seeds)}")
    spec = SWEEPS[sweep]
    for text in overrides:
        key = text.split("=", 1)[0].strip()
        if key in RESERVED_KEYS or key == spec.key:
            raise SqzError(f"-o {text}: {key} is set by the sweep itself (use --values, --seeds, --out)")
    raw = [str(v) for v in (values if values else spec.values)]
    if len(set(raw)) != len(raw):
        raise SqzError(f"--values: listed twice in {raw}")
    points = []
    for text in raw:
        _, value = parse_override(f"{spec.key}={text}")
        for seed in seeds:
            points.append(Point(f"{spec.label}{value}-seed{seed}", value, int(seed),
                                [*overrides, f"{spec.key}={text}", f"seed={seed}"]))
    return points


def sweep_configs(cfg_name: str, points: Sequence[Point], out_dir: Path) -> Dict[str, Dict[str, Any]]:
    """One validated config per point (all loaded before anything trains: a bad key stops at once)."""
    configs = {}
    for point in points:
        cfg = load_config(cfg_name, point.overrides)
        cfg["output"]["name"] = point.label
        cfg["output"]["dir"] = str(Path(out_dir).expanduser().resolve())
        configs[point.label] = cfg
    return configs


def run_sweep(cfg_name: str, sweep: str, values: Optional[Sequence[str]] = None, seeds: Sequence[int] = (0,),
              overrides: Sequence[str] = (), out_dir: Optional[Path] = None, command: str = "",
              repeats: int = 0, log: Callable[[str], None] = print) -> Dict[str, Any]:
    """Train and measure the grid, write the report; returns ``{"out_dir", "rows", "files", "wall_seconds"}``."""
    start = time.perf_counter()
    points = sweep_points(sweep, values, seeds, overrides)
    if out_dir is None:
        base = load_config(cfg_name, overrides)
        out_dir = Path(base["output"]["dir"]) / f"sweep-{sweep}-{time.strftime('%Y%m%d-%H%M%S')}"
    configs = sweep_configs(cfg_name, points, Path(out_dir))
    out = Path(next(iter(configs.values()))["output"]["dir"])
    log(f"sweep {sweep}: {len(points)} runs into {out}")
    rows = train_and_measure(configs, repeats=repeats, log=log)
    for row, point in zip(rows, points):
        row.update(setting=SWEEPS[sweep].key, value=point.value, seed=point.seed)
    wall = time.perf_counter() - start
    first_run = LoadedRun(rows[0]["run"])
    about = about_lines(first_run, overrides, wall, command, "sweep")
    about.insert(-2, f"swept: `{SWEEPS[sweep].key}` over {', '.join(str(p.value) for p in points[::len(seeds)])}; "
                     f"seeds {', '.join(map(str, seeds))} (each seed: its own split, initialisation and order)")
    from ..report.sweep_report import write_sweep_report
    files = write_sweep_report(rows, out, sweep, about)
    for name in files.values():
        log(f"wrote {name}")
    return {"out_dir": out, "rows": rows, "files": files, "wall_seconds": wall}


def rereport(out_dir: Path, sweep: str) -> Dict[str, str]:
    """Write the report of a finished sweep again from its ``sweep.csv`` and the runs' ``metrics.jsonl``.

    For a changed plot or table without training again; the header lines (command, data,
    wall time) are kept from the existing ``sweep.md``. Runs listed without a dead-class
    count (sweeps written before that column) are evaluated again to count them.
    """
    import csv
    from ..config.loader import parse_override
    from ..report.sweep_report import write_sweep_report
    from ..train.history import read_history
    out = Path(out_dir)
    table, md = out / "sweep.csv", out / "sweep.md"
    if not table.is_file() or not md.is_file():
        raise SqzError(f"--report: {out} has no sweep.csv and sweep.md (is it a tools/sweep.py output folder?)")
    if sweep not in SWEEPS:
        raise SqzError(f"--sweep: unknown sweep {sweep!r}; valid: {', '.join(SWEEPS)}")
    with open(table, newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    rows = []
    for r in records:
        run = Path(r["run"])
        dead_classes = (int(r["dead_classes"]) if r.get("dead_classes")
                        else len(evaluate_run(run)["dead_classes"]))  # a sweep written before the column
        _, value = parse_override(f"{SWEEPS[sweep].key}={r['value']}")
        rows.append({"setting": r["setting"], "value": value, "seed": int(r["seed"]),
                     "parameters": int(r["parameters"]), "size_kb": float(r["size_mb"]) * 1024.0,
                     "top1": float(r["top1"]), "top5": float(r["top5"]), "dead_classes": dead_classes,
                     "epochs": int(r["epochs"]),
                     "train_seconds": float(r["train_seconds"]), "run": str(run),
                     "model": run.name.rsplit("-", 2)[0], "history": read_history(run / "metrics.jsonl")})
    lines = md.read_text(encoding="utf-8").split("\n\n")[1].splitlines()
    about = [line[2:] for line in lines if line.startswith("- ")]
    return write_sweep_report(rows, out, sweep, about)
