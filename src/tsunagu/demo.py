"""`tsunagu demo`: build whatever part of the demo is missing, idempotently, then show samples.

The demo is a list of `DemoStep`s. Each capability adds its own step (corpus, indexes, offers,
companies, demo logins for every role, …) to `STEPS`; a step says whether it is already done and builds itself.
Nothing here prompts: secrets (such as a demo password) are generated and printed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tsunagu.app import App

__all__ = [
    "DEMO_SEARCHES",
    "STEPS",
    "DemoStep",
    "StepResult",
    "demo_corpus_path",
    "demo_login_file",
    "demo_logins",
    "demo_report",
    "demo_vectors_path",
    "run_demo",
]

ProgressFn = Callable[[int, int, str], None]

# Sample searches the demo corpus actually covers (J-PlatPat driver-state titles, US/Lens/NASA sets).
DEMO_SEARCHES: tuple[str, ...] = (
    "運転者の眠気を心拍から検出する",
    "detect driver drowsiness from heart rate",
)


@dataclass(frozen=True)
class StepResult:
    name: str
    status: str  # "built", "present" or "failed"
    detail: str = ""


@dataclass(frozen=True)
class DemoStep:
    """One part of the demo: ``done(app)`` tells whether it is present, ``build(app, progress)`` makes it."""

    name: str
    label: str
    done: Callable[[App], bool]
    build: Callable[[App, ProgressFn], str]


def demo_corpus_path() -> Path:
    """The committed demo corpus (tsunagu JSONL, gzip)."""
    return Path(str(resources.files("tsunagu") / "data" / "demo" / "patents.jsonl.gz"))


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def _corpus_done(app: App) -> bool:
    return app.store.get_meta("demo_corpus") == _file_digest(demo_corpus_path())


def _corpus_build(app: App, progress: ProgressFn) -> str:
    path = demo_corpus_path()
    report = app.ingestion.import_paths([path], progress=progress, update_index=False)
    app.store.set_meta("demo_corpus", _file_digest(path))
    return f"{report.read:,} records ({report.stored.new:,} new, {report.stored.merged:,} merged)"


def _index_done(app: App) -> bool:
    return app.indexes_current()


def demo_vectors_path() -> Path:
    """Precomputed float16 vectors of the demo corpus (made by `Indexer.export_vectors`), when shipped."""
    return Path(str(resources.files("tsunagu") / "data" / "demo" / "vectors.npz"))


def _index_build(app: App, progress: ProgressFn) -> str:
    # Shipped vectors are used only where a record's key and text hash match, so they can never be
    # stale; anything else is embedded now by the same code that embeds newly imported records.
    vectors = demo_vectors_path()
    reused = app.indexer.import_vectors(vectors) if vectors.exists() else 0
    update = app.indexer.update(progress)
    detail = f"{update.rows:,} documents indexed"
    if reused:
        detail += f" ({update.reused_vectors:,} precomputed vectors used, {update.embedded:,} embedded now)"
    return detail


def _derived_companies_done(app: App) -> bool:
    return app.store.get_meta("demo_derived_companies") == str(app.store.revision())


def _derived_companies_build(app: App, progress: ProgressFn) -> str:
    from tsunagu.services.consortium import derive_companies

    report = derive_companies(app.consortium_companies, app.store)
    app.store.set_meta("demo_derived_companies", str(app.store.revision()))
    return (
        f"{report.registered:,} companies derived from corpus applicants with at most 20 patents "
        f"({report.already:,} already registered; profiles from patent data, not real SME profiles)"
    )


def demo_offers_path() -> Path:
    """The committed NASA technology-transfer catalogue (public domain), the demo's licensable offers."""
    return Path(str(resources.files("tsunagu") / "data" / "demo" / "nasa_patents_as_of_2014-10-31.csv.gz"))


def _matching_done(app: App) -> bool:
    return app.store.get_meta("demo_matching_offers") == _file_digest(demo_offers_path())


def _matching_build(app: App, progress: ProgressFn) -> str:
    from tsunagu.services.matching.demo import build_demo_matching

    path = demo_offers_path()
    detail = build_demo_matching(app.programmes, app.offers, app.matching, path, progress)
    app.store.set_meta("demo_matching_offers", _file_digest(path))
    return detail


def demo_login_file(app: App) -> Path:
    """Where the demo users' shared password is saved (mode 0600)."""
    return app.settings.home / "web" / "demo-login.txt"


def _web_login_done(app: App) -> bool:
    return False  # always runs: it is idempotent and prints how to log in


def _web_login_build(app: App, progress: ProgressFn) -> str:
    from tsunagu.services.accounts.demo import ensure_demo_admin

    login_file = demo_login_file(app)
    user, password, _created = ensure_demo_admin(app.accounts, login_file)
    return (
        f"tsunagu serve → http://127.0.0.1:8000/  ユーザー / user: {user}  パスワード / password: {password}"
        f"  (保存先 / saved in {login_file})"
    )


def _demo_roles(app: App, password: str) -> Any:
    from tsunagu.services.accounts.demo_roles import DemoRoles

    return DemoRoles(
        app.accounts,
        app.registry,
        app.companies,
        app.programmes,
        app.handson,
        lambda: app.matching,
        password,
    )


def _demo_users() -> tuple[str, ...]:
    from tsunagu.services.accounts.demo import DEMO_ADMIN
    from tsunagu.services.accounts.demo_roles import ROLE_USERS

    return (DEMO_ADMIN, *ROLE_USERS)


def _web_roles_done(app: App) -> bool:
    from tsunagu.services.accounts.demo import login_file_text, saved_password
    from tsunagu.services.accounts.demo_roles import DemoDataMissingError

    login_file = demo_login_file(app)
    password = saved_password(login_file)
    try:
        if not password or login_file.read_text(encoding="utf-8") != login_file_text(_demo_users(), password):
            return False
        return not _demo_roles(app, password).plan() and not _demo_report(app).plan()
    except (OSError, DemoDataMissingError):
        return False  # the build says what is missing


def _web_roles_build(app: App, progress: ProgressFn) -> str:
    from tsunagu.services.accounts.demo import ensure_demo_admin, write_login_file

    login_file = demo_login_file(app)
    _admin, password, _reset = ensure_demo_admin(app.accounts, login_file)  # the shared password
    try:
        changes = _demo_roles(app, password).ensure()
    finally:
        made = [u for u in _demo_users() if app.accounts.find_user(u) is not None]
        write_login_file(login_file, made, password)
    changes += _demo_report_build(app, changes)
    return "; ".join(changes) if changes else "変更なし / nothing changed"


def _demo_report(app: App) -> Any:
    from tsunagu.services.accounts.demo_report import DemoReport

    return DemoReport(app, app.accounts, app.settings.home)


def _demo_report_build(app: App, done: list[str]) -> list[str]:
    """Make the demo evaluation report when it is missing; its failure fails the step after the other
    records are made, and says so with what was done."""
    import time

    from tsunagu.services.accounts.demo_report import DemoReportError

    started = time.monotonic()
    try:
        job, made = _demo_report(app).ensure()
    except DemoReportError as exc:
        what = "; ".join(done) or "変更なし / nothing changed"
        raise DemoReportError(
            f"デモ評価書を作成できません（ほかのデモ記録は作成済み）/ the demo evaluation report could not be "
            f"made (the other demo records are there): {exc} (作成済み / done: {what})"
        ) from exc
    if not made:
        return []
    return [
        f"デモ評価書を作成 / made the demo evaluation report: /reports/{job.id}/view "
        f"({time.monotonic() - started:.1f} s)"
    ]


def demo_report(app: App) -> dict[str, str] | None:
    """Where the finished demo evaluation report is (for the demo summary), or None."""
    job = _demo_report(app).find()
    if job is None:
        return None
    return {
        "id": job.id,
        "company": str(job.params.get("company", "")),
        "list": "/reports",
        "view": f"/reports/{job.id}/view",
        "download": f"/reports/{job.id}/download",
    }


def demo_logins(app: App) -> list[Any]:
    """The active demo users with what each one's pages show (`DemoLogin`), for the demo summary."""
    from tsunagu.services.accounts.demo import describe_demo_logins

    return describe_demo_logins(app.accounts, app.registry, _demo_users())


STEPS: list[DemoStep] = [
    DemoStep("corpus", "デモ特許コーパス / demo patent corpus", _corpus_done, _corpus_build),
    DemoStep("indexes", "検索索引 / search indexes", _index_done, _index_build),
    DemoStep(
        "derived_companies",
        "特許データから生成したデモ企業 / demo companies derived from patent applicants",
        _derived_companies_done,
        _derived_companies_build,
    ),
    DemoStep(
        "matching",
        "開放特許マッチング (NASAのオファー) / matching offers (NASA)",
        _matching_done,
        _matching_build,
    ),
    DemoStep("web_login", "Web のデモ管理者 / demo web administrator", _web_login_done, _web_login_build),
    DemoStep(
        "web_roles",
        "ロール別のデモ利用者とサンプル商談・案件・評価書 / demo users for every role, a sample deal, case and "
        "evaluation report",
        _web_roles_done,
        _web_roles_build,
    ),
]


def run_demo(app: App, progress: ProgressFn, steps: list[DemoStep] | None = None) -> list[StepResult]:
    """Run every missing step; a failed step is reported and the others still run."""
    results: list[StepResult] = []
    for step in steps if steps is not None else STEPS:
        try:
            if step.done(app):
                results.append(StepResult(step.name, "present"))
                continue
            detail = step.build(app, progress)
            results.append(StepResult(step.name, "built", detail))
        except Exception as exc:
            results.append(StepResult(step.name, "failed", f"{type(exc).__name__}: {exc}"))
    return results
