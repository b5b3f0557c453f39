"""Plain-language names of technology fields: IPC titles, the WIPO 35-field concordance, Japanese names.

Sources (compressed copies under ``tsunagu/data/classification/``, see its README):

- IPC titles in English, edition 2019.01 (sections to main groups); codes missing from that edition
  fall back to the IPC 2006 core-level title when it has one, else to the nearest parent that has a
  title (``B60W60/00`` → ``B60W``; ``G06V20/00`` → ``G06``). A fallback is always marked.
- WIPO's IPC → technology concordance (35 fields in 5 sectors).
- Japanese names for the 8 sections, every IPC class, selected subclasses and the 35 WIPO fields:
  the tsunagu project's own translation (`JA_NAMES_NOTE`), not an official JPO or WIPO text.

Tables are read lazily on first use and cached; nothing is read at import.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "JA_NAMES_NOTE",
    "FieldName",
    "WipoField",
    "field_level",
    "field_name",
    "ja_name",
    "parent_codes",
    "section_name",
    "wipo_field",
]

#: Shown wherever a Japanese field name appears.
JA_NAMES_NOTE = "日本語の分野名は tsunagu プロジェクト独自の訳です (not an official JPO/WIPO translation)"

_CROSS_REF = re.compile(r"\s*\([^()]*\b[A-H]\d\d[A-Z][^()]*\)")
_MAIN_GROUP = re.compile(r"^([A-H]\d\d[A-Z])(\d+)/(\d+)$")
_SUBCLASS = re.compile(r"^[A-H]\d\d[A-Z]$")
_CLASS = re.compile(r"^[A-H]\d\d$")
_BRACKETED = re.compile(r"\[[^\]]+\]")


@dataclass(frozen=True)
class FieldName:
    """The name of one IPC code, with where it came from.

    Attributes:
        code: the code asked for (normalised, e.g. ``"B60W60/00"``).
        level: ``"section"``, ``"class"``, ``"subclass"``, ``"main_group"`` or ``"subgroup"``.
        title_en: English title (IPC text, cross-references removed, all-capital titles in sentence case).
        title_ja: Japanese name when the project has one for this code or its titled parent, else ``""``.
        title_code: the code whose title is shown (a parent when ``fallback``).
        edition: IPC edition of the English title (``"2019.01"`` or ``"2006"``; ``""`` when none).
        fallback: True when the title is a parent's, because the code itself has none.
    """

    code: str
    level: str
    title_en: str
    title_ja: str
    title_code: str
    edition: str
    fallback: bool

    def label(self, lang: str = "ja") -> str:
        """One display string: the Japanese name when asked and known, else the English title."""
        if lang == "ja" and self.title_ja:
            return self.title_ja
        return self.title_en

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "level": self.level,
            "title_en": self.title_en,
            "title_ja": self.title_ja,
            "title_code": self.title_code,
            "edition": self.edition,
            "fallback": self.fallback,
        }


@dataclass(frozen=True)
class WipoField:
    """One of WIPO's 35 technology fields.

    Attributes:
        number: field number 1..35.
        name_en: field name (WIPO).
        sector_en: sector name (WIPO).
        name_ja: the project's Japanese name.
        sector_ja: the project's Japanese sector name.
        inferred: True when the code matched no prefix of the concordance (codes newer than it, such
            as ``G06V`` or ``G16Y``) and the field is the one most of its class's prefixes map to.
    """

    number: int
    name_en: str
    sector_en: str
    name_ja: str
    sector_ja: str
    inferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "number": self.number,
            "name_en": self.name_en,
            "sector_en": self.sector_en,
            "name_ja": self.name_ja,
            "sector_ja": self.sector_ja,
            "inferred": self.inferred,
        }


def _data(name: str) -> bytes:
    return resources.files("tsunagu").joinpath("data", "classification", name).read_bytes()


@cache
def _titles() -> dict[str, tuple[str, str, str]]:
    """symbol -> (level, edition, raw title)."""
    out: dict[str, tuple[str, str, str]] = {}
    text = gzip.decompress(_data("ipc_titles.tsv.gz")).decode("utf-8")
    for line in text.splitlines()[1:]:
        symbol, level, edition, title = line.split("\t", 3)
        out[symbol] = (level, edition, title)
    return out


@cache
def _ja() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_data("names_ja.json").decode("utf-8"))
    return data


@cache
def _wipo() -> tuple[list[tuple[str, WipoField]], dict[int, WipoField]]:
    ja = _ja()
    text = gzip.decompress(_data("wipo35_concordance.tsv.gz")).decode("utf-8")
    by_number: dict[int, WipoField] = {}
    prefixes: list[tuple[str, WipoField]] = []
    for line in text.splitlines()[1:]:
        number_s, sector, name, prefix = line.split("\t")
        number = int(number_s)
        f = by_number.get(number)
        if f is None:
            f = WipoField(
                number=number,
                name_en=name,
                sector_en=sector,
                name_ja=ja["wipo_fields"].get(number_s, ""),
                sector_ja=ja["wipo_sectors"].get(sector, ""),
            )
            by_number[number] = f
        prefixes.append((prefix, f))
    prefixes.sort(key=lambda p: -len(p[0]))  # longest (most specific) prefix first
    return prefixes, by_number


def field_level(code: str) -> str:
    """Level of a normalised IPC code: section, class, subclass, main_group or subgroup (``""`` if none)."""
    if len(code) == 1 and code in "ABCDEFGH":
        return "section"
    if _CLASS.match(code):
        return "class"
    if _SUBCLASS.match(code):
        return "subclass"
    m = _MAIN_GROUP.match(code)
    if m:
        return "main_group" if int(m.group(3)) == 0 else "subgroup"
    return ""


def parent_codes(code: str) -> list[str]:
    """The code's ancestors, nearest first: ``"A61B5/18"`` → ``["A61B5/00", "A61B", "A61", "A"]``."""
    out: list[str] = []
    m = _MAIN_GROUP.match(code)
    if m:
        out.append(f"{m.group(1)}{m.group(2)}/00")
        code_sub = m.group(1)
        out += [code_sub, code_sub[:3], code_sub[:1]]
    elif _SUBCLASS.match(code):
        out += [code[:3], code[:1]]
    elif _CLASS.match(code):
        out.append(code[:1])
    return [c for c in dict.fromkeys(out) if c != code]


def _clean_title(title: str) -> str:
    text = _CROSS_REF.sub("", title).strip()
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > 0.8 * len(letters):
        text = text[:1] + text[1:].lower()
        text = _BRACKETED.sub(lambda m: m.group(0).upper(), text)  # acronyms such as [ICT]
    return text


def ja_name(code: str) -> str:
    """The project's Japanese name of a section, class or subclass (``""`` when it has none)."""
    ja = _ja()
    if len(code) == 1:
        return str(ja["sections"].get(code, ""))
    if _CLASS.match(code):
        return str(ja["classes"].get(code, ""))
    if _SUBCLASS.match(code):
        return str(ja["subclasses"].get(code, ""))
    return ""


def section_name(letter: str, lang: str = "ja") -> str:
    """Name of an IPC section (``"A"`` → ``"生活必需品"`` or ``"Human necessities"``)."""
    if lang == "ja":
        name = ja_name(letter)
        if name:
            return name
    row = _titles().get(letter)
    return _clean_title(row[2]) if row else ""


@cache
def field_name(code: str) -> FieldName:
    """Plain-language name of an IPC code, falling back to the nearest parent that has a title.

    The Japanese name is the project's own translation for the code itself or, for codes below the
    subclass level, for its subclass (else its class), so a main group reads as
    「診断・手術・個人識別」 beside its English group title.

    Args:
        code: a normalised IPC symbol (``"A61B5/18"``, ``"A61B5/00"``, ``"A61B"``, ``"A61"``, ``"A"``).

    Returns:
        The name; ``title_en`` is ``""`` only for codes whose whole ancestry is unknown.
    """
    titles = _titles()
    level = field_level(code)
    chain = [code, *parent_codes(code)]
    if level == "subgroup":
        chain = chain[1:]  # subgroup titles are not shipped: they read only with their parents
    title_code, edition, title = code, "", ""
    for candidate in chain:
        row = titles.get(candidate)
        if row:
            title_code, edition, title = candidate, row[1], _clean_title(row[2])
            break
    title_ja = ""
    for candidate in [code, *parent_codes(code)]:
        if field_level(candidate) in ("subclass", "class", "section"):
            title_ja = ja_name(candidate)
            if title_ja:
                break
    return FieldName(
        code=code,
        level=level,
        title_en=title,
        title_ja=title_ja,
        title_code=title_code if title else "",
        edition=edition,
        fallback=bool(title) and title_code != code,
    )


def wipo_field(code: str) -> WipoField | None:
    """The WIPO technology field of an IPC code by the concordance's longest matching prefix.

    Args:
        code: a normalised IPC symbol at subclass level or below (``"H04N21/00"``, ``"A61B"``).

    Returns:
        The field, or None when no prefix of the concordance matches (for example a section or class).
    """
    prefixes, _ = _wipo()
    m = _MAIN_GROUP.match(code)
    probe = f"{m.group(1)}{m.group(2)}/" if m else code
    for prefix, f in prefixes:
        if probe.startswith(prefix):
            return f
    if field_level(code) not in ("subclass", "main_group", "subgroup"):
        return None
    votes: dict[int, int] = {}
    for prefix, f in prefixes:
        if prefix[:3] == code[:3]:
            votes[f.number] = votes.get(f.number, 0) + 1
    if not votes:
        return None
    best = max(sorted(votes), key=lambda n: votes[n])
    return dataclasses.replace(_wipo()[1][best], inferred=True)
