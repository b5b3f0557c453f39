"""The full rights list of a report's company as CSV, on real J-PlatPat and Lens exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError
from tsunagu.services.ingestion import IngestionService
from tsunagu.services.reports import ApplicantDirectory, parse_evaluator_input
from tsunagu.services.reports.expiry import right_status
from tsunagu.services.reports.rights import (
    RIGHTS_COLUMNS,
    RightRow,
    company_rights,
    rights_csv,
    write_rights_csv,
)
from tsunagu.storage.sql import SqlPatentStore

DATA = Path(__file__).resolve().parents[1] / "data"
NISSAN = "日産自動車株式会社"
SANGAMO = "SANGAMO THERAPEUTICS INC"
AS_OF = date(2026, 1, 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlPatentStore]:
    s = SqlPatentStore(f"sqlite:///{tmp_path_factory.mktemp('rights') / 'r.db'}")
    IngestionService(s).import_paths(
        [
            DATA / "jplatpat_csv" / "jplatpat_first4.csv.gz",
            DATA / "lens_csv" / "sangamo_lens_sample.csv.gz",
            DATA / "lens_csv" / "jet_engine_lens_sample.csv.gz",
        ],
        update_index=False,
    )
    yield s
    s.close()


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Japanese text
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_every_right_with_unknown_status_and_theoretical_expiry(
    store: SqlPatentStore, tmp_path: Path
) -> None:
    out = tmp_path / "rights.csv"
    n = write_rights_csv(store, ApplicantDirectory(store), NISSAN, out, as_of=AS_OF)
    rows = _read(out)
    assert n == len(rows) == 4
    assert list(rows[0]) == list(RIGHTS_COLUMNS["ja"])
    by_number = {r["番号"]: r for r in rows}
    r = by_number["JP2005346371A"]
    assert r["名称"].startswith("運転意図推定装置")
    assert r["状態"] == "状態不明（理論上の満了日）" and r["状態の出所"] == "機械推定"
    assert r["満了日（推定）"] == "2024-06-02" and r["満了日の算定"] == "出願日 + 20年"
    assert r["残存年数"].startswith("-") and r["種別"] == "特許"
    assert "A61B5/18" in r["IPC"].split("; ") and r["出典"] == "jplatpat_csv"
    assert [x["出願日"] for x in rows] == sorted((x["出願日"] for x in rows), reverse=True)


def test_imported_and_stated_status_are_kept_apart(store: SqlPatentStore) -> None:
    sangamo = company_rights(store, ApplicantDirectory(store), SANGAMO, as_of=AS_OF, lang="en")
    text = rights_csv(sangamo, "en")
    rows = list(csv.DictReader(io.StringIO(text)))
    statuses = {r["number"]: (r["status"], r["status origin"]) for r in rows}
    assert statuses["US9833479B2"] == ("ACTIVE", "imported (lens_csv)")
    assert statuses["US20230067653A1"] == ("DISCONTINUED", "imported (lens_csv)")
    assert all(r["expiry (estimate)"] == "" for r in rows)  # a known status: no theoretical expiry
    inputs = parse_evaluator_input({"legal_status": {"特開2005-346371": "登録・存続中"}})
    nissan = company_rights(store, ApplicantDirectory(store), NISSAN, inputs=inputs, as_of=AS_OF)
    stated = [r for r in nissan if r.status.status_source == "person"]
    assert [r.patent.publication_number for r in stated] == ["JP2005346371A"]
    rows = list(csv.DictReader(io.StringIO(rights_csv(nissan, "ja"))))
    origin = {r["番号"]: (r["状態"], r["状態の出所"]) for r in rows}
    assert origin["JP2005346371A"] == ("登録・存続中", "評価者記入")
    assert origin["JP2005343317A"] == ("状態不明（理論上の満了日）", "機械推定")


def test_unknown_company_and_a_company_known_from_inputs(store: SqlPatentStore) -> None:
    with pytest.raises(NotFoundError):
        company_rights(store, ApplicantDirectory(store), "存在しない株式会社")
    inputs = parse_evaluator_input({"company": {"name": "特許のない株式会社"}, "know_how": "溶接"})
    rows = company_rights(store, ApplicantDirectory(store), "特許のない株式会社", inputs=inputs)
    assert rows == []
    assert rights_csv(rows).splitlines() == [",".join(RIGHTS_COLUMNS["ja"])]


def test_cells_are_not_run_as_spreadsheet_formulas() -> None:
    p = Patent(
        key="JP-A-2099000002",
        publication_number="JP2099000002A",
        country="JP",
        series="A",
        title='=HYPERLINK("http://evil.example","click")',
        applicants=("@悪意株式会社",),
        filing_date="2019-01-01",
    ).with_source("test")
    rows = list(csv.reader(io.StringIO(rights_csv([RightRow(p, right_status(p, AS_OF))]))))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][11] == "'@悪意株式会社" and rows[1][7] == "13.0"
