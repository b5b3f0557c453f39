"""tsunagu JSONL: the documented example, round trips of real records, and damaged lines."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import re
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.jplatpat import JplatpatCsvSource
from tsunagu.sources.jsonl import FORMAT_NAME, TsunaguJsonlSource, dump_jsonl, patent_to_dict
from tsunagu.sources.lens import LensCsvSource

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
EXAMPLE = DATA / "tsunagu_jsonl" / "nasa_sample.jsonl"
SOURCE = TsunaguJsonlSource()


def read(data: bytes, path: str = "patents.jsonl") -> list[ReadItem]:
    return list(SOURCE.read(io.BytesIO(data), path))


def real_records() -> list[Patent]:
    """Real records of two other formats (J-PlatPat with Japanese text, Lens with extra columns)."""
    out: list[Patent] = []
    with gzip.open(DATA / "jplatpat_csv" / "jplatpat_forms.csv.gz") as stream:
        out += [p for p in JplatpatCsvSource().read(stream, "j.csv") if isinstance(p, Patent)]
    with gzip.open(DATA / "lens_csv" / "jet_engine_lens_sample.csv.gz") as stream:
        out += [p for p in LensCsvSource().read(stream, "l.csv") if isinstance(p, Patent)]
    return out


def test_sniff() -> None:
    head = EXAMPLE.read_bytes()[:300]
    assert SOURCE.sniff("x", head)
    assert SOURCE.sniff("x", b'{"publication_number": "US8271025B2", "title": "x"}\n')
    assert SOURCE.sniff("x", b'{"key": "US-B-1", "publication_number": "US1", "title": "very lo')  # cut
    assert not SOURCE.sniff("x", b'["abstract", "title"]\n')
    assert not SOURCE.sniff("x", b'{"id": 1}\n')
    assert not SOURCE.sniff("x", b"id,title\n")


def test_example_file() -> None:
    found = [p for p in read(EXAMPLE.read_bytes()) if isinstance(p, Patent)]
    assert [p.key for p in found] == [
        "NASA-KSC-12236-2-PCT",
        "NASA-LAR-18327-1",
        "US-B-6858197",
        "US-B-7438030",
    ]
    assert found[2].publication_number == "US6858197"
    assert found[2].original_numbers == ("6858197", "ARC-14613-1")
    assert found[2].extra["nasa_t2_csv"]["Center"] == "ARC"
    assert all(p.sources == ("tsunagu_jsonl",) for p in found)


def test_round_trip_of_real_records() -> None:
    originals = real_records()
    for binary in (True, False):
        stream: io.BytesIO | io.StringIO = io.BytesIO() if binary else io.StringIO()
        assert dump_jsonl(originals, stream) == len(originals)
        text = stream.getvalue()
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        back = read(data)
        assert len(back) == len(originals)
        for original, copy in zip(originals, back, strict=True):
            assert isinstance(copy, Patent)
            assert copy == dataclasses.replace(original, sources=("tsunagu_jsonl",))
            assert copy.extra == original.extra
            assert set(copy.field_sources.values()) == {"tsunagu_jsonl"}
    assert "再表2004/000598" in data.decode("utf-8")  # written as UTF-8, not \\u escapes


def test_minimal_record_derives_identity_and_language() -> None:
    line = json.dumps(
        {"publication_number": "特開2005-346371", "title": "運転意図推定装置"}, ensure_ascii=False
    )
    (p,) = read(line.encode())
    assert isinstance(p, Patent)
    assert (p.key, p.country, p.series, p.kind) == ("JP-A-2005346371", "JP", "A", "A")
    assert p.original_numbers == ("特開2005-346371",)
    assert p.language == "ja"


def test_unknown_fields_are_kept() -> None:
    obj = {
        "publication_number": "US8271025B2",
        "title": "A title",
        "score": 3,
        "extra": {"lens_csv": {"a": 1}},
    }
    (p,) = read(json.dumps(obj).encode())
    assert isinstance(p, Patent)
    assert p.extra == {"lens_csv": {"a": 1}, "tsunagu_jsonl": {"score": 3}}


def test_damaged_lines_are_skipped() -> None:
    lines = [
        json.dumps({"format": FORMAT_NAME, "version": 1}),
        json.dumps({"publication_number": "US8271025B2", "title": "Good"}),
        '{"publication_number": "US1", "title": ',  # cut line
        json.dumps({"publication_number": "US8271026B2"}),  # no title
        json.dumps({"publication_number": "garbage", "title": "x"}),  # no usable number, no key
        json.dumps({"publication_number": "US8271027B2", "title": "x", "filing_date": "2001/01/02"}),
        json.dumps({"publication_number": "US8271028B2", "title": "x", "applicants": "ACME"}),
        "[1, 2]",
        "",
        json.dumps({"publication_number": "US8271029B2", "title": "Also good"}),
    ]
    items = read("\n".join(lines).encode(), "d.jsonl")
    assert [p.key for p in items if isinstance(p, Patent)] == ["US-B-8271025", "US-B-8271029"]
    skipped = [(s.line, s.reason, s.field) for s in items if isinstance(s, SkippedRecord)]
    assert skipped == [
        (3, "bad_json", None),
        (4, "no_title", "title"),
        (5, "bad_number", "publication_number"),
        (6, "bad_date", "filing_date"),
        (7, "bad_field", "applicants"),
        (8, "bad_record", None),
    ]


def test_whole_file_errors() -> None:
    with pytest.raises(ImportFormatError, match="empty"):
        read(b"\n\n")
    with pytest.raises(ImportFormatError, match="not tsunagu JSONL"):
        read(b"id,title\n")
    with pytest.raises(ImportFormatError, match="newer"):
        read(b'{"format": "tsunagu-patents", "version": 2}\n')
    with pytest.raises(ImportFormatError, match="is not"):
        read(b'{"format": "other"}\n')


def test_every_patent_data_field_is_written() -> None:
    provenance = {"sources", "field_sources"}
    fields = {f.name for f in dataclasses.fields(Patent)} - provenance
    full = Patent(**{name: _sample_value(name) for name in fields})
    assert set(patent_to_dict(full)) == fields


def _sample_value(name: str) -> object:
    field = next(f for f in dataclasses.fields(Patent) if f.name == name)
    if name == "extra":
        return {"x": {"y": 1}}
    if "tuple" in str(field.type):
        return ("v",)
    return "2001-01-01" if name.endswith("_date") else "v"


def test_docs_example_reads() -> None:
    docs = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(.*?)```", docs, flags=re.S)
    found = [p for p in read(block.encode("utf-8")) if isinstance(p, Patent)]
    assert [p.key for p in found] == ["US-B-6858197", "NASA-KSC-12236-2-PCT"]
