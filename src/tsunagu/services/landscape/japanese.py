"""Japanese label terms: nouns only (Sudachi, split mode C), for cluster and company labels.

The search index keeps verbs and adverbs (they help matching); labels read better with nouns, so
this tokenizer keeps 名詞 other than numerals, pronouns and dependent nouns. The dictionary is
loaded on first use, never at import.
"""

from __future__ import annotations

from tsunagu.retrieval.sudachi import sudachi_tokenizer

__all__ = ["JapaneseNounTokenizer"]

_SKIP_SUB = frozenset({"数詞", "代名詞"})


class JapaneseNounTokenizer:
    """Callable ``text -> nouns`` (normalised forms) for Japanese text. Thread-safe."""

    def __init__(self, max_chars: int = 4000) -> None:
        self.max_chars = max_chars
        self._keep: dict[int, bool] = {}

    def __call__(self, text: str) -> list[str]:
        """Nouns of ``text`` in order (normalised forms)."""
        text = (text or "")[: self.max_chars]
        if not text.strip():
            return []
        out: list[str] = []
        for m in sudachi_tokenizer().tokenize(text):
            pid = m.part_of_speech_id()
            keep = self._keep.get(pid)
            if keep is None:
                pos = m.part_of_speech()
                keep = pos[0] == "名詞" and pos[1] not in _SKIP_SUB and "非自立可能" not in pos[2]
                self._keep[pid] = keep
            if keep:
                out.append(m.normalized_form())
        return out
