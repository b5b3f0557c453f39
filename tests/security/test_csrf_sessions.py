"""CSRF protection, session fixation, logout, rate-limited login and cookie flags."""

from __future__ import annotations

import re

import httpx

from api.live import PASSWORD, LiveServer, page_csrf, web_login


def _cookie_client(server: LiveServer, role: str) -> tuple[httpx.Client, str]:
    """A client authenticated by the session cookie only (as a browser), and its CSRF token."""
    c = httpx.Client(base_url=server.url, timeout=60)
    r = c.post("/api/v1/sessions", json={"username": server.world.users[role], "password": PASSWORD})
    assert r.status_code == 201
    assert "tsunagu_session" in c.cookies
    return c, r.json()["csrf_token"]


def test_api_cookie_changes_need_the_csrf_token(sqlite_server: LiveServer) -> None:
    w = sqlite_server.world
    c, csrf = _cookie_client(sqlite_server, "coordinator")
    try:
        path = f"/api/v1/deals/{w.deal}/notes"
        assert c.get("/api/v1/me").status_code == 200  # reads need no token
        assert c.post(path, json={"text": "no token"}).status_code == 403
        assert c.post(path, json={"text": "bad"}, headers={"X-CSRF-Token": "forged"}).status_code == 403
        cross = c.post(
            path, json={"text": "x"}, headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"}
        )
        assert cross.status_code == 403
        ok = c.post(path, json={"text": "with token"}, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 201, ok.text
    finally:
        c.close()
    with sqlite_server.client("coordinator") as bearer:  # a bearer token is not ambient: no CSRF token needed
        assert bearer.post(path, json={"text": "bearer"}).status_code == 201


def test_web_forms_need_the_csrf_token(sqlite_server: LiveServer) -> None:
    w = sqlite_server.world
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        assert web_login(c, "coord").status_code == 303
        page = c.get(f"/matching/deals/{w.deal}")
        token = page_csrf(page.text)
        r = c.post(f"/matching/deals/{w.deal}/notes", data={"text": "no token"})
        assert r.status_code == 403 and '<html lang="ja">' in r.text
        r = c.post(f"/matching/deals/{w.deal}/notes", data={"text": "forged", "csrf_token": "x" * 40})
        assert r.status_code == 403
        r = c.post(f"/matching/deals/{w.deal}/notes", data={"text": "ok", "csrf_token": token})
        assert r.status_code == 303
        r = c.post("/logout", data={})  # logout is a change too
        assert r.status_code == 403
        assert c.post("/logout", data={"csrf_token": token}).status_code == 303
        assert c.get("/", follow_redirects=False).status_code == 303


def test_login_form_csrf(sqlite_server: LiveServer) -> None:
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        r = c.post("/login", data={"username": "coord", "password": PASSWORD, "csrf_token": "", "next": "/"})
        assert r.status_code == 403 and "tsunagu_session" not in r.headers.get("set-cookie", "")
    with (
        httpx.Client(base_url=sqlite_server.url, timeout=60) as a,
        httpx.Client(base_url=sqlite_server.url, timeout=60) as b,
    ):
        token_a = re.search(r'name="csrf_token" value="([^"]+)"', a.get("/login").text).group(1)  # type: ignore[union-attr]
        b.get("/login")
        r = b.post(
            "/login", data={"username": "coord", "password": PASSWORD, "csrf_token": token_a, "next": "/"}
        )
        assert r.status_code == 403  # a token bound to another visitor's pre-login cookie


def test_no_session_fixation(sqlite_server: LiveServer) -> None:
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        c.cookies.set("tsunagu_session", "attacker-chosen-value", domain="127.0.0.1")
        r = web_login(c, "sme1")
        assert r.status_code == 303
        new = c.cookies.get("tsunagu_session")
        assert new and new != "attacker-chosen-value"
        first = new
    # a login that arrives with a valid session cookie starts a fresh session and ends the old one
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        c.cookies.set("tsunagu_session", first, domain="127.0.0.1")
        r = c.post(
            "/login", data={"username": "sme1", "password": PASSWORD, "csrf_token": token, "next": "/"}
        )
        assert r.status_code == 303
        second = c.cookies.get("tsunagu_session")
        assert second and second != first
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as probe:
        probe.cookies.set("tsunagu_session", "attacker-chosen-value")
        assert probe.get("/api/v1/me").status_code == 401
        probe.cookies.set("tsunagu_session", first)
        assert probe.get("/api/v1/me").status_code == 401
        probe.cookies.set("tsunagu_session", second)
        assert probe.get("/api/v1/me").status_code == 200


def test_session_cookie_flags_and_headers(sqlite_server: LiveServer) -> None:
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        r = web_login(c, "bank1")
        cookie = r.headers["set-cookie"]
        assert "tsunagu_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        page = c.get("/")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["cache-control"] == "no-store"


def test_login_is_rate_limited(sqlite_server: LiveServer) -> None:
    with sqlite_server.client("admin") as admin:
        r = admin.post(
            "/api/v1/users", json={"username": "ratelimited", "password": PASSWORD, "role": "admin"}
        )
        assert r.status_code == 201
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        codes = [
            c.post(
                "/api/v1/sessions", json={"username": "ratelimited", "password": "wrong-password"}
            ).status_code
            for _ in range(6)
        ]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        locked = c.post("/api/v1/sessions", json={"username": "ratelimited", "password": PASSWORD})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        # another user is not affected
        assert c.post("/api/v1/sessions", json={"username": "coord", "password": PASSWORD}).status_code == 201


def test_deactivated_user_loses_sessions(sqlite_server: LiveServer) -> None:
    with sqlite_server.client("admin") as admin:
        r = admin.post("/api/v1/users", json={"username": "leaver", "password": PASSWORD, "role": "admin"})
        assert r.status_code == 201
        uid = r.json()["id"]
        with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
            token = c.post("/api/v1/sessions", json={"username": "leaver", "password": PASSWORD}).json()[
                "token"
            ]
            c.headers["Authorization"] = f"Bearer {token}"
            assert c.get("/api/v1/me").status_code == 200
            assert admin.patch(f"/api/v1/users/{uid}", json={"active": False}).status_code == 200
            assert c.get("/api/v1/me").status_code == 401
            again = c.post("/api/v1/sessions", json={"username": "leaver", "password": PASSWORD})
            assert again.status_code == 401
