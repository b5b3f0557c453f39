"""Outcome figures of matching programmes: offers, matches proposed, meetings, NDAs, contracts, products.

Each figure counts events dated in the period: offers registered, deals created (matches proposed), and
deals that reached a stage (面談, 秘密保持契約, ライセンス契約, 事業化) or were closed (見送り). Rows are per
programme, per licensor or per year; cumulative figures up to the end of the period are given beside
them (the Kawasaki model reports cumulative contracts and products launched).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tsunagu.domain.matching import Deal, DealEvent, Offer
from tsunagu.errors import ValidationError
from tsunagu.storage.registry import SqlRegistryStore

__all__ = ["FIGURES", "KpiReport", "KpiService", "Period", "parse_period"]

#: Figures, in display order: code → (Japanese, English).
FIGURES: dict[str, tuple[str, str]] = {
    "offers": ("オファー登録", "offers registered"),
    "matches_proposed": ("マッチング提案", "matches proposed"),
    "meetings": ("面談", "meetings"),
    "ndas": ("秘密保持契約", "NDAs"),
    "evaluations": ("評価・試作", "evaluations"),
    "contracts": ("ライセンス契約", "licence contracts"),
    "products": ("事業化（製品化）", "products launched"),
    "closed_lost": ("見送り", "closed (not pursued)"),
}
_STAGE_FIGURE = {
    "meeting": "meetings",
    "nda": "ndas",
    "evaluation": "evaluations",
    "licensed": "contracts",
    "commercialised": "products",
    "closed_lost": "closed_lost",
}
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\S+?)(?:\.\.|/|~|〜)(\S+)$")


@dataclass(frozen=True)
class Period:
    """A half-open date interval ``[start, end)`` of ISO dates (empty bounds = unbounded)."""

    label: str
    start: str = ""
    end: str = ""

    def contains(self, at: str) -> bool:
        day = at[:10]
        return bool(day) and (not self.start or day >= self.start) and (not self.end or day < self.end)

    def before_end(self, at: str) -> bool:
        day = at[:10]
        return bool(day) and (not self.end or day < self.end)


def _single(text: str) -> Period:
    if m := _YEAR.match(text):
        y = int(m.group(1))
        return Period(text, f"{y:04d}-01-01", f"{y + 1:04d}-01-01")
    if m := _QUARTER.match(text):
        y, q = int(m.group(1)), int(m.group(2))
        start = f"{y:04d}-{3 * q - 2:02d}-01"
        end = f"{y + 1:04d}-01-01" if q == 4 else f"{y:04d}-{3 * q + 1:02d}-01"
        return Period(f"{y}-Q{q}", start, end)
    if m := _MONTH.match(text):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValidationError(f"period: 月が不正です / bad month in {text!r}")
        end = f"{y + 1:04d}-01-01" if mo == 12 else f"{y:04d}-{mo + 1:02d}-01"
        return Period(text, f"{y:04d}-{mo:02d}-01", end)
    raise ValidationError(
        f"period: {text!r} は使えません / not a period; 例 / e.g. 2025, 2025-Q1, 2025-03, 2024..2025, all"
    )


def parse_period(text: str | None) -> Period:
    """``2025``, ``2025-Q1``, ``2025-03``, a range ``2024..2025`` (inclusive), or ``all`` / empty."""
    value = (text or "").strip()
    if value.lower() in ("", "all", "全期間"):
        return Period("all")
    if m := _RANGE.match(value):
        first, last = _single(m.group(1)), _single(m.group(2))
        if first.start >= last.end:
            raise ValidationError(f"period: 開始が終了より後です / the range {value!r} is empty")
        return Period(f"{first.label}..{last.label}", first.start, last.end)
    return _single(value)


@dataclass
class KpiReport:
    """Figures per row (programme, licensor or year) in the period, with cumulative totals."""

    period: Period
    by: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, int] = field(default_factory=dict)
    cumulative: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": {"label": self.period.label, "start": self.period.start, "end": self.period.end},
            "by": self.by,
            "figures": {k: {"ja": ja, "en": en} for k, (ja, en) in FIGURES.items()},
            "rows": self.rows,
            "total": self.total,
            "cumulative": self.cumulative,
        }


class KpiService:
    """Computes programme outcome figures from offers, deals and deal events.

    Args:
        registry: the register store.
    """

    def __init__(self, registry: SqlRegistryStore) -> None:
        self.registry = registry

    def report(
        self, period: str | Period | None = None, *, by: str = "programme", programme_id: int | None = None
    ) -> KpiReport:
        """Figures for ``period`` grouped ``by`` ``programme``, ``licensor`` or ``year``.

        Raises:
            ValidationError: an unknown grouping or period.
        """
        if by not in ("programme", "licensor", "year"):
            raise ValidationError(
                "by: programme, licensor, year のいずれか / must be programme, licensor or year"
            )
        p = period if isinstance(period, Period) else parse_period(period)
        offers = self.registry.list_offers()
        deals = self.registry.list_deals(programme_ids=None if programme_id is None else [programme_id])
        if programme_id is not None:
            offers = [o for o in offers if o.programme_id == programme_id]
        events = [e for e in self.registry.events(kinds=("stage",)) if e.deal_id in {d.id for d in deals}]
        names = self._names(by)
        deal_by_id = {d.id: d for d in deals}
        offer_by_id = {o.id: o for o in self.registry.list_offers()}

        def key_of_offer(o: Offer, at: str) -> str:
            if by == "programme":
                return names.get(o.programme_id or 0, "（プログラムなし / none）")
            if by == "licensor":
                return names.get(o.licensor_id, str(o.licensor_id))
            return at[:4]

        def key_of_deal(d: Deal, at: str) -> str:
            if by == "programme":
                return names.get(d.programme_id, str(d.programme_id))
            if by == "licensor":
                offer = offer_by_id.get(d.offer_id)
                return names.get(offer.licensor_id, "") if offer else ""
            return at[:4]

        in_period: dict[str, Counter[str]] = {}
        cumulative: Counter[str] = Counter()

        def count(key: str, figure: str, at: str) -> None:
            if p.contains(at):
                in_period.setdefault(key, Counter())[figure] += 1
            if p.before_end(at):
                cumulative[figure] += 1

        for o in offers:
            count(key_of_offer(o, o.created_at), "offers", o.created_at)
        for d in deals:
            count(key_of_deal(d, d.created_at), "matches_proposed", d.created_at)
        for e in _stage_events(events):
            figure = _STAGE_FIGURE.get(e.to_stage)
            deal = deal_by_id.get(e.deal_id)
            if figure and deal is not None:
                count(key_of_deal(deal, e.at), figure, e.at)
        rows = [{by: key, **{f: c.get(f, 0) for f in FIGURES}} for key, c in sorted(in_period.items())]
        total = {f: sum(c.get(f, 0) for c in in_period.values()) for f in FIGURES}
        return KpiReport(p, by, rows, total, {f: cumulative.get(f, 0) for f in FIGURES})

    def _names(self, by: str) -> dict[int, str]:
        if by == "programme":
            return {p.id: f"{p.code} {p.name}" for p in self.registry.list_programmes()}
        if by == "licensor":
            return {lic.id: lic.name for lic in self.registry.list_licensors()}
        return {}


def _stage_events(events: Iterable[DealEvent]) -> list[DealEvent]:
    """Stage events, counting a deal's arrival at each stage once (its first arrival)."""
    seen: set[tuple[int, str]] = set()
    out = []
    for e in events:
        if (e.deal_id, e.to_stage) in seen:
            continue
        seen.add((e.deal_id, e.to_stage))
        out.append(e)
    return out
