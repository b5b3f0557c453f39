"""Legal status and theoretical expiry of a right, exactly by the rules of the report issue.

Legal status is shown only when it was imported (a status column of the source export, such as
Lens ``Legal Status`` or J-PlatPat ``ステージ``) or stated by the evaluator. Otherwise the theoretical
expiry is shown, labelled 「状態不明（理論上の満了日）」:

- patents (and patent applications, should they be granted): filing date + 20 years;
- Japanese utility models filed in 2005 or later: filing date + 10 years (earlier utility models:
  filing + 6 years for 1994–2004 filings and at most filing + 15 years before 1994, the terms of the
  laws then in force; all long past);
- US design patents: grant date + 15 years, or + 14 years when filed before 2015-05-13.

No term extension or adjustment is assumed, and nothing says a right was granted or is in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from tsunagu.domain.patent import Patent

__all__ = [
    "STATUS_KEYS",
    "RightStatus",
    "add_years",
    "imported_status",
    "right_kind",
    "right_status",
]

#: Columns of source exports that carry a legal status (``extra[source][column]``).
STATUS_KEYS: tuple[str, ...] = ("Legal Status", "legal_status", "ステージ", "法的状態", "status")

_US_DESIGN_CHANGE = date(2015, 5, 13)

_LABELS = {
    "ja": {
        "unknown": "状態不明（理論上の満了日）",
        "no_date": "状態不明（満了日を算定できません: {missing}なし）",
        "patent": "特許",
        "utility_model": "実用新案",
        "design": "意匠",
        "filing": "出願日",
        "grant": "登録日",
    },
    "en": {
        "unknown": "status unknown (theoretical expiry)",
        "no_date": "status unknown (no expiry: {missing} missing)",
        "patent": "patent",
        "utility_model": "utility model",
        "design": "design patent",
        "filing": "filing date",
        "grant": "grant date",
    },
}


@dataclass(frozen=True)
class RightStatus:
    """What the report says about a right's status.

    Attributes:
        kind: ``"patent"``, ``"utility_model"`` or ``"design"``.
        status: the imported or stated status, or the 「状態不明…」 label.
        status_source: ``"imported:<source>"``, ``"person"`` or ``"rule"``.
        expiry: theoretical expiry (ISO date), ``""`` when it cannot be computed or a status is known.
        rule: the rule applied, in words (``"出願日 + 20年"``).
        remaining_years: years from the report date to ``expiry`` (negative when past), or None.
    """

    kind: str
    status: str
    status_source: str
    expiry: str = ""
    rule: str = ""
    remaining_years: float | None = None

    @property
    def in_theoretical_term(self) -> bool:
        """True when a theoretical expiry exists and lies after the report date."""
        return self.remaining_years is not None and self.remaining_years > 0


def add_years(d: date, years: int) -> date:
    """``d`` plus whole years (29 February becomes 28 February in common years)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _parse(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def right_kind(p: Patent) -> str:
    """``"utility_model"`` (Japanese utility models), ``"design"`` (US design patents) or ``"patent"``."""
    kind = p.kind.upper()
    number = p.publication_number.upper()
    if p.country == "JP" and (p.series in ("U", "R", "Y") or kind[:1] in ("U", "Y")):
        return "utility_model"
    if p.country == "US" and (kind.startswith("S") or number.startswith("USD") or p.key.startswith("US-B-D")):
        return "design"
    return "patent"


def imported_status(p: Patent) -> tuple[str, str] | None:
    """``(status, source)`` when a source export supplied a legal status, else None."""
    for source, values in p.extra.items():
        if not isinstance(values, Mapping):
            continue
        for key in STATUS_KEYS:
            value = values.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip(), source
    return None


def right_status(
    p: Patent,
    as_of: date,
    *,
    lang: str = "ja",
    stated: str = "",
) -> RightStatus:
    """The status line of one right on the report date ``as_of``.

    Args:
        p: the record.
        as_of: the report date (remaining years are counted from it).
        lang: ``"ja"`` or ``"en"`` labels.
        stated: a status the evaluator stated for this right (wins over everything).
    """
    lab = _LABELS.get(lang, _LABELS["en"])
    kind = right_kind(p)
    if stated.strip():
        return RightStatus(kind, stated.strip(), "person")
    found = imported_status(p)
    if found is not None:
        return RightStatus(kind, found[0], f"imported:{found[1]}")
    filing = _parse(p.filing_date)
    if kind == "design":
        grant = _parse(p.grant_date)
        if grant is None:
            return RightStatus(kind, lab["no_date"].format(missing=lab["grant"]), "rule")
        years = (
            14
            if (filing is not None and filing < _US_DESIGN_CHANGE)
            or (filing is None and grant < _US_DESIGN_CHANGE)
            else 15
        )
        expiry = add_years(grant, years)
        rule = f"{lab['grant']} + {years}"
        if filing is None and years == 15:
            rule += (
                "年 (出願日不明のため15年と仮定)"
                if lang == "ja"
                else " years (filing date unknown: 15 assumed)"
            )
            remaining = round((expiry - as_of).days / 365.25, 1)
            return RightStatus(kind, lab["unknown"], "rule", expiry.isoformat(), rule, remaining)
    else:
        if filing is None:
            return RightStatus(kind, lab["no_date"].format(missing=lab["filing"]), "rule")
        if kind == "utility_model":
            years = 10 if filing.year >= 2005 else (6 if filing.year >= 1994 else 15)
        else:
            years = 20
        expiry = add_years(filing, years)
        rule = f"{lab['filing']} + {years}"
    rule += "年" if lang == "ja" else " years"
    remaining = round((expiry - as_of).days / 365.25, 1)
    return RightStatus(kind, lab["unknown"], "rule", expiry.isoformat(), rule, remaining)
