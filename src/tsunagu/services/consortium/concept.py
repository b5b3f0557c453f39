"""Decompose a product or service concept into required capabilities.

Each capability is a function phrase of the concept (`concept_phrases`: the 用途探索 phrase extractor
plus any clause it leaves uncovered) with the IPC main groups of the corpus patents closest to that
phrase: the phrase is searched with the hybrid searcher, and each main group gets the share ``s_g`` of
the top ``depth`` hits that carry it (rank-weighted, ``1 / (3 + rank)``). A group's weight is its
*enrichment* ``s_g − b_g``, where ``b_g`` is the share of all corpus documents carrying it: a group
that every document of a topical corpus carries (B60W40/00 in a driver-state corpus) says nothing
about this phrase. Groups with ``s_g`` under ``min_share`` or no enrichment are dropped (when none is
enriched, the plain shares are used); at most ``max_groups`` are kept, heaviest first, and the
weights renormalised to sum to 1.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tsunagu.domain.codes import main_group
from tsunagu.domain.consortium import Capability
from tsunagu.domain.fields import field_name
from tsunagu.domain.patent import Patent
from tsunagu.errors import ValidationError

__all__ = ["ConceptDecomposer", "PhraseExtractor", "concept_phrases", "group_title", "split_concept"]

PhraseExtractor = Callable[[str], Sequence[str]]
#: ``(query, k)`` → the ``k`` closest corpus patents, best first.
PatentSearch = Callable[[str, int], Sequence[Patent]]

# Clause boundaries of a Japanese or English concept sentence.
_SPLIT = re.compile(
    r"[、。，,;；:：\n]|(?:しながら|して|および|及び|ならびに|並びに|とともに|と共に)(?=[^\s])"
    r"|\band\b|\bwhich\b|\bthat\b"
)
_MIN_CHARS = 3


def split_concept(concept: str, *, max_phrases: int = 8) -> list[str]:
    """Function phrases of a concept by clause boundaries (the fallback extractor).

    ``"運転者の心拍を座席で検出し、眠気を推定して振動で警告するシート"`` →
    ``["運転者の心拍を座席で検出", "眠気を推定", "振動で警告するシート"]``.
    """
    text = unicodedata.normalize("NFKC", concept).strip()
    parts = [p.strip(" 　・/") for p in _SPLIT.split(text)]
    out: list[str] = []
    for p in parts:
        if len(p) > 1 and p.endswith("し") and "\u4e00" <= p[-2] <= "\u9fff":
            p = p[:-1]  # 「検出し」: the continuative ending of a verbal noun
        if len(p) >= _MIN_CHARS and p not in out:
            out.append(p)
    return out[:max_phrases]


def group_title(group: str) -> str:
    """Plain-language name of an IPC main group: the project's Japanese subclass name and the IPC title.

    ``"B60N2/00"`` → ``"車両用座席・乗客用設備 — Seats specially adapted for vehicles; …"``.
    """
    name = field_name(group)
    parts = [p for p in (name.title_ja, name.title_en) if p]
    text = " — ".join(parts)
    return text if len(text) <= 90 else text[:89] + "…"


_extractor_lock = threading.Lock()
_extractor: Any = None


def _function_analyser() -> Any:
    """The 用途探索 phrase extractor (`tsunagu.retrieval.phrases`), shared; None when unavailable."""
    global _extractor
    with _extractor_lock:
        if _extractor is None:
            try:
                from tsunagu.retrieval.phrases import PhraseExtractor as _Extractor
            except ImportError:
                return None
            _extractor = _Extractor()
        return _extractor


def concept_phrases(concept: str, *, max_phrases: int = 8, analyser: Any = None) -> list[str]:
    """Function phrases of a concept: the 用途探索 extractor's function and effect phrases
    (「眠気を推定する」), plus every clause of `split_concept` that none of them covers (so a part such
    as 「振動で警告するシート」 that has no 「〜を〜する」 form is not lost). Falls back to
    `split_concept` when the extractor is not available.
    """
    analyser = analyser if analyser is not None else _function_analyser()
    clauses = split_concept(concept, max_phrases=max_phrases)
    if analyser is None:
        return clauses
    found = [p for p in analyser.analyse(concept).phrases if p.kind in ("function", "effect")]
    out: list[str] = [p.text for p in found]
    for clause in clauses:
        if not any((p.obj and p.obj in clause) or p.text in clause for p in found):
            out.append(clause)
    return list(dict.fromkeys(out))[:max_phrases]


@dataclass
class ConceptDecomposer:
    """Concept → capabilities.

    Args:
        search: returns the closest corpus patents for a phrase.
        extract: function-phrase extractor (default `concept_phrases`).
        depth: hits per phrase used for the groups.
        min_share: smallest group share kept.
        max_groups: most groups per capability.
        max_capabilities: most capabilities per concept.
        titles: main group → plain-language title (default `group_title`; None for none).
        background: main group → share of all corpus documents carrying it (optional; enables the
            enrichment weighting).
        prefetch: called once with all phrases before they are searched (the app embeds them in one
            batch there, which costs about a third of embedding them one by one).
    """

    search: PatentSearch
    extract: PhraseExtractor = concept_phrases
    depth: int = 30
    min_share: float = 0.12
    max_groups: int = 4
    max_capabilities: int = 8
    titles: Callable[[str], str] | None = group_title
    background: Callable[[], Mapping[str, float]] | None = None
    prefetch: Callable[[Sequence[str]], object] | None = None

    def decompose(self, concept: str, extra_phrases: Sequence[str] = ()) -> list[Capability]:
        """The capabilities of ``concept`` (plus any phrases the user adds), in concept order.

        Raises:
            ValidationError: the concept is empty.
        """
        return self.decompose_with_hits(concept, extra_phrases)[0]

    def decompose_with_hits(
        self, concept: str, extra_phrases: Sequence[str] = ()
    ) -> tuple[list[Capability], dict[str, list[Patent]]]:
        """Like `decompose`, also returning each capability's closest corpus patents (by capability id)."""
        if not concept.strip():
            raise ValidationError("concept: コンセプトの文章が必要です / the concept text is empty")
        phrases: list[str] = []
        for p in [*self.extract(concept), *extra_phrases]:
            p = p.strip()
            if p and p not in phrases:
                phrases.append(p)
        if not phrases:
            phrases = [concept.strip()]
        phrases = phrases[: self.max_capabilities]
        if self.prefetch is not None:
            self.prefetch(phrases)
        caps: list[Capability] = []
        hits_by_id: dict[str, list[Patent]] = {}
        for phrase in phrases:
            hits = list(self.search(phrase, self.depth))
            groups, evidence = self._groups(hits)
            titles = {g: self.titles(g) for g, _ in groups} if self.titles else {}
            cap = Capability(f"C{len(caps) + 1}", phrase, groups, evidence, titles)
            caps.append(cap)
            hits_by_id[cap.id] = hits
        return caps, hits_by_id

    def _groups(self, hits: Sequence[Patent]) -> tuple[tuple[tuple[str, float], ...], tuple[str, ...]]:
        weights: dict[str, float] = {}
        total = 0.0
        for rank, p in enumerate(hits, start=1):
            w = 1.0 / (3 + rank)
            total += w
            for g in dict.fromkeys(main_group(c) for c in p.ipc_codes if "/" in c):
                weights[g] = weights.get(g, 0.0) + w
        if not total:
            return (), ()
        shares = {g: w / total for g, w in weights.items()}
        background = self.background() if self.background is not None else {}
        # Enrichment: what the closest patents carry beyond the corpus's own base rate.
        excess = {g: s - background.get(g, 0.0) for g, s in shares.items() if s >= self.min_share}
        ranked = sorted(((g, e) for g, e in excess.items() if e > 0), key=lambda t: (-t[1], t[0]))
        kept = ranked[: self.max_groups]
        if not kept:  # nothing stands out from the corpus: fall back to the plain shares
            kept = sorted(
                ((g, s) for g, s in shares.items() if s >= self.min_share), key=lambda t: (-t[1], t[0])
            )
            kept = kept[: self.max_groups] or sorted(shares.items(), key=lambda t: (-t[1], t[0]))[:1]
        norm = sum(s for _, s in kept) or 1.0
        groups = tuple((g, round(s / norm, 4)) for g, s in kept)
        evidence = tuple(
            p.publication_number for p in hits if any(main_group(c) in dict(groups) for c in p.ipc_codes)
        )[:5]
        return groups, evidence
