"""Two "nodes" on this machine: two paddle.distributed.launch launchers, master on 127.0.0.1.

Each launcher starts one process (--nnodes 2 --nproc_per_node 1), as two machines with one
device each would. Checked: the global ranks 0 and 1, that the two shards of every epoch are
disjoint and together cover the training set, and that only global rank 0 writes a run folder.
"""
import json
import os
import socket
import subprocess
import sys

import paddle
import pytest

from conftest import ROOT, tiny_overrides
from paddle_sqz.runs import Run

PROBE = ROOT / "tests" / "dist_probe.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(paddle.device.is_compiled_with_cuda(), reason="CPU (gloo) test; a CUDA build's launcher "
                    "hands each node a GPU: tests/test_gpu.py launches over GPUs")
@pytest.mark.slow  # two launchers, like the distributed test
def test_two_launchers_over_loopback_train_one_run(tiny_demo, tmp_path):
    out, probe = tmp_path / "out", tmp_path / "probe"
    probe.mkdir()
    master = f"127.0.0.1:{free_port()}"
    ports = [free_port(), free_port()]  # both "nodes" share 127.0.0.1: give each its own trainer port
    env = dict(os.environ, PROBE_DIR=str(probe))  # CPU processes: the launcher picks gloo
    launchers = []
    for node in (0, 1):
        command = [sys.executable, "-m", "paddle.distributed.launch", "--master", master, "--nnodes", "2",
                   "--nproc_per_node", "1", "--rank", str(node), "--host", "127.0.0.1",
                   "--start_port", str(ports[node]),
                   "--log_dir", str(tmp_path / f"logs{node}"), str(PROBE), "--cfg", "demo",
                   *tiny_overrides(tiny_demo, out, "train.epochs=2")]
        launchers.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                          env=env, cwd=tmp_path))
    try:
        outputs = [launcher.communicate(timeout=300)[0] for launcher in launchers]
    finally:
        for launcher in launchers:
            if launcher.poll() is None:
                launcher.kill()
    assert [launcher.returncode for launcher in launchers] == [0, 0], "\n".join(outputs)

    records = {int(path.stem[4:]): json.loads(path.read_text()) for path in probe.glob("rank*.json")}
    assert sorted(records) == [0, 1]
    assert all(r["world_size"] == 2 and r["env"]["PADDLE_TRAINERS_NUM"] == "2" for r in records.values())
    runs = list(out.iterdir())
    assert len(runs) == 1, "only global rank 0 may create a run folder"
    training = len(Run(runs[0]).source.dataset("train"))  # the 28 listed images less the validation share
    assert 0 < training < 28 and training % 2 == 0
    for epoch in (1, 2):
        shards = [[i for e, batch in records[rank]["batches"] if e == epoch for i in batch] for rank in (0, 1)]
        assert len(shards[0]) == len(shards[1]) == training // 2  # half per node
        assert not set(shards[0]) & set(shards[1]) and set(shards[0]) | set(shards[1]) == set(range(training))

    metrics = [json.loads(line) for line in (runs[0] / "metrics.jsonl").read_text().splitlines()]
    assert [m["epoch"] for m in metrics] == [1, 2]
    assert "x2 processes" in (tmp_path / "logs0" / "workerlog.0").read_text()
