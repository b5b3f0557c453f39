"""評価書: evaluation reports and proposals generated in the background, read by those allowed to.

A report is a background job (kind ``report``) whose file is kept under
``$TSUNAGU_HOME/web/reports/<job id>/``. Who may read it follows the access rules: its author,
administrators, the company's own users and coordinators, and bank viewers of an institution the
company consented to share its reports with.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from tsunagu.errors import NotFoundError, TsunaguError, ValidationError
from tsunagu.services.accounts.model import SME, Principal
from tsunagu.services.accounts.portal.base import PortalBase
from tsunagu.services.reports.input_form import (
    InputErrors,
    check_document,
    decode_input_upload,
    dump_input_document,
    form_from_document,
    validate_form,
)
from tsunagu.services.reports.input_view import form_choices, form_view
from tsunagu.storage.accounts import Job

__all__ = [
    "FORMATS",
    "InputErrors",
    "ReportPortal",
    "decode_input_upload",
    "dump_input_document",
    "form_choices",
    "form_from_document",
    "form_view",
    "validate_form",
]

log = logging.getLogger(__name__)

FORMATS = {
    "html": ("report.html", "text/html; charset=utf-8"),
    "pdf": ("report.pdf", "application/pdf"),
    "md": ("report.md", "text/markdown; charset=utf-8"),
}
KINDS = ("evaluation", "proposal")
INPUTS_FILE = "inputs.json"
RIGHTS_FILE = "rights.csv"
_JOB_ID = re.compile(r"[0-9a-f]{24}")
_NOT_FOUND = "評価書が見つかりません / no such report"


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

        document = dict(inputs) if inputs else {}
        check_document(document)  # every wrong field, by its path (InputErrors)
        parsed = parse_evaluator_input(document or None, source="web form")
        cid, name = self._company(p, company_id, applicant)
        job_id = self.jobs.new_id()
        folder = self._report_folder(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        # the evaluator's document as given: offered for download and to fill the next form
        (folder / INPUTS_FILE).write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")

        def work(progress: Any) -> dict[str, Any]:
            progress(0, 2, "作成中 / building the report")
            filename = FORMATS[fmt][0]
            written = service.write(kind, name, folder / filename, inputs=parsed, lang=lang)
            progress(1, 2, "権利一覧 / the rights list")
            self._write_rights(service, name, folder, parsed, lang, None)
            progress(2, 2, "完了 / done")
            report = getattr(written, "report", None)
            title = getattr(report, "title", "") if report is not None else ""
            return {
                "file": filename,
                "format": fmt,
                "title": str(title),
                "download": f"/reports/{job_id}/download",
                "view": f"/reports/{job_id}/view" if fmt == "html" else "",
                "rights_csv": f"/reports/{job_id}/rights.csv",
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

    # -- the evaluator's input and the rights list of a report ----------------------------------------

    def report_inputs(self, p: Principal, job_id: str) -> dict[str, Any]:
        """The evaluator input document a report was made with (``{}`` when it had none)."""
        job = self.report_job(p, job_id)
        return self._stored_inputs(job)

    def _stored_inputs(self, job: Job) -> dict[str, Any]:
        path = self._report_folder(job.id) / INPUTS_FILE
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def last_inputs(
        self, p: Principal, *, company_id: int | None = None, applicant: str = ""
    ) -> tuple[dict[str, Any], Job | None]:
        """The input document of the newest report on the company that ``p`` may read, and that
        report; ``({}, None)`` when there is none."""
        self.require(p, "reports.read")
        name = (applicant or "").strip()
        if company_id is None and not name:
            return {}, None
        for job in self.reports(p, limit=1000):
            if company_id is not None:
                if job.params.get("company_id") != company_id:
                    continue
            elif job.params.get("company_id") is not None or job.params.get("company") != name:
                continue
            document = self._stored_inputs(job)
            if document:
                return document, job
        return {}, None

    def _write_rights(
        self, service: Any, company: str, folder: Path, inputs: Any, lang: str, as_of: date | None
    ) -> Path | None:
        from tsunagu.services.reports.rights import write_rights_csv

        path = folder / RIGHTS_FILE
        try:
            write_rights_csv(
                service.patents, service.directory, company, path, inputs=inputs, lang=lang, as_of=as_of
            )
        except TsunaguError as exc:  # the report stands without its list; it is retried on download
            log.warning("rights list of %s not written: %s", company, exc)
            return None
        return path

    def report_rights_csv(self, p: Principal, job_id: str) -> tuple[Path, str]:
        """(path, download name) of the full rights list of a finished report's company.

        Written with the report; a report made before the list existed gets it now, dated as
        the report.
        """
        job = self.report_job(p, job_id)
        if job.status != "done":
            raise NotFoundError("評価書はまだ作成中です / the report is not ready")
        folder = self._report_folder(job.id)
        path = folder / RIGHTS_FILE
        if not path.is_file():
            from tsunagu.services.reports.inputs import parse_evaluator_input

            try:
                inputs = parse_evaluator_input(self._stored_inputs(job) or None)
            except ValidationError:
                inputs = None
            day = date.fromisoformat(job.created_at[:10]) if job.created_at[:10] else None
            written = self._write_rights(
                self.service("reports"),
                str(job.params.get("company", "")),
                folder,
                inputs,
                str(job.params.get("lang", "ja")),
                day,
            )
            if written is None:
                raise NotFoundError("権利一覧を作成できません / the rights list cannot be made")
        safe = re.sub(r"[^\w\-]+", "_", str(job.params.get("company", "report")))[:60] or "report"
        return path, f"rights_{safe}.csv"
