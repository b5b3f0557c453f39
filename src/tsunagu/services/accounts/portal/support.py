"""ハンズオン支援 cases and 中小企業コンソーシアム for the web, behind the access rules."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date
from typing import Any

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.base import PortalBase, page_of

__all__ = ["SupportPortal", "plain"]

_NOT_FOUND = "案件が見つかりません / no such case"


def plain(value: Any) -> Any:
    """Dataclasses, enums and dates as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def _day(value: str, name: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{name}: 日付は YYYY-MM-DD で入力してください / use YYYY-MM-DD") from exc


class SupportPortal(PortalBase):
    """Hands-on cases (visible to their programme's coordinators and specialists) and consortia."""

    # -- cases ---------------------------------------------------------------------------------------

    def cases(self, p: Principal, *, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        self.require(p, "cases")
        service = self.service("handson")
        items = [c for c in service.list_cases() if self.rules.sees_case(p, c)]
        items.sort(key=lambda c: c.id or 0, reverse=True)
        paged = page_of(items, page, per_page)
        paged["items"] = [plain(c) for c in paged["items"]]
        return paged

    def case(self, p: Principal, case_id: int) -> dict[str, Any]:
        self.require(p, "cases")
        service = self.service("handson")
        try:
            file = service.get(case_id)
        except NotFoundError:
            raise NotFoundError(_NOT_FOUND) from None
        if not self.rules.sees_case(p, file.case):
            raise NotFoundError(_NOT_FOUND)
        data: dict[str, Any] = plain(file)
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
        self.case(p, case_id)
        if len(summary) > 20_000:
            raise ValidationError("summary: 20000 文字以内 / at most 20000 characters")
        visit, suggestions = self.service("handson").note(
            case_id, summary, visited_on=_day(visited_on, "date"), actor=p.username
        )
        self.audit(p, "case.note", "case", case_id, {}, ip)
        return {"visit": plain(visit), "suggestions": plain(suggestions)}

    def follow_up_case(
        self, p: Principal, case_id: int, action: str, due_on: str, *, ip: str = ""
    ) -> dict[str, Any]:
        self.case(p, case_id)
        due = _day(due_on, "due_on")
        if due is None:
            raise ValidationError("due_on: 期限を入力してください / give a due date")
        item = self.service("handson").follow_up(case_id, action, due, actor=p.username)
        self.audit(p, "case.follow_up", "case", case_id, {"due_on": due.isoformat()}, ip)
        return plain(item)

    # -- consortium ----------------------------------------------------------------------------------

    def consortium(
        self,
        p: Principal,
        *,
        concept: str,
        size: int = 3,
        regions: tuple[str, ...] = (),
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Choose a team for a concept among the companies the person may see in full."""
        self.require(p, "consortium")
        service = self.service("consortium")
        from tsunagu.services.consortium.service import ConsortiumRequest, plan_to_dict

        concept = (concept or "").strip()
        if not concept:
            raise ValidationError(
                "concept: 製品・サービスのコンセプトを入力してください / describe the concept"
            )
        if len(concept) > 5000:
            raise ValidationError("concept: 5000 文字以内 / at most 5000 characters")
        hidden: list[str] = []
        reg = self._registry()
        if reg is not None and not p.is_admin:
            hidden = [str(c.id) for c in reg.list_companies() if not self.rules.sees_company_fully(p, c)]
        request = ConsortiumRequest(
            concept=concept,
            size=size,
            regions=tuple(r for r in regions if r),
            include=tuple(i for i in include if i),
            exclude=tuple(dict.fromkeys([*(e for e in exclude if e), *hidden])),
        )
        plan, matrix = service.plan(request)
        result: dict[str, Any] = plan_to_dict(plan, matrix)
        return result
