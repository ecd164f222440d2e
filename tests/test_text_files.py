"""List and labels files in another encoding: the error says where and what to do; data.encoding reads them."""
import pytest

from paddle_sqz.config import load_config
from paddle_sqz.data.labels import read_labels
from paddle_sqz.data.listfile import read_list
from paddle_sqz.errors import SqzError

NAMES = ["白头海雕", "Black Skimmer", "丹顶鹤"]


def test_gbk_list_file_names_line_and_byte_offset_and_says_to_save_as_utf8(tmp_path):
    path = tmp_path / "train.txt"
    text = "a/1.jpg 0\n白头海雕/2.jpg 1\n"
    path.write_bytes(text.encode("gbk"))
    offset = len("a/1.jpg 0\n".encode())
    with pytest.raises(SqzError) as caught:
        read_list(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: not utf-8 text") and f"offset {offset}" in message
    assert "save it as UTF-8" in message and "data.encoding" in message and "\n" not in message
    assert read_list(path, encoding="gbk") == [(str(tmp_path / "a" / "1.jpg"), 0),
                                               (str(tmp_path / "白头海雕" / "2.jpg"), 1)]


def test_gbk_labels_and_an_unknown_encoding(tmp_path):
    path = tmp_path / "labels.txt"
    path.write_bytes("\n".join(NAMES).encode("gbk"))
    with pytest.raises(SqzError, match=r"labels.txt:1: not utf-8 text \(byte 0x[0-9a-f]{2} at offset 0\); save it as UTF-8"):
        read_labels(path)
    assert read_labels(path, "gbk") == NAMES
    with pytest.raises(SqzError, match="data.encoding: unknown text encoding 'klingon'"):
        read_labels(path, "klingon")
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(NAMES).encode())  # UTF-8 with a byte-order mark (Notepad)
    assert read_labels(path) == NAMES


def test_data_encoding_is_a_config_key():
    assert load_config("demo", ["data.encoding=gbk"])["data"]["encoding"] == "gbk"
    assert load_config("demo")["data"]["encoding"] == "utf-8"
