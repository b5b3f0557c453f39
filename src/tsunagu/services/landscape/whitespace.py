"""White space: fields adjacent to a company's portfolio in which it has nothing yet.

Adjacency comes from the corpus's own co-classification: a field ``f`` is adjacent to the
company's field ``h`` when records carry both. The score of ``f`` sums, over the company's fields,
the company's share of its records in ``h`` times the Ochiai association of ``h`` and ``f``
(``n(h,f) / √(n(h)·n(f))``). Each white-space field lists the company fields that link to it with
the record counts behind the link, its size, recent growth and the applicants active in it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from tsunagu.domain.patent import Patent
from tsunagu.services.landscape.corpus import FieldStatistics
from tsunagu.services.landscape.fields import FieldNamer, field_of_code, ipc_codes_of, no_names

__all__ = ["WhiteSpace", "white_space"]


@dataclass(frozen=True)
class WhiteSpace:
    """A field next to the portfolio where the company has no record.

    Attributes:
        field: the field code (IPC subclass by default).
        name: its plain-language name, when known.
        score: adjacency score (see the module docstring).
        links: ``(company field, records carrying both)`` pairs, strongest first.
        documents: corpus records in the field.
        recent: records in the five years up to the corpus's last year of data (``recent_years``).
        before: records in the five years before those.
        recent_years: the years ``recent`` counts, as text (``"2018–2022"``).
        top_applicants: the most active applicants in the field (name, records).
    """

    field: str
    name: str
    score: float
    links: list[tuple[str, int]]
    documents: int
    recent: int
    before: int
    top_applicants: list[tuple[str, int]]
    recent_years: str = ""


def white_space(
    company_patents: Sequence[Patent],
    stats: FieldStatistics,
    *,
    top: int = 10,
    min_link: int = 2,
    namer: FieldNamer = no_names,
) -> list[WhiteSpace]:
    """Fields adjacent to the company's fields in which it has no record, best first.

    Args:
        company_patents: the company's records.
        stats: corpus statistics at the level to report.
        top: fields returned.
        min_link: a link needs at least this many co-classified records.
        namer: field names.
    """
    own: Counter[str] = Counter()
    for p in company_patents:
        own.update({field_of_code(c, stats.level) for c in ipc_codes_of(p)})
    if not own:
        return []
    total = sum(own.values())
    adjacency: dict[str, dict[str, int]] = defaultdict(dict)
    for (a, b), c in stats.pair_docs.items():
        if c < min_link:
            continue
        if a in own and b not in own:
            adjacency[b][a] = c
        elif b in own and a not in own:
            adjacency[a][b] = c
    last = stats.last_year()
    out: list[WhiteSpace] = []
    for f, links in adjacency.items():
        nf = stats.field_docs.get(f, 0)
        if not nf:
            continue
        score = sum(
            (own[h] / total) * c / math.sqrt(max(stats.field_docs.get(h, 1), 1) * nf)
            for h, c in links.items()
        )
        recent, before = stats.growth(f, last) if last is not None else (0, 0)
        out.append(
            WhiteSpace(
                field=f,
                name=namer(f),
                score=round(score, 5),
                links=sorted(links.items(), key=lambda kv: (-kv[1], kv[0])),
                documents=nf,
                recent=recent,
                before=before,
                top_applicants=stats.top_applicants(f, 3),
                recent_years=f"{last - 4}–{last}" if last is not None else "",
            )
        )
    out.sort(key=lambda w: (-w.score, w.field))
    return out[:top]
