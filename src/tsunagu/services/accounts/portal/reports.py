"""評価書: evaluation reports and proposals generated in the background, read by those allowed to.

A report is a background job (kind ``report``) whose file is kept under
``$TSUNAGU_HOME/web/reports/<job id>/``. Who may read it follows the access rules: its author,
administrators, the company's own users and coordinators, and bank viewers of an institution the
company consented to share its reports with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import SME, Principal
from tsunagu.services.accounts.portal.base import PortalBase
from tsunagu.storage.accounts import Job

__all__ = ["FORMATS", "ReportPortal", "evaluator_form_spec", "inputs_from_form"]

FORMATS = {
    "html": ("report.html", "text/html; charset=utf-8"),
    "pdf": ("report.pdf", "application/pdf"),
    "md": ("report.md", "text/markdown; charset=utf-8"),
}
KINDS = ("evaluation", "proposal")
_JOB_ID = re.compile(r"[0-9a-f]{24}")
_NOT_FOUND = "評価書が見つかりません / no such report"


def evaluator_form_spec(lang: str = "ja") -> dict[str, Any]:
    """The qualitative items and rating scale of the packaged evaluation template (for the form)."""
    try:
        from tsunagu.services.reports.templates import load_template

        section = load_template("evaluation", lang).section("qualitative")
    except Exception:  # reports not installed: the form shows no qualitative items
        return {"items": [], "scale": []}
    if section is None:
        return {"items": [], "scale": []}
    return {
        "items": list(section.options.get("items") or []),
        "scale": list(section.options.get("rating_scale") or []),
    }


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def inputs_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The evaluator-input document (the documented YAML/JSON shape) from the web form's fields."""
    data: dict[str, Any] = {}
    evaluator = {k: form.get(f"evaluator_{k}", "").strip() for k in ("name", "organisation", "date")}
    if any(evaluator.values()):
        data["evaluator"] = {k: v for k, v in evaluator.items() if v}
    for key in ("summary", "market", "outlook", "know_how"):
        if form.get(key, "").strip():
            data[key] = form[key].strip()
    for key in ("strengths", "weaknesses"):
        if _lines(form.get(key, "")):
            data[key] = _lines(form.get(key, ""))
    products = []
    for line in _lines(form.get("products", "")):
        name, _, numbers = line.partition("|")
        products.append(
            {"name": name.strip(), "patents": [n.strip() for n in re.split(r"[,\s]+", numbers) if n.strip()]}
        )
    if products:
        data["products"] = products
    qualitative: dict[str, Any] = {}
    for key, value in form.items():
        m = re.fullmatch(r"q_(\w+)_(rating|comment)", key)
        if m and value.strip():
            qualitative.setdefault(m.group(1), {})[m.group(2)] = value.strip()
    if qualitative:
        data["qualitative"] = qualitative
    valuation: dict[str, Any] = {}
    for key in ("royalty_rate", "discount_rate", "period", "unit", "basis"):
        if form.get(f"v_{key}", "").strip():
            valuation[key] = form[f"v_{key}"].strip()
    forecast = [v for v in re.split(r"[,\s、]+", form.get("v_revenue_forecast", "")) if v]
    if forecast:
        valuation["revenue_forecast"] = forecast
    if "period" in valuation and str(valuation["period"]).isdigit():
        valuation["period"] = int(valuation["period"])
    if valuation:
        data["valuation"] = valuation
    return data


class ReportPortal(PortalBase):
    """Evaluation reports and proposals."""

    def _report_folder(self, job_id: str) -> Path:
        return self.upload_dir.parent / "web" / "reports" / job_id

    def _company(self, p: Principal, company_id: int | None, applicant: str) -> tuple[int | None, str]:
        """(register id or None, the name handed to the report service), checked against the rules."""
        if company_id is not None:
            reg = self._registry()
            if reg is None:
                raise NotFoundError("企業が見つかりません / no such company")
            try:
                company = reg.get_company(company_id)
            except NotFoundError:
                raise NotFoundError("企業が見つかりません / no such company") from None
            if not self.rules.may_report_on(p, company.id):
                raise NotFoundError("企業が見つかりません / no such company")
            return company.id, company.name
        name = (applicant or "").strip()
        if not name:
            raise ValidationError(
                "company: 企業 (登録企業または出願人名) を指定してください / give a company"
            )
        if len(name) > 300:
            raise ValidationError("company: 300 文字以内 / at most 300 characters")
        if p.role == SME:
            raise NotFoundError("企業が見つかりません / no such company")
        if not self.rules.may_report_on(p, None):
            raise NotFoundError("企業が見つかりません / no such company")
        return None, name

    def start_report(
        self,
        p: Principal,
        *,
        kind: str = "evaluation",
        company_id: int | None = None,
        applicant: str = "",
        fmt: str = "html",
        lang: str = "ja",
        inputs: Mapping[str, Any] | None = None,
        ip: str = "",
    ) -> Job:
        """Check the request, then build the report in the background."""
        self.require(p, "reports.create")
        service = self.service("reports")
        if kind not in KINDS:
            raise ValidationError("kind: evaluation か proposal / must be evaluation or proposal")
        if fmt not in FORMATS:
            raise ValidationError("format: html, pdf, md のいずれか / must be html, pdf or md")
        if lang not in ("ja", "en"):
            raise ValidationError("lang: ja か en / must be ja or en")
        from tsunagu.services.reports.inputs import parse_evaluator_input

        parsed = parse_evaluator_input(dict(inputs) if inputs else None, source="web form")
        cid, name = self._company(p, company_id, applicant)
        job_id = self.jobs.new_id()

        def work(progress: Any) -> dict[str, Any]:
            progress(0, 2, "作成中 / building the report")
            folder = self._report_folder(job_id)
            folder.mkdir(parents=True, exist_ok=True)
            filename = FORMATS[fmt][0]
            written = service.write(kind, name, folder / filename, inputs=parsed, lang=lang)
            progress(2, 2, "完了 / done")
            report = getattr(written, "report", None)
            title = getattr(report, "title", "") if report is not None else ""
            return {
                "file": filename,
                "format": fmt,
                "title": str(title),
                "download": f"/reports/{job_id}/download",
                "view": f"/reports/{job_id}/view" if fmt == "html" else "",
            }

        job = self.jobs.start(
            "report",
            p.user_id,
            lambda progress: work(progress),
            params={"kind": kind, "company_id": cid, "company": name, "format": fmt, "lang": lang},
            job_id=job_id,
        )
        self.audit(
            p, "report.create", "report", job.id, {"company": name, "company_id": cid, "kind": kind}, ip
        )
        return job

    def _visible(self, p: Principal, job: Job) -> bool:
        return job.kind == "report" and self.rules.sees_report(
            p, company_id=job.params.get("company_id"), owner_id=job.owner_id
        )

    def reports(self, p: Principal, *, limit: int = 100) -> list[Job]:
        """Reports the person may read, newest first."""
        self.require(p, "reports.read")
        jobs = self.jobs.store.list_jobs(kind="report", limit=1000)
        return [j for j in jobs if self._visible(p, j)][:limit]

    def report_job(self, p: Principal, job_id: str) -> Job:
        self.require(p, "reports.read")
        if not _JOB_ID.fullmatch(job_id or ""):
            raise NotFoundError(_NOT_FOUND)
        try:
            job = self.jobs.get(job_id)
        except NotFoundError:
            raise NotFoundError(_NOT_FOUND) from None
        if not self._visible(p, job):
            raise NotFoundError(_NOT_FOUND)
        return job

    def report_file(self, p: Principal, job_id: str) -> tuple[Path, str, str]:
        """(path, media type, download name) of a finished report the person may read."""
        job = self.report_job(p, job_id)
        if job.status != "done":
            raise NotFoundError("評価書はまだ作成中です / the report is not ready")
        fmt = str(job.params.get("format", "html"))
        filename, media = FORMATS.get(fmt, FORMATS["html"])
        path = self._report_folder(job.id) / filename
        if not path.is_file():
            raise NotFoundError(_NOT_FOUND)
        safe = re.sub(r"[^\w\-]+", "_", str(job.params.get("company", "report")))[:60] or "report"
        return path, media, f"{job.params.get('kind', 'report')}_{safe}{Path(filename).suffix}"
