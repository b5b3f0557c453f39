"""One sample 知財ビジネス評価書 for the demo, made the way the web makes one.

`tsunagu demo` (its ``web_roles`` step) asks the `Portal` — as ``demo-coordinator``, through
`ReportPortal.start_report` — for an evaluation report (HTML, Japanese) on the demo SME's company and
waits for the background job to finish. The report is therefore stored exactly as one generated from
/reports/new: a ``report`` web job in the account store, its files under
``$TSUNAGU_HOME/web/reports/<job id>/``. demo-sme (its company), demo-coordinator (its author, and
coordinator of the company's programme) and demo-bank (only through the company's consent to share
with 「デモ信用金庫」) read it on /reports.

The evaluator's input is a small demo document (evaluator 「デモ評価者」 of 「デモ信用金庫」, and a
summary saying it is demo data); it is how the demo report is recognised again, so a re-run makes
nothing when a finished one is there and makes a new one when the last one failed or its file is gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsunagu.errors import NotFoundError, TsunaguError
from tsunagu.services.accounts.demo_roles import DEMO_COORDINATOR, DEMO_INSTITUTION, DEMO_MARK, DEMO_SME
from tsunagu.services.accounts.jobs import JobRunner
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.service import AccountService
from tsunagu.storage.accounts import Job

__all__ = ["DEMO_EVALUATOR", "DEMO_REPORT_INPUT", "DemoReport", "DemoReportError"]

DEMO_EVALUATOR = "デモ評価者"
#: The evaluator input of the demo report (what `parse_evaluator_input` accepts); every person-stated
#: part says it is demo data.
DEMO_REPORT_INPUT: dict[str, Any] = {
    "evaluator": {"name": f"{DEMO_EVALUATOR}（{DEMO_MARK}）", "organization": DEMO_INSTITUTION},
    "summary": (
        f"（{DEMO_MARK}）tsunagu demo が作成したサンプルの評価書です。評価者記入欄は架空のデモ入力で、"
        "実在の評価ではありません。 / Demo data: a sample report made by tsunagu demo; what the "
        "evaluator states here is fictional demo input, not a real evaluation."
    ),
}
#: Longest wait for the report job (seconds); on the demo corpus it takes a few seconds.
REPORT_TIMEOUT = 300.0


class DemoReportError(TsunaguError):
    """The demo report could not be made (the message says why)."""


def _is_demo_input(document: dict[str, Any]) -> bool:
    evaluator = document.get("evaluator")
    return (
        isinstance(evaluator, dict)
        and str(evaluator.get("name", "")).startswith(DEMO_EVALUATOR)
        and DEMO_MARK in str(document.get("summary", ""))
    )


@dataclass
class DemoReport:
    """Find (``find``, ``plan``) or make (``ensure``) the demo evaluation report.

    Args:
        app: the `tsunagu.app.App` (what the `Portal` is built over).
        accounts: the account service (users, jobs, the audit log).
        home: ``$TSUNAGU_HOME`` (reports are kept under ``home/web/reports``, as the server keeps them).
        timeout: longest wait for the report job, in seconds.
    """

    app: Any
    accounts: AccountService
    home: Path
    timeout: float = REPORT_TIMEOUT
    poll: float = 0.1
    clock: Callable[[], float] = field(default=time.monotonic)

    def _portal(self, jobs: JobRunner) -> Any:
        from tsunagu.services.accounts.portal import Portal

        return Portal(self.app, self.accounts, jobs=jobs, upload_dir=self.home / "uploads")

    def _who(self) -> tuple[Principal, int]:
        """demo-coordinator's principal and the demo SME's company id."""
        coordinator = self.accounts.find_user(DEMO_COORDINATOR)
        sme = self.accounts.find_user(DEMO_SME)
        if coordinator is None or not coordinator.active or sme is None or sme.company_id is None:
            raise DemoReportError(
                f"{DEMO_COORDINATOR} と {DEMO_SME} の企業が必要です / needs {DEMO_COORDINATOR} and the company "
                f"of {DEMO_SME}"
            )
        return self.accounts.principal(coordinator), sme.company_id

    @staticmethod
    def _finished(portal: Any, p: Principal, company_id: int) -> Job | None:
        """The newest finished demo report on the company whose file is there."""
        for job in portal.reports(p, limit=1000):
            if job.owner_id != p.user_id or job.params.get("company_id") != company_id:
                continue
            if job.status != "done" or not _is_demo_input(portal.report_inputs(p, job.id)):
                continue
            try:
                portal.report_file(p, job.id)
            except NotFoundError:
                continue  # its file is gone: made again
            return job
        return None

    def find(self) -> Job | None:
        """The finished demo report, or None (also when its users are missing)."""
        try:
            p, company_id = self._who()
        except DemoReportError:
            return None
        jobs = JobRunner(self.accounts.store)
        try:
            return self._finished(self._portal(jobs), p, company_id)
        finally:
            jobs.shutdown()

    def plan(self) -> list[str]:
        """What `ensure` would make (empty when the finished demo report is there); cheap."""
        if self.find() is not None:
            return []
        return ["デモ評価書を作成 / make the demo evaluation report"]

    def ensure(self) -> tuple[Job, bool]:
        """The finished demo report, made now when there is none; returns (job, whether made now).

        Raises:
            DemoReportError: its users are missing, or the report failed or took longer than ``timeout``.
        """
        p, company_id = self._who()
        jobs = JobRunner(self.accounts.store, workers=1)
        try:
            portal = self._portal(jobs)
            found = self._finished(portal, p, company_id)
            if found is not None:
                return found, False
            try:
                job = portal.start_report(
                    p,
                    kind="evaluation",
                    company_id=company_id,
                    fmt="html",
                    lang="ja",
                    inputs=DEMO_REPORT_INPUT,
                )
            except TsunaguError as exc:
                raise DemoReportError(f"{type(exc).__name__}: {exc}") from exc
            return self._wait(jobs, job.id), True
        finally:
            jobs.shutdown()

    def _wait(self, jobs: JobRunner, job_id: str) -> Job:
        deadline = self.clock() + self.timeout
        while True:
            job = jobs.get(job_id)
            if job.status == "done":
                return job
            if job.status == "failed":
                raise DemoReportError(
                    f"評価書ジョブ {job_id} が失敗 / report job {job_id} failed: {job.message}"
                )
            if self.clock() > deadline:
                raise DemoReportError(
                    f"評価書ジョブ {job_id} が {self.timeout:.0f} 秒で終わりません / report job {job_id} did not "
                    f"finish within {self.timeout:.0f} s"
                )
            time.sleep(self.poll)
