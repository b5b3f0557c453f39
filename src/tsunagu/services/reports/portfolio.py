"""Facts about a company's portfolio that the report states: breadth, concentration, position in
its fields, combinations of fields no one else holds, remaining term and recent activity.

Every figure is counted from the records (and the corpus statistics), so it can be traced.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tsunagu.domain.patent import Patent
from tsunagu.services.landscape.corpus import FieldStatistics
from tsunagu.services.landscape.fields import FieldNamer, fields_of, no_names
from tsunagu.services.landscape.stats import family_key
from tsunagu.services.reports.expiry import RightStatus

__all__ = ["FieldPosition", "PortfolioFacts", "portfolio_facts"]


@dataclass(frozen=True)
class FieldPosition:
    """The company in one of its fields.

    Attributes:
        field: IPC subclass.
        name: its name.
        company_docs: the company's records in the field (corpus statistics).
        rank: the company's rank among the field's applicants (1 = most records), or None.
        applicants: applicants active in the field.
        field_docs: records in the field.
        top: the field's top applicants (name, records).
    """

    field: str
    name: str
    company_docs: int
    rank: int | None
    applicants: int
    field_docs: int
    top: list[tuple[str, int]]

    @property
    def share(self) -> float:
        """The company's records over the field's records."""
        return self.company_docs / self.field_docs if self.field_docs else 0.0


@dataclass(frozen=True)
class PortfolioFacts:
    """What the portfolio looks like (see the module docstring)."""

    documents: int
    families: int
    subclasses: list[tuple[str, int]]
    main_groups: int
    sections: int
    hhi: float
    top_share: float
    positions: list[FieldPosition]
    unique_pairs: list[tuple[str, str, int, int]]
    with_expiry: int
    in_term: int
    median_remaining: float | None
    recent: int
    before: int
    reference_year: int | None
    inventors: list[tuple[str, int]] = field(default_factory=list)
    first_year: int | None = None
    last_year: int | None = None


def portfolio_facts(
    patents: Sequence[Patent],
    company: str,
    stats: FieldStatistics,
    statuses: Sequence[RightStatus],
    *,
    namer: FieldNamer = no_names,
    top_fields: int = 3,
) -> PortfolioFacts:
    """Count the facts of ``patents`` (the company's records) against the corpus ``stats``.

    Args:
        patents: the company's records.
        company: its applicant name (for its rank in each field).
        stats: corpus statistics at subclass level.
        statuses: the right status of each record (same order as ``patents``).
        namer: field names.
        top_fields: fields whose position is reported.
    """
    sub: Counter[str] = Counter()
    groups: set[str] = set()
    sections: set[str] = set()
    pairs: Counter[tuple[str, str]] = Counter()
    inventors: Counter[str] = Counter()
    years: list[int] = []
    for p in patents:
        fs = sorted(set(fields_of(p)))
        sub.update(fs)
        groups.update(fields_of(p, "main_group"))
        sections.update(f[:1] for f in fs)
        pairs.update(itertools.combinations(fs, 2))
        inventors.update({i.strip() for i in p.inventors if i.strip()})
        if p.year is not None:
            years.append(p.year)
    total = sum(sub.values())
    hhi = sum((c / total) ** 2 for c in sub.values()) if total else 0.0
    classified = sum(1 for p in patents if fields_of(p))
    top_share = (sub.most_common(1)[0][1] / classified) if classified else 0.0
    ranked = sorted(sub.items(), key=lambda kv: (-kv[1], kv[0]))
    positions = []
    for f, _ in ranked[:top_fields]:
        rank, mine, n_applicants = stats.applicant_rank(f, company)
        positions.append(
            FieldPosition(
                f, namer(f), mine, rank, n_applicants, stats.field_docs.get(f, 0), stats.top_applicants(f, 10)
            )
        )
    unique = [
        (a, b, c, stats.pair(a, b))
        for (a, b), c in pairs.items()
        if c >= 2 and stats.pair(a, b) and c / stats.pair(a, b) >= 0.5
    ]
    unique.sort(key=lambda t: (-t[2], t[0], t[1]))
    remaining = [s.remaining_years for s in statuses if s.remaining_years is not None]
    # Recent activity is measured up to the last year of data in the company's own main fields, so
    # a corpus whose sets end in different years does not make a company look inactive.
    field_years = [max(stats.field_years[f]) for f, _ in ranked[:top_fields] if stats.field_years.get(f)]
    ref = max(field_years) if field_years else stats.last_year()
    recent = sum(1 for y in years if ref is not None and ref - 5 < y <= ref)
    before = sum(1 for y in years if ref is not None and ref - 10 < y <= ref - 5)
    return PortfolioFacts(
        documents=len(patents),
        families=len({family_key(p) for p in patents}),
        subclasses=ranked,
        main_groups=len(groups),
        sections=len(sections),
        hhi=round(hhi, 4),
        top_share=round(top_share, 4),
        positions=positions,
        unique_pairs=unique[:8],
        with_expiry=len(remaining),
        in_term=sum(1 for r in remaining if r > 0),
        median_remaining=round(statistics.median(remaining), 1) if remaining else None,
        recent=recent,
        before=before,
        reference_year=ref,
        inventors=sorted(inventors.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        first_year=min(years) if years else None,
        last_year=max(years) if years else None,
    )
