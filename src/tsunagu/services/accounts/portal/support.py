"""ハンズオン支援 cases and 中小企業コンソーシアム for the web, behind the access rules.

The case areas live in their own modules (`cases`: reading and recording, `case_work`: status,
suggestions, follow-ups, tags, proposals and referrals, `case_reports`: region/period reports);
`SupportPortal` gathers them with the consortium builder.
"""

from __future__ import annotations

from typing import Any

from tsunagu.errors import ValidationError
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.case_reports import CaseReportPortal
from tsunagu.services.accounts.portal.case_work import CaseWorkPortal
from tsunagu.services.accounts.portal.cases import plain

__all__ = ["SupportPortal", "plain"]


class SupportPortal(CaseWorkPortal, CaseReportPortal):
    """Hands-on cases (visible to their programme's coordinators and specialists) and consortia."""

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
