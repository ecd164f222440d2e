"""What LogWriter writes is what the real VisualDL board serves over HTTP."""
import pytest
from visualdl import LogWriter

from visualdl_http import list_runs_and_tags, read_scalar, visualdl_server

RUNS = {
    "runA": {"train/loss": [(1, 2.5), (2, 1.25), (3, 0.6)], "eval/top1": [(1, 0.25), (2, 0.5), (3, 0.75)]},
    "runB": {"train/loss": [(1, 1.9), (2, 1.1)], "eval/top1": [(1, 0.4), (2, 0.55)]},
}


def _write(logdir):
    for run, tags in RUNS.items():
        with LogWriter(logdir=str(logdir / run)) as writer:
            for tag, points in tags.items():
                for step, value in points:
                    writer.add_scalar(tag=tag, value=value, step=step)


def test_scalars_read_back_over_http(tmp_path):
    logdir = tmp_path / "vdl"
    _write(logdir)
    with visualdl_server(logdir) as base_url:
        tags = list_runs_and_tags(base_url)
        names = {str((logdir / run).resolve()): run for run in RUNS}
        assert set(tags) == set(names)
        for name, run in names.items():
            assert sorted(tags[name]) == sorted(RUNS[run])
            for tag, points in RUNS[run].items():
                got = read_scalar(base_url, name, tag)
                assert [step for step, _ in got] == [step for step, _ in points]
                # VisualDL stores float32
                assert [v for _, v in got] == pytest.approx([v for _, v in points], rel=1e-6)
