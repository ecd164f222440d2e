"""Design-space sweeps (paper section 5 and 6): train a grid of SqueezeNet settings, report them.

A sweep varies one config key over a list of values (the paper's squeeze ratio, 3x3
share, or macro-architecture), each for one or more seeds. Every point goes through
the one training engine and is measured like a model comparison
(:func:`compare.train_and_measure`): saved size, test top-1 / top-5, training time.
Each run is its own folder (``<out>/<label>-<time>/``, its own VisualDL log), and the
report (table and Figure 3 style plot) goes into ``<out>``.
"""
import json
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence

from ..config import load_config
from ..config.loader import parse_override
from ..errors import SqzError
from ..io_utils import atomic_write_text
from ..report.sweep_report import write_sweep_report
from ..runs import Run
from .comparison import about_lines, train_and_measure

RECORD = "sweep.json"  # the rows and header lines: what --report draws again


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
    about = about_lines(Run(rows[0]["run"]), overrides, wall, command, "sweep")
    about.insert(-2, f"swept: `{SWEEPS[sweep].key}` over {', '.join(str(p.value) for p in points[::len(seeds)])}; "
                     f"seeds {', '.join(map(str, seeds))} (each seed: its own split, initialisation and order)")
    record = {"sweep": sweep, "about": about, "rows": [{k: v for k, v in r.items() if k != "history"} for r in rows]}
    atomic_write_text(out / RECORD, json.dumps(record, indent=2) + "\n")
    files = write_sweep_report(rows, out, sweep, about)
    for name in files.values():
        log(f"wrote {name}")
    return {"out_dir": out, "rows": rows, "files": files, "wall_seconds": wall}


def rereport(out_dir: Path) -> Dict[str, str]:
    """Draw the report of a finished sweep again from its ``sweep.json`` and the runs' histories (no training)."""
    path = Path(out_dir) / RECORD
    if not path.is_file():
        raise SqzError(f"--report: {path} not found (is {out_dir} a tools/sweep.py output folder?)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        sweep, about, rows = record["sweep"], record["about"], record["rows"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SqzError(f"{path}: not a sweep record ({exc})") from None
    for row in rows:
        row["history"] = Run(row["run"]).history
    return write_sweep_report(rows, Path(out_dir), sweep, about)
