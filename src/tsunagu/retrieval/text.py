"""Text analysis for the lexical channel: Japanese with SudachiPy, other text as lower-cased words.

Japanese text (any kana or CJK ideograph in it) is tokenised by SudachiPy (``sudachidict-core``,
split mode C) and each morpheme is replaced by its normalised form; particles (助詞), auxiliary verbs
(助動詞), symbols (補助記号, 記号) and white space (空白) are dropped. This is exactly the tokenisation of
the reference baseline (``shared/tools/reference_baselines.py``), so BM25 figures agree with it.
Sudachi also handles Latin words inside Japanese text (often normalising loanwords to katakana).

Text without Japanese characters (English, German, …) is split into lower-cased Unicode words.

The Sudachi dictionary is loaded lazily on first use, never at import.
"""

from __future__ import annotations

import re
import unicodedata

from tsunagu.retrieval.sudachi import sudachi_tokenizer

__all__ = [
    "DROPPED_POS",
    "MAX_CHARS",
    "TextAnalyzer",
    "is_japanese",
    "problem_part",
    "query_text",
]

#: Sudachi part-of-speech heads whose morphemes are not indexed.
DROPPED_POS: frozenset[str] = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})

#: Characters of a text that are analysed (Sudachi refuses very long inputs; abstracts are far shorter).
MAX_CHARS = 4000

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_WORD = re.compile(r"[^\W_]+")
_PROBLEM = re.compile(r"【課題】([^【]*)")


def is_japanese(text: str) -> bool:
    """True when ``text`` contains any kana or CJK ideograph."""
    return _JAPANESE.search(text) is not None


def problem_part(abstract: str) -> str:
    """The 【課題】 (problem) section of a Japanese abstract, or ``""`` when it has none."""
    m = _PROBLEM.search(abstract or "")
    return m.group(1).strip() if m else ""


def query_text(title: str, abstract: str) -> str:
    """Text used when a patent document is the query: title plus the 【課題】 part (else the abstract).

    This is the query definition of the retrieval evaluation (and of "find similar patents").
    """
    return f"{title} {problem_part(abstract) or abstract or ''}".strip()


class TextAnalyzer:
    """Turns text into index tokens (see the module docstring for the rules).

    Thread-safe: the Sudachi dictionary is loaded on first use of Japanese text and each thread gets its
    own tokenizer over it (Sudachi tokenizers must not be shared between threads).

    Args:
        max_chars: only the first ``max_chars`` characters of a text are analysed.
    """

    #: Bumped whenever the token rules change, so cached tokens and indexes are rebuilt.
    version = "sudachi-core-C-norm/words-lower/1"

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self._keep_pos: dict[int, bool] = {}

    def tokens(self, text: str) -> list[str]:
        """Index tokens of ``text`` (Japanese: Sudachi normalised forms; otherwise lower-cased words)."""
        text = (text or "")[: self.max_chars]
        if not text.strip():
            return []
        if is_japanese(text):
            return self._japanese_tokens(text)
        return _WORD.findall(unicodedata.normalize("NFKC", text).lower())

    def tokens_many(self, texts: list[str]) -> list[list[str]]:
        """`tokens` for each text."""
        return [self.tokens(t) for t in texts]

    def _japanese_tokens(self, text: str) -> list[str]:
        tok = sudachi_tokenizer()
        keep_pos = self._keep_pos
        out: list[str] = []
        for m in tok.tokenize(text):
            pid = m.part_of_speech_id()
            keep = keep_pos.get(pid)
            if keep is None:
                keep = keep_pos[pid] = m.part_of_speech()[0] not in DROPPED_POS
            if keep:
                out.append(m.normalized_form())
        return out
