"""Row conversion and number lookup forms."""

from __future__ import annotations

import dataclasses

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.storage.rows import lookup_forms, normalise_number, number_rows, patent_to_row, row_to_patent

from .records import everything, jplatpat_2005_346371, lens_6084510, sample


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("US 2011/0185700 A1", "US20110185700A1"),
        ("特開2005-346371", "特開2005346371"),
        ("特開２００５－３４６３７１", "特開2005346371"),
        ("再表2018/070021", "再表2018070021"),
        ("7,438,030", "7438030"),
        ("US-2015112182-A1", "US2015112182A1"),
        ("jp 2005346371 a", "JP2005346371A"),
    ],
)
def test_normalise_number(raw: str, expected: str) -> None:
    assert normalise_number(raw) == expected


def test_lookup_forms_add_the_number_without_kind_code() -> None:
    assert lookup_forms("US 8271025 B2") == ["US8271025B2", "US8271025"]
    assert lookup_forms("特許4400316") == ["特許4400316"]
    # Series that differ only by prefix stay apart.
    assert lookup_forms("特開2018-070021") != lookup_forms("再表2018/070021")
    # Letters after a non-digit are part of the identifier, not a kind code.
    assert lookup_forms("NASA-KSC-12236-2-PCT") == ["NASAKSC122362PCT"]
    assert lookup_forms(" - ") == []


def test_number_rows_cover_key_publication_and_original_numbers() -> None:
    numbers = {row["number"] for row in number_rows(jplatpat_2005_346371())}
    assert numbers == {
        "JPA2005346371",
        "JP2005346371A",
        "JP2005346371",
        "特開2005346371",
        "特許4400316",
    }
    assert len(numbers) == len(number_rows(jplatpat_2005_346371()))


@pytest.mark.parametrize("patent", [*sample(), lens_6084510()], ids=lambda p: p.key)
def test_row_round_trip(patent: Patent) -> None:
    row = patent_to_row(patent, revision=7)
    assert row["revision"] == 7
    assert row["year"] == patent.year
    assert everything(row_to_patent(row)) == everything(patent)


def test_json_columns_are_compact_utf8_and_order_independent_for_mappings() -> None:
    patent = lens_6084510()
    row = patent_to_row(patent, revision=1)
    assert row["applicants"] == '["LEMELSON; JEROME H.","PEDERSEN; ROBERT D."]'
    flipped = dataclasses.replace(patent, field_sources=dict(reversed(patent.field_sources.items())))
    reordered = patent_to_row(flipped, revision=1)
    assert reordered["field_sources"] == row["field_sources"]
    assert "日産" in patent_to_row(jplatpat_2005_346371(), 1)["applicants"]  # not \\u escaped
