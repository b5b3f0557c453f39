"""ハンズオン支援 in a real browser, as a coordinator: open a case, generate suggestions, accept one,
move the status (only the allowed moves are offered; a stale move is refused with the allowed ones),
complete a follow-up, then open the region report with its charts and download it as CSV."""

from __future__ import annotations

import csv
import io
import re
import secrets
from pathlib import Path

import pytest

from web.conftest import Session

pytestmark = pytest.mark.browser


def _status_buttons(session: Session) -> list[str]:
    codes = session.page.locator("#status [data-status-move]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-status-move'))"
    )
    return [str(c) for c in codes]


def test_work_a_case_and_read_the_report(session: Session) -> None:
    page = session.page
    region = "ブラウザ県" + secrets.token_hex(3)
    session.login("coord")
    session.go("/cases")
    if page.get_by_text("この機能はまだ利用できません").count():
        pytest.skip("the hands-on service is not part of this installation")

    page.get_by_label("企業名").fill("つなぐ精密工業株式会社")
    page.get_by_label("概要").fill("新たな販路の開拓と顧客ニーズの把握について相談")
    page.get_by_label("地域").fill(region)
    page.get_by_role("button", name="作成").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    assert page.locator("#case-status").get_attribute("data-status") == "open"
    assert _status_buttons(session) == ["in_progress", "closed"]  # no "solved" straight from open

    # suggestions: generate, read the reason, accept one with a comment
    page.get_by_role("button", name="提案を生成").click()
    page.wait_for_url(re.compile(r"\?suggested=\d+"))
    assert re.search(r"\d+ 件の新しい提案", page.inner_text("[role=status]"))
    market = page.locator("#suggestions li[data-suggestion-value='market']")
    assert "販路" in market.inner_text()  # the reason quotes the words of the title
    market.get_by_label("コメント (任意)").fill("販路開拓を優先")
    market.get_by_role("button", name="採用", exact=True).click()
    page.wait_for_url(re.compile(r"#suggestion-\d+$"))
    market = page.locator("#suggestions li[data-suggestion-value='market']")
    assert market.get_attribute("data-suggestion-status") == "accepted"
    assert "採用" in market.locator(".badge.ok").inner_text()
    issues = page.locator("#issues").inner_text()
    assert "市場" in issues and "販路開拓を優先" in issues and "提案から" in issues
    pending = page.locator("#suggestions li[data-suggestion-status='pending']")
    if pending.count():
        pending.first.get_by_role("button", name="不採用", exact=True).click()
        page.wait_for_url(re.compile(r"#suggestion-\d+$"))
        assert page.locator("#suggestions li[data-suggestion-status='rejected']").count() == 1

    # status: start work; the buttons follow the rules
    page.locator("#status").get_by_role("button", name="「対応中」にする").click()
    page.wait_for_url(re.compile(r"#status$"))
    assert page.locator("#case-status").inner_text() == "対応中"
    assert _status_buttons(session) == ["solved", "closed"]
    # a page left open elsewhere asks for a move the case no longer allows: refused, with the allowed ones
    page.locator("#status input[name=status]").first.evaluate("el => { el.value = 'open'; }")
    page.locator("#status [data-status-move]").first.click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "変更できません" in alert.inner_text() and "solved (解決)" in alert.inner_text()
    assert page.locator("#case-status").inner_text() == "対応中"
    assert page.locator("table.data").inner_text().count("受付 → 対応中") == 1

    # a follow-up, completed from the page
    page.goto(case_url)
    form = page.locator("#follow-ups form.card")
    form.get_by_label("内容").fill("出願方針の確認")
    form.get_by_label("期限").fill("2030-04-01")
    form.get_by_role("button", name="追加").click()
    page.wait_for_url(re.compile(r"#follow-ups$"))
    item = page.locator("#follow-ups li", has_text="出願方針の確認")
    item.get_by_placeholder("完了メモ (任意)").fill("電話で確認済み")
    item.get_by_role("button", name="完了にする").click()
    page.wait_for_url(re.compile(r"#follow-ups$"))
    item = page.locator("#follow-ups li", has_text="出願方針の確認")
    assert "完了" in item.locator(".badge.ok").inner_text() and "電話で確認済み" in item.inner_text()
    assert item.get_by_role("button", name="完了にする").count() == 0
    session.shot("case")

    # the region report, from the case page
    page.get_by_role("link", name="地域・期間別レポート").click()
    page.wait_for_url(re.compile(r"/cases/report"))
    page.get_by_label("地域 (複数選択可)").select_option(region)
    page.get_by_role("button", name="集計する").click()
    page.wait_for_url(re.compile(r"/cases/report\?region="))
    assert page.locator("#case-report-count").inner_text() == "1"
    page.locator("[data-case-chart='status'] svg rect").first.wait_for()
    assert page.locator("[data-case-chart='issues'] svg rect").count() >= 1  # the accepted 市場 tag
    assert "新規事業" in page.locator("[data-case-chart='issues'] svg").text_content()  # legend in Japanese
    assert page.locator("[data-case-chart='monthly'] svg rect").count() >= 1
    status_table = page.locator(
        "section.chart", has=page.get_by_role("heading", name="状況別の案件数", exact=True)
    )
    assert "対応中" in status_table.locator("table").inner_text()
    session.shot("case_report")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV をダウンロード").click()
    download = info.value
    assert download.suggested_filename == "case-report.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert region in rows[1]
    at = rows.index(["状況別の案件数"])
    assert ["対応中", "1"] in rows[at + 2 : at + 7]
