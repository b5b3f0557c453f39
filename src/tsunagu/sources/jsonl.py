"""tsunagu's own JSON Lines format: one patent object a line, with the `Patent` field names.

The format is documented in ``docs/formats.md``. `dump_jsonl` writes it and `TsunaguJsonlSource`
reads it back, so records round-trip (the reader attributes every field to ``"tsunagu_jsonl"``).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any, BinaryIO, ClassVar, cast

from tsunagu.domain.language import detect_language
from tsunagu.domain.numbers import normalise_number
from tsunagu.domain.patent import PROVENANCE_FIELDS, Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.csvutil import decode_head, open_text

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "TsunaguJsonlSource", "dump_jsonl", "patent_to_dict"]

NAME = "tsunagu_jsonl"
FORMAT_NAME = "tsunagu-patents"
FORMAT_VERSION = 1

_STRING_FIELDS = (
    "key",
    "publication_number",
    "country",
    "series",
    "kind",
    "title",
    "abstract",
    "claims",
    "language",
    "application_number",
    "family_id",
    "url",
)
_DATE_FIELDS = ("filing_date", "publication_date", "priority_date", "grant_date")
_LIST_FIELDS = ("original_numbers", "applicants", "inventors", "ipc_codes", "cpc_codes", "fi_codes")
_KNOWN = {*_STRING_FIELDS, *_DATE_FIELDS, *_LIST_FIELDS, "extra"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def patent_to_dict(patent: Patent) -> dict[str, Any]:
    """The JSON object of one record: every non-empty field, in `Patent` order (provenance excluded)."""
    return {
        name: value for name, value in patent.to_dict().items() if value and name not in PROVENANCE_FIELDS
    }


def dump_jsonl(patents: Iterable[Patent], stream: IO[str] | IO[bytes], *, header: bool = True) -> int:
    """Write records in the tsunagu JSONL format.

    Args:
        patents: the records.
        stream: a text stream (written as is) or a binary stream (written as UTF-8).
        header: whether to start with the ``{"format": "tsunagu-patents", "version": 1}`` line.

    Returns:
        The number of records written.
    """
    text = _is_text(stream)

    def write(obj: dict[str, Any]) -> None:
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
        if text:
            cast(IO[str], stream).write(line)
        else:
            cast(IO[bytes], stream).write(line.encode("utf-8"))

    if header:
        write({"format": FORMAT_NAME, "version": FORMAT_VERSION})
    count = 0
    for patent in patents:
        write(patent_to_dict(patent))
        count += 1
    return count


def _is_text(stream: IO[str] | IO[bytes]) -> bool:
    if isinstance(stream, io.TextIOBase):
        return True
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)):
        return False
    try:  # other file-like objects: a text stream accepts an empty str, a binary one refuses it
        cast(IO[str], stream).write("")
    except TypeError:
        return False
    return True


class TsunaguJsonlSource:
    """Reads tsunagu JSONL files (see ``docs/formats.md``).

    Every line is a JSON object. An optional first line ``{"format": "tsunagu-patents",
    "version": 1}`` names the format. Records need ``publication_number`` and ``title``; ``key``,
    ``country``, ``series`` and ``kind`` are derived from the publication number when absent (a
    given ``key`` wins; records without a parseable number, such as ``NASA-…``, must give one);
    ``language`` is detected when absent. Lists are arrays of strings, dates ``YYYY-MM-DD``.
    Unknown fields are kept in ``extra["tsunagu_jsonl"]``.
    """

    name: ClassVar[str] = NAME

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the first line is a JSON object with ``publication_number`` or the format header."""
        line = decode_head(head).lstrip().partition("\n")[0].strip()
        if not line.startswith("{"):
            return False
        try:
            obj = json.loads(line)
        except ValueError:
            # A first record longer than the sample: accept what it starts with.
            return bool(re.match(r'^\{\s*"(format|key|publication_number)"\s*:', line))
        return isinstance(obj, dict) and ("publication_number" in obj or obj.get("format") == FORMAT_NAME)

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield a `Patent` per record line, or a `SkippedRecord` for a line that is not a valid record.

        Raises:
            ImportFormatError: empty file, a header of another format or a newer version, or a first
                line that is not a JSON object.
        """
        text = open_text(stream)
        first = True
        for number, line in enumerate(text.stream, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                if first:
                    raise ImportFormatError(f"not tsunagu JSONL: {exc}", path=path, line=number) from exc
                yield SkippedRecord(path, number, None, "bad_json", f"invalid JSON: {exc}")
                continue
            if not isinstance(obj, dict):
                if first:
                    raise ImportFormatError(
                        "not tsunagu JSONL: a line is not a JSON object", path=path, line=number
                    )
                yield SkippedRecord(path, number, None, "bad_record", "line is not a JSON object")
                continue
            if first and "format" in obj and "publication_number" not in obj:
                _check_header(obj, path, number)
                first = False
                continue
            first = False
            yield _record(obj, path, number)
        if first:
            raise ImportFormatError("empty file", path=path)


def _check_header(obj: dict[str, Any], path: str, line: int) -> None:
    if obj.get("format") != FORMAT_NAME:
        raise ImportFormatError(f"format {obj.get('format')!r} is not {FORMAT_NAME!r}", path=path, line=line)
    version = obj.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ImportFormatError(
            f"version {version!r} is newer than this reader ({FORMAT_VERSION})",
            path=path,
            line=line,
            field="version",
        )


def _record(obj: dict[str, Any], path: str, line: int) -> ReadItem:
    def skip(field: str, reason: str, message: str) -> SkippedRecord:
        return SkippedRecord(path, line, field, reason, message)

    values: dict[str, Any] = {}
    for name in _STRING_FIELDS + _DATE_FIELDS:
        value = obj.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            return skip(name, "bad_field", f"{name} must be a string")
        values[name] = value.strip()
    for name in _DATE_FIELDS:
        if values[name] and not _ISO_DATE.match(values[name]):
            return skip(name, "bad_date", f"{name} must be YYYY-MM-DD, not {values[name]!r}")
    for name in _LIST_FIELDS:
        value = obj.get(name, [])
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return skip(name, "bad_field", f"{name} must be an array of strings")
        values[name] = tuple(dict.fromkeys(v.strip() for v in value if v.strip()))
    extra = obj.get("extra", {})
    if not isinstance(extra, dict):
        return skip("extra", "bad_field", "extra must be an object")
    unknown = {k: v for k, v in obj.items() if k not in _KNOWN}
    if unknown:
        extra = {**extra, NAME: {**extra.get(NAME, {}), **unknown}}

    if not values["title"]:
        return skip("title", "no_title", "title is missing or empty")
    if not values["publication_number"]:
        return skip("publication_number", "no_number", "publication_number is missing or empty")
    try:
        parsed = normalise_number(values["publication_number"], kind_hint=values["kind"])
    except ValueError as exc:
        if not values["key"]:
            return skip("publication_number", "bad_number", f"{exc} (and no key given)")
        parsed = None
    if parsed is not None and values["key"] in ("", parsed.key):
        # A given key that differs from the number's (``NASA-…`` records) keeps its own identity fields.
        for name in ("key", "country", "series", "kind"):
            values[name] = values[name] or getattr(parsed, name)
    if not values["original_numbers"]:
        values["original_numbers"] = (values["publication_number"],)
    if not values["language"]:
        values["language"] = detect_language(f"{values['title']} {values['abstract']}")
    patent = Patent(**values, extra=extra)
    return patent.with_source(NAME)
