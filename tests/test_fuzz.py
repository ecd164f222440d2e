"""Fuzzing every parser of user files: thousands of generated inputs, none may raise anything but SqzError.

Targets: list files, labels files, ``-o`` overrides, YAML configs, the ``.sqz`` reader
(random bytes, mutated real files, and well-formed containers around generated headers,
so the decoder behind the checksum is reached too) and the weights/checkpoint reader. Deterministic (derandomized),
so a failure reproduces; each test prints how many inputs it tried.
"""
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from paddle_sqz.compress import container
from paddle_sqz.compress.model_file import FORMAT as SQZ_FORMAT, load_compressed, save_compressed
from paddle_sqz.config import load_config
from paddle_sqz.config.loader import parse_override
from paddle_sqz.config.schema import SCHEMA
from paddle_sqz.data.labels import read_labels
from paddle_sqz.data.listfile import read_list
from paddle_sqz.errors import SqzError
from paddle_sqz.train.checkpoint import load_checkpoint, read_weights, save_checkpoint

pytestmark = pytest.mark.slow  # 7 x 1,000 generated inputs

EXAMPLES = 1000
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
SCRATCH = Path(tempfile.mkdtemp(prefix="sqz-fuzz-"))
COUNTS = {}


def outcome(target, call):
    """Run ``call``; only a result or a SqzError (one line) may come out. Counts the input."""
    COUNTS[target] = COUNTS.get(target, 0) + 1
    try:
        call()
    except SqzError as exc:
        assert "\n" not in str(exc), str(exc)


@pytest.fixture(autouse=True)
def report_count(request, capsys):
    yield
    with capsys.disabled():
        name = request.node.name
        print(f"\n  fuzz {name}: {COUNTS.get(name, 0)} generated inputs, only results or SqzError")


def _file(name, data: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


# -- text files -------------------------------------------------------------------------------
line_parts = st.sampled_from(["a.png", "dir/b c.jpg", "#x", " ", "\t", "0", "1", "-1", "99", "1e3", "+2",
                              "\r", "\n", "\x85", "\u2028", "\ufeff", "../x.png", "/abs/y.png", "名字.png", "\x00"])
list_text = st.lists(line_parts, max_size=12).map("".join)
any_bytes = st.binary(max_size=400)
encodings = st.sampled_from(["utf-8", "gbk", "utf-16", "latin-1", "nope", ""])


@FUZZ
@given(st.one_of(list_text.map(lambda t: t.encode("utf-8", "surrogatepass")), any_bytes),
       st.one_of(st.none(), st.integers(-2, 100)), encodings)
def test_fuzz_list_parser(data, num_classes, encoding):
    path = _file("list.txt", data)
    outcome("test_fuzz_list_parser", lambda: read_list(path, num_classes=num_classes, encoding=encoding))


@FUZZ
@given(st.one_of(list_text.map(lambda t: t.encode("utf-8", "surrogatepass")), any_bytes), encodings)
def test_fuzz_labels_reader(data, encoding):
    path = _file("labels.txt", data)
    outcome("test_fuzz_labels_reader", lambda: read_labels(path, encoding))


# -- config -----------------------------------------------------------------------------------
keys = st.one_of(st.sampled_from(sorted(SCHEMA)), st.text(max_size=20))
values = st.one_of(st.text(max_size=30), st.sampled_from(
    ["1", "-1", "0", "1e309", "nan", ".inf", "[1, 2]", "[]", "{a: 1}", "null", "~", "true", "'x'", "!!python/object:os.system",
     "&a [*a]", "0x10", "1_000", "2024-01-01", "[0.5, 0.5, 0.5]", "[0.5, 0]", "*", "|", ">", "%", "@", "`"]))
overrides = st.builds(lambda k, v, sep: f"{k}{sep}{v}", keys, values, st.sampled_from(["=", " = ", "==", ":", ""]))


@FUZZ
@given(st.lists(overrides, max_size=4))
def test_fuzz_overrides(texts):
    def run():
        for text in texts:
            parse_override(text)
        load_config("demo", texts)
    outcome("test_fuzz_overrides", run)


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 20, 10 ** 20), st.floats(), st.text(max_size=12))
yaml_trees = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(keys, st.sampled_from(["data", "model", "train", "output"])),
                                                 inner, max_size=4)), max_leaves=12)
sections = st.dictionaries(st.sampled_from(["data", "model", "train", "output", "seed", "config_name", "x"]),
                           st.one_of(yaml_trees, st.dictionaries(st.sampled_from(
                               sorted({k.split(".", 1)[-1] for k in SCHEMA})), json_scalars, max_size=5)), max_size=5)
yaml_text = st.one_of(sections.map(lambda t: yaml.safe_dump(t, allow_unicode=True)),
                      st.text(max_size=200), st.sampled_from(["!!python/object/apply:os.system ['echo pwned']\n",
                                                              "a: &x [*x]\n", "data: !!binary AAAA\n", "- 1\n",
                                                              "data:\n  <<: {root: 1}\n", "\ufeffseed: 3\n"]))


@FUZZ
@given(st.one_of(yaml_text.map(lambda t: t.encode("utf-8", "surrogatepass")), any_bytes))
def test_fuzz_yaml_configs(data):
    path = _file("config.yaml", data)
    outcome("test_fuzz_yaml_configs", lambda: load_config(str(path)))


# -- .sqz reader ------------------------------------------------------------------------------
def _real_sqz() -> bytes:
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(8, 4, 3, 3)).astype(np.float32)
    weight[np.abs(weight) < 0.8] = 0
    state = {"features.0.weight": weight, "features.0.bias": rng.normal(size=8).astype(np.float32)}
    path = SCRATCH / "real.sqz"
    save_compressed(path, state, {"name": "squeezenet1_1", "num_classes": 4}, bits=4)
    return path.read_bytes()


REAL = _real_sqz()
REAL_HEADER, REAL_PAYLOAD = container.unpack(REAL, "real.sqz")


def _load_bytes(data: bytes):
    path = _file("model.sqz", data)
    return lambda: load_compressed(path)


mutations = st.lists(st.tuples(st.integers(0, len(REAL) - 1), st.integers(0, 255)), min_size=1, max_size=8)


@FUZZ
@given(st.one_of(any_bytes, st.binary(max_size=40).map(lambda b: b"PSQZ\x01\x00" + b),
                 mutations.map(lambda m: bytes(_mutate(REAL, m))), st.integers(0, len(REAL)).map(lambda n: REAL[:n])))
def test_fuzz_sqz_bytes(data):
    outcome("test_fuzz_sqz_bytes", _load_bytes(data))


def _mutate(data: bytes, edits):
    out = bytearray(data)
    for offset, value in edits:
        out[offset] = value
    return out


refs = st.one_of(st.lists(st.integers(-5, 3000), min_size=0, max_size=3), json_scalars)
codecs = st.sampled_from(["raw", "zlib", "bz2", "lzma", "huffman", "none", 3])
records = st.fixed_dictionaries({}, optional={
    "name": st.one_of(st.text(max_size=8), st.integers()), "shape": st.one_of(
        st.lists(st.integers(-3, 1 << 40), max_size=4), json_scalars),
    "bits": st.one_of(st.sampled_from([1, 4, 8, 32]), json_scalars), "nnz": st.one_of(st.integers(-2, 1 << 40), json_scalars),
    "values": refs, "codebook": refs, "indices": st.one_of(st.tuples(codecs, st.integers(0, 2000), st.integers(0, 2000))
                                                           .map(list), refs),
    "positions": st.one_of(st.tuples(codecs, st.integers(0, 2000), st.integers(0, 2000)).map(list), refs)})
headers = st.one_of(
    st.fixed_dictionaries({"format": st.sampled_from([SQZ_FORMAT, "x"]),
                           "tensors": st.one_of(st.lists(st.one_of(records, json_scalars), max_size=4), json_scalars)},
                          optional={"model": yaml_trees}),
    yaml_trees,
    st.lists(st.integers(0, len(REAL_HEADER["tensors"]) - 1), min_size=1, max_size=4).map(
        lambda picks: {**REAL_HEADER, "tensors": [REAL_HEADER["tensors"][i] for i in picks]}))
payloads = st.one_of(st.just(REAL_PAYLOAD), st.binary(max_size=3000),
                     mutations.map(lambda m: bytes(_mutate(REAL_PAYLOAD, [(o % len(REAL_PAYLOAD), v) for o, v in m]))))


@FUZZ
@given(headers, payloads)
def test_fuzz_sqz_decoder(header, payload):
    try:
        data = container.pack(header, payload)
    except (ValueError, TypeError):  # NaN or a non-string key: not JSON, nothing a file could hold
        return
    outcome("test_fuzz_sqz_decoder", _load_bytes(data))


# -- weights and checkpoints (.safetensors) ---------------------------------------------------
def _real_checkpoint() -> bytes:
    path = SCRATCH / "real_checkpoint.safetensors"
    rng = np.random.default_rng(1)
    save_checkpoint(path, {"model": {"conv.weight": rng.normal(size=(4, 3, 3, 3)).astype(np.float32)},
                           "optimizer": {"conv.weight_moment1_0": np.zeros((4, 3, 3, 3), np.float32)},
                           "epoch": 2, "best": {"eval_top1": 0.5, "epoch": 1}, "seed": 0})
    return path.read_bytes()


CHECKPOINT = _real_checkpoint()
checkpoint_edits = st.lists(st.tuples(st.integers(0, len(CHECKPOINT) - 1), st.integers(0, 255)), min_size=1, max_size=6)


@FUZZ
@given(st.one_of(any_bytes, checkpoint_edits.map(lambda m: bytes(_mutate(CHECKPOINT, m))),
                 st.integers(0, len(CHECKPOINT)).map(lambda n: CHECKPOINT[:n]),
                 st.binary(max_size=60).map(lambda b: len(b).to_bytes(8, "little") + b)))
def test_fuzz_weights_reader(data):
    path = _file("weights.safetensors", data)

    def run():
        read_weights(path)
        load_checkpoint(path)
    outcome("test_fuzz_weights_reader", run)
