"""Walking files, folders, zips and compressed files (`tsunagu.sources.files`)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tsunagu.errors import ImportFormatError
from tsunagu.sources.files import InputFile, SkippedFile, iter_input_bytes, iter_input_files

DATA = Path(__file__).resolve().parents[1] / "data"
USPTO = DATA / "uspto_xml"
DAMAGED = DATA / "damaged"
WEEKLY_GZ = USPTO / "ipg060103.cut.xml.gz"
SINGLE_XML = USPTO / "2009_1.xml"


def _walk(*paths: str | Path) -> list[InputFile | SkippedFile]:
    return list(iter_input_files(list(paths)))


def _files(entries: list[InputFile | SkippedFile]) -> list[InputFile]:
    return [e for e in entries if isinstance(e, InputFile)]


def _skipped(entries: list[InputFile | SkippedFile]) -> dict[str, str]:
    return {e.path: e.reason for e in entries if isinstance(e, SkippedFile)}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder as users have them: nested folders, a zip with macOS debris, compressed copies."""
    root = tmp_path / "exports"
    (root / "b_sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    (root / "__MACOSX").mkdir()
    (root / "__MACOSX" / "._a.xml").write_bytes(b"\x00\x05\x16\x07")
    shutil.copy(SINGLE_XML, root / "a.xml")
    shutil.copy(WEEKLY_GZ, root / "b_sub" / "week.xml.gz")
    xml = SINGLE_XML.read_bytes()
    (root / "b_sub" / "deeper" / "c.xml.bz2").write_bytes(bz2.compress(xml))
    (root / "b_sub" / "deeper" / "d.xml.xz").write_bytes(lzma.compress(xml))
    (root / "._a.xml").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    (root / ".hidden.csv").write_text("a,b,c\n")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "empty.xml").write_bytes(b"")
    with zipfile.ZipFile(root / "z.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner/", b"")
        zf.writestr("inner/2009_1.xml", xml)
        zf.writestr("inner/week.xml.gz", WEEKLY_GZ.read_bytes())
        zf.writestr("__MACOSX/inner/._2009_1.xml", b"\x00\x05\x16\x07")
        zf.writestr("inner/._2009_1.xml", b"\x00\x05\x16\x07")
        zf.writestr("inner/empty.txt", b"")
        nested = io.BytesIO()
        with zipfile.ZipFile(nested, "w", zipfile.ZIP_DEFLATED) as inner:
            inner.writestr("nested.xml", xml)
        zf.writestr("inner/nested.zip", nested.getvalue())
    return root


def test_walk_is_sorted_recursive_and_enters_archives(tree: Path) -> None:
    entries = _walk(tree)
    root = str(tree)
    files = [(f.path, f.name, f.compression) for f in _files(entries)]
    assert files == [
        (f"{root}/a.xml", "a.xml", ""),
        (f"{root}/b_sub/deeper/c.xml.bz2", "c.xml", "bz2"),
        (f"{root}/b_sub/deeper/d.xml.xz", "d.xml", "xz"),
        (f"{root}/b_sub/week.xml.gz", "week.xml", "gzip"),
        (f"{root}/z.zip!inner/2009_1.xml", "2009_1.xml", ""),
        (f"{root}/z.zip!inner/nested.zip!nested.xml", "nested.xml", ""),
        (f"{root}/z.zip!inner/week.xml.gz", "week.xml", "gzip"),
    ]
    skipped = _skipped(entries)
    assert "AppleDouble" in skipped[f"{root}/._a.xml"]
    assert skipped[f"{root}/.hidden.csv"] == "hidden file"
    assert skipped[f"{root}/.git"] == "hidden folder"
    assert "__MACOSX" in skipped[f"{root}/__MACOSX"]
    assert ".DS_Store" in skipped[f"{root}/.DS_Store"]
    assert skipped[f"{root}/empty.xml"] == "empty file"
    assert "__MACOSX" in skipped[f"{root}/z.zip!__MACOSX/inner/._2009_1.xml"]
    assert "AppleDouble" in skipped[f"{root}/z.zip!inner/._2009_1.xml"]
    assert skipped[f"{root}/z.zip!inner/empty.txt"] == "empty file"
    assert not any(p.endswith(".git/config") for p in skipped)  # hidden folders are not entered
    assert _walk(tree) == entries  # deterministic


def test_every_layer_decompresses_to_the_same_bytes(tree: Path) -> None:
    xml = SINGLE_XML.read_bytes()
    weekly = gzip.decompress(WEEKLY_GZ.read_bytes())
    by_path = {f.path: f for f in _files(_walk(tree))}
    root = str(tree)
    for suffix in ("a.xml", "b_sub/deeper/c.xml.bz2", "b_sub/deeper/d.xml.xz", "z.zip!inner/2009_1.xml",
                   "z.zip!inner/nested.zip!nested.xml"):  # fmt: skip
        item = by_path[f"{root}/{suffix}"]
        with item.open() as stream:
            assert stream.read() == xml, suffix
        assert item.head(100) == xml[:100]
    for suffix in ("b_sub/week.xml.gz", "z.zip!inner/week.xml.gz"):
        with by_path[f"{root}/{suffix}"].open() as stream:
            assert stream.read() == weekly
    assert by_path[f"{root}/a.xml"].size == len(xml)
    assert by_path[f"{root}/z.zip!inner/week.xml.gz"].size == WEEKLY_GZ.stat().st_size


def test_open_streams_support_readline_and_chunks() -> None:
    (item,) = _files(_walk(WEEKLY_GZ))
    with item.open() as stream:
        first = stream.readline()
        chunk = stream.read(10)
    assert first.startswith(b"<?xml version=")
    assert chunk.startswith(b"<!DOCTYPE")


def test_single_files_are_yielded_as_given_even_when_named_like_hidden_ones(tmp_path: Path) -> None:
    hidden = tmp_path / ".export.xml"
    shutil.copy(SINGLE_XML, hidden)
    (item,) = _walk(hidden)
    assert isinstance(item, InputFile)
    assert item.path == str(hidden)
    assert _walk(tmp_path / "missing.csv") == [
        SkippedFile(str(tmp_path / "missing.csv"), "no such file or folder")
    ]


def test_office_documents_are_files_not_archives(tmp_path: Path) -> None:
    xlsx = tmp_path / "book.xlsx"
    with zipfile.ZipFile(xlsx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    (item,) = _walk(xlsx)
    assert isinstance(item, InputFile)
    assert item.path == str(xlsx) and item.head(2) == b"PK"


def test_symlink_loops_are_walked_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(SINGLE_XML, root / "a.xml")
    os.symlink(root, root / "loop")
    entries = _walk(root)
    assert [f.name for f in _files(entries)] == ["a.xml"]
    assert "loop" in _skipped(entries)[f"{root}/loop"]


def test_uploaded_bytes(tree: Path) -> None:
    (single,) = iter_input_bytes("week.xml.gz", WEEKLY_GZ.read_bytes())
    assert isinstance(single, InputFile)
    assert (single.path, single.name, single.compression) == ("week.xml.gz", "week.xml", "gzip")
    assert single.head(5) == b"<?xml"
    entries = list(iter_input_bytes("upload.zip", (tree / "z.zip").read_bytes()))
    assert [f.path for f in _files(entries)] == [
        "upload.zip!inner/2009_1.xml",
        "upload.zip!inner/nested.zip!nested.xml",
        "upload.zip!inner/week.xml.gz",
    ]
    assert len(_skipped(entries)) == 3
    assert list(iter_input_bytes("._x.xls", b"\x00\x05")) == [
        SkippedFile("._x.xls", "macOS AppleDouble metadata file (._*), not data")
    ]
    assert list(iter_input_bytes("x.csv", b"")) == [SkippedFile("x.csv", "empty file")]


# --- damage ------------------------------------------------------------------------------------


def test_truncated_gzip_raises_import_format_error_naming_the_file() -> None:
    path = DAMAGED / "ipg120327.truncated.xml.gz"
    (item,) = _walk(path)
    assert isinstance(item, InputFile)
    assert item.head(5) == b"<?xml"  # the beginning is intact
    with pytest.raises(ImportFormatError) as info, item.open() as stream:
        stream.read()
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    assert "truncated" in str(info.value)


def test_gzip_truncated_inside_its_header_fails_on_head(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xml.gz"
    path.write_bytes(WEEKLY_GZ.read_bytes()[:6])
    (item,) = _walk(path)
    assert isinstance(item, InputFile)
    with pytest.raises(ImportFormatError, match=r"tiny\.xml\.gz"):
        item.head()


def test_corrupt_zip_member_fails_alone() -> None:
    path = DAMAGED / "corrupt-member.zip"
    good, bad = _files(_walk(path))
    assert good.path == f"{path}!week/ipg120327-doc1.xml"
    with good.open() as stream:
        assert stream.read().count(b"<us-patent-grant ") == 1
    assert bad.path == f"{path}!week/ipg120327-doc3.xml"
    with pytest.raises(ImportFormatError) as info, bad.open() as stream:
        stream.read()
    assert info.value.path == bad.path
    assert "CRC" in str(info.value) or "Error" in str(info.value)


def test_truncated_zip_archive_is_skipped_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "cut.zip"
    path.write_bytes((DAMAGED / "corrupt-member.zip").read_bytes()[:3000])
    (entry,) = _walk(path)
    assert isinstance(entry, SkippedFile)
    assert entry.reason.startswith("damaged zip archive")


def test_empty_file_is_skipped() -> None:
    assert _walk(DAMAGED / "empty.xml") == [SkippedFile(str(DAMAGED / "empty.xml"), "empty file")]


def test_gzip_of_nothing_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "nothing.csv.gz"
    path.write_bytes(gzip.compress(b""))
    (entry,) = _walk(path)
    assert isinstance(entry, SkippedFile)
    assert entry.reason.startswith("empty file")


# --- real data -----------------------------------------------------------------------------------


@pytest.mark.shared
def test_patentscope_zip_members(shared_data: Path) -> None:
    path = shared_data / "formats" / "patentscope_xls" / "poldham_pizza_all_24294_raw.zip"
    entries = _walk(path)
    names = [f.name for f in _files(entries)]
    assert names == [
        "patentscope_pizza_1940_2005_9659.xls",
        "patentscope_pizza_2006_2011_8458.xls",
        "patentscope_pizza_2012_2015_6177.xls",
        "pizza_all_codebook_09022016.txt",
    ]
    skipped = _skipped(entries)
    assert len(skipped) == 4
    assert all("__MACOSX" in reason for reason in skipped.values())
    assert all("!__MACOSX/pizza_all_24294/._" in p for p in skipped)
    first = _files(entries)[0]
    assert first.size == 5635584
    assert first.head(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.shared
def test_whole_formats_tree_walks_quickly_and_names_gz_content(shared_data: Path) -> None:
    entries = _walk(shared_data / "formats")
    files = _files(entries)
    assert len(files) >= 120
    gz = [f for f in files if f.compression == "gzip"]
    assert gz and all(not f.name.endswith(".gz") for f in gz)
    assert all(f.path.startswith(str(shared_data / "formats")) for f in files)
