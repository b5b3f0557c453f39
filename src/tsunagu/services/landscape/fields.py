"""Which technology fields a patent belongs to, and how applicant names are grouped.

A field is an IPC level of the patent's IPC codes: the IPC list plus FI codes mapped to IPC
(`tsunagu.domain.codes.fi_to_ipc`). CPC codes are used only when a record has neither IPC nor FI
(CPC subclasses and main groups coincide with IPC's at those levels for almost every symbol), so
Lens or Google records without IPC still take part.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Literal

from tsunagu.domain.codes import fi_to_ipc, main_group, normalise_ipc, section, subclass
from tsunagu.domain.patent import Patent

__all__ = [
    "FieldLevel",
    "FieldNamer",
    "applicant_key",
    "distinct_applicants",
    "field_of_code",
    "fields_of",
    "ipc_codes_of",
    "no_names",
]

FieldLevel = Literal["section", "class", "subclass", "main_group"]

#: Gives a plain-language name for a field code (``"B60W"`` → ``"車両制御"``); ``""`` when unknown.
FieldNamer = Callable[[str], str]


def no_names(code: str) -> str:
    """A `FieldNamer` that knows no names."""
    return ""


def ipc_codes_of(patent: Patent) -> list[str]:
    """IPC codes of a record: IPC, then FI mapped to IPC; CPC only when neither exists. No repeats."""
    codes: dict[str, None] = {}
    for c in patent.ipc_codes:
        n = normalise_ipc(c)
        if n:
            codes[n] = None
    for fi in patent.fi_codes:
        n = fi_to_ipc(fi)
        if n:
            codes[n] = None
    if not codes:
        for c in patent.cpc_codes:
            n = normalise_ipc(c)
            if n:
                codes[n] = None
    return list(codes)


def field_of_code(code: str, level: FieldLevel) -> str:
    """The field of one normalised IPC code at ``level`` (``"A61B5/18"``, subclass → ``"A61B"``)."""
    if level == "section":
        return section(code)
    if level == "class":
        return code[:3]
    if level == "subclass":
        return subclass(code)
    return main_group(code)


def fields_of(patent: Patent, level: FieldLevel = "subclass") -> list[str]:
    """Distinct fields of a record at ``level``, in the order its codes give them."""
    return list(dict.fromkeys(field_of_code(c, level) for c in ipc_codes_of(patent)))


def applicant_key(name: str) -> str:
    """The grouping key of an applicant name: NFKC, case folded, without any whitespace.

    ``"トヨタ自動車　株式会社"`` and ``"トヨタ自動車株式会社"`` share a key; nothing else is merged.
    """
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def distinct_applicants(names: Iterable[str]) -> list[str]:
    """Names of one record with repeats (same `applicant_key`) removed, order kept."""
    seen: dict[str, str] = {}
    for n in names:
        k = applicant_key(n)
        if k and k not in seen:
            seen[k] = n.strip()
    return list(seen.values())
