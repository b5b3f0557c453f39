"""Conversion between `Patent` objects and rows of the ``patents`` table, and number lookup forms."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from tsunagu.domain.patent import Patent
from tsunagu.storage.schema import JSON_COLUMNS, TEXT_COLUMNS

__all__ = [
    "decode_json",
    "lookup_forms",
    "normalise_number",
    "number_rows",
    "patent_to_row",
    "row_to_patent",
]

_NUMBER_NOISE = re.compile(r"[\s\-,/.]+")
# A trailing kind code (A, A1, B2, U, Y2, …) right after a digit: "US8271025B2" → "US8271025".
_KIND_SUFFIX = re.compile(r"(?<=\d)[A-Z]\d?$")


def normalise_number(number: str) -> str:
    """The form under which a number string is indexed and looked up.

    NFKC-folded (full-width digits become ASCII), upper case, without spaces, hyphens, commas,
    slashes or dots: ``"US 2011/0185700 A1"`` → ``"US20110185700A1"``, ``"特開2005-346371"`` →
    ``"特開2005346371"``, ``"7,438,030"`` → ``"7438030"``.
    """
    return _NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", number).upper())


def lookup_forms(number: str) -> list[str]:
    """Normalised forms of ``number`` to index or look up: as written, and without a kind code."""
    norm = normalise_number(number)
    if not norm:
        return []
    forms = [norm]
    bare = _KIND_SUFFIX.sub("", norm)
    if bare and bare != norm:
        forms.append(bare)
    return forms


def number_rows(patent: Patent) -> list[dict[str, str]]:
    """Rows of ``patent_numbers`` for a record: its key, publication number and original numbers."""
    forms: dict[str, None] = {}
    for number in (patent.key, patent.publication_number, *patent.original_numbers):
        for form in lookup_forms(number):
            forms[form] = None
    return [{"number": form, "key": patent.key} for form in forms]


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL; drop it on every backend so both store the same value.
    return text.replace("\x00", "") if "\x00" in text else text


# Built once: `json.dumps` with options builds a new encoder per call, a third of the insert time.
_LIST_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_MAP_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _dump(value: Iterable[str] | Mapping[str, Any]) -> str:
    if isinstance(value, Mapping):
        return _MAP_ENCODER.encode(value) if value else "{}"
    return _LIST_ENCODER.encode(list(value)) if value else "[]"


def decode_json(column: str, text: str | None) -> Any:
    """Decode a JSON column: lists become tuples, mappings dicts (``None`` → empty)."""
    if not text:
        return {} if column in ("field_sources", "extra") else ()
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


def patent_to_row(patent: Patent, revision: int) -> dict[str, Any]:
    """The ``patents`` row of a record (without anything but ``revision`` added by the store)."""
    row: dict[str, Any] = {"key": patent.key}
    for name in TEXT_COLUMNS:
        row[name] = _clean(getattr(patent, name))
    for name in JSON_COLUMNS:
        row[name] = _dump(getattr(patent, name))
    row["year"] = patent.year
    row["revision"] = revision
    return row


def row_to_patent(row: Mapping[Any, Any]) -> Patent:
    """Rebuild a `Patent` from a full ``patents`` row (any mapping with every column)."""
    values: dict[str, Any] = {name: row[name] or "" for name in TEXT_COLUMNS}
    for name in JSON_COLUMNS:
        values[name] = decode_json(name, row[name])
    return Patent(key=row["key"], **values)
