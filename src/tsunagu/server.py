"""The ASGI application that `tsunagu serve` runs: the REST API at ``/api/v1`` and the web UI at ``/``.

This is the one module that imports both `tsunagu.api` and `tsunagu.web`. `create_app` builds the
`tsunagu.app.App` from the environment (``TSUNAGU_HOME``, ``TSUNAGU_DATABASE_URL``), the account service,
the background job runner and the portal they share, and wraps everything in two small middlewares:
security headers on every response, and a request body limit (uploads get a larger one).

Several worker processes (``tsunagu serve --workers N``) each build their own `App`; they share the
database and the index folder, and each reloads the index files when another process re-indexed
(see `tsunagu.app.App.searcher`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsunagu.api import build_api
from tsunagu.app import App
from tsunagu.services.accounts.jobs import JobRunner
from tsunagu.services.accounts.portal import Portal
from tsunagu.services.accounts.secret import load_or_create_secret
from tsunagu.settings import Settings
from tsunagu.web import build_web

__all__ = ["DEFAULT_MAX_UPLOAD_MB", "create_app"]

log = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_MB = 200
MAX_BODY_BYTES = 2 * 1024 * 1024
UPLOAD_PATHS = ("/api/v1/imports", "/imports/upload")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the security headers, and ``Cache-Control: no-store`` to everything but static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over the limit with 413 (checked on Content-Length and while reading)."""

    def __init__(self, app: ASGIApp, *, default: int, upload: int) -> None:
        self.app = app
        self.default = default
        self.upload = upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload if scope["path"].startswith(UPLOAD_PATHS) else self.default
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_413(scope, send, limit)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_413(scope, send, limit)


async def _send_413(scope: Scope, send: Send, limit: int) -> None:
    import json

    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"リクエストが大きすぎます (上限 {limit // (1024 * 1024)} MB) / "
            f"the request body is larger than {limit // (1024 * 1024)} MB",
        },
        ensure_ascii=False,
    ).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/problem+json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _version() -> str:
    try:
        return version("tsunagu")
    except PackageNotFoundError:  # pragma: no cover - source checkout without metadata
        return "0"


def create_app(settings: Settings | None = None, *, max_upload_mb: int | None = None) -> FastAPI:
    """The whole server: API, web UI, static files, middlewares, and start-up/shut-down work.

    Args:
        settings: defaults to `Settings.from_env` (``TSUNAGU_HOME``, ``TSUNAGU_DATABASE_URL``).
        max_upload_mb: the largest upload accepted by データ取込 (default: ``TSUNAGU_MAX_UPLOAD_MB``, which
            ``tsunagu serve --max-upload-mb`` sets, else 200).
    """
    core = App.from_settings(settings)
    if max_upload_mb is None:
        max_upload_mb = core.settings.max_upload_mb
    home = core.settings.home
    secret = load_or_create_secret(home / "web" / "secret.key")
    accounts = core.accounts
    jobs = JobRunner(accounts.store)
    portal = Portal(
        core,
        accounts,
        jobs=jobs,
        upload_dir=home / "uploads",
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        providers={"discovery": lambda: _discovery_service(core)},
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        _one_blas_thread()
        try:
            jobs.recover()
            accounts.purge()
        except Exception:  # the server must start even if housekeeping fails
            log.exception("start-up housekeeping failed")
        threading.Thread(target=_warm_up, args=(core,), name="tsunagu-warm-up", daemon=True).start()
        yield
        jobs.shutdown()
        core.close()

    root = FastAPI(title="tsunagu", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    root.state.portal = portal
    root.mount("/api/v1", build_api(portal, version=_version()))
    root.mount("/", build_web(portal, secret=secret, version=_version()))
    app: Any = root
    root.add_middleware(BodyLimit, default=MAX_BODY_BYTES, upload=portal.max_upload_bytes + 1024 * 1024)
    root.add_middleware(SecurityHeaders)
    return app


def _one_blas_thread() -> None:
    """Run this worker's matrix work on one BLAS thread.

    A web worker answers many small requests at once (a 512-d query against the vector matrix, one
    query through the encoder): there, a second BLAS thread per call only adds hand-offs and contention
    with the other requests and workers (measured in docs/benchmarks.md). Parallelism comes from
    concurrent requests and ``--workers``. Bulk embedding (imports) sets its own thread count per batch.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - core dependency
        return
    threadpool_limits(limits=1, user_api="blas")


def _discovery_service(core: App) -> Any:
    """用途探索 wired as `tsunagu discover` wires it when the app has no ``discovery`` of its own."""
    from tsunagu.services.discovery.index import DiscoveryIndex
    from tsunagu.services.discovery.service import DiscoveryService

    index = DiscoveryIndex(core.store, lambda: core.searcher, core.settings.index_dir / "discovery")
    return DiscoveryService(core.store, index)


def _warm_up(core: App) -> None:
    """Load the search index and the embedder before the first search asks for them."""
    try:
        if core.store.count():
            core.search("ウォームアップ warm up", k=1)
    except Exception:  # a failed warm-up only means the first search pays for the loading
        log.warning("search warm-up failed", exc_info=True)
