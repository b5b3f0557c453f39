"""NASA technology-transfer CSV importer on real rows (tests/data/nasa_t2_csv) and the full file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.nasa import NasaT2CsvSource

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "nasa_t2_csv" / "nasa_patents_sample.csv"
SOURCE = NasaT2CsvSource()


def read(data: bytes) -> list[ReadItem]:
    return list(SOURCE.read(io.BytesIO(data), "nasa.csv"))


def records() -> list[Patent]:
    return [p for p in read(SAMPLE.read_bytes()) if isinstance(p, Patent)]


def test_sniff() -> None:
    assert SOURCE.sniff("x", SAMPLE.read_bytes()[:1024])
    assert not SOURCE.sniff("x", b"patent_abstract,patent_date,patent_number,patent_title\n")


def test_patent_number_forms() -> None:
    keys = [(p.key, p.extra["nasa_t2_csv"]["Reference Number"]) for p in records()]
    assert keys == [
        ("NASA-KSC-12236-2-PCT", "KSC-12236-2-PCT"),  # Patent Number "0"
        ("NASA-LAR-18327-1", "LAR-18327-1"),  # blank
        ("US-B-6858197", "ARC-14613-1"),
        ("US-B-7438030", "LEW-17765-1"),  # "7,438,030"
        ("US-B-7438030", "LEW-17661-1"),  # the same patent offered under two cases
        ("US-B-RE43880", "LEW-17618-1-REIS"),
        ("US-B-D628609", "MSC-25053-1"),
        ("NASA-KSC-12236-2-PCT", "KSC-12236-2-PCT"),  # the file repeats rows verbatim
    ]


def test_record_without_patent_number() -> None:
    p = records()[0]
    assert (p.country, p.series, p.kind, p.publication_number) == ("", "NASA", "", "KSC-12236-2-PCT")
    assert p.applicants == ("NASA",)
    assert p.abstract == ""
    assert p.application_number == ""  # "/0"
    extra = p.extra["nasa_t2_csv"]
    assert "Expiration Date" not in extra  # 1970-01-01 means unknown
    assert extra["Category"] == "materials and coatings"
    assert extra["Center"] == "KSC"
    assert extra["Facility"] == "NASA Kennedy Space Center"


def test_record_with_patent_number() -> None:
    p = records()[2]
    assert p.publication_number == "US6858197"
    assert p.original_numbers == ("6858197", "ARC-14613-1")
    assert p.title == "Controlled patterning and growth of single wall and multi-wall carbon nanotubes"
    assert p.abstract.startswith("Method and system for producing a selected pattern")
    assert p.application_number == "10/099,247"
    assert p.extra["nasa_t2_csv"]["Expiration Date"] == "2019-11-30"
    assert p.language == "en"
    assert p.field_sources["applicants"] == "nasa_t2_csv"


def test_damaged_rows_and_missing_columns() -> None:
    lines = SAMPLE.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"6858197", b"pending")
    lines.append(b"sensors,too,few")
    items = read(b"\n".join(lines))
    assert [(s.reason, s.field) for s in items if isinstance(s, SkippedRecord)] == [
        ("bad_number", "Patent Number"),
        ("bad_row", None),
    ]
    with pytest.raises(ImportFormatError) as err:
        read(b"Category,Abstract,Title,Center\nx,y,z,ARC\n")
    assert err.value.field == "Reference Number"


@pytest.mark.shared
def test_full_portfolio(shared_data: Path) -> None:
    (path,) = (shared_data / "formats" / "nasa_t2_csv").glob("*.csv")
    items = read(path.read_bytes())
    found = [i for i in items if isinstance(i, Patent)]
    assert len(items) == len(found) == 1494
    assert len({p.key for p in found}) == 1283
    assert sum(1 for p in found if p.series == "NASA") == 492
    assert sum(1 for p in found if not p.abstract) == 139
    assert all(p.applicants == ("NASA",) for p in found)
    assert not any(p.extra["nasa_t2_csv"].get("Expiration Date") == "1970-01-01" for p in found)
