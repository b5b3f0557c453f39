"""The web search path (queries of concurrent requests encoded in one batch, results cached per index
generation) gives exactly the hits of `App.search`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from api.live import FIXTURES
from tsunagu.retrieval.base import SearchFilters

QUERIES = (
    "jet engine turbine blade",
    "pizza dough",
    "heat resistant coating for spacecraft",
    "運転者の眠気",
    "gene regulation protein",
)
FILTERS = (SearchFilters(), SearchFilters(language="en"), SearchFilters(ipc_prefix="F"))


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tsunagu.app import App
    from tsunagu.services.accounts.jobs import JobRunner
    from tsunagu.services.accounts.portal import Portal
    from tsunagu.settings import Settings

    home = tmp_path_factory.mktemp("batching")
    app = App.from_settings(
        Settings(home=home, database_url=f"sqlite:///{home / 't.db'}", embedder="hashing")
    )
    app.ingestion.import_paths([str(p) for p in FIXTURES[1:]])
    p = Portal(app, app.accounts, jobs=JobRunner(app.accounts.store), upload_dir=home / "uploads")
    yield p
    app.close()


def test_same_hits_as_app_search(portal) -> None:  # type: ignore[no-untyped-def]
    for q in QUERIES:
        for f in FILTERS:
            expected = [(h.key, round(h.score, 9)) for h, _ in portal.app.search(q, k=10, filters=f)]
            got = [(h.key, round(h.score, 9)) for h, _ in portal.ranked(q, 10, f)]
            assert got == expected, (q, f)


def test_concurrent_queries_share_batches(portal) -> None:  # type: ignore[no-untyped-def]
    expected = {q: [h.key for h, _ in portal.app.search(q, k=8)] for q in QUERIES}
    jobs = [QUERIES[i % len(QUERIES)] for i in range(40)]
    before = portal.encoder.batches
    with ThreadPoolExecutor(12) as ex:
        results = list(ex.map(lambda q: [h.key for h, _ in portal.ranked(q, 8, SearchFilters())], jobs))
    assert all(r == expected[q] for q, r in zip(jobs, results, strict=True))
    assert portal.encoder.batches - before < len(jobs)  # several queries per forward pass


def test_results_cached_per_generation(portal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tsunagu.services.accounts import Principal

    p = Principal(user_id=1, username="x", role="admin")
    first = portal.search(p, "zeppelin mooring", per_page=5)
    hits_before = portal.cache.stats()["hits"]
    portal.search(p, "zeppelin mooring", per_page=5)
    assert portal.cache.stats()["hits"] == hits_before + 1
    doc = tmp_path / "z.jsonl"
    doc.write_text(
        '{"publication_number": "US1000009A", "title": "Zeppelin mooring mast", "language": "en"}\n',
        encoding="utf-8",
    )
    portal.app.ingestion.import_paths([doc])  # a new index generation
    after = portal.search(p, "zeppelin mooring", per_page=5)
    assert after["items"][0]["publication_number"] == "US1000009A"
    assert [h["key"] for h in first["items"]] != [h["key"] for h in after["items"]]
