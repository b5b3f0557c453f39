"""Everything both reports draw on, gathered once: the company, its records, their status, the
portfolio facts, white space, ideas and offers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from tsunagu.domain.patent import SOURCE_RANK, Patent
from tsunagu.errors import NotFoundError, TsunaguError
from tsunagu.services.landscape.corpus import FieldStatistics
from tsunagu.services.landscape.fields import FieldNamer, no_names
from tsunagu.services.landscape.whitespace import WhiteSpace, white_space
from tsunagu.services.reports.company import (
    CompanyDirectory,
    CompanyProfile,
    IdeaProvider,
    IdeaSummary,
    OfferProvider,
    OfferSummary,
)
from tsunagu.services.reports.expiry import RightStatus, right_status
from tsunagu.services.reports.inputs import EvaluatorInput
from tsunagu.services.reports.portfolio import PortfolioFacts, portfolio_facts
from tsunagu.storage.rows import normalise_number

__all__ = ["PatentSource", "ReportContext", "gather_context"]

log = logging.getLogger(__name__)


class PatentSource(Protocol):
    """What the report builders need of the store: records by key and by number."""

    def get_many(self, keys: Sequence[str]) -> list[Patent]: ...

    def find(self, number: str) -> list[Patent]: ...


@dataclass
class ReportContext:
    """Inputs of a report, resolved.

    Attributes:
        profile: the company.
        patents: its records, most recently filed first.
        statuses: the status of each record (same order).
        facts: portfolio facts.
        stats: corpus statistics.
        white_space: adjacent fields without filings.
        ideas: other-field ideas (None when no idea provider is connected).
        offers: licensable offers (None when no offer provider is connected).
        inputs: the evaluator's input.
        as_of: the report date.
        lang: report language.
        namer: field names in that language.
        corpus_documents: records in the corpus.
        source_counts: records of the company per source format.
    """

    profile: CompanyProfile
    patents: list[Patent]
    statuses: list[RightStatus]
    facts: PortfolioFacts
    stats: FieldStatistics
    white_space: list[WhiteSpace]
    ideas: list[IdeaSummary] | None
    offers: list[OfferSummary] | None
    inputs: EvaluatorInput
    as_of: date
    lang: str
    namer: FieldNamer = no_names
    corpus_documents: int = 0
    source_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    provider_errors: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The company's display name (the evaluator's spelling wins when given)."""
        return self.inputs.company.get("name") or self.profile.name

    def know_how(self) -> str:
        """Know-how text: the evaluator's, else the register's capabilities."""
        return self.inputs.know_how or self.profile.fields.get("capabilities", "")


def _resolve(directory: CompanyDirectory, name: str, inputs: EvaluatorInput) -> CompanyProfile:
    try:
        return directory.resolve(name)
    except NotFoundError:
        if inputs.company or inputs.know_how:
            return CompanyProfile(inputs.company.get("name") or name, "input")
        raise


def records_with_status(
    patents: PatentSource, patent_keys: Sequence[str], inputs: EvaluatorInput | None, *, as_of: date, lang: str
) -> tuple[list[Patent], list[RightStatus]]:
    """A company's records, most recent filing first, with each right's status.

    A status the evaluator stated (``inputs.legal_status``, by any form of the number) comes first;
    otherwise `right_status` estimates it (状態不明 with the theoretical expiry).
    """
    records = patents.get_many(list(patent_keys)) if patent_keys else []
    records.sort(key=lambda p: (p.filing_date or p.priority_date or p.publication_date, p.key), reverse=True)
    stated = {normalise_number(k): v for k, v in (inputs.legal_status if inputs else {}).items() if v}
    statuses = []
    for p in records:
        numbers = (normalise_number(x) for x in (p.publication_number, *p.original_numbers))
        said = next((stated[n] for n in numbers if n in stated), "")
        statuses.append(right_status(p, as_of, lang=lang, stated=said))
    return records, statuses


def gather_context(
    company: str,
    *,
    directory: CompanyDirectory,
    patents: PatentSource,
    statistics: Callable[[], FieldStatistics],
    inputs: EvaluatorInput | None = None,
    ideas: IdeaProvider | None = None,
    offers: OfferProvider | None = None,
    as_of: date | None = None,
    lang: str = "ja",
    namer: FieldNamer = no_names,
    idea_count: int = 5,
    offer_count: int = 5,
) -> ReportContext:
    """Resolve the company and compute everything the report sections state.

    A company unknown to the directory still gets a report when the evaluator's input describes it
    (a company with no patents, known from its know-how).

    Raises:
        NotFoundError: the company is unknown and the input does not describe it.
    """
    inputs = inputs or EvaluatorInput()
    as_of = as_of or date.today()
    profile = _resolve(directory, company, inputs)
    records, statuses = records_with_status(patents, profile.patent_keys, inputs, as_of=as_of, lang=lang)
    stats = statistics()
    applicant = profile.applicant_names[0] if profile.applicant_names else profile.name
    facts = portfolio_facts(records, applicant, stats, statuses, namer=namer)
    spaces = white_space(records, stats, namer=namer) if records else []
    notes: list[str] = []
    errors: dict[str, str] = {}
    idea_list: list[IdeaSummary] | None = None
    if ideas is not None:
        try:
            idea_list = ideas.ideas(
                profile, records, inputs.know_how or profile.fields.get("capabilities", ""), idea_count
            )
        except TsunaguError as exc:  # a failing optional capability must not sink the report
            log.warning("idea provider failed: %s", exc)
            errors["ideas"] = str(exc)
    offer_list: list[OfferSummary] | None = None
    if offers is not None:
        try:
            offer_list = offers.offers_for(profile, offer_count)
        except TsunaguError as exc:
            log.warning("offer provider failed: %s", exc)
            errors["offers"] = str(exc)
    counts: dict[str, int] = {}
    for p in records:
        # Formats the record was read from, and the original formats a tsunagu JSONL copy names.
        for s in {*p.sources, *(k for k in p.extra if k in SOURCE_RANK)}:
            counts[s] = counts.get(s, 0) + 1
    return ReportContext(
        profile=profile,
        patents=records,
        statuses=statuses,
        facts=facts,
        stats=stats,
        white_space=spaces,
        ideas=idea_list,
        offers=offer_list,
        inputs=inputs,
        as_of=as_of,
        lang=lang,
        namer=namer,
        corpus_documents=stats.documents,
        source_counts=dict(sorted(counts.items())),
        notes=notes,
        provider_errors=errors,
    )
