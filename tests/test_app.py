"""tools/app.py for real: started on 127.0.0.1, queried through gradio_client; bad uploads get
a message while the server stays up; 50 concurrent requests are all answered."""
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import BIRDS_SAMPLE, ROOT, run_tool
from deploy_runs import train_birds

pytestmark = pytest.mark.slow  # a web server started for real, like the VisualDL server test

pytest.importorskip("gradio", reason="the app extra is not installed (pip install 'paddle_sqz[app]')")
gradio_client = pytest.importorskip("gradio_client")

CHINESE = ["黄腹蜜雀", "黑剪嘴鸥", "黑喉长尾山雀", "凤头鹦鹉"]  # a run trained on folders named in Chinese


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory):
    if not BIRDS_SAMPLE.exists():
        pytest.skip(f"{BIRDS_SAMPLE} not present")
    run = train_birds(tmp_path_factory.mktemp("lists"), tmp_path_factory.mktemp("out"))
    run_tool("export.py", "--run", run, "--format", "paddle")
    folder = run / "export"
    (folder / "labels.txt").write_text("\n".join(CHINESE) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(export_dir):
    port = free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([sys.executable, str(ROOT / "tools" / "app.py"), "--export", str(export_dir),
                             "--engine", "inference", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    client = None
    deadline = time.monotonic() + 120
    while client is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            client = gradio_client.Client(url, verbose=False)
        except Exception:  # not listening yet
            time.sleep(1)
    if client is None:
        proc.kill()
        pytest.fail(f"app did not start:\n{proc.stdout.read()}")
    yield proc, client
    proc.terminate()
    proc.wait(timeout=30)


def classify(client, path):
    label, message, _ = client.predict(gradio_client.handle_file(str(path)), api_name="/classify")
    return label, message


def photos():
    return sorted(BIRDS_SAMPLE.rglob("*.jpg"))


def test_a_photo_gets_the_predictors_top_k_with_chinese_names(server, export_dir):
    from paddle_sqz.data.image import load_image
    from paddle_sqz.deploy.predictor import export_predictor
    from paddle_sqz.tasks.app import top_classes
    _, client = server
    photo = photos()[0]
    label, message = classify(client, photo)
    expected = top_classes(export_predictor(export_dir, "inference"), load_image(photo), 4)
    assert label["label"] == expected[0][0] and label["label"] in CHINESE
    got = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert got == pytest.approx(dict(expected), abs=1e-6)
    assert expected[0][0] in message


def test_bad_uploads_get_a_message_and_the_server_stays_up(server, tmp_path):
    from PIL import Image
    proc, client = server
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    assert "not an image format" in classify(client, text)[1]
    bomb = tmp_path / "bomb.png"
    Image.new("L", (12000, 12000)).save(bomb)  # 144 megapixels in a file of about 100 KB
    assert bomb.stat().st_size < 1_000_000
    label, message = classify(client, bomb)
    assert "decompression bomb" in message and not label.get("confidences")
    big = tmp_path / "big.jpg"
    with open(big, "wb") as f:
        f.write(os.urandom(50 * 1024 * 1024))
    with pytest.raises(Exception, match="(?i)size|large"):
        classify(client, big)
    assert proc.poll() is None
    assert classify(client, photos()[1])[0]["label"] in CHINESE


def test_fifty_concurrent_requests_are_all_answered(server, export_dir):
    from paddle_sqz.deploy.predictor import export_predictor
    from paddle_sqz.tasks.predict import predict
    # a client of its own: the refused 50 MB upload above may leave a closed connection in the pool
    client = gradio_client.Client(server[1].src, verbose=False)
    paths = [photos()[i % 20] for i in range(50)]
    expected = {p: top[0][0] for p, top in predict(export_predictor(export_dir, "inference"), photos(), 1)}
    jobs = [client.submit(gradio_client.handle_file(str(p)), api_name="/classify") for p in paths]
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda job: job.result(timeout=300), jobs))
    assert len(results) == 50
    assert [r[0]["label"] for r in results] == [expected[p] for p in paths]


def test_missing_gradio_names_the_pip_command(monkeypatch):
    from paddle_sqz.tasks import app
    from paddle_sqz.errors import SqzError
    monkeypatch.setattr(app, "gradio", None)  # as when it is not installed
    with pytest.raises(SqzError, match=r"pip install 'paddle_sqz\[app\]'"):
        app.require_gradio()
