from __future__ import annotations

import pytest

from tsunagu.domain.patent import Patent, merge_patents

# The same document as J-PlatPat and Lens would give it (real bibliographic values of 特開2005-346371).
JP = Patent(
    key="JP-A-2005346371",
    publication_number="JP2005346371A",
    original_numbers=("特開2005-346371",),
    country="JP",
    series="A",
    title="運転意図推定装置、車両用運転操作補助装置および車両用運転操作補助装置を備えた車両",
    applicants=("日産自動車株式会社",),
    ipc_codes=("A61B5/18", "B60W40/08"),
    filing_date="2004-06-02",
).with_source("jplatpat_csv")

LENS = Patent(
    key="JP-A-2005346371",
    publication_number="JP2005346371A",
    original_numbers=("JP 2005346371 A",),
    country="JP",
    series="A",
    kind="A",
    title="DRIVING INTENTION ESTIMATING DEVICE",
    applicants=("NISSAN MOTOR",),
    family_id="12345",
    filing_date="2004-06-02",
).with_source("lens_csv")


def test_official_source_wins_and_empty_fields_are_filled() -> None:
    merged = merge_patents(JP, LENS)
    assert merged.title == JP.title  # J-PlatPat (official) beats Lens (aggregator)
    assert merged.applicants == ("日産自動車株式会社",)
    assert merged.kind == "A" and merged.family_id == "12345"  # filled from Lens
    assert merged.field_sources["title"] == "jplatpat_csv"
    assert merged.field_sources["family_id"] == "lens_csv"
    assert merged.original_numbers == ("特開2005-346371", "JP 2005346371 A")
    assert merged.sources == ("jplatpat_csv", "lens_csv")


def test_order_of_arrival_does_not_change_the_winner() -> None:
    a, b = merge_patents(JP, LENS), merge_patents(LENS, JP)
    assert a.title == b.title == JP.title
    assert a.applicants == b.applicants


def test_merging_twice_changes_nothing() -> None:
    once = merge_patents(JP, LENS)
    assert merge_patents(once, LENS) is once
    assert merge_patents(once, JP) is once


def test_different_documents_are_refused() -> None:
    other = Patent(key="JP-B-5944598", publication_number="JP5944598B2")
    with pytest.raises(ValueError):
        merge_patents(JP, other)


def test_event_date_and_year() -> None:
    assert JP.event_date == "2004-06-02" and JP.year == 2004
    assert Patent(key="k", publication_number="n", publication_date="2019-01-03").year == 2019
    assert Patent(key="k", publication_number="n").year is None


def test_extra_columns_are_kept_per_source_and_stable() -> None:
    import dataclasses

    a = dataclasses.replace(JP, extra={"jplatpat_csv": {"審判番号": "", "公開番号": "特開2005-346371"}})
    b = dataclasses.replace(JP, extra={"jplatpat_csv": {"審判番号": "不服2010-1", "公開番号": "other"}})
    merged = merge_patents(a, b)
    assert merged.extra["jplatpat_csv"] == {"審判番号": "不服2010-1", "公開番号": "特開2005-346371"}
    # The same row arriving again (from another export file) changes nothing.
    assert merge_patents(merged, a) is merged
    assert merge_patents(merged, b) is merged
