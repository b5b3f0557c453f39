"""Shared CSV helpers, and content sniffing that tells every CSV/JSON fixture format apart."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from tsunagu.sources.csvutil import (
    HEAD_SIZE,
    choose_encoding,
    clean_text,
    decode_head,
    dedupe,
    first_record,
    iter_csv_rows,
    normalise_codes,
    open_text,
    parse_date,
    split_list,
)
from tsunagu.sources.google_patents import GooglePatentsAbstractsSource, GooglePatentsCsvSource
from tsunagu.sources.jplatpat import JplatpatCsvSource
from tsunagu.sources.jsonl import TsunaguJsonlSource
from tsunagu.sources.lens import LensCsvSource
from tsunagu.sources.nasa import NasaT2CsvSource
from tsunagu.sources.patentsview import PatentsviewCsvSource

DATA = Path(__file__).resolve().parents[1] / "data"
SOURCES = [
    JplatpatCsvSource(),
    GooglePatentsCsvSource(),
    GooglePatentsAbstractsSource(),
    LensCsvSource(),
    PatentsviewCsvSource(),
    NasaT2CsvSource(),
    TsunaguJsonlSource(),
]
FIXTURES = {
    "jplatpat_csv/jplatpat_first4.csv.gz": "jplatpat_csv",
    "jplatpat_csv/jplatpat_forms.csv.gz": "jplatpat_csv",
    "google_patents_csv/gp-search-thinking-machines.csv.gz": "google_patents_csv",
    "google_patents_abstracts_ndjson/thinking-machines_abstracts.ndjson.gz": "google_patents_abstracts",
    "lens_csv/pizza_lens_sample.csv.gz": "lens_csv",
    "lens_csv/jet_engine_lens_sample.csv.gz": "lens_csv",
    "lens_csv/sangamo_lens_sample.csv.gz": "lens_csv",
    "patentsview_csv/patentsview_sample.csv.gz": "patentsview_csv",
    "nasa_t2_csv/nasa_patents_sample.csv": "nasa_t2_csv",
    "tsunagu_jsonl/nasa_sample.jsonl": "tsunagu_jsonl",
}


def head_of(relative: str, size: int = 4096) -> bytes:
    path = DATA / relative
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data[:size]


@pytest.mark.parametrize("relative", sorted(FIXTURES))
def test_each_fixture_is_recognised_by_exactly_one_source(relative: str) -> None:
    for size in (512, 4096):
        head = head_of(relative, size)
        assert [s.name for s in SOURCES if s.sniff("any-name.csv", head)] == [FIXTURES[relative]]


def test_choose_encoding() -> None:
    text = "文献番号,発明の名称\n特開2005-346371,運転支援装置\n"
    assert choose_encoding(b"\xef\xbb\xbf" + text.encode()) == "utf-8-sig"
    assert choose_encoding(text.encode()) == "utf-8"
    assert choose_encoding(text.encode("cp932"), ("cp932",)) == "cp932"
    assert choose_encoding(text.encode("cp932")) == "utf-8"  # no fallback: read with U+FFFD
    # A multi-byte character cut at the end of the sample is still UTF-8.
    assert choose_encoding(text.encode()[:-4]) == "utf-8"
    assert choose_encoding("①特実".encode("cp932"), ("cp932",)) == "cp932"  # NEC extension


def test_decode_head_and_first_record() -> None:
    assert first_record(decode_head(b'\xef\xbb\xbf"a","b c"\r\n"1","2"')) == ["a", "b c"]
    assert first_record(decode_head(b"x,y\rz")) == ["x", "y"]  # CR-only line ending
    assert first_record("") == []


def test_open_text_replays_the_head_and_continues() -> None:
    line = "特開2005-346371,運転意図推定装置\r\n"
    data = ("文献番号,発明の名称\r\n" + line * (HEAD_SIZE // 20)).encode("cp932")
    assert len(data) > HEAD_SIZE
    decoded = open_text(io.BytesIO(data), fallbacks=("cp932",))
    assert decoded.encoding == "cp932"
    assert decoded.stream.read() == data.decode("cp932")


def test_open_text_replaces_bad_bytes() -> None:
    decoded = open_text(io.BytesIO(b"a,b\r1,\x93\xa3x\r"))
    assert decoded.stream.read() == "a,b\r1,\ufffd\ufffdx\r"


def test_iter_csv_rows_line_numbers_and_huge_fields() -> None:
    huge = "x" * 300_000  # beyond the csv module's default 128 KiB field limit
    text = f'a,b\r\n"multi\r\nline",1\r\n"{huge}",2\r\n'
    rows = list(iter_csv_rows(io.StringIO(text, newline=""), "f.csv"))
    assert [r.line for r in rows] == [1, 2, 4]
    assert rows[2].values == [huge, "2"]
    cr_rows = list(iter_csv_rows(io.StringIO("a,b\r1,2\r3,4\r", newline=""), "f.csv"))
    assert [(r.line, r.values) for r in cr_rows] == [(1, ["a", "b"]), (2, ["1", "2"]), (3, ["3", "4"])]


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("2005/12/15", {}, "2005-12-15"),
        ("2005-12-15", {}, "2005-12-15"),
        ("2034-03-11 00:00:00", {}, "2034-03-11"),
        ("2004-06-24T23:59:59.000Z", {}, "2004-06-24"),
        ("19940411", {}, "1994-04-11"),
        ("29.12.2005", {}, "2005-12-29"),
        ("25/04/13", {}, "2013-04-25"),
        ("21/09/76", {}, "1976-09-21"),
        ("04/25/13", {"day_first": False}, "2013-04-25"),
        ("10/10/20", {"century": lambda yy, m, d: 1900 + yy}, "1920-10-10"),
        ("", {}, ""),
        ("  ", {}, ""),
        ("2005/13/45", {}, None),
        ("soon", {}, None),
    ],
)
def test_parse_date(value: str, kwargs: dict[str, object], expected: str | None) -> None:
    assert parse_date(value, **kwargs) == expected  # type: ignore[arg-type]


def test_lists_and_codes() -> None:
    assert split_list("A;;B ;; ;;C", ";;") == ["A", "B", "C"]
    assert dedupe(["b", "a", "b", "", "c"]) == ("b", "a", "c")
    assert normalise_codes(["G01N 25/00", "G01N25/00", "junk", "A61K 38/17"]) == ("G01N25/00", "A61K38/17")
    assert clean_text("ルノー\u3000\u3000エス．ア．エス．  ") == "ルノー エス．ア．エス．"
