"""`tsunagu report evaluation --rights-csv`: the company's full rights list beside the report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tsunagu.cli.main import cli
from tsunagu.services.ingestion import IngestionService
from tsunagu.storage.sql import SqlPatentStore

DATA = Path(__file__).resolve().parents[1] / "data"
NISSAN = "日産自動車株式会社"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("rights-home")
    store = SqlPatentStore(f"sqlite:///{folder / 'tsunagu.db'}")
    IngestionService(store).import_paths(
        [DATA / "jplatpat_csv" / "jplatpat_first4.csv.gz"], update_index=False
    )
    store.close()
    yield folder


def test_rights_csv_beside_the_report(home: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "input.json"
    inputs.write_text(json.dumps({"legal_status": {"JP2005330869A": "消滅 (年金未納)"}}), "utf-8")
    out, rights = tmp_path / "r.md", tmp_path / "権利一覧.csv"
    args = ["--home", str(home), "report", "evaluation", "--company", NISSAN, "--date", "2026-01-01"]
    r = CliRunner().invoke(
        cli,
        [*args, "--input", str(inputs), "--out", str(out), "--rights-csv", str(rights), "--json"],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["rights_csv"] == {"file": str(rights), "rights": 4}
    rows = list(csv.DictReader(io.StringIO(rights.read_text("utf-8-sig"))))
    assert [x["番号"] for x in rows] == ["JP2005329944A", "JP2005343317A", "JP2005346371A", "JP2005330869A"]
    by = {x["番号"]: x for x in rows}
    assert (by["JP2005330869A"]["状態"], by["JP2005330869A"]["状態の出所"]) == (
        "消滅 (年金未納)",
        "評価者記入",
    )
    assert by["JP2005346371A"]["状態"] == "状態不明（理論上の満了日）"
    assert by["JP2005346371A"]["満了日（推定）"] == "2024-06-02"
    # English, with the Markdown report on standard output
    en = tmp_path / "rights_en.csv"
    r = CliRunner().invoke(cli, [*args, "--lang", "en", "--rights-csv", str(en)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "## 1." in r.stdout and "rights list: 4" in r.stderr
    assert en.read_text("utf-8-sig").startswith("number,title,kind,status,status origin")
