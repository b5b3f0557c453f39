"""Offers: NASA catalogue import, our template (Japanese/English headers), fields from patents or text."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from matching_corpus import NASA_FIXTURE, SHARED, build_app

from tsunagu.app import App
from tsunagu.errors import ImportFormatError, ValidationError
from tsunagu.services.matching.offers import OfferService

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    app = build_app(tmp_path_factory.mktemp("offers-home"))
    app.programmes.create("kawasaki", "川崎モデル（テスト用）", organiser="川崎市")
    yield app
    app.close()


def test_nasa_catalogue_import_is_idempotent_and_infers_fields(app: App) -> None:
    report = app.offers.import_file(NASA_FIXTURE, programme_id=app.programmes.get("kawasaki").id)
    assert (report.format, report.read, report.new, report.duplicates) == ("nasa_t2_csv", 8, 7, 1)
    assert report.licensors == 5
    offers = {o.external_ref: o for o in app.offers.list_offers()}
    mesh = offers["LAR-18327-1"]
    assert mesh.title == "Stretchable Mesh for Cavity Noise Reduction"
    assert mesh.valid_until == "2034-03-11"  # the catalogue's expiration date
    assert mesh.contact_role == "Office of Partnership Development"  # an office, never a person
    assert app.registry.get_licensor(mesh.licensor_id).name == "NASA Langley Research Center"
    assert offers["KSC-12236-2-PCT"].valid_until == ""  # 1970-01-01 means unknown
    assert offers["LEW-17765-1"].patent_numbers == ("7,438,030",)
    # The catalogue carries no IPC codes: fields come from the nearest classified corpus records.
    assert all(o.ipc_source == "inferred" and o.ipc_codes for o in offers.values())
    again = app.offers.import_file(NASA_FIXTURE)
    assert (again.new, again.updated, again.unchanged, again.duplicates) == (0, 0, 7, 1)


def test_committed_demo_catalogue_is_the_shared_file(shared_data: Path) -> None:
    committed = Path(__file__).resolve().parents[2] / "src" / "tsunagu" / "data" / "demo"
    data = gzip.decompress((committed / "nasa_patents_as_of_2014-10-31.csv.gz").read_bytes())
    shared = shared_data / "formats" / "nasa_t2_csv" / "nasa_patents_as_of_2014-10-31.csv"
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(shared.read_bytes()).hexdigest()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == 1494 and len({r["Reference Number"] for r in rows}) == 1285


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding=encoding)
    return path


def test_template_with_japanese_headers_links_patents_and_parses_labels(app: App, tmp_path: Path) -> None:
    # Test data written by the test: one offer linked to a real corpus patent, one with stated IPC.
    patent = next(p for p in app.store.iter_all() if p.country == "JP" and p.ipc_codes)
    path = _write_csv(
        tmp_path / "offers_ja.csv",
        [
            "権利者",
            "管理番号",
            "技術名称",
            "概要",
            "解決する課題",
            "効果",
            "開発段階",
            "提供形態",
            "想定用途",
            "窓口",
            "有効期限",
            "特許番号",
            "IPC",
        ],
        [
            [
                "テスト重工（テスト用）",
                "T-1",
                "居眠り検知センサ",
                "心拍から眠気を推定",
                "居眠り事故",
                "検知精度20%向上",
                "試作",
                "ライセンス",
                "トラック; 鉄道",
                "知財部",
                "2027/3/31",
                patent.publication_number,
                "",
            ],
            [
                "テスト重工（テスト用）",
                "T-2",
                "軽量ダンパー",
                "振動を吸収する薄型部品",
                "",
                "",
                "製品化",
                "両方",
                "",
                "",
                "",
                "",
                "F16F15/00",
            ],
        ],
        encoding="cp932",  # what Excel writes in Japan
    )
    report = app.offers.import_file(path)
    assert (report.format, report.new) == ("tsunagu_offer_template", 2)
    by_ref = {o.external_ref: o for o in app.offers.list_offers(licensor="テスト重工（テスト用）")}
    linked = by_ref["T-1"]
    assert linked.patent_keys == (patent.key,)
    assert linked.ipc_source == "patents" and set(linked.ipc_codes) == set(patent.ipc_codes)
    assert (linked.tech_stage, linked.availability) == ("prototype", "licence")
    assert linked.uses == ("トラック", "鉄道") and linked.valid_until == "2027-03-31"
    stated = by_ref["T-2"]
    assert (stated.ipc_source, stated.ipc_codes, stated.availability) == ("given", ("F16F15/00",), "both")
    assert stated.contact_role == ""  # nothing stated, nothing invented


def test_template_jsonl_with_english_headers_updates_by_reference(app: App, tmp_path: Path) -> None:
    path = tmp_path / "offers.jsonl"
    record = {
        "licensor": "Test Labs (test data)",
        "ref": "X-9",
        "title": "Ice detection film",
        "summary": "A thin film that senses ice on wings",
        "availability": "assignment",
        "uses": ["aircraft", "wind turbines"],
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    first = app.offers.import_file(path)
    record["title"] = "Ice detection film for wings"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    second = app.offers.import_file(path)
    assert (first.new, second.new, second.updated) == (1, 0, 1)
    offer = app.offers.get(second.offer_ids[0])
    assert offer.title == "Ice detection film for wings" and offer.uses == ("aircraft", "wind turbines")
    assert offer.ipc_source == "inferred"  # no patent, no stated code: inferred from the text


def test_bad_template_names_file_line_and_field_and_writes_nothing(app: App, tmp_path: Path) -> None:
    before = app.registry.count_offers()
    unknown = _write_csv(tmp_path / "unknown.csv", ["権利者", "技術名称", "価格"], [["A社", "技術", "100"]])
    with pytest.raises(ImportFormatError, match="価格") as info:
        app.offers.import_file(unknown)
    assert info.value.line == 1 and info.value.field == "価格"
    bad = _write_csv(
        tmp_path / "bad.csv",
        ["licensor", "title", "availability"],
        [["Good Co (test)", "ok", "licence"], ["Good Co (test)", "bad", "rental"]],
    )
    with pytest.raises(ImportFormatError) as info:
        app.offers.import_file(bad)
    assert info.value.line == 3 and info.value.field == "availability"
    assert "licence" in str(info.value)  # the accepted values are listed
    assert app.registry.count_offers() == before
    assert app.registry.find_licensor("Good Co (test)") is None


def test_add_validates_and_close_keeps_the_record(app: App) -> None:
    with pytest.raises(ValidationError, match="valid_until"):
        app.offers.add("Solo Co (test)", "Gadget", valid_until="someday")
    offer = app.offers.add("Solo Co (test)", "Gadget", ipc_codes=["G01N 25/00"])
    assert offer.ipc_codes == ("G01N25/00",) and offer.ipc_source == "given"
    closed = app.offers.close(offer.id)
    assert closed.status == "closed" and app.offers.get(offer.id).status == "closed"
    assert offer.id not in {o.id for o in app.offers.list_offers()}
    assert offer.id in {o.id for o in app.offers.list_offers(status="")}


def test_offers_without_inferrer_have_no_fields(app: App) -> None:
    service = OfferService(app.registry, app.store, inferrer=None)
    lic = service.add_licensor("No Inference Lab (test)")
    offer = service.build(lic, "Heat pipe")
    assert offer.ipc_codes == () and offer.ipc_source == ""
