"""Lens.org CSV importer on real rows of three exports (tests/data/lens_csv) and the full shared files."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.lens import LensCsvSource

DATA = Path(__file__).resolve().parents[1] / "data" / "lens_csv"
PIZZA = DATA / "pizza_lens_sample.csv.gz"  # CR-only, DD/MM/YY, mis-encoded bytes, no Lens ID
JET = DATA / "jet_engine_lens_sample.csv.gz"  # old column set with Lens ID, CRLF
SANGAMO = DATA / "sangamo_lens_sample.csv.gz"  # new column set: Display Key, Abstract, BOM
SOURCE = LensCsvSource()


def raw(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def read(data: bytes, path: str = "lens.csv") -> list[ReadItem]:
    return list(SOURCE.read(io.BytesIO(data), path))


def records(path: Path) -> dict[str, Patent]:
    return {p.original_numbers[0]: p for p in read(raw(path)) if isinstance(p, Patent)}


def test_sniff_all_column_sets() -> None:
    for path in (PIZZA, JET, SANGAMO):
        assert SOURCE.sniff(path.name, raw(path)[:2048])
    assert not SOURCE.sniff("x", b"id,title,assignee,inventor/author\n")


def test_fixture_quirks_are_real() -> None:
    pizza = raw(PIZZA)
    assert b"\n" not in pizza and pizza.count(b"\r") == 7
    with pytest.raises(UnicodeDecodeError):
        pizza.decode("utf-8")
    assert raw(SANGAMO).startswith(b"\xef\xbb\xbf")


def test_cr_only_export_with_day_first_dates() -> None:
    by_number = records(PIZZA)
    assert len(by_number) == 6
    p = by_number["US 3982033 A"]
    assert p.key == "US-B-3982033"
    assert p.publication_number == "US3982033A"
    # 21/09/76 and 24/08/71: two-digit years resolved against Publication Year 1976.
    assert (p.publication_date, p.filing_date) == ("1976-09-21", "1971-08-24")
    assert p.priority_date == "1969-11-28"  # earliest date in Priority Numbers
    assert p.title == "Process for coating pizza shells with sauce"
    assert p.cpc_codes == ("A21D13/007", "A21C9/04", "A21D13/0003", "A23G3/0257", "A23G3/20")
    assert p.ipc_codes == ("A21C9/04", "A21D13/00", "A23G3/02", "A23G3/20")
    assert p.url == "https://www.lens.org/lens/patent/US_3982033_A"
    assert p.extra["lens_csv"]["US Classifications"] == "426/302"
    assert p.extra["lens_csv"]["Simple Family Size"] == 1
    assert by_number["US 2013/0101709 A1"].publication_date == "2013-04-25"
    assert by_number["US D533981 S1"].key == "US-B-D533981"


def test_mis_encoded_bytes_do_not_stop_the_import() -> None:
    p = records(PIZZA)["KR 200477500 Y1"]
    assert p.key == "KR-Y-200477500"
    assert p.title == "Pizza Container"
    assert "\ufffd" in p.applicants[0]
    assert p.extra["lens_csv"]["decode_errors"] == ["Applicants", "Inventors"]
    assert p.language == "en"


def test_old_column_set() -> None:
    by_number = records(JET)
    assert {n: p.key for n, p in by_number.items()} == {
        "US 5480107 A": "US-B-5480107",
        "WO 1995/027654 A1": "WO-A-1995027654",
        "JP H0692239 B2": "JP-E-H06092239",
        "JP WO2005085620 A1": "WO-A-2005085620",
        "EP 1357170 B9 20061018": "EP-B-1357170",
        "CN 203717160 U": "CN-U-203717160",
        "JP 5689196 B1": "JP-B-5689196",
        "US 2011/0185700 A1": "US-A-20110185700",
    }
    p = by_number["US 5480107 A"]
    assert p.extra["lens_csv"]["Lens ID"] == "082-029-442-349-175"
    assert p.extra["lens_csv"]["Cited by Patent Count"] == 21
    assert p.extra["lens_csv"]["Extended Family Size"] == 6
    assert p.applicants == ("BACON; RICHARD J.",)  # one name: only ";;" separates names
    assert p.application_number == "US 22558594 A"
    assert p.priority_date == "1994-04-11"
    wo = by_number["JP WO2005085620 A1"]
    assert wo.language == "ja" and wo.applicants == ("根本 勇",)
    assert by_number["EP 1357170 B9 20061018"].publication_number == "EP1357170B9"


def test_new_column_set_with_abstracts() -> None:
    by_number = records(SANGAMO)
    p = by_number["US 9833479 B2"]
    assert p.key == "US-B-9833479"
    assert p.abstract.startswith("The present disclosure is in the field of genome engineering")
    assert p.applicants == ("SANGAMO THERAPEUTICS INC",)
    assert p.inventors == ("CONWAY ANTHONY", "COST GREGORY J", "HOLMES MICHAEL C", "URNOV FYODOR")
    assert p.priority_date == "2014-07-30"
    assert len(p.cpc_codes) == len(set(p.cpc_codes))  # the export repeats CPC codes
    assert p.extra["lens_csv"]["Document Type"] == "Granted Patent"
    assert p.extra["lens_csv"]["Simple Family Size"] == 6
    assert p.field_sources["abstract"] == "lens_csv"


def test_damaged_rows() -> None:
    lines = raw(JET).split(b"\r\n")
    lines[1] = lines[1].replace(b"US 5480107 A", b"??")  # no number
    lines[2] = b"5,WO,A1"  # wrong column count
    items = read(b"\r\n".join(lines), "jet.csv")
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert [(s.reason, s.line, s.field) for s in skipped] == [
        ("bad_number", 2, "Publication Number"),
        ("bad_row", 3, None),
    ]
    assert len(items) == 8


def test_missing_columns_are_file_errors() -> None:
    with pytest.raises(ImportFormatError) as err:
        read(b"#,Jurisdiction,Kind,Lens ID,Title\r\n1,US,A,1,x\r\n", "lens.csv")
    assert err.value.field == "Publication Number"
    with pytest.raises(ImportFormatError, match="empty"):
        read(b"")


@pytest.mark.shared
def test_all_shared_lens_exports(shared_data: Path) -> None:
    expected = {
        "antontruly_lens-export_jet_engine.csv.gz": 3779,
        "barneyhill_opensangamo_lens-export.csv.gz": 130,
        "poldham_drones_fulltext_families_5884.csv.gz": 5884,
        "poldham_pizza_lens_1000_raw.csv.gz": 1000,
    }
    for name, count in expected.items():
        path = shared_data / "formats" / "lens_csv" / name
        with gzip.open(path) as stream:
            assert SOURCE.sniff(name, stream.read(4096))
        with gzip.open(path) as stream:
            items = list(SOURCE.read(stream, name))
        found = [i for i in items if isinstance(i, Patent)]
        assert len(items) == len(found) == count, name
        assert len({p.key for p in found}) == count
        assert all(p.publication_date[:2] in ("18", "19", "20") for p in found if p.publication_date)
        assert all(not any(k.startswith("unparsed") for k in p.extra["lens_csv"]) for p in found)
        if name.startswith("poldham_pizza"):
            assert sum(1 for p in found if "decode_errors" in p.extra["lens_csv"]) == 11
        if name.startswith("barneyhill"):
            assert all(p.abstract for p in found)
