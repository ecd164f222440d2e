"""load_image (modes, EXIF, broken files, bombs) and the black letterbox."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from paddle_sqz.data.image import letterbox, load_image
from paddle_sqz.errors import SqzError

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bird_photos_sample"


def _noise(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def _raises_naming(path: Path, match: str = "", **kwargs) -> str:
    with pytest.raises(SqzError, match=match) as err:
        load_image(path, **kwargs)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


# -- colour modes ------------------------------------------------------------------------

def test_grayscale_becomes_rgb(tmp_path):
    gray = np.arange(64 * 32, dtype=np.uint32).reshape(32, 64) % 256
    Image.fromarray(gray.astype(np.uint8), "L").save(tmp_path / "g.png")
    img = load_image(tmp_path / "g.png")
    assert img.mode == "RGB" and img.size == (64, 32)
    assert (np.asarray(img) == gray[:, :, None]).all()


def test_rgba_is_composited_on_black(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)      # opaque red stays red
    rgba[0, 1] = (255, 255, 255, 0)    # transparent white becomes black (not white)
    rgba[0, 2] = (200, 100, 50, 128)   # half transparent: about half as bright
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    pixels = np.asarray(load_image(tmp_path / "a.png")).astype(int)
    assert tuple(pixels[0, 0]) == (255, 0, 0)
    assert tuple(pixels[0, 1]) == (0, 0, 0)
    assert np.abs(pixels[0, 2] - np.array([100, 50, 25])).max() <= 1


def test_palette_with_and_without_transparency(tmp_path):
    pal = Image.new("P", (8, 8), 1)
    pal.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    pal.save(tmp_path / "p.png")
    assert tuple(np.asarray(load_image(tmp_path / "p.png"))[3, 3]) == (10, 200, 30)
    pal.save(tmp_path / "pt.png", transparency=1)
    assert tuple(np.asarray(load_image(tmp_path / "pt.png"))[3, 3]) == (0, 0, 0)


def test_cmyk_and_16_bit_grayscale(tmp_path):
    Image.new("CMYK", (6, 5), (0, 255, 255, 0)).save(tmp_path / "c.jpg")
    img = load_image(tmp_path / "c.jpg")
    assert img.mode == "RGB" and img.size == (6, 5)
    assert tuple(np.asarray(img)[2, 2] // 20) == (255 // 20, 0, 0)  # red, give or take JPEG
    deep = np.full((4, 4), 32768, dtype=np.uint16)  # mid-grey in 16 bits; Pillow alone clips it to white
    Image.fromarray(deep).save(tmp_path / "d.png")
    assert tuple(np.asarray(load_image(tmp_path / "d.png"))[0, 0]) == (128, 128, 128)


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("RGB", (40, 20), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 10, 20))  # red stripe on the left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    img.save(tmp_path / "rot.jpg", exif=exif.tobytes(), quality=95)
    loaded = load_image(tmp_path / "rot.jpg")
    assert loaded.size == (20, 40)
    pixels = np.asarray(loaded).astype(int)
    assert (pixels[2, :, 0] > 200).all() and (pixels[2, :, 2] < 60).all()    # turned clockwise:
    assert (pixels[-3, :, 0] < 60).all() and (pixels[-3, :, 2] > 200).all()  # the red left edge is on top


# -- broken files ------------------------------------------------------------------------

def test_missing_empty_garbage_and_truncated_files(tmp_path):
    _raises_naming(tmp_path / "none.jpg", "image not found")
    (tmp_path / "empty.jpg").write_bytes(b"")
    _raises_naming(tmp_path / "empty.jpg", "empty image file")
    (tmp_path / "text.jpg").write_bytes(b"this is not a picture\n" * 10)
    _raises_naming(tmp_path / "text.jpg", "not an image")
    _noise(64, 64).save(tmp_path / "full.jpg", quality=90)
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    _raises_naming(tmp_path / "cut.jpg", "cannot decode image")


def test_decompression_bomb_by_our_limit(tmp_path):
    _noise(50, 40).save(tmp_path / "big.png")
    assert load_image(tmp_path / "big.png", max_pixels=2000).size == (50, 40)
    message = _raises_naming(tmp_path / "big.png", "decompression bomb", max_pixels=1999)
    assert "50x40" in message


@pytest.mark.parametrize("pixels", [150, 400])  # Pillow warns above its limit, refuses above twice it
def test_pillow_bomb_warning_and_error_become_sqz_errors(tmp_path, monkeypatch, pixels):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    side = int(pixels ** 0.5)
    _noise(side, side).save(tmp_path / "b.png")
    _raises_naming(tmp_path / "b.png", "decompression bomb", max_pixels=None)


# -- letterbox ---------------------------------------------------------------------------

@pytest.mark.parametrize("width, height, fg_size, offset", [
    (100, 50, (32, 16), (0, 8)),    # wide: bands above and below
    (50, 100, (16, 32), (8, 0)),    # tall: bands left and right
    (30, 30, (32, 32), (0, 0)),     # square: no band
    (1000, 2, (32, 1), (0, 15)),    # extreme: still at least one pixel
])
def test_letterbox_geometry(width, height, fg_size, offset):
    out = letterbox(Image.new("RGB", (width, height), (200, 150, 100)), 32)
    assert out.size == (32, 32) and out.mode == "RGB"
    pixels = np.asarray(out).astype(int)
    mask = pixels.sum(axis=2) > 0
    rows, cols = np.nonzero(mask)
    assert (cols.min(), rows.min()) == offset
    assert (cols.max() - cols.min() + 1, rows.max() - rows.min() + 1) == fg_size
    assert not pixels[~mask].any()  # borders are pure black
    assert np.abs(pixels[mask] - np.array([200, 150, 100])).max() <= 1


def test_letterbox_grayscale_keeps_mode():
    out = letterbox(Image.new("L", (10, 20), 255), 8)
    assert out.mode == "L" and np.asarray(out)[:, 2:6].min() == 255 and np.asarray(out)[:, :2].max() == 0


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="shared sample data not available")
def test_real_bird_photos_load():
    photos = sorted(SAMPLE.glob("*/*.jpg"))
    assert len(photos) == 20
    for photo in photos:
        img = load_image(photo)
        assert img.mode == "RGB" and min(img.size) > 0
        assert letterbox(img, 32).size == (32, 32)
