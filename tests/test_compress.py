"""Deep Compression: coders, pruning, weight sharing, the .sqz file and its checks, the tools."""
import json
import struct
import zlib

import numpy as np
import paddle
import pytest

from conftest import run_folder_from, run_tool, tiny_overrides
from paddle_sqz.compress import coding, container, huffman
from paddle_sqz.compress.model_file import load_compressed, load_compressed_into, save_compressed
from paddle_sqz.compress.pruning import fp32_bytes, prune, state_of
from paddle_sqz.compress.pruning import MaskKeeper, magnitude_masks, sparsity_of
from paddle_sqz.compress.quantize import quantize
from paddle_sqz.errors import SqzError
from paddle_sqz.models import build_model

RNG = np.random.default_rng(0)


def entropy_bits(symbols):
    p = np.bincount(symbols) / len(symbols)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


# -- coders ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("symbols", [
    RNG.geometric(0.3, 200_000) - 1,                      # skewed, long tail (sparse gaps)
    np.minimum(np.abs(RNG.normal(0, 12, 100_000)), 255).astype(int),  # bell-shaped indices
    RNG.integers(0, 300, 5_000),                          # more than 256 symbols
    np.full(17, 5), np.array([0]), np.zeros(0, int),      # one symbol, one value, nothing
])
def test_huffman_round_trip_within_a_few_percent_of_entropy(symbols):
    blob = huffman.encode(symbols)
    assert np.array_equal(huffman.decode(blob, len(symbols)), symbols)
    if len(symbols) > 10_000:
        payload_bits = 8 * len(blob) / len(symbols)
        assert payload_bits <= entropy_bits(symbols) * 1.03 + 0.02


def test_huffman_code_lengths_are_limited_and_prefix_free():
    counts = np.array([2 ** i for i in range(40)])  # a Fibonacci-like tree would be 39 deep
    lengths = huffman.code_lengths(counts)
    assert lengths.max() <= huffman.MAX_BITS
    assert np.sum(2.0 ** -lengths.astype(float)) <= 1.0


@pytest.mark.parametrize("codec", coding.CODECS)
def test_every_codec_round_trips_and_the_chosen_one_is_the_smallest(codec):
    symbols = RNG.geometric(0.4, 20_000) - 1
    tally = {}
    best, data = coding.encode_stream(symbols, tally)
    assert len(data) == min(tally.values()) == tally[best]
    assert np.array_equal(coding.decode_stream(best, data, len(symbols)), symbols)
    sizes = coding.codec_sizes(symbols)
    assert sizes == tally


def test_gaps_and_positions_round_trip():
    keep = RNG.random(1000) > 0.7
    gaps = coding.positions_to_gaps(keep)
    assert gaps.min() >= 1
    assert np.array_equal(coding.gaps_to_positions(gaps, 1000), np.flatnonzero(keep))
    with pytest.raises(SqzError, match="outside the tensor"):
        coding.gaps_to_positions(gaps, int(np.flatnonzero(keep)[-1]))


# -- pruning and weight sharing --------------------------------------------------------------------

def small_state():
    paddle.seed(0)
    return state_of(build_model("qd_simple_cnn", num_classes=14))


def test_per_layer_pruning_hits_the_sparsity_in_every_weight_and_spares_biases():
    state = small_state()
    pruned, masks = prune(state, 0.33, "layer")
    for name, value in pruned.items():
        if value.ndim >= 2:
            assert abs((value == 0).mean() - 0.33) < 1.0 / value.size + 1e-9, name
            kept = np.abs(value[value != 0])
            assert kept.min() >= np.abs(state[name][value == 0]).max()  # the smallest ones went
        else:
            assert np.array_equal(value, state[name])
    assert abs(sparsity_of(pruned) - 0.33) < 1e-3


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_pruning_in_rounds_keeps_what_earlier_rounds_removed(scope):
    """--prune-rounds prunes an already pruned state further: old zeros must stay zeros."""
    state = small_state()
    first, _ = prune(state, 0.3, scope)
    second, _ = prune(first, 0.6, scope)
    for name, value in first.items():
        if value.ndim >= 2:
            assert not second[name][value == 0].any(), name
    assert abs(sparsity_of(second) - 0.6) < 1e-3


def test_global_pruning_uses_one_threshold():
    state = small_state()
    pruned, _ = prune(state, 0.5, "global")
    weights = {k: v for k, v in pruned.items() if v.ndim >= 2}
    largest_dropped = max(np.abs(state[k][v == 0]).max() for k, v in weights.items())
    smallest_kept = min(np.abs(v[v != 0]).min() for v in weights.values())
    assert largest_dropped <= smallest_kept
    assert abs(sparsity_of(pruned) - 0.5) < 1e-3
    with pytest.raises(SqzError, match="--sparsity"):
        magnitude_masks(state, 1.0)


@pytest.mark.parametrize("bits", [2, 4, 6, 8])
def test_quantize_uses_at_most_2_to_the_bits_values_and_kmeans_beats_the_linear_grid(bits):
    values = RNG.normal(0, 0.05, 20_000).astype(np.float32)
    codebook, indices = quantize(values, bits, "kmeans")
    assert len(codebook) <= 2 ** bits and indices.max() < len(codebook)
    linear_book, linear_idx = quantize(values, bits, "linear")
    kmeans_err = np.mean((codebook.astype(np.float32)[indices] - values) ** 2)
    linear_err = np.mean((linear_book.astype(np.float32)[linear_idx] - values) ** 2)
    assert kmeans_err <= linear_err


def test_mask_keeper_holds_pruned_weights_at_zero_through_an_optimizer_step():
    paddle.seed(0)
    model = build_model("qd_simple_cnn", num_classes=14)
    _, masks = prune(state_of(model), 0.5)
    MaskKeeper(model, masks)
    optimizer = paddle.optimizer.Adam(learning_rate=0.1, parameters=model.parameters())
    x = paddle.rand([4, 1, 28, 28])
    for _ in range(2):
        model(x).sum().backward()
        optimizer.step()
        optimizer.clear_grad()
    model(x)  # the pre-hook re-applies the masks before each forward pass
    for name, mask in masks.items():
        assert not model.state_dict()[name].numpy()[~mask].any(), name


# -- the .sqz file ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def squeezenet_file(tmp_path_factory):
    """SqueezeNet 1.1 (10 classes) pruned 33% and shared at 8 bits; and the pruned float weights."""
    paddle.seed(1)
    model = build_model("squeezenet1_1", num_classes=10)
    pruned, _ = prune(state_of(model), 0.33)
    path = tmp_path_factory.mktemp("sqz") / "model.sqz"
    result = save_compressed(path, pruned, {"name": "squeezenet1_1", "num_classes": 10}, bits=8)
    return path, pruned, result


def test_round_trip_at_8_bits_gives_the_same_predictions(squeezenet_file):
    """Stated tolerance: logits within 2% of their range, and the same top-1 for every input."""
    path, pruned, _ = squeezenet_file
    reference = build_model("squeezenet1_1", num_classes=10)
    reference.set_state_dict({k: paddle.to_tensor(v) for k, v in pruned.items()})
    restored = build_model("squeezenet1_1", num_classes=10)
    load_compressed_into(restored, path, {"name": "squeezenet1_1", "num_classes": 10})
    reference.eval()
    restored.eval()
    x = paddle.to_tensor(np.random.default_rng(2).random((16, 3, 64, 64), np.float32))
    want, got = reference(x).numpy(), restored(x).numpy()
    assert np.abs(want - got).max() <= 0.02 * (want.max() - want.min())
    assert np.array_equal(want.argmax(1), got.argmax(1))


def test_file_achieves_the_sparsity_and_bit_width(squeezenet_file):
    path, pruned, result = squeezenet_file
    header, state = load_compressed(path)
    assert abs(sparsity_of(state) - 0.33) < 1e-3 and abs(result["sparsity"] - 0.33) < 1e-3
    for name, value in state.items():
        assert np.array_equal(value == 0, pruned[name] == 0) or value.ndim < 2, name
        assert len(np.unique(value[value != 0])) <= 2 ** 8, name
    books = [r["codebook"][1] // 2 for r in header["tensors"] if "codebook" in r]  # float16 entries
    assert books and max(books) <= 2 ** 8


def test_size_arithmetic(squeezenet_file):
    path, _, result = squeezenet_file
    data = path.read_bytes()
    header, payload = container.unpack(data, str(path))
    head_len = struct.unpack_from("<I", data, 6)[0]
    assert len(data) == result["bytes"] == 10 + head_len + len(payload) + 4
    assert sum(result["streams"].values()) == len(payload)
    refs = []
    for record in header["tensors"]:
        for key in ("positions", "indices"):
            if key in record:
                refs.append(record[key][1:])
        refs += [record[k] for k in ("codebook", "values") if k in record]
    assert sorted(r[0] for r in refs)[0] == 0 and sum(r[1] for r in refs) == len(payload)
    v10 = build_model("squeezenet1_0", num_classes=1000)
    assert fp32_bytes(v10) == 1_248_424 * 4  # conv10 counted once although it has two names


@pytest.mark.parametrize("damage", ["truncate_end", "truncate_header", "flip_payload", "flip_header",
                                    "magic", "version", "empty"])
def test_a_damaged_file_is_refused_by_name(squeezenet_file, tmp_path, damage):
    path, _, _ = squeezenet_file
    data = bytearray(path.read_bytes())
    if damage == "truncate_end":
        data = data[:-100]
    elif damage == "truncate_header":
        data = data[:12]
    elif damage == "flip_payload":
        data[len(data) // 2] ^= 0x40
    elif damage == "flip_header":
        data[12] ^= 0x01
    elif damage == "magic":
        data[:4] = b"PK\x03\x04"
    elif damage == "version":
        data[4:6] = struct.pack("<H", 99)
    else:
        data = b""
    bad = tmp_path / "bad.sqz"
    bad.write_bytes(bytes(data))
    with pytest.raises(SqzError, match=str(bad)) as info:
        load_compressed(bad)
    expected = {"magic": "magic", "version": "version 99", "empty": "too short",
                "truncate_header": "checksum|too short"}.get(damage, "checksum")
    assert __import__("re").search(expected, str(info.value)), str(info.value)
    assert "\n" not in str(info.value)


def test_an_edited_file_with_a_valid_checksum_is_still_refused(squeezenet_file, tmp_path):
    """A consistent checksum does not make inconsistent contents acceptable."""
    path, _, _ = squeezenet_file
    header, payload = container.read(path)
    record = next(r for r in header["tensors"] if "positions" in r)
    record["nnz"] += 5  # more non-zeros than the streams hold
    bad = tmp_path / "edited.sqz"
    container.write(bad, header, payload)
    with pytest.raises(SqzError, match=f"{bad}: tensor {record['name']}"):
        load_compressed(bad)
    header, payload = container.read(path)
    header["tensors"][0]["shape"] = [1, 2, 3]
    container.write(bad, header, payload)
    with pytest.raises(SqzError, match="edited.sqz"):
        load_compressed(bad)


def test_a_file_for_another_model_is_refused(squeezenet_file):
    path, _, _ = squeezenet_file
    with pytest.raises(SqzError, match="model.num_classes=10"):
        load_compressed_into(build_model("squeezenet1_1", num_classes=4), path,
                             {"name": "squeezenet1_1", "num_classes": 4})


def test_container_pack_is_deterministic_and_checksummed():
    data = container.pack({"a": 1}, b"xyz")
    assert data[:4] == container.MAGIC
    assert struct.unpack("<I", data[-4:])[0] == zlib.crc32(data[:-4])
    assert container.unpack(data, "mem") == ({"a": 1}, b"xyz")


# -- the tools on a tiny trained run ------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_run(tiny_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    proc = run_tool("train.py", "--cfg", "demo", *tiny_overrides(tiny_demo, out, "train.epochs=1",
                                                                  "model.name=squeezenet1_1"))
    return run_folder_from(proc.stdout)


def test_compress_tool_writes_a_file_that_eval_reads(tiny_run):
    proc = run_tool("compress.py", "--run", tiny_run, "--sparsity", "0.5", "--bits", "4")
    sqz = tiny_run / "compressed" / "model_4bit.sqz"
    assert sqz.is_file() and f"wrote {sqz}" in proc.stdout and "sparsity 50.00%" in proc.stdout
    assert "test top-1" in proc.stdout
    evaluated = run_tool("eval.py", "--run", tiny_run, "--weights", sqz, "--out", tiny_run / "ev")
    summary = json.loads((tiny_run / "ev" / "eval.json").read_text())
    assert summary["weights"] == str(sqz) and "top-1" in evaluated.stdout


@pytest.mark.slow  # tool runs
def test_eval_tool_refuses_a_damaged_file_in_one_line(tiny_run, tmp_path):
    bad = tmp_path / "cut.sqz"
    proc = run_tool("compress.py", "--run", tiny_run, "--bits", "8", "--out", bad, "--no-eval")
    bad.write_bytes(bad.read_bytes()[:-10])
    proc = run_tool("eval.py", "--run", tiny_run, "--weights", bad, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith(f"error: {bad}: checksum mismatch")


# -- int8 ----------------------------------------------------------------------------------------

def test_int8_copy_without_aliases_computes_the_same_and_ptq_stays_close():
    from paddle_sqz.deploy.int8 import ptq_int8, without_aliases
    paddle.seed(0)
    model = build_model("squeezenet1_1", num_classes=10, in_channels=1)
    model.eval()
    copy = without_aliases(model)
    assert "final_conv" not in copy._sub_layers
    x = paddle.rand([8, 1, 32, 32])
    assert np.allclose(copy(x).numpy(), model(x).numpy())
    quantized = ptq_int8(model, [(paddle.rand([8, 1, 32, 32]), None) for _ in range(2)], batches=2)
    want, got = model(x).numpy(), quantized(x).numpy()
    assert np.abs(want - got).max() <= 0.1 * (np.abs(want).max() + 1e-6)


# -- the report ----------------------------------------------------------------------------------

def test_report_writes_table_csv_and_a_log_scale_chart(tmp_path):
    from PIL import Image
    from paddle_sqz.report.compression import write_report
    from paddle_sqz.experiments.table2 import alexnet_fp32, alexnet_row, random_init_rows
    alexnet = alexnet_fp32()
    rows = [alexnet_row(alexnet)] + random_init_rows(tmp_path / "sqz", [0.5], [6], alexnet["bytes"],
                                                     name="qd_simple_cnn", num_classes=14)
    md, csv_path, png = write_report(rows, tmp_path, alexnet, notes=["a note"])
    text = md.read_text()
    assert "pruned 50%, 6-bit k-means" in text and "a note" in text and "huffman" in text
    beside = text[text.index("## Beside the paper's Table 2"):]
    six_bit_line = next(l for l in beside.splitlines() if "6-bit k-means" in l)
    ours_mb = next(r for r in rows if r["bits"] == 6)["bytes"] / 1e6
    assert "SqueezeNet + Deep Compression, 6-bit" in six_bit_line
    assert f"{ours_mb:.3f} vs 0.47 ({ours_mb / 0.47:.2f}x the paper's)" in six_bit_line
    assert "vs 511x" in six_bit_line  # 240 MB / 0.47 MB, the paper's "510x"
    six_bit = next(r for r in rows if r["bits"] == 6)
    assert six_bit["bytes"] == (tmp_path / "sqz" / "qd_simple_cnn_14_s50_6bit.sqz").stat().st_size
    assert six_bit["vs_alexnet"] == pytest.approx(alexnet["bytes"] / six_bit["bytes"])
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("model,step,bytes") and len(lines) == len(rows) + 1
    image = Image.open(png)
    assert image.format == "PNG" and np.asarray(image.convert("L")).std() > 5
