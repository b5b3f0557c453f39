"""The foundation commands end to end through the real CLI: import, search, show, eval, demo.

They run on a temporary home with real fixture files (tests/data) and the real default embedder.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tsunagu.cli.main import cli

DATA = Path(__file__).resolve().parents[1] / "data"


def run(*args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding the J-PlatPat, NASA, PatentsView and Lens fixtures, imported once."""
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("TSUNAGU_HOME", str(home))
    mp.delenv("TSUNAGU_DATABASE_URL", raising=False)
    code, out, _err = run(
        "import",
        str(DATA / "jplatpat_csv"),
        str(DATA / "nasa_t2_csv"),
        str(DATA / "patentsview_csv"),
        str(DATA / "lens_csv"),
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    assert report["new"] > 20 and report["indexed"] is True
    yield home
    mp.undo()


def test_import_reports_counts_and_is_idempotent(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    code, out, _ = run("import", str(DATA / "jplatpat_csv"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["new"] == 0 and report["merged"] == 0
    assert report["unchanged"] == report["read"] > 0


def test_import_lists_unrecognised_files_and_fails_when_nothing_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(tmp_path / "h"))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "README.txt").write_text("not patents\n", encoding="utf-8")
    (folder / "._nasa.csv").write_bytes(b"\x00\x05\x16\x07")
    code, _out, err = run("import", str(folder), "--no-index")
    assert code != 0
    assert "README.txt" in err


def test_search_japanese_and_english_with_breakdown(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    code, out, _ = run("search", "運転者の状態を推定する装置", "--json")
    assert code == 0
    hits = json.loads(out)["hits"]
    assert hits and hits[0]["publication_number"].startswith("JP")
    assert all({"lexical_rank", "vector_rank", "score"} <= set(h) for h in hits)
    code, out, _ = run("search", "baseball bat", "--json", "-k", "5")
    hits = json.loads(out)["hits"]
    assert any("bat" in h["title"].lower() for h in hits)


def test_search_filters(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    code, out, _ = run("search", "vehicle", "--ipc", "B60W", "--json")
    assert code == 0
    hits = json.loads(out)["hits"]
    assert hits and all(any(c.startswith("B60W") for c in h["ipc_codes"]) for h in hits)
    code, out, _ = run("search", "vehicle", "--source", "nasa_t2_csv", "--json")
    hits = json.loads(out)["hits"]
    assert hits and all(h["key"].startswith(("US-", "NASA-")) for h in hits)
    code, out, _ = run("search", "vehicle", "--json")
    year = next(h["year"] for h in json.loads(out)["hits"] if h["year"])
    code, out, _ = run("search", "vehicle", "--year-from", str(year), "--year-to", str(year), "--json")
    hits = json.loads(out)["hits"]
    assert hits and all(h["year"] == year for h in hits)


def test_show_by_original_number_lists_field_sources(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    code, out, _ = run("show", "特開2005-346371", "--json")
    assert code == 0
    rec = json.loads(out)
    assert rec["key"] == "JP-A-2005346371"
    assert rec["field_sources"]["title"] == "jplatpat_csv"
    code, _out, err = run("show", "JP9999999999A")
    assert code == 1 and "unknown patent number" in err


def test_eval_retrieval_takes_several_query_paths_after_one_flag(
    home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    q = tmp_path / "q"
    q.mkdir()
    shutil.copy(DATA / "jplatpat_csv" / "jplatpat_forms.csv.gz", q / "a.csv.gz")
    shutil.copy(DATA / "nasa_t2_csv" / "nasa_patents_sample.csv", q / "b.csv")
    code, out, _ = run("eval", "retrieval", "--queries", str(q / "a.csv.gz"), str(q / "b.csv"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc["methods"]) == {"hybrid", "bm25", "vector"}
    assert set(doc["methods"]["bm25"]) >= {"ndcg@10", "p@10", "mrr", "n"}
    assert "skipped" in doc and "cross_language" in doc
    # Query documents already in the corpus are skipped, never used as queries.
    assert sum(doc["skipped"].values()) > 0


def test_demo_builds_missing_parts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tsunagu.demo as demo

    small = tmp_path / "demo.jsonl.gz"
    src = DATA / "tsunagu_jsonl"
    first = sorted(src.glob("*.jsonl*"))[0]
    data = first.read_bytes()
    small.write_bytes(data if first.suffix == ".gz" else gzip.compress(data))
    monkeypatch.setattr(demo, "demo_corpus_path", lambda: small)
    monkeypatch.setattr(demo, "STEPS", demo.STEPS[:2])
    monkeypatch.setenv("TSUNAGU_HOME", str(tmp_path / "home"))
    code, out, _ = run("demo", "--json")
    assert code == 0
    doc = json.loads(out)
    assert [s["status"] for s in doc["steps"]] == ["built", "built"]
    assert len(doc["samples"]) == 2
    code, out, _ = run("demo", "--json")
    assert [s["status"] for s in json.loads(out)["steps"]] == ["present", "present"]


@pytest.mark.postgres
def test_same_commands_on_postgresql(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TSUNAGU_DATABASE_URL", raising=False)
    code, out, _ = run("--db", pg_url, "import", str(DATA / "jplatpat_csv"), "--json")
    assert code == 0 and json.loads(out)["new"] > 0
    code, out, _ = run("--db", pg_url, "search", "運転意図を推定する", "--json")
    hits = json.loads(out)["hits"]
    assert code == 0 and hits and hits[0]["publication_number"].startswith("JP")
    code, out, _ = run("--db", pg_url, "show", "特開2005-346371", "--json")
    assert code == 0 and json.loads(out)["key"] == "JP-A-2005346371"
    # The environment variable works like --db.
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", pg_url)
    code, out, _ = run("info", "--json")
    assert code == 0 and json.loads(out)["patents"] > 0 and json.loads(out)["indexes_current"] is True
    # Nothing was written to a SQLite file in the home.
    assert not (tmp_path / "home" / "tsunagu.db").exists()
