"""Who a report is about: the company profile and the pluggable parts that supply it.

`CompanyDirectory` resolves ``--company NAME`` (in the app: the company register's lookup, which
falls back to corpus applicants); `ApplicantDirectory` is the stand-alone fallback over corpus
applicants only. `IdeaProvider` (用途探索) and `OfferProvider` (licensable offers) feed section 7
when those capabilities are installed; without them the report says so and uses white space.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError
from tsunagu.services.landscape.fields import applicant_key

__all__ = [
    "ApplicantDirectory",
    "CompanyDirectory",
    "CompanyProfile",
    "IdeaEvidence",
    "IdeaProvider",
    "IdeaSummary",
    "OfferProvider",
    "OfferSummary",
]


@dataclass(frozen=True)
class CompanyProfile:
    """A company as the report sees it.

    Attributes:
        name: display name.
        kind: ``"registered"`` (company register), ``"applicant"`` (corpus applicant only) or
            ``"input"`` (known only from the evaluator's input).
        register_id: id in the register, when registered.
        fields: register fields (``region``, ``industry``, ``size``, ``employees``, ``capabilities``,
            ``equipment``, ``products``…), as text; empty values are left out.
        applicant_names: corpus applicant spellings that belong to it.
        patent_keys: its corpus records.
        needs: needs or issues from the register (titles with their problem text).
    """

    name: str
    kind: str
    register_id: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    applicant_names: tuple[str, ...] = ()
    patent_keys: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


class CompanyDirectory(Protocol):
    """Resolves a company name or id to a profile; raises `NotFoundError` listing near matches."""

    def resolve(self, name: str) -> CompanyProfile: ...


class ApplicantStore(Protocol):
    """The store calls `ApplicantDirectory` needs."""

    def keys_matching(self, keys: Iterable[str] | None = None, *, applicant: str = "") -> set[str]: ...

    def get_many(self, keys: Sequence[str]) -> list[Patent]: ...

    def applicant_counts(self, limit: int | None = None) -> list[tuple[str, int]]: ...


class ApplicantDirectory:
    """Companies as corpus applicants: equal names after NFKC, case folding and removing spaces.

    Args:
        store: the patent store.
    """

    def __init__(self, store: ApplicantStore) -> None:
        self.store = store

    def resolve(self, name: str) -> CompanyProfile:
        """The applicant called ``name`` with all its records.

        Raises:
            NotFoundError: no applicant has that name; the message lists near names.
        """
        want = applicant_key(name)
        probe = max(name.split(), key=len) if name.split() else name
        keys = sorted(self.store.keys_matching(applicant=probe))
        records = [
            p for p in self.store.get_many(keys) if any(applicant_key(a) == want for a in p.applicants)
        ]
        if records:
            spellings = [a for p in records for a in p.applicants if applicant_key(a) == want]
            display = max(set(spellings), key=lambda s: (spellings.count(s), s))
            return CompanyProfile(
                display, "applicant", applicant_names=(display,), patent_keys=tuple(p.key for p in records)
            )
        names = {applicant_key(n): n for n, _ in self.store.applicant_counts()}
        near = difflib.get_close_matches(want, list(names), n=5, cutoff=0.6)
        near += [k for k in names if want and want in k and k not in near][: 5 - len(near)]
        hint = ", ".join(names[k] for k in near) or "なし / none"
        raise NotFoundError(
            f"企業・出願人が見つかりません / no company or applicant called {name!r}. "
            f"近い名前 / did you mean: {hint}"
        )


@dataclass(frozen=True)
class IdeaEvidence:
    """One patent behind an idea."""

    number: str
    title: str
    applicant: str
    year: int | None


@dataclass(frozen=True)
class IdeaSummary:
    """An other-field application idea (from 用途探索), as a report shows it.

    Attributes:
        field: target field code (IPC main group or subclass).
        field_name: its plain-language name (Japanese when known).
        field_name_en: its English name.
        function: the function of the technology that transfers.
        rationale: the short rationale (machine-assembled from evidence).
        evidence: the supporting patents.
        scores: named scores (relevance, novelty, momentum, evidence).
        offers: licensable offers in that field (display strings).
    """

    field: str
    field_name: str
    field_name_en: str = ""
    function: str = ""
    rationale: str = ""
    evidence: tuple[IdeaEvidence, ...] = ()
    scores: dict[str, float] = dataclasses.field(default_factory=dict)
    offers: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        """The field name in ``lang`` (falling back to the other language)."""
        if lang == "ja":
            return self.field_name or self.field_name_en
        return self.field_name_en or self.field_name


class IdeaProvider(Protocol):
    """Supplies other-field application ideas for a company (its patents plus know-how text)."""

    def ideas(
        self, profile: CompanyProfile, patents: Sequence[Patent], know_how: str, k: int
    ) -> list[IdeaSummary]: ...


@dataclass(frozen=True)
class OfferSummary:
    """A licensable offer that fits the company (from the matching capability)."""

    id: str
    title: str
    holder: str
    availability: str = ""
    score: float | None = None
    reason: str = ""


class OfferProvider(Protocol):
    """Supplies licensable offers ranked for a company."""

    def offers_for(self, profile: CompanyProfile, k: int) -> list[OfferSummary]: ...
