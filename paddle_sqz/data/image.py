"""Loading any photo as an upright RGB image, and the tutorial's black letterbox.

Every failure (missing, empty, truncated or corrupt file, decompression bomb) becomes a
one-line :class:`SqzError` naming the file, instead of a Pillow traceback from inside a
DataLoader worker.
"""
import warnings
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import SqzError
from ..io_utils import PathLike

# Pillow's own default limit (Image.MAX_IMAGE_PIXELS), about 9459 x 9459.
DEFAULT_MAX_PIXELS = 89_478_485

_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}


def load_image(path: PathLike, max_pixels: Optional[int] = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Decode ``path`` fully and return it upright (EXIF orientation applied) in RGB.

    Transparent pixels are composited on black, the colour of the letterbox padding,
    so a cut-out on a transparent background looks like one on the padding. 16-bit
    grayscale is scaled to 8 bits (Pillow would clip it to white). ``max_pixels=None``
    leaves only Pillow's own bomb check.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise SqzError(f"{path}: empty image file")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if max_pixels is not None and img.width * img.height > max_pixels:
                    raise SqzError(f"{path}: image of {img.width}x{img.height} pixels is over the "
                                   f"{max_pixels}-pixel limit (decompression bomb?)")
                img.load()  # inside the try: a truncated file fails here, not later
                return _to_rgb(ImageOps.exif_transpose(img))
    except SqzError:
        raise
    except FileNotFoundError:
        raise SqzError(f"{path}: image not found") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SqzError(f"{path}: image too large for Pillow's limit (decompression bomb?): {exc}") from None
    except UnidentifiedImageError:
        raise SqzError(f"{path}: not an image format Pillow can read") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise SqzError(f"{path}: cannot decode image ({exc})") from None


def letterbox(img: Image.Image, size: int) -> Image.Image:
    """``img`` scaled to fit a black ``size`` x ``size`` square (longest side = size), centred.

    The tutorial's ``padding_black`` with its size made a parameter; it resizes with
    Pillow's default (bicubic) filter, kept here.
    """
    width, height = img.size
    scale = size / max(width, height)
    new_size = (min(size, max(1, round(width * scale))), min(size, max(1, round(height * scale))))
    if new_size != img.size:
        img = img.resize(new_size, Image.Resampling.BICUBIC)
    canvas = Image.new(img.mode, (size, size), 0)
    canvas.paste(img, ((size - new_size[0]) // 2, (size - new_size[1]) // 2))
    return canvas


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in _ALPHA_MODES or "transparency" in img.info:
        black = Image.new("RGBA", img.size, (0, 0, 0, 255))
        return Image.alpha_composite(black, img.convert("RGBA")).convert("RGB")
    if img.mode == "I" or img.mode.startswith("I;16"):
        values = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if values.max(initial=0) > 255 else 255.0
        gray = np.clip(np.rint(values * (255.0 / peak)), 0, 255).astype(np.uint8)
        return Image.fromarray(gray).convert("RGB")
    return img.convert("RGB")  # L, 1, P, CMYK, YCbCr, F
