"""Helpers shared by the CSV importers: decoding, header checks, rows with line numbers, dates, lists."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from tsunagu.domain.codes import normalise_ipc
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import SkippedRecord

__all__ = [
    "CsvRow",
    "DecodedText",
    "allow_huge_fields",
    "bad_row",
    "choose_encoding",
    "clean_text",
    "decode_head",
    "dedupe",
    "first_record",
    "iter_csv_rows",
    "normalise_codes",
    "open_text",
    "parse_date",
    "require_columns",
    "split_list",
    "unquote_layer",
]

HEAD_SIZE = 65536
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def allow_huge_fields() -> None:
    """Lift the csv module's 128 KiB field limit (abstracts and citation lists can be longer)."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # pragma: no cover - platforms where C long is 32 bits
            limit //= 2


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether ``data`` decodes strictly, allowing one multi-byte character cut at the end."""
    for cut in range(4):
        try:
            data[: len(data) - cut].decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start < len(data) - cut - 3:
                return False
    return False


def choose_encoding(head: bytes, fallbacks: Sequence[str] = ()) -> str:
    """Pick the encoding of a file from its first bytes.

    A BOM decides; else UTF-8 when the sample is valid UTF-8; else the first of ``fallbacks`` that
    decodes the sample strictly; else UTF-8 (read with replacement characters).
    """
    if head.startswith(_UTF8_BOM):
        return "utf-8-sig"
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    if _decodes(head, "utf-8"):
        return "utf-8"
    for encoding in fallbacks:
        if _decodes(head, encoding):
            return encoding
    return "utf-8"


def decode_head(head: bytes, fallbacks: Sequence[str] = ()) -> str:
    """Decode the first bytes of a file for sniffing (never fails; a BOM is dropped)."""
    encoding = choose_encoding(head, fallbacks)
    return head.decode(encoding, errors="replace").lstrip("\ufeff")


class _Prefixed(io.RawIOBase):
    """A raw stream that replays bytes already read, then continues with the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._head.nbytes:
            n = min(len(view), self._head.nbytes)
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        n = len(data)
        view[:n] = data
        return n


@dataclass
class DecodedText:
    """A text stream over a binary export file, with the encoding that was chosen."""

    stream: TextIO
    encoding: str


def open_text(stream: BinaryIO, *, fallbacks: Sequence[str] = ()) -> DecodedText:
    """Wrap a binary stream as text for the csv module.

    The encoding is chosen from the first 64 KiB (`choose_encoding`); bytes that do not decode
    become U+FFFD instead of stopping the import. Line endings are left to the csv module, which
    accepts CRLF, LF and CR-only files alike.
    """
    head = stream.read(HEAD_SIZE)
    encoding = choose_encoding(head, fallbacks)
    raw = io.BufferedReader(_Prefixed(head, stream))
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    return DecodedText(stream=text, encoding=encoding)


def first_record(text: str) -> list[str]:
    """The first CSV record of a text sample (the header), or ``[]``; tolerant of a cut last line."""
    try:
        row = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []
    return [c.strip().lstrip("\ufeff") for c in row]


@dataclass(frozen=True)
class CsvRow:
    """One CSV record with the 1-based line where it starts."""

    line: int
    values: list[str]


def iter_csv_rows(stream: TextIO, path: str) -> Iterator[CsvRow]:
    """Yield the records of a CSV text stream with their starting line numbers.

    Raises:
        ImportFormatError: when the csv module cannot go on (for example a NUL byte).
    """
    allow_huge_fields()
    reader = csv.reader(stream)
    previous = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFormatError(f"CSV error: {exc}", path=path, line=reader.line_num) from exc
        yield CsvRow(line=previous + 1, values=values)
        previous = reader.line_num


def bad_row(path: str, line: int, expected: int, found: int) -> SkippedRecord:
    """The `SkippedRecord` for a row whose column count differs from the header's."""
    return SkippedRecord(path, line, None, "bad_row", f"expected {expected} columns, found {found}")


def require_columns(header: Sequence[str], required: Iterable[str], *, path: str, what: str) -> None:
    """Raise `ImportFormatError` naming the first required column missing from ``header``."""
    present = set(header)
    for column in required:
        if column not in present:
            raise ImportFormatError(
                f"{what}: required column {column!r} is missing (columns: {', '.join(header)})",
                path=path,
                line=1,
                field=column,
            )


def dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values without repeats, in first-seen order."""
    return tuple(dict.fromkeys(v for v in values if v))


# Exports repeat the same few thousand symbols; normalising each once keeps big files fast.
_normalise_ipc_cached = functools.lru_cache(maxsize=1 << 16)(normalise_ipc)


def normalise_codes(values: Iterable[str]) -> tuple[str, ...]:
    """IPC/CPC symbols normalised with `normalise_ipc`, unusable ones dropped, without repeats."""
    return dedupe(_normalise_ipc_cached(v) for v in values)


def split_list(value: str, sep: str) -> list[str]:
    """Split a joined list field, stripping items and dropping empty ones."""
    return [item.strip() for item in (value or "").split(sep) if item.strip()]


_WS = re.compile(r"[ \t\u3000\u00a0]+")


def clean_text(value: str) -> str:
    """Collapse runs of spaces (full-width included) into one space and strip the ends."""
    return _WS.sub(" ", value or "").strip()


def unquote_layer(value: str) -> str:
    """Undo one extra layer of CSV quoting: ``'"a ""b"" c"'`` → ``'a "b" c'``.

    Values that are not a single well-formed quoted field are returned unchanged.
    """
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        inner = value[1:-1]
        if '"' not in inner.replace('""', ""):
            return inner.replace('""', '"')
    return value


_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY4 = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_DMY2 = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2})$")


def parse_date(
    value: str,
    *,
    day_first: bool = True,
    century: Callable[[int, int, int], int] | None = None,
) -> str | None:
    """Turn an export's date into ISO ``YYYY-MM-DD``.

    Accepts ``YYYY-MM-DD`` (with an optional time), ``YYYY/MM/DD``, ``YYYYMMDD``, ``DD.MM.YYYY``,
    ``DD/MM/YYYY`` and ``DD/MM/YY`` (``MM/DD`` when ``day_first`` is false).

    Args:
        value: the date as written.
        day_first: whether day comes before month in the non-ISO forms.
        century: for two-digit years, ``century(yy, month, day)`` returns the full year; by default
            years up to 30 are 20xx and later ones 19xx.

    Returns:
        The ISO date, ``""`` for an empty value, or ``None`` when the value is not a valid date.
    """
    s = (value or "").strip()
    if not s:
        return ""
    m = _ISO.match(s) or _COMPACT.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY4.match(s) or _DMY2.match(s)
        if not m:
            return None
        a, b, y = (int(g) for g in m.groups())
        d, mo = (a, b) if day_first else (b, a)
        if len(m.group(3)) == 2:
            y = century(y, mo, d) if century else (2000 + y if y <= 30 else 1900 + y)
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None
