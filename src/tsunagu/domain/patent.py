"""The patent record shared by every layer, and the rule that merges records from several sources."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MERGEABLE_FIELDS",
    "PROVENANCE_FIELDS",
    "SOURCE_RANK",
    "Patent",
    "merge_patents",
]

# Higher wins when two sources disagree on a non-empty field: official office formats beat aggregators.
SOURCE_RANK: dict[str, int] = {
    "uspto_xml": 30,
    "uspto_greenbook": 30,
    "jplatpat_csv": 30,
    "tsunagu_jsonl": 20,
    "patentsview_csv": 15,
    "lens_csv": 10,
    "google_patents_csv": 10,
    "patentscope_xls": 10,
    "nasa_t2_csv": 10,
    "google_patents_abstracts": 5,  # joined by title only, so it ranks below every record-level source
}

# Where a record's fields came from; not part of the record's own data (not written to tsunagu JSONL).
PROVENANCE_FIELDS: tuple[str, ...] = ("sources", "field_sources")

# Fields merged field-by-field (identity fields `key`, `country`, `series`, `number` never change).
MERGEABLE_FIELDS: tuple[str, ...] = (
    "publication_number",
    "kind",
    "title",
    "abstract",
    "claims",
    "language",
    "applicants",
    "inventors",
    "ipc_codes",
    "cpc_codes",
    "fi_codes",
    "application_number",
    "family_id",
    "filing_date",
    "publication_date",
    "priority_date",
    "grant_date",
    "url",
)


@dataclass(frozen=True)
class Patent:
    """One patent document, as imported.

    Identity: ``key`` is the dedupe key ``"{country}-{series}-{number}"`` built by
    `tsunagu.domain.numbers` (kind code excluded, Japanese series kept apart). Records without a
    usable number are keyed ``"{source}-{own id}"`` (for example ``"NASA-KSC-12236-2-PCT"``).

    Dates are ISO strings ``YYYY-MM-DD`` (or ``""`` when unknown). Code lists are normalised
    (``G01N25/00``), without duplicates, in source order. ``original_numbers`` keeps every
    number string seen in the sources. ``field_sources`` maps each non-empty field to the source
    format that supplied it. ``extra`` keeps the source columns that have no field of their own.
    """

    key: str
    publication_number: str
    original_numbers: tuple[str, ...] = ()
    country: str = ""
    series: str = ""
    kind: str = ""
    title: str = ""
    abstract: str = ""
    claims: str = ""
    language: str = ""
    applicants: tuple[str, ...] = ()
    inventors: tuple[str, ...] = ()
    ipc_codes: tuple[str, ...] = ()
    cpc_codes: tuple[str, ...] = ()
    fi_codes: tuple[str, ...] = ()
    application_number: str = ""
    family_id: str = ""
    filing_date: str = ""
    publication_date: str = ""
    priority_date: str = ""
    grant_date: str = ""
    url: str = ""
    sources: tuple[str, ...] = ()
    field_sources: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def year(self) -> int | None:
        """Year of the earliest known date (filing, else priority, else publication)."""
        for d in (self.filing_date, self.priority_date, self.publication_date):
            if d[:4].isdigit():
                return int(d[:4])
        return None

    @property
    def event_date(self) -> str:
        """The date used by evaluations: filing, else priority, else publication date."""
        return self.filing_date or self.priority_date or self.publication_date

    def text(self) -> str:
        """Title plus abstract, the text indexed for search."""
        return f"{self.title} {self.abstract}".strip()

    def to_dict(self) -> dict[str, Any]:
        """Every field in declaration order, JSON-ready (tuples as lists, mappings copied)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out

    def with_source(self, source: str) -> Patent:
        """Return a copy whose non-empty fields are all attributed to ``source``."""
        fs = {name: source for name in MERGEABLE_FIELDS if _non_empty(getattr(self, name))}
        return dataclasses.replace(self, sources=(source,), field_sources=fs)


def _non_empty(value: object) -> bool:
    return bool(value)


def _merge_extra(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Union of per-source extra columns; a stored non-empty value is kept (so re-imports are stable)."""
    if not new:
        return old
    out = dict(old)
    for src, cols in new.items():
        prev = out.get(src)
        if isinstance(prev, dict) and isinstance(cols, dict):
            merged = dict(prev)
            for name, value in cols.items():
                if not _non_empty(merged.get(name)):
                    merged[name] = value
            out[src] = merged
        elif not _non_empty(prev):
            out[src] = cols
    return out


def merge_patents(old: Patent, new: Patent) -> Patent:
    """Merge two records of the same document.

    For each field a non-empty value beats an empty one; when both are non-empty the source with the
    higher `SOURCE_RANK` wins (ties keep the stored value). The source of each field is kept in
    ``field_sources``; ``original_numbers``, ``sources`` and ``extra`` (per source) are unions.

    Args:
        old: the stored record.
        new: the incoming record (its ``field_sources`` say where each field came from).

    Returns:
        The merged record; equal to ``old`` when nothing changes.
    """
    if old.key != new.key:
        raise ValueError(f"cannot merge different documents {old.key!r} and {new.key!r}")
    changes: dict[str, Any] = {}
    field_sources = dict(old.field_sources)
    for name in MERGEABLE_FIELDS:
        ov, nv = getattr(old, name), getattr(new, name)
        if not _non_empty(nv) or ov == nv:
            continue
        nsrc = new.field_sources.get(name, new.sources[0] if new.sources else "")
        osrc = field_sources.get(name, "")
        if not _non_empty(ov) or SOURCE_RANK.get(nsrc, 0) > SOURCE_RANK.get(osrc, 0):
            changes[name] = nv
            field_sources[name] = nsrc
    numbers = tuple(dict.fromkeys(old.original_numbers + new.original_numbers))
    sources = tuple(dict.fromkeys(old.sources + new.sources))
    extra = _merge_extra(old.extra, new.extra)
    if numbers != old.original_numbers:
        changes["original_numbers"] = numbers
    if sources != old.sources:
        changes["sources"] = sources
    if extra != old.extra:
        changes["extra"] = extra
    if not changes and field_sources == old.field_sources:
        return old
    return dataclasses.replace(old, field_sources=field_sources, **changes)
