"""Import use case: damaged input never harms what is stored, and re-runs are clean."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from tsunagu.errors import TsunaguError
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.storage.sql import SqlPatentStore

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def store(tmp_path: Path) -> SqlPatentStore:
    s = SqlPatentStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield s
    s.close()


def snapshot(store: SqlPatentStore) -> dict[str, object]:
    return {p.key: (p.title, p.abstract, p.applicants, p.ipc_codes, p.sources) for p in store.iter_all()}


def test_damaged_files_are_reported_and_stored_records_are_untouched(
    store: SqlPatentStore, tmp_path: Path
) -> None:
    service = IngestionService(store)
    first = service.import_paths([DATA / "jplatpat_csv"], update_index=False)
    assert first.stored.new > 0
    before = snapshot(store)

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name in ("ipg120327.truncated.xml.gz", "corrupt-member.zip", "empty.xml"):
        shutil.copy(DATA / "damaged" / name, damaged / name)
    # A J-PlatPat export cut in the middle of a quoted multi-line field (an interrupted download).
    raw = gzip.decompress((DATA / "jplatpat_csv" / "jplatpat_first4.csv.gz").read_bytes())
    (damaged / "cut.csv").write_bytes(raw[: len(raw) * 2 // 3])

    report = service.import_paths([damaged], update_index=False)
    reasons = dict(report.skipped_files)
    assert any("truncated" in p for p in reasons), reasons
    assert any("empty.xml" in p for p in reasons), reasons
    # Whatever was complete in the damaged files was stored; nothing stored before changed.
    after = snapshot(store)
    for key, value in before.items():
        assert after[key] == value


def test_rerun_after_interruption_completes_without_duplicates(store: SqlPatentStore) -> None:
    service = IngestionService(store, batch_size=3)
    records = list(service.iter_records([DATA / "jplatpat_csv"]))
    # Simulate an interruption: only the first batch reached the store.
    store.upsert_many(records[:3])
    report = service.import_paths([DATA / "jplatpat_csv"], update_index=False)
    assert store.count() == len({r.key for r in records})
    assert report.stored.new + report.stored.merged + report.stored.unchanged == report.read
    again = service.import_paths([DATA / "jplatpat_csv"], update_index=False)
    assert again.stored.new == 0 and again.stored.merged == 0


def test_google_csv_and_abstracts_join_whatever_the_order(store: SqlPatentStore, tmp_path: Path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    csv_file = DATA / "google_patents_csv" / "gp-search-thinking-machines.csv.gz"
    nd_file = DATA / "google_patents_abstracts_ndjson" / "thinking-machines_abstracts.ndjson.gz"
    shutil.copy(nd_file, a / nd_file.name)  # the NDJSON comes first (folder a) …
    shutil.copy(csv_file, b / csv_file.name)  # … its CSV later (folder b)
    service = IngestionService(store)
    report = service.import_paths([a, b], update_index=False)
    assert report.google_join["joined"] > 0
    joined = [p for p in store.iter_all() if p.abstract]
    assert joined and all(p.field_sources["abstract"] == "google_patents_abstracts" for p in joined)


def test_ndjson_without_its_csv_is_reported(store: SqlPatentStore) -> None:
    service = IngestionService(store)
    nd = DATA / "google_patents_abstracts_ndjson" / "deep-learning_abstracts.ndjson.gz"
    with pytest.raises(TsunaguError, match=r"nothing could be read.*search CSV"):
        service.import_paths([nd], update_index=False)


def test_query_files_are_read_but_never_stored(store: SqlPatentStore) -> None:
    service = IngestionService(store)
    queries = read_patents(service, [DATA / "jplatpat_csv"])
    assert queries and store.count() == 0
    assert len({q.key for q in queries}) == len(queries)
