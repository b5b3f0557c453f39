"""J-PlatPat search-result CSV exports (「特実_国内文献.csv」 and the other 特許・実用新案 screens)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from tsunagu.domain.codes import fi_to_ipc, split_fi
from tsunagu.domain.numbers import normalise_number
from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.csvutil import (
    bad_row,
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

__all__ = ["JplatpatCsvSource", "clean_abstract"]

# Older exports are Shift_JIS; CP932 is its Windows superset (①, ㈱, NEC extensions).
_FALLBACK_ENCODINGS = ("cp932",)

# field → accepted column names, first present wins
_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("文献番号",),
    "title": ("発明の名称", "発明・考案の名称", "名称"),
    "application_number": ("出願番号",),
    "filing_date": ("出願日",),
    "publication_date": ("公知日", "公開日", "発行日"),
    "grant_date": ("登録日",),
    "applicants": ("出願人/権利者", "出願人・権利者", "出願人", "権利者"),
    "inventors": ("発明者/考案者", "発明者・考案者", "発明者"),
    "fi": ("FI",),
    "ipc": ("IPC",),
    "abstract": ("要約", "要約/抄録"),
    "url": ("文献URL", "URL"),
}
_IGNORED = {"No.", "No", "#"}

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LEAD = re.compile(r"^\s*[(（]57[)）]\s*【要約】")
_AMENDED = re.compile(r"^[\s\u3000]*[(（]修正有[)）]")
_HEADING_ONLY = re.compile(r"^【[^】]{1,20}】$")
_HEADING_SPACE = re.compile(r"^(【[^】]{1,20}】) +")


def clean_abstract(text: str) -> tuple[str, bool]:
    """Clean a J-PlatPat 要約 field.

    Drops the leading ``(57)【要約】`` and a following ``（修正有）`` note, deletes ``<BR>``
    markers (J-PlatPat inserts them at its display width, sometimes inside words or headings),
    strips every line, drops empty lines and the 【選択図】 line, and joins a heading that stands
    alone on its line (``【課題】``) with the text that follows it. The 【課題】/【解決手段】
    headings are kept so `tsunagu.domain.patent_text.problem_part` can find them.

    Returns:
        The cleaned abstract and whether it carried the ``（修正有）`` (amended) note.
    """
    s = _BR.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    s = _LEAD.sub("", s, count=1)
    amended = bool(_AMENDED.match(s))
    if amended:
        s = _AMENDED.sub("", s, count=1)
    lines: list[str] = []
    pending = ""
    for raw_line in s.split("\n"):
        line = _HEADING_SPACE.sub(r"\1", clean_text(raw_line))
        if not line or line.startswith("【選択図】"):
            continue
        if pending:
            line, pending = pending + line, ""
        if _HEADING_ONLY.match(line):
            pending = line
            continue
        lines.append(line)
    if pending:
        lines.append(pending)
    return "\n".join(lines), amended


class JplatpatCsvSource:
    """Reads J-PlatPat 特許・実用新案 search-result CSV exports.

    UTF-8 (with or without BOM) and Shift_JIS/CP932 files are accepted; columns are found by
    their header names, so the column sets of the different J-PlatPat screens all work. Only
    文献番号 and 発明の名称 are required. Columns without a field of their own (公開番号, 登録番号,
    ステージ, イベント詳細…) are kept, when non-empty, in ``extra["jplatpat_csv"]``.
    """

    name: ClassVar[str] = "jplatpat_csv"

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the header row has a 文献番号 column."""
        header = first_record(decode_head(head, _FALLBACK_ENCODINGS))
        return "文献番号" in header

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per row, or a `SkippedRecord` for rows that cannot be used.

        Raises:
            ImportFormatError: the file is empty or lacks 文献番号 or 発明の名称.
        """
        text = open_text(stream, fallbacks=_FALLBACK_ENCODINGS)
        rows = iter_csv_rows(text.stream, path)
        header_row = next(rows, None)
        if header_row is None:
            raise ImportFormatError("empty file: no header row", path=path)
        header = [h.strip().lstrip("\ufeff") for h in header_row.values]
        index = _column_index(header, path)
        kept = [(i, h) for i, h in enumerate(header) if h and i not in index.values() and h not in _IGNORED]
        for row in rows:
            values = row.values
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                if len(values) > len(header) and not any(v.strip() for v in values[len(header) :]):
                    values = values[: len(header)]
                else:
                    yield bad_row(path, row.line, len(header), len(values))
                    continue
            yield self._record(values, index, kept, path, row.line, text.encoding)

    def _record(
        self,
        values: list[str],
        index: dict[str, int],
        kept: list[tuple[int, str]],
        path: str,
        line: int,
        encoding: str,
    ) -> ReadItem:
        def get(field: str) -> str:
            i = index.get(field)
            return values[i].strip() if i is not None else ""

        raw_number = get("number")
        title = clean_text(get("title"))
        if not title:
            return SkippedRecord(path, line, "発明の名称", "no_title", "発明の名称 (title) is empty")
        try:
            number = normalise_number(raw_number, country_hint="JP")
        except ValueError as exc:
            return SkippedRecord(path, line, "文献番号", "bad_number", str(exc))
        extra: dict[str, object] = {h: values[i].strip() for i, h in kept if values[i].strip()}
        abstract, amended = clean_abstract(get("abstract"))
        if amended:
            extra["abstract_amended"] = True
        dates: dict[str, str] = {}
        for field in ("filing_date", "publication_date", "grant_date"):
            raw = get(field)
            iso = parse_date(raw)
            if iso is None:
                extra[f"unparsed_{field}"] = raw
                iso = ""
            dates[field] = iso
        fi_codes = dedupe(split_fi(get("fi")))
        ipc_codes = dedupe(
            [*normalise_codes(split_list(get("ipc"), ",")), *(fi_to_ipc(fi) for fi in fi_codes)]
        )
        if encoding not in ("utf-8", "utf-8-sig"):
            extra["encoding"] = encoding
        patent = Patent(
            key=number.key,
            publication_number=number.publication_number,
            original_numbers=(raw_number,),
            country=number.country,
            series=number.series,
            kind=number.kind,
            title=title,
            abstract=abstract,
            language="ja",
            applicants=dedupe(clean_text(a) for a in split_list(get("applicants"), ",")),
            inventors=dedupe(clean_text(a) for a in split_list(get("inventors"), ",")),
            ipc_codes=ipc_codes,
            fi_codes=fi_codes,
            application_number=get("application_number"),
            url=get("url"),
            extra={self.name: extra},
            filing_date=dates["filing_date"],
            publication_date=dates["publication_date"],
            grant_date=dates["grant_date"],
        )
        return patent.with_source(self.name)


def _column_index(header: list[str], path: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for field, names in _COLUMNS.items():
        for name in names:
            if name in header:
                index[field] = header.index(name)
                break
    for field in ("number", "title"):
        if field not in index:
            column = _COLUMNS[field][0]
            raise ImportFormatError(
                f"J-PlatPat CSV: required column {column!r} is missing (columns: {', '.join(header)})",
                path=path,
                line=1,
                field=column,
            )
    return index
