"""Region / period / programme reports over the hands-on cases a person may see.

The figures are those of ``tsunagu cases report`` (`tsunagu.services.handson.report.build_report`),
computed over the cases visible to the person only (a coordinator's report never counts another
programme's cases); a programme narrows them to the cases whose company belongs to it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from tsunagu.domain.handson import BusinessScope, CaseStatus, label
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.cases import CasePortal, day_of
from tsunagu.services.handson.render import report_tables
from tsunagu.services.handson.report import build_report

__all__ = ["CaseReportPortal", "report_csv"]

_NO_PROGRAMME = "プログラムが見つかりません / no such programme"


def report_csv(data: dict[str, Any]) -> str:
    """The report's tables as CSV: per table its title, its header and its rows, then a blank line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    scope = data["report"]["scope"]
    writer.writerow(["ハンズオン支援 実施状況レポート / hands-on support report"])
    writer.writerow(
        [
            "地域 / regions",
            "、".join(scope["regions"]) or "全地域 / all",
            "期間 / period",
            scope["start"] or "",
            scope["end"],
            "プログラム / programme",
            scope.get("programme_name") or "",
        ]
    )
    writer.writerow([])
    for table in data["tables"]:
        writer.writerow([table["title"]])
        writer.writerow(table["header"])
        writer.writerows(table["rows"])
        writer.writerow([])
    return out.getvalue()


class CaseReportPortal(CasePortal):
    """Case reports (capability ``cases``)."""

    def _report_programmes(self, p: Principal) -> list[dict[str, Any]]:
        reg = self._registry()
        if reg is None:
            return []
        return [
            {"id": g.id, "name": g.name}
            for g in reg.list_programmes()
            if p.is_admin or g.id in p.supported_programmes
        ]

    def case_report(
        self,
        p: Principal,
        *,
        regions: Sequence[str] = (),
        start: str = "",
        end: str = "",
        programme: int | None = None,
    ) -> dict[str, Any]:
        """The report's figures (``report``), its tables (``tables``) and the form's choices.

        Raises:
            NotFoundError: ``programme`` is not one the person works in.
            ValidationError: a date is malformed, or the period ends before it starts.
        """
        self.require(p, "cases")
        service = self.service("handson")
        wanted = tuple(dict.fromkeys(r.strip() for r in regions if r and r.strip()))
        if any(len(r) > 100 for r in wanted) or len(wanted) > 50:
            raise ValidationError(
                "region: 地域は 100 文字以内で 50 件まで / at most 50 regions of 100 characters"
            )
        first, last = day_of(start, "from"), day_of(end, "to")
        if first and last and last < first:
            raise ValidationError("to: 期間の終了が開始より前です / the period ends before it starts")
        programmes = self._report_programmes(p)
        programme_name = ""
        if programme is not None:
            chosen = [g for g in programmes if g["id"] == programme]
            if not chosen:
                raise NotFoundError(_NO_PROGRAMME)
            programme_name = chosen[0]["name"]
        visible = [c for c in service.list_cases() if self.rules.sees_case(p, c)]
        all_regions = sorted({c.region for c in visible if c.region})
        if programme is not None:
            visible = [
                c
                for c in visible
                if c.company_id is not None and programme in self.rules.company_programmes(int(c.company_id))
            ]
        as_of = service.clock().date()
        files = service.store.load_many(visible)
        report = build_report(files, regions=wanted, start=first, end=last, as_of=as_of)
        figures = report.to_dict()
        figures["scope"]["programme"] = programme
        figures["scope"]["programme_name"] = programme_name
        codes = [s.value for s in CaseStatus] + [s.value for s in BusinessScope]
        for table in (
            figures["issues"],
            figures["proposals"],
            figures["referrals"],
            figures["closed_reasons"],
        ):
            codes += list(table)
        for inner in (*figures["proposals"].values(), *figures["referrals"].values()):
            codes += list(inner)
        return {
            "report": figures,
            "tables": [
                {"title": title, "header": header, "rows": rows}
                for title, header, rows in report_tables(report)
            ],
            "labels": {code: label(code) for code in dict.fromkeys(codes)},
            "programmes": programmes,
            "regions": all_regions,
        }
