"""Ids no database column can hold (found by fuzzing the API with schemathesis) answer 4xx, never 500."""

from __future__ import annotations

import pytest

from api.live import LiveServer, web_login
from api.servers import server

__all__ = ["server"]

HUGE = "5604518029739315179814912"  # beyond 64 bits


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/v1/companies/{HUGE}", None),
        ("POST", f"/api/v1/companies/1/needs/{HUGE}/close", None),
        ("POST", f"/api/v1/companies/{HUGE}/needs", {"title": "試作用の精密加工"}),
        ("GET", f"/api/v1/deals/{HUGE}", None),
        ("POST", f"/api/v1/deals/{HUGE}/notes", {"text": "メモ"}),
        ("POST", "/api/v1/deals", {"company_id": int(HUGE), "offer_id": 1}),
        ("GET", f"/api/v1/offers/{HUGE}", None),
        ("GET", f"/api/v1/cases/{HUGE}", None),
        ("POST", f"/api/v1/cases/{HUGE}/status", {"status": "in_progress"}),
    ],
)
def test_huge_ids_are_client_errors(server: LiveServer, method: str, path: str, body: object) -> None:
    with server.client("admin") as c:
        r = c.request(method, path, json=body)
    assert r.status_code in (404, 422), (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "internal" not in r.json()["detail"]


def test_huge_ids_on_web_pages(server: LiveServer) -> None:
    with server.client() as c:
        web_login(c, server.world.users["admin"])
        for path in (f"/matching/deals/{HUGE}", f"/matching/companies/{HUGE}", f"/cases/{HUGE}"):
            r = c.get(path)
            assert r.status_code in (404, 422) and "内部エラー" not in r.text, (path, r.status_code)
