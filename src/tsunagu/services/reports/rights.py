"""The full rights list of a report's company as CSV: every record, with its status and expiry.

The evaluation report lists the rights up to its template's row limit; this list has them all, in
the report's order (most recently filed first) and with the report's status rules (`right_status`):
an imported status, one the evaluator stated (``legal_status`` of the input, marked as such), or
「状態不明（理論上の満了日）」 with the theoretical expiry. The web, the API and
``tsunagu report evaluation --rights-csv`` all write it with `write_rights_csv`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError
from tsunagu.services.reports.company import CompanyDirectory
from tsunagu.services.reports.context import PatentSource, records_with_status
from tsunagu.services.reports.expiry import RightStatus
from tsunagu.services.reports.inputs import EvaluatorInput

__all__ = ["RIGHTS_COLUMNS", "RightRow", "company_rights", "rights_csv", "write_rights_csv"]

#: Column headers by language, in order.
RIGHTS_COLUMNS: dict[str, tuple[str, ...]] = {
    "ja": (
        "番号",
        "名称",
        "種別",
        "状態",
        "状態の出所",
        "満了日（推定）",
        "満了日の算定",
        "残存年数",
        "出願日",
        "登録日",
        "IPC",
        "出願人",
        "出典",
    ),
    "en": (
        "number",
        "title",
        "kind",
        "status",
        "status origin",
        "expiry (estimate)",
        "expiry rule",
        "remaining years",
        "filing date",
        "grant date",
        "IPC",
        "applicants",
        "source",
    ),
}

_KINDS = {
    "ja": {"patent": "特許", "utility_model": "実用新案", "design": "意匠"},
    "en": {"patent": "patent", "utility_model": "utility model", "design": "design patent"},
}
_ORIGINS = {
    "ja": {"person": "評価者記入", "rule": "機械推定", "imported": "取込データ"},
    "en": {"person": "stated by evaluator", "rule": "machine inferred", "imported": "imported"},
}


@dataclass(frozen=True)
class RightRow:
    """One right of the list: the record and what the report says of its status."""

    patent: Patent
    status: RightStatus


def company_rights(
    patents: PatentSource,
    directory: CompanyDirectory,
    company: str,
    *,
    inputs: EvaluatorInput | None = None,
    as_of: date | None = None,
    lang: str = "ja",
) -> list[RightRow]:
    """Every record of ``company``, most recently filed first, each with its status on ``as_of``.

    A company known only from the evaluator's input has no records (an empty list).

    Raises:
        NotFoundError: the company is unknown and the input does not describe it.
    """
    as_of = as_of or date.today()
    try:
        profile = directory.resolve(company)
    except NotFoundError:
        if inputs is not None and (inputs.company or inputs.know_how):
            return []
        raise
    records, statuses = records_with_status(patents, profile.patent_keys, inputs, as_of=as_of, lang=lang)
    return [RightRow(p, s) for p, s in zip(records, statuses, strict=True)]


def _text(value: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _origin(status: RightStatus, lang: str) -> str:
    names = _ORIGINS.get(lang, _ORIGINS["en"])
    if status.status_source.startswith("imported:"):
        return f"{names['imported']} ({status.status_source.split(':', 1)[1]})"
    return names.get(status.status_source, status.status_source)


def rights_csv(rows: list[RightRow], lang: str = "ja") -> str:
    """The list as CSV text (header in ``lang``; IPC codes and applicants joined by ``"; "``).

    Text that a spreadsheet would read as a formula gets a leading ``'``.
    """
    lang = lang if lang in RIGHTS_COLUMNS else "en"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(RIGHTS_COLUMNS[lang])
    kinds = _KINDS[lang]
    for row in rows:
        p, st = row.patent, row.status
        writer.writerow(
            [
                _text(p.publication_number or p.key),
                _text(p.title),
                kinds.get(st.kind, st.kind),
                _text(st.status),
                _text(_origin(st, lang)),
                st.expiry,
                st.rule,
                "" if st.remaining_years is None else f"{st.remaining_years:.1f}",
                p.filing_date,
                p.grant_date,
                _text("; ".join(p.ipc_codes)),
                _text("; ".join(p.applicants)),
                _text("; ".join(p.sources)),
            ]
        )
    return buf.getvalue()


def write_rights_csv(
    patents: PatentSource,
    directory: CompanyDirectory,
    company: str,
    out: str | Path,
    *,
    inputs: EvaluatorInput | None = None,
    as_of: date | None = None,
    lang: str = "ja",
) -> int:
    """Write the rights list of ``company`` to ``out`` (UTF-8 with BOM, which Excel reads); the
    number of rights written.

    Raises:
        NotFoundError: the company is unknown and the input does not describe it.
    """
    rows = company_rights(patents, directory, company, inputs=inputs, as_of=as_of, lang=lang)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rights_csv(rows, lang), encoding="utf-8-sig", newline="")
    return len(rows)
