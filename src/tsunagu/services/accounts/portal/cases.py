"""ハンズオン支援 cases for the web and the API: list, open, read, notes and follow-ups.

A case is visible to its programme's coordinators and specialists (through the case's company), to
its own specialist and to administrators (`AccessRules.sees_case`); a case one may not see answers
"not found", like a case that does not exist.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from typing import Any

from tsunagu.domain.handson import (
    ACTION_LABELS,
    ALLOWED_TRANSITIONS,
    CLOSE_REASON_LABELS,
    ISSUE_CATEGORY_LABELS,
    PROPOSAL_RESPONSE_LABELS,
    PROPOSAL_TYPE_LABELS,
    REFERRAL_OUTCOME_LABELS,
    REFERRAL_TARGET_LABELS,
    RIGHT_TYPE_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    CaseFile,
    CaseStatus,
    label,
)
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.base import PortalBase, page_of

__all__ = ["NOT_FOUND", "CasePortal", "day_of", "plain", "vocabulary"]

NOT_FOUND = "案件が見つかりません / no such case"


def plain(value: Any) -> Any:
    """Dataclasses, enums and dates as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def day_of(value: str, name: str) -> date | None:
    """A ``YYYY-MM-DD`` field (empty: None)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{name}: 日付は YYYY-MM-DD で入力してください / use YYYY-MM-DD") from exc


def _choices(table: dict[str, str]) -> list[dict[str, str]]:
    return [{"code": str(code), "label": text} for code, text in table.items()]


def vocabulary() -> dict[str, Any]:
    """The codes a case form offers, each with its Japanese label (codes are the English names)."""
    return {
        "statuses": _choices(STATUS_LABELS),
        "close_reasons": _choices(CLOSE_REASON_LABELS),
        "issue_categories": _choices(ISSUE_CATEGORY_LABELS),
        "scopes": _choices(SCOPE_LABELS),
        "proposal_types": _choices(PROPOSAL_TYPE_LABELS),
        "proposal_responses": _choices(PROPOSAL_RESPONSE_LABELS),
        "referral_targets": _choices(REFERRAL_TARGET_LABELS),
        "referral_outcomes": _choices(REFERRAL_OUTCOME_LABELS),
        "rights": _choices(RIGHT_TYPE_LABELS),
        "actions": _choices(ACTION_LABELS),
    }


def next_statuses(status: CaseStatus) -> list[dict[str, Any]]:
    """The moves the status rules allow from ``status`` (with what each one needs)."""
    finished = status in (CaseStatus.SOLVED, CaseStatus.CLOSED)
    order = list(CaseStatus)
    return [
        {
            "code": s.value,
            "label": STATUS_LABELS[s],
            "needs_reason": s is CaseStatus.CLOSED,
            "needs_note": finished,
            "reopen": finished,
        }
        for s in sorted(ALLOWED_TRANSITIONS[status], key=order.index)
    ]


class CasePortal(PortalBase):
    """Hands-on cases behind the access rules (capability ``cases``)."""

    def _case_file(self, p: Principal, case_id: int) -> CaseFile:
        """The case file, or `NotFoundError` when it does not exist or is not the person's to see."""
        self.require(p, "cases")
        service = self.service("handson")
        try:
            file: CaseFile = service.get(case_id)
        except NotFoundError:
            raise NotFoundError(NOT_FOUND) from None
        if not self.rules.sees_case(p, file.case):
            raise NotFoundError(NOT_FOUND)
        return file

    def cases(self, p: Principal, *, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        self.require(p, "cases")
        service = self.service("handson")
        items = [c for c in service.list_cases() if self.rules.sees_case(p, c)]
        items.sort(key=lambda c: c.id or 0, reverse=True)
        paged = page_of(items, page, per_page)
        paged["items"] = [plain(c) | {"status_label": label(c.status.value)} for c in paged["items"]]
        return paged

    def case(self, p: Principal, case_id: int) -> dict[str, Any]:
        """Everything recorded on a case, with the status moves allowed now (``next_statuses``)."""
        file = self._case_file(p, case_id)
        data: dict[str, Any] = plain(file)
        data["case"]["status_label"] = label(file.case.status.value)
        data["next_statuses"] = next_statuses(file.case.status)
        return data

    def create_case(
        self, p: Principal, *, company: str, title: str = "", region: str = "", ip: str = ""
    ) -> dict[str, Any]:
        """Open a case; the opener is its specialist (so they see it at once)."""
        self.require(p, "cases")
        service = self.service("handson")
        if not company.strip() or len(company) > 300 or len(title) > 500 or len(region) > 100:
            raise ValidationError("company: 企業名を入力してください (300 文字以内) / give a company name")
        case, warnings = service.create(
            company, title=title, region=region or None, specialist=p.username, actor=p.username
        )
        self.audit(p, "case.create", "case", case.id, {"company": case.company_name}, ip)
        return {"case": plain(case), "warnings": list(warnings)}

    def note_case(
        self, p: Principal, case_id: int, summary: str, *, visited_on: str = "", ip: str = ""
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        if len(summary) > 20_000:
            raise ValidationError("summary: 20000 文字以内 / at most 20000 characters")
        visit, suggestions = self.service("handson").note(
            case_id, summary, visited_on=day_of(visited_on, "date"), actor=p.username
        )
        self.audit(p, "case.note", "case", case_id, {}, ip)
        return {"visit": plain(visit), "suggestions": plain(suggestions)}

    def follow_up_case(
        self, p: Principal, case_id: int, action: str, due_on: str, *, ip: str = ""
    ) -> dict[str, Any]:
        self._case_file(p, case_id)
        due = day_of(due_on, "due_on")
        if due is None:
            raise ValidationError("due_on: 期限を入力してください / give a due date")
        item = self.service("handson").follow_up(case_id, action, due, actor=p.username)
        self.audit(p, "case.follow_up", "case", case_id, {"due_on": due.isoformat()}, ip)
        return dict(plain(item))
