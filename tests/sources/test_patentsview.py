"""PatentsView CSV importer on real rows (tests/data/patentsview_csv) and the full shared files."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.csvutil import unquote_layer
from tsunagu.sources.patentsview import PatentsviewCsvSource

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "patentsview_csv" / "patentsview_sample.csv.gz"
SOURCE = PatentsviewCsvSource()


def read(data: bytes, path: str = "query.csv") -> list[ReadItem]:
    return list(SOURCE.read(io.BytesIO(data), path))


def sample() -> bytes:
    return gzip.decompress(SAMPLE.read_bytes())


def test_sniff() -> None:
    assert SOURCE.sniff("x", sample()[:1024])
    assert SOURCE.sniff("x", b"patent_id,patent_title,patent_date\n")
    assert not SOURCE.sniff("x", b"Category,Abstract,Title,Reference Number,Center,Patent Number\n")


def test_records() -> None:
    found = {p.key: p for p in read(sample()) if isinstance(p, Patent)}
    assert list(found) == [
        "US-B-5269177",
        "US-B-D799238",
        "US-B-RE31811",
        "US-B-5807185",
        "US-B-5535303",
        "US-B-H2215",
    ]
    p = found["US-B-5269177"]
    assert p.title == (
        "Apparatus and method for determining the center of percussion "
        '("sweet spot") for baseball bats and other objects'
    )
    assert (p.publication_date, p.grant_date) == ("1993-12-14", "1993-12-14")
    assert p.publication_number == "US5269177" and p.country == "US" and p.series == "B"
    assert p.language == "en" and p.sources == ("patentsview_csv",)
    # Second quoting layer undone in abstracts too, leading space dropped.
    assert found["US-B-5535303"].abstract.startswith('A "Barometer" Neuron enhances stability')
    assert found["US-B-5535303"].title == '"Barometer" neuron for a neural network'
    assert found["US-B-5807185"].abstract.startswith("An adaptive physical education device")
    # "None" is the query tool's missing abstract.
    assert found["US-B-D799238"].abstract == ""
    assert "abstract" not in found["US-B-D799238"].field_sources


def test_unquote_layer() -> None:
    assert unquote_layer('"Electronic neural network for solving ""traveling salesman"" problems"') == (
        'Electronic neural network for solving "traveling salesman" problems'
    )
    assert unquote_layer("plain") == "plain"
    assert unquote_layer('"a" and "b"') == '"a" and "b"'  # not one quoted field: unchanged


def test_damaged_rows_and_missing_columns() -> None:
    lines = sample().decode().split("\n")
    lines.append("An abstract.,2001-01-01,not-a-number,A title")
    lines.append("An abstract.,2001-01-01,1234567")
    items = read("\n".join(lines).encode())
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert [(s.reason, s.field) for s in skipped] == [("bad_number", "patent_number"), ("bad_row", None)]
    with pytest.raises(ImportFormatError) as err:
        read(b"patent_abstract,patent_date,patent_number\nx,2001-01-01,1234567\n")
    assert err.value.field == "patent_title"


@pytest.mark.shared
def test_all_shared_patentsview_files(shared_data: Path) -> None:
    total = 0
    for name, count in (("baseball_patent_query.csv.gz", 2402), ("neural_network_patent_query.csv.gz", 3180)):
        with gzip.open(shared_data / "formats" / "patentsview_csv" / name) as stream:
            items = list(SOURCE.read(stream, name))
        found = [i for i in items if isinstance(i, Patent)]
        assert len(items) == len(found) == len({p.key for p in found}) == count
        assert all(p.key.startswith("US-B-") and p.grant_date for p in found)
        assert not any(p.title.startswith('"') and p.title.endswith('"') for p in found)
        assert not any(p.abstract.startswith('"') for p in found)
        total += count
    assert total == 5582
