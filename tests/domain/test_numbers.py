"""One test per number form of docs/formats.md, plus the rules around them."""

from __future__ import annotations

import pytest

from tsunagu.domain.numbers import ParsedNumber, normalise_number, series_for_kind

# (raw, country_hint, kind_hint, key, publication_number)
FORMS: list[tuple[str, str, str, str, str]] = [
    # Japan: J-PlatPat document-type forms
    ("特開2005-346371", "", "", "JP-A-2005346371", "JP2005346371A"),
    ("特表2010-512345", "", "", "JP-A-2010512345", "JP2010512345A"),
    ("公表2010-512345", "", "", "JP-A-2010512345", "JP2010512345A"),
    ("特表平09-505781", "", "", "JP-A-H09505781", "JPH09505781A"),
    ("特開平10-123456", "", "", "JP-A-H10123456", "JPH10123456A"),
    ("特開昭62-278478", "", "", "JP-A-S62278478", "JPS62278478A"),
    ("特許5944598", "", "", "JP-B-5944598", "JP5944598B"),
    ("特許第5944598号", "", "", "JP-B-5944598", "JP5944598B"),
    ("特公平07-012345", "", "", "JP-E-H07012345", "JPH07012345B"),
    ("特公昭62-034212", "", "", "JP-E-S62034212", "JPS62034212B"),
    ("実開平05-012345", "", "", "JP-U-H05012345", "JPH05012345U"),
    ("実開2005-000123", "", "", "JP-U-2005000123", "JP2005000123U"),
    ("実全昭59-123456", "", "", "JP-U-S59123456", "JPS59123456U"),
    ("実全平04-123757", "", "", "JP-U-H04123757", "JPH04123757U"),
    ("実登3184769", "", "", "JP-R-3184769", "JP3184769U"),
    ("実登2545868", "", "", "JP-R-2545868", "JP2545868Y"),
    ("実公平06-020240", "", "", "JP-Y-H06020240", "JPH06020240Y"),
    ("再表2018/070021", "", "", "WO-A-2018070021", "WO2018070021A1"),
    ("特開２００５－３４６３７１", "", "", "JP-A-2005346371", "JP2005346371A"),  # full-width
    # Japan: forms of other sources
    ("JP2005346371A", "", "", "JP-A-2005346371", "JP2005346371A"),
    ("JP H10123456 A", "", "", "JP-A-H10123456", "JPH10123456A"),
    ("JP-H10123456-A", "", "", "JP-A-H10123456", "JPH10123456A"),
    ("JP 5944598 B2", "", "", "JP-B-5944598", "JP5944598B2"),
    ("JP-5854392-B2", "", "", "JP-B-5854392", "JP5854392B2"),
    ("JP-H0823587-B2", "", "", "JP-E-H08023587", "JPH08023587B2"),
    ("JP-3184769-U", "", "", "JP-R-3184769", "JP3184769U"),
    ("JP-2545868-Y2", "", "", "JP-R-2545868", "JP2545868Y2"),
    ("JP-H0620240-Y2", "", "", "JP-Y-H06020240", "JPH06020240Y2"),
    ("JP-H07005977-U", "", "", "JP-U-H07005977", "JPH07005977U"),
    ("JP WO2005085620 A1", "", "", "WO-A-2005085620", "WO2005085620A1"),
    ("JPS56154944A", "", "", "JP-A-S56154944", "JPS56154944A"),
    ("H10-123456", "JP", "", "JP-A-H10123456", "JPH10123456"),
    ("5944598", "JP", "", "JP-B-5944598", "JP5944598"),
    # United States
    ("US8271025B2", "", "", "US-B-8271025", "US8271025B2"),
    ("US 8271025 B2", "", "", "US-B-8271025", "US8271025B2"),
    ("8,271,025", "US", "", "US-B-8271025", "US8271025"),
    ("US06970935", "", "", "US-B-6970935", "US6970935"),
    ("US 5480107 A", "", "", "US-B-5480107", "US5480107A"),
    ("USD654321", "", "", "US-B-D654321", "USD654321"),
    ("US-D800118-S", "", "", "US-B-D800118", "USD800118S"),
    ("D628,609", "US", "", "US-B-D628609", "USD628609"),
    ("USRE43210", "", "", "US-B-RE43210", "USRE43210"),
    ("RE43,880", "US", "", "US-B-RE43880", "USRE43880"),
    ("USPP12345", "", "", "US-B-PP12345", "USPP12345"),
    ("US H000485 H", "", "", "US-B-H485", "USH485H"),
    ("US20150112182A1", "", "", "US-A-20150112182", "US20150112182A1"),
    ("US-2015112182-A1", "", "", "US-A-20150112182", "US20150112182A1"),
    ("US 2011/0185700 A1", "", "", "US-A-20110185700", "US20110185700A1"),
    ("US 8001762", "", "B2", "US-B-8001762", "US8001762B2"),
    # WIPO
    ("WO2018/070021", "", "", "WO-A-2018070021", "WO2018070021"),
    ("WO 2018070021 A1", "", "", "WO-A-2018070021", "WO2018070021A1"),
    ("WO-2018070021-A1", "", "", "WO-A-2018070021", "WO2018070021A1"),
    ("WO 1995/027654 A1", "", "", "WO-A-1995027654", "WO1995027654A1"),
    ("WO98/12345", "", "", "WO-A-1998012345", "WO1998012345"),
    ("WO-0116860-A2", "", "", "WO-A-2001016860", "WO2001016860A2"),
    ("WO/2001/016860", "", "", "WO-A-2001016860", "WO2001016860"),
    # Other offices
    ("EP 0095016 A1", "", "", "EP-A-0095016", "EP0095016A1"),
    ("EP-0159345-B1", "", "", "EP-B-0159345", "EP0159345B1"),
    ("EP 1357170 B9 20061018", "", "", "EP-B-1357170", "EP1357170B9"),
    ("CN 203717160 U", "", "", "CN-U-203717160", "CN203717160U"),
    ("CN-1163666-C", "", "", "CN-B-1163666", "CN1163666C"),
    ("KR 200181416 Y1", "", "", "KR-Y-200181416", "KR200181416Y1"),
    ("KR 101159648 B1", "", "", "KR-B-101159648", "KR101159648B1"),
    ("KR-20040033986-A", "", "", "KR-A-20040033986", "KR20040033986A"),
    ("DE 202007002851 U1", "", "", "DE-U-202007002851", "DE202007002851U1"),
    ("AU 2006/292754 A1", "", "", "AU-A-2006292754", "AU2006292754A1"),
    ("RU0002566003", "", "", "RU-A-2566003", "RU2566003"),
    ("GB 0901975 D0", "", "", "GB-A-901975", "GB901975D0"),
]


@pytest.mark.parametrize(
    ("raw", "country", "kind", "key", "publication_number"), FORMS, ids=[f[0] for f in FORMS]
)
def test_number_form(raw: str, country: str, kind: str, key: str, publication_number: str) -> None:
    parsed = normalise_number(raw, country_hint=country, kind_hint=kind)
    assert parsed.key == key
    assert parsed.publication_number == publication_number
    assert parsed.original == raw
    assert parsed.key == f"{parsed.country}-{parsed.series}-{parsed.number}"


def test_parsed_number_is_frozen_with_all_parts() -> None:
    parsed = normalise_number("JP-H10123456-A")
    assert parsed == ParsedNumber(
        country="JP",
        series="A",
        number="H10123456",
        kind="A",
        key="JP-A-H10123456",
        publication_number="JPH10123456A",
        original="JP-H10123456-A",
    )
    with pytest.raises(AttributeError):
        parsed.country = "US"  # type: ignore[misc]


def test_japanese_series_overlap_gives_different_keys() -> None:
    # The same digits in three series are three documents.
    assert normalise_number("特開2018-070021").key == "JP-A-2018070021"
    assert normalise_number("再表2018/070021").key == "WO-A-2018070021"
    assert normalise_number("特許6070021").key != normalise_number("実登6070021").key


def test_sources_agree_on_the_same_documents() -> None:
    same = [
        ("特開平11-353598", "JP-H11353598-A", "JP H11353598 A", "JPH11353598A"),
        ("特許5944598", "JP-5944598-B2", "JP 5944598 B2"),
        ("実登3184769", "JP-3184769-U"),
        ("実公平06-020240", "JP-H0620240-Y2"),
        ("特公平08-023587", "JP-H0823587-B2"),
        ("再表2018/235274", "WO2018/235274", "JP WO2018235274 A1", "WO-2018235274-A1"),
        ("US-2015112182-A1", "US20150112182A1", "US 2015/0112182 A1"),
        ("US06970935", "US 6970935 B2", "6,970,935"),
    ]
    for forms in same:
        keys = {normalise_number(f, country_hint="US").key for f in forms}
        assert len(keys) == 1, (forms, keys)


def test_kind_hint_only_fills_a_missing_kind() -> None:
    assert normalise_number("US 8271025 B2", kind_hint="B1").kind == "B2"
    assert normalise_number("EP 1234567", kind_hint="B1").key == "EP-B-1234567"
    assert normalise_number("特開2005-346371", kind_hint="A").kind == "A"


def test_us_series_follows_the_number_not_the_kind() -> None:
    assert normalise_number("US 3982033 A").series == "B"  # grant before 2001
    assert normalise_number("US 2013/0101709 A1").series == "A"


def test_series_for_kind() -> None:
    assert [series_for_kind(k) for k in ("A1", "B2", "C", "U1", "Y1", "T5", "")] == [
        "A",
        "B",
        "B",
        "U",
        "Y",
        "A",
        "A",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "null",
        "JP",
        "特願2004-164754",
        "実願平03-027605",
        "8271025",
        "特開10-123456",
        "PENDING 2014",
        "US-XX-A",
    ],
)
def test_unusable_input_raises_value_error(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_number(raw)
