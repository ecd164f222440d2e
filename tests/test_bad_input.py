"""Bad input stops every tool with one line naming the file, line or key, and loses nothing written before."""
import shutil

import pytest

from conftest import run_folder_from, run_tool, tiny_overrides


def one_line_error(proc, *fragments):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def data(tiny_demo, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(tiny_demo, root)
    return root


def train(data, tmp_path, *extra):
    return run_tool("train.py", "--cfg", "demo", *tiny_overrides(data, tmp_path / "out", "train.epochs=1", *extra),
                    check=False)


def test_malformed_list_line_names_file_and_line(data, tmp_path):
    lines = (data / "train.txt").read_text().splitlines()
    lines[2] = "circle/circle_000.png"
    (data / "train.txt").write_text("\n".join(lines) + "\n")
    one_line_error(train(data, tmp_path), "train.txt:3")


def test_label_outside_class_range(data, tmp_path):
    with open(data / "test.txt", "a") as f:
        f.write("circle/circle_000.png 7\n")
    one_line_error(train(data, tmp_path), "test.txt:", "7")


def test_missing_and_truncated_images_are_named(data, tmp_path):
    (data / "square" / "square_001.png").unlink()
    one_line_error(train(data, tmp_path), "square_001.png")
    shutil.copy(data / "circle" / "circle_002.png", data / "square" / "square_001.png")
    payload = (data / "circle" / "circle_000.png").read_bytes()
    (data / "circle" / "circle_000.png").write_bytes(payload[: len(payload) // 2])
    one_line_error(train(data, tmp_path), "circle_000.png")


def test_labels_file_and_num_classes_disagree(data, tmp_path):
    one_line_error(train(data, tmp_path, "model.num_classes=5"), "labels.txt", "model.num_classes")


def test_unknown_config_key_and_bad_type(data, tmp_path):
    one_line_error(train(data, tmp_path, "train.epochz=2"), "train.epochz", "valid keys")
    one_line_error(train(data, tmp_path, "train.lr=fast"), "train.lr", "float")


def test_split_refuses_empty_class_folder_and_keeps_old_lists(data):
    before = {name: (data / name).read_bytes() for name in ("train.txt", "test.txt", "labels.txt")}
    (data / "empty_class").mkdir()
    one_line_error(run_tool("split_dataset.py", "--root", data, check=False), "empty_class")
    assert {name: (data / name).read_bytes() for name in before} == before


def test_checkpoint_with_another_class_count(data, tmp_path):
    run_dir = run_folder_from(run_tool("train.py", "--cfg", "demo",
                                       *tiny_overrides(data, tmp_path / "out", "train.epochs=1")).stdout)
    config = (run_dir / "config.yaml").read_text().replace("num_classes: 4", "num_classes: 5")
    (run_dir / "config.yaml").write_text(config)
    with open(run_dir / "labels.txt", "a") as f:
        f.write("hexagon\n")
    error = one_line_error(run_tool("eval.py", "--run", run_dir, check=False), "best_model.safetensors")
    assert "num_classes" in error
    assert (run_dir / "metrics.jsonl").is_file() and (run_dir / "best_model.safetensors").is_file()


@pytest.mark.slow  # tool runs
def test_not_a_run_folder(tmp_path):
    one_line_error(run_tool("eval.py", "--run", tmp_path, check=False), "config.yaml")
    one_line_error(run_tool("predict.py", "--run", tmp_path / "nope", "x.jpg", check=False), "nope")
