"""Reading our own documented import templates (offers, companies): CSV or JSONL, Japanese or English
headers.

A template is a mapping ``field → accepted header names``. CSV files may be UTF-8 (with or without BOM)
or Shift_JIS/CP932 (what Excel writes in Japan); the first row is the header. JSONL files hold one JSON
object per line whose keys are header names. Unknown columns are an error (a misspelt header must not
be silently ignored); list cells are split on ``;``, ``；``, ``|`` or line breaks (not on commas, which
occur inside patent numbers such as ``7,438,030``).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tsunagu.domain.matching import normalise_name
from tsunagu.errors import ImportFormatError
from tsunagu.sources.csvutil import iter_csv_rows, open_text

__all__ = ["TemplateRow", "read_template", "split_cell"]

_LIST_SEPARATORS = re.compile(r"[;；|\r\n]+")


def split_cell(value: object) -> tuple[str, ...]:
    """A list cell as a tuple: JSON lists are taken as they are, strings are split on the separators."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in _LIST_SEPARATORS.split(str(value)) if p.strip())


@dataclass(frozen=True)
class TemplateRow:
    """One record of a template file: its 1-based line and its values keyed by field name."""

    line: int
    values: dict[str, object]

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return "; ".join(str(v) for v in value)
        return str(value).strip()

    def items(self, name: str) -> tuple[str, ...]:
        return split_cell(self.values.get(name))


def _header_map(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for field_name, headers in columns.items():
        for header in (field_name, *headers):
            out[normalise_name(header)] = field_name
    return out


def _resolve_headers(
    header: list[str], columns: Mapping[str, tuple[str, ...]], path: str, required: tuple[str, ...]
) -> list[str]:
    lookup = _header_map(columns)
    fields: list[str] = []
    for name in header:
        key = normalise_name(name)
        if not key:
            fields.append("")
            continue
        if key not in lookup:
            accepted = "; ".join(f"{f} / {' / '.join(h)}" for f, h in columns.items())
            raise ImportFormatError(
                f"不明な列です / unknown column {name!r}. 使える列 / accepted columns: {accepted}",
                path=path,
                line=1,
                field=name,
            )
        fields.append(lookup[key])
    for name in required:
        if name not in fields:
            raise ImportFormatError(
                f"必須の列がありません / required column missing: {name} ({' / '.join(columns[name])})",
                path=path,
                line=1,
                field=name,
            )
    return fields


def read_template(
    path: Path, columns: Mapping[str, tuple[str, ...]], *, required: tuple[str, ...] = ()
) -> Iterator[TemplateRow]:
    """Yield the records of a template file (``.jsonl``/``.ndjson`` as JSON lines, anything else as CSV).

    Raises:
        ImportFormatError: the file cannot be read, a header is unknown, a required column is missing, or
            a JSON line is invalid (naming the file, line and field).
    """
    display = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"ファイルを読めません / cannot read the file: {exc}", path=display) from exc
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _read_jsonl(data, display, columns, required)
    else:
        yield from _read_csv(data, display, columns, required)


def _read_csv(
    data: bytes, path: str, columns: Mapping[str, tuple[str, ...]], required: tuple[str, ...]
) -> Iterator[TemplateRow]:
    decoded = open_text(io.BytesIO(data), fallbacks=("cp932",))
    rows = iter_csv_rows(decoded.stream, path)
    first = next(rows, None)
    if first is None:
        raise ImportFormatError("空のファイルです / the file is empty", path=path)
    fields = _resolve_headers([h.strip().lstrip("\ufeff") for h in first.values], columns, path, required)
    for row in rows:
        if not any(v.strip() for v in row.values):
            continue
        if len(row.values) > len(fields):
            raise ImportFormatError(
                f"列が多すぎます / {len(row.values)} values for {len(fields)} columns",
                path=path,
                line=row.line,
            )
        values: dict[str, object] = {f: v for f, v in zip(fields, row.values, strict=False) if f}
        yield TemplateRow(row.line, values)


def _read_jsonl(
    data: bytes, path: str, columns: Mapping[str, tuple[str, ...]], required: tuple[str, ...]
) -> Iterator[TemplateRow]:
    lookup = _header_map(columns)
    text = data.decode("utf-8-sig", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(
                f"JSONとして読めません / invalid JSON: {exc.msg}", path=path, line=number
            ) from exc
        if not isinstance(obj, dict):
            raise ImportFormatError(
                "各行はJSONオブジェクトです / each line must be a JSON object", path=path, line=number
            )
        values: dict[str, object] = {}
        for key, value in obj.items():
            name = lookup.get(normalise_name(str(key)))
            if name is None:
                raise ImportFormatError(
                    f"不明な項目です / unknown key {key!r}", path=path, line=number, field=str(key)
                )
            values[name] = value
        for name in required:
            if not str(values.get(name) or "").strip():
                raise ImportFormatError(
                    f"必須項目がありません / required field missing: {name}",
                    path=path,
                    line=number,
                    field=name,
                )
        yield TemplateRow(number, values)
