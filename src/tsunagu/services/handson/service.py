"""`HandsOnService`: the use cases of hands-on support cases (ハンズオン支援).

Rules beyond the status transitions of `tsunagu.domain.handson`:

- Recording a proposal or a referral on an ``open`` case starts it (``in_progress``), logged as a
  status event with ``auto: true``. Proposals and referrals on a solved or closed case are refused
  (reopen it first); notes and follow-ups are always allowed (following up after a solution is part
  of the work).
- After each note, suggestions are refreshed (`tsunagu.services.handson.suggest`); accepting an
  issue-tag suggestion records the tag with origin ``suggestion``.
- Every change writes a `CaseEvent` in the same transaction; nothing is deleted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from tsunagu.domain.handson import (
    BusinessScope,
    Case,
    CaseEvent,
    CaseFile,
    CaseStatus,
    CloseReason,
    FollowUp,
    FollowUpState,
    IssueCategory,
    IssueTag,
    Proposal,
    ProposalResponse,
    ProposalType,
    Referral,
    ReferralOutcome,
    ReferralTarget,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    Visit,
    VisitKind,
    check_transition,
)
from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.handson.report import CaseReport, build_report
from tsunagu.services.handson.suggest import PatentFacts, suggest
from tsunagu.storage.handson import SqlCaseStore

__all__ = ["Clock", "CompanyDirectory", "DueItem", "HandsOnService", "offers_in_subclasses"]

Clock = Callable[[], datetime]
OfferCounter = Callable[[Sequence[str]], int]

_FINISHED = (CaseStatus.SOLVED, CaseStatus.CLOSED)


class _Resolved(Protocol):
    kind: str
    name: str

    @property
    def id(self) -> int | None: ...


class _RegisteredCompany(Protocol):
    region: str


class CompanyDirectory(Protocol):
    """What cases need of the company register (`tsunagu.services.companies.CompanyService`)."""

    def resolve(self, query: str) -> Any: ...

    def patents_of(self, resolved: Any) -> list[Patent]: ...

    def near_matches(self, text: str, n: int = 5) -> list[str]: ...


def offers_in_subclasses(registry: Any) -> OfferCounter:
    """A counter of the register's open offers that share an IPC subclass with the given ones.

    Args:
        registry: the register store (`tsunagu.storage.registry.SqlRegistryStore`).
    """

    def count(subclasses: Sequence[str]) -> int:
        wanted = {s[:4] for s in subclasses}
        return sum(
            1 for o in registry.list_offers(status="open") if any(c[:4] in wanted for c in o.ipc_codes)
        )

    return count


@dataclasses.dataclass(frozen=True)
class DueItem:
    """A follow-up that is due, with its case and its state on the day asked."""

    case: Case
    follow_up: FollowUp
    state: FollowUpState
    days_overdue: int


def _local_now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


class HandsOnService:
    """Create and work hands-on support cases; suggestions; due follow-ups; reports.

    Args:
        store: the case store.
        companies: the company register (optional: without it, cases name companies as typed and
            suggestions use the notes only).
        offers_in_fields: counts licensable offers in IPC subclasses (optional).
        clock: current time (tests pass a fixed one).
    """

    def __init__(
        self,
        store: SqlCaseStore,
        *,
        companies: CompanyDirectory | None = None,
        offers_in_fields: OfferCounter | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.companies = companies
        self.offers_in_fields = offers_in_fields
        self.clock = clock or _local_now

    # -- helpers -----------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock()

    def _today(self) -> date:
        return self._now().date()

    def _event(
        self, case_id: int, kind: str, actor: str, day: date | None = None, **detail: Any
    ) -> CaseEvent:
        """An event stamped with the day it happened (now, or noon of a past day given by the user).

        A back-dated event also records when it was entered (``detail["recorded_at"]``).
        """
        now = self._now()
        if day is None or day == now.date():
            return CaseEvent(None, case_id, now, kind, actor, detail)
        at = datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo).replace(hour=12)
        return CaseEvent(None, case_id, at, kind, actor, {**detail, "recorded_at": now.isoformat()})

    def _check_day(self, case: Case, day: date) -> None:
        """Refuse a status change dated before the case opened or before its last status change."""
        if day < case.opened_on:
            raise ValidationError(
                f"日付が案件の開始日 {case.opened_on} より前です / date before the case opened"
            )
        assert case.id is not None
        last = [e.at.date() for e in self.store.entries(CaseEvent, [case.id]) if e.kind == "status"]
        if last and day < max(last):
            raise ValidationError(
                f"日付が直前の状況変更 ({max(last)}) より前です / date before the last status change"
            )

    def _active_case(self, case_id: int, what: str) -> Case:
        case = self.store.get_case(case_id)
        if case.status in _FINISHED:
            raise ValidationError(
                f"案件 {case_id} は{'解決' if case.status is CaseStatus.SOLVED else '終了'}済みです。"
                f"{what}には先に再開してください / case {case_id} is {case.status.value}: "
                f"reopen it (tsunagu cases reopen {case_id} --note ...) before recording a {what}"
            )
        return case

    def _auto_start(self, case: Case, actor: str, why: str, day: date) -> None:
        if case.status is CaseStatus.OPEN:
            assert case.id is not None
            self._check_day(case, day)
            started = dataclasses.replace(case, status=CaseStatus.IN_PROGRESS)
            event = self._event(
                case.id,
                "status",
                actor,
                day,
                to=CaseStatus.IN_PROGRESS.value,
                on=day.isoformat(),
                **{"from": case.status.value, "auto": True, "why": why},
            )
            self.store.update_case(started, event, expected_status=case.status)

    # -- cases -------------------------------------------------------------------------------------

    def create(
        self,
        company: str,
        *,
        title: str = "",
        region: str | None = None,
        specialist: str = "",
        opened_on: date | None = None,
        actor: str = "",
    ) -> tuple[Case, list[str]]:
        """Open a case for a company.

        The company is looked up in the register (id, name, alias, applicant name, then corpus
        applicant); the region defaults to the registered one. An unknown company is accepted (many
        SMEs visited are in no register) and a warning listing near names is returned.

        Returns:
            The stored case and warnings for the user.
        """
        name = company.strip()
        if not name:
            raise ValidationError("company: 企業名が必要です / a company name is required")
        company_id: int | None = None
        warnings: list[str] = []
        known_region = ""
        if self.companies is not None:
            try:
                resolved = self.companies.resolve(name)
                company_id = resolved.id
                name = resolved.name
                if resolved.company is not None:
                    known_region = resolved.company.region
            except NotFoundError:
                near = self.companies.near_matches(name)
                warnings.append(
                    f"{name} は登録企業・出願人にありません。未登録企業として案件を作成しました"
                    + (f" (近い名前: {', '.join(near)})" if near else "")
                    + " / not in the register: case created for an unregistered company"
                )
        case = Case(
            None,
            name,
            opened_on or self._today(),
            company_id=company_id,
            region=(region if region is not None else known_region).strip(),
            title=title.strip(),
            specialist=specialist.strip() or actor,
        )
        event = self._event(0, "created", actor, case.opened_on, company=name, region=case.region)
        stored = self.store.add_case(case, event)
        return stored, warnings

    def get(self, case_id: int) -> CaseFile:
        """The case with everything recorded on it."""
        return self.store.load(case_id)

    def list_cases(
        self, *, regions: Sequence[str] = (), statuses: Sequence[CaseStatus] = (), specialist: str = ""
    ) -> list[Case]:
        return self.store.list_cases(regions=regions, statuses=statuses, specialist=specialist)

    def set_status(
        self,
        case_id: int,
        target: CaseStatus,
        *,
        reason: CloseReason | None = None,
        note: str = "",
        on: date | None = None,
        actor: str = "",
    ) -> Case:
        """Move a case to ``target`` under the rules of `check_transition`.

        ``on`` is the day it happened (default today): solved and closed cases record it as
        ``finished_on``, which the report's time to resolution uses.
        """
        case = self.store.get_case(case_id)
        check_transition(case.status, target, reason=reason, note=note)
        day = on or self._today()
        self._check_day(case, day)
        finished = target in _FINISHED
        updated = dataclasses.replace(
            case,
            status=target,
            finished_on=day if finished else None,
            close_reason=reason if target is CaseStatus.CLOSED else None,
            close_note=note.strip() if finished else "",
        )
        detail: dict[str, Any] = {"from": case.status.value, "to": target.value, "on": day.isoformat()}
        if reason is not None and target is CaseStatus.CLOSED:
            detail["reason"] = reason.value
        if note.strip():
            detail["note"] = note.strip()
        event = self._event(case_id, "status", actor, day, **detail)
        return self.store.update_case(updated, event, expected_status=case.status)

    # -- entries -----------------------------------------------------------------------------------

    def note(
        self,
        case_id: int,
        summary: str,
        *,
        visited_on: date | None = None,
        participants: Sequence[str] = (),
        kind: VisitKind = VisitKind.ONSITE,
        actor: str = "",
        refresh_suggestions: bool = True,
    ) -> tuple[Visit, list[Suggestion]]:
        """Record a visit or dialogue; returns it and the suggestions it gave rise to."""
        if not summary.strip():
            raise ValidationError("note: 記録の内容が必要です / the note is empty")
        visit = Visit(
            None,
            case_id,
            visited_on or self._today(),
            summary.strip(),
            tuple(p.strip() for p in participants if p.strip()),
            kind,
            actor,
        )
        day = visit.visited_on
        event = self._event(case_id, "visit", actor, day, on=day.isoformat(), visit_kind=kind.value)
        stored = self.store.add_entry(visit, event)
        new = self.suggest(case_id, actor=actor) if refresh_suggestions else []
        return stored, new

    def tag(
        self,
        case_id: int,
        category: IssueCategory,
        scope: BusinessScope,
        *,
        note: str = "",
        on: date | None = None,
        actor: str = "",
        origin: str = "specialist",
    ) -> IssueTag:
        """Tag a management issue (JPO action-guide category, existing or new business)."""
        self.store.get_case(case_id)
        tag = IssueTag(None, case_id, category, scope, on or self._today(), note.strip(), origin)
        event = self._event(
            case_id, "tag", actor, tag.tagged_on, category=category.value, scope=scope.value, origin=origin
        )
        return self.store.add_entry(tag, event)

    def propose(
        self,
        case_id: int,
        type: ProposalType,
        summary: str,
        *,
        rights: Sequence[str] = (),
        on: date | None = None,
        actor: str = "",
    ) -> Proposal:
        """Record an IP-based proposal; starts an open case."""
        case = self._active_case(case_id, "提案 / proposal")
        if not summary.strip():
            raise ValidationError("summary: 提案内容が必要です / the proposal needs a summary")
        proposal = Proposal(None, case_id, type, summary.strip(), on or self._today(), tuple(rights))
        self._auto_start(case, actor, "proposal", proposal.proposed_on)
        event = self._event(case_id, "proposal", actor, proposal.proposed_on, type=type.value)
        return self.store.add_entry(proposal, event)

    def respond(
        self,
        case_id: int,
        proposal_id: int,
        response: ProposalResponse,
        *,
        on: date | None = None,
        actor: str = "",
    ) -> Proposal:
        """Record the company's response to a proposal (adopted, declined, implemented)."""
        proposal = self.store.get_entry(Proposal, proposal_id, case_id)
        updated = dataclasses.replace(proposal, response=response, responded_on=on or self._today())
        event = self._event(
            case_id,
            "proposal_response",
            actor,
            updated.responded_on,
            proposal=proposal_id,
            response=response.value,
        )
        return self.store.update_entry(updated, event)

    def refer(
        self,
        case_id: int,
        target: ReferralTarget,
        *,
        organisation: str = "",
        purpose: str = "",
        on: date | None = None,
        actor: str = "",
    ) -> Referral:
        """Refer the company to an expert or support body; starts an open case."""
        case = self._active_case(case_id, "紹介 / referral")
        referral = Referral(None, case_id, target, on or self._today(), organisation.strip(), purpose.strip())
        self._auto_start(case, actor, "referral", referral.referred_on)
        event = self._event(case_id, "referral", actor, referral.referred_on, target=target.value)
        return self.store.add_entry(referral, event)

    def referral_outcome(
        self,
        case_id: int,
        referral_id: int,
        outcome: ReferralOutcome,
        *,
        note: str = "",
        on: date | None = None,
        actor: str = "",
    ) -> Referral:
        """Record what came of a referral."""
        referral = self.store.get_entry(Referral, referral_id, case_id)
        updated = dataclasses.replace(
            referral, outcome=outcome, outcome_on=on or self._today(), outcome_note=note.strip()
        )
        event = self._event(
            case_id,
            "referral_outcome",
            actor,
            updated.outcome_on,
            referral=referral_id,
            outcome=outcome.value,
        )
        return self.store.update_entry(updated, event)

    def follow_up(self, case_id: int, action: str, due_on: date, *, actor: str = "") -> FollowUp:
        """Plan a follow-up with its due date."""
        self.store.get_case(case_id)
        if not action.strip():
            raise ValidationError("action: フォローアップ内容が必要です / the follow-up needs an action")
        today = self._today()
        item = FollowUp(None, case_id, action.strip(), due_on, today)
        return self.store.add_entry(item, self._event(case_id, "follow_up", actor, due_on=due_on.isoformat()))

    def complete_follow_up(
        self, case_id: int, follow_up_id: int, *, on: date | None = None, note: str = "", actor: str = ""
    ) -> FollowUp:
        """Mark a follow-up done."""
        item = self.store.get_entry(FollowUp, follow_up_id, case_id)
        if item.done_on is not None:
            raise ValidationError(
                f"フォローアップ {follow_up_id} は完了済みです / already done on {item.done_on}"
            )
        updated = dataclasses.replace(item, done_on=on or self._today(), note=note.strip())
        event = self._event(case_id, "follow_up_done", actor, updated.done_on, follow_up=follow_up_id)
        return self.store.update_entry(updated, event)

    def due(
        self, *, as_of: date | None = None, within_days: int = 0, regions: Sequence[str] = ()
    ) -> list[DueItem]:
        """Open follow-ups overdue or due within ``within_days`` of ``as_of`` (default today)."""
        day = as_of or self._today()
        horizon = date.fromordinal(day.toordinal() + max(0, within_days))
        items = self.store.open_follow_ups(due_by=horizon)
        cases = {c.id: c for c in self.store.list_cases(regions=regions)}
        out: list[DueItem] = []
        for item in items:
            case = cases.get(item.case_id)
            if case is None:
                continue
            state = item.state(day)
            out.append(DueItem(case, item, state, max(0, (day - item.due_on).days)))
        return out

    # -- suggestions -------------------------------------------------------------------------------

    def _patents(self, case: Case) -> list[Patent]:
        if self.companies is None:
            return []
        query = str(case.company_id) if case.company_id is not None else case.company_name
        try:
            resolved = self.companies.resolve(query)
        except NotFoundError:
            return []
        return list(self.companies.patents_of(resolved))

    def suggest(self, case_id: int, *, actor: str = "") -> list[Suggestion]:
        """Compute and store new suggestions for a case (see `tsunagu.services.handson.suggest`)."""
        file = self.store.load(case_id)
        facts = PatentFacts.of(self._patents(file.case))
        offers = None
        if self.offers_in_fields is not None and facts.subclasses:
            offers = self.offers_in_fields(facts.subclasses)
        new = suggest(file, facts, now=self._now(), offers_in_fields=offers)
        if not new:
            return []
        event = self._event(
            case_id, "suggested", actor or "tsunagu", count=len(new), values=[s.value for s in new]
        )
        return self.store.add_entries(new, event)

    def decide(
        self, case_id: int, suggestion_id: int, accept: bool, *, actor: str = "", note: str = ""
    ) -> tuple[Suggestion, IssueTag | None]:
        """Accept or reject a pending suggestion; an accepted issue tag is recorded as a tag.

        ``note`` (the person's reason) is kept on the decision's event.

        Raises:
            ValidationError: the suggestion was already decided.
        """
        s = self.store.get_entry(Suggestion, suggestion_id, case_id)
        if s.status is not SuggestionStatus.PENDING:
            raise ValidationError(
                f"提案 {suggestion_id} は判断済みです / suggestion already {s.status.value}"
            )
        status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.REJECTED
        decided = dataclasses.replace(s, status=status, decided_at=self._now(), decided_by=actor)
        detail: dict[str, Any] = {"suggestion": suggestion_id, "value": s.value}
        if note.strip():
            detail["note"] = note.strip()
        event = self._event(case_id, "suggestion_" + status.value, actor, **detail)
        stored = self.store.update_entry(decided, event)
        tag = None
        if accept and s.kind is SuggestionKind.ISSUE_TAG:
            tag = self.tag(
                case_id,
                IssueCategory(s.value),
                s.scope or BusinessScope.EXISTING,
                note=note or s.rationale,
                actor=actor,
                origin="suggestion",
            )
        return stored, tag

    # -- reports -----------------------------------------------------------------------------------

    def report(
        self,
        *,
        regions: Sequence[str] = (),
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> CaseReport:
        """Region and period report (see `tsunagu.services.handson.report.build_report`)."""
        today = as_of or self._today()
        files = self.store.load_many(self.store.list_cases(regions=regions))
        return build_report(files, regions=regions, start=start, end=end, as_of=today)
