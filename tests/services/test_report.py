"""知財ビジネス評価書 / 提案書 on real applicants of the demo corpus, rendered to HTML, PDF and Markdown."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tsunagu.domain.fields import field_name
from tsunagu.domain.patent import Patent
from tsunagu.errors import MissingDependencyError, NotFoundError, ValidationError
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.services.landscape import LandscapeService
from tsunagu.services.reports import (
    ApplicantDirectory,
    IdeaEvidence,
    IdeaSummary,
    ReportService,
    load_evaluator_input,
    load_template,
    parse_evaluator_input,
    relief_from_royalty,
    right_status,
)
from tsunagu.services.reports.inputs import ValuationInput, parse_rate
from tsunagu.services.reports.render import render_html
from tsunagu.storage.sql import SqlPatentStore

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "tsunagu" / "data" / "demo" / "patents.jsonl.gz"
AS_OF = date(2026, 1, 1)
NISSAN = "日産自動車株式会社"
GOOGLE = "Google Inc."

EVALUATION_TITLES_JA = [
    "評価結果の要約",
    "企業概要・事業概要",
    "知的財産の概要",
    "知的財産と事業の関係",
    "強み・弱み",
    "市場・競合",
    "今後の展望・成長性",
    "定性評価",
    "定量評価（参考）",
    "資料",
]
EVALUATION_TITLES_EN = [
    "Summary of the evaluation",
    "Company and business overview",
    "Intellectual property overview",
    "IP and business",
    "Strengths and weaknesses",
    "Market and competitors",
    "Outlook and growth potential",
    "Qualitative evaluation",
    "Quantitative evaluation (reference)",
    "Sources",
]


def _namer(lang: str):  # type: ignore[no-untyped-def]
    return lambda code: field_name(code).label(lang)


def _reader() -> IngestionService:
    return IngestionService(store=None)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlPatentStore]:
    """The demo corpus' J-PlatPat and Google Patents records and Sangamo's Lens export (real data)."""
    if not DEMO.exists():
        pytest.skip(f"demo corpus {DEMO} is absent")
    keep = []
    for p in _reader().iter_records([DEMO]):
        if (
            "jplatpat_csv" in p.extra
            or "google_patents_csv" in p.extra
            or any("SANGAMO" in a.upper() for a in p.applicants)
        ):
            keep.append(p)
    store = SqlPatentStore(f"sqlite:///{tmp_path_factory.mktemp('reports') / 'demo.db'}")
    store.upsert_many(keep)
    yield store
    store.close()


@pytest.fixture(scope="module")
def service(corpus: SqlPatentStore) -> ReportService:
    landscape = LandscapeService(corpus, namer=_namer)
    return ReportService(corpus, ApplicantDirectory(corpus), landscape.corpus_statistics, namer=_namer)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


# -- legal status and expiry ---------------------------------------------------------------------


def test_expiry_rules_on_real_records(shared_data: Path) -> None:
    jp = {p.key: p for p in read_patents(_reader(), [shared_data / "formats" / "jplatpat_csv"])}
    patent = jp["JP-A-2005346371"]
    st = right_status(patent, AS_OF)
    assert st.status == "状態不明（理論上の満了日）" and st.status_source == "rule"
    assert st.expiry == "2024-06-02" and st.kind == "patent"  # filed 2004-06-02 + 20 years
    assert st.remaining_years is not None and st.remaining_years < 0
    um = jp["JP-R-3184769"]  # 実登, filed 2013-01-15: a utility model filed from 2005 → + 10 years
    st = right_status(um, AS_OF)
    assert st.kind == "utility_model" and st.expiry == "2023-01-15" and "10" in st.rule
    old_um = jp["JP-U-H07005977"]  # 実開, filed 1993 under the old law
    assert right_status(old_um, AS_OF).kind == "utility_model"
    design = read_patents(_reader(), [ROOT / "tests" / "data" / "uspto_xml" / "USD435854S1.xml"])[0]
    st = right_status(design, AS_OF)  # filed 1999-01-06, granted 2001-01-02: before 2015-05-13 → 14 years
    assert st.kind == "design" and st.expiry == "2015-01-02" and "14" in st.rule
    later = dataclasses.replace(design, filing_date="2016-03-01", grant_date="2018-05-01")
    assert right_status(later, AS_OF).expiry == "2033-05-01"  # filed after 2015-05-13 → grant + 15
    en = right_status(patent, AS_OF, lang="en")
    assert en.status == "status unknown (theoretical expiry)"


def test_imported_and_stated_status_win_over_the_rule(corpus: SqlPatentStore) -> None:
    sangamo = next(
        p
        for p in corpus.iter_all()
        if any("Legal Status" in v for v in p.extra.values() if isinstance(v, dict))
    )
    st = right_status(sangamo, AS_OF)
    assert st.status_source == "imported:lens_csv" and st.expiry == ""
    assert st.status == sangamo.extra["lens_csv"]["Legal Status"]
    nodate = Patent(key="JP-A-1", publication_number="JP1A", country="JP")
    assert right_status(nodate, AS_OF).expiry == "" and "出願日" in right_status(nodate, AS_OF).status
    assert right_status(nodate, AS_OF, stated="登録・存続中").status_source == "person"


# -- evaluator input and valuation -----------------------------------------------------------------


def test_relief_from_royalty_uses_only_the_evaluator_inputs() -> None:
    v = ValuationInput(
        royalty_rate=0.03, revenue_forecast=(1000.0, 1100.0, 1200.0), discount_rate=0.1, period=3
    )
    r = relief_from_royalty(v)
    want = 30 / 1.1 + 33 / 1.1**2 + 36 / 1.1**3
    assert r.value == pytest.approx(want)
    assert [round(y.royalty, 6) for y in r.years] == [30.0, 33.0, 36.0]
    with pytest.raises(ValidationError, match="royalty_rate"):
        relief_from_royalty(ValuationInput(revenue_forecast=(1.0,), discount_rate=0.1, period=1))
    assert parse_rate("3%", "x") == pytest.approx(0.03) and parse_rate("0.1", "x") == pytest.approx(0.1)
    with pytest.raises(ValidationError, match="out of range"):
        parse_rate(3, "valuation.royalty_rate")
    with pytest.raises(ValidationError, match="period is 5"):
        parse_evaluator_input(
            {
                "valuation": {
                    "royalty_rate": "3%",
                    "revenue_forecast": [1, 2],
                    "discount_rate": 0.1,
                    "period": 5,
                }
            }
        )


def test_input_template_loads_and_typos_are_refused(tmp_path: Path) -> None:
    tpl = ROOT / "src" / "tsunagu" / "data" / "report_templates" / "evaluator_input.ja.yaml"
    empty = load_evaluator_input(tpl)
    assert empty.summary == "" and empty.valuation is not None and empty.valuation.missing()
    with pytest.raises(ValidationError, match="summery"):
        parse_evaluator_input({"summery": "typo"})
    bad = tmp_path / "bad.json"
    bad.write_text('{"company": {"name": "x", "ceo": "y"}}', "utf-8")
    with pytest.raises(ValidationError, match=r"bad\.json.*ceo"):
        load_evaluator_input(bad)


def _input_file(tmp_path: Path) -> Path:
    path = tmp_path / "input.yaml"
    path.write_text(
        """
evaluator: {name: 評価 太郎, organization: テスト信用金庫, date: "2026-01-01"}
company: {business: 自動車の製造・販売, employees: "20000"}
summary: 運転支援の技術を多数保有し、量産車に展開している。
strengths: [量産車への搭載実績]
qualitative:
  有効性: {rating: B, comment: 運転支援の主要構成を押さえている}
  remaining_term: {rating: C}
valuation:
  royalty_rate: "2%"
  revenue_forecast: [100000, 110000, 120000, 130000, 140000]
  discount_rate: "8%"
  period: 5
  unit: 百万円
  basis: 評価者の想定 (テスト)
issues:
  - {text: 取引先が大手1社に集中している, category: 下請け脱却}
  - 後継者への技術承継が課題
  - 新分野に参入したい
""",
        "utf-8",
    )
    return path


# -- the evaluation report -------------------------------------------------------------------------


def test_nissan_evaluation_pdf_has_every_section_and_the_status_label(
    service: ReportService, tmp_path: Path
) -> None:
    inputs = load_evaluator_input(_input_file(tmp_path))
    out = tmp_path / "nissan.pdf"
    written = service.write("evaluation", NISSAN, out, inputs=inputs, as_of=AS_OF)
    assert out.stat().st_size > 50_000 and written.format == "pdf"
    text = _pdf_text(out)
    compact = re.sub(r"\s+", "", text)
    for n, title in enumerate(EVALUATION_TITLES_JA, start=1):
        assert f"{n}.{title}" in compact, title
    assert "状態不明（理論上の満了日）" in compact
    assert "未入力" in compact  # the evaluator rated only two of six items
    assert "取引価格" in compact  # relief-from-royalty is stated not to be a transaction price
    assert "評価者記入" in compact and "機械推定" in compact
    from pypdf import PdfReader

    fonts = {
        str(f)
        for page in PdfReader(str(out)).pages[:2]
        for f in (page["/Resources"].get("/Font") or {}).values()
    }
    names = " ".join(
        str(PdfReader(str(out)).get_object(f.idnum)["/BaseFont"]) if hasattr(f, "idnum") else str(f)
        for f in fonts
    )
    assert "IPAexGothic" in names or "IPAex" in names
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:  # the first page renders (looked at by hand during development)
        subprocess.run(
            [pdftoppm, "-r", "30", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")], check=True
        )
        assert any(tmp_path.glob("p*.png"))


def test_machine_and_person_statements_are_visibly_distinct(service: ReportService, tmp_path: Path) -> None:
    inputs = load_evaluator_input(_input_file(tmp_path))
    report = service.build("evaluation", NISSAN, inputs=inputs, as_of=AS_OF)
    html = render_html(report)
    summary = report.section("summary")
    origins = [b.origin for b in summary.blocks]
    assert "machine" in origins and "person" in origins
    # The evaluator's words sit in a person block, the machine findings in a machine block.
    assert re.search(r'class="blk o-person">.*?運転支援の技術を多数保有', html, re.S)
    assert re.search(r'class="blk o-machine">.*?特許データからの所見', html, re.S)
    ratings = report.section("qualitative").blocks[0]
    rows = {r["label"]: r for r in ratings.rows}  # type: ignore[union-attr]
    assert rows["有効性"]["rating"] == "B" and rows["有効性"]["origin"] == "person"
    assert rows["残存期間"]["rating"] == "C"
    assert rows["侵害発見容易性"]["origin"] == "missing"
    assert rows["残存期間"]["reference"]  # machine reference beside the person's rating
    valuation = report.section("valuation")
    assert any(
        getattr(b, "kind", "") == "table" and "合計 (参考値)" in b.rows[-1][0] for b in valuation.blocks
    )
    # Offline page: no external resources, the font is embedded.
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html) and "data:font/woff;base64," in html


def test_no_default_rates_without_valuation_input(service: ReportService) -> None:
    report = service.build("evaluation", NISSAN, as_of=AS_OF)
    block = report.section("valuation").blocks[0]
    assert block.origin == "missing" and "royalty_rate" in block.text  # type: ignore[union-attr]
    assert report.section("summary").blocks[-1].origin == "missing"


def test_us_applicant_english_report(service: ReportService, tmp_path: Path) -> None:
    out = tmp_path / "google.pdf"
    written = service.write("evaluation", GOOGLE, out, lang="en", as_of=AS_OF)
    assert written.report.meta["documents"] >= 100
    compact = re.sub(r"\s+", "", _pdf_text(out))
    for n, title in enumerate(EVALUATION_TITLES_EN, start=1):
        assert f"{n}.{title}".replace(" ", "") in compact, title
    assert "statusunknown(theoreticalexpiry)" in compact
    md = tmp_path / "google.md"
    service.write("evaluation", GOOGLE, md, lang="en", as_of=AS_OF)
    body = md.read_text("utf-8")
    assert "## 3. Intellectual property overview" in body
    assert (tmp_path / "google_files").is_dir() and any((tmp_path / "google_files").glob("*.png"))


def test_company_without_patents_works_from_know_how(service: ReportService, tmp_path: Path) -> None:
    inputs = parse_evaluator_input(
        {
            "company": {"name": "株式会社テスト精工", "business": "精密樹脂部品の射出成形"},
            "know_how": "金型温度の精密制御により、薄肉部品を反りなく成形するノウハウ。",
        }
    )
    report = service.build("evaluation", "株式会社テスト精工", inputs=inputs, as_of=AS_OF)
    assert report.meta["documents"] == 0 and report.meta["company_kind"] == "input"
    html = render_html(report)
    assert "薄肉部品を反りなく成形" in html and "特許出願が見つからない" in html
    with pytest.raises(NotFoundError, match="did you mean"):
        service.build("evaluation", "日産自動車", as_of=AS_OF)


def test_ideas_and_offers_from_a_provider_fill_section_7(corpus: SqlPatentStore) -> None:
    class Ideas:
        def ideas(self, profile, patents, know_how, k):  # type: ignore[no-untyped-def]
            p = patents[0]
            return [
                IdeaSummary(
                    "A61B5/00",
                    "診断",
                    "Detecting",
                    function="眠気の推定",
                    evidence=(IdeaEvidence(p.publication_number, p.title, p.applicants[0], p.year),),
                    scores={"relevance": 0.5},
                    offers=("Heart monitor (NASA)",),
                )
            ]

    landscape = LandscapeService(corpus, namer=_namer)
    svc = ReportService(
        corpus, ApplicantDirectory(corpus), landscape.corpus_statistics, namer=_namer, ideas=Ideas()
    )
    report = svc.build("evaluation", NISSAN, as_of=AS_OF)
    html = render_html(report)
    assert "A61B5/00 診断" in html and "眠気の推定" in html and "Heart monitor (NASA)" in html


def test_proposal_maps_issues_to_solutions_with_evidence(service: ReportService, tmp_path: Path) -> None:
    inputs = load_evaluator_input(_input_file(tmp_path))
    report = service.build("proposal", NISSAN, inputs=inputs, as_of=AS_OF)
    table = report.section("issues").blocks[0]
    rows = {r[0]: r for r in table.rows}  # type: ignore[union-attr]
    assert rows["取引先が大手1社に集中している"][1] == "下請け脱却"
    assert rows["後継者への技術承継が課題"][1] == "事業承継"  # inferred from keywords
    assert rows["新分野に参入したい"][1] == "新業界進出"
    solutions = report.section("solutions")
    titles = [getattr(b, "title", "") for b in solutions.blocks]
    assert any(t.startswith("新業界進出") for t in titles)
    evidence = [b for b in solutions.blocks if getattr(b, "title", "") == "根拠"]
    assert evidence and any("隣接する未出願分野" in t for b in evidence for t, _ in b.items)  # type: ignore[union-attr]
    out = tmp_path / "proposal.pdf"
    service.write("proposal", NISSAN, out, inputs=inputs, as_of=AS_OF)
    compact = re.sub(r"\s+", "", _pdf_text(out))
    for title in ("企業概要", "経営課題", "知的財産を活用した解決策", "資料"):
        assert title in compact


def test_institution_template_replaces_items(service: ReportService, tmp_path: Path) -> None:
    custom = tmp_path / "bank.yaml"
    custom.write_text(
        """
kind: evaluation
language: ja
title: 当金庫 知財評価シート
subtitle: 試行版
sections:
  - {id: summary, title: 総括}
  - id: qualitative
    title: 当金庫の評価項目
    items:
      - {code: moat, label: 参入障壁, description: 他社の参入の難しさ}
  - {id: visit, title: 訪問記録}
""",
        "utf-8",
    )
    template = load_template("evaluation", path=custom)
    inputs = parse_evaluator_input({"qualitative": {"参入障壁": "A"}, "notes": {"visit": "工場を見学した。"}})
    report = service.build("evaluation", NISSAN, inputs=inputs, template=template, as_of=AS_OF)
    assert report.section_titles() == ["1. 総括", "2. 当金庫の評価項目", "3. 訪問記録"]
    assert report.section("qualitative").blocks[0].rows[0]["rating"] == "A"  # type: ignore[union-attr]
    assert report.section("visit").blocks[0].text == "工場を見学した。"  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        load_template("proposal", path=custom)


def test_missing_pango_is_named(
    service: ReportService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ctypes.util

    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if name.startswith("pango") else real(name)
    )
    with pytest.raises(MissingDependencyError, match=r"libpango-1\.0-0.*libpangoft2-1\.0-0"):
        service.write("evaluation", NISSAN, tmp_path / "x.pdf", as_of=AS_OF)
    with pytest.raises(ValidationError, match=r"\.html, \.pdf or \.md"):
        service.write("evaluation", NISSAN, tmp_path / "x.docx", as_of=AS_OF)
