"""Resumable downloads against a local HTTP server (never the internet)."""
import importlib.util
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from paddle_sqz.data.download import (DEFAULT_BASE, download_classes, download_file,
                                      quickdraw_url, read_classes_file)
from paddle_sqz.errors import SqzError

REPO = Path(__file__).resolve().parents[1]


class FakeStorage:
    """Serves ``files`` by URL path; ``mode`` is normal, ignore_range or truncate."""

    def __init__(self, files):
        self.files, self.mode, self.requests, self.bytes_sent = files, "normal", [], 0


def make_handler(storage: FakeStorage):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = urllib.parse.unquote(self.path)
            storage.requests.append((self.path, self.headers.get("Range")))
            if path not in storage.files:
                self.send_error(404)
                return
            body = storage.files[path]
            start = 0
            range_header = self.headers.get("Range")
            if range_header and storage.mode != "ignore_range":
                start = int(range_header.split("=")[1].split("-")[0])
                if start >= len(body):
                    self.send_error(416)
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            payload = body[start:]
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if storage.mode == "truncate":
                payload = payload[:len(payload) // 2]
            storage.bytes_sent += len(payload)  # before the write: the client may check as soon as it has read
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def server(tmp_path):
    """A local server with two real-format class files, one with a space in its name."""
    src = tmp_path / "src"
    src.mkdir()
    rng = np.random.default_rng(0)
    files = {}
    for name, rows in (("house plant", 300), ("cat", 120)):
        np.save(src / f"{name}.npy", rng.integers(0, 256, (rows, 784), dtype=np.uint8))
        files[f"/numpy_bitmap/{name}.npy"] = (src / f"{name}.npy").read_bytes()
    storage = FakeStorage(files)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(storage))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    storage.base = f"http://127.0.0.1:{httpd.server_address[1]}/numpy_bitmap/"
    yield storage
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_url_encoding():
    assert quickdraw_url("house plant") == DEFAULT_BASE + "house%20plant.npy"
    assert quickdraw_url("cat", base="http://x/y") == "http://x/y/cat.npy"


def test_normal_download_with_progress(server, tmp_path, capsys):
    body = server.files["/numpy_bitmap/cat.npy"]
    dest = download_file(server.base + "cat.npy", tmp_path / "out" / "cat.npy", chunk=16384)
    assert dest.read_bytes() == body
    assert not (tmp_path / "out" / "cat.npy.part").exists()
    err = capsys.readouterr().err
    assert "\r" in err and "100.0%" in err and "MB/s" in err and "ETA" in err


def test_resume_sends_range_and_appends(server, tmp_path):
    body = server.files["/numpy_bitmap/house plant.npy"]
    dest = tmp_path / "house plant.npy"
    half = len(body) // 2
    Path(str(dest) + ".part").write_bytes(body[:half])
    download_file(quickdraw_url("house plant", server.base), dest, progress=False, chunk=16384)
    assert server.requests[-1] == ("/numpy_bitmap/house%20plant.npy", f"bytes={half}-")
    assert server.bytes_sent == len(body) - half
    assert dest.read_bytes() == body


def test_server_ignoring_range_restarts_from_zero(server, tmp_path):
    server.mode = "ignore_range"
    body = server.files["/numpy_bitmap/cat.npy"]
    dest = tmp_path / "cat.npy"
    Path(str(dest) + ".part").write_bytes(b"\0" * 1000)  # not even a prefix of the file
    download_file(server.base + "cat.npy", dest, progress=False)
    assert server.requests[-1][1] == "bytes=1000-"
    assert dest.read_bytes() == body


def test_truncated_response_keeps_part_then_resumes(server, tmp_path):
    server.mode = "truncate"
    body = server.files["/numpy_bitmap/cat.npy"]
    dest = tmp_path / "cat.npy"
    url = server.base + "cat.npy"
    with pytest.raises(SqzError, match=f"{url}: got {len(body) // 2} bytes"):
        download_file(url, dest, progress=False)
    assert not dest.exists()
    part = Path(str(dest) + ".part")
    assert part.read_bytes() == body[:len(body) // 2]
    server.mode = "normal"
    download_file(url, dest, progress=False)
    assert dest.read_bytes() == body and not part.exists()


def test_expected_size_mismatch_and_http_errors(server, tmp_path):
    url = server.base + "cat.npy"
    with pytest.raises(SqzError, match="expected size is 7"):
        download_file(url, tmp_path / "cat.npy", expected_size=7, progress=False)
    assert not (tmp_path / "cat.npy").exists() and (tmp_path / "cat.npy.part").exists()
    with pytest.raises(SqzError, match="giraffe.npy: HTTP 404"):
        download_file(server.base + "giraffe.npy", tmp_path / "giraffe.npy", progress=False)


def test_part_longer_than_file_starts_over(server, tmp_path):
    body = server.files["/numpy_bitmap/cat.npy"]
    dest = tmp_path / "cat.npy"
    Path(str(dest) + ".part").write_bytes(b"x" * (len(body) + 10))
    download_file(server.base + "cat.npy", dest, progress=False)
    assert [r[1] for r in server.requests] == [f"bytes={len(body) + 10}-", None]  # 416, retry
    assert dest.read_bytes() == body


def test_download_classes_skips_complete_files(server, tmp_path):
    out = tmp_path / "qd"
    paths = download_classes(["house plant", "cat"], out, base=server.base, progress=False)
    assert [p.name for p in paths] == ["house plant.npy", "cat.npy"]
    assert ("/numpy_bitmap/house%20plant.npy", None) in server.requests
    assert np.load(out / "house plant.npy").shape == (300, 784)
    seen = len(server.requests)
    download_classes(["house plant", "cat"], out, base=server.base, progress=False)
    assert len(server.requests) == seen
    (out / "cat.npy").write_bytes((out / "cat.npy").read_bytes()[:500])  # damaged copy
    download_classes(["cat"], out, base=server.base, progress=False)
    assert (out / "cat.npy").read_bytes() == server.files["/numpy_bitmap/cat.npy"]


def test_read_classes_file(tmp_path):
    path = tmp_path / "classes.txt"
    path.write_text("# my classes\nhouse plant\n\n  cat  # pets\n", encoding="utf-8")
    assert read_classes_file(path) == ["house plant", "cat"]
    path.write_text("cat\ndog\ncat\n", encoding="utf-8")
    with pytest.raises(SqzError, match="classes.txt:3"):
        read_classes_file(path)


def test_script(server, tmp_path):
    spec = importlib.util.spec_from_file_location("download_quickdraw",
                                                  REPO / "datasets" / "download_quickdraw.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    classes_file = tmp_path / "classes.txt"
    classes_file.write_text("house plant\n", encoding="utf-8")
    out = tmp_path / "out"
    assert script.main(["--classes-file", str(classes_file), "--out", str(out),
                        "--base", server.base]) == 0
    assert (out / "house plant.npy").read_bytes() == server.files["/numpy_bitmap/house plant.npy"]
    with pytest.raises(SqzError, match="HTTP 404"):
        script.main(["--classes", "giraffe", "--out", str(out), "--base", server.base])
