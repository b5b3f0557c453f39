"""Field names: IPC titles with parent fallback, WIPO 35-field concordance, the project's Japanese names."""

from __future__ import annotations

import pytest

from tsunagu.domain.fields import (
    JA_NAMES_NOTE,
    field_level,
    field_name,
    ja_name,
    parent_codes,
    section_name,
    wipo_field,
)


def test_levels_and_parents() -> None:
    assert field_level("A") == "section"
    assert field_level("A61") == "class"
    assert field_level("A61B") == "subclass"
    assert field_level("A61B5/00") == "main_group"
    assert field_level("A61B5/18") == "subgroup"
    assert field_level("not a code") == ""
    assert parent_codes("A61B5/18") == ["A61B5/00", "A61B", "A61", "A"]
    assert parent_codes("A61B5/00") == ["A61B", "A61", "A"]
    assert parent_codes("A61B") == ["A61", "A"]
    assert parent_codes("A") == []


def test_main_group_title_from_ipc_2019_without_cross_references() -> None:
    name = field_name("A01B1/00")
    assert name.title_en == "Hand tools"  # IPC text "Hand tools (edge trimmers for lawns A01G…)"
    assert name.edition == "2019.01"
    assert not name.fallback
    assert name.title_ja == "農業・林業・畜産・狩猟・漁業"  # the class's name (project's translation)


def test_capitalised_titles_are_sentence_case_keeping_acronyms() -> None:
    assert field_name("A61B").title_en == "Diagnosis; surgery; identification"
    assert "[ICT]" in field_name("G16H").title_en


def test_code_missing_from_2019_uses_2006_title() -> None:
    name = field_name("B60R27/00")  # deleted before IPC 2019.01, present in the 2006 core level
    assert name.edition == "2006"
    assert name.title_en.startswith("Other vehicle fittings")
    assert not name.fallback


@pytest.mark.parametrize(
    ("code", "parent"),
    [("B60W60/00", "B60W"), ("G06V20/00", "G06"), ("G16Y10/00", "G16"), ("A61B5/18", "A61B5/00")],
)
def test_missing_codes_fall_back_to_nearest_titled_parent(code: str, parent: str) -> None:
    name = field_name(code)
    assert name.fallback
    assert name.title_code == parent
    assert name.title_en == field_name(parent).title_en


def test_japanese_names_are_the_projects_own() -> None:
    assert section_name("G") == "物理学"
    assert section_name("G", lang="en") == "Physics"
    assert ja_name("B60W").startswith("車両")
    assert field_name("G06V20/00").title_ja == "画像・映像の認識・理解"
    assert "独自" in JA_NAMES_NOTE
    unknown = field_name("Z99")
    assert unknown.title_en == "" and unknown.title_code == ""


def test_wipo_fields_by_longest_prefix() -> None:
    medical = wipo_field("A61B5/00")
    assert medical is not None and medical.number == 13 and medical.name_en == "Medical technology"
    assert medical.name_ja == "医療技術" and not medical.inferred
    # H04N: group-level prefixes split audio-visual (field 2) from digital communication (field 4)
    assert wipo_field("H04N5/00").number == 2  # type: ignore[union-attr]
    assert wipo_field("H04N21/00").number == 4  # type: ignore[union-attr]
    # the prefix "H04N1/" must not swallow H04N13/00
    h13 = wipo_field("H04N13/00")
    assert h13 is not None and h13.number == 2
    assert wipo_field("A61K8/00").number == 14  # type: ignore[union-attr]
    assert wipo_field("A61K31/00").number == 16  # type: ignore[union-attr]


def test_wipo_field_of_codes_newer_than_the_concordance_is_inferred_from_the_class() -> None:
    vision = wipo_field("G06V10/00")
    assert vision is not None and vision.number == 6 and vision.inferred
    assert wipo_field("G") is None


def test_to_dict_round_trip_keys() -> None:
    assert set(field_name("G08G").to_dict()) == {
        "code",
        "level",
        "title_en",
        "title_ja",
        "title_code",
        "edition",
        "fallback",
    }
    assert wipo_field("G08G1/00").to_dict()["number"] == 12  # type: ignore[union-attr]
