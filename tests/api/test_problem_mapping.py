"""Tests of the mapping from tsunagu errors to problem+json statuses (no server needed)."""

from __future__ import annotations

import json

import pytest

from tsunagu.api.problems import PROBLEM_JSON, error_response
from tsunagu.errors import ConflictError, NotFoundError, StorageError, ValidationError
from tsunagu.storage.handson import CaseChangedError
from tsunagu.storage.registry import ConcurrentChangeError


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ConcurrentChangeError("案件 3 は他の操作で更新されました / deal 3 was changed meanwhile"), 409),
        (CaseChangedError("someone else changed the case first"), 409),
        (ConflictError("changed meanwhile"), 409),
        (NotFoundError("no patent 'X'"), 404),
        (ValidationError("q: enter a query"), 422),
    ],
)
def test_status_and_message(exc: Exception, status: int) -> None:
    r = error_response(exc)
    body = json.loads(r.body)
    assert r.status_code == status and r.media_type == PROBLEM_JSON
    assert body["status"] == status and body["detail"] == str(exc)


def test_storage_failures_say_nothing_about_internals() -> None:
    r = error_response(StorageError("failed: (sqlite3.OperationalError) disk I/O error /root/x.db"))
    body = json.loads(r.body)
    assert r.status_code == 500 and "sqlite3" not in body["detail"] and "/root" not in body["detail"]
