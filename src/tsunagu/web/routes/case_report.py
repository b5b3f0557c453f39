"""``/cases/report``: the region / period / programme report of hands-on cases, with its downloads.

The form is a GET form (the report's address can be bookmarked and shared with colleagues who see the
same cases); the figures are drawn as charts by ``/static/case_charts.js`` from a JSON data block, and
every figure is also in a table. ``/cases/report.json`` and ``/cases/report.csv`` download the same
report.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import UnavailableError
from tsunagu.services.accounts.portal.case_reports import report_csv
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import int_or_none, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


def _form(request: Request) -> dict[str, Any]:
    q = request.query_params
    regions = [r.strip()[:100] for r in q.getlist("region") if r.strip()][:50]
    return {
        "regions": regions,
        "from": q.get("from", "")[:10],
        "to": q.get("to", "")[:10],
        "programme": q.get("programme", "")[:12],
    }


def _query(form: dict[str, Any]) -> str:
    """The report's parameters as a query string for the download links."""
    pairs = [("region", r) for r in form["regions"]]
    pairs += [(k, form[k]) for k in ("from", "to", "programme") if form[k]]
    return urlencode(pairs)


async def _report(request: Request, form: dict[str, Any]) -> dict[str, Any]:
    programme = int_or_none(form["programme"])
    if form["programme"] and programme is None:
        raise ValidationError("programme: プログラムを選んでください / choose a programme")
    return await run_in_threadpool(
        lambda: portal_of(request).case_report(
            principal_of(request),
            regions=form["regions"],
            start=form["from"],
            end=form["to"],
            programme=programme,
        )
    )


@router.get("/cases/report", include_in_schema=False)
@needs("cases")
async def report_page(request: Request) -> Response:
    form = _form(request)
    data: dict[str, Any] | None = None
    error, status = "", 200
    try:
        data = await _report(request, form)
    except UnavailableError:
        data = None
    except (ValidationError, NotFoundError) as exc:
        error, status = str(exc), 404 if isinstance(exc, NotFoundError) else 422
    choices: dict[str, Any] = {"programmes": [], "regions": []}
    if data is not None:
        choices = {"programmes": data["programmes"], "regions": data["regions"]}
    elif error:
        try:
            empty = await _report(request, {"regions": [], "from": "", "to": "", "programme": ""})
            choices = {"programmes": empty["programmes"], "regions": empty["regions"]}
        except UnavailableError:
            pass
    return renderer_of(request).page(
        request,
        "case_report.html",
        status_code=status,
        active="cases",
        data=data,
        form=form,
        choices=choices,
        error=error,
        download_query=_query(form),
        available=portal_of(request).features().get("cases", False),
    )


@router.get("/cases/report.json", include_in_schema=False)
@needs("cases")
async def report_json(request: Request) -> Response:
    data = await _report(request, _form(request))
    body = json.dumps({**data["report"], "tables": data["tables"]}, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="case-report.json"'},
    )


@router.get("/cases/report.csv", include_in_schema=False)
@needs("cases")
async def report_download_csv(request: Request) -> Response:
    data = await _report(request, _form(request))
    return Response(
        "\ufeff" + report_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="case-report.csv"'},
    )
