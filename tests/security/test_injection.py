"""HTML injection: markup in patent text and in user input is escaped on every page; errors leak nothing."""

from __future__ import annotations

import httpx

from api.live import EVIL_TITLE, LiveServer, page_csrf, web_login

RAW = ("<script>alert", "<img src=x onerror", "<b onmouseover", "<i>悪意</i>")


def _assert_escaped(html: str) -> None:
    for raw in RAW:
        assert raw not in html, raw


def test_patent_text_is_escaped_everywhere(sqlite_server: LiveServer) -> None:
    w = sqlite_server.world
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        web_login(c, "coord")
        page = c.get("/search", params={"q": "運転者の眠気を検出する装置"})
        assert page.status_code == 200
        assert "&lt;script&gt;alert" in page.text  # the evil title is shown, as text
        _assert_escaped(page.text)
        record = c.get(f"/patents/{w.evil_key}")
        assert "&lt;script&gt;" in record.text
        _assert_escaped(record.text)
    with sqlite_server.client("coordinator") as api:  # JSON carries the text as data, unchanged
        assert api.get(f"/api/v1/patents/{w.evil_key}").json()["title"] == EVIL_TITLE


def test_user_input_is_escaped(sqlite_server: LiveServer) -> None:
    w = sqlite_server.world
    evil = '"><script>alert(3)</script>'
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        web_login(c, "coord")
        page = c.get("/search", params={"q": evil, "applicant": evil})
        assert "<script>alert(3)" not in page.text and "&#34;&gt;&lt;script&gt;" in page.text
        token = page_csrf(page.text)
        c.post(
            f"/matching/deals/{w.deal}/notes",
            data={"text": "<script>alert(4)</script>メモ", "csrf_token": token},
        )
        deal = c.get(f"/matching/deals/{w.deal}")
        assert "<script>alert(4)" not in deal.text and "&lt;script&gt;alert(4)" in deal.text
        offers = c.get("/matching", params={"q": "<b>"})
        assert "<b>for</b>" not in offers.text
    with sqlite_server.client("admin") as admin:
        r = admin.post(
            "/api/v1/users",
            json={
                "username": "markup",
                "password": "x" * 12,
                "role": "bank",
                "institution": "<b>銀行</b>",
                "display_name": "<script>alert(5)</script>",
            },
        )
        assert r.status_code == 201, r.text
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        web_login(c, "markup", "x" * 12)
        home = c.get("/")
        assert "&lt;script&gt;alert(5)&lt;/script&gt;" in home.text and "<script>alert(5)" not in home.text
        discover = c.get("/discover", params={"text": evil})
        assert "<script>alert(3)" not in discover.text
        nxt = c.get("/login", params={"next": 'javascript:alert(1)"><script>'})
        assert nxt.status_code in (200, 303)
        assert "<script>" not in nxt.text.replace('<script src="/static/app.js', "")


def test_errors_do_not_leak(sqlite_server: LiveServer) -> None:
    with sqlite_server.client("sme") as c:
        r = c.get("/api/v1/patents/' OR 1=1 --")
        assert r.status_code == 404
        body = r.text.lower()
        for word in ("select", "sqlite", "traceback", "sqlalchemy", str(sqlite_server.home).lower()):
            assert word not in body
        r = c.get(f"/api/v1/companies/{sqlite_server.world.private_company}")
        assert r.status_code == 404 and "秘密工業" not in r.text
        results = c.get("/api/v1/search", params={"q": "極秘の表面処理"}).json()
        assert "秘密工業" not in str(results)  # company profiles never enter patent search
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        web_login(c, "sme1")
        page = c.get(f"/matching/companies/{sqlite_server.world.private_company}")
        assert page.status_code == 404 and "秘密工業" not in page.text and "極秘" not in page.text


def test_login_redirect_stays_on_site(sqlite_server: LiveServer) -> None:
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
        page = c.get("/login", params={"next": "//evil.example/x"})
        import re

        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/login",
            data={
                "username": "coord",
                "password": "correct-horse-battery-staple",
                "csrf_token": token,
                "next": "https://evil.example/",
            },
        )
        assert r.status_code == 303 and r.headers["location"] == "/"
