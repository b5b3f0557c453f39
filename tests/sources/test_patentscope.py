"""PATENTSCOPE .xls importer (`tsunagu.sources.patentscope`), on real rows."""

from __future__ import annotations

import io
import time
from collections import Counter
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import SkippedRecord
from tsunagu.sources.files import InputFile, iter_input_files
from tsunagu.sources.patentscope import PatentscopeXlsSource, parse_priority_data

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "patentscope" / "patentscope_pizza_sample.xls"
SOURCE = PatentscopeXlsSource()


@pytest.fixture(scope="module")
def items() -> list[Patent | SkippedRecord]:
    with FIXTURE.open("rb") as stream:
        return list(SOURCE.read(stream, str(FIXTURE)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def by_number(items: list[Patent | SkippedRecord]) -> dict[str, Patent]:
    return {p.original_numbers[0]: p for p in items if isinstance(p, Patent)}


def test_reads_every_sheet_after_its_preamble(items: list[Patent | SkippedRecord]) -> None:
    patents = [i for i in items if isinstance(i, Patent)]
    assert len(patents) == 25  # 20 on the first sheet, 5 on the second
    assert patents[0].original_numbers == ("US20050286606",)
    assert patents[20].original_numbers == ("US20150376176",)
    assert all(p.sources == ("patentscope_xls",) for p in patents)


def test_row_without_number_is_skipped_with_sheet_and_row(items: list[Patent | SkippedRecord]) -> None:
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert len(skipped) == 1
    (s,) = skipped
    assert (s.path, s.line, s.field, s.reason) == (str(FIXTURE), 24, "Publication Number", "no_number")
    assert "ResultSet" in s.message


def test_us_application_row(by_number: dict[str, Patent]) -> None:
    p = by_number["US20050286606"]
    assert (p.key, p.publication_number, p.kind) == ("US-A-20050286606", "US20050286606", "")
    assert p.title == "Method and apparatus for monitoring and detecting defects in plastic package sealing"
    assert p.publication_date == "2005-12-29"  # 29.12.2005
    assert p.priority_date == "2004-06-24"
    assert p.extra["priority_claims"] == [{"number": "60582692", "date": "2004-06-24", "office": "US"}]
    assert p.ipc_codes == ("G01N25/00", "G01J5/00", "G01N25/72")  # spaces removed, repeats dropped
    assert p.applicants == ("Fluke Corporation",)
    assert p.inventors == ("Ignatowicz Steven",)
    assert p.language == "en"


def test_several_applicants_inventors_and_priorities(by_number: dict[str, Patent]) -> None:
    p = by_number["US20050287165"]
    assert p.priority_date == "1998-01-14"  # the earliest of three GB priorities
    assert [c["office"] for c in p.extra["priority_claims"]] == ["GB", "GB", "GB"]
    assert p.applicants == ("Chiron Corporation",)
    assert len(p.inventors) >= 3
    assert p.inventors[0] == "Scarlato Vincenzo"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("WO2005125189", "WO-A-2005125189"),
        ("EP1610276", "EP-A-1610276"),
        ("KR1020050123389", "KR-A-1020050123389"),
        ("JP2005350486", "JP-A-2005350486"),
        ("za2005/02132", "ZA-A-200502132"),
        ("mxPA/a/2005/003863", "MX-A-PAA2005003863"),
        ("DE000069233417", "DE-A-69233417"),
        ("USRE038478", "US-B-RE38478"),
        ("ru02262857", "RU-A-2262857"),
        ("es2228454", "ES-A-2228454"),
        ("WO2015197496", "WO-A-2015197496"),
    ],
)
def test_number_forms(by_number: dict[str, Patent], raw: str, key: str) -> None:
    p = by_number[raw]
    assert p.key == key
    assert p.country == key[:2]
    assert p.original_numbers == (raw,)


def test_priority_date_in_day_month_year_form(by_number: dict[str, Patent]) -> None:
    p = by_number["WO2005125189"]
    assert p.extra["priority_claims"] == [{"number": "10/864,311", "date": "2004-06-08", "office": "US"}]
    assert p.priority_date == "2004-06-08"


def test_office_first_priority_form(by_number: dict[str, Patent]) -> None:
    p = by_number["WO2015197496"]
    assert p.extra["priority_claims"] == [{"number": "62/016,924", "date": "2014-06-25", "office": "US"}]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("[04006331.5  EP, 04006331.5 2004-05-17T23:59:59.000Z EP]",
         [{"number": "04006331.5", "date": "", "office": "EP"},
          {"number": "04006331.5", "date": "2004-05-17", "office": "EP"}]),
        ("[PA 2002 00074 2002-01-16T23:59:59.000Z DK]", [{"number": "PA 2002 00074", "date": "2002-01-16",
                                                          "office": "DK"}]),
        ("[US20020299537  ]", [{"number": "US20020299537", "date": "", "office": ""}]),
        ("[532906 13.05.2004 NZ]", [{"number": "532906", "date": "2004-05-13", "office": "NZ"}]),
    ],
)  # fmt: skip
def test_parse_priority_data(value: str, expected: list[dict[str, str]]) -> None:
    assert parse_priority_data(value) == expected


def test_sniff() -> None:
    head = FIXTURE.read_bytes()[:65536]
    assert SOURCE.sniff(FIXTURE.name, head)
    assert not SOURCE.sniff("x.xls", head[:8] + b"\x00" * 100)  # another Excel workbook
    assert not SOURCE.sniff("x.csv", b"Publication Number,Publication Date\n")


def test_workbook_without_header_or_not_a_workbook() -> None:
    with pytest.raises(ImportFormatError, match=r"not a readable \.xls"):
        list(SOURCE.read(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600), "bad.xls"))


@pytest.mark.shared
def test_pizza_zip(shared_data: Path) -> None:
    path = shared_data / "formats" / "patentscope_xls" / "poldham_pizza_all_24294_raw.zip"
    started = time.perf_counter()
    patents: list[Patent] = []
    per_file: Counter[str] = Counter()
    for item in iter_input_files([path]):
        if not isinstance(item, InputFile) or not SOURCE.sniff(item.name, item.head()):
            continue
        with item.open() as stream:
            for record in SOURCE.read(stream, item.path):
                assert isinstance(record, Patent), record
                patents.append(record)
                per_file[item.name] += 1
    seconds = time.perf_counter() - started
    assert per_file == Counter({"patentscope_pizza_1940_2005_9659.xls": 9659,
                                "patentscope_pizza_2006_2011_8458.xls": 8458,
                                "patentscope_pizza_2012_2015_6177.xls": 6177})  # fmt: skip
    assert len(patents) == 24294
    keys = Counter(p.key for p in patents)
    assert len(keys) == 24280  # same number twice: EP A and B publications, es/ES spellings
    assert all(p.publication_date for p in patents)
    assert sum(1 for p in patents if not p.title) == 17  # as exported
    assert sum(1 for p in patents if p.ipc_codes) > 24000
    assert sum(1 for p in patents if p.priority_date) > 15000
    assert len(patents) / seconds > 1000  # records per second, conservatively
