"""データ取込: uploads written safely to disk, imported in the background with progress and a report."""

from __future__ import annotations

import re
import secrets
import shutil
import unicodedata
from pathlib import Path
from typing import Any

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.base import PortalBase
from tsunagu.storage.accounts import Job

__all__ = ["ImportPortal", "UploadTarget", "UploadTooLargeError", "job_dict", "safe_filename"]

_UNSAFE = re.compile(r"[^\w.\-]+")


class UploadTooLargeError(ValidationError):
    """The upload is larger than the limit (HTTP 413)."""


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder: the last path part only, odd characters replaced.

    ``"../../etc/passwd"`` → ``"passwd"``; ``"C:\\\\x\\\\a b.csv"`` → ``"a_b.csv"``; ``""`` → ``"upload"``.
    """
    base = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    base = base.replace("\x00", "")
    base = _UNSAFE.sub("_", base).strip("._ ")
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:110] + dot + ext[:9]) if dot else base[:120]
    return base or "upload"


class UploadTarget:
    """One upload being written: `write` chunks, then `finish`. Refuses more than ``limit`` bytes."""

    def __init__(self, folder: Path, filename: str, limit: int) -> None:
        self.folder = folder
        self.display_name = safe_filename(filename)
        self.path = folder / self.display_name
        self.limit = limit
        self.size = 0
        folder.mkdir(parents=True, exist_ok=False)
        if self.path.resolve().parent != folder.resolve():  # belt and braces after safe_filename
            raise ValidationError("file: 不正なファイル名です / invalid file name")
        self._fh = self.path.open("wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise UploadTooLargeError(
                f"file: ファイルが大きすぎます (上限 {self.limit // (1024 * 1024)} MB) / "
                f"the file is larger than the limit of {self.limit // (1024 * 1024)} MB"
            )
        self._fh.write(chunk)

    def finish(self) -> Path:
        self._fh.close()
        if self.size == 0:
            self.abort()
            raise ValidationError("file: ファイルが空です / the file is empty")
        return self.path

    def abort(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def job_dict(job: Job) -> dict[str, Any]:
    """A job's state for clients (the owner sees its result; errors are messages, never traces)."""
    percent = (
        round(100.0 * job.done / job.total, 1) if job.total else (100.0 if job.status == "done" else 0.0)
    )
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "stage": job.stage,
        "message": job.message,
        "result": job.result if job.status == "done" else {},
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


class ImportPortal(PortalBase):
    """Uploads of export files and their import."""

    def new_upload(self, p: Principal, filename: str, declared_size: int | None = None) -> UploadTarget:
        """Prepare to receive one file (checked against the size limit before any byte is read)."""
        self.require(p, "imports")
        if declared_size is not None and declared_size > self.max_upload_bytes:
            raise UploadTooLargeError(
                f"file: ファイルが大きすぎます (上限 {self.max_upload_bytes // (1024 * 1024)} MB) / "
                f"the file is larger than the limit of {self.max_upload_bytes // (1024 * 1024)} MB"
            )
        folder = self.upload_dir / secrets.token_hex(12)
        return UploadTarget(folder, filename, self.max_upload_bytes)

    def start_import(self, p: Principal, upload: UploadTarget, *, ip: str = "") -> Job:
        """Import a finished upload in the background (indexes are updated at the end)."""
        self.require(p, "imports")
        path = upload.finish()
        folder = str(path.parent)

        def work(progress: Any) -> dict[str, Any]:
            report = self.app.ingestion.import_paths([path], progress=progress)
            data: dict[str, Any] = report.to_dict()
            return _relabel(data, folder + "/", "")

        job = self.jobs.start(
            "import", p.user_id, work, params={"file": upload.display_name, "bytes": upload.size}
        )
        self.audit(p, "import.start", "job", job.id, {"file": upload.display_name, "bytes": upload.size}, ip)
        return job

    def job(self, p: Principal, job_id: str) -> Job:
        """A job its owner (or an admin) may see; others get `NotFoundError`."""
        self.require(p, "jobs")
        if not re.fullmatch(r"[0-9a-f]{24}", job_id or ""):
            raise NotFoundError("ジョブが見つかりません / no such job")
        job = self.jobs.get(job_id)
        if job.owner_id != p.user_id and not p.is_admin:
            raise NotFoundError("ジョブが見つかりません / no such job")
        return job

    def my_jobs(self, p: Principal, kind: str = "", limit: int = 10) -> list[Job]:
        self.require(p, "jobs")
        return self.jobs.store.list_jobs(owner_id=p.user_id, kind=kind, limit=limit)


def _relabel(value: Any, prefix: str, replacement: str) -> Any:
    """Replace the upload folder in every string of a report (users see their own file names)."""
    if isinstance(value, str):
        return value.replace(prefix, replacement)
    if isinstance(value, list):
        return [_relabel(v, prefix, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _relabel(v, prefix, replacement) for k, v in value.items()}
    return value
