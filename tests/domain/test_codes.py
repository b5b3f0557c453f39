from __future__ import annotations

import pytest

from tsunagu.domain.codes import fi_to_ipc, main_group, normalise_ipc, split_fi, subclass


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("G01N 25/00", "G01N25/00"),  # PATENTSCOPE writes a space
        ("A61B5/18", "A61B5/18"),
        ("G06F 3/10", "G06F3/10"),  # trailing zero of a subgroup is significant
        ("G06N3/08 (2006.01)", "G06N3/08"),
        ("b60w 50/16", "B60W50/16"),
        ("B60W", "B60W"),
        ("not a code", ""),
    ],
)
def test_normalise_ipc(raw: str, expected: str) -> None:
    assert normalise_ipc(raw) == expected


def test_split_fi_keeps_subdivisions_with_their_code() -> None:
    # Real FI field of 特開2005-346371 (J-PlatPat export).
    raw = "A61B5/18,B60K26/04,B60K41/00,390,B60R21/00,624@D,B60W40/08,G08G1/16@C"
    assert split_fi(raw) == ["A61B5/18", "B60K26/04", "B60K41/00,390", "B60R21/00,624@D", "B60W40/08", "G08G1/16@C"]


@pytest.mark.parametrize(
    ("fi", "ipc"),
    [("B60K41/00,301@A", "B60K41/00"), ("G08G1/16@C", "G08G1/16"), ("B60W40/08", "B60W40/08"),
     ("5H180:AA01", "")],
)
def test_fi_to_ipc(fi: str, ipc: str) -> None:
    assert fi_to_ipc(fi) == ipc


def test_levels() -> None:
    assert main_group("A61B5/18") == "A61B5/00"
    assert subclass("A61B5/18") == "A61B"
    assert main_group("A61B") == "A61B"
