"""J-PlatPat CSV importer on real export rows (tests/data/jplatpat_csv) and the full shared exports."""

from __future__ import annotations

import csv
import gzip
import io
import time
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.domain.patent_text import problem_part
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.jplatpat import JplatpatCsvSource, clean_abstract

DATA = Path(__file__).resolve().parents[1] / "data" / "jplatpat_csv"
FIRST4 = DATA / "jplatpat_first4.csv.gz"
FORMS = DATA / "jplatpat_forms.csv.gz"
SOURCE = JplatpatCsvSource()


def read_bytes(data: bytes, path: str = "test.csv") -> list[ReadItem]:
    return list(SOURCE.read(io.BytesIO(data), path))


def patents(items: list[ReadItem]) -> list[Patent]:
    return [i for i in items if isinstance(i, Patent)]


def fixture(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def rewrite(data: bytes, edit: object) -> bytes:
    """Parse the fixture, let ``edit(rows)`` change it, and write it back as J-PlatPat does."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    rows = edit(rows)  # type: ignore[operator]
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def test_sniff_recognises_the_header() -> None:
    assert SOURCE.sniff("x.csv", fixture(FIRST4)[:2048])
    assert SOURCE.sniff("x.csv", fixture(FIRST4)[:2048].decode("utf-8-sig").encode("cp932"))
    assert not SOURCE.sniff("x.csv", b"patent_abstract,patent_date,patent_number,patent_title\n")
    assert not SOURCE.sniff("x.csv", b"")


def test_first_record_fields() -> None:
    items = read_bytes(fixture(FIRST4), "first4.csv")
    records = patents(items)
    assert len(records) == len(items) == 4
    p = records[0]
    assert p.key == "JP-A-2005346371"
    assert p.publication_number == "JP2005346371A"
    assert p.original_numbers == ("特開2005-346371",)
    assert (p.country, p.series, p.kind) == ("JP", "A", "A")
    assert p.title == "運転意図推定装置、車両用運転操作補助装置および車両用運転操作補助装置を備えた車両"
    assert p.application_number == "特願2004-164754"
    assert (p.filing_date, p.publication_date) == ("2004-06-02", "2005-12-15")
    assert p.applicants == ("日産自動車株式会社",)
    assert p.language == "ja"
    assert p.url.startswith("https://www.j-platpat.inpit.go.jp/c1800/PU/JP-2005-346371/")
    # FI subdivisions stay with their code; IPC is the FI mapped, without repeats, in order.
    assert p.fi_codes[:4] == ("A61B5/18", "B60K26/04", "B60K41/00,390", "B60K41/00,440")
    assert "B60R21/00,624@D" in p.fi_codes
    assert p.ipc_codes == (
        "A61B5/18",
        "B60K26/04",
        "B60K41/00",
        "B60R21/00",
        "B60W40/08",
        "B60W50/08",
        "B60W50/16",
        "G08G1/16",
    )
    assert p.extra["jplatpat_csv"] == {"公開番号": "特開2005-346371", "登録番号": "特許4400316"}
    assert p.sources == ("jplatpat_csv",)
    assert set(p.field_sources.values()) == {"jplatpat_csv"}
    assert {"title", "abstract", "fi_codes", "ipc_codes", "url"} <= set(p.field_sources)


def test_abstract_is_cleaned_and_keeps_headings() -> None:
    records = patents(read_bytes(fixture(FIRST4)))
    for p in records:
        assert "<BR>" not in p.abstract
        assert "(57)" not in p.abstract and "【要約】" not in p.abstract
        assert "【選択図】" not in p.abstract
        assert "（修正有）" not in p.abstract
    first = records[0]
    assert first.abstract.startswith(
        "【課題】自車両の車両状態や自車両周囲の走行環境によらずドライバの運転意図"
    )
    assert "\n【解決手段】運転意図推定装置は、" in first.abstract
    assert problem_part(first.abstract) == (
        "自車両の車両状態や自車両周囲の走行環境によらずドライバの運転意図を精度よく推定する運転意図推定装置を提供する。"
    )


def test_amended_note_is_recorded() -> None:
    records = patents(read_bytes(fixture(FIRST4)))
    amended = [p for p in records if p.extra["jplatpat_csv"].get("abstract_amended")]
    assert [p.publication_number for p in amended] == ["JP2005330869A"]
    assert amended[0].abstract.startswith("【課題】")


def test_clean_abstract_quirks() -> None:
    raw = "(57)【要約】      （修正有）\r\n【課題】\r\n  運転<BR>支援\r\n\r\n【選<BR>択図】  図１\r\n"
    assert clean_abstract(raw) == ("【課題】運転支援", True)
    assert clean_abstract("") == ("", False)
    assert clean_abstract("(57)【要約】\n  本発明は、装置を<BR>提供する。\n") == (
        "本発明は、装置を提供する。",
        False,
    )


def test_number_forms_and_applicants() -> None:
    records = {p.original_numbers[0]: p for p in patents(read_bytes(fixture(FORMS)))}
    assert {n: p.key for n, p in records.items()} == {
        "再表2004/000598": "WO-A-2004000598",
        "実全平04-123757": "JP-U-H04123757",
        "特開昭62-278478": "JP-A-S62278478",
        "特許7156517": "JP-B-7156517",
        "実登3224952": "JP-R-3224952",
        "特開2019-027996": "JP-A-2019027996",
    }
    assert records["再表2004/000598"].publication_number == "WO2004000598A1"
    assert records["再表2004/000598"].extra["jplatpat_csv"]["公開番号"] == "WO2004/000598"
    assert records["実全平04-123757"].abstract == ""
    assert records["特開昭62-278478"].extra["jplatpat_csv"]["公告番号"] == "特公平08-023587"
    # Several applicants joined by commas, full-width spaces inside names become one space.
    assert records["特開2019-027996"].applicants == ("ルノー エス．ア．エス．", "日産自動車株式会社")


def test_shift_jis_export_reads_the_same() -> None:
    data = fixture(FIRST4)
    sjis = data.decode("utf-8-sig").encode("cp932")
    utf8_records = patents(read_bytes(data))
    sjis_records = patents(read_bytes(sjis))
    assert len(sjis_records) == 4
    for a, b in zip(utf8_records, sjis_records, strict=True):
        assert (a.key, a.title, a.abstract, a.applicants, a.fi_codes) == (
            b.key,
            b.title,
            b.abstract,
            b.applicants,
            b.fi_codes,
        )
    assert sjis_records[0].extra["jplatpat_csv"]["encoding"] == "cp932"


def test_export_without_abstract_column_and_with_other_columns() -> None:
    # Another J-PlatPat screen: no 要約, but ステージ and イベント詳細 (columns edited here, rows real).
    def edit(rows: list[list[str]]) -> list[list[str]]:
        header = rows[0]
        drop = header.index("要約")
        out = [[c for i, c in enumerate(r) if i != drop] for r in rows]
        out[0] += ["ステージ", "イベント詳細"]
        for r in out[1:]:
            r += ["登録", "2008/01/11 登録"]
        return out

    records = patents(read_bytes(rewrite(fixture(FIRST4), edit)))
    assert len(records) == 4
    assert all(p.abstract == "" for p in records)
    assert records[0].extra["jplatpat_csv"]["ステージ"] == "登録"
    assert records[0].extra["jplatpat_csv"]["イベント詳細"] == "2008/01/11 登録"
    assert "abstract" not in records[0].field_sources


def test_missing_required_column_is_a_file_error() -> None:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        rows[0][rows[0].index("発明の名称")] = "名前"
        return rows

    with pytest.raises(ImportFormatError) as err:
        read_bytes(rewrite(fixture(FIRST4), edit), "特実_国内文献.csv")
    assert err.value.field == "発明の名称"
    assert err.value.path == "特実_国内文献.csv"
    assert "発明の名称" in str(err.value) and "特実_国内文献.csv" in str(err.value)


def test_empty_file_is_a_file_error() -> None:
    with pytest.raises(ImportFormatError, match="empty"):
        read_bytes(b"", "empty.csv")


def test_damaged_rows_are_skipped_with_line_and_reason() -> None:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        rows[1][0] = "特開XXXX-346371"  # broken number
        rows[2] = rows[2][:5]  # row cut short
        rows[3][rows[0].index("発明の名称")] = ""  # no title
        return rows

    items = read_bytes(rewrite(fixture(FIRST4), edit), "damaged.csv")
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert [(s.reason, s.field) for s in skipped] == [
        ("bad_number", "文献番号"),
        ("bad_row", None),
        ("no_title", "発明の名称"),
    ]
    assert skipped[0].line == 2 and skipped[0].path == "damaged.csv"
    assert skipped[1].line > skipped[0].line  # physical line: abstracts span several lines
    assert len(patents(items)) == 1


# --- the full shared exports ---------------------------------------------------------------------


@pytest.mark.shared
def test_all_shared_exports(shared_data: Path) -> None:
    files = sorted((shared_data / "formats" / "jplatpat_csv").glob("*.csv.gz"))
    assert len(files) == 18
    start = time.perf_counter()
    items: list[ReadItem] = []
    for f in files:
        with gzip.open(f) as stream:
            assert SOURCE.sniff(f.name, stream.read(4096))
        with gzip.open(f) as stream:
            items.extend(SOURCE.read(stream, str(f)))
    elapsed = time.perf_counter() - start
    records = patents(items)
    assert len(items) == len(records) == 5956
    assert len({p.key for p in records}) == 5158
    assert elapsed < 10, f"reading all J-PlatPat exports took {elapsed:.1f}s"
    # The series overlap of the data README: 特開2018-070021 and 再表2018/070021 are two documents.
    keys = {p.original_numbers[0]: p.key for p in records}
    assert keys["特開2018-070021"] == "JP-A-2018070021"
    assert keys["再表2018/070021"] == "WO-A-2018070021"
    # Every document type of the data README is recognised.
    prefixes = {n.rstrip("0123456789-/")[:3] for n in keys}
    assert prefixes >= {
        "特開",
        "特開平",
        "特開昭",
        "特表",
        "特表平",
        "再表",
        "特許",
        "実登",
        "実開平",
        "実全昭",
        "実全平",
    }
    for p in records:
        assert "<BR>" not in p.abstract and not p.abstract.startswith("(57)")
        assert p.filing_date[:2] in ("19", "20") and p.publication_date[:2] in ("19", "20")
        assert p.language == "ja"
    with_problem = sum(1 for p in records if problem_part(p.abstract))
    assert with_problem > 5000


@pytest.mark.shared
def test_identical_exports_give_identical_records(shared_data: Path) -> None:
    folder = shared_data / "formats" / "jplatpat_csv"
    (seven,) = folder.glob("*⑦*.csv.gz")
    (eight,) = folder.glob("*⑧*.csv.gz")
    with gzip.open(seven) as a, gzip.open(eight) as b:
        assert patents(list(SOURCE.read(a, "7"))) == patents(list(SOURCE.read(b, "8")))
