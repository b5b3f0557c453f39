"""The Japanese font used by every chart and PDF: IPAexGothic from the ``matplotlib-fontja`` wheel.

System fonts are never relied on. The font file is located without importing ``matplotlib_fontja``
(whose import changes matplotlib's global settings), and registered with matplotlib on demand.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import cache
from pathlib import Path

from tsunagu.errors import MissingDependencyError

__all__ = ["FONT_FAMILY", "FONT_LICENSE_NOTE", "font_face_css", "japanese_font_path", "matplotlib_japanese"]

#: Family name of the bundled font.
FONT_FAMILY = "IPAexGothic"
#: Shown in reports' data-source section.
FONT_LICENSE_NOTE = "IPAexゴシック (IPA Font License v1.0), via the matplotlib-fontja package"

_REPORT_EXTRA = "pip install 'tsunagu[report]'"
_lock = threading.Lock()


@cache
def japanese_font_path() -> Path:
    """Path of ``ipaexg.ttf`` inside the installed ``matplotlib-fontja`` package.

    Raises:
        MissingDependencyError: the package is not installed.
    """
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"Japanese charts and PDFs need matplotlib-fontja ({_REPORT_EXTRA})")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / "ipaexg.ttf"
        if path.is_file():
            return path
    raise MissingDependencyError(
        f"matplotlib-fontja is installed but ipaexg.ttf is missing ({_REPORT_EXTRA})"
    )


def matplotlib_japanese() -> str:
    """Register the bundled font with matplotlib (once) and return its family name.

    Raises:
        MissingDependencyError: matplotlib or matplotlib-fontja is not installed.
    """
    try:
        from matplotlib import font_manager
    except ImportError as exc:
        raise MissingDependencyError(f"charts need matplotlib ({_REPORT_EXTRA})") from exc
    path = japanese_font_path()
    with _lock:
        known = {f.fname for f in font_manager.fontManager.ttflist}
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))
    return FONT_FAMILY


def font_face_css(text: str, family: str = FONT_FAMILY) -> str:
    """An ``@font-face`` rule embedding the bundled font, cut down to the characters of ``text``.

    HTML pages carry it so Japanese renders without any installed font and without network access
    (the full font is 4 MB; a page's subset is typically 50–300 kB as WOFF).

    Raises:
        MissingDependencyError: matplotlib-fontja or fontTools is missing.
    """
    return _font_face_css(frozenset(text), family)


@cache
def _font_face_css(chars: frozenset[str], family: str) -> str:
    import base64
    import io

    try:
        from fontTools import subset
    except ImportError as exc:
        raise MissingDependencyError(f"embedding fonts needs fontTools ({_REPORT_EXTRA})") from exc
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # WOFF (zlib) rather than WOFF2: Brotli compression of a CJK subset costs seconds, zlib milliseconds.
    options.flavor = "woff"
    font = subset.load_font(str(japanese_font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars | set(" 0123456789"))))
    subsetter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "{family}"; src: url(data:font/woff;base64,{data}) format("woff"); }}'
