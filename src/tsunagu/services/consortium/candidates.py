"""Candidate companies for consortia: loading them from the register, and deriving demo ones.

`load_candidates` turns every active register company into a `CompanyEvidence` (its profile text and
its corpus patents: listed numbers plus records filed under its names).

`derive_companies` builds demo companies from corpus applicants that look like companies (a corporate
form in the name) and hold few patents (1 to ``max_patents``). Their profile text is assembled from
their patents and they are registered with origin ``derived_from_patents``: they are *not* real SME
profiles, and every output that shows them says so.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tsunagu.domain.codes import subclass
from tsunagu.domain.consortium import Candidate
from tsunagu.domain.matching import Company, normalise_name
from tsunagu.domain.patent import Patent
from tsunagu.services.consortium.fit import CompanyEvidence

__all__ = [
    "DERIVED_NOTE",
    "DERIVED_ORIGIN",
    "CandidateLoader",
    "DerivedCompanies",
    "derive_companies",
    "is_company_name",
    "load_candidates",
]

DERIVED_ORIGIN = "derived_from_patents"
DERIVED_NOTE = (
    "特許データから生成したプロフィール (実在の中小企業プロフィールではありません) / "
    "derived from patent data, not a real SME profile"
)

# Corporate forms that mark an applicant as a company (not a person, university or agency).
_CORPORATE = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|"
    r"\b(co|corp|corporation|inc|incorporated|ltd|limited|llc|gmbh|ag|sa|s\.a|s\.p\.a|kk|k\.k|plc|bv|b\.v|oy|ab)\b\.?",
    re.IGNORECASE,
)
_NOT_COMPANY = re.compile(
    r"大学|university|college|institute of technology|独立行政法人|国立研究開発法人|government|"
    r"administration|secretary|agency|学校法人",
    re.IGNORECASE,
)


def is_company_name(name: str) -> bool:
    """True for an applicant name with a corporate form and no university or public-body marker."""
    text = unicodedata.normalize("NFKC", name or "")
    return bool(_CORPORATE.search(text)) and not _NOT_COMPANY.search(text)


class _Patents(Protocol):
    def get_many(self, keys: Sequence[str]) -> list[Patent]: ...

    def revision(self) -> int: ...

    def iter_rows(self, columns: Sequence[str], batch_size: int = 5000) -> Any: ...


class _Companies(Protocol):
    """What this module needs of `tsunagu.services.companies.CompanyService`."""

    registry: Any

    def list_companies(
        self, *, status: str = "active", origin: str = "", programme_id: int | None = None
    ) -> list[Company]: ...

    def resolved(self, company: Company) -> Any: ...

    def build(self, name: str, **values: Any) -> Company: ...


class CandidateLoader:
    """`load_candidates`, cached until the corpus revision or a register company changes.

    Args:
        companies: the company service.
        patents: the patent store (its ``revision()`` tells when the corpus changed).
    """

    def __init__(self, companies: _Companies, patents: _Patents) -> None:
        self.companies = companies
        self.patents = patents
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._value: list[CompanyEvidence] = []

    def __call__(self) -> list[CompanyEvidence]:
        items = self.companies.list_companies(status="active")
        key = (self.patents.revision(), tuple((c.id, c.updated_at, c.name) for c in items))
        with self._lock:
            if key != self._key:
                self._value = load_candidates(self.companies, self.patents, items=items)
                self._key = key
            return list(self._value)


def load_candidates(
    companies: _Companies, patents: _Patents, *, items: Sequence[Company] | None = None
) -> list[CompanyEvidence]:
    """Every active register company (or ``items``) with its profile and corpus patents (one batch read)."""
    items = list(items) if items is not None else companies.list_companies(status="active")
    keys_of: list[tuple[str, ...]] = []
    wanted: dict[str, None] = {}
    for company in items:
        keys = tuple(companies.resolved(company).patent_keys)
        keys_of.append(keys)
        wanted.update(dict.fromkeys(keys))
    records = {p.key: p for p in patents.get_many(list(wanted))}
    out: list[CompanyEvidence] = []
    for company, keys in zip(items, keys_of, strict=True):
        own = tuple(records[k] for k in keys if k in records)
        derived = company.origin == DERIVED_ORIGIN
        candidate = Candidate(f"company:{company.id}", company.name, company.region, len(own), derived)
        out.append(CompanyEvidence(candidate, "" if derived else company.text(), own))
    return out


@dataclass(frozen=True)
class DerivedCompanies:
    """Result of `derive_companies`: how many were registered, and how many applicants were seen."""

    registered: int
    already: int
    applicants: int
    eligible: int


def _profile(name: str, records: Sequence[dict[str, Any]]) -> str:
    ordered = sorted(
        records, key=lambda r: str(r.get("filing_date") or r.get("publication_date") or ""), reverse=True
    )
    titles = list(dict.fromkeys(str(r.get("title") or "").strip() for r in ordered if r.get("title")))[:6]
    subclasses = Counter(subclass(c) for r in records for c in dict.fromkeys(r.get("ipc_codes") or ()))
    fields = "、".join(s for s, _ in subclasses.most_common(4))
    text = f"主な技術分野 (IPC): {fields}。" if fields else ""
    return text + "出願例: " + " / ".join(titles)


def derive_companies(
    companies: _Companies,
    patents: _Patents,
    *,
    max_patents: int = 20,
    min_patents: int = 1,
    limit: int | None = None,
) -> DerivedCompanies:
    """Register demo companies derived from corpus applicants with few patents (see the module docstring).

    Idempotent: applicants already registered under the same normalised name are skipped.

    Args:
        companies: the company service (its register receives the companies).
        patents: the patent store.
        max_patents: most records an applicant may have.
        min_patents: fewest records.
        limit: register at most this many (the applicants with the most records first).
    """
    by_name: dict[str, list[dict[str, Any]]] = {}
    display: dict[str, str] = {}
    for row in patents.iter_rows(["applicants", "title", "ipc_codes", "filing_date", "publication_date"]):
        for name in dict.fromkeys(row["applicants"]):
            key = normalise_name(name)
            if key:
                by_name.setdefault(key, []).append(row)
                display.setdefault(key, name)
    eligible = [
        k
        for k, rows in by_name.items()
        if min_patents <= len(rows) <= max_patents and is_company_name(display[k])
    ]
    eligible.sort(key=lambda k: (-len(by_name[k]), display[k]))
    if limit is not None:
        eligible = eligible[:limit]
    taken = set(companies.registry.company_name_keys())
    new: list[Company] = []
    already = 0
    for key in eligible:
        if key in taken:
            already += 1
            continue
        name = display[key].replace("\u3000", " ").strip()
        new.append(
            companies.build(
                name,
                applicant_names=[display[key]],
                capabilities=_profile(name, by_name[key]),
                origin=DERIVED_ORIGIN,
                note=DERIVED_NOTE,
            )
        )
        taken.add(key)
    if new:
        companies.registry.save_companies(new)
    return DerivedCompanies(len(new), already, len(by_name), len(eligible))


def names_of(items: Iterable[CompanyEvidence]) -> list[str]:
    """Display names of candidates (for messages)."""
    return [c.candidate.name for c in items]
