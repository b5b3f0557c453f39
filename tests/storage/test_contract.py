"""The `PatentStore` contract, run against every backend: SQLite (file) and PostgreSQL (own schema)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from tsunagu.domain.patent import Patent
from tsunagu.errors import StorageError, ValidationError
from tsunagu.storage import PatentStore, SqlPatentStore, UpsertStats

from .records import (
    aggregator_2005_346371,
    everything,
    google_6144954,
    jplatpat_2005_346371,
    jplatpat_2021_060906,
    lens_6084510,
    lens_6144954,
    patentsview_6084510,
    read_jplatpat,
    sample,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'tsunagu.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[SqlPatentStore]:
    s = SqlPatentStore(db_url)
    try:
        yield s
    finally:
        s.close()


def test_implements_the_protocol(store: SqlPatentStore) -> None:
    assert isinstance(store, PatentStore)


def test_empty_store(store: SqlPatentStore) -> None:
    assert store.count() == 0
    assert store.revision() == 0
    assert store.get("JP-A-2021060906") is None
    assert store.find("JP2021060906A") == []
    assert list(store.iter_all()) == []
    assert list(store.keys()) == []
    assert list(store.changed_since(0)) == []
    assert store.upsert_many([]) == UpsertStats()


def test_insert_and_read_back_every_field(store: SqlPatentStore) -> None:
    records = sample()
    stats = store.upsert_many(records)
    assert (stats.new, stats.merged, stats.unchanged) == (4, 0, 0)
    assert store.count() == 4
    for record in records:
        got = store.get(record.key)
        assert got is not None
        assert everything(got) == everything(record)
    assert store.revision() == 4


def test_get_many_keeps_order_and_skips_missing(store: SqlPatentStore) -> None:
    store.upsert_many(sample())
    keys = ["US-B-6144954", "missing", "JP-A-2021060906", "US-B-6084510"]
    assert [p.key for p in store.get_many(keys)] == ["US-B-6144954", "JP-A-2021060906", "US-B-6084510"]
    assert store.get_many([]) == []


def test_official_source_beats_aggregator_in_either_order(store: SqlPatentStore) -> None:
    official, aggregator = jplatpat_2005_346371(), aggregator_2005_346371()
    store.upsert_many([aggregator])
    stats = store.upsert_many([official])
    assert (stats.new, stats.merged) == (0, 1)
    merged = store.get(official.key)
    assert merged is not None
    assert merged.title == official.title
    assert merged.applicants == official.applicants
    # Non-empty beats empty: the aggregator's CPC codes and family stay.
    assert merged.cpc_codes == ("B60W40/09",)
    assert merged.family_id == "LENS-FAMILY-1"
    assert merged.field_sources["title"] == "jplatpat_csv"
    assert merged.field_sources["cpc_codes"] == "lens_csv"
    assert merged.sources == ("lens_csv", "jplatpat_csv")
    assert merged.original_numbers == ("JP 2005346371 A", "特開2005-346371", "特許4400316")

    reversed_key = "JP-A-2005346371-REVERSED"
    store.upsert_many([dataclasses.replace(official, key=reversed_key)])
    store.upsert_many([dataclasses.replace(aggregator, key=reversed_key)])
    reversed_order = store.get(reversed_key)
    assert reversed_order is not None
    assert reversed_order.title == merged.title
    assert reversed_order.applicants == merged.applicants
    assert reversed_order.cpc_codes == merged.cpc_codes
    # Fields both sources agree on stay attributed to whichever came first (the domain rule).
    for name in ("title", "applicants", "cpc_codes", "family_id"):
        assert reversed_order.field_sources[name] == merged.field_sources[name]


def test_merge_of_two_real_exports_keeps_field_sources(store: SqlPatentStore) -> None:
    # US 6084510 is in PatentsView (rank 15: title, abstract) and Lens (rank 10: biblio, codes).
    store.upsert_many([lens_6084510()])
    store.upsert_many([patentsview_6084510()])
    got = store.get("US-B-6084510")
    assert got is not None
    assert got.title == "Danger warning and emergency response system and method"
    assert got.abstract.startswith("Surveillance platforms in airborne craft")
    assert got.applicants == ("LEMELSON; JEROME H.", "PEDERSEN; ROBERT D.")
    assert got.cpc_codes[0] == "G08G1/164"
    assert got.field_sources["title"] == "patentsview_csv"
    assert got.field_sources["abstract"] == "patentsview_csv"
    assert got.field_sources["applicants"] == "lens_csv"
    assert got.field_sources["filing_date"] == "lens_csv"
    assert got.extra == {"lens_id": "146-378-092-244-730", "cited_count": "436"}
    assert got.year == 1997


def test_equal_rank_keeps_the_stored_value(store: SqlPatentStore) -> None:
    # US 6144954 is in Google Patents and Lens, both rank 10: the first stored title stays.
    store.upsert_many([google_6144954()])
    store.upsert_many([lens_6144954()])
    got = store.get("US-B-6144954")
    assert got is not None
    assert got.title == "Automatic development of computer software"
    assert got.ipc_codes == ("G05B19/042", "G06F9/44")
    assert got.field_sources["title"] == "google_patents_csv"
    assert got.field_sources["ipc_codes"] == "lens_csv"


def test_duplicates_within_one_batch_are_merged(store: SqlPatentStore) -> None:
    # Counted as if upserted one by one: new, then merged (PatentsView adds fields), then unchanged.
    stats = store.upsert_many([lens_6084510(), patentsview_6084510(), lens_6084510()])
    assert (stats.new, stats.merged, stats.unchanged) == (1, 1, 1)
    assert store.count() == 1
    got = store.get("US-B-6084510")
    assert got is not None
    assert got.title == "Danger warning and emergency response system and method"
    assert got.sources == ("lens_csv", "patentsview_csv")
    assert store.revision() == 1


def test_reimport_is_idempotent(store: SqlPatentStore) -> None:
    batch = [*sample(), lens_6084510(), lens_6144954()]
    first = store.upsert_many(batch)
    revision, count = store.revision(), store.count()
    snapshot = [everything(p) for p in store.iter_all()]
    second = store.upsert_many(batch)
    assert (first.new, first.merged, first.unchanged) == (4, 2, 0)
    assert (second.new, second.merged, second.unchanged) == (0, 0, 6)
    assert store.revision() == revision
    assert store.count() == count
    assert [everything(p) for p in store.iter_all()] == snapshot


def test_find_by_any_number_form(store: SqlPatentStore) -> None:
    store.upsert_many([*sample(), aggregator_2005_346371(), lens_6084510()])
    for number in (
        "JP2005346371A",
        "jp 2005346371 a",
        "JP2005346371",
        "特開2005-346371",
        "特開２００５－３４６３７１",  # full-width, as typed with a Japanese IME
        "特許4400316",
        "JP-A-2005346371",
    ):
        assert [p.key for p in store.find(number)] == ["JP-A-2005346371"], number
    for number in ("US6084510A", "US 6084510 A", "US6084510", "us6,084,510", "6084510", "US-B-6084510"):
        assert [p.key for p in store.find(number)] == ["US-B-6084510"], number
    assert [p.key for p in store.find("US-6144954-A")] == ["US-B-6144954"]
    assert store.find("特開2005-346372") == []
    assert store.find("  ") == []


def test_changed_since_follows_revisions(store: SqlPatentStore) -> None:
    store.upsert_many(sample())
    assert store.revision() == 4
    assert [p.key for p in store.changed_since(0)] == [p.key for p in sample()]
    assert list(store.changed_since(4)) == []

    store.upsert_many([lens_6084510(), jplatpat_2021_060906()])  # one merge, one unchanged
    assert store.revision() == 5
    assert [p.key for p in store.changed_since(4)] == ["US-B-6084510"]
    assert [p.key for p in store.changed_since(2)] == ["US-B-6144954", "US-B-6084510"]

    many = [dataclasses.replace(jplatpat_2005_346371(), key=f"JP-A-T{i:04d}") for i in range(25)]
    store.upsert_many(many)
    assert [p.key for p in store.changed_since(5, batch_size=7)] == [p.key for p in many]


def test_failed_batch_is_rolled_back_entirely(store: SqlPatentStore) -> None:
    store.upsert_many([google_6144954(), patentsview_6084510()])
    before = [everything(p) for p in store.iter_all()]
    revision = store.revision()
    # The merge of US 6084510 is written first (an update), then the inserts, which fail on the
    # last record: a lone surrogate (as left by a mis-decoded byte) that no database can store.
    broken = dataclasses.replace(jplatpat_2005_346371(), title="運転意図推定装置\udcff")
    with pytest.raises(StorageError):
        store.upsert_many([lens_6084510(), jplatpat_2021_060906(), broken])
    assert [everything(p) for p in store.iter_all()] == before
    assert store.revision() == revision
    assert store.find("特開2021-060906") == []  # its number rows were rolled back too

    stats = store.upsert_many([lens_6084510(), jplatpat_2021_060906()])
    assert (stats.new, stats.merged) == (1, 1)
    assert store.revision() == revision + 2


def test_failure_in_the_last_statement_rolls_back(store: SqlPatentStore) -> None:
    store.upsert_many([patentsview_6084510()])
    before = [everything(p) for p in store.iter_all()]

    def fail_on_revision_update(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE META"):
            raise RuntimeError("disk went away")

    event.listen(store.engine, "before_cursor_execute", fail_on_revision_update)
    try:
        with pytest.raises(RuntimeError):
            store.upsert_many([lens_6084510(), *sample()[:2]])
    finally:
        event.remove(store.engine, "before_cursor_execute", fail_on_revision_update)
    assert [everything(p) for p in store.iter_all()] == before
    assert store.revision() == 1
    assert store.find("特開2021-060906") == []


def test_japanese_text_round_trips_exactly(store: SqlPatentStore) -> None:
    record = dataclasses.replace(
        jplatpat_2021_060906(),
        # 𠮷 (outside the BMP) as in 𠮷野家, half-width kana and an emoji, on top of the real text.
        claims="【請求項１】\r\n𠮷野家ﾃｽﾄ　全角スペース\t🚗\n",
        extra={"その他": "", "審判番号": "", "備考": ["①", "②"]},
    )
    store.upsert_many([record])
    got = store.get(record.key)
    assert got is not None
    assert everything(got) == everything(record)
    assert store.keys_matching(None, applicant="ルノー エス.ア.エス.") == {record.key}
    assert store.upsert_many([record]).unchanged == 1


def test_nul_characters_are_dropped_on_every_backend(store: SqlPatentStore) -> None:
    record = dataclasses.replace(patentsview_6084510(), title="Danger\x00 warning")
    store.upsert_many([record])
    got = store.get(record.key)
    assert got is not None
    assert got.title == "Danger warning"
    assert store.upsert_many([record]).unchanged == 1


def test_huge_fields(store: SqlPatentStore) -> None:
    base = jplatpat_2021_060906()
    claims = base.abstract * 6_000  # about 5 MB of Japanese text in UTF-8
    applicants = tuple(f"出願人{i}株式会社" for i in range(5_000))
    record = dataclasses.replace(base, claims=claims, applicants=applicants, extra={"blob": "x" * 1_000_000})
    store.upsert_many([record])
    got = store.get(record.key)
    assert got is not None
    assert len(got.claims) == len(claims)
    assert everything(got) == everything(record)


def test_meta(store: SqlPatentStore, db_url: str) -> None:
    assert store.get_meta("index.lexical.revision") is None
    store.set_meta("index.lexical.revision", "12")
    store.set_meta("index.lexical.revision", "13")
    store.set_meta("説明", "日本語の値")
    assert store.get_meta("index.lexical.revision") == "13"
    with pytest.raises(ValidationError):
        store.set_meta("revision", "0")
    reopened = SqlPatentStore(db_url)
    try:
        assert reopened.get_meta("説明") == "日本語の値"
    finally:
        reopened.close()


def test_data_survives_reopening(store: SqlPatentStore, db_url: str) -> None:
    store.upsert_many(sample())
    store.close()
    reopened = SqlPatentStore(db_url)
    try:
        assert reopened.count() == 4
        assert reopened.revision() == 4
        assert reopened.upsert_many(sample()).unchanged == 4
    finally:
        reopened.close()


def test_iteration_is_batched_and_stable(store: SqlPatentStore) -> None:
    many = [dataclasses.replace(patentsview_6084510(), key=f"US-B-{i:07d}") for i in range(53)]
    store.upsert_many(many)
    keys = [p.key for p in store.iter_all(batch_size=10)]
    assert keys == sorted(p.key for p in many)
    assert list(store.keys()) == keys
    assert [row["key"] for row in store.iter_rows(["year"], batch_size=7)] == keys


def test_key_order_is_code_point_order(store: SqlPatentStore) -> None:
    keys = ["us-b-1", "US-B-6084510", "JP-特開2005-346371", "JP-A-2005346371", "JP-A-2005346371-X", "JP-A-20"]
    store.upsert_many([_patent(k) for k in keys])
    assert list(store.keys()) == sorted(keys)
    assert [p.key for p in store.iter_all(batch_size=2)] == sorted(keys)


def test_iter_rows_decodes_light_columns(store: SqlPatentStore) -> None:
    store.upsert_many([jplatpat_2021_060906(), lens_6084510()])
    rows = list(store.iter_rows(["ipc_codes", "year", "applicants", "language", "sources"]))
    assert rows[0] == {
        "key": "JP-A-2021060906",
        "ipc_codes": ("G08G1/16", "B60W40/04", "B60W50/14", "B60W40/06"),
        "year": 2019,
        "applicants": ("ルノー\u3000エス．ア．エス．", "日産自動車株式会社"),
        "language": "ja",
        "sources": ("jplatpat_csv",),
    }
    assert rows[1]["year"] == 1997
    with pytest.raises(ValidationError):
        list(store.iter_rows(["no_such_column"]))


def test_applicant_counts(store: SqlPatentStore) -> None:
    records = [
        jplatpat_2021_060906(),
        jplatpat_2005_346371(),
        dataclasses.replace(jplatpat_2005_346371(), key="JP-A-X1"),
        lens_6084510(),
    ]
    store.upsert_many(records)
    counts = store.applicant_counts()
    assert counts[0] == ("日産自動車株式会社", 3)
    assert ("ルノー\u3000エス．ア．エス．", 1) in counts
    assert store.applicant_counts(limit=2) == counts[:2]
    assert counts[1:] == sorted(counts[1:], key=lambda item: (-item[1], item[0]))


def test_keys_matching_filters(store: SqlPatentStore) -> None:
    store.upsert_many([*sample(), lens_6084510(), lens_6144954()])
    all_keys = {p.key for p in sample()}
    assert store.keys_matching(None) == all_keys
    assert store.keys_matching(None, ipc_prefix="B60W") == {"JP-A-2021060906", "JP-A-2005346371"}
    assert store.keys_matching(None, ipc_prefix="b60w 40/04") == {"JP-A-2021060906"}
    assert store.keys_matching(None, ipc_prefix="B60K41/00,390") == {"JP-A-2005346371"}  # FI code
    assert store.keys_matching(None, ipc_prefix="G08G1/164") == {"US-B-6084510"}  # CPC only
    assert store.keys_matching(None, ipc_prefix="G08G1/1") == {
        "JP-A-2021060906",
        "JP-A-2005346371",
        "US-B-6084510",
    }
    assert store.keys_matching(None, ipc_prefix="%") == set()
    assert store.keys_matching(None, applicant="日産") == {"JP-A-2021060906", "JP-A-2005346371"}
    assert store.keys_matching(None, applicant="lemelson") == {"US-B-6084510"}
    assert store.keys_matching(None, year_from=2000) == {"JP-A-2021060906", "JP-A-2005346371"}
    assert store.keys_matching(None, year_from=1997, year_to=1998) == {"US-B-6084510", "US-B-6144954"}
    assert store.keys_matching(None, language="JA") == {"JP-A-2021060906", "JP-A-2005346371"}
    assert store.keys_matching(None, source="lens_csv") == {"US-B-6084510", "US-B-6144954"}
    assert store.keys_matching(None, source="lens") == set()
    candidates = ["JP-A-2021060906", "US-B-6084510", "missing"]
    assert store.keys_matching(candidates) == {"JP-A-2021060906", "US-B-6084510"}
    assert store.keys_matching(candidates, ipc_prefix="G08G", year_to=2000) == {"US-B-6084510"}
    assert store.keys_matching([], applicant="日産") == set()


@pytest.mark.shared
def test_real_export_reimport(store: SqlPatentStore, shared_data: Path) -> None:
    # ⑦ and ⑧ are identical J-PlatPat exports: importing the second changes nothing.
    folder = shared_data / "formats" / "jplatpat_csv"
    first = list(read_jplatpat(folder / "soyaoki__PythonProjects__⑦特実_国内文献.csv.gz", limit=300))
    second = list(read_jplatpat(folder / "soyaoki__PythonProjects__⑧特実_国内文献.csv.gz", limit=300))
    distinct = {p.key for p in first}
    stats = UpsertStats()
    for start in range(0, len(first), 100):
        stats.add(store.upsert_many(first[start : start + 100]))
    assert stats.new == len(distinct)
    assert store.count() == len(distinct)
    revision = store.revision()
    again = store.upsert_many(second)
    assert (again.new, again.merged) == (0, 0)
    assert store.revision() == revision
    by_key = {p.key: p for p in first}
    for got in store.get_many(sorted(distinct)[:20]):
        assert got.abstract == by_key[got.key].abstract  # <BR> markers and CRLF kept
        assert got.applicants == by_key[got.key].applicants


def _patent(key: str) -> Patent:
    return dataclasses.replace(patentsview_6084510(), key=key)


def test_batch_larger_than_one_query_chunk(store: SqlPatentStore) -> None:
    batch = [_patent(f"US-B-{i:07d}") for i in range(2_100)]
    assert store.upsert_many(batch).new == 2_100
    changed = [dataclasses.replace(p, abstract="") for p in batch]  # empty never replaces non-empty
    assert store.upsert_many(changed).unchanged == 2_100
    assert len(store.get_many([p.key for p in batch])) == 2_100


def test_concurrent_writers_get_distinct_revisions(db_url: str) -> None:
    writers = [SqlPatentStore(db_url) for _ in range(3)]

    def write(n: int) -> None:
        for b in range(5):
            writers[n].upsert_many([_patent(f"US-B-{n}{b}{i:03d}") for i in range(40)])

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        revisions = [row["revision"] for row in writers[0].iter_rows(["revision"])]
    finally:
        for w in writers:
            w.close()
    assert len(revisions) == 600
    assert sorted(revisions) == list(range(1, 601))
