"""`tsunagu consortium` on a temporary home: real J-PlatPat fixture records, the hashing embedder,
companies derived from the records' applicants and one fictional TEST DATA company."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tsunagu.app import App
from tsunagu.cli.main import COMMANDS, cli
from tsunagu.services.consortium import derive_companies
from tsunagu.settings import Settings

DATA = Path(__file__).resolve().parents[1] / "data" / "jplatpat_csv"
CONCEPT = "運転者の眠気を推定し、車両の走行を制御して、障害物を検知する運転支援システム"


@pytest.fixture
def home(tmp_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TSUNAGU_EMBEDDER", "hashing")
    app = App.from_settings(Settings.from_env())
    app.ingestion.import_paths([DATA / "jplatpat_first4.csv.gz", DATA / "jplatpat_forms.csv.gz"])
    derive_companies(app.consortium_companies, app.store)
    app.consortium_companies.add(
        "テスト電装（テストデータ）", region="富山県", capabilities="車載電子制御ユニットと走行制御"
    )
    app.close()
    return tmp_home


def test_consortium_json_and_sheet(home: Path, tmp_path: Path) -> None:
    assert COMMANDS["consortium"] == ("tsunagu.cli.consortium", "consortium")
    runner = CliRunner()
    sheet = tmp_path / "sheet.html"
    result = runner.invoke(
        cli, ["consortium", CONCEPT, "--size", "2", "--json", "--sheet", str(sheet)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["team", "coverage", "capabilities", "gaps", "alternates"]
    assert len(doc["team"]) == 2 and 0 < doc["coverage"] <= 1
    assert "ワークショップシート" in sheet.read_text(encoding="utf-8")

    shown = runner.invoke(
        cli,
        ["consortium", CONCEPT, "--size", "2", "--include", "テスト電装（テストデータ）"],
        catch_exceptions=False,
    )
    assert shown.exit_code == 0, shown.output
    assert "テスト電装（テストデータ）" in shown.stdout and "coverage" in shown.stdout
    assert "最適解" in shown.stdout


def test_consortium_refuses_unknown_names(home: Path) -> None:
    result = CliRunner().invoke(cli, ["consortium", CONCEPT, "--exclude", "存在しない工業"])
    assert result.exit_code == 1
    assert "no candidate company" in result.output
