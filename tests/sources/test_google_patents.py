"""Google Patents search CSV, abstracts NDJSON and their join, on real rows and the full shared files."""

from __future__ import annotations

import gzip
import io
import random
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent, merge_patents
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import AbstractPair, ReadItem, SkippedRecord
from tsunagu.sources.google_patents import (
    GooglePatentsAbstractsSource,
    GooglePatentsCsvSource,
    JoinStats,
    join_google_abstracts,
    split_names,
    topic_of,
)

DATA = Path(__file__).resolve().parents[1] / "data"
CSV = DATA / "google_patents_csv" / "gp-search-thinking-machines.csv.gz"
NDJSON = DATA / "google_patents_abstracts_ndjson" / "thinking-machines_abstracts.ndjson.gz"
ORPHAN = DATA / "google_patents_abstracts_ndjson" / "deep-learning_abstracts.ndjson.gz"
CSV_SOURCE = GooglePatentsCsvSource()
ABSTRACTS = GooglePatentsAbstractsSource()


def read(source: GooglePatentsCsvSource | GooglePatentsAbstractsSource, path: Path) -> list[ReadItem]:
    with gzip.open(path) as stream:
        return list(source.read(stream, str(path)))


def csv_records() -> list[Patent]:
    return [i for i in read(CSV_SOURCE, CSV) if isinstance(i, Patent)]


def pairs(path: Path = NDJSON) -> list[AbstractPair]:
    return [i for i in read(ABSTRACTS, path) if isinstance(i, AbstractPair)]


def test_sniff_tells_csv_and_ndjson_apart() -> None:
    csv_head = gzip.decompress(CSV.read_bytes())[:2048]
    nd_head = gzip.decompress(NDJSON.read_bytes())[:2048]
    assert CSV_SOURCE.sniff("a", csv_head) and not ABSTRACTS.sniff("a", csv_head)
    assert ABSTRACTS.sniff("a", nd_head) and not CSV_SOURCE.sniff("a", nd_head)
    # Without the search URL line the header alone is enough.
    assert CSV_SOURCE.sniff("a", csv_head.split(b"\n", 1)[1])
    assert ABSTRACTS.sniff("a", nd_head[:40])  # a first line longer than the sample
    assert not ABSTRACTS.sniff("a", b'{"publication_number": "US1"}\n')


def test_topic_of() -> None:
    assert topic_of("/x/gp-search-machine-learning.csv.gz") == "machine-learning"
    assert topic_of("machine-learning_abstracts.ndjson.gz") == "machine-learning"
    assert topic_of("exports.zip!google/gp-search-deep-learning.csv") == "deep-learning"


def test_csv_records() -> None:
    records = csv_records()
    assert len(records) == 11
    by_id = {p.original_numbers[0]: p for p in records}
    p = by_id["US-2007219980-A1"]
    assert p.key == "US-A-20070219980"
    assert p.publication_number == "US20070219980A1"
    assert p.title == "Thinking search engines"  # trailing space of the export removed
    assert p.applicants == ("Polycarpe Songfack",)
    assert p.url == "https://patents.google.com/patent/US20070219980A1/en"
    assert p.extra["google_patents_csv"]["topic"] == "thinking-machines"
    assert p.extra["google_patents_csv"]["search_url"].startswith("https://patents.google.com/?q=")
    assert p.abstract == "" and p.language == "en"
    assert by_id["WO-0186445-A1"].key == "WO-A-2001086445"
    assert by_id["JP-5737643-B2"].key == "JP-B-5737643"
    assert by_id["CN-206224298-U"].key == "CN-U-206224298"
    assert by_id["CN-206224298-U"].applicants == ("天津宝贝家科技有限公司",)
    us = by_id["US-6233545-B1"]
    assert (us.priority_date, us.filing_date, us.publication_date, us.grant_date) == (
        "1997-05-01",
        "1998-03-03",
        "2001-05-15",
        "2001-05-15",
    )
    assert all(p.sources == ("google_patents_csv",) for p in records)


def test_split_names_keeps_suffixes() -> None:
    assert split_names("Martin C. Buskirk, Jr., Frederick J. Damerau, David H. Johnson") == (
        "Martin C. Buskirk, Jr.",
        "Frederick J. Damerau",
        "David H. Johnson",
    )
    assert split_names("Iowa State University Research Foundation, Inc., Deere & Company") == (
        "Iowa State University Research Foundation, Inc.",
        "Deere & Company",
    )
    assert split_names("Matsushita Electric Industrial Co., Ltd.") == (
        "Matsushita Electric Industrial Co., Ltd.",
    )
    assert split_names("") == ()


def test_abstract_pairs() -> None:
    items = pairs()
    assert len(items) == 8
    assert all(p.topic == "thinking-machines" for p in items)
    assert [p.line for p in items] == list(range(1, 9))
    nulls = [p for p in items if p.abstract is None]
    assert [p.title.strip() for p in nulls] == ["Autonomous learning knowledge construction machine"]


def test_join() -> None:
    joined, stats = join_google_abstracts(csv_records(), pairs() + pairs(ORPHAN))
    assert stats == JoinStats(
        pairs=9,
        joined=4,
        empty_abstract=1,
        ambiguous=2,
        unmatched=1,
        orphan=1,
        orphan_topics=1,
        duplicate_pairs=0,
    )
    by_id = {p.original_numbers[0]: p for p in joined}
    p = by_id["US-6233545-B1"]
    assert p.abstract.startswith("A universal machine translator of arbitrary languages enables")
    assert p.sources == ("google_patents_csv", "google_patents_abstracts")
    assert p.field_sources["abstract"] == "google_patents_abstracts"
    assert p.field_sources["title"] == "google_patents_csv"
    # The title shared by two publications is not guessed.
    assert by_id["US-4598400-A"].abstract == "" and by_id["US-5117420-A"].abstract == ""
    # A null abstract leaves the record as it was.
    assert by_id["JP-5737643-B2"].abstract == ""
    assert [p.original_numbers for p in joined] == [p.original_numbers for p in csv_records()]


def test_join_does_not_depend_on_order() -> None:
    records, all_pairs = csv_records(), pairs()
    expected, stats = join_google_abstracts(records, all_pairs)
    rng = random.Random(7)
    for _ in range(5):
        shuffled_records = records[:]
        shuffled_pairs = all_pairs[:]
        rng.shuffle(shuffled_records)
        rng.shuffle(shuffled_pairs)
        joined, again = join_google_abstracts(shuffled_records, shuffled_pairs)
        assert again == stats
        assert sorted(joined, key=lambda p: p.original_numbers) == sorted(
            expected, key=lambda p: p.original_numbers
        )


def test_joined_abstract_ranks_below_other_sources_in_merge() -> None:
    joined, _ = join_google_abstracts(csv_records(), pairs())
    google = next(p for p in joined if p.abstract)
    other = Patent(key=google.key, publication_number=google.publication_number, abstract="From PatentsView.")
    other = other.with_source("patentsview_csv")
    assert merge_patents(google, other).abstract == "From PatentsView."
    bare = Patent(key=google.key, publication_number=google.publication_number, title=google.title)
    assert merge_patents(bare.with_source("patentsview_csv"), google).abstract == google.abstract


def test_damaged_ndjson_lines_are_skipped() -> None:
    data = b'["An abstract.", "A title"]\n{"not": "a pair"}\n[1, 2]\n\n["Other.", "Title two"]\n'
    items = list(ABSTRACTS.read(io.BytesIO(data), "x_abstracts.ndjson"))
    assert [type(i).__name__ for i in items] == [
        "AbstractPair",
        "SkippedRecord",
        "SkippedRecord",
        "AbstractPair",
    ]
    assert [i.line for i in items if isinstance(i, SkippedRecord)] == [2, 3]
    with pytest.raises(ImportFormatError):
        list(ABSTRACTS.read(io.BytesIO(b'{"a": 1}\n'), "x_abstracts.ndjson"))
    with pytest.raises(ImportFormatError, match="empty"):
        list(ABSTRACTS.read(io.BytesIO(b""), "x_abstracts.ndjson"))


def test_damaged_csv() -> None:
    data = gzip.decompress(CSV.read_bytes()).decode("utf-8").split("\n")
    data[2] = data[2].replace("US-4598400-A", "US-XX-A")  # broken number
    data[3] = "US-5117420-A,only two"  # wrong column count
    items = list(CSV_SOURCE.read(io.BytesIO("\n".join(data).encode()), "gp-search-x.csv"))
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert [(s.reason, s.line) for s in skipped] == [("bad_number", 3), ("bad_row", 4)]
    assert len([i for i in items if isinstance(i, Patent)]) == 9
    with pytest.raises(ImportFormatError) as err:
        list(CSV_SOURCE.read(io.BytesIO(b"search URL:,x\nnumber,title\n"), "gp-search-x.csv"))
    assert err.value.field == "id"


# --- the full shared files -----------------------------------------------------------------------


@pytest.mark.shared
def test_all_shared_google_files(shared_data: Path) -> None:
    formats = shared_data / "formats"
    records: list[Patent] = []
    all_pairs: list[AbstractPair] = []
    skipped = 0
    for path in sorted((formats / "google_patents_csv").glob("*.csv.gz")):
        for item in read(CSV_SOURCE, path):
            if isinstance(item, Patent):
                records.append(item)
            else:
                skipped += 1
    for path in sorted((formats / "google_patents_abstracts_ndjson").glob("*.ndjson.gz")):
        all_pairs.extend(pairs(path))
    assert skipped == 0
    assert len(records) == 6802
    assert len(all_pairs) == 7542
    assert sum(1 for p in all_pairs if not p.abstract) == 1096  # the data README's count
    assert sum(1 for p in records if p.key.startswith("US-")) == 5640
    joined, stats = join_google_abstracts(records, all_pairs)
    assert stats.empty_abstract == 1096 and stats.orphan == 0
    assert (stats.joined, stats.ambiguous, stats.unmatched, stats.duplicate_pairs) == (5441, 405, 592, 8)
    with_abstract = [p for p in joined if p.abstract]
    assert len(with_abstract) == stats.joined
    assert {p.field_sources["abstract"] for p in with_abstract} == {"google_patents_abstracts"}
