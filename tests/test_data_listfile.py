"""List files, labels.txt and the atomic writers."""
import os
from pathlib import Path

import pytest

from paddle_sqz.data.labels import read_labels, write_labels
from paddle_sqz.data.listfile import read_list, write_list
from paddle_sqz.errors import SqzError
from paddle_sqz.io_utils import atomic_path, atomic_write_bytes, atomic_write_text


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


# -- read_list ---------------------------------------------------------------------------

def test_paths_with_spaces_resolve_against_the_list_folder(tmp_path):
    lst = _write(tmp_path / "lists" / "train.txt", "Black Skimmer/001.jpg 1\nBlack Throated Bushtiti/a b.jpg\t2\n")
    items = read_list(lst)
    assert items == [(str(tmp_path / "lists" / "Black Skimmer" / "001.jpg"), 1),
                     (str(tmp_path / "lists" / "Black Throated Bushtiti" / "a b.jpg"), 2)]


def test_root_overrides_the_list_folder_and_absolute_paths_stay(tmp_path):
    absolute = tmp_path / "elsewhere" / "x y.png"
    lst = _write(tmp_path / "train.txt", f"Cockatoo/1.jpg 3\n{absolute} 0\n")
    items = read_list(lst, root=tmp_path / "data")
    assert items == [(str(tmp_path / "data" / "Cockatoo" / "1.jpg"), 3), (str(absolute), 0)]


def test_relative_root_is_taken_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lst = _write(tmp_path / "sub" / "t.txt", "a.jpg 0\n")
    assert read_list(lst, root="imgs") == [(str(tmp_path / "imgs" / "a.jpg"), 0)]


def test_comments_blank_lines_crlf_bom_and_surrounding_spaces(tmp_path):
    lst = tmp_path / "t.txt"
    lst.write_bytes("\ufeff# header\r\n\r\n  a b/c.jpg   0  \r\n\n#x 9\r\nd.jpg 1".encode("utf-8"))
    assert read_list(lst) == [(str(tmp_path / "a b" / "c.jpg"), 0), (str(tmp_path / "d.jpg"), 1)]


@pytest.mark.parametrize("content, line, message", [
    ("a.jpg 0\nlonely.jpg\n", 2, "expected '<path> <label>', got 'lonely.jpg'"),
    ("a.jpg 0\nb.jpg 1\nc.jpg x\n", 3, "label 'x' is not an integer"),
    ("a.jpg 1.0\n", 1, "label '1.0' is not an integer"),
    ("a.jpg 0\nb.jpg -1\n", 2, "label -1 is negative"),
])
def test_bad_lines_are_named_by_file_and_line(tmp_path, content, line, message):
    lst = _write(tmp_path / "train.txt", content)
    with pytest.raises(SqzError) as err:
        read_list(lst)
    text = str(err.value)
    assert text.startswith(f"{lst}:{line}: ") and message in text and "\n" not in text


def test_label_out_of_range(tmp_path):
    lst = _write(tmp_path / "train.txt", "a.jpg 0\nb.jpg 3\nc c.jpg 7\n")
    with pytest.raises(SqzError, match=r"train\.txt:3: label 7 outside 0\.\.3 \(num_classes=4\)$"):
        read_list(lst, num_classes=4)
    assert len(read_list(lst, num_classes=8)) == 3


def test_empty_list_and_missing_file(tmp_path):
    lst = _write(tmp_path / "test.txt", "# nothing\n\n")
    with pytest.raises(SqzError, match=r"test\.txt: .*empty"):
        read_list(lst)
    with pytest.raises(SqzError, match=r"nope\.txt: list file not found"):
        read_list(tmp_path / "nope.txt")


def test_check_exists_names_the_line(tmp_path):
    (tmp_path / "a b.jpg").write_bytes(b"x")
    lst = _write(tmp_path / "t.txt", "a b.jpg 0\nmissing one.jpg 1\n")
    assert len(read_list(lst)) == 2  # images are not checked by default
    with pytest.raises(SqzError, match=r"t\.txt:2: image not found: .*missing one\.jpg"):
        read_list(lst, check_exists=True)


# -- write_list --------------------------------------------------------------------------

def test_write_list_round_trip_relative_posix(tmp_path):
    items = [(str(tmp_path / "data" / "Black Skimmer" / "1.jpg"), 1),
             (str(tmp_path / "data" / "#tag" / "2.jpg"), 0)]
    out = tmp_path / "data" / "train.txt"
    write_list(out, items, relative_to=tmp_path / "data")
    assert out.read_bytes() == b"Black Skimmer/1.jpg 1\n./#tag/2.jpg 0\n"
    assert [(os.path.normpath(p), label) for p, label in read_list(out)] == items


def test_write_list_refuses_unstorable_paths(tmp_path):
    with pytest.raises(SqzError, match="line break"):
        write_list(tmp_path / "t.txt", [("a\nb.jpg", 0)])
    assert not (tmp_path / "t.txt").exists()


# -- labels.txt --------------------------------------------------------------------------

def test_labels_round_trip_with_spaces_and_unicode(tmp_path):
    names = ["Black Skimmer", "黑剪嘴鸥", "Cockatoo"]
    write_labels(tmp_path / "labels.txt", names)
    assert (tmp_path / "labels.txt").read_bytes() == "\n".join(names).encode("utf-8") + b"\n"
    assert read_labels(tmp_path / "labels.txt") == names


@pytest.mark.parametrize("content, message", [
    ("a\n\nb\n", r"labels\.txt:2: empty class name"),
    ("a\nb\na\n", r"labels\.txt:3: duplicate class name 'a' \(also label 0\)"),
    ("\n\n", r"labels\.txt: no class names"),
])
def test_bad_labels_files(tmp_path, content, message):
    _write(tmp_path / "labels.txt", content)
    with pytest.raises(SqzError, match=message):
        read_labels(tmp_path / "labels.txt")


def test_labels_trailing_blank_lines_are_fine_and_write_checks(tmp_path):
    assert read_labels(_write(tmp_path / "labels.txt", "a\r\nb\r\n\r\n")) == ["a", "b"]
    with pytest.raises(SqzError, match="duplicate"):
        write_labels(tmp_path / "other.txt", ["x", "x"])
    with pytest.raises(SqzError, match="not found"):
        read_labels(tmp_path / "missing.txt")


# -- atomic writes -----------------------------------------------------------------------

def test_atomic_writes_replace_and_leave_no_temp_files(tmp_path):
    target = tmp_path / "new" / "f.txt"
    atomic_write_text(target, "one\n")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["f.txt"]


def test_atomic_path_keeps_the_old_file_on_error(tmp_path):
    target = tmp_path / "ckpt.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("crash")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["ckpt.bin"]
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.exists()
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["ckpt.bin"]


def test_missing_image_error_says_which_folder_relative_paths_used(tmp_path):
    (tmp_path / "t.txt").write_text("a/b.jpg 0\n")
    with pytest.raises(SqzError, match=r"relative paths resolve against data\.root .*elsewhere"):
        read_list(tmp_path / "t.txt", root=tmp_path / "elsewhere", check_exists=True)
    with pytest.raises(SqzError, match=r"relative paths resolve against the list file's folder"):
        read_list(tmp_path / "t.txt", check_exists=True)
