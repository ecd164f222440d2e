"""Resumable downloads against a local HTTP server (never the internet)."""
import importlib.util
import io
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from paddle_sqz.data.download import (DEFAULT_BASE, download_classes, download_file,
                                      download_first_rows, quickdraw_url, read_classes_file)
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
            start, end = 0, len(body) - 1
            range_header = self.headers.get("Range")
            if range_header and storage.mode != "ignore_range":
                first, last = range_header.split("=")[1].split("-")
                start = int(first)
                end = min(int(last), len(body) - 1) if last else len(body) - 1
                if start >= len(body):
                    self.send_error(416)
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
            else:
                self.send_response(200)
            payload = body[start:end + 1]
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if storage.mode == "truncate":
                payload = payload[:len(payload) // 2]
            storage.bytes_sent += len(payload)  # counted before the write: the client may finish first
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
    storage.src = src
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
    assert script.main(["--classes", "cat", "--max-per-class", "7", "--out", str(out / "few"),
                        "--base", server.base]) == 0
    assert np.load(out / "few" / "cat.npy").shape == (7, 784)
    with pytest.raises(SqzError, match="HTTP 404"):
        script.main(["--classes", "giraffe", "--out", str(out), "--base", server.base])


ROW = 784  # bytes per drawing


def test_max_rows_fetches_only_the_header_and_those_rows(server, tmp_path):
    body = server.files["/numpy_bitmap/house plant.npy"]
    full = np.load(server.src / "house plant.npy")
    dest = download_first_rows(quickdraw_url("house plant", server.base), tmp_path / "hp.npy",
                               100, progress=False, chunk=4096)
    got = np.load(dest, allow_pickle=False)
    assert got.shape == (100, ROW) and got.dtype == np.uint8
    assert np.array_equal(got, full[:100])
    header_len = len(body) - full.nbytes
    assert server.requests == [("/numpy_bitmap/house%20plant.npy",
                                f"bytes=0-{header_len + 100 * ROW - 1}")]
    assert server.bytes_sent == header_len + 100 * ROW  # a third of the 300-row file
    assert not list(tmp_path.glob("*.part"))


def test_max_rows_when_the_server_ignores_range(server, tmp_path):
    server.mode = "ignore_range"
    full = np.load(server.src / "house plant.npy")
    dest = download_first_rows(server.base + "house%20plant.npy", tmp_path / "hp.npy", 50,
                               progress=False, chunk=4096)
    assert np.array_equal(np.load(dest), full[:50])
    assert server.requests[-1][1] is not None  # asked for a range, got the whole file (200)


def test_max_rows_resumes_its_part_file(server, tmp_path):
    body = server.files["/numpy_bitmap/house plant.npy"]
    full = np.load(server.src / "house plant.npy")
    header_len = len(body) - full.nbytes
    dest = tmp_path / "hp.npy"
    kept = header_len + 30 * ROW + 17  # interrupted in the middle of a row
    (tmp_path / "hp.npy.first80.part").write_bytes(body[:kept])
    download_first_rows(server.base + "house%20plant.npy", dest, 80, progress=False)
    assert server.requests == [("/numpy_bitmap/house%20plant.npy",
                                f"bytes={kept}-{header_len + 80 * ROW - 1}")]
    assert server.bytes_sent == header_len + 80 * ROW - kept
    assert np.array_equal(np.load(dest), full[:80])


def test_max_rows_truncated_answer_keeps_part_then_resumes(server, tmp_path):
    server.mode = "truncate"
    full = np.load(server.src / "cat.npy")
    dest = tmp_path / "cat.npy"
    with pytest.raises(SqzError, match=r"cat.npy: got \d+ of \d+ bytes for the first 100 rows"):
        download_first_rows(server.base + "cat.npy", dest, 100, progress=False)
    assert not dest.exists() and (tmp_path / "cat.npy.first100.part").exists()
    server.mode = "normal"
    download_first_rows(server.base + "cat.npy", dest, 100, progress=False)
    assert np.array_equal(np.load(dest), full[:100])


def test_max_rows_beyond_the_file_keeps_every_row(server, tmp_path):
    dest = download_first_rows(server.base + "cat.npy", tmp_path / "cat.npy", 4000,
                               progress=False)
    assert dest.read_bytes() == server.files["/numpy_bitmap/cat.npy"]  # 120 rows, same header


def test_max_rows_with_a_header_longer_than_the_guess(server, tmp_path):
    rows = np.arange(20 * ROW, dtype=np.uint8).reshape(20, ROW)
    text = "{'descr': '|u1', 'fortran_order': False, 'shape': (20, 784), }"
    text = text.ljust(512 - 10 - 1) + "\n"  # numpy pads with spaces; a 512-byte header
    body = b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode() + rows.tobytes()
    assert np.array_equal(np.load(io.BytesIO(body)), rows)
    server.files["/numpy_bitmap/long.npy"] = body
    dest = download_first_rows(server.base + "long.npy", tmp_path / "long.npy", 10,
                               progress=False, chunk=64)
    assert np.array_equal(np.load(dest), rows[:10])
    assert len(server.requests) == 2  # the 128-byte guess, then the rest after the header


def test_download_classes_with_max_per_class(server, tmp_path, capsys):
    out = tmp_path / "qd"
    download_classes(["house plant", "cat"], out, base=server.base, max_per_class=60)
    assert np.load(out / "house plant.npy").shape == (60, ROW)
    assert np.load(out / "cat.npy").shape == (60, ROW)
    err = capsys.readouterr().err
    assert "[1/2] house plant.npy" in err and "[2/2] cat.npy" in err and "100.0%" in err
    seen = len(server.requests)
    download_classes(["house plant", "cat"], out, base=server.base, max_per_class=60)
    assert len(server.requests) == seen  # complete: skipped
    assert "already complete (60 drawings)" in capsys.readouterr().err
    download_classes(["cat"], out, base=server.base, max_per_class=90, progress=False)
    assert np.load(out / "cat.npy").shape == (90, ROW)  # fewer rows than asked: fetched again
    with pytest.raises(SqzError, match="at least 1"):
        download_classes(["dog"], out, base=server.base, max_per_class=0)


def test_shipped_100_class_list():
    names = read_classes_file(REPO / "datasets" / "quickdraw_100_classes.txt")
    assert len(names) == 100 and names == sorted(names)
    sample = REPO.parent / "shared" / "data" / "quickdraw14"
    if sample.is_dir():
        assert {p.stem for p in sample.glob("*.npy")} <= set(names)
