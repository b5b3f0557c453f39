"""The result of a landscape analysis, and its tables for CSV/JSON export."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from tsunagu.services.landscape.docmap import DocumentMap
from tsunagu.services.landscape.stats import (
    CoClassification,
    FieldMatrix,
    FieldShare,
    RankedApplicant,
    YearlyFilings,
)
from tsunagu.services.landscape.whitespace import WhiteSpace

__all__ = ["Landscape", "LandscapeScope", "ScopeKind", "Table"]

ScopeKind = Literal["query", "ipc", "applicant", "patents"]

#: A table: header and rows (plain values), as written to CSV.
Table = tuple[list[str], list[list[Any]]]


@dataclass(frozen=True)
class LandscapeScope:
    """What a landscape covers.

    Attributes:
        kind: ``"query"`` (search hits for a text), ``"ipc"`` (records with a code prefix),
            ``"applicant"`` (one applicant's records) or ``"patents"`` (a given list).
        value: the query text, code prefix or applicant name.
    """

    kind: ScopeKind
    value: str = ""

    def describe(self, lang: str = "ja") -> str:
        """One line for titles: ``検索「…」`` / ``IPC B60W`` / ``出願人 …``."""
        if lang == "ja":
            return {
                "query": f"検索「{self.value}」",
                "ipc": f"分類 {self.value}",
                "applicant": f"出願人 {self.value}",
                "patents": self.value or "指定文献",
            }[self.kind]
        return {
            "query": f'query "{self.value}"',
            "ipc": f"IPC {self.value}",
            "applicant": f"applicant {self.value}",
            "patents": self.value or "given documents",
        }[self.kind]


@dataclass
class Landscape:
    """Every analysis of one scope.

    Attributes:
        scope: what was analysed.
        documents: records in the scope.
        ranking: applicant ranking; for an applicant scope, the applicants of the corpus in the
            applicant's main fields (``ranking_basis`` says which).
        ranking_basis: ``"scope"`` or ``"corpus_fields"``.
        yearly: filings per year of the scope.
        shares: IPC subclass shares; ``unclassified`` records carry no code.
        matrix: applicant × field matrix.
        network: co-classification network of fields.
        map: the 2-D document map (None when not requested).
        company: the company the white space is for (``""`` when none).
        white_space: fields adjacent to the company's portfolio where it has nothing.
        language: ``"ja"`` or ``"en"``, the language of the labels.
        generated_at: ISO timestamp.
        notes: method notes and caveats shown with the charts.
    """

    scope: LandscapeScope
    documents: int
    ranking: list[RankedApplicant]
    yearly: YearlyFilings
    shares: list[FieldShare]
    unclassified: int
    matrix: FieldMatrix
    network: CoClassification
    map: DocumentMap | None = None
    company: str = ""
    white_space: list[WhiteSpace] = field(default_factory=list)
    ranking_basis: str = "scope"
    language: str = "ja"
    generated_at: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of everything."""
        d = dataclasses.asdict(self)
        d["yearly"]["counts"] = {str(y): c for y, c in self.yearly.counts.items()}
        return d

    def tables(self) -> dict[str, Table]:
        """One table per chart, named as the chart files are."""
        t: dict[str, Table] = {}
        t["applicant_ranking"] = (
            ["rank", "applicant", "documents", "families", "share", "first_year", "last_year"],
            [
                [i + 1, a.name, a.documents, a.families, round(a.share, 4), a.first_year, a.last_year]
                for i, a in enumerate(self.ranking)
            ],
        )
        t["filings_per_year"] = (
            ["year", f"{self.yearly.unit}s_by_{self.yearly.basis}_year"],
            [[y, c] for y, c in self.yearly.counts.items()],
        )
        t["ipc_share"] = (
            ["field", "name", "documents", "share"],
            [[s.field, s.name, s.count, round(s.share, 4)] for s in self.shares],
        )
        m = self.matrix
        t["applicant_field_matrix"] = (
            ["applicant", *m.fields],
            [[a, *row] for a, row in zip(m.applicants, m.counts, strict=True)],
        )
        t["co_classification"] = (
            ["source", "target", "documents", "jaccard"],
            [[e.source, e.target, e.count, round(e.jaccard, 4)] for e in self.network.edges],
        )
        if self.map is not None:
            t["document_map"] = (
                [
                    "key",
                    "publication_number",
                    "title",
                    "applicant",
                    "year",
                    "x",
                    "y",
                    "cluster",
                    "cluster_label",
                ],
                [
                    [
                        p.key,
                        p.publication_number,
                        p.title,
                        p.applicant,
                        p.year,
                        p.x,
                        p.y,
                        p.cluster,
                        self.map.clusters[p.cluster].label,
                    ]
                    for p in self.map.points
                ],
            )
            t["clusters"] = (
                ["cluster", "size", "label", "language", "terms", "top_fields"],
                [
                    [
                        c.id,
                        c.size,
                        c.label,
                        c.language,
                        "; ".join(term for term, _ in c.terms),
                        "; ".join(f"{f} ({n})" for f, n in c.top_fields),
                    ]
                    for c in self.map.clusters
                ],
            )
        if self.company:
            t["white_space"] = (
                [
                    "field",
                    "name",
                    "score",
                    "documents",
                    "recent_5y",
                    "recent_years",
                    "previous_5y",
                    "linked_company_fields",
                    "top_applicants",
                ],
                [
                    [
                        w.field,
                        w.name,
                        w.score,
                        w.documents,
                        w.recent,
                        w.recent_years,
                        w.before,
                        "; ".join(f"{f} ({n})" for f, n in w.links[:5]),
                        "; ".join(f"{a} ({n})" for a, n in w.top_applicants),
                    ]
                    for w in self.white_space
                ],
            )
        return t
