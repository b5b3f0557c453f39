"""`ConsortiumService` through the App wiring, on real records and a small real embedder.

Corpus: the committed J-PlatPat fixtures (real records, a few), indexed with the hashing embedder.
Candidates: the demo companies derived from those records' applicants (labelled as derived from
patent data), plus three fictional companies written here as TEST DATA (テスト…（テストデータ）)
with profile text only, in two regions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tsunagu.app import App
from tsunagu.errors import ValidationError
from tsunagu.services.consortium import ConsortiumRequest, derive_companies, plan_to_dict
from tsunagu.services.consortium.candidates import is_company_name
from tsunagu.services.consortium.optimizer import TeamConstraints, coverage, exact_team
from tsunagu.services.consortium.sheet import sheet_html, sheet_markdown
from tsunagu.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "data" / "jplatpat_csv"
CONCEPT = "運転者の眠気を推定し、車両の走行を制御して、障害物を検知する運転支援システム"

TEST_COMPANIES = (
    (
        "テスト振動シート工業（テストデータ）",
        "石川県",
        "座席に振動モーターを組み込み、運転者に警告する振動シートを製造",
    ),
    ("テスト生体センサ（テストデータ）", "石川県", "心拍や脳波を計測するセンサと眠気を推定する信号処理"),
    ("テスト電装（テストデータ）", "富山県", "車載電子制御ユニットと走行制御ソフトウェアの受託開発"),
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    home = tmp_path_factory.mktemp("home")
    app = App.from_settings(
        Settings(home=home, database_url=f"sqlite:///{home / 'db.sqlite'}", embedder="hashing")
    )
    app.ingestion.import_paths(
        [DATA / "jplatpat_first4.csv.gz", DATA / "jplatpat_forms.csv.gz"], update_index=False
    )
    app.update_indexes()
    from tsunagu.services.companies import CompanyService
    from tsunagu.storage.registry import SqlRegistryStore

    companies = CompanyService(SqlRegistryStore(app.store.engine), app.store)
    derived = derive_companies(companies, app.store)
    assert derived.registered >= 4
    again = derive_companies(companies, app.store)
    assert again.registered == 0 and again.already == derived.registered  # idempotent
    for name, region, text in TEST_COMPANIES:
        companies.add(name, region=region, capabilities=text)
    yield app
    app.close()


def test_company_names_filter() -> None:
    assert is_company_name("株式会社デンソー") and is_company_name("ACME Co., Ltd.")
    assert not is_company_name("渡辺 諭子") and not is_company_name("国立大学法人東北大学株式会社")


def test_plan_json_has_exactly_the_documented_keys(app: App) -> None:
    plan, matrix = app.consortium.plan(ConsortiumRequest(CONCEPT, size=2))
    doc = plan_to_dict(plan)
    assert list(doc) == ["team", "coverage", "capabilities", "gaps", "alternates"]
    phrases = [c["phrase"] for c in doc["capabilities"]]
    assert len(phrases) == 3 and all(w in p for w, p in zip(("眠気", "走行", "障害物"), phrases, strict=True))
    assert all(
        c["ipc_groups"] and abs(sum(g["weight"] for g in c["ipc_groups"]) - 1) < 0.01
        for c in doc["capabilities"]
    )
    assert len(doc["team"]) == 2 and 0.0 <= doc["coverage"] <= 1.0
    # coverage is the mean over capabilities of the best member fit, and it is optimal
    rows = [i for i, c in enumerate(matrix.companies) if c.candidate.key in {m["id"] for m in doc["team"]}]
    assert doc["coverage"] == pytest.approx(coverage(matrix.values, rows), abs=1e-4)
    assert plan.optimal
    assert exact_team(matrix.values, TeamConstraints(size=2)).coverage == pytest.approx(plan.coverage)
    # every covered capability names its member and evidence
    for member in doc["team"]:
        for cid in member["covers"]:
            f = member["fits"][cid]
            assert f["fit"] > 0 and (f["text_source"] or f["patents_in_groups"])
    derived = [m for m in doc["team"] if m["derived_from_patents"]]
    assert all(m["patents"] > 0 for m in derived)


def test_fits_follow_the_documented_formula(app: App) -> None:
    plan, matrix = app.consortium.plan(ConsortiumRequest(CONCEPT, size=2))
    p = app.consortium.params
    for row in matrix.details:
        for f in row:
            expected = 1 - (1 - f.text) * (1 - p.ipc_weight * f.ipc)
            assert f.fit == pytest.approx(expected, abs=2e-3)
            assert 0.0 <= f.fit <= 1.0
    assert matrix.values.shape == (len(matrix.companies), len(plan.capabilities))
    assert np.all((matrix.values >= 0) & (matrix.values <= 1))


def test_region_include_and_exclude(app: App) -> None:
    svc = app.consortium
    plan, _ = svc.plan(ConsortiumRequest(CONCEPT, size=2, regions=("石川県",)))
    assert {m.candidate.region for m in plan.team} == {"石川県"}
    plan, _ = svc.plan(ConsortiumRequest(CONCEPT, size=3, regions=("富山県",), region_min=1))
    assert sum(m.candidate.region == "富山県" for m in plan.team) >= 1 and len(plan.team) == 3
    plan, _ = svc.plan(ConsortiumRequest(CONCEPT, size=2, include=("テスト振動シート工業（テストデータ）",)))
    assert "テスト振動シート工業（テストデータ）" in [m.candidate.name for m in plan.team]
    first, _ = svc.plan(ConsortiumRequest(CONCEPT, size=2))
    top = first.team[0].candidate.name
    plan, _ = svc.plan(ConsortiumRequest(CONCEPT, size=2, exclude=(top,)))
    assert top not in [m.candidate.name for m in plan.team] and plan.coverage <= first.coverage + 1e-9
    with pytest.raises(ValidationError, match="did you mean"):
        svc.plan(ConsortiumRequest(CONCEPT, size=2, include=("テスト振動シート",)))
    with pytest.raises(ValidationError, match="region"):
        svc.plan(ConsortiumRequest(CONCEPT, size=2, regions=("沖縄県",)))
    with pytest.raises(ValidationError, match="size"):
        svc.plan(ConsortiumRequest(CONCEPT, size=0))


def test_gaps_alternates_and_sheet(app: App) -> None:
    plan, _ = app.consortium.plan(ConsortiumRequest(CONCEPT, size=1, capabilities=("ピザ生地を焼成する",)))
    doc = plan_to_dict(plan)
    gap_phrases = {g["phrase"] for g in doc["gaps"]}
    assert "ピザ生地を焼成する" in gap_phrases
    for g in doc["gaps"]:
        assert g["best_fit"] < app.consortium.params.gap_threshold
    assert doc["alternates"] and all(a["replaces"] == doc["team"][0]["company"] for a in doc["alternates"])
    md = sheet_markdown(plan)
    for heading in (
        "## コンセプト",
        "## 必要な機能とメンバーの対応",
        "## 各社の強み",
        "## 不足している機能",
        "## 代替候補",
        "## 検討事項",
    ):
        assert heading in md
    assert "イニシアティブ" in md and "ピザ生地を焼成する" in md
    page = sheet_html(plan)
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "<h2>検討事項" in page


def test_demo_step_derives_companies_once(tmp_path: Path) -> None:
    from tsunagu.demo import STEPS, run_demo

    home = tmp_path / "home"
    app = App.from_settings(
        Settings(home=home, database_url=f"sqlite:///{home / 'db.sqlite'}", embedder="hashing")
    )
    app.ingestion.import_paths(
        [DATA / "jplatpat_first4.csv.gz", DATA / "jplatpat_forms.csv.gz"], update_index=False
    )
    step = [s for s in STEPS if s.name == "derived_companies"]
    assert len(step) == 1
    first = run_demo(app, lambda *_: None, steps=step)
    assert first[0].status == "built" and "not real SME profiles" in first[0].detail
    derived = app.consortium_companies.list_companies(origin="derived_from_patents")
    names = {c.name for c in derived}
    assert "株式会社デンソー" in names and "渡辺 諭子" not in names  # persons are not companies
    denso = next(c for c in derived if c.name == "株式会社デンソー")
    assert "特許データから生成" in denso.note and "車両制御情報伝達構造" in denso.capabilities
    assert run_demo(app, lambda *_: None, steps=step)[0].status == "present"
    app.close()
