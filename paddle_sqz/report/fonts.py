"""A CJK font for Chinese class names, or one warning saying what to install.

matplotlib's default DejaVu Sans has no Chinese glyphs: without a CJK font the
bird names render as boxes. The tutorial sets ``FZHuaLi-M14S``, which exists
only on AI Studio; here any installed CJK family is found and used, else the Noto Sans
CJK SC that the optional ``mplfonts`` package ships (``pip install "paddle_sqz[fonts]"``;
read from its folder without importing it), else one warning with what to install.
"""
import functools
import importlib.util
import warnings
from pathlib import Path
from typing import Dict, Iterable, Optional

from matplotlib import font_manager

# Substrings of family names known to cover CJK, best first (SC = simplified Chinese).
CJK_FAMILY_HINTS = (
    "Noto Sans CJK SC", "Noto Sans CJK", "Noto Serif CJK", "Source Han Sans", "Source Han Serif",
    "WenQuanYi", "SimHei", "Microsoft YaHei", "PingFang", "Heiti", "Droid Sans Fallback",
    "AR PL", "FZHuaLi",
)

# Unicode blocks of CJK ideographs, kana, hangul, CJK punctuation and full-width forms.
_CJK_RANGES = (
    (0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F),
)

NO_FONT_FIX = ('pip install "paddle_sqz[fonts]" (mplfonts: Noto Sans CJK SC), or '
               "apt-get install fonts-noto-cjk (Debian/Ubuntu)")
NO_FONT_WARNING = (
    "text contains Chinese/Japanese/Korean characters but no CJK font is installed, "
    f"so it renders as boxes; install one: {NO_FONT_FIX}"
)

# Font files of the optional mplfonts package, best first (simplified Chinese sans, then SimHei).
PACKAGED_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")

_warned = False


def has_cjk(text: str) -> bool:
    """True when ``text`` has a character the default font cannot draw as CJK."""
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in _CJK_RANGES)


def _match(names: Iterable[str]) -> Optional[str]:
    names = sorted(set(names))
    for hint in CJK_FAMILY_HINTS:
        for name in names:
            if hint.lower() in name.lower():
                return name
    return None


@functools.lru_cache(maxsize=None)
def _register_new_system_fonts() -> None:
    """Add fonts installed after matplotlib built its font cache (once per process)."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable font file is not ours to fix


@functools.lru_cache(maxsize=None)
def packaged_cjk_font() -> Optional[str]:
    """Register a CJK font file from the ``mplfonts`` package (if installed); its family name."""
    try:
        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for filename in PACKAGED_FONT_FILES:
            path = Path(folder) / "fonts" / filename
            if path.is_file():
                font_manager.fontManager.addfont(str(path))
                return font_manager.FontProperties(fname=str(path)).get_name()
    return None


def find_cjk_font() -> Optional[str]:
    """The family name of an installed CJK font, else of mplfonts' font, or None."""
    name = _match(entry.name for entry in font_manager.fontManager.ttflist)
    if name is None:
        _register_new_system_fonts()
        name = _match(entry.name for entry in font_manager.fontManager.ttflist)
    return name or packaged_cjk_font()


def font_for_text(texts: Iterable[str]) -> Dict[str, str]:
    """matplotlib text kwargs that can draw ``texts``: ``{}`` unless one has CJK.

    Without a CJK font, warns once per process and returns ``{}`` (the default
    font; boxes instead of characters) rather than failing the plot.
    """
    global _warned
    if not any(has_cjk(str(text)) for text in texts):
        return {}
    name = find_cjk_font()
    if name is not None:
        return {"fontfamily": name}
    if not _warned:
        _warned = True
        warnings.warn(NO_FONT_WARNING, stacklevel=2)
    return {}
