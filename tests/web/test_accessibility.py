"""Accessibility: axe-core (the copy bundled in the axe-playwright-python wheel) on every main page.

Each page is checked against the WCAG 2.0/2.1 A and AA rules axe-core automates (labels, names,
contrast, landmarks, language, ARIA use…), in Japanese at laptop width and in English at tablet width. A violation
fails the test with the rule, its impact and the first offending elements. Keyboard use and focus
order are checked in test_browser.py (the skip link is the first tab stop; the boldness slider moves with the arrow keys).
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from web.conftest import Session

PAGES = (
    "/",
    "/search?q=運転者の眠気",
    "/discover",
    "/matching",
    "/matching/companies",
    "/matching/matches",
    "/matching/deals",
    "/reports",
    "/reports/new",
    "/landscape",
    "/imports",
    "/cases",
    "/cases/report",
    "/consortium",
    "/admin/users",
    "/admin/audit",
)
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(autouse=True)
def _axe() -> None:
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        problem = "axe-playwright-python is not installed (pip install 'tsunagu[dev]')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def _violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=RULES).response
    out = []
    for v in result["violations"]:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']} — {targets}")
    return out


def test_login_page_is_accessible(session: Session) -> None:
    session.go("/login")
    assert _violations(session.page) == []


@pytest.mark.parametrize(("width", "lang"), [(1280, "ja"), (800, "en")])
def test_main_pages_are_accessible(session: Session, width: int, lang: str) -> None:
    """Laptop width in Japanese, tablet width in English."""
    session.page.set_viewport_size({"width": width, "height": 900})
    session.login("admin")
    session.go(f"/lang/{lang}")
    assert session.page.locator("html").get_attribute("lang") == lang
    w = session.server.world
    records = (
        f"/patents/{w.evil_key}",
        f"/matching/companies/{w.company}",
        f"/matching/offers/{w.offer}",
        f"/matching/deals/{w.deal}",
        f"/matching/matches?company_id={w.company}",
        "/discover?text=心拍や脳波から人の眠気や疲労を推定するセンシング技術",
    )
    found = {}
    for path in PAGES + records:
        response = session.go(path)
        assert response is not None and response.status == 200, path
        problems = _violations(session.page)
        if problems:
            found[path] = problems
    assert found == {}


def test_the_checker_finds_a_real_violation(session: Session) -> None:
    """The audit is live: an unlabeled field and low-contrast text added to a page are reported."""
    session.go("/login")
    session.page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const input = document.createElement('input');
            input.type = 'text';
            main.appendChild(input);
            const p = document.createElement('p');
            p.textContent = 'ほとんど見えない文字';
            p.style.color = '#eeeeee';
            main.appendChild(p);
        }"""
    )
    ids = {v.split(" ", 1)[0] for v in _violations(session.page)}
    assert {"label", "color-contrast"} <= ids


def test_chart_pages_are_accessible(session: Session) -> None:
    """Pages whose charts are drawn by script, audited once the charts are there."""
    page = session.page
    session.login("coord")
    session.go("/landscape")
    page.get_by_label("対象").select_option("query")
    page.get_by_label("値").fill("jet engine turbine")
    page.get_by_role("button", name="分析する").click()
    page.wait_for_url(re.compile(r"/landscape/[0-9a-f]{24}"), timeout=240_000)
    page.locator("[data-chart='ranking'] svg").wait_for()
    assert _violations(page) == []
    # the case report with a case in it (its charts are empty without one)
    session.go("/cases")
    page.get_by_label("企業名").fill("つなぐ精密工業株式会社")
    page.get_by_label("概要").fill("販路開拓の相談")
    page.get_by_label("地域").fill("アクセシビリティ県")
    page.get_by_role("button", name="作成").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert _violations(page) == []  # the case page itself
    session.go("/cases/report")
    page.locator("[data-case-chart='status'] svg").wait_for()
    assert _violations(page) == []
