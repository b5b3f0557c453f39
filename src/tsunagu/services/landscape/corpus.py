"""Corpus-wide field statistics: records per field, co-classification between fields, applicants
per field and records per field and year. Built in one pass over light rows of the store.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tsunagu.domain.patent import Patent
from tsunagu.services.landscape.fields import FieldLevel, applicant_key, field_of_code, ipc_codes_of
from tsunagu.services.landscape.stats import ApplicantNames

__all__ = ["ROW_COLUMNS", "FieldStatistics"]

#: The store columns `FieldStatistics.from_rows` reads.
ROW_COLUMNS: tuple[str, ...] = ("ipc_codes", "fi_codes", "cpc_codes", "applicants", "year")


def _row_patent(row: Mapping[str, Any]) -> Patent:
    return Patent(
        key=str(row.get("key", "")),
        publication_number="",
        ipc_codes=tuple(row.get("ipc_codes") or ()),
        fi_codes=tuple(row.get("fi_codes") or ()),
        cpc_codes=tuple(row.get("cpc_codes") or ()),
    )


@dataclass
class FieldStatistics:
    """Counts over a whole corpus at one field level.

    Attributes:
        level: the field level counted.
        documents: records in the corpus.
        classified: records with at least one field.
        field_docs: records per field.
        pair_docs: records per unordered pair of fields (sorted tuple).
        field_applicants: per field, records per applicant key.
        field_years: per field, records per year.
        names: the display spelling of each applicant key.
    """

    level: FieldLevel = "subclass"
    documents: int = 0
    classified: int = 0
    field_docs: Counter[str] = field(default_factory=Counter)
    pair_docs: Counter[tuple[str, str]] = field(default_factory=Counter)
    field_applicants: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    field_years: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    names: ApplicantNames = field(default_factory=ApplicantNames)

    def add(self, fields: list[str], applicants: Iterable[str], year: int | None) -> None:
        """Count one record with these fields, applicants and year."""
        self.documents += 1
        fs = sorted(set(fields))
        if not fs:
            return
        self.classified += 1
        self.field_docs.update(fs)
        self.pair_docs.update(itertools.combinations(fs, 2))
        keys = list(dict.fromkeys(k for k in (self.names.add(a) for a in applicants) if k))
        for f in fs:
            if keys:
                self.field_applicants[f].update(keys)
            if year is not None:
                self.field_years[f][year] += 1

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], level: FieldLevel = "subclass") -> FieldStatistics:
        """Build from store rows carrying `ROW_COLUMNS` (as `SqlPatentStore.iter_rows` yields them)."""
        stats = cls(level=level)
        for row in rows:
            codes = ipc_codes_of(_row_patent(row))
            year = row.get("year")
            stats.add(
                [field_of_code(c, level) for c in codes],
                row.get("applicants") or (),
                int(year) if year is not None else None,
            )
        return stats

    @classmethod
    def from_patents(cls, patents: Iterable[Patent], level: FieldLevel = "subclass") -> FieldStatistics:
        """Build from full records."""
        stats = cls(level=level)
        for p in patents:
            stats.add([field_of_code(c, level) for c in ipc_codes_of(p)], p.applicants, p.year)
        return stats

    def pair(self, a: str, b: str) -> int:
        """Records carrying both fields."""
        return self.pair_docs.get((a, b) if a < b else (b, a), 0)

    def neighbours(self, f: str) -> dict[str, int]:
        """Fields co-classified with ``f`` and their record counts."""
        out: dict[str, int] = {}
        for (a, b), c in self.pair_docs.items():
            if a == f:
                out[b] = c
            elif b == f:
                out[a] = c
        return out

    def top_applicants(self, f: str, n: int = 5) -> list[tuple[str, int]]:
        """The ``n`` applicants with most records in field ``f`` (display name, count)."""
        ranked = sorted(self.field_applicants.get(f, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        return [(self.names.display(k), c) for k, c in ranked[:n]]

    def applicant_rank(self, f: str, name: str) -> tuple[int | None, int, int]:
        """``(rank, records, applicants)`` of applicant ``name`` in field ``f`` (rank None when absent)."""
        counts = self.field_applicants.get(f, Counter())
        k = applicant_key(name)
        mine = counts.get(k, 0)
        if not mine:
            return None, 0, len(counts)
        return 1 + sum(1 for c in counts.values() if c > mine), mine, len(counts)

    def growth(self, f: str, last_year: int, window: int = 5) -> tuple[int, int]:
        """Records in ``f`` in the ``window`` years up to ``last_year`` and in the window before."""
        years = self.field_years.get(f, Counter())
        recent = sum(c for y, c in years.items() if last_year - window < y <= last_year)
        before = sum(c for y, c in years.items() if last_year - 2 * window < y <= last_year - window)
        return recent, before

    def last_year(self) -> int | None:
        """The latest year with records in any field."""
        ys = [y for counter in self.field_years.values() for y in counter]
        return max(ys) if ys else None
