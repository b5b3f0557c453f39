"""評価者入力: the evaluator input form of a report, its file (YAML/JSON) and the rights list (CSV).

``/reports/new`` shows one labelled field per input of the evaluator input document, filled from the
newest report on the chosen company (or a given report, or an uploaded file), and generates the
report in the background once every field is valid. The document can be saved as a file to work
on offline and loaded again; ``/reports/{id}/inputs`` and ``/reports/{id}/rights.csv`` download
what a report was made with and its company's full rights list.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse
from starlette.datastructures import UploadFile

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import UnavailableError
from tsunagu.services.accounts.portal.reports import (
    decode_input_upload,
    dump_input_document,
    form_choices,
    form_from_document,
    form_view,
    validate_form,
)
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.render import lang_of
from tsunagu.web.routes.common import client_ip, int_or_none, new_router, portal_of, renderer_of

__all__ = ["form_context", "router", "start_from_form"]

router = new_router()

#: Fields of the form that say what to generate, not what the evaluator states.
TARGET_FIELDS = ("company_id", "applicant", "kind", "format", "lang")
_MORE_ROWS = 3


async def _companies(request: Request) -> list[dict[str, Any]]:
    portal = portal_of(request)
    p = principal_of(request)
    try:
        data = await run_in_threadpool(lambda: portal.companies(p, per_page=200, lang=lang_of(request)))
    except (UnavailableError, ValidationError, NotFoundError):
        return []
    except Exception:  # companies are optional on these pages
        return []
    return [c for c in data["items"] if c.get("view") == "full"]


async def form_context(
    request: Request,
    fields: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    extra_rows: int = 0,
) -> dict[str, Any]:
    """What the report form templates need: the target fields, the evaluator fields and errors."""
    lang = lang_of(request)
    view = form_view(lang, fields, errors or {}, form_choices(lang), extra_rows=extra_rows)
    return {
        "target": {k: fields.get(k, "") for k in TARGET_FIELDS},
        "view": view,
        "extra_rows": extra_rows,
        "companies": await _companies(request),
    }


async def start_from_form(request: Request, fields: dict[str, str]) -> tuple[Any, dict[str, str]]:
    """Validate the form and start the report: ``(job, {})``, or ``(None, errors)`` (nothing started)."""
    document, errors = validate_form(fields)
    if errors:
        return None, errors
    portal = portal_of(request)
    try:
        job = await run_in_threadpool(
            lambda: portal.start_report(
                principal_of(request),
                kind=fields.get("kind", "evaluation"),
                company_id=int_or_none(fields.get("company_id")),
                applicant=fields.get("applicant", ""),
                fmt=fields.get("format", "html"),
                lang=fields.get("lang", lang_of(request)),
                inputs=document,
                ip=client_ip(request),
            )
        )
    except NotFoundError as exc:  # a company the person may not report on
        return None, {"": str(exc)}
    except ValidationError as exc:
        by_field = getattr(exc, "fields", None)
        return None, dict(by_field) if isinstance(by_field, dict) else {"": str(exc)}
    return job, {}


async def _page(
    request: Request,
    fields: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    status: int = 200,
    extra_rows: int = 0,
    notice: str = "",
    source: Any = None,
) -> Response:
    portal = portal_of(request)
    return renderer_of(request).page(
        request,
        "report_new.html",
        status_code=status,
        active="reports",
        available=portal.features().get("reports", False),
        notice=notice,
        source=source,
        **await form_context(request, fields, errors, extra_rows=extra_rows),
    )


@router.get("/reports/new", include_in_schema=False)
@needs("reports.create")
async def new_report(request: Request) -> Response:
    """The form, filled from a given report (``from``) or the newest on the chosen company."""
    portal = portal_of(request)
    p = principal_of(request)
    q = request.query_params
    target = {k: q.get(k, "") for k in TARGET_FIELDS if q.get(k)}
    choices = form_choices(lang_of(request))
    document: dict[str, Any] = {}
    source = None
    if q.get("from"):
        source = await run_in_threadpool(portal.report_job, p, q["from"])
        document = await run_in_threadpool(portal.report_inputs, p, source.id)
        if source.params.get("company_id") is not None:
            target.setdefault("company_id", str(source.params["company_id"]))
        elif source.params.get("company"):
            target.setdefault("applicant", str(source.params["company"]))
    elif target.get("company_id") or target.get("applicant"):
        document, source = await run_in_threadpool(
            lambda: portal.last_inputs(
                p, company_id=int_or_none(target.get("company_id")), applicant=target.get("applicant", "")
            )
        )
    fields = form_from_document(document, choices["items"]) | target
    return await _page(request, fields, source=source)


@router.post("/reports/new", include_in_schema=False)
@needs("reports.create")
async def submit(request: Request) -> Response:
    """Generate (``action=generate``), add rows (``rows``) or save the inputs as a file (``yaml``/``json``)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    action = fields.pop("action", "generate")
    extra = max(0, min(int_or_none(fields.pop("extra_rows", "")) or 0, 100))
    if action == "rows":
        return await _page(request, fields, extra_rows=extra + _MORE_ROWS)
    if action in ("yaml", "json"):
        document, _errors = validate_form(fields)
        text, media = dump_input_document(document, action)
        return Response(
            text,
            media_type=f"{media}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="evaluator_input.{action}"'},
        )
    job, errors = await start_from_form(request, fields)
    if job is None:
        return await _page(request, fields, errors, status=422, extra_rows=extra)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/reports/new/upload", include_in_schema=False)
@needs("reports.create")
async def upload(request: Request) -> Response:
    """Load an input file (YAML/JSON) into the form; its wrong fields are marked at once."""
    form = await request.form(max_files=1, max_fields=20)
    target = {k: v for k in TARGET_FIELDS if isinstance(v := form.get(k), str) and v}
    item = form.get("file")
    if not isinstance(item, UploadFile) or not item.filename:
        return await _page(
            request, target, {"": "file: ファイルを選択してください / choose a file"}, status=422
        )
    from tsunagu.services.reports.input_form import MAX_INPUT_BYTES

    try:
        data = await item.read(MAX_INPUT_BYTES + 1)
    finally:
        await item.close()
    try:
        document = decode_input_upload(data, item.filename)
    except ValidationError as exc:
        return await _page(request, target, {"": str(exc)}, status=422)
    fields = form_from_document(document, form_choices(lang_of(request))["items"]) | target
    _doc, errors = validate_form(fields)
    notice = f"{item.filename}: 読み込みました / loaded"
    return await _page(request, fields, errors, status=422 if errors else 200, notice=notice)


@router.get("/reports/{report_id}/inputs", include_in_schema=False)
@needs("reports.read")
async def report_inputs(request: Request, report_id: str) -> Response:
    """The evaluator input a report was made with, as YAML (``?format=json`` for JSON)."""
    fmt = "json" if request.query_params.get("format") == "json" else "yaml"
    document = await run_in_threadpool(portal_of(request).report_inputs, principal_of(request), report_id)
    text, media = dump_input_document(document, fmt)
    return Response(
        text,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="evaluator_input_{report_id}.{fmt}"'},
    )


@router.get("/reports/{report_id}/rights.csv", include_in_schema=False)
@needs("reports.read")
async def rights_csv(request: Request, report_id: str) -> Response:
    """The full rights list of the report's company (CSV, UTF-8 with BOM)."""
    path, name = await run_in_threadpool(
        portal_of(request).report_rights_csv, principal_of(request), report_id
    )
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name)
