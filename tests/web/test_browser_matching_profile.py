"""The company profile, report-sharing consent and deal documents in a real browser: an SME edits its
profile (a bad value is named, nothing is lost), grants and revokes consent for a bank; a coordinator
downloads the NDA checklist and the term sheet of a deal and records identity-reveal consent."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.conftest import Session

pytestmark = pytest.mark.browser


def test_sme_edits_profile_and_manages_report_consent(session: Session) -> None:
    page = session.page
    w = session.server.world
    session.login("sme1")
    session.go(f"/matching/companies/{w.company}")
    assert page.get_by_role("heading", name="つなぐ精密工業株式会社").is_visible()
    page.locator("#edit-profile > summary").click()
    page.locator("#f-equipment").fill("放電加工機、三次元測定機 (ブラウザ試験)")
    page.locator("#f-employees").fill("約三十名")
    page.get_by_role("button", name="プロフィールを保存").click()
    alert = page.locator("#profile-error")
    assert alert.is_visible() and alert.inner_text().startswith("employees:")
    assert page.locator("#f-employees").get_attribute("aria-invalid") == "true"
    # what was typed is kept for correcting
    assert page.locator("#f-equipment").input_value() == "放電加工機、三次元測定機 (ブラウザ試験)"
    page.locator("#f-employees").fill("35")
    page.get_by_role("button", name="プロフィールを保存").click()
    page.get_by_text("プロフィールを保存しました。").wait_for()
    profile = page.locator("dl.kv").first.inner_text()
    assert "放電加工機、三次元測定機 (ブラウザ試験)" in profile and "35" in profile
    assert "employees" not in page.locator("main").inner_text()

    consents = page.locator("#consents")
    seeded = consents.locator("ul.consents > li").filter(has_text=w.institution)
    assert "共有中" in seeded.inner_text()  # the consent recorded when the world was seeded
    consents.get_by_label("その他の金融機関名").fill("ブラウザ信用組合")
    consents.get_by_role("button", name="この金融機関との共有に同意").click()
    page.get_by_text("評価書の共有に同意しました。").wait_for()
    row = page.locator("#consents ul.consents > li").filter(has_text="ブラウザ信用組合")
    assert "共有中" in row.inner_text()
    session.shot("company_profile")
    row.get_by_role("button", name="同意を取り消す: ブラウザ信用組合").click()
    page.get_by_text("評価書の共有同意を取り消しました。").wait_for()
    row = page.locator("#consents ul.consents > li").filter(has_text="ブラウザ信用組合")
    assert "共有していません" in row.inner_text()
    assert row.get_by_role("button", name="共有に同意: ブラウザ信用組合").is_visible()
    assert "共有中" in page.locator("#consents ul.consents > li").filter(has_text=w.institution).inner_text()


def test_coordinator_downloads_deal_documents_and_records_reveal(session: Session, tmp_path: Path) -> None:
    page = session.page
    w = session.server.world
    with session.server.client("coordinator") as c:
        offer = c.post(
            "/api/v1/offers",
            json={
                "title": "文書ダウンロード試験の開放特許",
                "licensor_id": w.licensor,
                "programme_id": w.programme,
                "summary": "ブラウザ試験用",
            },
        )
        assert offer.status_code == 201, offer.text
        deal = c.post(
            "/api/v1/deals",
            json={"programme_id": w.programme, "offer_id": offer.json()["id"], "company_id": w.company},
        )
        assert deal.status_code == 201, deal.text
        deal_id = deal.json()["id"]
    session.login("coord")
    session.go(f"/matching/deals/{deal_id}")
    docs = page.locator("#documents")
    with page.expect_download() as info:
        docs.get_by_role("link", name="秘密保持契約（NDA）検討チェックリスト (Markdown)").click()
    download = info.value
    assert download.suggested_filename == f"deal-{deal_id}-nda.md"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("# 秘密保持契約") and "法的助言ではありません" in text
    with page.expect_download() as info:
        docs.get_by_role("link", name="ライセンス契約 条件概要（タームシート）検討用 (HTML)").click()
    sheet = tmp_path / "sheet.html"
    info.value.save_as(sheet)
    assert info.value.suggested_filename == f"deal-{deal_id}-term-sheet.html"
    assert "<!DOCTYPE html>" in sheet.read_text(encoding="utf-8")
    session.go(f"/matching/deals/{deal_id}")
    history = page.locator("table.data").inner_text()
    assert history.count(f"deal-{deal_id}-nda.md") == 1 and f"deal-{deal_id}-term-sheet.html" in history

    reveal = page.locator("#reveal")
    assert reveal.get_by_role("button").count() == 2  # a coordinator may record either side
    reveal.get_by_role("button", name="企業側の社名開示に同意").click()
    page.wait_for_url(session.server.url + f"/matching/deals/{deal_id}")
    reveal = page.locator("#reveal")
    assert "同意済み" in reveal.locator("li").first.inner_text()
    assert reveal.get_by_role("button").count() == 1
    assert "社名開示の同意" in page.locator("table.data").inner_text()
    session.shot("deal_documents")
