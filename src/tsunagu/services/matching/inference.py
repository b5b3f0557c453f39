"""Fields of a text with no classification: the IPC main groups of its nearest corpus documents.

Used for offers that link no classified patent and for companies without patents. The result is always
labelled as inferred, with the documents it came from, so a user can check it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tsunagu.domain.codes import main_group
from tsunagu.domain.patent import Patent

__all__ = ["FieldInferrer", "InferredFields", "NeighbourSearch"]

#: ``neighbours(text, k)`` → the ``k`` nearest corpus records with a similarity score, best first.
NeighbourSearch = Callable[[str, int], Sequence[tuple[Patent, float]]]


@dataclass(frozen=True)
class InferredFields:
    """Main groups inferred for a text.

    Attributes:
        codes: the chosen main groups, strongest first.
        shares: each chosen group's share of the neighbours' votes (0–1).
        evidence: keys of the neighbour documents that voted, best first.
    """

    codes: tuple[str, ...]
    shares: dict[str, float]
    evidence: tuple[str, ...]


class FieldInferrer:
    """Votes the IPC main groups of the nearest classified corpus documents.

    The search is asked for ``depth`` documents and the first ``k`` classified ones vote (unclassified
    records, such as catalogue entries, are skipped). The classified neighbour at rank ``r`` (1-based)
    gives weight ``1 / r`` split evenly over its main groups; groups with at least ``min_share`` of the
    votes are kept, at most ``max_groups`` of them (the top group is always kept when any neighbour is
    classified).

    Args:
        neighbours: the nearest-document search (for example the hybrid searcher).
        k: classified neighbours that vote.
        depth: documents asked of the search.
        max_groups: most groups returned.
        min_share: smallest vote share kept.
    """

    def __init__(
        self,
        neighbours: NeighbourSearch,
        *,
        k: int = 20,
        depth: int = 100,
        max_groups: int = 3,
        min_share: float = 0.12,
    ) -> None:
        self.neighbours = neighbours
        self.k = k
        self.depth = max(depth, k)
        self.max_groups = max_groups
        self.min_share = min_share

    def infer(self, text: str, *, exclude: Sequence[str] = ()) -> InferredFields:
        """Fields of ``text``; documents in ``exclude`` (for example the offer's own records) are ignored."""
        if not text.strip():
            return InferredFields((), {}, ())
        skip = set(exclude)
        votes: dict[str, float] = {}
        evidence: list[str] = []
        rank = 0
        for patent, _score in self.neighbours(text, self.depth + len(skip)):
            groups = sorted({main_group(c) for c in patent.ipc_codes if "/" in c})
            if patent.key in skip or not groups:
                continue
            rank += 1
            evidence.append(patent.key)
            for g in groups:
                votes[g] = votes.get(g, 0.0) + 1.0 / rank / len(groups)
            if rank >= self.k:
                break
        total = sum(votes.values())
        if total <= 0:
            return InferredFields((), {}, ())
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen = [g for i, (g, v) in enumerate(ranked) if i == 0 or v / total >= self.min_share]
        chosen = chosen[: self.max_groups]
        return InferredFields(tuple(chosen), {g: round(votes[g] / total, 4) for g in chosen}, tuple(evidence))
