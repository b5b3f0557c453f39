"""Patent number normalisation and dedupe keys.

Every importer turns the number string of its format into a `ParsedNumber` with
`normalise_number`. Two records describe the same document exactly when their ``key`` is equal.
The key is ``"{country}-{series}-{number}"`` without the kind code, because sources disagree on
kind codes (or give none) but agree on the document. Japanese numbering series overlap
(特開2018-070021 and 再表2018/070021 are different documents), so the series is part of the key.

The full scheme, with one example per accepted form, is documented in ``docs/formats.md``.

Series letters:

* ``A`` — publications of applications (JP 特開/特表/公表, US pre-grant publications, WO, and the
  default for other offices).
* ``B`` — granted patents (JP 特許 registrations, US grants including design/reissue/plant,
  ``B*``/``C*`` kinds elsewhere).
* ``E`` — JP examined patent publications (特公).
* ``U`` — utility-model publications (JP 実開/実全; ``U*`` kinds elsewhere).
* ``R`` — JP utility-model registrations (実登).
* ``Y`` — JP examined utility-model publications (実公); ``Y*`` kinds elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["ParsedNumber", "normalise_number", "series_for_kind"]


@dataclass(frozen=True)
class ParsedNumber:
    """A normalised publication number.

    Attributes:
        country: two-letter office code (``"JP"``, ``"US"``, ``"WO"``…).
        series: numbering series (see the module docstring), part of the key.
        number: the normalised number within the series (``"2005346371"``, ``"H10123456"``,
            ``"D654321"``).
        kind: the kind code as given by the source or implied by a Japanese document type
            (``"A"``, ``"B2"``…), or ``""`` when unknown.
        key: the dedupe key ``"{country}-{series}-{number}"``.
        publication_number: ``country + number + kind`` (``"JP2005346371A"``, ``"US8271025B2"``).
        original: the string as given.
    """

    country: str
    series: str
    number: str
    kind: str
    key: str
    publication_number: str
    original: str


def _make(country: str, series: str, number: str, kind: str, original: str) -> ParsedNumber:
    return ParsedNumber(
        country=country,
        series=series,
        number=number,
        kind=kind,
        key=f"{country}-{series}-{number}",
        publication_number=f"{country}{number}{kind}",
        original=original,
    )


def series_for_kind(kind: str) -> str:
    """Series letter of a kind code outside the JP/US/WO special rules.

    ``A*`` → ``A``, ``B*``/``C*`` → ``B``, ``U*`` → ``U``, ``Y*`` → ``Y``; anything else (or no kind)
    → ``A``.
    """
    k = kind[:1]
    if k in ("B", "C"):
        return "B"
    if k in ("U", "Y"):
        return k
    return "A"


# --- Japanese document-type forms (特開2005-346371, 特開平10-123456, 特許5944598, 再表2018/070021) ----

# type → (series, implied kind letter)
_JP_PUBLICATION_TYPES: dict[str, tuple[str, str]] = {
    "特開": ("A", "A"),
    "特表": ("A", "A"),
    "公表": ("A", "A"),
    "特公": ("E", "B"),
    "実開": ("U", "U"),
    "実全": ("U", "U"),
    "実公": ("Y", "Y"),
}
_ERAS = {"昭": "S", "昭和": "S", "平": "H", "平成": "H", "S": "S", "H": "H"}
_ERA_GROUP = "昭和|平成|昭|平|S|H"

_DATED = rf"(?:(?P<era>{_ERA_GROUP})(?P<era_year>\d{{2}})|(?P<year>\d{{4}}))"
_JP_PUBLICATION = re.compile(rf"^(?P<type>{'|'.join(_JP_PUBLICATION_TYPES)}){_DATED}-?(?P<serial>\d{{1,6}})$")
_JP_REGISTRATION = re.compile(r"^(?P<type>特許|実登|登録実用新案)第?(?P<number>\d{1,8})号?$")
_JP_REPUBLICATION = re.compile(rf"^(?:再表|再公表){_DATED}/(?P<serial>\d{{1,6}})$")
_JP_APPLICATION = re.compile(r"^(特願|実願|意願|商願)")

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ー－"})
_SPACES = re.compile(r"[\s\u3000]+")
# Lens appends a correction date to B8/B9 kinds: "EP 1357170 B9 20061018".
_TRAILING_DATE = re.compile(r"^(.*\s[A-Z]\d?)\s+(?:19|20)\d{6}$")
_LATIN = re.compile(r"^(?P<cc>[A-Z]{2})(?P<rest>.*)$")
_BODY_KIND = re.compile(r"^(?P<body>.*?\d)(?P<kind>[A-Z]\d?)?$")
# Real bodies start with a digit or a short series prefix (D, RE, PP, H, WO, TW's I/M, MX's PAA…).
_BODY_START = re.compile(r"^[A-Z]{0,3}\d")
_ERA_NUMBER = re.compile(r"^(?P<era>[SH])(?P<year>\d{2})(?P<serial>\d{1,6})$")
_YEAR_NUMBER = re.compile(r"^(?P<year>(?:19|20)\d{2})(?P<serial>\d{6})$")
_US_APPLICATION = re.compile(r"^(?P<year>(?:19|20)\d{2})(?P<serial>\d{6,7})$")
_US_GRANT = re.compile(r"^(?P<prefix>D|RE|PP|PLT|H|T|X|AI)?0*(?P<digits>\d+)$")


def normalise_number(raw: str, *, country_hint: str = "", kind_hint: str = "") -> ParsedNumber:
    """Parse a publication number written in any of the forms the supported sources use.

    Args:
        raw: the number as written in the source (``"特開2005-346371"``, ``"US-2015112182-A1"``,
            ``"JP H10123456 A"``, ``"8,271,025"``…).
        country_hint: office to assume when ``raw`` carries no country code (``"US"`` for
            PatentsView and NASA numbers).
        kind_hint: kind code to use when ``raw`` carries none (Lens gives it in its own column).

    Returns:
        The normalised number with its dedupe key.

    Raises:
        ValueError: when ``raw`` is empty, is an application number, or has no usable form.
    """
    original = raw
    s = unicodedata.normalize("NFKC", raw or "").strip().translate(_DASHES).upper()
    s = s.replace("*", "").strip()
    if not s or not any(c.isdigit() for c in s):
        raise ValueError(f"not a publication number: {raw!r}")
    hint_kind = unicodedata.normalize("NFKC", kind_hint or "").strip().upper()
    compact = _SPACES.sub("", s)
    if _JP_APPLICATION.match(compact):
        raise ValueError(f"an application number, not a publication number: {raw!r}")
    japanese = _parse_japanese(compact, original, hint_kind)
    if japanese is not None:
        return japanese

    m = _TRAILING_DATE.match(s)
    if m:
        s = m.group(1)
    compact = _SPACES.sub("", s).replace("-", "")
    hint = (country_hint or "").strip().upper()
    country, rest = _split_country(compact, hint)
    rest = rest.lstrip("/:.")
    mb = _BODY_KIND.match(rest)
    if not mb:
        raise ValueError(f"no number in {raw!r}")
    body, kind = mb.group("body"), mb.group("kind") or hint_kind
    if not _BODY_START.match(re.sub(r"[/,.]", "", body)):
        raise ValueError(f"no number in {raw!r}")
    if country == "JP":
        return _jp(body, kind, original)
    if country == "US":
        return _us(body, kind, original)
    if country == "WO":
        return _wo(body, kind, original)
    return _other(country, body, kind, original)


def _split_country(compact: str, hint: str) -> tuple[str, str]:
    m = _LATIN.match(compact)
    # A bare body under the hint ("8,271,025", "RE43210", "H10-123456"): the hint wins when the
    # leading letters are a valid body prefix for that office.
    if hint and not compact.startswith(hint) and (not m or _bare_body_ok(hint, compact)):
        return hint, compact
    if m:
        return m.group("cc"), m.group("rest")
    if hint:
        return hint, compact
    raise ValueError(f"no country code in {compact!r} and no country hint")


def _bare_body_ok(country: str, body: str) -> bool:
    stripped = re.sub(r"[/,.]", "", body)
    if country == "US":
        return bool(_US_GRANT.match(stripped))
    if country == "JP":
        return bool(_ERA_NUMBER.match(stripped))
    return False


def _parse_japanese(compact: str, original: str, kind_hint: str) -> ParsedNumber | None:
    m = _JP_PUBLICATION.match(compact)
    if m:
        series, implied = _JP_PUBLICATION_TYPES[m.group("type")]
        number = _jp_dated(m.group("era"), m.group("era_year") or m.group("year"), m.group("serial"))
        return _make("JP", series, number, kind_hint or implied, original)
    m = _JP_REGISTRATION.match(compact)
    if m:
        number = m.group("number").lstrip("0") or "0"
        if m.group("type") == "特許":
            return _make("JP", "B", number, kind_hint or "B", original)
        implied = "U" if int(number) >= 3_000_000 else "Y"
        return _make("JP", "R", number, kind_hint or implied, original)
    m = _JP_REPUBLICATION.match(compact)
    if m:
        year = _full_year(m.group("era_year") or m.group("year"), era=m.group("era"))
        return _make("WO", "A", f"{year}{int(m.group('serial')):06d}", kind_hint or "A1", original)
    return None


def _jp_dated(era: str | None, year: str, serial: str) -> str:
    if era:
        return f"{_ERAS[era]}{year}{int(serial):06d}"
    return f"{year}{int(serial):06d}"


def _full_year(year: str, *, era: str | None = None) -> str:
    """Four-digit year of a WO/再表 number written with two digits (WO numbering began in 1978)."""
    if len(year) == 4:
        return year
    if era:
        offset = 1925 if _ERAS[era] == "S" else 1988
        return str(offset + int(year))
    return f"19{year}" if int(year) >= 50 else f"20{year}"


def _jp(body: str, kind: str, original: str) -> ParsedNumber:
    body = body.replace("/", "").replace(",", "").replace(".", "")
    if body.startswith("WO"):  # JPWO2005085620A1: the JP re-publication of a WO application (再表)
        wo = _wo(body[2:], kind or "A1", original)
        return wo
    k = kind[:1]
    m = _ERA_NUMBER.match(body)
    if m:
        number = f"{m.group('era')}{m.group('year')}{int(m.group('serial')):06d}"
        series = {"B": "E", "C": "E", "U": "U", "Y": "Y"}.get(k, "A")
        return _make("JP", series, number, kind, original)
    m = _YEAR_NUMBER.match(body)
    if m:
        series = "U" if k == "U" else "A"
        return _make("JP", series, body, kind, original)
    if body.isdigit():
        number = body.lstrip("0") or "0"
        # Plain numbers are registrations: patents (B/C kinds, or no kind) or utility models (U, Y).
        series = {"U": "R", "Y": "R", "A": "A"}.get(k, "B")
        return _make("JP", series, number, kind, original)
    raise ValueError(f"unrecognised Japanese number {original!r}")


def _us(body: str, kind: str, original: str) -> ParsedNumber:
    body = body.replace("/", "").replace(",", "").replace(".", "")
    m = _US_APPLICATION.match(body)
    if m and len(body) in (10, 11):
        # Google drops the zero after the year: US-2015112182-A1 is US20150112182A1.
        number = f"{m.group('year')}{int(m.group('serial')):07d}"
        return _make("US", "A", number, kind, original)
    m = _US_GRANT.match(body)
    if m and len(m.group("digits")) <= 8:
        prefix = m.group("prefix") or ""
        digits = m.group("digits").lstrip("0") or "0"
        return _make("US", "B", f"{prefix}{digits}", kind, original)
    raise ValueError(f"unrecognised US number {original!r}")


def _wo(body: str, kind: str, original: str) -> ParsedNumber:
    body = body.replace(",", "").replace(".", "")
    if "/" in body:
        year, _, serial = body.partition("/")
        serial = serial.replace("/", "")
    elif len(body) == 10 and body[:2] in ("19", "20"):
        year, serial = body[:4], body[4:]
    elif len(body) in (7, 8):
        year, serial = body[:2], body[2:]
    else:
        raise ValueError(f"unrecognised WO number {original!r}")
    if not (year.isdigit() and serial.isdigit() and len(year) in (2, 4)):
        raise ValueError(f"unrecognised WO number {original!r}")
    return _make("WO", "A", f"{_full_year(year)}{int(serial):06d}", kind, original)


def _other(country: str, body: str, kind: str, original: str) -> ParsedNumber:
    body = body.replace("/", "").replace(",", "").replace(".", "")
    if body.isdigit():
        body = body.lstrip("0") or "0"
        if country == "EP":
            body = body.zfill(7)
    return _make(country, series_for_kind(kind), body, kind, original)
