"""IPランドスケープ for the web: analysed in the background, drawn by the page's own charts."""

from __future__ import annotations

import re
from typing import Any

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.base import PortalBase
from tsunagu.storage.accounts import Job

__all__ = ["SCOPES", "LandscapePortal"]

SCOPES = ("query", "ipc", "applicant")
_JOB_ID = re.compile(r"[0-9a-f]{24}")


class LandscapePortal(PortalBase):
    """Landscape analytics over the public corpus (every role)."""

    def start_landscape(
        self, p: Principal, *, kind: str, value: str, lang: str = "ja", company: str = "", ip: str = ""
    ) -> Job:
        """Analyse a query, an IPC prefix or an applicant in the background."""
        self.require(p, "landscape")
        service = self.service("landscape")
        if kind not in SCOPES:
            raise ValidationError("kind: query, ipc, applicant のいずれか / must be query, ipc or applicant")
        value = (value or "").strip()
        if not value:
            raise ValidationError(
                "value: 検索語・IPC・出願人を入力してください / give a query, an IPC prefix or an applicant"
            )
        if len(value) > 500 or len(company) > 300:
            raise ValidationError("value: 500 文字以内 / at most 500 characters")
        if lang not in ("ja", "en"):
            raise ValidationError("lang: ja か en / must be ja or en")

        def work(progress: Any) -> dict[str, Any]:
            from tsunagu.services.landscape.export import page_data

            progress(0, 1, "分析中 / analysing")
            landscape = service.analyse(service.scope(kind, value), company=company.strip(), lang=lang)
            data: dict[str, Any] = page_data(landscape)
            data["view"] = f"/landscape/{job_id}"
            return data

        job_id = self.jobs.new_id()
        job = self.jobs.start(
            "landscape",
            p.user_id,
            work,
            params={"kind": kind, "value": value, "lang": lang, "company": company.strip()},
            job_id=job_id,
        )
        return job

    def landscape_job(self, p: Principal, job_id: str) -> Job:
        """A landscape the person started (or any, for administrators)."""
        self.require(p, "landscape")
        if not _JOB_ID.fullmatch(job_id or ""):
            raise NotFoundError("見つかりません / not found")
        job = self.jobs.get(job_id)
        if job.kind != "landscape" or (job.owner_id != p.user_id and not p.is_admin):
            raise NotFoundError("見つかりません / not found")
        return job
