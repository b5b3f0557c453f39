"""Format detection by content and the reasons for unrecognised files (`tsunagu.sources.registry`)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from tsunagu.domain.patent import SOURCE_RANK
from tsunagu.errors import ImportFormatError, ValidationError
from tsunagu.sources.base import Source
from tsunagu.sources.files import InputFile, SkippedFile, iter_input_files
from tsunagu.sources.registry import (
    default_sources,
    detect,
    get_source,
    identify,
    source_names,
    unrecognised_reason,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def test_default_sources_are_all_formats_once() -> None:
    sources = default_sources()
    names = [s.name for s in sources]
    assert len(names) == len(set(names)) == 10
    assert set(SOURCE_RANK) <= set(names)
    assert "google_patents_abstracts" in names
    assert all(isinstance(s, Source) for s in sources)
    assert source_names() == names


def test_get_source() -> None:
    assert get_source("uspto_xml").name == "uspto_xml"
    assert get_source("PATENTSCOPE-XLS").name == "patentscope_xls"
    with pytest.raises(ValidationError, match="known formats: uspto_xml, uspto_greenbook, patentscope_xls"):
        get_source("epo_docdb")


def test_detection_ignores_names(tmp_path: Path) -> None:
    disguised = tmp_path / "results.csv"
    shutil.copy(DATA / "uspto_xml" / "2009_1.xml", disguised)
    (xls,) = [
        f
        for f in iter_input_files([DATA / "patentscope"])
        if isinstance(f, InputFile) and f.name.endswith(".xls")
    ]
    (item,) = iter_input_files([disguised])
    assert isinstance(item, InputFile)
    assert detect(item) is not None and detect(item).name == "uspto_xml"  # type: ignore[union-attr]
    assert identify(xls).source.name == "patentscope_xls"  # type: ignore[union-attr]


def test_damaged_compressed_file_raises_from_detection(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(gzip.compress((DATA / "uspto_xml" / "2009_1.xml").read_bytes())[:8])
    (item,) = iter_input_files([path])
    assert isinstance(item, InputFile)
    with pytest.raises(ImportFormatError):
        detect(item)


@pytest.mark.parametrize(
    ("name", "head", "reason"),
    [
        ("x.xml", b"", "empty file"),
        ("LICENSE.MIT", b"MIT License\n\nCopyright (c) 2018", "licence text, not data"),
        ("LICENSE.CC0", b"As a work released by the United States Government", "licence text, not data"),
        ("README_poldham_datasets.txt", b"These are patent training", "documentation (README), not data"),
        ("codebook.txt", b"Patentscope Pizza Search\n\nThe original search", "unrecognised format (text)"),
        ("other.csv", b"id,name,value\n1,a,2\n", "unrecognised format: delimited text with header 'id,name"),
        ("a.pdf", b"%PDF-1.4\n", "unrecognised format: PDF document"),
        ("b.bin", b"\x00\x01\x02\x03\x00", "unrecognised format (binary file)"),
        ("c.xml", b'<?xml version="1.0"?>\n<!-- x -->\n<catalog><book/></catalog>',
         "unrecognised format: XML with root element <catalog>"),
        ("d.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "unrecognised format: Excel 97 workbook"),
    ],
)  # fmt: skip
def test_unrecognised_reason(name: str, head: bytes, reason: str) -> None:
    assert unrecognised_reason(name, head).startswith(reason)


# --- the whole real data tree ------------------------------------------------------------------------

# Folder of the data tree → the format its files must be detected as (the folder is only the
# expectation; detection reads content).
_EXPECTED_FORMAT = {
    "google_patents_abstracts_ndjson": "google_patents_abstracts",
    "google_patents_csv": "google_patents_csv",
    "jplatpat_csv": "jplatpat_csv",
    "lens_csv": "lens_csv",
    "nasa_t2_csv": "nasa_t2_csv",
    "patentscope_xls": "patentscope_xls",
    "patentsview_csv": "patentsview_csv",
    "uspto_xml": "uspto_xml",
    "uspto_samples": "uspto_xml",
}
_EXPECTED_BY_PART = {"/greenbook/": "uspto_greenbook"}
# Files that are not exports, by a distinctive part of their path → the start of the reason (first
# matching part wins).
_EXPECTED_REASON = {
    "!__MACOSX/": "macOS resource-fork entry",
    "LICENSE.": "licence text",
    "README_poldham_datasets.txt": "documentation (README)",
    "pizza_all_codebook_09022016.txt": "unrecognised format (text)",
    "/cpcScheme/": "not a patent document: CPC classification scheme",
    "/cpcMaster/": "not a patent document: USPTO CPC master classification file",
    "/css_brs/": "not supported: USPTO BRS",
    "/xml4ip/": "not a patent publication: USPTO file-wrapper document (XML4IP",
}


@pytest.mark.shared
def test_every_shared_file_is_recognised_or_skipped_with_a_reason(shared_data: Path) -> None:
    formats = shared_data / "formats"
    sources = default_sources()
    seen: dict[str, int] = {}
    for entry in iter_input_files([formats]):
        rel = entry.path[len(str(formats)) + 1 :]
        folder = rel.split("/", 1)[0]
        expected_reason = next((r for part, r in _EXPECTED_REASON.items() if part in "/" + rel), None)
        if isinstance(entry, SkippedFile):
            assert expected_reason is not None, f"{rel} skipped: {entry.reason}"
            assert entry.reason.startswith(expected_reason), rel
            continue
        found = identify(entry, sources)
        if expected_reason is not None:
            assert found.source is None, f"{rel} read as {found.source.name}"  # type: ignore[union-attr]
            assert found.reason.startswith(expected_reason), (rel, found.reason)
        else:
            assert found.source is not None, f"{rel} not recognised: {found.reason}"
            expected = next(
                (f for part, f in _EXPECTED_BY_PART.items() if part in rel), _EXPECTED_FORMAT[folder]
            )
            assert found.source.name == expected, rel
            seen[found.source.name] = seen.get(found.source.name, 0) + 1
    assert seen == {
        "google_patents_abstracts": 10,
        "google_patents_csv": 10,
        "jplatpat_csv": 18,
        "lens_csv": 4,
        "nasa_t2_csv": 1,
        "patentscope_xls": 3,
        "patentsview_csv": 2,
        "uspto_xml": 71,  # 57 in uspto_xml/, 14 samples
        "uspto_greenbook": 3,
    }
