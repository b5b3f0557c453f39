"""Deals: a match carried by a coordinator from 候補提示 to フォローアップ (or 見送り), with its history.

Every change is an event with who and when. Moves follow `tsunagu.domain.matching.check_transition`;
an illegal move is refused with the allowed ones. Nothing is deleted: a deal is closed as
``closed_lost`` with a reason. A deal has a next action and its date; `DealService.due` lists deals
whose date has come. Each side's agreement to reveal its identity is recorded (names are shown to the
other side only when both agreed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from tsunagu.domain.matching import (
    CLOSED_LOST,
    TERMINAL_STAGES,
    Company,
    Deal,
    DealEvent,
    Licensor,
    Need,
    Offer,
    Programme,
    allowed_transitions,
    check_transition,
    label,
    parse_code,
)
from tsunagu.errors import ValidationError
from tsunagu.services.companies import Clock, CompanyService, iso_now
from tsunagu.services.matching.programmes import ProgrammeService
from tsunagu.sources.csvutil import parse_date
from tsunagu.storage.registry import SqlRegistryStore

__all__ = ["DealService", "DealView", "MatchExplainer", "deal_to_dict", "event_to_dict"]


class MatchExplainer(Protocol):
    """What deals need of the matcher: the explained match of a company with an offer (a snapshot)."""

    def explain(self, company: str | int, offer_id: int) -> Any: ...


@dataclass(frozen=True)
class DealView:
    """A deal with everything shown about it."""

    deal: Deal
    programme: Programme
    offer: Offer
    licensor: Licensor
    company: Company
    events: tuple[DealEvent, ...]
    match: dict[str, Any]
    needs: tuple[Need, ...] = ()

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        d = self.deal
        return {
            **deal_to_dict(d, lang),
            "programme": {"id": self.programme.id, "code": self.programme.code, "name": self.programme.name},
            "offer": {
                "id": self.offer.id,
                "title": self.offer.title,
                "patent_numbers": list(self.offer.patent_numbers),
            },
            "licensor": {"id": self.licensor.id, "name": self.licensor.name},
            "company": {"id": self.company.id, "name": self.company.name},
            "events": [event_to_dict(e, lang) for e in self.events],
            "match": self.match,
        }


def deal_to_dict(d: Deal, lang: str = "ja") -> dict[str, Any]:
    """A deal, JSON-ready, with its stage label and what it may move to."""
    return {
        "id": d.id,
        "programme_id": d.programme_id,
        "offer_id": d.offer_id,
        "company_id": d.company_id,
        "stage": d.stage,
        "stage_label": label("stage", d.stage, lang),
        "lost_reason": d.lost_reason,
        "lost_reason_label": label("reason", d.lost_reason, lang),
        "allowed_next": list(allowed_transitions(d.stage)),
        "coordinator": d.coordinator,
        "next_action": d.next_action,
        "next_action_date": d.next_action_date,
        "company_reveal": d.company_reveal,
        "licensor_reveal": d.licensor_reveal,
        "identities_revealed": d.identities_revealed,
        "score": d.score,
        "created_by": d.created_by,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
    }


def event_to_dict(e: DealEvent, lang: str = "ja") -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": e.actor,
        "kind": e.kind,
        "from_stage": e.from_stage,
        "to_stage": e.to_stage,
        "to_stage_label": label("stage", e.to_stage, lang),
        "reason": e.reason,
        "reason_label": label("reason", e.reason, lang),
        "text": e.text,
    }


def _iso_date(value: str, field_name: str = "next_action_date") -> str:
    text = (value or "").strip()
    if not text:
        return ""
    iso = parse_date(text, day_first=False)
    if not iso:
        raise ValidationError(f"{field_name}: 日付ではありません / not a date: {value!r} (YYYY-MM-DD)")
    return iso


class DealService:
    """Create deals, move them through the stages, note, schedule, reveal, list and find due ones.

    Args:
        registry: the register store.
        companies: the company service (deals are between registered companies and offers).
        programmes: the programme service.
        matcher: snapshots the explained match when a deal is created (None: no snapshot).
        clock: current time.
    """

    def __init__(
        self,
        registry: SqlRegistryStore,
        companies: CompanyService,
        programmes: ProgrammeService,
        *,
        matcher: MatchExplainer | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.registry = registry
        self.companies = companies
        self.programmes = programmes
        self.matcher = matcher
        self.clock = clock

    def _now(self) -> str:
        return iso_now(self.clock)

    def today(self) -> str:
        """Today's date (ISO), by the service clock."""
        return (self.clock or (lambda: datetime.now(UTC)))().date().isoformat()

    def _actor(self, actor: str) -> str:
        if not actor.strip():
            raise ValidationError("actor: 操作者名が必要です / who did it (--by NAME or $USER)")
        return actor.strip()

    # -- create ----------------------------------------------------------------------------------

    def create(
        self,
        offer_id: int,
        company: str | int,
        *,
        actor: str,
        programme: str | int | None = None,
        coordinator: str = "",
        next_action: str = "",
        next_action_date: str = "",
        note: str = "",
    ) -> Deal:
        """Open a deal at ``proposed`` (候補提示) for a registered company and an open offer.

        Raises:
            ValidationError: the offer is closed, the company is not registered, or an open deal for the
                same pair exists in the programme (its id is named).
        """
        who = self._actor(actor)
        prog = self.programmes.default(programme)
        offer = self.registry.get_offer(offer_id)
        if offer.status != "open":
            raise ValidationError(f"オファー {offer.id} は公開終了です / offer {offer.id} is closed")
        owner = self.companies.resolve(str(company))
        if owner.company is None:
            raise ValidationError(
                f"{owner.name} は登録企業ではありません。先に `tsunagu companies add` で登録してください"
                " / is not a registered company: register it first"
            )
        for d in self.registry.list_deals(
            programme_ids=[prog.id], offer_id=offer.id, company_id=owner.company.id
        ):
            if d.stage not in TERMINAL_STAGES:
                raise ValidationError(
                    f"同じ組み合わせの進行中の案件があります / an open deal exists: #{d.id} ({d.stage})"
                )
        detail: dict[str, Any] = {}
        score: float | None = None
        if self.matcher is not None:
            try:
                match = self.matcher.explain(owner.company.id, offer.id)
                detail = match.to_dict()
                score = float(match.score)
            except Exception as exc:  # a deal can be opened even when the match cannot be explained
                detail = {"note": f"照合の説明を記録できませんでした / no match snapshot: {exc}"}
        now = self._now()
        deal = Deal(
            0,
            prog.id,
            offer.id,
            owner.company.id,
            coordinator=coordinator.strip() or who,
            next_action=next_action.strip(),
            next_action_date=_iso_date(next_action_date),
            score=score,
            created_by=who,
            created_at=now,
            updated_at=now,
        )
        event = DealEvent(0, 0, now, who, "created", to_stage="proposed", text=note.strip())
        return self.registry.add_deal(deal, event, detail)

    # -- change ----------------------------------------------------------------------------------

    def advance(
        self,
        deal_id: int,
        stage: str,
        *,
        actor: str,
        reason: str = "",
        note: str = "",
        next_action: str | None = None,
        next_action_date: str | None = None,
    ) -> Deal:
        """Move a deal to ``stage`` (code or label); ``closed_lost`` needs a reason code.

        Raises:
            StageTransitionError: the move is not allowed (the message lists the allowed ones).
        """
        who = self._actor(actor)
        deal = self.registry.get_deal(deal_id)
        target = parse_code("stage", stage, field_name="stage", allow_empty=False)
        code = parse_code("reason", reason, field_name="reason") if reason else ""
        check_transition(deal.stage, target, code)
        changes: dict[str, Any] = {"stage": target, "lost_reason": code, "updated_at": self._now()}
        if next_action is not None:
            changes["next_action"] = next_action.strip()
        if next_action_date is not None:
            changes["next_action_date"] = _iso_date(next_action_date)
        if target in TERMINAL_STAGES and next_action_date is None:
            changes["next_action_date"] = ""  # a closed deal has nothing due
        moved = dataclasses.replace(deal, **changes)
        event = DealEvent(
            0, deal.id, changes["updated_at"], who, "stage", deal.stage, target, code, note.strip()
        )
        return self.registry.update_deal(moved, event, expected_stage=deal.stage)

    def close(self, deal_id: int, reason: str, *, actor: str, note: str = "") -> Deal:
        """Close a deal as lost (見送り) with a reason code."""
        return self.advance(deal_id, CLOSED_LOST, actor=actor, reason=reason or "", note=note)

    def note(self, deal_id: int, text: str, *, actor: str) -> DealEvent:
        """Add a note to a deal's history."""
        who = self._actor(actor)
        if not text.strip():
            raise ValidationError("note: メモが空です / the note is empty")
        deal = self.registry.get_deal(deal_id)
        now = self._now()
        event = DealEvent(0, deal.id, now, who, "note", text=text.strip())
        self.registry.update_deal(dataclasses.replace(deal, updated_at=now), event, expected_stage=deal.stage)
        return event

    def schedule(self, deal_id: int, action: str, when: str, *, actor: str) -> Deal:
        """Set the next action and its date."""
        who = self._actor(actor)
        deal = self.registry.get_deal(deal_id)
        if deal.stage in TERMINAL_STAGES:
            raise ValidationError(
                f"案件 {deal.id} は終了しています / deal {deal.id} is closed ({deal.stage})"
            )
        day = _iso_date(when)
        now = self._now()
        updated = dataclasses.replace(deal, next_action=action.strip(), next_action_date=day, updated_at=now)
        event = DealEvent(0, deal.id, now, who, "next_action", text=f"{day} {action.strip()}".strip())
        return self.registry.update_deal(updated, event, expected_stage=deal.stage)

    def consent(self, deal_id: int, side: str, *, actor: str) -> Deal:
        """Record one side's agreement (``company`` or ``licensor``) to reveal its identity to the other."""
        who = self._actor(actor)
        if side not in ("company", "licensor"):
            raise ValidationError("side: company または licensor / must be company or licensor")
        deal = self.registry.get_deal(deal_id)
        now = self._now()
        if side == "company":
            updated = dataclasses.replace(deal, updated_at=now, company_reveal=True)
        else:
            updated = dataclasses.replace(deal, updated_at=now, licensor_reveal=True)
        side_ja = "企業" if side == "company" else "ライセンサー"
        text = f"{side_ja}側が社名の開示に同意 / the {side} agreed to reveal its identity"
        if updated.identities_revealed:
            text += "; both sides agreed: identities revealed / 双方合意により社名を開示"
        event = DealEvent(0, deal.id, now, who, "consent", text=text)
        return self.registry.update_deal(updated, event, expected_stage=deal.stage)

    def record_document(self, deal_id: int, name: str, *, actor: str) -> None:
        """Note in the history that a document was generated."""
        deal = self.registry.get_deal(deal_id)
        now = self._now()
        event = DealEvent(0, deal.id, now, self._actor(actor), "document", text=name)
        self.registry.update_deal(dataclasses.replace(deal, updated_at=now), event, expected_stage=deal.stage)

    # -- read ------------------------------------------------------------------------------------

    def list_deals(
        self,
        *,
        programme: str | int | None = None,
        stages: Sequence[str] = (),
        offer_id: int | None = None,
        company: str | int | None = None,
        open_only: bool = False,
    ) -> list[Deal]:
        """Deals passing every filter (stages as codes or labels)."""
        codes = [parse_code("stage", s, field_name="stage", allow_empty=False) for s in stages]
        programme_ids = None if programme is None else [self.programmes.get(programme).id]
        company_id = None
        if company is not None:
            owner = self.companies.resolve(str(company))
            if owner.company is None:
                return []
            company_id = owner.company.id
        deals = self.registry.list_deals(
            programme_ids=programme_ids, stages=codes, offer_id=offer_id, company_id=company_id
        )
        return [d for d in deals if not open_only or d.stage not in TERMINAL_STAGES]

    def show(self, deal_id: int) -> DealView:
        """A deal with its programme, offer, licensor, company, history, match snapshot and open needs."""
        deal = self.registry.get_deal(deal_id)
        offer = self.registry.get_offer(deal.offer_id)
        return DealView(
            deal,
            self.registry.get_programme(deal.programme_id),
            offer,
            self.registry.get_licensor(offer.licensor_id),
            self.registry.get_company(deal.company_id),
            tuple(self.registry.events(deal.id)),
            self.registry.match_detail(deal.id),
            tuple(self.registry.list_needs(company_id=deal.company_id, status="open")),
        )

    def due(self, *, as_of: str | date | None = None, programme: str | int | None = None) -> list[Deal]:
        """Open deals whose next action date is on or before ``as_of`` (default today), oldest first."""
        day = (
            as_of.isoformat() if isinstance(as_of, date) else _iso_date(as_of or "", "as_of") or self.today()
        )
        programme_ids = None if programme is None else [self.programmes.get(programme).id]
        deals = self.registry.list_deals(programme_ids=programme_ids, due_on_or_before=day)
        return sorted((d for d in deals if d.is_due(day)), key=lambda d: (d.next_action_date, d.id))
