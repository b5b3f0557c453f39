"""Distinctive terms of a group of documents, in the documents' own language.

A term's score in a group is ``p_g · log(p_g / p_all)``, where ``p_g`` is the share of the group's
documents containing it and ``p_all`` the share over the whole set: terms frequent in the group and
rarer elsewhere come first (a class-based TF-IDF with the lift as weight). Japanese text is
tokenised by the caller's tokenizer (Sudachi nouns in the app); English text is split into words
and adjacent-word pairs. Generic patent wording (装置, method, …) is dropped.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

from tsunagu.domain.patent import Patent

__all__ = [
    "JAPANESE",
    "Tokenizer",
    "distinctive_terms",
    "document_language",
    "english_terms",
    "label_terms",
]

#: Text → tokens. In the app: `tsunagu.retrieval.text.TextAnalyzer.tokens`.
Tokenizer = Callable[[str], list[str]]

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_HIRAGANA_ONLY = re.compile(r"^[\u3040-\u309f\u30fc]+$")
_WORD = re.compile(r"[a-z][a-z0-9\-]*[a-z0-9]|[a-z]")
_NUMBERISH = re.compile(r"^[\d.,\-/%〜~０-９]+$")

_JA_STOP = frozenset(
    [
        "装置",
        "方法",
        "手段",
        "課題",
        "解決",
        "提供",
        "構成",
        "目的",
        "記載",
        "請求",
        "請求項",
        "発明",
        "本発明",
        "前記",
        "当該",
        "該",
        "各",
        "複数",
        "一",
        "二",
        "第",
        "備える",
        "有する",
        "含む",
        "用いる",
        "行う",
        "係る",
        "基づく",
        "応じる",
        "対する",
        "関する",
        "設ける",
        "得る",
        "図",
        "場合",
        "部",
        "上",
        "下",
        "内",
        "外",
        "側",
        "時",
        "こと",
        "もの",
        "ため",
        "よう",
        "これ",
        "それ",
        "等",
        "及び",
        "又は",
        "並びに",
        "若しくは",
        "可能",
        "所定",
        "特定",
        "少なくとも",
        "以上",
        "以下",
        "一方",
        "他方",
        "システム",
        "プログラム",
        "記憶",
        "媒体",
        "制御",
        "処理",
        "情報",
        "技術",
        "機能",
        "要約",
        "選択",
        "図面",
        "実施",
        "形態",
        "例",
        "さ",
        "れる",
        "する",
        "ある",
        "いる",
        "なる",
        "為る",
        "有る",
        "居る",
        "成る",
        "出来る",
        "無い",
        "於く",
        "因る",
        "依る",
        "図る",
        "伴う",
        "関わる",
        "係わる",
        "向上",
        "対応",
        "可能性",
        "容易",
        "適切",
        "従来",
        "簡単",
        "取得",
        "結果",
        "更に",
        "最も",
        "対象",
        "付ける",
        "利用",
        "使用",
        "実行",
        "出力",
        "入力",
        "検出",
        "算出",
        "設定",
        "判断",
    ]
)
_EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "which",
        "wherein",
        "whereby",
        "thereof",
        "therein",
        "such",
        "said",
        "each",
        "one",
        "two",
        "first",
        "second",
        "plurality",
        "least",
        "more",
        "method",
        "methods",
        "system",
        "systems",
        "apparatus",
        "device",
        "devices",
        "means",
        "use",
        "used",
        "using",
        "based",
        "include",
        "includes",
        "including",
        "comprising",
        "comprises",
        "comprise",
        "provided",
        "provides",
        "providing",
        "having",
        "has",
        "have",
        "may",
        "can",
        "invention",
        "present",
        "embodiment",
        "embodiments",
        "example",
        "examples",
        "disclosed",
        "disclosure",
        "also",
        "further",
        "configured",
        "associated",
        "respective",
        "corresponding",
        "according",
        "within",
        "between",
        "into",
        "than",
        "other",
        "not",
        "no",
        "via",
        "then",
        "when",
        "where",
        "while",
        "so",
        "only",
        "some",
        "any",
        "all",
        "both",
        "either",
        "herein",
    ]
)


def document_language(p: Patent) -> str:
    """``"ja"`` or ``"en"`` (other languages are treated as ``"en"``-like word text)."""
    if p.language:
        return "ja" if p.language.lower().startswith("ja") else "en"
    return "ja" if JAPANESE.search(p.text()) else "en"


def english_terms(text: str) -> list[str]:
    """Lower-cased content words of English text, plus each pair of adjacent content words."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    out: list[str] = []
    prev: str | None = None
    for w in words:
        if w in _EN_STOP or len(w) < 3:
            prev = None
            continue
        out.append(w)
        if prev is not None:
            out.append(f"{prev} {w}")
        prev = w
    return out


def label_terms(text: str, language: str, tokenizer: Tokenizer | None) -> set[str]:
    """The set of candidate label terms of one text.

    Japanese: the tokenizer's tokens without generic words, hiragana-only words (inflections,
    function words), single characters and numbers. English: `english_terms`.
    """
    if language == "ja" and tokenizer is not None:
        terms = set()
        for t in tokenizer(text):
            if len(t) < 2 or t in _JA_STOP or _HIRAGANA_ONLY.match(t) or _NUMBERISH.match(t):
                continue
            if not JAPANESE.search(t) and (t.lower() in _EN_STOP or len(t) < 3):
                continue
            terms.add(t)
        return terms
    return set(english_terms(text))


def distinctive_terms(
    groups: Sequence[Sequence[int]],
    doc_terms: Sequence[set[str]],
    top: int = 5,
    min_df: int = 2,
) -> list[list[tuple[str, float]]]:
    """Top terms of each group by ``p_g · log(p_g / p_all)`` (see the module docstring).

    Args:
        groups: for each group, the indices of its documents in ``doc_terms``.
        doc_terms: the term set of every document of the whole set.
        top: terms returned per group.
        min_df: a term must occur in at least this many documents of the group (1 for groups of one).

    Returns:
        For each group, ``(term, score)`` pairs, best first. A term contained in a better-ranked
        longer term of the same group (``"neural"`` in ``"neural network"``) is skipped.
    """
    n = max(len(doc_terms), 1)
    df: Counter[str] = Counter()
    for ts in doc_terms:
        df.update(ts)
    out: list[list[tuple[str, float]]] = []
    for members in groups:
        if not members:
            out.append([])
            continue
        gdf: Counter[str] = Counter()
        for i in members:
            gdf.update(doc_terms[i])
        need = min(min_df, len(members))
        scored = []
        for t, c in gdf.items():
            pg, pa = c / len(members), df[t] / n
            if c >= need and pg > pa:
                scored.append((t, pg * math.log(pg / pa)))
        scored.sort(key=lambda ts: (-ts[1], ts[0]))
        chosen: list[tuple[str, float]] = []
        for t, s in scored:
            if any(t in c or c in t for c, _ in chosen):
                continue
            chosen.append((t, s))
            if len(chosen) == top:
                break
        out.append(chosen)
    return out
