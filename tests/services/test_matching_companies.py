"""The company register: lookup order, own patents, import, needs and report-sharing consent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from matching_corpus import SHARED, build_app

from tsunagu.app import App
from tsunagu.errors import ImportFormatError, NotFoundError, ValidationError

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    app = build_app(tmp_path_factory.mktemp("companies-home"))
    yield app
    app.close()


def test_lookup_prefers_the_register_then_corpus_applicants(app: App) -> None:
    # A J-PlatPat applicant, typed with a full-width space and half-width katakana.
    applicant = app.companies.resolve("マツダ　株式会社")
    assert applicant.kind == "applicant" and applicant.name == "マツダ株式会社"
    assert len(applicant.patent_keys) == 51
    registered = app.companies.add("マツダ株式会社", capabilities="ロータリーエンジン", region="広島県")
    found = app.companies.resolve("ﾏﾂﾀﾞ株式会社")
    assert found.kind == "registered" and found.company == registered
    assert len(found.patent_keys) == 51  # its patents come from the corpus by applicant name
    assert app.companies.resolve(str(registered.id)).company == registered
    assert app.companies.resolve(f"#{registered.id}").company == registered


def test_unknown_name_lists_near_matches(app: App) -> None:
    with pytest.raises(NotFoundError) as info:
        app.companies.resolve("トヨタ自動車")
    assert "トヨタ自動車株式会社" in str(info.value)
    with pytest.raises(NotFoundError, match=r"no similar name|近い名前はありません"):
        app.companies.resolve("zzzz-nothing-like-it")


def test_same_name_twice_asks_for_the_id(app: App) -> None:
    a = app.companies.add("山田製作所（テスト用）", region="大阪府")
    b = app.companies.add("山田製作所（テスト用）", region="新潟県")
    with pytest.raises(ValidationError) as info:
        app.companies.resolve("山田製作所（テスト用）")
    assert f"#{a.id}" in str(info.value) and f"#{b.id}" in str(info.value)


def test_own_patents_by_number_and_visibility_defaults(app: App) -> None:
    patent = next(p for p in app.store.iter_all() if p.country == "JP")
    company = app.companies.add(
        "番号で登録（テスト用）",
        patent_numbers=[patent.publication_number],
        visibility="公開",
        visible_fields=["capabilities", "patents"],
    )
    assert app.companies.resolved(company).patent_keys == (patent.key,)
    assert company.visibility.level == "public"
    assert company.visibility.fields == frozenset({"capabilities", "patents"})
    with pytest.raises(ValidationError, match="visible_fields"):
        app.companies.add("不正（テスト用）", visible_fields=["salary"])


def test_import_template_updates_by_name_and_rejects_bad_rows(app: App, tmp_path: Path) -> None:
    path = tmp_path / "companies.csv"
    path.write_text(
        "企業名,地域,業種,規模,従業員数,技術・ノウハウ,設備,公開範囲\n"
        "株式会社テスト精工（テスト用）,神奈川県,金属加工,中小企業,45名,精密切削,5軸MC,匿名で公開\n"
        "テスト樹脂（テスト用）,大阪府,樹脂成形,small,,射出成形,,private\n",
        encoding="utf-8",
    )
    report = app.companies.import_file(path)
    assert (report.new, report.updated) == (2, 0)
    seiko = app.companies.resolve("株式会社テスト精工（テスト用）").company
    assert seiko is not None and (seiko.size, seiko.employees, seiko.visibility.level) == (
        "small",
        45,
        "anonymous",
    )
    again = app.companies.import_file(path)
    assert (again.new, again.updated) == (0, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("企業名,規模\n良い会社（テスト用）,small\n悪い会社（テスト用）,huge\n", encoding="utf-8")
    before = app.registry.count_companies()
    with pytest.raises(ImportFormatError) as info:
        app.companies.import_file(bad)
    assert info.value.line == 3 and info.value.field == "size"
    assert app.registry.count_companies() == before


def test_needs_and_consents(app: App) -> None:
    company = app.companies.add("ニーズ工業（テスト用）")
    need = app.companies.add_need(company.id, "軽量で丈夫な素材", problem="製品が重い", exclusivity="独占")
    assert need.exclusivity == "exclusive" and need.visibility == "anonymous"
    assert [n.id for n in app.companies.list_needs(company.id)] == [need.id]
    app.companies.close_need(need.id)
    assert app.companies.list_needs(company.id) == []
    assert app.companies.list_needs(company.id, status="")[0].status == "closed"
    with pytest.raises(ValidationError, match="登録企業ではありません"):
        app.companies.add_need("本田技研工業株式会社", "something")  # a corpus applicant, not registered
    app.companies.grant_consent(company.id, "横浜信用金庫", actor="sato")
    assert app.companies.may_share_reports(company.id, "横浜 信用金庫")
    assert not app.companies.may_share_reports(company.id, "ほかの銀行")
    assert [c.id for c in app.companies.companies_consenting("横浜信用金庫")] == [company.id]
    assert app.companies.revoke_consent(company.id, "横浜信用金庫") == 1
    assert not app.companies.may_share_reports(company.id, "横浜信用金庫")
    history = app.companies.consents(company.id)
    assert len(history) == 1 and history[0].revoked_at  # revoked, not deleted
