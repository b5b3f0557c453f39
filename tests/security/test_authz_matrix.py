"""Every role against every endpoint: the authorisation matrix of the REST API and of the web pages.

Roles are checked before input: an anonymous request gets 401 everywhere (never 404 or 422), a
forbidden role gets 403 even with a malformed body, and record-level rules answer 404 for records a
person may not see (their existence is not revealed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.live import LiveServer, World, web_login

ROLES = ("admin", "coordinator", "other_coordinator", "licensor", "sme", "bank", "other_bank")
OK_DISCOVERY = (200, 503)  # 503 only while the discovery service is not installed


def _all(code: int | tuple[int, ...]) -> dict[str, Any]:
    return dict.fromkeys(ROLES, code)


def _except(default: int | tuple[int, ...], **codes: int | tuple[int, ...]) -> dict[str, Any]:
    out = _all(default)
    out.update(codes)
    return out


# (method, path (formatted with the world), JSON body or None, expected status per role)
Spec = tuple[str, str, Any, dict[str, Any]]


def api_matrix(w: World) -> list[Spec]:
    staff_only = _except(403, admin=200, coordinator=200, other_coordinator=200)
    no_bank = _except(200, bank=403, other_bank=403)
    return [
        ("GET", "/api/v1/me", None, _all(200)),
        ("GET", "/api/v1/search?q=眠気", None, _all(200)),
        ("GET", f"/api/v1/patents/{w.evil_key}", None, _all(200)),
        ("GET", "/api/v1/patents?ipc=B60W", None, _all(200)),
        ("POST", "/api/v1/discoveries", {"text": "心拍から眠気を推定する", "ideas": 2}, _all(OK_DISCOVERY)),
        ("POST", "/api/v1/discoveries", {"text": "x", "boldness": 5}, _all(422)),
        ("GET", "/api/v1/offers", None, no_bank),
        ("GET", f"/api/v1/offers/{w.offer}", None, no_bank),
        (
            "GET",
            f"/api/v1/offers/{w.other_offer}",
            None,
            _except(200, licensor=404, bank=403, other_bank=403),
        ),
        ("POST", "/api/v1/offers", {"title": ""}, _except(422, sme=403, bank=403, other_bank=403)),
        ("GET", "/api/v1/companies", None, no_bank),
        (
            "GET",
            f"/api/v1/companies/{w.company}",
            None,
            _except(200, other_coordinator=404, bank=403, other_bank=403),
        ),
        (
            "GET",
            f"/api/v1/companies/{w.private_company}",
            None,
            _except(404, admin=200, other_coordinator=200, bank=403, other_bank=403),
        ),
        (
            "GET",
            f"/api/v1/matches?company_id={w.private_company}",
            None,
            _except(404, admin=200, other_coordinator=200, bank=403, other_bank=403),
        ),
        ("GET", f"/api/v1/matches?offer_id={w.offer}", None, _except(200, sme=404, bank=403, other_bank=403)),
        ("GET", "/api/v1/matches", None, _except(422, bank=403, other_bank=403)),
        ("GET", "/api/v1/deals", None, no_bank),
        (
            "GET",
            f"/api/v1/deals/{w.deal}",
            None,
            _except(200, other_coordinator=404, bank=403, other_bank=403),
        ),
        (
            "GET",
            f"/api/v1/deals/{w.other_deal}",
            None,
            _except(404, admin=200, other_coordinator=200, bank=403, other_bank=403),
        ),
        (
            "POST",
            "/api/v1/deals",
            {"programme_id": w.programme, "offer_id": w.offer, "company_id": w.company},
            _except(403, admin=422, coordinator=422, other_coordinator=422),
        ),
        (
            "POST",
            "/api/v1/deals",
            {"programme_id": "not a number"},
            _except(403, admin=422, coordinator=422, other_coordinator=422),
        ),
        (
            "POST",
            f"/api/v1/deals/{w.deal}/stage",
            {"stage": "licensed"},
            _except(403, admin=422, coordinator=422, other_coordinator=404),
        ),
        (
            "POST",
            f"/api/v1/deals/{w.deal}/notes",
            {"text": "matrix note"},
            _except(403, admin=201, coordinator=201, other_coordinator=404),
        ),
        ("GET", "/api/v1/reports", None, _all(200)),
        ("GET", "/api/v1/reports/0123456789abcdef01234567", None, _all(404)),
        (
            "POST",
            "/api/v1/reports",
            {"company_id": w.company, "inputs": {"unknown_key": 1}},
            _except(422, licensor=403, bank=403, other_bank=403),
        ),
        ("POST", "/api/v1/landscapes", {"kind": "nonsense", "value": "x"}, _all(422)),
        ("GET", "/api/v1/landscapes/0123456789abcdef01234567", None, _all(404)),
        (
            "POST",
            "/api/v1/imports?filename=empty.csv",
            b"",
            staff_only | {"admin": 422, "coordinator": 422, "other_coordinator": 422},
        ),
        ("GET", "/api/v1/jobs", None, _all(200)),
        ("GET", "/api/v1/jobs/0123456789abcdef01234567", None, _all(404)),
        ("GET", "/api/v1/programmes", None, staff_only),
        ("GET", "/api/v1/cases", None, staff_only),
        (
            "POST",
            "/api/v1/cases",
            {},
            staff_only | {"admin": 422, "coordinator": 422, "other_coordinator": 422},
        ),
        (
            "GET",
            "/api/v1/cases/999999",
            None,
            _except(403, admin=404, coordinator=404, other_coordinator=404),
        ),
        (
            "POST",
            "/api/v1/consortia",
            {},
            staff_only | {"admin": 422, "coordinator": 422, "other_coordinator": 422},
        ),
        ("GET", "/api/v1/users", None, _except(403, admin=200)),
        ("POST", "/api/v1/users", {"username": "x"}, _except(403, admin=422)),
        ("GET", "/api/v1/users/1", None, _except(403, admin=200)),
        ("PATCH", "/api/v1/users/1", {"lang": "xx"}, _except(403, admin=422)),
        ("GET", "/api/v1/audit-log", None, _except(403, admin=200)),
    ]


def _send(c: httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        return c.request(method, path, content=body, headers={"content-type": "application/octet-stream"})
    return c.request(method, path, json=body) if body is not None else c.request(method, path)


@pytest.fixture(scope="module")
def clients(sqlite_server: LiveServer) -> Any:
    made = {role: sqlite_server.client(role) for role in ROLES}
    yield made
    for c in made.values():
        c.close()


def test_api_matrix(sqlite_server: LiveServer, clients: dict[str, httpx.Client]) -> None:
    failures = []
    rows = api_matrix(sqlite_server.world)
    assert {p.split("?")[0].split("/")[3] for _, p, _, _ in rows} >= {
        "patents",
        "search",
        "discoveries",
        "offers",
        "companies",
        "matches",
        "deals",
        "reports",
        "landscapes",
        "imports",
        "jobs",
        "programmes",
        "cases",
        "consortia",
        "users",
        "audit-log",
        "me",
    }
    with sqlite_server.client() as anonymous:
        for method, path, body, expected in rows:
            r = _send(anonymous, method, path, body)
            if r.status_code != 401:
                failures.append(f"anonymous {method} {path}: {r.status_code}")
            for role in ROLES:
                r = _send(clients[role], method, path, body)
                want = expected[role]
                wants = want if isinstance(want, tuple) else (want,)
                if r.status_code not in wants:
                    failures.append(
                        f"{role} {method} {path}: {r.status_code} (expected {want}) {r.text[:160]}"
                    )
                elif r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json"), (role, path)
    assert not failures, "\n".join(failures)


def test_api_openapi_routes_all_guarded(sqlite_server: LiveServer) -> None:
    """Every operation of the schema refuses anonymous requests (except the login and public ones)."""
    public = {("POST", "/sessions"), ("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/docs")}
    with sqlite_server.client() as c:
        schema = c.get("/api/v1/openapi.json").json()
        for path, ops in schema["paths"].items():
            for method in ops:
                if (method.upper(), path) in public:
                    continue
                concrete = path.replace("{", "").replace("}", "")
                r = c.request(method.upper(), "/api/v1" + concrete)
                assert r.status_code == 401, (method, path, r.status_code)


WEB_PAGES: dict[str, Callable[[World], dict[str, Any]]] = {
    "/": lambda w: _all(200),
    "/search?q=眠気": lambda w: _all(200),
    "/discover": lambda w: _all(200),
    "/matching": lambda w: _except(200, bank=403, other_bank=403),
    "/matching/companies": lambda w: _except(200, bank=403, other_bank=403),
    "/matching/deals": lambda w: _except(200, bank=403, other_bank=403),
    "/reports": lambda w: _all(200),
    "/landscape": lambda w: _all(200),
    "/imports": lambda w: _except(403, admin=200, coordinator=200, other_coordinator=200),
    "/cases": lambda w: _except(403, admin=200, coordinator=200, other_coordinator=200),
    "/consortium": lambda w: _except(403, admin=200, coordinator=200, other_coordinator=200),
    "/admin/users": lambda w: _except(403, admin=200),
    "/admin/audit": lambda w: _except(403, admin=200),
    "/matching/deals/{deal}": lambda w: _except(200, other_coordinator=404, bank=403, other_bank=403),
    "/matching/companies/{private_company}": lambda w: _except(
        404, admin=200, other_coordinator=200, bank=403, other_bank=403
    ),
    "/patents/{evil_key}": lambda w: _all(200),
    "/no/such/page": lambda w: _all(404),
}


def test_web_pages_matrix(sqlite_server: LiveServer) -> None:
    w = sqlite_server.world
    failures = []
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as anonymous:
        for path in WEB_PAGES:
            r = anonymous.get(path.format(**vars(w)), follow_redirects=False)
            if r.status_code != 303 or not r.headers["location"].startswith("/login?next="):
                failures.append(f"anonymous {path}: {r.status_code}")
    for role in ROLES:
        with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
            assert web_login(c, w.users[role]).status_code == 303
            for path, expected in WEB_PAGES.items():
                r = c.get(path.format(**vars(w)), follow_redirects=False)
                want = expected(w)[role]
                if r.status_code != want:
                    failures.append(f"{role} GET {path}: {r.status_code} (expected {want})")
                if r.headers.get("content-type", "").startswith("text/html"):
                    assert '<html lang="ja">' in r.text, (role, path)
    assert not failures, "\n".join(failures)
