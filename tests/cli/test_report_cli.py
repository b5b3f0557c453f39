"""`tsunagu report …` and `tsunagu landscape …` end to end on a real J-PlatPat export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tsunagu.cli.main import cli
from tsunagu.services.ingestion import IngestionService
from tsunagu.storage.sql import SqlPatentStore

pytestmark = pytest.mark.shared

NISSAN = "日産自動車株式会社"


@pytest.fixture(scope="module")
def home(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A tsunagu home whose database holds one real J-PlatPat export (no search index needed)."""
    folder = tmp_path_factory.mktemp("cli-home")
    export = sorted((shared_data / "formats" / "jplatpat_csv").glob("*①*"))[0]
    store = SqlPatentStore(f"sqlite:///{folder / 'tsunagu.db'}")
    IngestionService(store).import_paths([export], update_index=False)
    store.close()
    yield folder


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_evaluation_markdown_to_stdout_and_html_file(home: Path, tmp_path: Path) -> None:
    r = run(home, "report", "evaluation", "--company", NISSAN, "--date", "2026-01-01")
    assert r.exit_code == 0, r.output
    for n, title in enumerate(["評価結果の要約", "企業概要・事業概要", "知的財産の概要"], start=1):
        assert f"## {n}. {title}" in r.output
    assert "〔未入力〕" in r.output and "状態不明（理論上の満了日）" in r.output
    out = tmp_path / "r.html"
    r = run(home, "report", "evaluation", "--company", "日産自動車　株式会社", "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["company"] == NISSAN and doc["file"] == str(out) and len(doc["sections"]) == 10
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_input_template_round_trip_and_proposal(home: Path, tmp_path: Path) -> None:
    r = run(home, "report", "input-template")
    assert r.exit_code == 0 and "qualitative" in r.output
    path = tmp_path / "input.yaml"
    text = r.output.replace('summary: ""', 'summary: "聞き取りの総括"').replace(
        "issues: []", "issues:\n  - 売上の多くを特定の取引先に依存している"
    )
    path.write_text(text, "utf-8")
    know_how = tmp_path / "know_how.txt"
    know_how.write_text("ドライバの覚醒度を心拍から推定するノウハウ", "utf-8")
    out = tmp_path / "proposal.md"
    r = run(
        home,
        "report",
        "proposal",
        "--company",
        NISSAN,
        "--input",
        str(path),
        "--know-how",
        str(know_how),
        "--out",
        str(out),
    )
    assert r.exit_code == 0, r.output
    body = out.read_text("utf-8")
    assert "売上の多くを特定の取引先に依存している" in body and "下請け脱却" in body


def test_errors_are_clean(home: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli, ["--home", str(home), "report", "evaluation", "--company", "日産自動"], standalone_mode=False
    )
    assert r.exception is not None and "did you mean" in str(r.exception) and NISSAN in str(r.exception)
    from tsunagu.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(
            [
                "--home",
                str(home),
                "report",
                "evaluation",
                "--company",
                NISSAN,
                "--out",
                str(tmp_path / "r.docx"),
            ]
        )
    assert exc.value.code == 1


def test_landscape_ipc_writes_charts_data_and_page(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "ls"
    r = run(
        home,
        "landscape",
        "--ipc",
        "B60W",
        "--company",
        NISSAN,
        "--out",
        str(out),
        "--format",
        "png",
        "--map-limit",
        "200",
        "--json",
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["documents"] > 100 and doc["company"] == NISSAN and doc["white_space"]
    names = {Path(f).name for f in doc["files"]}
    assert {"applicant_ranking.png", "document_map.png", "white_space.csv", "index.html"} <= names
    r = CliRunner().invoke(
        cli, ["--home", str(home), "landscape", "--ipc", "B60W", "--applicant", NISSAN], standalone_mode=False
    )
    assert r.exception is not None and "exactly one of" in str(r.exception)


def test_landscape_query_uses_the_search_index_and_its_vectors(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsunagu.app import App
    from tsunagu.settings import Settings

    monkeypatch.setenv("TSUNAGU_EMBEDDER", "hashing")  # a small real embedder; USE is exercised elsewhere
    query_home = tmp_path / "home"
    query_home.mkdir()
    (query_home / "tsunagu.db").write_bytes((home / "tsunagu.db").read_bytes())
    app = App.from_settings(Settings.from_env(home=query_home))
    app.update_indexes()
    app.close()
    out = tmp_path / "q"
    r = run(query_home, "landscape", "運転者の眠気を検出する", "--out", str(out), "--limit", "150", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert 0 < doc["documents"] <= 150
    assert "hashing embeddings" in doc["map"]["method"]
