"""`tsunagu discover` and `tsunagu eval discovery` end to end on a real home (hashing embedder)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tsunagu.app import App
from tsunagu.cli.discover import discover
from tsunagu.cli.evaluate import eval_group
from tsunagu.settings import Settings

pytestmark = pytest.mark.shared

DROWSINESS = "心拍や脳波から人の眠気や疲労を推定するセンシング技術"


@pytest.fixture(scope="module")
def home(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("discover-home")
    exports = sorted((shared_data / "formats" / "jplatpat_csv").glob("*①*"))
    exports.append(shared_data / "formats" / "lens_csv" / "poldham_pizza_lens_1000_raw.csv.gz")
    app = App.from_settings(Settings.from_env({"TSUNAGU_EMBEDDER": "hashing"}, home=folder))
    app.ingestion.import_paths(exports)
    app.close()
    yield folder


def run(home: Path, command: object, *args: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv("TSUNAGU_EMBEDDER", "hashing")
    return CliRunner().invoke(command, list(args), obj={"home": str(home), "database_url": None})  # type: ignore[arg-type]


def test_discover_json(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(home, discover, DROWSINESS, "-n", "3", "--json", monkeypatch=monkeypatch)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["input"]["text"] == DROWSINESS and len(doc["cards"]) <= 3
    assert doc["home_fields"] and doc["cards"]
    assert set(doc["cards"][0]["scores"]) == {"relevance", "novelty", "momentum", "evidence"}
    assert (home / "index" / "discovery" / "field_stats.json").exists()  # precomputed once, then reused


def test_discover_patent_and_company_and_markdown(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = App.from_settings(Settings.from_env({"TSUNAGU_EMBEDDER": "hashing"}, home=home))
    p = next(app.store.iter_all())
    applicant = next(x for x in (q.applicants[0] for q in app.store.iter_all() if q.applicants) if x)
    app.close()
    r = run(home, discover, "--patent", p.publication_number, "--md", monkeypatch=monkeypatch)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("# 用途探索 / Application discovery")
    r = run(home, discover, "--company", applicant, "--json", monkeypatch=monkeypatch)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["input"]["label"]
    r = run(home, discover, "--company", "存在しない会社XYZ", monkeypatch=monkeypatch)
    assert r.exit_code != 0
    r = run(home, discover, DROWSINESS, monkeypatch=monkeypatch)  # rich text output
    assert r.exit_code == 0 and "ホーム分野" in r.output


def test_eval_discovery_json(home: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = sorted((shared_data / "formats" / "jplatpat_csv").glob("*②*"))
    r = run(home, eval_group, "discovery", "--queries", *map(str, queries), "--json", monkeypatch=monkeypatch)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)  # exactly one JSON document on stdout
    assert set(doc["methods"]) == {"system", "cooc", "bm25_knn", "vector_knn"}
    assert doc["methods"]["system"]["n"] > 0
    assert "text" in doc["protocol_b"]["predictors"]
    assert doc["skipped"].get("in_corpus", 0) >= 0
