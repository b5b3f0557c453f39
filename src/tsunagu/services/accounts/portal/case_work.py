"""Working a hands-on case from the web and the API: status, suggestions, follow-ups, tags, proposals
and referrals. Every change is checked against the case's visibility first and written to the audit
log; the rules themselves (allowed status moves, finished cases) are the service's and the domain's,
and a change that lost a race with another person is the store's `ConflictError` (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from tsunagu.domain.handson import (
    BusinessScope,
    CaseStatus,
    CloseReason,
    IssueCategory,
    ProposalResponse,
    ProposalType,
    ReferralOutcome,
    ReferralTarget,
    parse_code,
)
from tsunagu.errors import ValidationError
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.cases import CasePortal, day_of, next_statuses, plain

__all__ = ["CaseWorkPortal"]

T = TypeVar("T")


def _text(value: str, name: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"{name}: 入力してください / required")
    if len(value) > limit:
        raise ValidationError(f"{name}: {limit} 文字以内 / at most {limit} characters")
    return value


class CaseWorkPortal(CasePortal):
    """Changes to a case (capability ``cases``; the case must be one the person sees)."""

    # -- status --------------------------------------------------------------------------------------

    def set_case_status(
        self,
        p: Principal,
        case_id: int,
        status: str,
        *,
        reason: str = "",
        note: str = "",
        on: str = "",
        ip: str = "",
    ) -> dict[str, Any]:
        """Move a case to ``status`` when the rules allow it; the error lists the allowed moves."""
        before = self._case_file(p, case_id).case
        target = parse_code(CaseStatus, status or "", "status")
        why = parse_code(CloseReason, reason, "reason") if (reason or "").strip() else None
        note = _text(note, "note", 5000)
        day = day_of(on, "on")
        case = self.service("handson").set_status(
            case_id, target, reason=why, note=note, on=day, actor=p.username
        )
        detail: dict[str, Any] = {"from": before.status.value, "to": case.status.value}
        if why is not None:
            detail["reason"] = why.value
        self.audit(p, "case.status", "case", case_id, detail, ip)
        return {"case": plain(case), "next_statuses": next_statuses(case.status)}

    # -- suggestions ---------------------------------------------------------------------------------

    def suggest_case(self, p: Principal, case_id: int, *, ip: str = "") -> dict[str, Any]:
        """Compute new suggestions from the case's notes, tags and the company's patents."""
        self._case_file(p, case_id)
        created = self.service("handson").suggest(case_id, actor=p.username)
        self.audit(p, "case.suggest", "case", case_id, {"created": len(created)}, ip)
        everything = self._case_file(p, case_id).suggestions
        return {"created": plain(created), "suggestions": plain(everything)}

    def decide_suggestion(
        self,
        p: Principal,
        case_id: int,
        suggestion_id: int,
        decision: str,
        *,
        comment: str = "",
        ip: str = "",
    ) -> dict[str, Any]:
        """Accept or reject a pending suggestion (an accepted issue tag becomes a tag on the case)."""
        self._case_file(p, case_id)
        choice = (decision or "").strip().lower()
        if choice not in ("accept", "reject", "accepted", "rejected"):
            raise ValidationError(
                "decision: accept (採用) か reject (不採用) を指定してください / use accept or reject"
            )
        accept = choice.startswith("accept")
        comment = _text(comment, "comment", 2000)
        suggestion, tag = self.service("handson").decide(
            case_id, suggestion_id, accept, actor=p.username, note=comment
        )
        detail: dict[str, Any] = {"suggestion": suggestion_id, "decision": suggestion.status.value}
        if comment:
            detail["comment"] = comment
        self.audit(p, "case.suggestion", "case", case_id, detail, ip)
        return {"suggestion": plain(suggestion), "tag": plain(tag)}

    # -- follow-ups ----------------------------------------------------------------------------------

    def complete_case_follow_up(
        self,
        p: Principal,
        case_id: int,
        follow_up_id: int,
        *,
        note: str = "",
        on: str = "",
        ip: str = "",
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        note = _text(note, "note", 2000)
        day = day_of(on, "on")
        item = self.service("handson").complete_follow_up(
            case_id, follow_up_id, on=day, note=note, actor=p.username
        )
        self.audit(p, "case.follow_up_done", "case", case_id, {"follow_up": follow_up_id}, ip)
        return dict(plain(item))

    # -- tags, proposals, referrals ------------------------------------------------------------------

    def tag_case(
        self,
        p: Principal,
        case_id: int,
        category: str,
        scope: str = "existing",
        *,
        note: str = "",
        ip: str = "",
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        cat = parse_code(IssueCategory, category or "", "category")
        where = parse_code(BusinessScope, scope or "existing", "scope")
        note = _text(note, "note", 2000)
        tag = self.service("handson").tag(case_id, cat, where, note=note, actor=p.username)
        self.audit(p, "case.tag", "case", case_id, {"category": cat.value, "scope": where.value}, ip)
        return dict(plain(tag))

    def propose_case(
        self,
        p: Principal,
        case_id: int,
        type: str,
        summary: str,
        *,
        rights: Sequence[str] = (),
        ip: str = "",
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        kind = parse_code(ProposalType, type or "", "type")
        summary = _text(summary, "summary", 5000, required=True)
        proposal = self.service("handson").propose(
            case_id, kind, summary, rights=tuple(r for r in rights if r), actor=p.username
        )
        self.audit(p, "case.proposal", "case", case_id, {"proposal": proposal.id, "type": kind.value}, ip)
        return dict(plain(proposal))

    def respond_proposal(
        self, p: Principal, case_id: int, proposal_id: int, response: str, *, ip: str = ""
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        answer = parse_code(ProposalResponse, response or "", "response")
        proposal = self.service("handson").respond(case_id, proposal_id, answer, actor=p.username)
        self.audit(
            p,
            "case.proposal_response",
            "case",
            case_id,
            {"proposal": proposal_id, "response": answer.value},
            ip,
        )
        return dict(plain(proposal))

    def refer_case(
        self,
        p: Principal,
        case_id: int,
        target: str,
        *,
        organisation: str = "",
        purpose: str = "",
        ip: str = "",
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        to = parse_code(ReferralTarget, target or "", "target")
        organisation = _text(organisation, "organisation", 300)
        purpose = _text(purpose, "purpose", 2000)
        referral = self.service("handson").refer(
            case_id, to, organisation=organisation, purpose=purpose, actor=p.username
        )
        self.audit(p, "case.referral", "case", case_id, {"referral": referral.id, "target": to.value}, ip)
        return dict(plain(referral))

    def case_referral_outcome(
        self, p: Principal, case_id: int, referral_id: int, outcome: str, *, note: str = "", ip: str = ""
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        result = parse_code(ReferralOutcome, outcome or "", "outcome")
        note = _text(note, "note", 2000)
        referral = self.service("handson").referral_outcome(
            case_id, referral_id, result, note=note, actor=p.username
        )
        self.audit(
            p,
            "case.referral_outcome",
            "case",
            case_id,
            {"referral": referral_id, "outcome": result.value},
            ip,
        )
        return dict(plain(referral))
