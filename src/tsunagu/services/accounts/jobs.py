"""Background work started from the web, with progress any worker process can read.

`JobRunner.start` records a job in the database, runs it on a small thread pool of the current
process and writes its progress (at most a few times a second) and its result or error back, so a
browser polling another worker sees the same state. Jobs left unfinished by a stopped server are
marked failed when the next server starts.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from tsunagu.errors import TsunaguError
from tsunagu.storage.accounts import Job, SqlAccountStore, iso

__all__ = ["JobRunner", "ProgressFn", "Work"]

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
#: The work of a job: gets a progress callback, returns a JSON-able result.
Work = Callable[[ProgressFn], Mapping[str, Any]]


class JobRunner:
    """Runs jobs on ``workers`` threads and keeps their state in ``store``.

    Args:
        store: the account store (its ``web_jobs`` table).
        workers: threads per process (long work shares 2 cores with the web requests).
        min_interval: least seconds between two progress writes of one job.
    """

    def __init__(self, store: SqlAccountStore, *, workers: int = 2, min_interval: float = 0.3) -> None:
        self.store = store
        self.min_interval = min_interval
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tsunagu-job")
        self._lock = threading.Lock()

    def recover(self, stale_after_minutes: int = 10) -> int:
        """Mark jobs whose worker went away (no progress for a while) as failed."""
        cutoff = iso(datetime.now(UTC) - timedelta(minutes=stale_after_minutes))
        return self.store.fail_stale_jobs(cutoff)

    @staticmethod
    def new_id() -> str:
        """A fresh job id (24 hex characters), for work that must know its id before it starts."""
        return secrets.token_hex(12)

    def start(
        self,
        kind: str,
        owner_id: int,
        work: Work,
        *,
        params: Mapping[str, Any] | None = None,
        job_id: str | None = None,
    ) -> Job:
        """Record a job and run ``work`` in the background; returns the queued job."""
        job = self.store.add_job(
            Job(
                id=job_id or self.new_id(),
                kind=kind,
                owner_id=owner_id,
                params=dict(params or {}),
                stage="待機中 / queued",
            )
        )
        self._pool.submit(self._run, job.id, work)
        return job

    def _run(self, job_id: str, work: Work) -> None:
        last = [0.0]

        def progress(done: int, total: int, stage: str) -> None:
            now = time.monotonic()
            if now - last[0] < self.min_interval and done < total:
                return
            last[0] = now
            try:
                self.store.update_job(job_id, status="running", done=int(done), total=int(total), stage=stage)
            except TsunaguError:  # progress is best effort; the result write below matters
                log.warning("could not record progress of job %s", job_id)

        try:
            self.store.update_job(job_id, status="running", stage="開始 / started")
            result = work(progress)
            self.store.update_job(job_id, status="done", result=dict(result), stage="完了 / done")
        except TsunaguError as exc:
            self.store.update_job(job_id, status="failed", message=str(exc), stage="失敗 / failed")
        except Exception as exc:  # a bug in the work must still end the job visibly
            log.exception("job %s failed", job_id)
            self.store.update_job(
                job_id,
                status="failed",
                message=f"内部エラー / internal error ({type(exc).__name__})",
                stage="失敗 / failed",
            )

    def get(self, job_id: str) -> Job:
        return self.store.get_job(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
