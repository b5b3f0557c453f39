"""Counting over a list of patents: applicant ranking, filings per year, field shares and matrices,
and the co-classification network. Pure functions; every figure can be traced to the records.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from tsunagu.domain.patent import Patent
from tsunagu.services.landscape.fields import (
    FieldLevel,
    FieldNamer,
    applicant_key,
    distinct_applicants,
    fields_of,
    no_names,
)

__all__ = [
    "ApplicantNames",
    "CoClassification",
    "FieldMatrix",
    "FieldShare",
    "NetworkEdge",
    "NetworkNode",
    "RankedApplicant",
    "YearBasis",
    "YearlyFilings",
    "applicant_field_matrix",
    "applicant_ranking",
    "co_classification",
    "family_key",
    "field_shares",
    "filings_per_year",
]

YearBasis = Literal["filing", "publication"]


def family_key(p: Patent) -> str:
    """The counting unit of a record: its family when the source gave one, else the record itself."""
    return f"family:{p.family_id}" if p.family_id else f"doc:{p.key}"


class ApplicantNames:
    """Groups applicant spellings by `applicant_key` and shows the most frequent spelling of each."""

    def __init__(self) -> None:
        self._spellings: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, name: str) -> str:
        """Record one occurrence of ``name``; returns its key."""
        k = applicant_key(name)
        if k:
            self._spellings[k][name.strip()] += 1
        return k

    def display(self, key: str) -> str:
        """The most frequent spelling seen for ``key`` (ties: the first seen)."""
        spellings = self._spellings.get(key)
        return spellings.most_common(1)[0][0] if spellings else key


@dataclass(frozen=True)
class RankedApplicant:
    """One applicant of a ranking.

    Attributes:
        name: the most frequent spelling in the set.
        key: the grouping key (`applicant_key`).
        documents: records naming the applicant.
        families: distinct families among them (records without family data count alone).
        share: ``documents`` over the records in the set.
        first_year: earliest `Patent.year` among them, or None.
        last_year: latest `Patent.year` among them, or None.
    """

    name: str
    key: str
    documents: int
    families: int
    share: float
    first_year: int | None = None
    last_year: int | None = None


def applicant_ranking(patents: Sequence[Patent], top: int | None = 20) -> list[RankedApplicant]:
    """Applicants by number of records (most first; ties by name).

    Each record counts once per distinct applicant (co-applicants each get the record).
    """
    names = ApplicantNames()
    docs: Counter[str] = Counter()
    fams: dict[str, set[str]] = defaultdict(set)
    years: dict[str, list[int]] = defaultdict(list)
    for p in patents:
        for name in distinct_applicants(p.applicants):
            k = names.add(name)
            docs[k] += 1
            fams[k].add(family_key(p))
            if p.year is not None:
                years[k].append(p.year)
    n = max(len(patents), 1)
    ranked = sorted(docs.items(), key=lambda kv: (-kv[1], names.display(kv[0])))
    out = [
        RankedApplicant(
            name=names.display(k),
            key=k,
            documents=c,
            families=len(fams[k]),
            share=c / n,
            first_year=min(years[k]) if years[k] else None,
            last_year=max(years[k]) if years[k] else None,
        )
        for k, c in ranked
    ]
    return out if top is None else out[:top]


@dataclass(frozen=True)
class YearlyFilings:
    """Filings per year.

    Attributes:
        basis: ``"filing"`` (filing date, else priority date) or ``"publication"``.
        unit: ``"family"`` when any record carried family data (each family counted once, in the
            earliest year of its members), else ``"document"``.
        counts: year → count, years ascending, gaps filled with 0.
        unknown: units without a usable date.
    """

    basis: YearBasis
    unit: str
    counts: dict[int, int]
    unknown: int = 0

    def last_complete_years(self, n: int) -> dict[int, int]:
        """The last ``n`` years of ``counts`` (fewer when the data is shorter)."""
        years = sorted(self.counts)[-n:]
        return {y: self.counts[y] for y in years}


def _year_of(p: Patent, basis: YearBasis) -> int | None:
    dates = (p.publication_date,) if basis == "publication" else (p.filing_date, p.priority_date)
    for d in dates:
        if d[:4].isdigit():
            return int(d[:4])
    return None


def filings_per_year(patents: Sequence[Patent], basis: YearBasis = "filing") -> YearlyFilings:
    """Count filings per year, once per family where family data exists.

    Args:
        patents: the records.
        basis: ``"filing"`` (filing date, falling back to the priority date) or ``"publication"``.
    """
    unit_year: dict[str, int | None] = {}
    for p in patents:
        u = family_key(p)
        y = _year_of(p, basis)
        old = unit_year.get(u)
        if u not in unit_year or (y is not None and (old is None or y < old)):
            unit_year[u] = y
    counts = Counter(y for y in unit_year.values() if y is not None)
    unknown = sum(1 for y in unit_year.values() if y is None)
    filled: dict[int, int] = {}
    if counts:
        for y in range(min(counts), max(counts) + 1):
            filled[y] = counts.get(y, 0)
    has_family = any(p.family_id for p in patents)
    return YearlyFilings(
        basis=basis, unit="family" if has_family else "document", counts=filled, unknown=unknown
    )


@dataclass(frozen=True)
class FieldShare:
    """A field's share of the records: ``count`` records carry it (a record may carry several fields)."""

    field: str
    name: str
    count: int
    share: float


def field_shares(
    patents: Sequence[Patent],
    level: FieldLevel = "subclass",
    top: int | None = 15,
    namer: FieldNamer = no_names,
) -> tuple[list[FieldShare], int]:
    """Fields by number of records carrying them.

    Returns:
        The top fields (most first; ties by code) and the number of records in no field (no codes).
        Shares are over the records that carry any field.
    """
    counts: Counter[str] = Counter()
    without = 0
    for p in patents:
        fs = fields_of(p, level)
        if not fs:
            without += 1
        counts.update(fs)
    n = max(len(patents) - without, 1)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if top is not None:
        ranked = ranked[:top]
    return [FieldShare(f, namer(f), c, c / n) for f, c in ranked], without


@dataclass(frozen=True)
class FieldMatrix:
    """Applicant × field counts: ``counts[i][j]`` records of ``applicants[i]`` carrying ``fields[j]``."""

    applicants: list[str]
    fields: list[str]
    field_names: list[str]
    counts: list[list[int]]


def applicant_field_matrix(
    patents: Sequence[Patent],
    level: FieldLevel = "subclass",
    top_applicants: int = 15,
    top_fields: int = 12,
    namer: FieldNamer = no_names,
    ensure_applicant: str = "",
) -> FieldMatrix:
    """The applicant × field matrix of the top applicants and fields of the set.

    Args:
        patents: the records.
        level: field level.
        top_applicants: rows (by number of records).
        top_fields: columns (by number of records).
        namer: field names.
        ensure_applicant: an applicant name to include as a row even outside the top (a company
            being evaluated); matched by `applicant_key`.
    """
    ranking = applicant_ranking(patents, top=None)
    rows = [a.key for a in ranking[:top_applicants]]
    display = {a.key: a.name for a in ranking}
    want = applicant_key(ensure_applicant) if ensure_applicant else ""
    if want and want in display and want not in rows:
        rows.append(want)
    shares, _ = field_shares(patents, level, top=top_fields, namer=namer)
    cols = [s.field for s in shares]
    col_index = {f: j for j, f in enumerate(cols)}
    row_index = {k: i for i, k in enumerate(rows)}
    counts = [[0] * len(cols) for _ in rows]
    for p in patents:
        fs = [col_index[f] for f in fields_of(p, level) if f in col_index]
        if not fs:
            continue
        for name in distinct_applicants(p.applicants):
            i = row_index.get(applicant_key(name))
            if i is None:
                continue
            for j in fs:
                counts[i][j] += 1
    return FieldMatrix(
        applicants=[display[k] for k in rows],
        fields=cols,
        field_names=[s.name for s in shares],
        counts=counts,
    )


@dataclass(frozen=True)
class NetworkNode:
    """A field of the co-classification network with the number of records carrying it."""

    field: str
    name: str
    count: int


@dataclass(frozen=True)
class NetworkEdge:
    """Two fields carried together by ``count`` records; ``jaccard`` = count / records with either."""

    source: str
    target: str
    count: int
    jaccard: float


@dataclass(frozen=True)
class CoClassification:
    """The co-classification network of fields (the most frequent fields and their strongest links)."""

    level: FieldLevel
    nodes: list[NetworkNode]
    edges: list[NetworkEdge] = field(default_factory=list)


def co_classification(
    patents: Sequence[Patent],
    level: FieldLevel = "subclass",
    top_fields: int = 25,
    min_count: int = 2,
    max_edges: int = 60,
    namer: FieldNamer = no_names,
) -> CoClassification:
    """Fields that occur together on the same record.

    Args:
        patents: the records.
        level: field level of the nodes.
        top_fields: nodes kept (most frequent fields).
        min_count: an edge needs at least this many records.
        max_edges: strongest edges kept (by count, then Jaccard), plus the strongest edge of any
            node left without one.
        namer: field names.
    """
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    per_doc = [sorted(set(fields_of(p, level))) for p in patents]
    for fs in per_doc:
        counts.update(fs)
    keep = {f for f, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_fields]}
    for fs in per_doc:
        kept = [f for f in fs if f in keep]
        pairs.update(itertools.combinations(kept, 2))
    edges = [
        NetworkEdge(a, b, c, c / (counts[a] + counts[b] - c)) for (a, b), c in pairs.items() if c >= min_count
    ]
    edges.sort(key=lambda e: (-e.count, -e.jaccard, e.source, e.target))
    kept_edges = edges[:max_edges]
    linked = {f for e in kept_edges for f in (e.source, e.target)}
    for e in edges[max_edges:]:  # every node keeps at least its strongest link
        if e.source not in linked or e.target not in linked:
            kept_edges.append(e)
            linked.update((e.source, e.target))
    nodes = [NetworkNode(f, namer(f), counts[f]) for f in sorted(keep, key=lambda f: (-counts[f], f))]
    return CoClassification(level=level, nodes=nodes, edges=kept_edges)
