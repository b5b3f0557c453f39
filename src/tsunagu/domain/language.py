"""Language of a patent text, from the scripts it is written in (no model, standard library only)."""

from __future__ import annotations

import re

__all__ = ["detect_language"]

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")
_HAN_ONLY_MIN = 20  # a Han-only text this long is Chinese: Japanese prose that long always has kana
_SAMPLE = 4000


def detect_language(text: str) -> str:
    """Guess the language of a title or abstract from its scripts.

    Rules, in order: no letters → ``""``; letters mostly non-CJK (CJK below 10 %) → ``"en"``;
    Hangul as the main CJK script → ``"ko"``; any kana → ``"ja"``; Han characters without kana →
    ``"zh"`` when at least 20 of them (Japanese prose that long always has kana) or when one of
    them is outside the Japanese character set (Shift_JIS/CP932: simplified forms such as 涡, 轴,
    发), else ``"ja"`` (short kanji-only titles such as ``運転支援装置`` are Japanese).

    Args:
        text: any text; only its first 4,000 characters are examined.

    Returns:
        ``"ja"``, ``"ko"``, ``"zh"``, ``"en"`` or ``""``.
    """
    sample = (text or "")[:_SAMPLE]
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return ""
    kana = len(_KANA.findall(sample))
    han = len(_HAN.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    cjk = kana + han + hangul
    if cjk == 0 or cjk * 10 < letters:
        return "en"
    if hangul and hangul >= kana + han:
        return "ko"

    if kana:
        return "ja"
    if han:
        if han >= _HAN_ONLY_MIN or _has_non_japanese_han(sample):
            return "zh"
        return "ja"
    return "ko"


def _has_non_japanese_han(sample: str) -> bool:
    for ch in set(_HAN.findall(sample)):
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            return True
    return False
