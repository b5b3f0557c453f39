"""Errors as ``application/problem+json`` (RFC 9457), with clear messages and nothing internal."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsunagu.errors import (
    ConfigurationError,
    ConflictError,
    MissingDependencyError,
    NotFoundError,
    TsunaguError,
    ValidationError,
)
from tsunagu.services.accounts.model import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitedError,
    UnavailableError,
)
from tsunagu.services.accounts.portal import UploadTooLargeError

__all__ = ["PROBLEM_JSON", "install_problem_handlers", "problem"]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

_DETAILS = {
    401: "ログインが必要です / authentication required",
    403: "この操作の権限がありません / you may not do this",
    404: "見つかりません / not found",
    405: "このメソッドは使えません / method not allowed",
}


def problem(
    status: int, detail: str = "", *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or _DETAILS.get(status, _TITLES.get(status, "Error")),
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def install_problem_handlers(api: FastAPI) -> None:
    """Map every error to a problem response (500s say nothing about the internals)."""

    @api.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field(e.get("loc", ())),
                "message": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        detail = (
            "; ".join(f"{e['field']}: {e['message']}" for e in errors)
            or "入力が正しくありません / invalid input"
        )
        return problem(422, "入力が正しくありません / invalid input: " + detail, errors=errors)

    @api.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in (404, 405) else ""
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @api.exception_handler(TsunaguError)
    async def _tsunagu(_request: Request, exc: TsunaguError) -> JSONResponse:
        return error_response(exc)

    @api.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return problem(500, "内部エラーが発生しました / internal error")


def error_response(exc: Exception) -> JSONResponse:
    """The problem response for a tsunagu error."""
    if isinstance(exc, UploadTooLargeError):
        return problem(413, str(exc))
    if isinstance(exc, RateLimitedError):
        return problem(429, str(exc), headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, AuthenticationError):
        return problem(401, str(exc))
    if isinstance(exc, PermissionDeniedError):
        return problem(403, str(exc))
    if isinstance(exc, NotFoundError):
        return problem(404, str(exc))
    if isinstance(exc, ConflictError):
        return problem(409, str(exc))
    if isinstance(exc, ValidationError):
        return problem(422, str(exc))
    if isinstance(exc, UnavailableError | MissingDependencyError):
        return problem(503, str(exc))
    if isinstance(exc, ConfigurationError):
        log.error("configuration error: %s", exc)
        return problem(500, "サーバーの設定に問題があります / server configuration error")
    log.exception("unhandled tsunagu error", exc_info=exc)
    return problem(500, "内部エラーが発生しました / internal error")
