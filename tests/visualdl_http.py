"""Run the real VisualDL board in a subprocess and read scalars back over HTTP.

Tests use it to prove that what the trainer logs is what a user sees in the
board. Endpoints are those of VisualDL 2.5.3 (``visualdl/server/app.py`` and
``api.py``); answers are wrapped as ``{"status": 0, "msg": "", "data": ...}``.

Run names are the ``--logdir`` argument joined with the run's sub-directory,
so :func:`visualdl_server` passes an absolute logdir: the run written to
``logdir/"runA"`` is named ``str(logdir.resolve() / "runA")``.
"""
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Iterator, List, Tuple

API = "/app/api"  # VisualDL's default --public-path "/app" plus "/api"
ALIVE = "/alive"  # answers 204 once the server is up


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def visualdl_server(logdir: "os.PathLike[str] | str", host: str = "127.0.0.1",
                    timeout: float = 60.0) -> Iterator[str]:
    """Yield the base URL (``http://host:port``) of a board serving ``logdir``.

    Runs the console script's entry point (``visualdl.server.app``) with this
    interpreter, because ``python -m visualdl`` has no ``__main__``.
    """
    port = _free_port(host)
    command = [sys.executable, "-m", "visualdl.server.app", "--logdir", os.path.abspath(logdir),
               "--host", host, "--port", str(port), "--disable-telemetry"]
    with tempfile.TemporaryFile(mode="w+") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        base = f"http://{host}:{port}"
        try:
            deadline = time.monotonic() + timeout
            while not _answers(base + ALIVE):
                if server.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    state = f"exited with {server.returncode}" if server.poll() is not None \
                        else f"did not answer in {timeout:g} s"
                    raise RuntimeError(f"VisualDL {state}: {' '.join(command)}\n{output.read()}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _get(base_url: str, endpoint: str, **query: str) -> Any:
    """The ``data`` of one API answer; a non-zero ``status`` raises with VisualDL's ``msg``."""
    url = f"{base_url}{API}/{endpoint}"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.loads(response.read().decode("utf-8"))
    if body.get("status") != 0:
        raise RuntimeError(f"GET {url}: status {body.get('status')}: {body.get('msg')}")
    return body["data"]


def list_runs_and_tags(base_url: str) -> Dict[str, List[str]]:
    """Scalar tags per run, from ``GET /app/api/scalar/tags``.

    VisualDL answers ``{"runs": [run, ...], "tags": [[tag, ...], ...]}`` (parallel lists).
    """
    data = _get(base_url, "scalar/tags")
    return dict(zip(data["runs"], data["tags"]))


def read_scalar(base_url: str, run: str, tag: str) -> List[Tuple[int, float]]:
    """``(step, value)`` pairs of one scalar, from ``GET /app/api/scalar/list?run=&tag=``.

    VisualDL answers ``[[timestamp_ms, step, value], ...]``, values stored as float32.
    An unknown run or tag answers ``data: null`` (after ~4 s of server retries);
    that raises rather than passing for "no points".
    """
    data = _get(base_url, "scalar/list", run=run, tag=tag)
    if data is None:
        raise RuntimeError(f"VisualDL has no scalar {tag!r} in run {run!r}")
    return [(int(step), float(value)) for _, step, value in data]


def list_tags(base_url: str, kind: str) -> Dict[str, List[str]]:
    """Tags per run of one VisualDL component: ``histogram``, ``pr-curve``, ``image`` ..."""
    data = _get(base_url, f"{kind}/tags")
    return dict(zip(data["runs"], data["tags"]))


def read_histograms(base_url: str, run: str, tag: str) -> List[Tuple[int, List[Tuple[float, float, float]]]]:
    """``(step, [(left edge, right edge, count), ...])`` per logged step."""
    data = _get(base_url, "histogram/list", run=run, tag=tag)
    return [(int(step), [tuple(b) for b in bins]) for _, step, bins in data]


def read_pr_curves(base_url: str, run: str, tag: str) -> List[Dict[str, Any]]:
    """One dict per step: ``step``, ``precision``, ``recall``, ``tp``, ``fp``, ``tn``, ``fn``."""
    data = _get(base_url, "pr-curve/list", run=run, tag=tag)
    keys = ("precision", "recall", "tp", "fp", "tn", "fn")
    return [{"step": int(item[1]), **dict(zip(keys, item[2:8]))} for item in data]


def read_hparams(base_url: str) -> List[Dict[str, Any]]:
    """``[{"name": run, "hparams": {...}, "metrics": {...}}, ...]`` of the HParams tab."""
    return _get(base_url, "hparams/list")


def read_image(base_url: str, run: str, tag: str, index: int = 0) -> Tuple[List[int], bytes]:
    """The steps of an image tag and the encoded bytes of its ``index``-th image."""
    steps = [int(item["step"]) for item in _get(base_url, "image/list", run=run, tag=tag)]
    query = urllib.parse.urlencode({"run": run, "tag": tag, "index": index})
    with urllib.request.urlopen(f"{base_url}{API}/image/image?{query}", timeout=30) as response:
        return steps, response.read()
