"""Concept → function phrases → capabilities with IPC main groups (real J-PlatPat fixture records)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from tsunagu.domain.patent import Patent
from tsunagu.services.consortium.concept import ConceptDecomposer, concept_phrases, split_concept
from tsunagu.sources.jplatpat import JplatpatCsvSource

DATA = Path(__file__).resolve().parents[2] / "data" / "jplatpat_csv"


def _records() -> list[Patent]:
    out: list[Patent] = []
    for name in ("jplatpat_first4.csv.gz", "jplatpat_forms.csv.gz"):
        with gzip.open(DATA / name) as stream:
            out.extend(p for p in JplatpatCsvSource().read(stream, name) if isinstance(p, Patent))
    return out


def test_split_concept_cuts_at_clauses() -> None:
    assert split_concept("運転者の心拍を座席で検出し、眠気を推定して振動で警告するシート") == [
        "運転者の心拍を座席で検出",
        "眠気を推定",
        "振動で警告するシート",
    ]
    assert split_concept("A seat that detects heart rate and warns the driver") == [
        "A seat",
        "detects heart rate",
        "warns the driver",
    ]


@dataclass(frozen=True)
class _Phrase:
    kind: str
    text: str
    obj: str


@dataclass(frozen=True)
class _Analysis:
    phrases: tuple[_Phrase, ...]


class _Analyser:
    """A real, tiny analyser with the interface of `tsunagu.retrieval.phrases.PhraseExtractor`."""

    def analyse(self, text: str) -> _Analysis:
        return _Analysis(
            (
                _Phrase("function", "運転者の心拍を検出する", "運転者の心拍"),
                _Phrase("function", "眠気を推定する", "眠気"),
                _Phrase("problem", "事故を防ぐ", "事故"),
            )
        )


def test_concept_phrases_keep_uncovered_clauses() -> None:
    got = concept_phrases(
        "運転者の心拍を座席で検出し、眠気を推定して振動で警告するシート", analyser=_Analyser()
    )
    assert got == ["運転者の心拍を検出する", "眠気を推定する", "振動で警告するシート"]


def test_capabilities_weight_main_groups_of_the_closest_patents() -> None:
    records = _records()

    def search(phrase: str, k: int) -> list[Patent]:
        # a transparent stand-in for the hybrid search: records whose title shares a word, in file order
        words = [w for w in ("運転", "車両", "制動", "障害物", "表示") if w in phrase]
        return [p for p in records if any(w in p.title for w in words)][:k]

    caps = ConceptDecomposer(search, extract=split_concept).decompose("車両の自動制動、障害物の検知")
    assert [c.id for c in caps] == ["C1", "C2"]
    first = caps[0]
    assert abs(sum(w for _, w in first.groups) - 1.0) < 1e-3
    assert all(g.endswith("/00") for g, _ in first.groups) and len(first.groups) <= 4
    weights = [w for _, w in first.groups]
    assert weights == sorted(weights, reverse=True)
    assert first.evidence and set(first.evidence) <= {p.publication_number for p in records}
    nothing = ConceptDecomposer(lambda q, k: [], extract=split_concept).decompose("ピザを焼く")
    assert nothing[0].groups == () and nothing[0].evidence == ()
