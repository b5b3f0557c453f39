"""Languages of the web UI: Japanese by default, English on request (a cookie set by ``/lang/en``)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_COOKIE", "translator"]

DEFAULT_LANG = "ja"
LANGS = ("ja", "en")
LANG_COOKIE = "tsunagu_lang"


def translator(lang: str) -> Callable[[str, str], str]:
    """``t(ja, en)``: the text in the page's language. Templates write both texts side by side."""

    def t(ja: str, en: str = "") -> str:
        return en if lang == "en" and en else ja

    return t
